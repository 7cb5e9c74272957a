/**
 * How the renderer keys quotes: the one place that says which field of a wire row names its
 * instrument. Quotes are looked up by a position's / leg's key and stored by a quote's key with
 * these two functions only, so moving from symbols to instrument ids is a change here.
 */
import type { QuoteWire } from '@shared/contract';

/** The key a quote is stored under. */
export function quoteKey(q: Pick<QuoteWire, 'symbol'>): string {
  return q.symbol;
}

/** The key of the quote a position, leg or plan entry reads (its symbol today). */
export function quoteKeyOf(row: { symbol: string }): string {
  return row.symbol;
}
