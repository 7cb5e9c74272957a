/** `recorded_quotes` (batched, schema v2) on SQLite: the QuoteLedger port (QuoteRecorder + replay reads). */
import type { QuoteLedger, RecordedQuoteInput, RecordedQuoteRow, TimeRange } from '../../../core/ports/ledger-store';
import type { BatchWriter } from '../batch-writer';
import { LedgerError } from '../errors';
import { isVenueName } from '../../../core/model/ids';
import { range, type LedgerDb } from '../ledger-db';
import { rowMapper } from '../row-mapper';
import { epochMs, isoOf, optDecimal, optEpochMs, optIsoOf, record, text } from '../values';

const toQuote = rowMapper<RecordedQuoteRow>('quote_id venue symbol received_at:time exchange_time:time? bid ask last bid_size ask_size');

export class SqliteQuoteLedger implements QuoteLedger {
  private readonly read;
  /** -1 on a ledger opened with a schema older than v2 (no such table). */
  private readonly sink: number;

  constructor(l: LedgerDb, private readonly batch: BatchWriter, hasTable: boolean) {
    this.read = l.statement('SELECT * FROM recorded_quotes WHERE received_at_ms >= ? AND received_at_ms < ? AND quote_id > ? ORDER BY quote_id LIMIT ?');
    this.sink = hasTable
      ? batch.register(
          'recorded_quotes',
          `INSERT INTO recorded_quotes (venue, symbol, received_at, received_at_ms, exchange_time, exchange_time_ms, bid, ask, last, bid_size, ask_size)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
      : -1;
  }

  appendRecordedQuote(quote: RecordedQuoteInput): void {
    const q = record('recorded_quotes', quote);
    if (this.sink < 0) throw new LedgerError('invalid_value', 'recorded_quotes: this ledger was opened with a schema that has no recorded quotes');
    const receivedMs = epochMs('recorded_quotes.received_at', q.receivedAt);
    const exchangeMs = optEpochMs('recorded_quotes.exchange_time', q.exchangeTime);
    this.batch.append(this.sink, [
      venueName(q.venue),
      text('recorded_quotes.symbol', q.symbol),
      isoOf(receivedMs),
      receivedMs,
      optIsoOf(exchangeMs),
      exchangeMs,
      optDecimal('recorded_quotes.bid', q.bid),
      optDecimal('recorded_quotes.ask', q.ask),
      optDecimal('recorded_quotes.last', q.last),
      optDecimal('recorded_quotes.bid_size', q.bidSize, 'nonNegative'),
      optDecimal('recorded_quotes.ask_size', q.askSize, 'nonNegative'),
    ]);
  }

  recordedQuotes(window: TimeRange, opts: { afterQuoteId?: number; limit?: number } = {}): RecordedQuoteRow[] {
    const { from, to } = range('recorded_quotes.received_at', window);
    return (this.read().all(from, to, opts.afterQuoteId ?? 0, opts.limit ?? 10_000) as Record<string, unknown>[]).map(toQuote);
  }
}

/** The venue instance name of a recorded quote (what its InstrumentId says), refused naming the field. */
function venueName(v: unknown): string {
  if (!isVenueName(v)) {
    throw new LedgerError('invalid_value', `recorded_quotes.venue: expected a venue name (lower-case letters, digits, _ or -, starting with a letter, at most 32), got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v}`);
  }
  return v;
}
