/**
 * P&L in points (spec §6 `unrealized_points`): the price difference per unit of the underlying
 * quantity — mark − entry for a long, entry − mark for a short — i.e. the P&L divided by the
 * units it is earned on (quantity × multiplier). A structure's points are its net P&L per
 * "one structure": divided by the greatest common divisor of its legs' units, so a 2 × 1-lot
 * straddle of 100-multiplier options moves one point when the combo's price moves by 1.00.
 *
 * Exact: computed on the fixed-point values (money 10⁻²⁶, units 10⁻¹⁵) and rounded once, half up,
 * at 10⁻¹¹ — finer than any price (10⁻¹⁰) and a mid (10⁻¹¹), so a single-lot position's points are
 * exactly mark − entry; an average entry that does not terminate is rounded there. Unknown P&L
 * gives unknown points (null), never 0.
 */
import { MONEY_DP, UNITS_DP, absBig, divRound, scaledToNumber } from '../model/money';

/** Decimals of a points figure (money scale − units scale). */
export const POINTS_DP = MONEY_DP - UNITS_DP;

/** pnl (money scale) ÷ units (10⁻¹⁵ scale, any sign): points, or null when unknown or no units. */
export function pnlPoints(pnl: bigint | null, units: bigint): number | null {
  if (pnl === null) return null;
  const u = absBig(units);
  if (u === 0n) return null;
  return scaledToNumber(divRound(pnl, u), POINTS_DP);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The units of "one structure": gcd of |quantity × multiplier| over its legs (0 without legs). */
export function structureUnits(legUnits: readonly bigint[]): bigint {
  let g = 0n;
  for (const u of legUnits) g = gcd(g, absBig(u));
  return g;
}
