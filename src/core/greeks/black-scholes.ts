/**
 * Black-Scholes-Merton (equity options, continuous dividend yield) and Black-76 (options on
 * futures/forwards: index and crypto options) prices and greeks, in plain doubles — greeks are
 * analytics, not money.
 *
 * Conventions (what each greek is "per"):
 * - delta: ∂V/∂S (Black-76: ∂V/∂F), per 1.0 of the underlying, per unit of the option (not × multiplier).
 * - gamma: ∂²V/∂S², per 1.0 of the underlying.
 * - vega: change in value for a 1 volatility-point move (σ 20% → 21%), i.e. ∂V/∂σ / 100.
 * - theta: calendar time decay ∂V/∂t. `thetaPerYear` per year of 365 days; `thetaPerDay` =
 *   thetaPerYear / 365 (one calendar day). Negative for a long option that loses value as time passes.
 * - rho: change in value for a 1 percentage-point move in the rate (r 5% → 6%), i.e. ∂V/∂r / 100.
 * Time is in years (365-day year), rates and yields continuously compounded, vol annualized.
 * At or past expiry (years ≤ 0) the price is intrinsic value and the greeks are those of the payoff.
 */
import { normCdf, normPdf } from './normal';

export type OptionRight = 'call' | 'put';

export interface BlackScholesInput {
  right: OptionRight;
  /** Underlying price. */
  spot: number;
  strike: number;
  /** Time to expiry in years. */
  years: number;
  /** Continuously compounded risk-free rate, e.g. 0.05. */
  rate: number;
  /** Annualized volatility, e.g. 0.2. */
  vol: number;
  /** Continuous dividend yield. */
  dividendYield?: number;
}

export interface Black76Input {
  right: OptionRight;
  /** Futures / forward price. */
  forward: number;
  strike: number;
  years: number;
  rate: number;
  vol: number;
}

export interface Greeks {
  price: number;
  delta: number;
  gamma: number;
  /** Per 1 vol point (σ + 0.01). */
  vega: number;
  /** Per year (365 days). */
  thetaPerYear: number;
  /** Per calendar day (thetaPerYear / 365). */
  thetaPerDay: number;
  /** Per 1 percentage point of rate. */
  rho: number;
}

export const DAYS_PER_YEAR = 365;

/** The shared generalized model: underlying S with carry yield q (Black-76 is S = F, q = r). */
function generalized(right: OptionRight, s: number, k: number, t: number, r: number, q: number, vol: number): Omit<Greeks, 'rho'> & { rhoR: number; rhoQ: number } {
  const call = right === 'call';
  const dfR = Math.exp(-r * t);
  const dfQ = Math.exp(-q * t);
  if (t <= 0 || vol <= 0) {
    // Expired, or no volatility: the (discounted forward) intrinsic value, a step in delta.
    const tt = Math.max(0, t);
    const fwdIntrinsic = call ? s * dfQ - k * dfR : k * dfR - s * dfQ;
    const itm = fwdIntrinsic > 0;
    const price = itm ? fwdIntrinsic : 0;
    const delta = itm ? (call ? dfQ : -dfQ) : 0;
    const thetaPerYear = itm ? (call ? q * s * dfQ - r * k * dfR : r * k * dfR - q * s * dfQ) : 0;
    return {
      price,
      delta,
      gamma: 0,
      vega: 0,
      thetaPerYear,
      thetaPerDay: thetaPerYear / DAYS_PER_YEAR,
      rhoR: itm ? (call ? k * tt * dfR : -k * tt * dfR) : 0,
      rhoQ: itm ? (call ? -s * tt * dfQ : s * tt * dfQ) : 0,
    };
  }
  const sqrtT = Math.sqrt(t);
  const volT = vol * sqrtT;
  const d1 = (Math.log(s / k) + (r - q + 0.5 * vol * vol) * t) / volT;
  const d2 = d1 - volT;
  const pdf1 = normPdf(d1);
  const sq = s * dfQ;
  const kr = k * dfR;
  const gamma = (dfQ * pdf1) / (s * volT);
  const vegaPerUnit = sq * pdf1 * sqrtT;
  const decay = -(sq * pdf1 * vol) / (2 * sqrtT);
  let price: number;
  let delta: number;
  let thetaPerYear: number;
  let rhoR: number;
  let rhoQ: number;
  if (call) {
    const n1 = normCdf(d1);
    const n2 = normCdf(d2);
    price = sq * n1 - kr * n2;
    delta = dfQ * n1;
    thetaPerYear = decay - r * kr * n2 + q * sq * n1;
    rhoR = k * t * dfR * n2;
    rhoQ = -t * sq * n1;
  } else {
    const m1 = normCdf(-d1);
    const m2 = normCdf(-d2);
    price = kr * m2 - sq * m1;
    delta = -dfQ * m1;
    thetaPerYear = decay + r * kr * m2 - q * sq * m1;
    rhoR = -k * t * dfR * m2;
    rhoQ = t * sq * m1;
  }
  // Rounding can push a deep out-of-the-money price a hair below zero.
  price = Math.max(0, price);
  return { price, delta, gamma, vega: vegaPerUnit / 100, thetaPerYear, thetaPerDay: thetaPerYear / DAYS_PER_YEAR, rhoR, rhoQ };
}

function valid(...xs: number[]): boolean {
  return xs.every((x) => Number.isFinite(x));
}

/** Black-Scholes-Merton price and greeks. Throws RangeError on non-finite or non-positive spot/strike. */
export function blackScholes(input: BlackScholesInput): Greeks {
  const q = input.dividendYield ?? 0;
  if (!valid(input.spot, input.strike, input.years, input.rate, input.vol, q) || input.spot <= 0 || input.strike <= 0 || input.vol < 0) {
    throw new RangeError(`black-scholes input out of range: ${JSON.stringify(input)}`);
  }
  const g = generalized(input.right, input.spot, input.strike, input.years, input.rate, q, input.vol);
  return { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega, thetaPerYear: g.thetaPerYear, thetaPerDay: g.thetaPerDay, rho: g.rhoR / 100 };
}

/** Black-Scholes-Merton price of a European option (intrinsic value at or past expiry). */
export function blackScholesPrice(input: BlackScholesInput): number {
  return blackScholes(input).price;
}

/** Black-76 price and greeks (delta and gamma with respect to the forward). */
export function black76(input: Black76Input): Greeks {
  if (!valid(input.forward, input.strike, input.years, input.rate, input.vol) || input.forward <= 0 || input.strike <= 0 || input.vol < 0) {
    throw new RangeError(`black-76 input out of range: ${JSON.stringify(input)}`);
  }
  const g = generalized(input.right, input.forward, input.strike, input.years, input.rate, input.rate, input.vol);
  // A rate move discounts the whole value (the forward is held fixed): ∂V/∂r = -T·V.
  return { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega, thetaPerYear: g.thetaPerYear, thetaPerDay: g.thetaPerDay, rho: (-Math.max(0, input.years) * g.price) / 100 };
}

export function black76Price(input: Black76Input): number {
  return black76(input).price;
}
