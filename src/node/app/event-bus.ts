/**
 * The desk's one event bus: every event gets its `seq` here, and every consumer subscribes here.
 * Producers (the desk, the live-portfolio plane, the kill switch and alert wiring) `publish`;
 * consumers — the desk's own state keepers (the event history) and the transports — `subscribe`.
 * Nobody calls a consumer directly, so no two classes call each other back and forth: the alert
 * monitor reads health from `health_event`s and answers with `alert`s (src/node/app/alert-wiring.ts).
 *
 * Internal subscribers (state the snapshot reads, e.g. the history) run before clients, so a
 * snapshot taken from inside a client's listener already reflects the event it was handed.
 */
import type { Logger } from '../../core/ports/logger';
import type { DeskEvent, UnsequencedEvent } from '../../shared/contract';

export type DeskEventListener = (event: DeskEvent) => void;

/** What a producer or consumer of desk events needs (the live-portfolio plane takes this). */
export interface DeskEventPort {
  /** Stamps the next `seq` on `event`, hands it to every subscriber, and returns it. */
  publish(event: UnsequencedEvent): DeskEvent;
  /** `internal`: a desk-side state keeper (runs first; not counted as a client). */
  subscribe(listener: DeskEventListener, options?: { internal?: boolean }): () => void;
}

export class DeskEventBus implements DeskEventPort {
  private seq = 0;
  /** The seq of the last event every internal state keeper has seen. */
  private applied = 0;
  private readonly internal = new Set<DeskEventListener>();
  private readonly clients = new Set<DeskEventListener>();
  /** Events published by a subscriber while another is being delivered: they follow it, in seq order. */
  private readonly queue: DeskEvent[] = [];
  private delivering = false;

  constructor(private readonly logger: Logger) {}

  /**
   * A subscriber may publish (e.g. the alert monitor answers a health_event with an alert): that
   * event gets the next seq at once, and is delivered to everyone after the current one, so every
   * subscriber sees the events in seq order.
   */
  publish(event: UnsequencedEvent): DeskEvent {
    this.seq += 1;
    const sequenced = { ...event, seq: this.seq } as DeskEvent;
    this.queue.push(sequenced);
    if (this.delivering) return sequenced;
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) this.deliver(next);
    } finally {
      this.delivering = false;
      this.queue.length = 0;
    }
    return sequenced;
  }

  private deliver(sequenced: DeskEvent): void {
    // Internal state keepers are part of the desk: a failure there is the desk's, not swallowed.
    for (const listener of this.internal) listener(sequenced);
    this.applied = sequenced.seq;
    for (const listener of this.clients) {
      try {
        listener(sequenced);
      } catch (err) {
        this.logger.error('event listener failed', { message: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  subscribe(listener: DeskEventListener, options: { internal?: boolean } = {}): () => void {
    const set = options.internal ? this.internal : this.clients;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** The seq of the last event the desk's state reflects: a snapshot taken now reflects every event up to it. */
  get lastSeq(): number {
    return this.applied;
  }

  /** Client (transport) subscribers; internal state keepers are not counted. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Drops every client subscriber (the desk's dispose). */
  clearClients(): void {
    this.clients.clear();
  }
}
