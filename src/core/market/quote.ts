/**
 * A normalized top-of-book quote as every venue adapter produces it. Prices are the venue's decimal
 * values as received (never the result of arithmetic); money arithmetic converts them exactly.
 * `null` means the venue did not provide that field: unknown, never zero.
 */
export interface Quote {
  symbol: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** Exchange timestamp, epoch ms (null if the venue sent none). */
  exchangeTime: number | null;
  /** When this process received it, epoch ms from the injected clock. */
  receivedAt: number;
}

/** Mid when both sides exist and are positive, otherwise null. */
export function midOf(q: Pick<Quote, 'bid' | 'ask'>): number | null {
  if (q.bid === null || q.ask === null || q.bid <= 0 || q.ask <= 0 || q.ask < q.bid) return null;
  return (q.bid + q.ask) / 2;
}
