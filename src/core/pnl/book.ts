/**
 * The portfolio book: open positions indexed by symbol, valued incrementally. A quote touches only
 * the positions holding its symbol and adjusts exact running totals (subtract the old contribution,
 * add the new), so the cost of a quote does not grow with the size of the portfolio.
 *
 * Unknown is not zero: a position without a usable mark is counted as unknown with its reason, and
 * the total unrealized P&L is `null` while any open position is unknown — alongside the known
 * partial sum and the list of unknown positions, so a UI can say "unknown (3 legs without a fresh
 * quote)".
 *
 * Staleness depends on the reader's `now`, not on quotes, so it is applied when totals are read:
 * symbols with a known contribution are kept in a list ordered by quote receive time (moving a
 * symbol to the end is O(1) because receive times only grow), the stale ones are a prefix of it,
 * and `as_of` — the receive time of the oldest quote still contributing — is the first fresh one.
 */
import type { Quote } from '../market/quote';
import type { Money, Units } from '../model/money';
import type { PositionSide, PositionSnapshot } from './fifo';
import { markOf, quotePrices, type MarkPolicy, type MarkSource, type QuotePrices, type UnknownReason } from './mark';

export interface BookOptions {
  markPolicy?: MarkPolicy;
  /** A quote older than this (ms, by receive time) is stale. Default 5000; may differ per venue/symbol. */
  staleAfterMs?: number | ((symbol: string) => number);
  /** Currency of the instrument behind a symbol (totals are kept per currency). Default USD. */
  currencyOf?: (symbol: string) => string;
  /**
   * The latest quote of a symbol the book starts holding (normally QuoteCache.get), so a new
   * position is valued at once instead of waiting for the next tick.
   */
  quoteOf?: (symbol: string) => Quote | undefined;
}

export interface UnknownPosition {
  key: string;
  symbol: string;
  reason: UnknownReason;
}

export interface CurrencyTotals {
  currency: string;
  /** Realized P&L net of fees over every position the book has seen (open and closed). */
  realized: Money;
  realized_gross: Money;
  fees: Money;
  /** Σ unrealized of open positions, or null when any of them is unknown. */
  unrealized: Money | null;
  /** Σ unrealized over the positions whose P&L is known. */
  unrealized_known: Money;
  unknown_count: number;
  unknown: UnknownPosition[];
  /** realized + unrealized, null when unrealized is unknown. */
  total: Money | null;
  open_positions: number;
}

export interface BookTotals {
  /** Receive time of the oldest quote behind the known unrealized figures (null if none). */
  as_of: number | null;
  currencies: CurrencyTotals[];
}

export interface PositionValue {
  key: string;
  symbol: string;
  side: PositionSide;
  /** Unrealized P&L, null when unknown. */
  unrealized: Money | null;
  reason: UnknownReason | null;
  /** Twice the mark (exact for a mid), null without a mark. */
  markX2: bigint | null;
  markSource: MarkSource | null;
  quote: Quote | null;
  prices: QuotePrices | null;
}

interface Slot {
  symbol: string;
  currency: string;
  entries: Entry[];
  quote: Quote | null;
  prices: QuotePrices | null;
  receivedAt: number;
  list: OrderedList;
  prev: Slot | null;
  next: Slot | null;
  linked: boolean;
  knownSum: bigint;
  knownCount: number;
}

interface Entry {
  key: string;
  snap: PositionSnapshot;
  slot: Slot;
  totals: Acc;
  /** signed_units × 5: money = markX2 × units5 (see money.ts). */
  units5: bigint;
  signedOpenCost: bigint;
  value: bigint | null;
  reason: UnknownReason | null;
  markX2: bigint | null;
  source: MarkSource | null;
}

interface Acc {
  currency: string;
  realizedNet: bigint;
  realizedGross: bigint;
  fees: bigint;
  known: bigint;
  unknown: Set<Entry>;
  open: number;
}

class OrderedList {
  head: Slot | null = null;
  tail: Slot | null = null;
  constructor(readonly staleAfterMs: number) {}

  unlink(s: Slot): void {
    if (!s.linked) return;
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
    s.linked = false;
  }

  /** Inserts keeping receive-time order; O(1) when the slot is the newest (the normal case). */
  insert(s: Slot): void {
    let after = this.tail;
    while (after && after.receivedAt > s.receivedAt) after = after.prev;
    s.prev = after;
    s.next = after ? after.next : this.head;
    if (s.next) s.next.prev = s;
    else this.tail = s;
    if (after) after.next = s;
    else this.head = s;
    s.linked = true;
  }
}

export class PortfolioBook {
  private readonly policy: MarkPolicy;
  private readonly staleOf: (symbol: string) => number;
  private readonly currencyOf: (symbol: string) => string;
  private readonly quoteOf: (symbol: string) => Quote | undefined;
  private readonly slots = new Map<string, Slot>();
  private readonly entries = new Map<string, Entry>();
  private readonly realized = new Map<string, { acc: Acc; net: bigint; gross: bigint; fees: bigint }>();
  private readonly accs = new Map<string, Acc>();
  private readonly lists = new Map<number, OrderedList>();

  constructor(opts: BookOptions = {}) {
    this.policy = opts.markPolicy ?? 'mid';
    const stale = opts.staleAfterMs ?? 5000;
    this.staleOf = typeof stale === 'number' ? () => stale : stale;
    this.currencyOf = opts.currencyOf ?? (() => 'USD');
    this.quoteOf = opts.quoteOf ?? (() => undefined);
  }

  get markPolicy(): MarkPolicy {
    return this.policy;
  }

  /** Number of open positions in the book. */
  get size(): number {
    return this.entries.size;
  }

  /** Symbols the book needs quotes for (those with an open position). */
  symbols(): string[] {
    const out: string[] = [];
    for (const s of this.slots.values()) if (s.entries.length > 0) out.push(s.symbol);
    return out;
  }

  /** Adds or replaces a position (after a fill, or from portfolio.json). A closed one keeps only its realized P&L. */
  setPosition(snap: PositionSnapshot): void {
    const acc = this.acc(this.currencyOf(snap.symbol));
    const old = this.realized.get(snap.key);
    if (old) {
      old.acc.realizedNet -= old.net;
      old.acc.realizedGross -= old.gross;
      old.acc.fees -= old.fees;
    }
    const net = snap.realized_net as bigint;
    const gross = snap.realized_gross as bigint;
    const fees = snap.fees as bigint;
    acc.realizedNet += net;
    acc.realizedGross += gross;
    acc.fees += fees;
    this.realized.set(snap.key, { acc, net, gross, fees });

    const existing = this.entries.get(snap.key);
    if (existing) this.detach(existing);
    if (snap.quantity_remaining <= 0n) return;
    const slot = this.slot(snap.symbol);
    const e: Entry = {
      key: snap.key,
      snap,
      slot,
      totals: acc,
      units5: (snap.signed_units as bigint) * 5n,
      signedOpenCost: snap.signed_open_cost,
      value: null,
      reason: 'no_quote',
      markX2: null,
      source: null,
    };
    acc.unknown.add(e);
    acc.open++;
    slot.entries.push(e);
    this.entries.set(e.key, e);
    if (slot.quote) {
      slot.prices ??= quotePrices(slot.quote);
      this.evaluate(e, slot.prices);
      this.relink(slot);
    }
  }

  /** Forgets a position entirely (e.g. it left portfolio.json), realized P&L included. */
  removePosition(key: string): void {
    const r = this.realized.get(key);
    if (r) {
      r.acc.realizedNet -= r.net;
      r.acc.realizedGross -= r.gross;
      r.acc.fees -= r.fees;
      this.realized.delete(key);
    }
    const e = this.entries.get(key);
    if (e) this.detach(e);
  }

  /** Revalues the positions holding the quote's symbol. Returns false when the book holds none. */
  onQuote(q: Quote): boolean {
    const slot = this.slots.get(q.symbol);
    if (!slot) return false;
    if (slot.entries.length === 0) {
      slot.quote = q;
      slot.prices = null; // converted lazily when a position arrives
      slot.receivedAt = q.receivedAt;
      return false;
    }
    const prices = quotePrices(q);
    slot.quote = q;
    slot.prices = prices;
    slot.receivedAt = q.receivedAt;
    const entries = slot.entries;
    for (let i = 0; i < entries.length; i++) this.evaluate(entries[i]!, prices);
    this.relink(slot);
    return true;
  }

  /** The current value of one open position, with staleness applied at `now`. */
  value(key: string, now: number): PositionValue | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const stale = e.value !== null && this.isStale(e.slot, now);
    return {
      key: e.key,
      symbol: e.slot.symbol,
      side: e.snap.side,
      unrealized: stale ? null : (e.value as Money | null),
      reason: stale ? 'stale_quote' : e.reason,
      markX2: e.markX2,
      markSource: e.source,
      quote: e.slot.quote,
      prices: e.slot.prices,
    };
  }

  position(key: string): PositionSnapshot | undefined {
    return this.entries.get(key)?.snap;
  }

  openKeys(): string[] {
    return [...this.entries.keys()];
  }

  /** Totals per currency at `now`; cost O(currencies + stale symbols + unknown positions). */
  totals(now: number): BookTotals {
    const staleKnown = new Map<Acc, bigint>();
    const staleList = new Map<Acc, UnknownPosition[]>();
    let asOf: number | null = null;
    for (const list of this.lists.values()) {
      let s = list.head;
      while (s && now - s.receivedAt > list.staleAfterMs) {
        for (const e of s.entries) {
          if (e.value === null) continue;
          staleKnown.set(e.totals, (staleKnown.get(e.totals) ?? 0n) + e.value);
          let l = staleList.get(e.totals);
          if (!l) staleList.set(e.totals, (l = []));
          l.push({ key: e.key, symbol: s.symbol, reason: 'stale_quote' });
        }
        s = s.next;
      }
      if (s && (asOf === null || s.receivedAt < asOf)) asOf = s.receivedAt;
    }
    const currencies: CurrencyTotals[] = [];
    for (const acc of this.accs.values()) {
      const unknown: UnknownPosition[] = [];
      for (const e of acc.unknown) unknown.push({ key: e.key, symbol: e.slot.symbol, reason: e.reason ?? 'no_quote' });
      for (const u of staleList.get(acc) ?? []) unknown.push(u);
      const known = (acc.known - (staleKnown.get(acc) ?? 0n)) as Money;
      const unrealized = unknown.length === 0 ? known : null;
      currencies.push({
        currency: acc.currency,
        realized: acc.realizedNet as Money,
        realized_gross: acc.realizedGross as Money,
        fees: acc.fees as Money,
        unrealized,
        unrealized_known: known,
        unknown_count: unknown.length,
        unknown,
        total: unrealized === null ? null : ((acc.realizedNet + unrealized) as Money),
        open_positions: acc.open,
      });
    }
    return { as_of: asOf, currencies };
  }

  // ---------- internals ----------

  private isStale(slot: Slot, now: number): boolean {
    return now - slot.receivedAt > slot.list.staleAfterMs;
  }

  private evaluate(e: Entry, prices: QuotePrices): void {
    const m = markOf(prices, this.policy, e.snap.side);
    const slot = e.slot;
    const acc = e.totals;
    if (e.value !== null) {
      acc.known -= e.value;
      slot.knownSum -= e.value;
      slot.knownCount--;
    }
    if (m.ok) {
      const v = m.markX2 * e.units5 - e.signedOpenCost;
      if (e.value === null) acc.unknown.delete(e);
      acc.known += v;
      slot.knownSum += v;
      slot.knownCount++;
      e.value = v;
      e.reason = null;
      e.markX2 = m.markX2;
      e.source = m.source;
    } else {
      if (e.value !== null) acc.unknown.add(e);
      e.value = null;
      e.reason = m.reason;
      e.markX2 = null;
      e.source = null;
    }
  }

  private relink(slot: Slot): void {
    slot.list.unlink(slot);
    if (slot.knownCount > 0) slot.list.insert(slot);
  }

  private detach(e: Entry): void {
    const slot = e.slot;
    const acc = e.totals;
    if (e.value !== null) {
      acc.known -= e.value;
      slot.knownSum -= e.value;
      slot.knownCount--;
    } else {
      acc.unknown.delete(e);
    }
    acc.open--;
    const i = slot.entries.indexOf(e);
    if (i >= 0) slot.entries.splice(i, 1);
    this.entries.delete(e.key);
    // The slot (and its last quote) stays: a position replaced after a fill, or re-added, is
    // valued at once. Slots are bounded by the symbols the book has ever held.
    this.relink(slot);
  }

  private slot(symbol: string): Slot {
    let s = this.slots.get(symbol);
    if (s) return s;
    const ms = this.staleOf(symbol);
    let list = this.lists.get(ms);
    if (!list) this.lists.set(ms, (list = new OrderedList(ms)));
    s = {
      symbol,
      currency: this.currencyOf(symbol),
      entries: [],
      quote: null,
      prices: null,
      receivedAt: 0,
      list,
      prev: null,
      next: null,
      linked: false,
      knownSum: 0n,
      knownCount: 0,
    };
    const q = this.quoteOf(symbol);
    if (q) {
      s.quote = q;
      s.receivedAt = q.receivedAt;
    }
    this.slots.set(symbol, s);
    return s;
  }

  private acc(currency: string): Acc {
    let a = this.accs.get(currency);
    if (!a) this.accs.set(currency, (a = { currency, realizedNet: 0n, realizedGross: 0n, fees: 0n, known: 0n, unknown: new Set(), open: 0 }));
    return a;
  }
}

/** Unrealized P&L of a snapshot at an explicit mark (twice the price), exact. */
export function unrealizedAt(snap: PositionSnapshot, markX2: bigint): Money {
  return (markX2 * (snap.signed_units as Units as bigint) * 5n - (snap.signed_open_cost as bigint)) as Money;
}
