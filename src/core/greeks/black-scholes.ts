import { normCdf } from './normal';

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

/** Black-Scholes-Merton price of a European option; intrinsic value at or past expiry. */
export function blackScholesPrice(input: BlackScholesInput): number {
  const { right, spot, strike, years, rate, vol } = input;
  const q = input.dividendYield ?? 0;
  if (years <= 0 || vol <= 0) {
    const intrinsic = right === 'call' ? spot - strike : strike - spot;
    return Math.max(0, intrinsic);
  }
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate - q + 0.5 * vol * vol) * years) / (vol * sqrtT);
  const d2 = d1 - vol * sqrtT;
  const df = Math.exp(-rate * years);
  const dq = Math.exp(-q * years);
  return right === 'call'
    ? spot * dq * normCdf(d1) - strike * df * normCdf(d2)
    : strike * df * normCdf(-d2) - spot * dq * normCdf(-d1);
}
