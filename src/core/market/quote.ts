import type { InstrumentId } from '../model/ids';

/**
 * A normalized top-of-book quote as every venue adapter produces it. Prices are the venue's decimal
 * values as received (never the result of arithmetic); money arithmetic converts them exactly.
 * `null` means the venue did not provide that field: unknown, never zero.
 *
 * The cache merges two kinds of venue events into one `Quote` per instrument (venue + symbol, so
 * two venues' identical symbols never share a quote): book updates (bid/ask and
 * sizes) and trades (`last`). Their receive times are kept apart (`bookReceivedAt`, `lastReceivedAt`)
 * because a mark taken from a two-hour-old book is not made fresh by a trade a second ago.
 */
export interface Quote {
  /** The key: this instrument at this venue (`venue:symbol`), set at the market-data boundary. */
  instrument: InstrumentId;
  /** The venue's own symbol (for display and for talking to the venue). */
  symbol: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** Exchange timestamp of the most recent update, epoch ms (null if the venue sent none). */
  exchangeTime: number | null;
  /** When this process received the most recent update of any kind, epoch ms from the injected clock. */
  receivedAt: number;
  /** Receive time of the latest bid/ask update; absent means `receivedAt`, null means no book seen yet. */
  bookReceivedAt?: number | null;
  /** Receive time of the latest trade (`last`); absent means `receivedAt`, null means no trade seen yet. */
  lastReceivedAt?: number | null;
  /** Where the latest update came from: the stream, or a REST refresh. */
  source?: 'stream' | 'rest';
  /**
   * The instrument's id in the SymbolTable of the QuoteCache that stored this quote (set by the cache).
   * Meaningful only together with that table: consumers given the same table index by it.
   */
  sid?: number;
}

/** A quote's values without its key: what valuations read (the wire's QuoteWire fits it too). */
export type QuoteValues = Omit<Quote, 'instrument'>;

/** A book update from a venue stream (Alpaca `T:"q"`). */
export interface QuoteTick {
  /** Interned by the venue adapter (one id per symbol per venue instance). */
  instrument: InstrumentId;
  symbol: string;
  bid: number | null;
  ask: number | null;
  bidSize: number | null;
  askSize: number | null;
  exchangeTime: number | null;
  receivedAt: number;
}

/** A trade print from a venue stream (Alpaca `T:"t"`). */
export interface TradeTick {
  instrument: InstrumentId;
  symbol: string;
  price: number;
  size: number | null;
  exchangeTime: number | null;
  receivedAt: number;
}

/** Mid when both sides exist and are positive, otherwise null. */
export function midOf(q: Pick<Quote, 'bid' | 'ask'>): number | null {
  if (q.bid === null || q.ask === null || q.bid <= 0 || q.ask <= 0 || q.ask < q.bid) return null;
  return (q.bid + q.ask) / 2;
}

// The receive time a mark depends on (book or trade): markTimeOf / bookTimeOf / lastTimeOf in mark.ts.

/**
 * Plausibility limits for venue numbers (spec §5: implausible values are refused at the edge and
 * counted). A price above this per share/contract unit is not a market anybody quotes (the dearest
 * US share trades near $1 million; index levels and crypto are far below $10 million): it is a
 * corrupt or hostile value. The venue parsers refuse it (a malformed message, never stored over a
 * good quote); the marks (market/mark.ts) and the P&L book treat one that got through as a bad
 * price, so a row and the totals apply the same rule.
 */
export const MAX_PLAUSIBLE_PRICE = 10_000_000;
/** Quote and trade sizes above this (shares, contracts or coins) are refused the same way. */
export const MAX_PLAUSIBLE_SIZE = 1_000_000_000;

/** Why a venue price is implausible (`field` names it), or null when it is plausible. Zero is allowed (an empty side). */
export function implausiblePrice(field: string, v: number): string | null {
  if (!Number.isFinite(v)) return `"${field}" is not a finite number (${String(v)})`;
  if (v < 0) return `"${field}" is negative (${v})`;
  if (v > MAX_PLAUSIBLE_PRICE) return `"${field}" ${v} is above the plausible maximum ${MAX_PLAUSIBLE_PRICE}`;
  return null;
}

/** Why a venue size is implausible, or null. */
export function implausibleSize(field: string, v: number): string | null {
  if (!Number.isFinite(v)) return `"${field}" is not a finite number (${String(v)})`;
  if (v < 0) return `"${field}" is negative (${v})`;
  if (v > MAX_PLAUSIBLE_SIZE) return `"${field}" ${v} is above the plausible maximum ${MAX_PLAUSIBLE_SIZE}`;
  return null;
}
