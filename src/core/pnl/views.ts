/**
 * Serializable view types for the UI contract and the active P&L snapshot: money as exact decimal
 * strings, prices and quantities as numbers, times as epoch milliseconds. Field names follow
 * docs/spec.md §6-7 and the reference notes (active-pnl-tracker.md, backend-ui-data-flow.md):
 * `unrealized_value`, `unrealized_points`, `quote_age_sec`, `position_id`, `re_entry_num`,
 * `quantity_total/closed/remaining`, `realized_pnl`, `status` …
 *
 * Unknown is not zero: every money/P&L field that can be unknown is `string | null`, with the
 * reason next to it. The renderer rounds money for display with `formatDecimalString(value,
 * currency_decimals)` from core/model/money (rounding happens once, there).
 */
import type { UnknownReason, MarkPolicy, MarkSource } from '../market/mark';
import type { PositionStatus } from './fifo';
import type { ModelDeltaFailure } from '../greeks/model-delta';
import type { ImpliedVolFailure } from '../greeks/implied-vol';

/** The inputs behind a model delta (Black-Scholes), for the UI to say how it was computed. */
export interface DeltaModelView {
  /** Implied volatility solved from the option mid (0.234 = 23.4%). */
  iv: number;
  underlying_mid: number;
  option_mid: number;
  /** Continuously compounded rate and dividend yield used (0.04 = 4%). */
  rate: number;
  dividend_yield: number;
}

export type WarningCode =
  | 'missing_quote' // no quote for the symbol
  | 'stale_quote' // quote older than the threshold
  | 'wide_spread' // (ask − bid) / mid above the threshold
  | 'one_sided' // a side of the book is missing
  | 'crossed_quote' // ask < bid
  | 'bad_price' // a venue price that cannot be represented exactly
  | 'no_last' // mark policy `last` without a last trade
  | 'missing_leg' // a structure leg has no usable mark
  | 'expired'; // the instrument is past its expiry

export interface WarningView {
  code: WarningCode;
  message: string;
}

export interface PositionView {
  /** `${position_id}#${re_entry_num}` — the UI store key. */
  key: string;
  position_id: string;
  re_entry_num: number;
  symbol: string;
  underlying: string | null;
  instrument_kind: string | null;
  /** Side of the entry: BUY (long) or SELL (short). */
  side: 'BUY' | 'SELL';
  status: PositionStatus;
  quantity_total: number;
  quantity_closed: number;
  quantity_remaining: number;
  multiplier: number;
  currency: string;
  currency_decimals: number;
  /** Average price of every opening fill. */
  entry_price: number | null;
  /** Average price of the lots still open (FIFO cost of the remaining quantity). */
  open_price: number | null;
  /** Average price of every closing fill. */
  exit_price: number | null;
  entry_time: number;
  exit_time: number | null;
  /** Cost of the open quantity (signed: negative for a short, i.e. a credit). */
  cost_basis: string;
  /** mark × remaining × multiplier, signed; null without a usable mark. */
  market_value: string | null;
  mark: number | null;
  mark_source: MarkSource | null;
  mark_policy: MarkPolicy;
  bid: number | null;
  ask: number | null;
  last: number | null;
  /** (ask − bid) / mid × 100. */
  spread_pct: number | null;
  quote_age_sec: number | null;
  quote_received_at: number | null;
  exchange_time: number | null;
  unrealized_value: string | null;
  /** Unrealized per unit of quantity × multiplier: mark − entry (long) / entry − mark (short); see points.ts. */
  unrealized_points: number | null;
  /** unrealized / |cost of the open quantity| × 100. */
  unrealized_pct: number | null;
  unknown_reason: UnknownReason | null;
  /** Realized P&L net of fees. */
  realized_pnl: string;
  realized_gross: string;
  fees: string;
  /** realized_pnl + unrealized_value; null when unrealized is unknown. */
  total_pnl: string | null;
  /** Calendar days to expiry in the exchange's time zone (0 on expiry day). */
  dte: number | null;
  expiry_ms: number | null;
  /** Per unit of the instrument (an option's ∂V/∂S; 1 for a share). null = unknown, never 0. */
  delta: number | null;
  /** venue-reported greek | model (Black-Scholes, IV from the option mid) | share (1 by definition). */
  delta_source: 'venue' | 'model' | 'share' | null;
  delta_age_sec: number | null;
  /** Receive time of the oldest quote behind the delta (model: the older of option and underlying); null for a share. */
  delta_as_of: number | null;
  /** The model's inputs when delta_source is 'model'. */
  delta_model: DeltaModelView | null;
  /** Why an open position's delta is unknown (null when known or closed). */
  delta_unknown_reason: ModelDeltaFailure | null;
  /** The IV solver's reason when delta_unknown_reason is 'iv_failed'. */
  delta_iv_failure: ImpliedVolFailure | null;
  /** delta × signed remaining quantity × multiplier (share-equivalent exposure). */
  position_delta: number | null;
  warnings: WarningView[];
}

export interface StructureLegView {
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: number;
  multiplier: number;
  entry_price: number | null;
  mark: number | null;
  bid: number | null;
  ask: number | null;
  /** mark × signed quantity × multiplier. */
  mark_value: string | null;
  /** entry × signed quantity × multiplier. */
  entry_value: string | null;
  pnl: string | null;
  /** The leg's P&L in points (price difference per unit; see points.ts); null when unknown. */
  pnl_points: number | null;
  unknown_reason: UnknownReason | null;
  quote_age_sec: number | null;
  warnings: WarningView[];
}

export interface StructureView {
  id: string;
  name: string;
  currency: string;
  currency_decimals: number;
  /** Σ mark × signed quantity × multiplier; null while any leg lacks a usable mark. */
  net_mark: string | null;
  /** What was paid to open (negative = a credit received). */
  net_debit: string;
  /** net_mark − net_debit; null while any leg is unknown. */
  net_pnl: string | null;
  net_pnl_pct: number | null;
  /** net P&L per "one structure" (÷ gcd of the legs' quantity × multiplier), in price points; null while unknown. */
  net_pnl_points: number | null;
  /** Σ over legs with a known mark (for "unknown (n legs)" displays). */
  net_pnl_known: string;
  unknown_legs: number;
  /** Receive time of the oldest quote behind the net figures. */
  as_of: number | null;
  legs: StructureLegView[];
  warnings: WarningView[];
}

export interface PayoffPointView {
  underlying_price: number;
  /** Display series for the chart (exact values are at the kinks). */
  pnl: number;
}

export type BoundView = { bounded: true; value: string; at_price: number } | { bounded: false; value: null };

export type PayoffView =
  | {
      ok: true;
      underlying: string;
      expiry_ms: number | null;
      /** P&L at expiry at 0 and at each strike (exact). */
      kinks: { underlying_price: number; pnl: string }[];
      max_profit: BoundView;
      max_loss: BoundView;
      /** Prices where P&L at expiry is zero (rounded to 10 decimals when not exact). */
      breakevens: number[];
      curve: PayoffPointView[];
    }
  | { ok: false; reason: string };
