/**
 * Model delta of one option position: Black-Scholes on the underlying's mid, with the implied
 * volatility solved from the option's own mid. Pure — `now` and the quotes are passed in.
 *
 * - years = (expiry instant − now) / 365 days (the instrument's exact expiry instant);
 * - rate and dividend yield are continuously compounded (valuation settings, default r 4%, q 0);
 * - European exercise: an approximation for American equity options (early exercise ignored);
 * - `asOf` = the older of the two quotes' receive times: the delta is as fresh as its oldest input.
 *
 * Unknown is never 0: when any input is missing or unusable the result is `{ok: false, reason}`
 * (and the position's delta is null), never a made-up number. The IV solver's own reason is kept.
 */
import { bookTimeOf } from '../market/mark';
import type { Instrument } from '../model/instrument';
import { PRICE_DP, scaledToNumber } from '../model/money';
import { DAYS_PER_YEAR, blackScholes } from './black-scholes';
import { impliedVol, type ImpliedVolFailure } from './implied-vol';

const YEAR_MS = DAYS_PER_YEAR * 24 * 3600 * 1000;

/** Why a model delta could not be computed. */
export type ModelDeltaFailure =
  | 'not_option' // the instrument is not an option (or lacks right, strike or expiry)
  | 'expired' // expiry instant at or before now
  | 'no_option_quote'
  | 'stale_option_quote'
  | 'one_sided_option_quote' // a side missing or zero: no mid
  | 'crossed_option_quote' // ask below bid
  | 'no_underlying_quote'
  | 'stale_underlying_quote'
  | 'one_sided_underlying_quote'
  | 'crossed_underlying_quote'
  | 'iv_failed'; // the implied-volatility solver failed (see ivFailure)

export type ModelDeltaResult =
  | {
      ok: true;
      delta: number;
      /** Implied volatility solved from the option mid (annualized, 0.234 = 23.4%). */
      iv: number;
      /** Receive time of the older of the two quotes (epoch ms). */
      asOf: number;
      underlyingMid: number;
      optionMid: number;
      years: number;
    }
  | { ok: false; reason: ModelDeltaFailure; ivFailure?: ImpliedVolFailure; detail?: string };

/** What the model needs from the valuation settings (ValuationSettings satisfies it). */
export interface ModelDeltaSettings {
  /** A quote older than this (by receive time) is stale. */
  staleAfterMs: number;
  /** Continuously compounded risk-free rate, e.g. 0.04. */
  riskFreeRate: number;
  /** Continuous dividend yield, e.g. 0 (the default). */
  dividendYield: number;
}

/** The quote fields the model reads (the cache's Quote and the wire's QuoteWire both fit). */
export interface ModelDeltaQuote {
  bid: number | null;
  ask: number | null;
  receivedAt: number;
  /** Receive time of the book (bid/ask): absent means `receivedAt`, null means no book yet. */
  bookReceivedAt?: number | null;
  lastReceivedAt?: number | null;
}

export type ModelDeltaInstrument = Pick<Instrument, 'kind' | 'right' | 'strike' | 'expiry' | 'underlying'>;

export interface ModelDeltaInput {
  instrument: ModelDeltaInstrument;
  optionQuote: ModelDeltaQuote | null | undefined;
  underlyingQuote: ModelDeltaQuote | null | undefined;
  now: number;
  settings: ModelDeltaSettings;
}

type MidResult = { ok: true; mid: number } | { ok: false; why: 'no' | 'stale' | 'one_sided' | 'crossed' };

function usableSide(x: number | null): x is number {
  return x !== null && Number.isFinite(x) && x > 0;
}

/** The mid of a fresh, two-sided, uncrossed quote — or why there is none. */
function midOf(q: ModelDeltaQuote | null | undefined, now: number, staleAfterMs: number): MidResult {
  if (!q) return { ok: false, why: 'no' };
  // The mid is the book's: its age is the book's, however recent the last trade (market/mark.ts).
  const at = bookTimeOf(q);
  if (at === null || now - at > staleAfterMs) return { ok: false, why: 'stale' };
  if (!usableSide(q.bid) || !usableSide(q.ask)) return { ok: false, why: 'one_sided' };
  if (q.ask < q.bid) return { ok: false, why: 'crossed' };
  return { ok: true, mid: (q.bid + q.ask) / 2 };
}

const strikeCache = new WeakMap<object, number>();

function strikeOf(i: ModelDeltaInstrument): number {
  let k = strikeCache.get(i);
  if (k === undefined) {
    k = scaledToNumber(i.strike as bigint, PRICE_DP);
    strikeCache.set(i, k);
  }
  return k;
}

export function modelDelta(input: ModelDeltaInput): ModelDeltaResult {
  const { instrument: inst, now, settings } = input;
  if (inst.kind !== 'option' || inst.right === null || inst.strike === null || inst.expiry === null) return { ok: false, reason: 'not_option' };
  const years = (inst.expiry.epochMs - now) / YEAR_MS;
  if (!(years > 0)) return { ok: false, reason: 'expired' };
  const o = midOf(input.optionQuote, now, settings.staleAfterMs);
  if (!o.ok) return { ok: false, reason: o.why === 'no' ? 'no_option_quote' : o.why === 'stale' ? 'stale_option_quote' : o.why === 'one_sided' ? 'one_sided_option_quote' : 'crossed_option_quote' };
  const u = midOf(input.underlyingQuote, now, settings.staleAfterMs);
  if (!u.ok) return { ok: false, reason: u.why === 'no' ? 'no_underlying_quote' : u.why === 'stale' ? 'stale_underlying_quote' : u.why === 'one_sided' ? 'one_sided_underlying_quote' : 'crossed_underlying_quote' };
  const strike = strikeOf(inst);
  const right = inst.right;
  const rate = settings.riskFreeRate;
  const dividendYield = settings.dividendYield;
  const iv = impliedVol({ model: 'black-scholes', right, price: o.mid, underlying: u.mid, strike, years, rate, dividendYield });
  if (!iv.ok) return { ok: false, reason: 'iv_failed', ivFailure: iv.reason, detail: iv.detail };
  const delta = blackScholes({ right, spot: u.mid, strike, years, rate, vol: iv.iv, dividendYield }).delta;
  if (!Number.isFinite(delta)) return { ok: false, reason: 'iv_failed', ivFailure: 'no_convergence', detail: 'delta is not a finite number' };
  const asOf = Math.min(bookTimeOf(input.optionQuote!)!, bookTimeOf(input.underlyingQuote!)!);
  return { ok: true, delta, iv: iv.iv, asOf, underlyingMid: u.mid, optionMid: o.mid, years };
}

const FAILURE_TEXT: Record<ModelDeltaFailure, string> = {
  not_option: 'no delta model for this instrument',
  expired: 'option has expired',
  no_option_quote: 'no option quote',
  stale_option_quote: 'option quote is stale',
  one_sided_option_quote: 'option quote is one-sided (no mid)',
  crossed_option_quote: 'option quote is crossed (ask below bid)',
  no_underlying_quote: 'no underlying quote',
  stale_underlying_quote: 'underlying quote is stale',
  one_sided_underlying_quote: 'underlying quote is one-sided (no mid)',
  crossed_underlying_quote: 'underlying quote is crossed (ask below bid)',
  iv_failed: 'implied volatility could not be solved',
};

const IV_TEXT: Record<ImpliedVolFailure, string> = {
  invalid_input: 'invalid input',
  expired: 'no time to expiry',
  below_intrinsic: 'option mid is below intrinsic value',
  no_time_value: 'option mid has no time value',
  above_upper_bound: 'option mid is above the no-arbitrage bound',
  no_convergence: 'solver did not converge',
};

/** "underlying quote is stale", "implied volatility could not be solved: option mid is below intrinsic value". */
export function describeDeltaFailure(reason: ModelDeltaFailure, ivFailure?: ImpliedVolFailure | null): string {
  const base = FAILURE_TEXT[reason];
  return reason === 'iv_failed' && ivFailure ? `${base}: ${IV_TEXT[ivFailure]}` : base;
}
