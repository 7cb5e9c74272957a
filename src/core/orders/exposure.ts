/**
 * Whether an order reduces exposure (the kill switch's Reducing level, spec §2): it must trade
 * against the position, and together with the open orders already working against it never take
 * more than the position — so no combination of fills can open or flip it. An unknown position
 * (null) is not flat: nothing can be shown to reduce it, so the order counts as opening.
 *
 * Quantities are exact: bigint scaled by QTY_DP (core/model/money.ts).
 */
import type { OrderSide } from './types';

export interface WorkingOrder {
  side: OrderSide;
  /** Quantity still to fill (scaled), ≥ 0. */
  remaining: bigint;
}

export function reducesExposure(position: bigint | null, working: readonly WorkingOrder[], side: OrderSide, quantity: bigint): boolean {
  if (position === null || position === 0n || quantity <= 0n) return false;
  const reducingSide: OrderSide = position > 0n ? 'sell' : 'buy';
  if (side !== reducingSide) return false;
  const already = working.filter((w) => w.side === reducingSide).reduce((a, w) => a + w.remaining, 0n);
  const size = position > 0n ? position : -position;
  return already + quantity <= size;
}

/**
 * The role of an order given none: `exit` when it reduces the position (trades against it and is no
 * larger than it: it cannot open or flip it), `entry` otherwise — an unknown or flat position, the
 * same side, or more than the position. Working orders are not weighed: this names what the order
 * itself does, not whether the kill switch lets it through.
 */
export function roleByExposure(position: bigint | null, side: OrderSide, quantity: bigint): 'entry' | 'exit' {
  return reducesExposure(position, [], side, quantity) ? 'exit' : 'entry';
}
