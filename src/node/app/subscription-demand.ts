/**
 * What the P&L tracker needs subscribed, as a narrow port between the live-portfolio plane and the
 * desk's subscription planner: the tracker (through LivePortfolio) states its instruments here, the
 * desk subscribes to changes and replans. LivePortfolio never calls the desk.
 */
import type { InstrumentId } from '../../core/model/ids';
import type { TrackerSubscriptions } from '../../core/pnl/active-pnl-tracker';

export class SubscriptionDemand implements TrackerSubscriptions {
  private current: readonly InstrumentId[] = [];
  private readonly listeners = new Set<() => void>();

  /** `subscribed`: every instrument subscribed (all consumers: the quote cache). */
  constructor(private readonly subscribed: () => readonly InstrumentId[]) {}

  /** The tracker needs exactly these instruments now: listeners (the planner) hear of it. */
  replaceSubscriptions(_consumer: string, instruments: readonly InstrumentId[]): void {
    this.current = [...instruments];
    for (const l of this.listeners) l();
  }

  /** The tracker needs nothing any more (streaming stopped: nothing to replan). */
  release(_consumer: string): void {
    this.current = [];
  }

  subscribedInstruments(): readonly InstrumentId[] {
    return this.subscribed();
  }

  /** What the tracker needs now. */
  get instruments(): readonly InstrumentId[] {
    return this.current;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
