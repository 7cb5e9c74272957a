/**
 * How the renderer keys quotes: the one place that says which field of a wire row names its
 * instrument. Quotes are keyed by instrument (`venue:symbol`, QuoteWire.instrument): the same symbol
 * at two venues is two quotes. A position reads the quote of its `instrument_id`; a venue symbol (a
 * structure leg, an underlying, a plan entry) is looked up at a venue.
 */
import type { QuoteWire } from '@shared/contract';

/** The key a quote is stored under. */
export function quoteKey(q: Pick<QuoteWire, 'instrument'>): string {
  return q.instrument;
}

/** The key of the quote a position reads (its instrument id). */
export function quoteKeyOf(row: { instrument_id: string }): string {
  return row.instrument_id;
}

/** The key of a venue symbol at a venue (`venue:symbol`). */
export function symbolKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/** The key of an underlying symbol at the venue of a position's instrument. */
export function underlyingKeyOf(row: { instrument_id: string }, underlying: string): string {
  return symbolKey(row.instrument_id.slice(0, row.instrument_id.indexOf(':')), underlying);
}

/** The quote of a venue symbol at the desk's venue. */
export function quoteOfSymbol(s: { quotes: Record<string, QuoteWire>; venue: string }, symbol: string): QuoteWire | undefined {
  return s.quotes[symbolKey(s.venue, symbol)];
}
