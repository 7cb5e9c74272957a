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
 * symbols with a known contribution are kept in receive order (an append-only log, since receive
 * times only grow), the stale ones are a prefix of it, and `as_of` — the receive time of the
 * oldest quote still contributing — is the first fresh one. Mark rules are those of mark.ts
 * (markOf), inlined here for the hot path; a property test checks the two agree.
 */
import type { Quote } from '../market/quote';
import { tryPrice, type Money, type Price, type Units } from '../model/money';
import type { PositionSide, PositionSnapshot } from './fifo';
import type { MarkPolicy, MarkSource, QuotePrices, UnknownReason } from './mark';

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
  /** The only entry when there is exactly one (the common case): saves a memory hop per quote. */
  only: Entry | null;
  quote: Quote | null;
  /** Exact prices of the last quote (null = missing/unusable); converted only as the policy needs. */
  bid: Price | null;
  ask: Price | null;
  last: Price | null;
  bad: boolean;
  /** The venue numbers behind bid/ask (to skip converting an unchanged side). */
  bidNum: number | null | undefined;
  askNum: number | null | undefined;
  receivedAt: number;
  staleAfterMs: number;
  /** Entries on this slot whose value is known. */
  knownCount: number;
  /** Position of this slot's current record in the receive log (-1 when it has none). */
  logIndex: number;
}

interface Entry {
  key: string;
  snap: PositionSnapshot;
  side: PositionSide;
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

/**
 * Receive-order log: every quote that leaves a symbol with a known value appends (slot, time);
 * a record is current while its slot still points at it. Reading walks from the head: superseded
 * records are skipped (and dropped when at the head), current ones older than their threshold are
 * stale, and the first current fresh one gives as_of. Appends touch sequential memory only, so
 * the per-quote cost does not depend on how many symbols the book holds; the log is compacted
 * when more than half of it is superseded (amortized O(1)).
 */
class ReceiveLog {
  slots: (Slot | null)[] = [];
  times: number[] = [];
  head = 0;
  live = 0;
  /** False after a receive time went backwards (a clock step): reads then scan the whole log. */
  ordered = true;

  append(s: Slot, t: number): void {
    this.drop(s);
    const n = this.times.length;
    if (n > this.head && t < this.times[n - 1]!) this.ordered = false;
    s.logIndex = this.slots.length;
    this.slots.push(s);
    this.times.push(t);
    this.live++;
    if (this.slots.length > 1024 && this.live * 2 < this.slots.length - this.head) this.compact();
  }

  drop(s: Slot): void {
    if (s.logIndex >= 0) {
      this.slots[s.logIndex] = null;
      s.logIndex = -1;
      this.live--;
    }
  }

  private compact(): void {
    const slots: (Slot | null)[] = [];
    const times: number[] = [];
    for (let i = this.head; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) continue;
      s.logIndex = slots.length;
      slots.push(s);
      times.push(this.times[i]!);
    }
    if (!this.ordered) {
      const order = slots.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
      const sortedSlots = order.map((i) => slots[i]!);
      const sortedTimes = order.map((i) => times[i]!);
      sortedSlots.forEach((s, i) => (s.logIndex = i));
      this.slots = sortedSlots;
      this.times = sortedTimes;
      this.ordered = true;
    } else {
      this.slots = slots;
      this.times = times;
    }
    this.head = 0;
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
  private readonly log = new ReceiveLog();
  private readonly needBidAsk: boolean;
  private readonly needLast: boolean;

  constructor(opts: BookOptions = {}) {
    this.policy = opts.markPolicy ?? 'mid';
    const stale = opts.staleAfterMs ?? 5000;
    this.staleOf = typeof stale === 'number' ? () => stale : stale;
    this.currencyOf = opts.currencyOf ?? (() => 'USD');
    this.quoteOf = opts.quoteOf ?? (() => undefined);
    this.needBidAsk = this.policy !== 'last';
    this.needLast = this.policy === 'last';
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
      side: snap.side,
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
    slot.only = slot.entries.length === 1 ? e : null;
    this.entries.set(e.key, e);
    if (slot.quote) {
      this.evaluate(e);
      this.relog(slot);
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
    slot.quote = q;
    slot.receivedAt = q.receivedAt;
    this.convert(slot, q);
    const only = slot.only;
    if (only) this.evaluate(only);
    else {
      const entries = slot.entries;
      if (entries.length === 0) return false;
      for (let i = 0; i < entries.length; i++) this.evaluate(entries[i]!);
    }
    this.relog(slot);
    return true;
  }

  /** The current value of one open position, with staleness applied at `now`. */
  value(key: string, now: number): PositionValue | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const stale = e.value !== null && now - e.slot.receivedAt > e.slot.staleAfterMs;
    const s = e.slot;
    return {
      key: e.key,
      symbol: s.symbol,
      side: e.side,
      unrealized: stale ? null : (e.value as Money | null),
      reason: stale ? 'stale_quote' : e.reason,
      markX2: e.markX2,
      markSource: e.source,
      quote: s.quote,
      prices: s.quote ? { bid: s.bid, ask: s.ask, last: s.last, bad: s.bad } : null,
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
    const log = this.log;
    // Drop superseded records at the head for good.
    while (log.head < log.slots.length && log.slots[log.head] === null) log.head++;
    for (let i = log.head; i < log.slots.length; i++) {
      const s = log.slots[i];
      if (!s) continue;
      const t = log.times[i]!;
      if (now - t <= s.staleAfterMs) {
        // Fresh. With one threshold everything after is fresh too; with several, keep looking
        // only for stale symbols of a shorter threshold.
        if (asOf === null || t < asOf) asOf = t;
        if (this.uniformStale && log.ordered) break;
        continue;
      }
      for (const e of s.entries) {
        if (e.value === null) continue;
        staleKnown.set(e.totals, (staleKnown.get(e.totals) ?? 0n) + e.value);
        let l = staleList.get(e.totals);
        if (!l) staleList.set(e.totals, (l = []));
        l.push({ key: e.key, symbol: s.symbol, reason: 'stale_quote' });
      }
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

  private staleThresholds = new Set<number>();

  private get uniformStale(): boolean {
    return this.staleThresholds.size <= 1;
  }

  private convert(slot: Slot, q: Quote): void {
    let bad = false;
    if (this.needBidAsk) {
      const b = q.bid;
      const a = q.ask;
      // Most updates move one side (or only sizes): reuse the exact price of an unchanged side.
      if (b !== slot.bidNum) {
        slot.bidNum = b;
        slot.bid = b === null || b === 0 ? null : tryPrice(b);
      }
      if (a !== slot.askNum) {
        slot.askNum = a;
        slot.ask = a === null || a === 0 ? null : tryPrice(a);
      }
      if ((b !== null && b !== 0 && (slot.bid === null || slot.bid < 0n)) || (a !== null && a !== 0 && (slot.ask === null || slot.ask < 0n))) {
        bad = true;
        if (slot.bid !== null && slot.bid < 0n) slot.bid = null;
        if (slot.ask !== null && slot.ask < 0n) slot.ask = null;
      }
    }
    if (this.needLast) {
      const l = q.last;
      slot.last = l === null || l === 0 ? null : tryPrice(l);
      if (l !== null && l !== 0 && (slot.last === null || slot.last < 0n)) {
        bad = true;
        slot.last = null;
      }
    }
    slot.bad = bad;
  }

  private evaluate(e: Entry): void {
    const slot = e.slot;
    const acc = e.totals;
    let markX2: bigint | null = null;
    let source: MarkSource | null = null;
    let reason: UnknownReason | null = null;
    const policy = this.policy;
    if (policy === 'last') {
      if (slot.last !== null) {
        markX2 = slot.last * 2n;
        source = 'last';
      } else reason = slot.bad ? 'bad_price' : 'no_last';
    } else {
      const bid = slot.bid;
      const ask = slot.ask;
      if (bid !== null && ask !== null && ask < bid) reason = 'crossed_quote';
      else if (policy === 'mid') {
        if (bid !== null && ask !== null) {
          markX2 = bid + ask;
          source = 'mid';
        } else reason = slot.bad ? 'bad_price' : 'one_sided';
      } else {
        const px = e.side === 'LONG' ? bid : ask;
        if (px !== null) {
          markX2 = px * 2n;
          source = e.side === 'LONG' ? 'bid' : 'ask';
        } else reason = slot.bad ? 'bad_price' : 'one_sided';
      }
    }
    const old = e.value;
    if (markX2 !== null) {
      const v = markX2 * e.units5 - e.signedOpenCost;
      if (old === null) {
        acc.unknown.delete(e);
        acc.known += v;
        slot.knownCount++;
      } else {
        acc.known += v - old;
      }
      e.value = v;
      e.reason = null;
    } else {
      if (old !== null) {
        acc.known -= old;
        acc.unknown.add(e);
        slot.knownCount--;
      }
      e.value = null;
      e.reason = reason;
    }
    e.markX2 = markX2;
    e.source = source;
  }

  private relog(slot: Slot): void {
    if (slot.knownCount > 0) this.log.append(slot, slot.receivedAt);
    else this.log.drop(slot);
  }

  private detach(e: Entry): void {
    const slot = e.slot;
    const acc = e.totals;
    if (e.value !== null) {
      acc.known -= e.value;
      slot.knownCount--;
    } else {
      acc.unknown.delete(e);
    }
    acc.open--;
    const i = slot.entries.indexOf(e);
    if (i >= 0) slot.entries.splice(i, 1);
    slot.only = slot.entries.length === 1 ? slot.entries[0]! : null;
    this.entries.delete(e.key);
    // The slot (and its last quote) stays: a position replaced after a fill, or re-added, is
    // valued at once. Slots are bounded by the symbols the book has ever held.
    if (slot.knownCount === 0) this.log.drop(slot);
  }

  private slot(symbol: string): Slot {
    let s = this.slots.get(symbol);
    if (s) return s;
    const staleAfterMs = this.staleOf(symbol);
    this.staleThresholds.add(staleAfterMs);
    s = {
      symbol,
      currency: this.currencyOf(symbol),
      entries: [],
      only: null,
      quote: null,
      bid: null,
      ask: null,
      last: null,
      bad: false,
      bidNum: undefined,
      askNum: undefined,
      receivedAt: 0,
      staleAfterMs,
      knownCount: 0,
      logIndex: -1,
    };
    const q = this.quoteOf(symbol);
    if (q) {
      s.quote = q;
      s.receivedAt = q.receivedAt;
      this.convert(s, q);
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
