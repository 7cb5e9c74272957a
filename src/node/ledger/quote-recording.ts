import type { Quote } from '../../core/market/quote';
import type { RecordedQuoteInput, VenueId } from '../../core/ports/ledger-store';
import { decimalFromNumber } from './values';

/**
 * A cached quote as a row for `recorded_quotes`. Quote fields hold the venue's decimal values as
 * received (never arithmetic results), so their shortest round-trip text is the venue's decimal.
 */
export function recordedQuoteOf(venue: VenueId, q: Quote): RecordedQuoteInput {
  const d = (field: string, n: number | null) => (n === null ? null : decimalFromNumber(`recorded_quotes.${field}`, n));
  return {
    venue,
    symbol: q.symbol,
    receivedAt: q.receivedAt,
    exchangeTime: q.exchangeTime,
    bid: d('bid', q.bid),
    ask: d('ask', q.ask),
    last: d('last', q.last),
    bidSize: d('bid_size', q.bidSize),
    askSize: d('ask_size', q.askSize),
  };
}
