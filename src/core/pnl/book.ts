/**
 * The portfolio book: open positions grouped by instrument (`InstrumentId`, venue + venue symbol:
 * the same symbol at two venues is two rows, each valued from its own venue's quote), valued
 * incrementally. A quote touches only its instrument's row and adjusts exact running totals, so the
 * cost of a quote does not grow with the size of the portfolio — nor with the number of positions
 * on the quoted instrument.
 *
 * Layout (data-oriented, for the quote path): every instrument the book holds is a row indexed by
 * its SymbolTable id (the quote cache stamps that id on each quote as `sid`, so the book does no
 * string lookup per quote). A row's state lives in flat typed arrays — flags, counts and reasons in
 * an Int32Array, receive time and staleness threshold in a Float64Array, the current mark(s) in a
 * BigInt64Array — so a quote reads one or two cache lines per array instead of chasing a handful
 * of heap objects per position. Positions on a row are aggregated per mark group (all positions
 * for `mid` and `last`; longs and shorts separately for `conservative`, which marks longs at the
 * bid and shorts at the ask): a group contributes mark × Σunits − Σcost, exactly, and a new mark
 * moves the total by (new − old) × Σunits.
 *
 * Unknown is not zero: a position without a usable mark is counted as unknown with its reason, and
 * the total unrealized P&L is `null` while any open position is unknown — alongside the known
 * partial sum and the list of unknown positions, so a UI can say "unknown (3 legs without a fresh
 * quote)".
 *
 * Staleness depends on the reader's `now`, not on quotes, so it is applied when totals are read:
 * rows with a known contribution are kept in receive order (an append-only log, since receive
 * times only grow), the stale ones are a prefix of it, and `as_of` — the receive time of the
 * oldest quote still contributing — is the first fresh one. Mark rules are those of mark.ts
 * (markOf, markTimeOf), inlined here for the hot path; a property test checks the two agree.
 */
import type { Quote } from '../market/quote';
import { SymbolTable } from '../market/symbol-table';
import type { InstrumentId } from '../model/ids';
import { tryPrice, type Money, type Price, type Units } from '../model/money';
import type { PositionSide, PositionSnapshot } from './fifo';
import { MAX_PLAUSIBLE_PRICE_SCALED, quotePrices, type MarkPolicy, type MarkSource, type QuotePrices, type UnknownReason } from '../market/mark';

export interface BookOptions {
  markPolicy?: MarkPolicy;
  /** A quote older than this (ms, by receive time) is stale. Default 5000; may differ per venue/instrument. */
  staleAfterMs?: number | ((instrument: InstrumentId) => number);
  /** Currency of an instrument (totals are kept per currency). Default USD. */
  currencyOf?: (instrument: InstrumentId) => string;
  /**
   * The latest quote of an instrument the book starts holding (normally QuoteCache.get), so a new
   * position is valued at once instead of waiting for the next tick.
   */
  quoteOf?: (instrument: InstrumentId) => Quote | undefined;
  /**
   * The SymbolTable of the quote cache feeding this book. When given, the book trusts `Quote.sid`
   * (the cache's id) and indexes its rows by it; without it the book interns instruments itself and
   * looks each quote's `instrument` up by string.
   */
  symbols?: SymbolTable<InstrumentId>;
}

export interface UnknownPosition {
  key: string;
  instrument: InstrumentId;
  /** The venue symbol (for display). */
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
  /** Open positions in expired contracts: counted in open_positions, left out of unrealized (no market values them). */
  expired_excluded: number;
}

export interface BookTotals {
  /** Receive time of the oldest quote behind the known unrealized figures (null if none). */
  as_of: number | null;
  currencies: CurrencyTotals[];
}

export interface PositionValue {
  key: string;
  instrument: InstrumentId;
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

interface Entry {
  key: string;
  snap: PositionSnapshot;
  side: PositionSide;
  row: number;
  /** Mark group within the row: 0, or 1 for shorts under the conservative policy. */
  group: number;
  acc: Acc;
  /** signed_units × 5: money = markX2 × units5 (see money.ts). */
  units5: bigint;
  signedOpenCost: bigint;
}

interface Acc {
  currency: string;
  realizedNet: bigint;
  realizedGross: bigint;
  fees: bigint;
  /**
   * Σ over known groups of markX2 × Σunits5 − Σcost, kept in buckets by power of ten: the known
   * unrealized money is Σ kx[e] × 10^e. A quote adds (new − old mark) × u into bucket e of its
   * group's reduced units (Σunits5 = u × 10^e), which lives in the row's cache line.
   */
  kx: bigint[];
  /** Bit e set when bucket e may be non-zero (bucket 0 always may): reads sum only those. */
  expMask: number;
  /** Groups (row × 2 + group) with open positions and no usable mark, in the order they became so. */
  unknownGroups: Set<number>;
  /** Open positions in expired contracts (setPosition with `expired`): not valued, not unknown. */
  expired: number;
  /** Open positions in those groups. */
  unknownCount: number;
  open: number;
}

// Row layout: 64 bytes per row (one cache line) in one ArrayBuffer, seen through four views.
//   Float64  [k*8]         receive time of the inputs of the row's mark (book, or last trade)
//   BigInt64 [k*8 + 1 + g] mark of group g (twice the price)
//   BigInt64 [k*8 + 3 + g] reduced Σunits5 of group g: u with Σunits5 = u × 10^exp
//   Int32    [k*16 + 10 …] flags, receive-log index, open positions in group 0, in group 1,
//                          currency accumulator index
//   Uint8    [k*64 + 60 + g] unknown reason of group g; [k*64 + 62 + g] exp of group g
//            (NO_EXP when Σunits5 does not reduce into 64 bits: the bigint `units` is used)
const ROW_BYTES = 64;
const F_STRIDE = 8;
const W_STRIDE = 8;
const W_MARK = 1;
const W_UNITS = 3;
const I_STRIDE = 16;
const I_FLAGS = 10;
const I_LOG = 11;
const I_COUNT = 12;
const I_ACC = 14;
const B_STRIDE = 64;
const B_REASON = 60;
const B_EXP = 62;
const NO_EXP = 255;
const MAX_EXP = 30;
const F_ACTIVE = 1; // the row was set up (currency, threshold, initial quote)
const F_KNOWN = 2; // << group: the group has a usable mark

const P10: readonly bigint[] = Array.from({ length: MAX_EXP + 1 }, (_, e) => 10n ** BigInt(e));
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

const REASONS: readonly UnknownReason[] = ['no_quote', 'stale_quote', 'one_sided', 'crossed_quote', 'no_last', 'bad_price'];
const R_NO_QUOTE = 0;
const R_ONE_SIDED = 2;
const R_CROSSED = 3;
const R_NO_LAST = 4;
const R_BAD = 5;

/**
 * Marks are kept in 64 bits; a price above the plausible maximum (market/quote.ts, $10 million per
 * unit, well inside 64 bits) is bad — the very rule of quotePrices, so a row and the totals agree.
 */
const MAX_PRICE = MAX_PLAUSIBLE_PRICE_SCALED;
const POLICY_MID = 0;
const POLICY_LAST = 1;
const POLICY_CONSERVATIVE = 2;

export class PortfolioBook {
  private readonly policy: MarkPolicy;
  private readonly policyCode: number;
  private readonly staleOf: (instrument: InstrumentId) => number;
  private readonly currencyOf: (instrument: InstrumentId) => string;
  private readonly quoteOf: (instrument: InstrumentId) => Quote | undefined;
  private readonly table: SymbolTable<InstrumentId>;
  /** True when rows are indexed by the feeding cache's ids (Quote.sid can be trusted). */
  private readonly trustSid: boolean;

  // ---- rows (capacity grows by doubling; index = instrument id) ----
  private cap = 0;
  private f64 = new Float64Array(0);
  private wide = new BigInt64Array(0);
  private ints = new Int32Array(0);
  private bytes = new Uint8Array(0);
  /** Staleness threshold per row (read with totals, not per quote: kept out of the row). */
  private staleMs = new Float64Array(0);
  /** Σ units5 and Σ signed open cost per group (row × 2 + group), exact. */
  private units: bigint[] = [];
  private costs: bigint[] = [];
  private quotes: (Quote | null)[] = [];
  private rowEntries: (Entry[] | null)[] = [];

  private readonly entries = new Map<string, Entry>();
  private readonly expiredKeys = new Map<string, Acc>();
  private readonly realized = new Map<string, { acc: Acc; net: bigint; gross: bigint; fees: bigint }>();
  private readonly accs: Acc[] = [];
  private readonly accIndex = new Map<string, number>();
  private readonly staleThresholds = new Set<number>();

  // ---- receive log: rows with a known contribution, in receive order ----
  private logRows: number[] = [];
  private logTimes: number[] = [];
  private logHead = 0;
  private logLive = 0;
  /** False after a receive time went backwards (a clock step): reads then scan the whole log. */
  private logOrdered = true;

  constructor(opts: BookOptions = {}) {
    this.policy = opts.markPolicy ?? 'mid';
    this.policyCode = this.policy === 'last' ? POLICY_LAST : this.policy === 'conservative' ? POLICY_CONSERVATIVE : POLICY_MID;
    const stale = opts.staleAfterMs ?? 5000;
    this.staleOf = typeof stale === 'number' ? () => stale : stale;
    this.currencyOf = opts.currencyOf ?? (() => 'USD');
    this.quoteOf = opts.quoteOf ?? (() => undefined);
    this.trustSid = opts.symbols !== undefined;
    this.table = opts.symbols ?? new SymbolTable<InstrumentId>();
  }

  get markPolicy(): MarkPolicy {
    return this.policy;
  }

  /** Number of open positions in the book. */
  get size(): number {
    return this.entries.size;
  }

  /** Instruments the book needs quotes for (those with an open position). */
  instruments(): InstrumentId[] {
    const out: InstrumentId[] = [];
    const ints = this.ints;
    for (let k = 0; k < this.cap; k++) {
      const o = k * I_STRIDE;
      if (ints[o + I_COUNT]! + ints[o + I_COUNT + 1]! > 0) out.push(this.table.symbolOf(k));
    }
    return out;
  }

  /**
   * Adds or replaces a position in `instrument` (after a fill, or from portfolio.json: the snapshot's
   * `symbol` is the venue symbol of that instrument). A closed one keeps only its realized P&L. An
   * open one in an `expired` contract has no market: it keeps its realized P&L and is counted
   * (open_positions, expired_excluded) but left out of unrealized — never unknown forever.
   */
  setPosition(instrument: InstrumentId, snap: PositionSnapshot, expired = false): void {
    const acc = this.acc(this.currencyOf(instrument));
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
    this.unexpire(snap.key);
    if (snap.quantity_remaining <= 0n) return;
    if (expired) {
      acc.expired++;
      acc.open++;
      this.expiredKeys.set(snap.key, acc);
      return;
    }
    const k = this.row(instrument);
    const e: Entry = {
      key: snap.key,
      snap,
      side: snap.side,
      row: k,
      group: this.policyCode === POLICY_CONSERVATIVE && snap.side === 'SHORT' ? 1 : 0,
      acc: this.accs[this.ints[k * I_STRIDE + I_ACC]!]!,
      units5: (snap.signed_units as bigint) * 5n,
      signedOpenCost: snap.signed_open_cost,
    };
    this.attach(e);
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
    this.unexpire(key);
  }

  private unexpire(key: string): void {
    const acc = this.expiredKeys.get(key);
    if (!acc) return;
    acc.expired--;
    acc.open--;
    this.expiredKeys.delete(key);
  }

  /** Revalues the positions holding the quote's instrument. Returns false when the book holds none. */
  onQuote(q: Quote): boolean {
    let k = this.trustSid ? q.sid : undefined;
    if (k === undefined) {
      k = this.table.idOf(q.instrument);
      if (k === undefined) return false;
    }
    if (k >= this.cap) return false;
    const o = k * I_STRIDE;
    if ((this.ints[o + I_FLAGS]! & F_ACTIVE) === 0) return false;
    this.quotes[k] = q;
    // markTime(q), inlined on the hot path
    const t = this.policyCode === POLICY_LAST ? q.lastReceivedAt : q.bookReceivedAt;
    this.f64[k * F_STRIDE] = t === undefined ? q.receivedAt : t === null ? -Infinity : t;
    this.apply(k, q);
    this.relog(k, true);
    return this.ints[o + I_COUNT]! + this.ints[o + I_COUNT + 1]! > 0;
  }

  /** The current value of one open position, with staleness applied at `now`. */
  value(key: string, now: number): PositionValue | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const k = e.row;
    const o = k * I_STRIDE;
    const known = (this.ints[o + I_FLAGS]! & (F_KNOWN << e.group)) !== 0;
    const markX2 = known ? this.wide[k * W_STRIDE + W_MARK + e.group]! : null;
    const stale = known && now - this.f64[k * F_STRIDE]! > this.staleMs[k]!;
    const quote = this.quotes[k] ?? null;
    return {
      key: e.key,
      instrument: this.table.symbolOf(k),
      symbol: e.snap.symbol,
      side: e.side,
      unrealized: markX2 === null || stale ? null : ((markX2 * e.units5 - e.signedOpenCost) as Money),
      reason: stale ? 'stale_quote' : known ? null : REASONS[this.bytes[k * B_STRIDE + B_REASON + e.group]!]!,
      markX2,
      markSource: known ? this.sourceOf(e.group) : null,
      quote,
      prices: quote ? quotePrices(quote) : null,
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
    const ints = this.ints;
    const uniform = this.staleThresholds.size <= 1;
    // Drop superseded records at the head for good.
    while (this.logHead < this.logRows.length && this.logRows[this.logHead] === -1) this.logHead++;
    for (let i = this.logHead; i < this.logRows.length; i++) {
      const k = this.logRows[i]!;
      if (k < 0) continue;
      const t = this.logTimes[i]!;
      if (now - t <= this.staleMs[k]!) {
        // Fresh. With one threshold everything after is fresh too; with several, keep looking
        // only for stale symbols of a shorter threshold.
        if (asOf === null || t < asOf) asOf = t;
        if (uniform && this.logOrdered) break;
        continue;
      }
      const o = k * I_STRIDE;
      const acc = this.accs[ints[o + I_ACC]!]!;
      for (let g = 0; g < 2; g++) {
        if ((ints[o + I_FLAGS]! & (F_KNOWN << g)) === 0 || ints[o + I_COUNT + g] === 0) continue;
        const gi = k * 2 + g;
        staleKnown.set(acc, (staleKnown.get(acc) ?? 0n) + this.wide[k * W_STRIDE + W_MARK + g]! * this.units[gi]! - this.costs[gi]!);
        let l = staleList.get(acc);
        if (!l) staleList.set(acc, (l = []));
        for (const e of this.rowEntries[k]!) if (e.group === g) l.push({ key: e.key, instrument: this.table.symbolOf(k), symbol: e.snap.symbol, reason: 'stale_quote' });
      }
    }
    const currencies: CurrencyTotals[] = [];
    for (const acc of this.accs) {
      const unknown: UnknownPosition[] = [];
      for (const gi of acc.unknownGroups) {
        const k = gi >> 1;
        const g = gi & 1;
        const reason = REASONS[this.bytes[k * B_STRIDE + B_REASON + g]!]!;
        const instrument = this.table.symbolOf(k);
        for (const e of this.rowEntries[k]!) if (e.group === g) unknown.push({ key: e.key, instrument, symbol: e.snap.symbol, reason });
      }
      for (const u of staleList.get(acc) ?? []) unknown.push(u);
      const known = (knownOf(acc) - (staleKnown.get(acc) ?? 0n)) as Money;
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
        expired_excluded: acc.expired,
      });
    }
    return { as_of: asOf, currencies };
  }

  // ---------- internals ----------

  /**
   * When the inputs of the row's mark were received (markTimeOf in market/mark.ts, inlined): the
   * last trade's time under `last`, the book's otherwise — a trade print never refreshes a book's
   * age, nor a book a trade's. Never received: −∞, so a mark cannot be fresh without its inputs.
   */
  private markTime(q: Quote): number {
    const t = this.policyCode === POLICY_LAST ? q.lastReceivedAt : q.bookReceivedAt;
    return t === undefined ? q.receivedAt : t === null ? -Infinity : t;
  }

  private sourceOf(group: number): MarkSource {
    if (this.policyCode === POLICY_MID) return 'mid';
    if (this.policyCode === POLICY_LAST) return 'last';
    return group === 0 ? 'bid' : 'ask';
  }

  /** New marks (or reasons) for row k from quote q; adjusts the exact totals of its groups. */
  private apply(k: number, q: Quote): void {
    if (this.policyCode === POLICY_LAST) {
      const l = q.last;
      if (l === null || l === 0) this.setGroup(k, 0, null, R_NO_LAST);
      else {
        const p = tryPrice(l);
        if (p === null || p < 0n || p > MAX_PRICE) this.setGroup(k, 0, null, R_BAD);
        else this.setGroup(k, 0, p * 2n, 0);
      }
      return;
    }
    const b = q.bid;
    const a = q.ask;
    let bid: Price | null = null;
    let ask: Price | null = null;
    let bad = false;
    if (b !== null && b !== 0) {
      bid = tryPrice(b);
      if (bid === null || bid < 0n || bid > MAX_PRICE) {
        bid = null;
        bad = true;
      }
    }
    if (a !== null && a !== 0) {
      ask = tryPrice(a);
      if (ask === null || ask < 0n || ask > MAX_PRICE) {
        ask = null;
        bad = true;
      }
    }
    const missing = bad ? R_BAD : R_ONE_SIDED;
    if (bid !== null && ask !== null && ask < bid) {
      this.setGroup(k, 0, null, R_CROSSED);
      if (this.policyCode === POLICY_CONSERVATIVE) this.setGroup(k, 1, null, R_CROSSED);
    } else if (this.policyCode === POLICY_MID) {
      const m = bid !== null && ask !== null ? bid + ask : null;
      if (m === null) this.setGroup(k, 0, null, missing);
      else this.setGroup(k, 0, m, 0);
    } else {
      this.setSide(k, 0, bid, missing);
      this.setSide(k, 1, ask, missing);
    }
  }

  private setSide(k: number, g: number, px: Price | null, missing: number): void {
    if (px === null) this.setGroup(k, g, null, missing);
    else this.setGroup(k, g, px * 2n, 0);
  }

  /** Sets group g of row k to mark m (twice the price) or to unknown with a reason. */
  private setGroup(k: number, g: number, m: bigint | null, reason: number): void {
    const ints = this.ints;
    const o = k * I_STRIDE;
    const flags = ints[o + I_FLAGS]!;
    const bit = F_KNOWN << g;
    const n = ints[o + I_COUNT + g]!;
    const mi = k * W_STRIDE + W_MARK + g;
    if (m !== null) {
      if ((flags & bit) !== 0) {
        if (n > 0) {
          // The hot path: everything it reads is in row k's cache line.
          const acc = this.accs[ints[o + I_ACC]!]!;
          const exp = this.bytes[k * B_STRIDE + B_EXP + g]!;
          if (exp !== NO_EXP) acc.kx[exp] = acc.kx[exp]! + (m - this.wide[mi]!) * this.wide[k * W_STRIDE + W_UNITS + g]!;
          else acc.kx[0] = acc.kx[0]! + (m - this.wide[mi]!) * this.units[k * 2 + g]!;
        }
      } else {
        ints[o + I_FLAGS] = flags | bit;
        if (n > 0) {
          const acc = this.accs[ints[o + I_ACC]!]!;
          acc.kx[0] = acc.kx[0]! + m * this.units[k * 2 + g]! - this.costs[k * 2 + g]!;
          acc.unknownGroups.delete(k * 2 + g);
          acc.unknownCount -= n;
        }
      }
      this.wide[mi] = m;
    } else {
      if ((flags & bit) !== 0) {
        ints[o + I_FLAGS] = flags & ~bit;
        if (n > 0) {
          const acc = this.accs[ints[o + I_ACC]!]!;
          acc.kx[0] = acc.kx[0]! - (this.wide[mi]! * this.units[k * 2 + g]! - this.costs[k * 2 + g]!);
          acc.unknownGroups.add(k * 2 + g);
          acc.unknownCount += n;
        }
      }
      this.bytes[k * B_STRIDE + B_REASON + g] = reason;
    }
  }

  /** Adds (sign 1) or removes (sign −1) a position's units and cost to its group. */
  private addToGroup(e: Entry, sign: 1 | -1): void {
    const k = e.row;
    const g = e.group;
    const gi = k * 2 + g;
    const o = k * I_STRIDE;
    const acc = e.acc;
    const before = this.ints[o + I_COUNT + g]!;
    const n = before + sign;
    this.ints[o + I_COUNT + g] = n;
    const units = sign === 1 ? this.units[gi]! + e.units5 : this.units[gi]! - e.units5;
    this.units[gi] = units;
    this.costs[gi] = sign === 1 ? this.costs[gi]! + e.signedOpenCost : this.costs[gi]! - e.signedOpenCost;
    this.reduceUnits(k, g, units);
    const exp = this.bytes[k * B_STRIDE + B_EXP + g]!;
    if (exp !== NO_EXP) acc.expMask |= 1 << exp;
    if ((this.ints[o + I_FLAGS]! & (F_KNOWN << g)) !== 0) {
      const v = this.wide[k * W_STRIDE + W_MARK + g]! * e.units5 - e.signedOpenCost;
      acc.kx[0] = sign === 1 ? acc.kx[0]! + v : acc.kx[0]! - v;
    } else {
      if (before === 0) acc.unknownGroups.add(gi);
      if (n === 0) acc.unknownGroups.delete(gi);
      acc.unknownCount += sign;
    }
    acc.open += sign;
  }

  /** Stores Σunits5 of a group as u × 10^exp with u in 64 bits (largest exp that divides), or NO_EXP. */
  private reduceUnits(k: number, g: number, units: bigint): void {
    let exp = MAX_EXP;
    while (exp > 0 && units % P10[exp]! !== 0n) exp--;
    const u = units / P10[exp]!;
    const fits = u >= INT64_MIN && u <= INT64_MAX;
    this.bytes[k * B_STRIDE + B_EXP + g] = fits ? exp : NO_EXP;
    this.wide[k * W_STRIDE + W_UNITS + g] = fits ? u : 0n;
  }

  private attach(e: Entry): void {
    this.addToGroup(e, 1);
    (this.rowEntries[e.row] ??= []).push(e);
    this.entries.set(e.key, e);
    this.relog(e.row);
  }

  private detach(e: Entry): void {
    this.addToGroup(e, -1);
    const list = this.rowEntries[e.row]!;
    list.splice(list.indexOf(e), 1);
    this.entries.delete(e.key);
    // The row (and its last quote) stays: a position replaced after a fill, or re-added, is
    // valued at once. Rows are bounded by the instruments the book has ever held.
    this.relog(e.row);
  }

  /**
   * Keeps row k in the receive log exactly while it has a known contribution; `requeue` (a new
   * quote) moves its record to the tail with the new receive time.
   */
  private relog(k: number, requeue = false): void {
    const ints = this.ints;
    const o = k * I_STRIDE;
    const flags = ints[o + I_FLAGS]!;
    const known = ((flags & F_KNOWN) !== 0 && ints[o + I_COUNT]! > 0) || ((flags & (F_KNOWN << 1)) !== 0 && ints[o + I_COUNT + 1]! > 0);
    const at = ints[o + I_LOG]!;
    if (at >= 0) {
      if (known && !requeue) return;
      this.logRows[at] = -1;
      ints[o + I_LOG] = -1;
      this.logLive--;
    }
    if (!known) return;
    const t = this.f64[k * F_STRIDE]!;
    const len = this.logTimes.length;
    if (len > this.logHead && t < this.logTimes[len - 1]!) this.logOrdered = false;
    ints[o + I_LOG] = len;
    this.logRows.push(k);
    this.logTimes.push(t);
    this.logLive++;
    if (len >= 1024 && this.logLive * 2 < len + 1 - this.logHead) this.compactLog();
  }

  private compactLog(): void {
    let rows: number[] = [];
    let times: number[] = [];
    for (let i = this.logHead; i < this.logRows.length; i++) {
      const k = this.logRows[i]!;
      if (k < 0) continue;
      rows.push(k);
      times.push(this.logTimes[i]!);
    }
    if (!this.logOrdered) {
      const order = rows.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
      rows = order.map((i) => rows[i]!);
      times = order.map((i) => times[i]!);
      this.logOrdered = true;
    }
    rows.forEach((k, i) => (this.ints[k * I_STRIDE + I_LOG] = i));
    this.logRows = rows;
    this.logTimes = times;
    this.logHead = 0;
  }

  /** The row of `instrument`, set up on first use (currency, staleness threshold, latest quote). */
  private row(instrument: InstrumentId): number {
    const k = this.table.intern(instrument);
    if (k >= this.cap) this.grow(k + 1);
    const o = k * I_STRIDE;
    if ((this.ints[o + I_FLAGS]! & F_ACTIVE) !== 0) return k;
    const staleAfterMs = this.staleOf(instrument);
    this.staleThresholds.add(staleAfterMs);
    this.ints[o + I_FLAGS] = F_ACTIVE;
    this.ints[o + I_LOG] = -1;
    this.bytes[k * B_STRIDE + B_REASON] = R_NO_QUOTE;
    this.bytes[k * B_STRIDE + B_REASON + 1] = R_NO_QUOTE;
    this.reduceUnits(k, 0, 0n);
    this.reduceUnits(k, 1, 0n);
    this.ints[o + I_ACC] = this.accIndexOf(this.currencyOf(instrument));
    this.staleMs[k] = staleAfterMs;
    const q = this.quoteOf(instrument);
    if (q) {
      this.quotes[k] = q;
      this.f64[k * F_STRIDE] = this.markTime(q);
      this.apply(k, q);
    }
    return k;
  }

  private grow(min: number): void {
    let cap = Math.max(16, this.cap * 2);
    while (cap < min) cap *= 2;
    const buf = new ArrayBuffer(cap * ROW_BYTES);
    new Uint8Array(buf).set(this.bytes);
    this.f64 = new Float64Array(buf);
    this.wide = new BigInt64Array(buf);
    this.ints = new Int32Array(buf);
    this.bytes = new Uint8Array(buf);
    const staleMs = new Float64Array(cap);
    staleMs.set(this.staleMs);
    this.staleMs = staleMs;
    for (let i = this.cap; i < cap; i++) {
      this.quotes.push(null);
      this.rowEntries.push(null);
      this.units.push(0n, 0n);
      this.costs.push(0n, 0n);
    }
    this.cap = cap;
  }

  private acc(currency: string): Acc {
    return this.accs[this.accIndexOf(currency)]!;
  }

  private accIndexOf(currency: string): number {
    let i = this.accIndex.get(currency);
    if (i === undefined) {
      i = this.accs.length;
      this.accIndex.set(currency, i);
      this.accs.push({ currency, realizedNet: 0n, realizedGross: 0n, fees: 0n, kx: P10.map(() => 0n), expMask: 1, unknownGroups: new Set(), unknownCount: 0, open: 0, expired: 0 });
    }
    return i;
  }
}

/** Σ kx[e] × 10^e: the known unrealized money of a currency (exact). */
function knownOf(acc: Acc): bigint {
  let s = acc.kx[0]!;
  for (let e = 1, mask = acc.expMask >>> 1; mask !== 0; e++, mask >>>= 1) if ((mask & 1) !== 0) s += acc.kx[e]! * P10[e]!;
  return s;
}

/** Unrealized P&L of a snapshot at an explicit mark (twice the price), exact. */
export function unrealizedAt(snap: PositionSnapshot, markX2: bigint): Money {
  return (markX2 * (snap.signed_units as Units as bigint) * 5n - (snap.signed_open_cost as bigint)) as Money;
}
