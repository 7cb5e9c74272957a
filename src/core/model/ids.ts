/**
 * Branded identifiers: one type per kind of id (NautilusTrader's rule), so an account id can never
 * be passed where a client order id is expected, and two venues' symbols can never collide.
 *
 * Each id is a plain string at run time (cheap, usable as a Map key, serializable as is) branded at
 * compile time. The only ways to get one are the constructors and parsers below, which validate
 * and throw an `IdError` naming what is wrong; inside the core a branded id is trusted.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** `venue:symbol`, e.g. `alpaca:SPY` — one instrument at one venue. */
export type InstrumentId = Brand<string, 'InstrumentId'>;
/** One trading account (a venue connection with its own credentials and mode). */
export type AccountId = Brand<string, 'AccountId'>;
/** The idempotency key every order carries from before it is sent (spec §8). */
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
/** `position_id#re_entry_num` — the key the UI store and the FIFO book already use. */
export type PositionKey = Brand<string, 'PositionKey'>;

export class IdError extends Error {
  constructor(
    readonly kind: 'InstrumentId' | 'AccountId' | 'ClientOrderId' | 'PositionKey',
    message: string,
  ) {
    super(`${kind}: ${message}`);
    this.name = 'IdError';
  }
}

/** Shows a bad input without echoing it at length (ids come from files and venues). */
function show(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(s);
}

/** A venue kind: lower-case letters, digits, `_` or `-`, starting with a letter (`sim`, `alpaca`, `smartapi`). */
const VENUE = /^[a-z][a-z0-9_-]{0,31}$/;
/** Printable ASCII without spaces; OCC/Alpaca (`SPY250117C00450000`), NSE (`M&M`), Delta (`C-BTC-90000-310125`). */
const SYMBOL = /^[\x21-\x7e]{1,64}$/;
const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Alpaca accepts up to 128 characters; we keep to printable ASCII without spaces. */
const CLIENT_ORDER = /^[\x21-\x7e]{1,128}$/;
/** Any single-line text up to 128 characters not starting with a space; `#` is fine (the key splits at the last one). */
const POSITION = /^\S.{0,127}$/;

// ------------------------------------------------------------------------------------- instrument

export function instrumentId(venue: string, symbol: string): InstrumentId {
  if (typeof venue !== 'string' || !VENUE.test(venue)) {
    throw new IdError('InstrumentId', `venue ${show(venue)} is not a venue kind (lower-case letters, digits, _ or -, starting with a letter, at most 32)`);
  }
  if (typeof symbol !== 'string' || !SYMBOL.test(symbol)) {
    throw new IdError('InstrumentId', `symbol ${show(symbol)} at ${venue} must be 1–64 printable characters without spaces`);
  }
  return `${venue}:${symbol}` as InstrumentId;
}

/** Whether `text` can be the venue part of an InstrumentId (a venue kind or instance name: `sim`, `sim2`). */
export function isVenueName(text: unknown): text is string {
  return typeof text === 'string' && VENUE.test(text);
}

/** Parses the string form `venue:symbol` (the symbol may itself contain `:`). */
export function parseInstrumentId(text: string): InstrumentId {
  const at = typeof text === 'string' ? text.indexOf(':') : -1;
  if (at < 0) throw new IdError('InstrumentId', `${show(text)} is not of the form venue:symbol`);
  return instrumentId(text.slice(0, at), text.slice(at + 1));
}

export function instrumentVenue(id: InstrumentId): string {
  return id.slice(0, id.indexOf(':'));
}

export function instrumentSymbol(id: InstrumentId): string {
  return id.slice(id.indexOf(':') + 1);
}

/** For people: `SPY (alpaca)`. The id itself (`alpaca:SPY`) is the stable form for keys and storage. */
export function formatInstrumentId(id: InstrumentId): string {
  return `${instrumentSymbol(id)} (${instrumentVenue(id)})`;
}

// ------------------------------------------------------------------------------------------- account

export function accountId(text: string): AccountId {
  if (typeof text !== 'string' || !ACCOUNT.test(text)) {
    throw new IdError('AccountId', `${show(text)} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return text as AccountId;
}

// -------------------------------------------------------------------------------------- client order

export function clientOrderId(text: string): ClientOrderId {
  if (typeof text !== 'string' || text.length === 0) throw new IdError('ClientOrderId', `is required (got ${show(text)}): every order carries one`);
  if (!CLIENT_ORDER.test(text)) throw new IdError('ClientOrderId', `${show(text)} must be 1–128 printable characters without spaces`);
  return text as ClientOrderId;
}

// ------------------------------------------------------------------------------------------ position

export function positionKey(positionId: string, reEntryNum: number): PositionKey {
  if (typeof positionId !== 'string' || !POSITION.test(positionId)) {
    throw new IdError('PositionKey', `position_id ${show(positionId)} must be 1–128 characters on one line, not starting with a space`);
  }
  if (!Number.isSafeInteger(reEntryNum) || reEntryNum < 0) {
    throw new IdError('PositionKey', `re_entry_num of ${show(positionId)} must be a whole number ≥ 0 (got ${String(reEntryNum)})`);
  }
  return `${positionId}#${reEntryNum}` as PositionKey;
}

/** Parses `position_id#re_entry_num`. */
export function parsePositionKey(text: string): PositionKey {
  const at = typeof text === 'string' ? text.lastIndexOf('#') : -1;
  const num = at < 0 ? '' : text.slice(at + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(num)) throw new IdError('PositionKey', `${show(text)} is not of the form position_id#re_entry_num`);
  return positionKey(text.slice(0, at), Number(num));
}

export function positionKeyParts(key: PositionKey): { positionId: string; reEntryNum: number } {
  const at = key.lastIndexOf('#');
  return { positionId: key.slice(0, at), reEntryNum: Number(key.slice(at + 1)) };
}
