/**
 * Revaluation shared by the backend and the renderer, so the two cannot disagree.
 *
 * The backend sends each position once as an exact, serializable `PositionRecord` (its FIFO state
 * as decimal strings plus the instrument), then only quotes (`ltp_updates`). Both sides turn
 * (record, quote, now) into the displayed `LivePosition` with `revaluePosition`, which is the
 * core's `positionView` over the record's exact state — the very function the tracker uses.
 * Totals are exact sums of the positions' decimal strings (`totalsOf`); a property test checks
 * they equal the incremental book's totals.
 *
 * Pure: `now` is passed in; no clock, no I/O. Works in the browser (bigint only).
 */
import type { InstrumentId } from '../model/ids';
import type { Quote } from '../market/quote';
import type { Expiry, Instrument, InstrumentKind, OptionRight, Venue } from '../model/instrument';
import {
  FIAT_DECIMALS,
  MONEY_DP,
  MULT_DP,
  PRICE_DP,
  QTY_DP,
  UNITS_DP,
  parseScaled,
  scaledToString,
  toDecimalString,
  type Money,
  type Multiplier,
  type Price,
  type Qty,
  type Units,
} from '../model/money';
import type { PositionSide, PositionSnapshot, PositionStatus } from './fifo';
import type { MarkPolicy } from '../market/mark';
import { defaultMetricsConfig, deltaFields, positionView, type DeltaInput, type DeltaUnknown } from './metrics';
import { modelDelta } from '../greeks/model-delta';
import { valueStructure, type StructureDef } from './structure';
import type { PositionView, StructureView } from './views';

/** The quote fields valuation needs (the wire's QuoteWire and the cache's Quote both fit). */
export type QuoteLike = Pick<Quote, 'symbol' | 'bid' | 'ask' | 'last' | 'bidSize' | 'askSize' | 'exchangeTime' | 'receivedAt' | 'bookReceivedAt' | 'lastReceivedAt'>;

/** How positions are valued; the same on both sides of the wire (part of the snapshot). */
export interface ValuationSettings {
  markPolicy: MarkPolicy;
  /** A quote older than this (by receive time) is stale: its P&L is unknown. */
  staleAfterMs: number;
  /** Spread above this % of the mid raises `wide_spread`. */
  wideSpreadPct: number;
  /** Model delta: continuously compounded risk-free rate (0.04 = 4%). */
  riskFreeRate: number;
  /** Model delta: continuous dividend yield (0 = none, the default). */
  dividendYield: number;
}

/** Default risk-free rate of the delta model: 4%, continuously compounded (about US T-bill yields in 2026). */
export const DEFAULT_RISK_FREE_RATE = 0.04;

export const defaultValuation: ValuationSettings = {
  markPolicy: defaultMetricsConfig.markPolicy,
  staleAfterMs: defaultMetricsConfig.staleAfterMs,
  wideSpreadPct: defaultMetricsConfig.wideSpreadPct,
  riskFreeRate: DEFAULT_RISK_FREE_RATE,
  dividendYield: 0,
};

// ---------- instruments on the wire ----------

/** An Instrument as JSON: exact decimals as strings. */
export interface InstrumentWire {
  symbol: string;
  venue: Venue;
  kind: InstrumentKind;
  underlying: string;
  expiry: Expiry | null;
  strike: string | null;
  right: OptionRight | null;
  multiplier: string;
  currency: string;
  currency_decimals: number;
  tick_size: string;
}

export function instrumentToWire(i: Instrument): InstrumentWire {
  return {
    symbol: i.symbol,
    venue: i.venue,
    kind: i.kind,
    underlying: i.underlying,
    expiry: i.expiry ? { ...i.expiry } : null,
    strike: i.strike === null ? null : scaledToString(i.strike, PRICE_DP),
    right: i.right,
    multiplier: scaledToString(i.multiplier, MULT_DP),
    currency: i.currency.code,
    currency_decimals: i.currency.decimals,
    tick_size: scaledToString(i.tickSize, PRICE_DP),
  };
}

const instrumentCache = new WeakMap<InstrumentWire, Instrument>();

export function instrumentFromWire(w: InstrumentWire): Instrument {
  let i = instrumentCache.get(w);
  if (!i) {
    i = {
      symbol: w.symbol,
      venue: w.venue,
      kind: w.kind,
      underlying: w.underlying,
      expiry: w.expiry,
      strike: w.strike === null ? null : (parseScaled(w.strike, PRICE_DP) as Price),
      right: w.right,
      multiplier: parseScaled(w.multiplier, MULT_DP) as Multiplier,
      currency: { code: w.currency, decimals: w.currency_decimals },
      tickSize: parseScaled(w.tick_size, PRICE_DP) as Price,
    };
    instrumentCache.set(w, i);
  }
  return i;
}

// ---------- positions on the wire ----------

/** Where a position came from: the portfolio file (synthetic opening fills) or venue fills. */
export type PositionSource = 'portfolio' | 'fills';

/** What started / ended a position (the reference's flow ids and trigger/reason). */
export interface PositionMeta {
  source: PositionSource;
  /** Execution ids (node_event) of the flows that opened the position. */
  entry_flow_ids: string[];
  exit_flow_ids: string[];
  entry_trigger: string | null;
  exit_reason: string | null;
}

/**
 * One position's exact state, serializable: the FIFO snapshot with every amount as a decimal
 * string (quantities at 9 dp, multiplier 6, units 15, money 26), plus the instrument and meta.
 * Key: `${position_id}#${re_entry_num}`.
 */
export interface PositionRecord extends PositionMeta {
  key: string;
  position_id: string;
  re_entry_num: number;
  /** The InstrumentId (`venue:symbol`) whose quotes value this position: the key of its quote. */
  instrument_id: string;
  /** The venue symbol (for display). */
  symbol: string;
  side: PositionSide;
  status: PositionStatus;
  multiplier: string;
  quantity_total: string;
  quantity_closed: string;
  quantity_remaining: string;
  entry_value: string;
  exit_value: string;
  open_cost: string;
  signed_units: string;
  signed_open_cost: string;
  realized_gross: string;
  fees: string;
  realized_net: string;
  open_lot_count: number;
  match_count: number;
  entry_fill_count: number;
  exit_fill_count: number;
  opened_at: number;
  closed_at: number | null;
  last_fill_at: number;
  instrument: InstrumentWire | null;
}

export function positionRecordOf(p: PositionSnapshot, instrumentId: InstrumentId, instrument: InstrumentWire | null, meta: PositionMeta): PositionRecord {
  return {
    key: p.key,
    position_id: p.position_id,
    re_entry_num: p.re_entry_num,
    instrument_id: instrumentId,
    symbol: p.symbol,
    side: p.side,
    status: p.status,
    multiplier: scaledToString(p.multiplier, MULT_DP),
    quantity_total: scaledToString(p.quantity_total, QTY_DP),
    quantity_closed: scaledToString(p.quantity_closed, QTY_DP),
    quantity_remaining: scaledToString(p.quantity_remaining, QTY_DP),
    entry_value: toDecimalString(p.entry_value),
    exit_value: toDecimalString(p.exit_value),
    open_cost: toDecimalString(p.open_cost),
    signed_units: scaledToString(p.signed_units, UNITS_DP),
    signed_open_cost: toDecimalString(p.signed_open_cost),
    realized_gross: toDecimalString(p.realized_gross),
    fees: toDecimalString(p.fees),
    realized_net: toDecimalString(p.realized_net),
    open_lot_count: p.open_lot_count,
    match_count: p.match_count,
    entry_fill_count: p.entry_fill_count,
    exit_fill_count: p.exit_fill_count,
    opened_at: p.opened_at,
    closed_at: p.closed_at,
    last_fill_at: p.last_fill_at,
    instrument,
    source: meta.source,
    entry_flow_ids: [...meta.entry_flow_ids],
    exit_flow_ids: [...meta.exit_flow_ids],
    entry_trigger: meta.entry_trigger,
    exit_reason: meta.exit_reason,
  };
}

const snapshotCache = new WeakMap<PositionRecord, PositionSnapshot>();

/** The exact FIFO snapshot back from a record (memoized per record object). */
export function snapshotOfRecord(r: PositionRecord): PositionSnapshot {
  let s = snapshotCache.get(r);
  if (!s) {
    const m = (t: string) => parseScaled(t, MONEY_DP) as Money;
    s = {
      key: r.key,
      position_id: r.position_id,
      re_entry_num: r.re_entry_num,
      symbol: r.symbol,
      side: r.side,
      status: r.status,
      multiplier: parseScaled(r.multiplier, MULT_DP) as Multiplier,
      quantity_total: parseScaled(r.quantity_total, QTY_DP) as Qty,
      quantity_closed: parseScaled(r.quantity_closed, QTY_DP) as Qty,
      quantity_remaining: parseScaled(r.quantity_remaining, QTY_DP) as Qty,
      open_lot_count: r.open_lot_count,
      entry_value: m(r.entry_value),
      exit_value: m(r.exit_value),
      open_cost: m(r.open_cost),
      signed_units: parseScaled(r.signed_units, UNITS_DP) as Units,
      signed_open_cost: m(r.signed_open_cost),
      realized_gross: m(r.realized_gross),
      fees: m(r.fees),
      realized_net: m(r.realized_net),
      match_count: r.match_count,
      entry_fill_count: r.entry_fill_count,
      exit_fill_count: r.exit_fill_count,
      opened_at: r.opened_at,
      closed_at: r.closed_at,
      last_fill_at: r.last_fill_at,
    };
    snapshotCache.set(r, s);
  }
  return s;
}

/** A position as displayed: the core PositionView plus where it came from and why. */
export interface LivePosition extends PositionView, PositionMeta {}

/** The symbol whose quote an open option's model delta needs besides its own (null for anything else). */
export function deltaUnderlyingOf(r: PositionRecord): string | null {
  const i = r.instrument;
  return r.status !== 'CLOSED' && i !== null && i.kind === 'option' && i.underlying !== r.symbol ? i.underlying : null;
}

/**
 * The one valuation function: what the tracker publishes and what the renderer recomputes from
 * `ltp_updates` — identical for the same (record, quote, underlying quote, now, settings).
 *
 * An open option's delta is the model delta (Black-Scholes on `underlyingQuote`'s mid, IV from the
 * option's mid; see greeks/model-delta.ts); without a usable underlying quote it is null with the
 * reason. A stock's delta is 1 per share (metrics.ts).
 */
export function revaluePosition(r: PositionRecord, quote: QuoteLike | null | undefined, now: number, v: ValuationSettings, underlyingQuote?: QuoteLike | null): LivePosition {
  const instrument = r.instrument ? instrumentFromWire(r.instrument) : null;
  const { delta, deltaUnknown } = optionDelta(r, instrument, quote, underlyingQuote, now, v);
  const view = positionView({
    position: snapshotOfRecord(r),
    quote: quote ?? null,
    now,
    instrument,
    config: { markPolicy: v.markPolicy, staleAfterMs: v.staleAfterMs, wideSpreadPct: v.wideSpreadPct },
    delta,
    deltaUnknown,
  });
  // The view is fresh (built just above): extend it in place rather than copying its ~70 fields.
  const live = view as LivePosition;
  live.source = r.source;
  live.entry_flow_ids = r.entry_flow_ids;
  live.exit_flow_ids = r.exit_flow_ids;
  live.entry_trigger = r.entry_trigger;
  live.exit_reason = r.exit_reason;
  return live;
}

function optionDelta(
  r: PositionRecord,
  instrument: Instrument | null,
  quote: QuoteLike | null | undefined,
  underlyingQuote: QuoteLike | null | undefined,
  now: number,
  v: ValuationSettings,
): { delta: DeltaInput | null; deltaUnknown: DeltaUnknown | null } {
  if (instrument?.kind !== 'option' || r.status === 'CLOSED') return { delta: null, deltaUnknown: null };
  const m = modelDelta({ instrument, optionQuote: quote, underlyingQuote, now, settings: v });
  if (!m.ok) return { delta: null, deltaUnknown: { reason: m.reason, ivFailure: m.ivFailure ?? null } };
  return {
    delta: { delta: m.delta, source: 'model', asOf: m.asOf, model: { iv: m.iv, underlying_mid: m.underlyingMid, option_mid: m.optionMid, rate: v.riskFreeRate, dividend_yield: v.dividendYield } },
    deltaUnknown: null,
  };
}

/**
 * `prev` (the position valued with the same record and the same option quote) with only what an
 * underlying quote moves revalued: the model delta, and the ages, at `now`. Equal to
 * `revaluePosition(r, quote, now, v, underlyingQuote)` in every field except those that move with
 * the calendar alone (DTE, the `expired` warning, a stale warning's age text) — the renderer's
 * cheap path for a tick that moved only the underlying (the money fields, which cost the most to
 * build, are unchanged). When the delta did not move (same value, or still unknown for the same
 * reason), `prev` itself is returned: nothing to re-render, and its ages stay as of its valuation.
 */
export function revalueDelta(prev: LivePosition, r: PositionRecord, quote: QuoteLike | null | undefined, now: number, v: ValuationSettings, underlyingQuote: QuoteLike | null | undefined): LivePosition {
  const instrument = r.instrument ? instrumentFromWire(r.instrument) : null;
  const { delta, deltaUnknown } = optionDelta(r, instrument, quote, underlyingQuote, now, v);
  const d = deltaFields(snapshotOfRecord(r), instrument, delta, deltaUnknown, now);
  if (
    d.delta === prev.delta &&
    d.delta_source === prev.delta_source &&
    d.delta_as_of === prev.delta_as_of &&
    d.delta_unknown_reason === prev.delta_unknown_reason &&
    d.delta_iv_failure === prev.delta_iv_failure &&
    sameModel(d.delta_model, prev.delta_model)
  ) {
    return prev;
  }
  const next: LivePosition = { ...prev, quote_age_sec: prev.quote_received_at !== null ? (now - prev.quote_received_at) / 1000 : null, ...d };
  const parsed = parsedViews.get(prev);
  if (parsed) parsedViews.set(next, parsed); // same money fields
  deltaBases.set(next, deltaBases.get(prev) ?? prev);
  return next;
}

const deltaBases = new WeakMap<LivePosition, LivePosition>();

/**
 * The view `p` was derived from by `revalueDelta` calls alone (itself otherwise): the same in every
 * field but the delta and the ages. A table row can subscribe to it and re-render only its delta
 * cell when only the underlying moved.
 */
export function deltaBaseOf<T extends LivePosition | undefined>(p: T): T {
  return p === undefined ? p : ((deltaBases.get(p) as T | undefined) ?? p);
}

function sameModel(a: LivePosition['delta_model'], b: LivePosition['delta_model']): boolean {
  if (a === null || b === null) return a === b;
  return a.iv === b.iv && a.underlying_mid === b.underlying_mid && a.option_mid === b.option_mid && a.rate === b.rate && a.dividend_yield === b.dividend_yield;
}

/** The record is open (has remaining quantity) — only open positions need quotes. */
export function isOpenRecord(r: PositionRecord): boolean {
  return r.status !== 'CLOSED';
}

// ---------- structures on the wire ----------

export interface StructureLegWire {
  symbol: string;
  /** Signed quantity (positive long, negative short), decimal. */
  quantity: string;
  multiplier: string;
  entry_price: string | null;
  instrument: InstrumentWire | null;
}

export interface StructureDefWire {
  id: string;
  name: string;
  /** Net debit (negative = credit) as an exact decimal; null = Σ legs' entries. */
  net_debit: string | null;
  currency: string;
  currency_decimals: number;
  legs: StructureLegWire[];
}

export function structureDefToWire(d: StructureDef): StructureDefWire {
  const currency = d.currency ?? 'USD';
  return {
    id: d.id,
    name: d.name,
    net_debit: d.netDebit === undefined ? null : toDecimalString(d.netDebit),
    currency,
    currency_decimals: d.currencyDecimals ?? FIAT_DECIMALS[currency] ?? 2,
    legs: d.legs.map((l) => ({
      symbol: l.symbol,
      quantity: scaledToString(l.quantity, QTY_DP),
      multiplier: scaledToString(l.multiplier, MULT_DP),
      entry_price: l.entryPrice === null ? null : scaledToString(l.entryPrice, PRICE_DP),
      instrument: l.instrument ? instrumentToWire(l.instrument) : null,
    })),
  };
}

const structureCache = new WeakMap<StructureDefWire, StructureDef>();

export function structureDefFromWire(w: StructureDefWire): StructureDef {
  let d = structureCache.get(w);
  if (!d) {
    d = {
      id: w.id,
      name: w.name,
      currency: w.currency,
      currencyDecimals: w.currency_decimals,
      ...(w.net_debit === null ? {} : { netDebit: parseScaled(w.net_debit, MONEY_DP) as Money }),
      legs: w.legs.map((l) => ({
        symbol: l.symbol,
        quantity: parseScaled(l.quantity, QTY_DP) as Qty,
        multiplier: parseScaled(l.multiplier, MULT_DP) as Multiplier,
        entryPrice: l.entry_price === null ? null : (parseScaled(l.entry_price, PRICE_DP) as Price),
        instrument: l.instrument ? instrumentFromWire(l.instrument) : null,
      })),
    };
    structureCache.set(w, d);
  }
  return d;
}

export function revalueStructure(
  w: StructureDefWire,
  quoteOf: (symbol: string) => QuoteLike | null | undefined,
  now: number,
  v: ValuationSettings,
): StructureView {
  return valueStructure(structureDefFromWire(w), { now, quoteOf, markPolicy: v.markPolicy, staleAfterMs: v.staleAfterMs });
}

// ---------- totals ----------

/** One currency's totals on the wire: the `pnl_snapshot` {realized, unrealized, total}. No position lists. */
export interface PnlTotalsWire {
  currency: string;
  currency_decimals: number;
  /** Realized P&L net of fees, over every position (open and closed). */
  realized_pnl: string;
  realized_gross: string;
  fees: string;
  /** null while any open position's P&L is unknown (see unknown_count, unrealized_known). */
  unrealized_pnl: string | null;
  unrealized_known: string;
  unknown_count: number;
  total_pnl: string | null;
  /** Open positions (each leg with a cost basis is one). */
  open_positions: number;
  /**
   * Structures valued as a whole and included in these totals: their legs are not positions (the
   * file gives only the structure's net debit), so their net P&L is added here. Absent means 0.
   */
  open_structures?: number;
  /**
   * Open positions in expired contracts (counted in open_positions): no market values them, so their
   * unrealized P&L is left out of these totals — which say so — rather than making them unknown
   * for good. Their realized P&L is in. Absent means 0.
   */
  expired_excluded?: number;
}

export interface PnlSnapshotWire {
  /** Receive time of the oldest quote behind the known unrealized figures. */
  as_of: number | null;
  /**
   * The single currency's figures; '0' with no positions at all; null when positions span several
   * currencies (see totals) — one number across currencies would be meaningless.
   */
  currency: string | null;
  realized: string | null;
  unrealized: string | null;
  total: string | null;
  /** Per currency, sorted by currency code. */
  totals: PnlTotalsWire[];
  /**
   * `as_of` the last time every total was known (prices were good then), kept by the desk so a
   * reloaded page can still say "prices last good at …"; null when never; absent from views the
   * renderer computes itself.
   */
  last_good_as_of?: number | null;
}

interface TotalsAcc {
  decimals: number;
  realized: bigint;
  gross: bigint;
  fees: bigint;
  known: bigint;
  unknown: number;
  open: number;
  expired: number;
}

const parseMoney = (t: string): bigint => parseScaled(t, MONEY_DP);

interface ParsedView {
  realized: bigint;
  gross: bigint;
  fees: bigint;
  unrealized: bigint | null;
}
/** Views are immutable: parse each one's decimals once (a tick revalues only a few positions). */
const parsedViews = new WeakMap<PositionView, ParsedView>();
function parsedView(p: PositionView): ParsedView {
  let v = parsedViews.get(p);
  if (!v) {
    v = {
      realized: parseMoney(p.realized_pnl),
      gross: parseMoney(p.realized_gross),
      fees: parseMoney(p.fees),
      unrealized: p.unrealized_value === null ? null : parseMoney(p.unrealized_value),
    };
    parsedViews.set(p, v);
  }
  return v;
}

/**
 * Exact totals over displayed positions (open and closed), per currency, plus as_of: the receive
 * time of the oldest quote behind a known unrealized figure.
 */
export function totalsOf(positions: Iterable<PositionView>): PnlSnapshotWire {
  const accs = new Map<string, TotalsAcc>();
  let asOf: number | null = null;
  for (const p of positions) {
    let a = accs.get(p.currency);
    if (!a) accs.set(p.currency, (a = { decimals: p.currency_decimals, realized: 0n, gross: 0n, fees: 0n, known: 0n, unknown: 0, open: 0, expired: 0 }));
    const v = parsedView(p);
    a.realized += v.realized;
    a.gross += v.gross;
    a.fees += v.fees;
    if (p.status === 'CLOSED') continue;
    a.open++;
    if (p.unknown_reason === 'expired') a.expired++;
    else if (v.unrealized === null) a.unknown++;
    else {
      a.known += v.unrealized;
      if (p.quote_received_at !== null && (asOf === null || p.quote_received_at < asOf)) asOf = p.quote_received_at;
    }
  }
  return pnlSnapshotOf(
    asOf,
    [...accs.entries()].map(([currency, a]) => {
      const unrealized = a.unknown === 0 ? a.known : null;
      return {
        currency,
        currency_decimals: a.decimals,
        realized_pnl: toDecimalString(a.realized as Money),
        realized_gross: toDecimalString(a.gross as Money),
        fees: toDecimalString(a.fees as Money),
        unrealized_pnl: unrealized === null ? null : toDecimalString(unrealized as Money),
        unrealized_known: toDecimalString(a.known as Money),
        unknown_count: a.unknown,
        total_pnl: unrealized === null ? null : toDecimalString((a.realized + unrealized) as Money),
        open_positions: a.open,
        ...(a.expired > 0 ? { expired_excluded: a.expired } : {}),
      };
    }),
  );
}

/**
 * A structure valued as a whole: not every leg has an entry price (the file gives only its
 * net_debit), so its legs are not positions and its net P&L is not in any position's figure.
 */
export function isWholeStructure(d: Pick<StructureDefWire, 'legs'>): boolean {
  return d.legs.some((l) => l.entry_price === null);
}

/**
 * Totals that include every structure: the net P&L of each structure valued as a whole
 * (isWholeStructure) is added to its currency's unrealized figures — known, or one more unknown —
 * and counted in `open_structures`; its as_of joins the totals' as_of. Structures whose legs are
 * positions are already in the positions' figures and are not added twice.
 */
export function withStructureTotals(t: PnlSnapshotWire, defs: Iterable<StructureDefWire>, viewOf: (id: string) => StructureView | undefined): PnlSnapshotWire {
  let asOf = t.as_of;
  let byCurrency: Map<string, PnlTotalsWire> | null = null;
  for (const d of defs) {
    if (!isWholeStructure(d)) continue;
    const v = viewOf(d.id);
    if (!v) continue;
    byCurrency ??= new Map(t.totals.map((x) => [x.currency, { ...x }]));
    let a = byCurrency.get(v.currency);
    if (!a) {
      a = { currency: v.currency, currency_decimals: v.currency_decimals, realized_pnl: '0', realized_gross: '0', fees: '0', unrealized_pnl: '0', unrealized_known: '0', unknown_count: 0, total_pnl: '0', open_positions: 0 };
      byCurrency.set(v.currency, a);
    }
    a.open_structures = (a.open_structures ?? 0) + 1;
    if (v.net_pnl === null) {
      a.unknown_count++;
      a.unrealized_pnl = null;
      a.total_pnl = null;
    } else {
      const pnl = parseMoney(v.net_pnl);
      a.unrealized_known = toDecimalString((parseMoney(a.unrealized_known) + pnl) as Money);
      if (a.unrealized_pnl !== null) {
        const u = parseMoney(a.unrealized_pnl) + pnl;
        a.unrealized_pnl = toDecimalString(u as Money);
        a.total_pnl = toDecimalString((parseMoney(a.realized_pnl) + u) as Money);
      }
      if (v.as_of !== null && (asOf === null || v.as_of < asOf)) asOf = v.as_of;
    }
  }
  return byCurrency === null ? t : pnlSnapshotOf(asOf, [...byCurrency.values()]);
}

/** Wraps per-currency totals (any order) as the wire's pnl_snapshot. */
export function pnlSnapshotOf(asOf: number | null, totals: PnlTotalsWire[]): PnlSnapshotWire {
  const sorted = [...totals].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
  if (sorted.length === 0) return { as_of: asOf, currency: null, realized: '0', unrealized: '0', total: '0', totals: sorted };
  const one = sorted.length === 1 ? sorted[0]! : null;
  return {
    as_of: asOf,
    currency: one?.currency ?? null,
    realized: one?.realized_pnl ?? null,
    unrealized: one?.unrealized_pnl ?? null,
    total: one?.total_pnl ?? null,
    totals: sorted,
  };
}
