/**
 * Implied volatility: safeguarded Newton (Newton steps on σ using vega, falling back to bisection
 * whenever a step leaves the bracket or vega vanishes). The option price is strictly increasing in
 * σ between its no-arbitrage bounds, so the bracket always holds the answer and the solver either
 * converges or says why it could not — it never returns NaN.
 */
import { black76, type OptionRight } from './black-scholes';
import { normCdf, normPdf } from './normal';

export type ImpliedVolFailure =
  | 'invalid_input'
  | 'expired'
  | 'below_intrinsic'
  | 'no_time_value'
  | 'above_upper_bound'
  | 'no_convergence';

export type ImpliedVolResult = { ok: true; iv: number; iterations: number } | { ok: false; reason: ImpliedVolFailure; detail: string };

export interface ImpliedVolInput {
  model: 'black-scholes' | 'black-76';
  right: OptionRight;
  /** Observed option price (per unit, same currency as the underlying). */
  price: number;
  /** Spot for Black-Scholes, forward/futures price for Black-76. */
  underlying: number;
  strike: number;
  years: number;
  rate: number;
  /** Black-Scholes only. */
  dividendYield?: number;
}

const MIN_VOL = 1e-6;
const MAX_VOL = 20; // 2000%: beyond this a "volatility" says more about the quote than the market
const MAX_ITER = 100;

/**
 * Black-Scholes price and vega for the solver's inner loop: the same arithmetic as blackScholes()
 * (black-scholes.ts `generalized`, years > 0 and vol > 0), so the same numbers bit for bit, without
 * its validation and the greeks the solver does not read (it runs ~10 times per solve, for every
 * option position on every tick).
 */
function bsPriceVega(call: boolean, s: number, k: number, t: number, r: number, q: number, dfR: number, dfQ: number, vol: number): { price: number; vega: number } {
  const sqrtT = Math.sqrt(t);
  const volT = vol * sqrtT;
  const d1 = (Math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / volT;
  const d2 = d1 - volT;
  const pdf1 = normPdf(d1);
  const sq = s * dfQ;
  const kr = k * dfR;
  const vegaPerUnit = sq * pdf1 * sqrtT;
  const price = call ? sq * normCdf(d1) - kr * normCdf(d2) : kr * normCdf(-d2) - sq * normCdf(-d1);
  return { price: Math.max(0, price), vega: vegaPerUnit / 100 };
}

export function impliedVol(input: ImpliedVolInput): ImpliedVolResult {
  const { right, price, underlying, strike, years, rate } = input;
  const q = input.model === 'black-76' ? rate : (input.dividendYield ?? 0);
  if (![price, underlying, strike, years, rate, q].every(Number.isFinite) || underlying <= 0 || strike <= 0 || price < 0) {
    return { ok: false, reason: 'invalid_input', detail: 'price, underlying, strike, years and rate must be finite; underlying and strike positive; price ≥ 0' };
  }
  if (years <= 0) return { ok: false, reason: 'expired', detail: 'no time to expiry' };
  const dfR = Math.exp(-rate * years);
  const dfQ = Math.exp(-q * years);
  const value =
    input.model === 'black-76'
      ? (vol: number) => black76({ right, forward: underlying, strike, years, rate, vol })
      : (vol: number) => bsPriceVega(right === 'call', underlying, strike, years, rate, q, dfR, dfQ, vol);
  const lower = Math.max(0, right === 'call' ? underlying * dfQ - strike * dfR : strike * dfR - underlying * dfQ);
  const upper = right === 'call' ? underlying * dfQ : strike * dfR;
  const tol = 1e-12 * Math.max(1, upper);
  if (price < lower - tol) return { ok: false, reason: 'below_intrinsic', detail: `price ${price} is below the discounted intrinsic value ${lower}` };
  if (price >= upper) return { ok: false, reason: 'above_upper_bound', detail: `price ${price} is at or above the no-arbitrage bound ${upper}` };
  let lo = MIN_VOL;
  let hi = MAX_VOL;
  const pLo = value(lo).price;
  const pHi = value(hi).price;
  if (price <= pLo + tol) {
    return { ok: false, reason: 'no_time_value', detail: `price ${price} has no time value above ${pLo} (volatility below ${MIN_VOL})` };
  }
  if (price > pHi) return { ok: false, reason: 'no_convergence', detail: `price ${price} needs a volatility above ${MAX_VOL}` };
  // Start from the Brenner-Subrahmanyam at-the-money estimate, kept inside the bracket.
  let vol = Math.min(hi, Math.max(lo, (Math.sqrt((2 * Math.PI) / years) * price) / (underlying * dfQ)));
  if (!(vol > lo && vol < hi)) vol = 0.5 * (lo + hi);
  for (let i = 1; i <= MAX_ITER; i++) {
    const g = value(vol);
    const diff = g.price - price;
    if (Math.abs(diff) <= 1e-13 * Math.max(price, 1e-8) || hi - lo < 1e-15 * vol) return { ok: true, iv: vol, iterations: i };
    if (diff > 0) hi = vol;
    else lo = vol;
    const vega = g.vega * 100; // ∂V/∂σ per 1.0 of vol
    let next = vega > 0 ? vol - diff / vega : Number.NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next === vol) return { ok: true, iv: vol, iterations: i };
    vol = next;
  }
  return { ok: false, reason: 'no_convergence', detail: `no convergence in ${MAX_ITER} iterations (bracket ${lo}..${hi})` };
}
