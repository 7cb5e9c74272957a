/**
 * Marks — the one module that decides which price values a position and how old that price is
 * (spec §5). Used by the quote cache, the P&L book, position and structure views, the model delta
 * and (through revalue.ts) the renderer, so none of them can disagree.
 *
 * A mark is never invented: no usable price gives an unknown reason, never 0. The age of a mark is
 * the age of what it was computed from — the book (bid/ask) for `mid` and `conservative`, the last
 * trade for `last` — never the time of the quote's latest update of any kind: a trade print a
 * second ago does not make a 61-second-old book fresh, nor a fresh book an old trade.
 */
import { PRICE_DP, scaledToNumber, tryPrice, type Price } from '../model/money';
import { MAX_PLAUSIBLE_PRICE, type Quote } from './quote';

/** mid (default) | last trade | conservative: bid for longs, ask for shorts (what you could close at). */
export type MarkPolicy = 'mid' | 'last' | 'conservative';

/** The side of the position being marked (pnl/fifo's PositionSide). */
export type MarkSide = 'LONG' | 'SHORT';

export type UnknownReason =
  | 'no_quote' // no quote received for the symbol
  | 'stale_quote' // the book (or trade) the mark needs is older than the staleness threshold
  | 'one_sided' // the side the policy needs is missing (or zero)
  | 'crossed_quote' // ask below bid
  | 'no_last' // policy `last` and no last trade
  | 'bad_price' // a price that is negative, not finite, implausibly large or has more than 10 decimals
  | 'expired'; // the instrument has expired: no market values it (shown as expired, not as a quote problem)

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

/** MAX_PLAUSIBLE_PRICE at the Price scale: a price above it is bad here and in the P&L book alike. */
export const MAX_PLAUSIBLE_PRICE_SCALED = BigInt(MAX_PLAUSIBLE_PRICE) * 10n ** BigInt(PRICE_DP);

function conv(x: number | null, allowZero: boolean): { p: Price | null; bad: boolean } {
  if (x === null) return { p: null, bad: false };
  if (x === 0 && !allowZero) return { p: null, bad: false }; // venues send 0 for an empty side
  const p = tryPrice(x);
  if (p === null || p < 0n || p > MAX_PLAUSIBLE_PRICE_SCALED) return { p: null, bad: true };
  return { p, bad: false };
}

export function quotePrices(q: Pick<Quote, 'bid' | 'ask' | 'last'>): QuotePrices {
  const b = conv(q.bid, false);
  const a = conv(q.ask, false);
  const l = conv(q.last, false);
  return { bid: b.p, ask: a.p, last: l.p, bad: b.bad || a.bad || l.bad };
}

export function markOf(p: QuotePrices, policy: MarkPolicy, side: MarkSide): Mark {
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

/** The receive-time fields of a quote (the cache's Quote and the wire's QuoteWire both fit). */
export type QuoteTimes = Pick<Quote, 'receivedAt' | 'bookReceivedAt' | 'lastReceivedAt'>;

/** Receive time of the quote's book (bid/ask); absent means `receivedAt`, null means no book yet. */
export function bookTimeOf(q: QuoteTimes): number | null {
  return q.bookReceivedAt === undefined ? q.receivedAt : q.bookReceivedAt;
}

/** Receive time of the quote's last trade; absent means `receivedAt`, null means no trade yet. */
export function lastTimeOf(q: QuoteTimes): number | null {
  return q.lastReceivedAt === undefined ? q.receivedAt : q.lastReceivedAt;
}

/**
 * When the inputs of a mark under `policy` were received: the last trade's time for `last`, the
 * book's otherwise. The mark's age is `now` minus this; null when that part was never received.
 */
export function markTimeOf(q: QuoteTimes, policy: MarkPolicy): number | null {
  return policy === 'last' ? lastTimeOf(q) : bookTimeOf(q);
}

/** A mark as the quote cache reports it: a display number with its age, staleness and reason. */
export interface QuoteMark {
  value: number | null;
  basis: MarkSource | null;
  /** Age in ms of the price the mark came from (book or trade), null when there is none. */
  ageMs: number | null;
  stale: boolean;
  /** Why `value` is null, or why it should not be trusted (stale); null when fine. */
  reason: string | null;
}

const REASON_TEXT: Record<UnknownReason, string> = {
  no_quote: 'no quote',
  stale_quote: 'quote is stale',
  one_sided: 'one side of the book is missing',
  crossed_quote: 'ask is below bid',
  no_last: 'no last trade',
  bad_price: 'a quoted price is not a valid decimal',
  expired: 'instrument has expired',
};

/** The mark of a quote with its age, by the same rules as the P&L (markOf + markTimeOf). */
export function quoteMark(quote: Quote | undefined, policy: MarkPolicy, side: MarkSide, nowMs: number, staleAfterMs: number): QuoteMark {
  if (!quote) return { value: null, basis: null, ageMs: null, stale: true, reason: REASON_TEXT.no_quote };
  const at = markTimeOf(quote, policy);
  const ageMs = at === null ? null : nowMs - at;
  const m = markOf(quotePrices(quote), policy, side);
  if (!m.ok || ageMs === null) {
    let reason = REASON_TEXT[m.ok ? (policy === 'last' ? 'no_last' : 'one_sided') : m.reason];
    if (!m.ok && m.reason === 'one_sided') reason = policy === 'mid' ? 'no two-sided market for a mid' : `no ${side === 'LONG' ? 'bid' : 'ask'}`;
    return { value: null, basis: null, ageMs, stale: true, reason };
  }
  const stale = ageMs > staleAfterMs;
  return { value: markToNumber(m.markX2), basis: m.source, ageMs, stale, reason: stale ? `quote is ${ageMs} ms old (stale after ${staleAfterMs} ms)` : null };
}
