import type { Quote, QuoteValues } from '../../core/market/quote';
import { instrumentVenue } from '../../core/model/ids';
import type { QuoteRecorder, RecordedQuoteInput } from '../../core/ports/ledger-store';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../../core/ports/logger';
import { decimalFromNumber } from './values';

/** Hoisted (not a closure per quote): the quote path records up to tens of thousands a second. */
function d(field: string, n: number | null): string | null {
  return n === null ? null : decimalFromNumber(`recorded_quotes.${field}`, n);
}

/**
 * A cached quote as a row for `recorded_quotes`. `venue` is the venue instance of the quote's
 * InstrumentId (`sim`, `sim2`, `alpaca`): two venues' quotes of one symbol stay apart in the
 * recording as they do in the cache. Quote fields hold the venue's decimal values as received
 * (never arithmetic results), so their shortest round-trip text is the venue's decimal.
 */
export function recordedQuoteOf(venue: string, q: QuoteValues): RecordedQuoteInput {
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

/**
 * The `record_quotes` desk setting at work: while on, every quote entering the quote cache is
 * handed to a QuoteRecorder (the ledger queues it for its batch writer: no database work on the
 * quote path). A quote the ledger refuses is counted and logged (the first, then every 1,000th);
 * it never breaks the quote path.
 */
export class QuoteRecording {
  private on = false;
  private refusedCount = 0;

  constructor(
    private readonly recorder: QuoteRecorder,
    private readonly logger: Logger = silentLogger,
  ) {}

  get enabled(): boolean {
    return this.on;
  }

  setEnabled(on: boolean): void {
    this.on = on;
  }

  /** Quotes refused by the ledger since construction (invalid values, a schema without the table). */
  get refused(): number {
    return this.refusedCount;
  }

  /** Records a cached quote under its own venue (the InstrumentId's), not the desk's configured one. */
  record(q: Quote): void {
    if (!this.on) return;
    try {
      this.recorder.appendRecordedQuote(recordedQuoteOf(instrumentVenue(q.instrument), q));
    } catch (err) {
      if (this.refusedCount++ % 1000 === 0) {
        this.logger.warn('quote not recorded', { symbol: q.symbol, error: err instanceof Error ? err.message : String(err), refused: this.refusedCount });
      }
    }
  }
}
