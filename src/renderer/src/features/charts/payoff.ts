/**
 * Payoff diagram data from the core's `PayoffView`: the curve at expiry, with breakevens and the
 * live underlying price marked. The core's figures are exact; the curve is a display series.
 */
import type { PayoffView } from '@core/pnl/views';

export interface PayoffSeries {
  xs: number[];
  ys: number[];
  breakevens: number[];
  /** Live underlying price when known and inside (or near) the plotted range. */
  live: number | null;
  /** P&L at expiry interpolated at the live price (display only). */
  liveValue: number | null;
}

/** Linear interpolation on the (sorted) curve; null outside it. */
export function valueAt(xs: readonly number[], ys: readonly number[], x: number): number | null {
  if (xs.length === 0 || x < xs[0]! || x > xs[xs.length - 1]!) return null;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  if (x1 === x0) return ys[lo]!;
  return ys[lo]! + ((ys[hi]! - ys[lo]!) * (x - x0)) / (x1 - x0);
}

export function buildPayoffSeries(view: PayoffView, livePrice: number | null): PayoffSeries | null {
  if (!view.ok || view.curve.length === 0) return null;
  const pts = [...view.curve].sort((a, b) => a.underlying_price - b.underlying_price);
  const xs = pts.map((p) => p.underlying_price);
  const ys = pts.map((p) => p.pnl);
  const live = livePrice !== null && Number.isFinite(livePrice) ? livePrice : null;
  return { xs, ys, breakevens: [...view.breakevens].sort((a, b) => a - b), live, liveValue: live === null ? null : valueAt(xs, ys, live) };
}
