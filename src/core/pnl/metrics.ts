/**
 * Live metrics of one position: mark, bid/ask, spread %, P&L (money, points, %), DTE in the
 * exchange's time zone, quote age, delta, and warnings — built as the wire view (views.ts).
 * Pure: `now` is passed in.
 */
import type { QuoteValues } from '../market/quote';
import { daysToExpiry, type Instrument } from '../model/instrument';
import {
  FIAT_DECIMALS,
  PRICE_DP,
  UNITS_DP,
  absBig,
  divRound,
  priceToNumber,
  qtyToNumber,
  ratio,
  scaledToNumber,
  toDecimalString,
  type Money,
} from '../model/money';
import type { CurrencyTotals } from './book';
import { pnlPoints } from './points';
import { unrealizedAt } from './book';
import type { PositionSnapshot } from './fifo';
import { markOf, markTimeOf, markToNumber, quotePrices, type MarkPolicy, type UnknownReason } from '../market/mark';
import type { DeltaModelView, PositionView, WarningCode, WarningView } from './views';
import type { PnlTotalsWire } from './revalue';
import type { ModelDeltaFailure } from '../greeks/model-delta';
import type { ImpliedVolFailure } from '../greeks/implied-vol';

export interface MetricsConfig {
  markPolicy: MarkPolicy;
  /** Quote age (ms) past which a quote is stale. */
  staleAfterMs: number;
  /** Spread above this percentage of the mid raises `wide_spread`. */
  wideSpreadPct: number;
}

export const defaultMetricsConfig: MetricsConfig = { markPolicy: 'mid', staleAfterMs: 5000, wideSpreadPct: 10 };

export interface DeltaInput {
  delta: number;
  source: 'venue' | 'model' | 'share';
  /** When the greek was computed/received (epoch ms); null when no quote is behind it (a share's 1). */
  asOf: number | null;
  /** The model's inputs (source 'model'). */
  model?: DeltaModelView;
}

/** Why a delta is unknown (model-delta failure, with the IV solver's reason). */
export interface DeltaUnknown {
  reason: ModelDeltaFailure;
  ivFailure?: ImpliedVolFailure | null;
}

const REASON_WARNING: Record<UnknownReason, WarningCode> = {
  no_quote: 'missing_quote',
  stale_quote: 'stale_quote',
  one_sided: 'one_sided',
  crossed_quote: 'crossed_quote',
  no_last: 'no_last',
  bad_price: 'bad_price',
  expired: 'expired',
};

export function warning(code: WarningCode, symbol: string, detail?: string): WarningView {
  const text: Record<WarningCode, string> = {
    missing_quote: 'no quote received',
    stale_quote: 'quote is stale',
    wide_spread: 'wide bid/ask spread',
    one_sided: 'one side of the book is missing',
    crossed_quote: 'ask is below bid',
    bad_price: 'a quoted price is not a valid decimal',
    no_last: 'no last trade',
    missing_leg: 'leg has no usable mark',
    expired: 'instrument has expired',
  };
  return { code, message: `${symbol}: ${text[code]}${detail ? ` (${detail})` : ''}` };
}

/** Average price of `value` money over `units` (display figure, rounded to the price scale). */
function avgPrice(value: bigint, units: bigint): number | null {
  if (units === 0n) return null;
  // money = price × units × 10 → price (PRICE_DP) = money / (units × 10)
  return scaledToNumber(divRound(value, units * 10n), PRICE_DP);
}

export interface PositionViewInput {
  position: PositionSnapshot;
  quote: QuoteValues | null | undefined;
  now: number;
  instrument?: Instrument | null;
  config?: Partial<MetricsConfig>;
  /**
   * The position's delta per unit. Absent: a stock's is 1 per share (its exposure is its shares,
   * whatever the quote); anything else has none unless given.
   */
  delta?: DeltaInput | null;
  /** Why the delta is unknown (shown instead of a number). */
  deltaUnknown?: DeltaUnknown | null;
}

/** A share moves one for one with itself: delta 1 per share, position delta = signed shares. */
const SHARE_DELTA: DeltaInput = { delta: 1, source: 'share', asOf: null };

export type DeltaFields = Pick<
  PositionView,
  'delta' | 'delta_source' | 'delta_age_sec' | 'delta_as_of' | 'delta_model' | 'delta_unknown_reason' | 'delta_iv_failure' | 'position_delta'
>;

const unitsCache = new WeakMap<PositionSnapshot, number>();

/** The delta fields of a position's view (positionView's, also used to revalue only the delta). */
export function deltaFields(p: PositionSnapshot, inst: Instrument | null, input: DeltaInput | null, unknown: DeltaUnknown | null, now: number): DeltaFields {
  const open = p.quantity_remaining > 0n;
  let delta = input;
  if (delta === null && inst?.kind === 'stock' && open) delta = SHARE_DELTA;
  if (delta && !Number.isFinite(delta.delta)) delta = null;
  let units: number | undefined;
  if (delta) {
    units = unitsCache.get(p);
    if (units === undefined) unitsCache.set(p, (units = scaledToNumber(p.signed_units as bigint, UNITS_DP)));
  }
  const deltaUnknown = open && delta === null ? unknown : null;
  return {
    delta: delta?.delta ?? null,
    delta_source: delta?.source ?? null,
    delta_age_sec: delta && delta.asOf !== null ? (now - delta.asOf) / 1000 : null,
    delta_as_of: delta?.asOf ?? null,
    delta_model: delta?.model ?? null,
    delta_unknown_reason: deltaUnknown?.reason ?? null,
    delta_iv_failure: deltaUnknown?.ivFailure ?? null,
    position_delta: delta && units !== undefined ? delta.delta * units : null,
  };
}

export function positionView(input: PositionViewInput): PositionView {
  const cfg = { ...defaultMetricsConfig, ...input.config };
  const p = input.position;
  const q = input.quote ?? null;
  const inst = input.instrument ?? null;
  const warnings: WarningView[] = [];
  const open = p.quantity_remaining > 0n;
  const prices = q ? quotePrices(q) : null;
  // The mark's age is the age of what it is computed from: the book (mid, conservative) or the
  // last trade (last) — never the quote's latest update of any kind (market/mark.ts).
  const markAt = q ? markTimeOf(q, cfg.markPolicy) : null;
  const ageMs = markAt !== null ? input.now - markAt : null;
  // A mark with no receive time for its inputs cannot be called fresh.
  const stale = q !== null && (ageMs === null || ageMs > cfg.staleAfterMs);

  let unrealized: Money | null = null;
  let reason: UnknownReason | null = null;
  let markX2: bigint | null = null;
  let source: PositionView['mark_source'] = null;
  if (prices) {
    const m = markOf(prices, cfg.markPolicy, p.side);
    if (m.ok) {
      markX2 = m.markX2;
      source = m.source;
    } else reason = m.reason;
  } else reason = 'no_quote';
  if (stale && reason === null) reason = 'stale_quote';
  // An expired instrument has no market: it says so rather than "one-sided" or "stale" (whatever a
  // venue still sends for it), and its P&L is unknown until the position is closed or settled.
  const expired = inst?.expiry != null && input.now >= inst.expiry.epochMs;
  if (expired) reason = 'expired';
  if (open && reason === null && markX2 !== null) unrealized = unrealizedAt(p, markX2);
  if (open && reason === 'expired') {
    // the `expired` warning is added with the DTE below
  } else if (open && reason !== null) warnings.push(warning(REASON_WARNING[reason], p.symbol, reason === 'stale_quote' && ageMs !== null ? `${(ageMs / 1000).toFixed(1)} s old` : undefined));
  else if (open && stale) warnings.push(warning('stale_quote', p.symbol));

  let spreadPct: number | null = null;
  if (prices?.bid != null && prices.ask != null && prices.ask >= prices.bid) {
    spreadPct = ratio((prices.ask - prices.bid) * 200n, prices.ask + prices.bid);
    if (spreadPct !== null && spreadPct > cfg.wideSpreadPct && open) warnings.push(warning('wide_spread', p.symbol, `${spreadPct.toFixed(1)}%`));
  }

  const remainingUnits = absBig(p.signed_units as bigint);
  const openCost = p.open_cost as bigint;
  const totalUnits = (p.quantity_total as bigint) * (p.multiplier as bigint);
  const closedUnits = (p.quantity_closed as bigint) * (p.multiplier as bigint);

  let dte: number | null = null;
  if (inst?.expiry) {
    dte = daysToExpiry(inst.expiry, input.now);
    if (input.now >= inst.expiry.epochMs && open) warnings.push(warning('expired', p.symbol));
  }

  const deltas = deltaFields(p, inst, input.delta ?? null, input.deltaUnknown ?? null, input.now);

  const decimals = inst?.currency.decimals ?? FIAT_DECIMALS.USD!;
  const realizedNet = p.realized_net as bigint;
  return {
    key: p.key,
    position_id: p.position_id,
    re_entry_num: p.re_entry_num,
    symbol: p.symbol,
    underlying: inst?.underlying ?? null,
    instrument_kind: inst?.kind ?? null,
    side: p.side === 'LONG' ? 'BUY' : 'SELL',
    status: p.status,
    quantity_total: qtyToNumber(p.quantity_total),
    quantity_closed: qtyToNumber(p.quantity_closed),
    quantity_remaining: qtyToNumber(p.quantity_remaining),
    multiplier: scaledToNumber(p.multiplier as bigint, 6),
    currency: inst?.currency.code ?? 'USD',
    currency_decimals: decimals,
    entry_price: avgPrice(p.entry_value as bigint, totalUnits),
    open_price: avgPrice(openCost, remainingUnits),
    exit_price: avgPrice(p.exit_value as bigint, closedUnits),
    entry_time: p.opened_at,
    exit_time: p.closed_at,
    cost_basis: toDecimalString(p.signed_open_cost),
    market_value: open && markX2 !== null && reason === null ? toDecimalString((markX2 * (p.signed_units as bigint) * 5n) as Money) : open ? null : '0',
    mark: markX2 !== null ? markToNumber(markX2) : null,
    mark_source: source,
    mark_policy: cfg.markPolicy,
    bid: prices?.bid != null ? priceToNumber(prices.bid) : null,
    ask: prices?.ask != null ? priceToNumber(prices.ask) : null,
    last: prices?.last != null ? priceToNumber(prices.last) : null,
    spread_pct: spreadPct,
    quote_age_sec: ageMs !== null ? ageMs / 1000 : null,
    quote_received_at: markAt,
    exchange_time: q?.exchangeTime ?? null,
    unrealized_value: open ? (unrealized === null ? null : toDecimalString(unrealized)) : '0',
    unrealized_points: open ? pnlPoints(unrealized as bigint | null, remainingUnits) : 0,
    unrealized_pct: open && unrealized !== null ? ratio((unrealized as bigint) * 100n, openCost) : open ? null : 0,
    unknown_reason: open ? reason : null,
    realized_pnl: toDecimalString(p.realized_net),
    realized_gross: toDecimalString(p.realized_gross),
    fees: toDecimalString(p.fees),
    total_pnl: !open ? toDecimalString(p.realized_net) : unrealized === null ? null : toDecimalString((realizedNet + (unrealized as bigint)) as Money),
    dte,
    expiry_ms: inst?.expiry?.epochMs ?? null,
    ...deltas,
    warnings,
  };
}

/** One currency of the book's totals as the wire's pnl_snapshot totals (the one mapper; the tracker's). */
export function currencyTotalsWire(c: CurrencyTotals, currencyDecimals: number): PnlTotalsWire {
  return {
    currency: c.currency,
    currency_decimals: currencyDecimals,
    realized_pnl: toDecimalString(c.realized),
    realized_gross: toDecimalString(c.realized_gross),
    fees: toDecimalString(c.fees),
    unrealized_pnl: c.unrealized === null ? null : toDecimalString(c.unrealized),
    unrealized_known: toDecimalString(c.unrealized_known),
    unknown_count: c.unknown_count,
    total_pnl: c.total === null ? null : toDecimalString(c.total),
    open_positions: c.open_positions,
    ...(c.expired_excluded > 0 ? { expired_excluded: c.expired_excluded } : {}),
  };
}
