/**
 * Recorded quotes (the ledger's `recorded_quotes`, written while the `record_quotes` setting is on)
 * as a replay day: each row is one quote as it entered the quote cache, at its receive time. Rows of
 * one venue instance only (two venues' quotes of a symbol are two instruments).
 */
import type { RecordedQuoteInput } from '../ports/ledger-store';
import { dayOfQuotes, type ReplayDay, type TimedQuote } from './day';

const num = (d: string | null): number | null => (d === null ? null : Number(d));

export function timedQuoteOfRecorded(r: RecordedQuoteInput): TimedQuote {
  return { t: r.receivedAt, symbol: r.symbol, bid: num(r.bid), ask: num(r.ask), last: num(r.last), bidSize: num(r.bidSize), askSize: num(r.askSize) };
}

/** The recorded day of `venue` on `date` (UTC, YYYY-MM-DD) from its rows (any order; other venues' rows are left out). */
export function recordedDay(venue: string, date: string, rows: readonly RecordedQuoteInput[]): ReplayDay {
  const quotes = rows.filter((r) => r.venue === venue).map(timedQuoteOfRecorded);
  return dayOfQuotes({ id: `recorded:${venue}:${date}`, label: `Recorded ${venue} ${date}`, kind: 'recorded', synthetic: false, venue }, quotes);
}
