/**
 * Marks: which price values an open position, and why a position has none. A P&L without a
 * usable mark is unknown — `null` with one of these reasons — never 0.
 */
import { PRICE_DP, scaledToNumber, tryPrice, type Price } from '../model/money';
import type { Quote } from '../market/quote';
import type { PositionSide } from './fifo';

/** mid (default) | last trade | conservative: bid for longs, ask for shorts (what you could close at). */
export type MarkPolicy = 'mid' | 'last' | 'conservative';

export type UnknownReason =
  | 'no_quote' // no quote received for the symbol
  | 'stale_quote' // the quote is older than the staleness threshold
  | 'one_sided' // the side the policy needs is missing (or zero)
  | 'crossed_quote' // ask below bid
  | 'no_last' // policy `last` and no last trade
  | 'bad_price'; // a price that is negative, not finite or has more than 10 decimals

export type MarkSource = 'mid' | 'bid' | 'ask' | 'last';

/**
 * A mark as twice the price (exact for a mid: bid + ask), so money = markX2 × units × 5 stays exact.
 */
export type Mark = { ok: true; markX2: bigint; source: MarkSource } | { ok: false; reason: UnknownReason };

/** Venue numbers of a quote converted once to exact prices (null = missing or unusable). */
export interface QuotePrices {
  bid: Price | null;
  ask: Price | null;
  last: Price | null;
  /** A price field was present but not representable (negative, NaN, > 10 decimals). */
  bad: boolean;
}

function conv(x: number | null, allowZero: boolean): { p: Price | null; bad: boolean } {
  if (x === null) return { p: null, bad: false };
  if (x === 0 && !allowZero) return { p: null, bad: false }; // venues send 0 for an empty side
  const p = tryPrice(x);
  if (p === null || p < 0n) return { p: null, bad: true };
  return { p, bad: false };
}

export function quotePrices(q: Pick<Quote, 'bid' | 'ask' | 'last'>): QuotePrices {
  const b = conv(q.bid, false);
  const a = conv(q.ask, false);
  const l = conv(q.last, false);
  return { bid: b.p, ask: a.p, last: l.p, bad: b.bad || a.bad || l.bad };
}

export function markOf(p: QuotePrices, policy: MarkPolicy, side: PositionSide): Mark {
  if (policy === 'last') {
    if (p.last !== null) return { ok: true, markX2: p.last * 2n, source: 'last' };
    return { ok: false, reason: p.bad ? 'bad_price' : 'no_last' };
  }
  if (p.bid !== null && p.ask !== null && p.ask < p.bid) return { ok: false, reason: 'crossed_quote' };
  if (policy === 'mid') {
    if (p.bid !== null && p.ask !== null) return { ok: true, markX2: p.bid + p.ask, source: 'mid' };
    return { ok: false, reason: p.bad ? 'bad_price' : 'one_sided' };
  }
  const px = side === 'LONG' ? p.bid : p.ask;
  if (px !== null) return { ok: true, markX2: px * 2n, source: side === 'LONG' ? 'bid' : 'ask' };
  return { ok: false, reason: p.bad ? 'bad_price' : 'one_sided' };
}

/** The mark as a display number (exact for every venue price; a mid may carry one more digit). */
export function markToNumber(markX2: bigint): number {
  return scaledToNumber(markX2 * 5n, PRICE_DP + 1);
}
