/**
 * What the P&L tracker needs subscribed, as a narrow port between the live-portfolio plane and the
 * desk's subscription planner: the tracker (through LivePortfolio) states its symbols here, the
 * desk subscribes to changes and replans. LivePortfolio never calls the desk.
 */
import type { TrackerSubscriptions } from '../../core/pnl/active-pnl-tracker';

export class SubscriptionDemand implements TrackerSubscriptions {
  private current: readonly string[] = [];
  private readonly listeners = new Set<() => void>();

  /** `subscribed`: every symbol subscribed at the venue (all consumers: the quote cache). */
  constructor(private readonly subscribed: () => readonly string[]) {}

  /** The tracker needs exactly these symbols now: listeners (the planner) hear of it. */
  replaceSubscriptions(_consumer: string, symbols: readonly string[]): void {
    this.current = [...symbols];
    for (const l of this.listeners) l();
  }

  /** The tracker needs nothing any more (streaming stopped: nothing to replan). */
  release(_consumer: string): void {
    this.current = [];
  }

  subscribedSymbols(): readonly string[] {
    return this.subscribed();
  }

  /** What the tracker needs now. */
  get symbols(): readonly string[] {
    return this.current;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
