/**
 * The replay import (issue 21; format in docs/replay.md): a CSV of quotes or of minute bars for one
 * day. Every line is validated (zod) and every problem is reported with its line number and column,
 * up to MAX_ERRORS; a file with any problem yields no day at all (nothing stored is touched).
 *
 *   quotes:  time,symbol,bid,ask,last,bid_size,ask_size   (last and the sizes may be empty)
 *   bars:    time,symbol,open,high,low,close,volume       (volume may be empty)
 *
 * `time` is ISO-8601 with a zone (`2026-12-04T14:30:00Z`, `…+05:30`) or epoch milliseconds. Lines
 * starting with `#` are comments; `# synthetic` anywhere in them labels the day synthetic. A bar has
 * no book: it replays as a quote at its time with its close on both sides and as the last trade
 * (a zero-width book), so marks and paper fills exist; the import says so in its label.
 */
import { z } from 'zod';
import { dayOfQuotes, type ReplayDay, type TimedQuote } from './day';

export const MAX_ERRORS = 20;
/** Largest import (lines): ~23,400 one-second steps × 40 symbols. */
export const MAX_LINES = 1_000_000;
/** All of one day: the last time at most this long after the first. */
export const MAX_DAY_SPAN_MS = 24 * 3600 * 1000;

const QUOTE_HEADER = ['time', 'symbol', 'bid', 'ask', 'last', 'bid_size', 'ask_size'] as const;
const BAR_HEADER = ['time', 'symbol', 'open', 'high', 'low', 'close', 'volume'] as const;

const DECIMAL = /^\d{1,12}(\.\d{1,10})?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const time = z.string().transform((s, ctx) => {
  if (/^\d{12,14}$/.test(s)) return Number(s);
  if (ISO.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  ctx.addIssue({ code: 'custom', message: 'must be ISO-8601 with a zone (2026-12-04T14:30:00Z) or epoch milliseconds' });
  return z.NEVER;
});
// NSE names carry "&" (M&M, M&MFIN) and index names inner spaces (Nifty 50); cells are trimmed already.
const symbol = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9._/&-]| (?! )){0,63}$/, 'must be a symbol (letters, digits, . _ / & - and single inner spaces, at most 64)').refine((s) => !s.endsWith(' '), 'must not end with a space');
const PRICE_MESSAGE = 'must be a non-negative decimal (e.g. 1.25)';
const price = z.string().regex(DECIMAL, PRICE_MESSAGE).transform(Number);
/** Empty: not given (null, never zero). */
const optPrice = z.string().transform((s, ctx): number | null => {
  if (s === '') return null;
  if (!DECIMAL.test(s)) {
    ctx.addIssue({ code: 'custom', message: PRICE_MESSAGE });
    return z.NEVER;
  }
  return Number(s);
});

const quoteRow = z
  .object({ time, symbol, bid: optPrice, ask: optPrice, last: optPrice, bid_size: optPrice, ask_size: optPrice })
  .superRefine((r, ctx) => {
    if (r.bid === null && r.ask === null && r.last === null) ctx.addIssue({ code: 'custom', path: ['bid'], message: 'a quote needs a bid, an ask or a last' });
    if (r.bid !== null && r.ask !== null && r.ask < r.bid) ctx.addIssue({ code: 'custom', path: ['ask'], message: `is below the bid (${r.bid})` });
  });
const barRow = z
  .object({ time, symbol, open: price, high: price, low: price, close: price, volume: optPrice })
  .superRefine((r, ctx) => {
    if (r.high < r.low) ctx.addIssue({ code: 'custom', path: ['high'], message: `is below the low (${r.low})` });
    if (r.close > r.high || r.close < r.low) ctx.addIssue({ code: 'custom', path: ['close'], message: `is outside the bar's low–high (${r.low}–${r.high})` });
  });

export type CsvKind = 'quotes' | 'bars';

export type CsvParseResult = { ok: true; day: ReplayDay; kind: CsvKind; rows: number } | { ok: false; errors: string[] };

/** Splits one CSV line (no quoting: the format's fields never hold commas). */
function cells(line: string): string[] {
  return line.split(',').map((c) => c.trim());
}

/**
 * Parses an import. `name` names the source (the file's name): the day's id is `import:<name>`.
 * Errors read `line 12, column "bid": must be a non-negative decimal (e.g. 1.25)`.
 */
export function parseReplayCsv(text: string, name: string, venue = 'sim'): CsvParseResult {
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINES + 1) return { ok: false, errors: [`the file has ${lines.length} lines: at most ${MAX_LINES} are imported`] };
  let header: readonly string[] | null = null;
  let kind: CsvKind = 'quotes';
  let synthetic = false;
  const quotes: TimedQuote[] = [];
  for (let i = 0; i < lines.length && errors.length < MAX_ERRORS; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    if (raw.startsWith('#')) {
      if (/\bsynthetic\b/i.test(raw)) synthetic = true;
      continue;
    }
    const c = cells(raw);
    if (header === null) {
      const h = c.map((x) => x.toLowerCase());
      if (QUOTE_HEADER.every((k, j) => h[j] === k) && h.length === QUOTE_HEADER.length) header = QUOTE_HEADER;
      else if (BAR_HEADER.every((k, j) => h[j] === k) && h.length === BAR_HEADER.length) {
        header = BAR_HEADER;
        kind = 'bars';
      } else {
        return { ok: false, errors: [`line ${lineNo}: the header must be "${QUOTE_HEADER.join(',')}" (quotes) or "${BAR_HEADER.join(',')}" (minute bars)`] };
      }
      continue;
    }
    if (c.length !== header.length) {
      errors.push(`line ${lineNo}: ${c.length} columns, expected ${header.length} (${header.join(',')})`);
      continue;
    }
    const obj: Record<string, string> = {};
    header.forEach((k, j) => (obj[k] = c[j]!));
    if (kind === 'quotes') {
      const r = quoteRow.safeParse(obj);
      if (!r.success) {
        for (const issue of r.error.issues) errors.push(`line ${lineNo}, column "${String(issue.path[0] ?? 'line')}": ${issue.message}`);
        continue;
      }
      const q = r.data;
      quotes.push({ t: q.time, symbol: q.symbol, bid: q.bid, ask: q.ask, last: q.last, bidSize: q.bid_size, askSize: q.ask_size });
    } else {
      const r = barRow.safeParse(obj);
      if (!r.success) {
        for (const issue of r.error.issues) errors.push(`line ${lineNo}, column "${String(issue.path[0] ?? 'line')}": ${issue.message}`);
        continue;
      }
      const b = r.data;
      quotes.push({ t: b.time, symbol: b.symbol, bid: b.close, ask: b.close, last: b.close, bidSize: null, askSize: null });
    }
  }
  if (errors.length >= MAX_ERRORS) errors.push(`(stopped after ${MAX_ERRORS} problems)`);
  if (errors.length > 0) return { ok: false, errors };
  if (header === null) return { ok: false, errors: ['the file has no header line (and no data)'] };
  if (quotes.length === 0) return { ok: false, errors: ['the file has a header but no data lines'] };
  let first = Infinity;
  let last = -Infinity;
  for (const q of quotes) {
    if (q.t < first) first = q.t;
    if (q.t > last) last = q.t;
  }
  if (last - first > MAX_DAY_SPAN_MS) return { ok: false, errors: [`the file spans ${((last - first) / 3_600_000).toFixed(1)} hours: a replay day spans at most 24`] };
  const label = `${name}${kind === 'bars' ? ' (minute bars: close on both sides)' : ''}${synthetic ? ' — synthetic' : ''}`;
  return { ok: true, kind, rows: quotes.length, day: dayOfQuotes({ id: `import:${name}`, label, kind: 'import', synthetic, venue }, quotes) };
}
