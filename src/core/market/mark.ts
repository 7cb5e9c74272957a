import type { Quote } from './quote';
import { bookTimeOf, lastTimeOf, midOf } from './quote';

/**
 * How a position is marked (spec §5): `mid` when both sides exist; `last` trade; `conservative`
 * marks longs at the bid and shorts at the ask (what closing would fetch right now).
 * A mark is never invented: no usable price gives `value: null` with the reason.
 */
export type MarkPolicy = 'mid' | 'last' | 'conservative';
export type PositionSide = 'long' | 'short';

export type MarkBasis = 'mid' | 'last' | 'bid' | 'ask';

export interface Mark {
  value: number | null;
  basis: MarkBasis | null;
  /** Age in ms of the price the mark came from (book or trade), null when there is none. */
  ageMs: number | null;
  stale: boolean;
  /** Why `value` is null, or why it should not be trusted (stale); null when fine. */
  reason: string | null;
}

export function markOf(
  quote: Quote | undefined,
  policy: MarkPolicy,
  side: PositionSide,
  nowMs: number,
  staleAfterMs: number,
): Mark {
  if (!quote) return { value: null, basis: null, ageMs: null, stale: true, reason: 'no quote' };
  let value: number | null;
  let basis: MarkBasis;
  let at: number | null;
  let missing: string;
  switch (policy) {
    case 'mid':
      value = midOf(quote);
      basis = 'mid';
      at = bookTimeOf(quote);
      missing = 'no two-sided market for a mid';
      break;
    case 'last':
      value = quote.last;
      basis = 'last';
      at = lastTimeOf(quote);
      missing = 'no last trade';
      break;
    case 'conservative':
      basis = side === 'long' ? 'bid' : 'ask';
      value = side === 'long' ? quote.bid : quote.ask;
      // A zero bid/ask means "no market on that side" (Alpaca: price 0 = no active bid/ask).
      if (value !== null && value <= 0) value = null;
      at = bookTimeOf(quote);
      missing = `no ${basis}`;
      break;
  }
  if (value === null || at === null) return { value: null, basis: null, ageMs: at === null ? null : nowMs - at, stale: true, reason: missing };
  const ageMs = nowMs - at;
  const stale = ageMs > staleAfterMs;
  return { value, basis, ageMs, stale, reason: stale ? `quote is ${ageMs} ms old (stale after ${staleAfterMs} ms)` : null };
}
