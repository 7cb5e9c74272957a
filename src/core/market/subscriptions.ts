import type { InstrumentId } from '../model/ids';

/**
 * Reference-counted subscriptions: any number of consumers (P&L tracker, UI watchlist, monitor,
 * strategy runtime) ask for symbols; the venue sees one subscription per symbol, added when the
 * first consumer asks and removed when the last one releases it.
 */
export interface SubscriptionDelta<K extends string = InstrumentId> {
  /** Keys that went from 0 to 1 consumer: subscribe these at the venue. */
  added: K[];
  /** Keys that went from 1 to 0 consumers: unsubscribe these at the venue. */
  removed: K[];
}

/** Keyed by InstrumentId in the quote cache (the venue adapter maps ids back to its own symbols). */
export class SubscriptionRefs<K extends string = InstrumentId> {
  private readonly byConsumer = new Map<string, Set<K>>();
  private readonly counts = new Map<K, number>();

  /** Adds `symbols` to what `consumerId` holds (idempotent per consumer and symbol). */
  ensure(consumerId: string, symbols: readonly K[]): SubscriptionDelta<K> {
    let held = this.byConsumer.get(consumerId);
    if (!held) {
      held = new Set();
      this.byConsumer.set(consumerId, held);
    }
    const added: K[] = [];
    for (const s of symbols) {
      if (held.has(s)) continue;
      held.add(s);
      const n = (this.counts.get(s) ?? 0) + 1;
      this.counts.set(s, n);
      if (n === 1) added.push(s);
    }
    return { added, removed: [] };
  }

  /** Releases `symbols` held by `consumerId`, or everything it holds when `symbols` is omitted. */
  release(consumerId: string, symbols?: readonly K[]): SubscriptionDelta<K> {
    const held = this.byConsumer.get(consumerId);
    if (!held) return { added: [], removed: [] };
    const removed: K[] = [];
    for (const s of symbols ?? [...held]) {
      if (!held.delete(s)) continue;
      const n = (this.counts.get(s) ?? 1) - 1;
      if (n <= 0) {
        this.counts.delete(s);
        removed.push(s);
      } else this.counts.set(s, n);
    }
    if (held.size === 0) this.byConsumer.delete(consumerId);
    return { added: [], removed };
  }

  /** Makes `consumerId` hold exactly `symbols` (e.g. after a portfolio reload). */
  replace(consumerId: string, symbols: readonly K[]): SubscriptionDelta<K> {
    const want = new Set(symbols);
    const held = this.byConsumer.get(consumerId) ?? new Set<K>();
    const drop = [...held].filter((s) => !want.has(s));
    const { removed } = this.release(consumerId, drop);
    const { added } = this.ensure(consumerId, [...want]);
    // A symbol both dropped and re-added cannot happen (drop ∩ want = ∅), so the delta is clean.
    return { added, removed };
  }

  refCount(symbol: K): number {
    return this.counts.get(symbol) ?? 0;
  }

  symbols(): K[] {
    return [...this.counts.keys()];
  }

  consumers(): string[] {
    return [...this.byConsumer.keys()];
  }

  get size(): number {
    return this.counts.size;
  }
}
