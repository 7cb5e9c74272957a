/**
 * Reference-counted subscriptions: any number of consumers (P&L tracker, UI watchlist, monitor,
 * strategy runtime) ask for symbols; the venue sees one subscription per symbol, added when the
 * first consumer asks and removed when the last one releases it.
 */
export interface SubscriptionDelta {
  /** Symbols that went from 0 to 1 consumer: subscribe these at the venue. */
  added: string[];
  /** Symbols that went from 1 to 0 consumers: unsubscribe these at the venue. */
  removed: string[];
}

export class SubscriptionRefs {
  private readonly byConsumer = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();

  /** Adds `symbols` to what `consumerId` holds (idempotent per consumer and symbol). */
  ensure(consumerId: string, symbols: readonly string[]): SubscriptionDelta {
    let held = this.byConsumer.get(consumerId);
    if (!held) {
      held = new Set();
      this.byConsumer.set(consumerId, held);
    }
    const added: string[] = [];
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
  release(consumerId: string, symbols?: readonly string[]): SubscriptionDelta {
    const held = this.byConsumer.get(consumerId);
    if (!held) return { added: [], removed: [] };
    const removed: string[] = [];
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
  replace(consumerId: string, symbols: readonly string[]): SubscriptionDelta {
    const want = new Set(symbols);
    const held = this.byConsumer.get(consumerId) ?? new Set<string>();
    const drop = [...held].filter((s) => !want.has(s));
    const { removed } = this.release(consumerId, drop);
    const { added } = this.ensure(consumerId, [...want]);
    // A symbol both dropped and re-added cannot happen (drop ∩ want = ∅), so the delta is clean.
    return { added, removed };
  }

  refCount(symbol: string): number {
    return this.counts.get(symbol) ?? 0;
  }

  symbols(): string[] {
    return [...this.counts.keys()];
  }

  consumers(): string[] {
    return [...this.byConsumer.keys()];
  }

  get size(): number {
    return this.counts.size;
  }
}
