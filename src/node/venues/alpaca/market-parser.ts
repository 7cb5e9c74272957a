/**
 * Validates and normalizes frames from Alpaca's market-data streams (stocks v2 JSON or msgpack,
 * options v1beta1 msgpack) at the trust edge. A frame is an array of messages with a `T` type.
 *
 * Quotes and trades are the hot path (hundreds of thousands per second), so they are checked with
 * hand-written guards (measured ~1.6× faster than a zod object schema here); the rare control
 * messages are validated with zod. Anything that fails is counted and reported, never thrown.
 *
 * JSON frames (Buffers) first go through `JsonQuoteScanner`, which reads the fields straight from the
 * bytes; when it does not fully understand a frame it gives up and the frame takes the JSON.parse
 * path. Both paths feed the same checks (`quoteOf`, `tradeOf`), so they report the same things.
 */
import { z } from 'zod';
import { MAX_PLAUSIBLE_PRICE, MAX_PLAUSIBLE_SIZE, implausiblePrice, implausibleSize, type QuoteTick, type TradeTick } from '../../../core/market/quote';
import { ExchangeTime, parseRfc3339Ms } from './codec';
import { FastMsgpackDecoder } from './msgpack-fast';
import { IGNORED_TYPES, JsonQuoteScanner, KIND_NO_TYPE, KIND_QUOTE, KIND_TRADE, KIND_UNKNOWN } from './json-quote-scanner';
import { capList, clip, describeValue } from '../../../shared/bounded';
import type { VenueInstruments } from '../../../core/market/instruments';

export type MarketControl =
  | { T: 'success'; msg: string }
  | { T: 'error'; code: number; msg: string }
  | { T: 'subscription'; trades: string[]; quotes: string[] };

export interface MarketSink {
  quote(tick: QuoteTick): void;
  trade(tick: TradeTick): void;
  control(msg: MarketControl): void;
  /** A frame or message failed validation: `reason` names what was wrong. */
  malformed(reason: string): void;
}

const MAX_SYMBOL = 32;
const MAX_MESSAGES_PER_FRAME = 50_000;

const controlSchema = z.discriminatedUnion('T', [
  z.object({ T: z.literal('success'), msg: z.string().max(1000) }),
  z.object({ T: z.literal('error'), code: z.number().int(), msg: z.string().max(1000).default('') }),
  z.object({
    T: z.literal('subscription'),
    trades: z.array(z.string().max(MAX_SYMBOL)).max(MAX_MESSAGES_PER_FRAME).default([]),
    quotes: z.array(z.string().max(MAX_SYMBOL)).max(MAX_MESSAGES_PER_FRAME).default([]),
  }),
]);

export interface MarketParserStats {
  messages: number;
  ignored: number;
}

export interface MarketParserOptions {
  /**
   * The venue instance's symbol → InstrumentId interning: every tick carries its `instrument`,
   * mapped once per symbol (never a string concatenation per quote).
   */
  instruments: VenueInstruments;
  /** Scan JSON byte frames directly (default true); false = always JSON.parse (the reference path). */
  jsonScanner?: boolean;
}

export class MarketFrameParser {
  private readonly decoder = new FastMsgpackDecoder();
  private readonly scanner: JsonQuoteScanner | null;
  /** True while the scanner's messages are being reported (a re-entrant frame then takes JSON.parse). */
  private emitting = false;
  readonly stats: MarketParserStats = { messages: 0, ignored: 0 };
  private readonly ids: VenueInstruments;

  constructor(
    private readonly sink: MarketSink,
    options: MarketParserOptions,
  ) {
    this.ids = options.instruments;
    this.scanner = options.jsonScanner === false ? null : new JsonQuoteScanner();
  }

  /** Text frames are JSON; binary frames are msgpack (the encoding chosen at the handshake). */
  frame(data: Buffer | Uint8Array | string, isBinary: boolean, receivedAt: number): void {
    if (!isBinary && typeof data !== 'string' && this.scanner !== null && !this.emitting && this.scanner.scan(data)) {
      this.emitScanned(this.scanner, receivedAt);
      return;
    }
    let decoded: unknown;
    try {
      if (isBinary && typeof data !== 'string') decoded = this.decoder.decode(data);
      else decoded = JSON.parse(typeof data === 'string' ? data : utf8(data));
    } catch (err) {
      this.sink.malformed(`undecodable ${isBinary ? 'msgpack' : 'JSON'} frame: ${err instanceof Error ? err.message.slice(0, 120) : 'error'}`);
      return;
    }
    if (!Array.isArray(decoded)) {
      this.sink.malformed(`frame is not an array (got ${describe(decoded)})`);
      return;
    }
    if (decoded.length > MAX_MESSAGES_PER_FRAME) {
      this.sink.malformed(`frame has ${decoded.length} messages (limit ${MAX_MESSAGES_PER_FRAME})`);
      return;
    }
    for (let i = 0; i < decoded.length; i++) this.message(decoded[i], i, receivedAt);
  }

  private message(m: unknown, index: number, receivedAt: number): void {
    this.stats.messages++;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      this.sink.malformed(`message [${index}] is not an object (got ${describe(m)})`);
      return;
    }
    const msg = m as Record<string, unknown>;
    const t = msg.T;
    if (t === 'q') {
      this.quote(quoteOf(this.ids, msg.S, msg.bp, msg.ap, msg.bs, msg.as, time(msg.t), receivedAt), index);
      return;
    }
    if (t === 't') {
      this.trade(tradeOf(this.ids, msg.S, msg.p, msg.s, time(msg.t), receivedAt), index);
      return;
    }
    if (t === 'success' || t === 'error' || t === 'subscription') {
      const parsed = controlSchema.safeParse(msg);
      if (!parsed.success) {
        const { items, omitted } = capList(parsed.error.issues, 3);
        const list = items.map((i) => `${clip(i.path.join('.'), 60) || '(root)'} ${clip(i.message, 120)}`).join('; ');
        this.sink.malformed(`${t} message [${index}]: ${list}${omitted ? ` (and ${omitted} more)` : ''}`);
        return;
      }
      this.sink.control(parsed.data);
      return;
    }
    if (typeof t !== 'string') {
      this.noType(t, index);
      return;
    }
    // Alpaca adds message types without notice: ignore what we do not use.
    if (!IGNORED_TYPES.has(t)) this.stats.ignored++;
  }

  /** Reports the messages of a frame the scanner understood, exactly as `message()` would. */
  private emitScanned(scanner: JsonQuoteScanner, receivedAt: number): void {
    this.emitting = true;
    try {
      const messages = scanner.messages;
      const n = scanner.count;
      for (let i = 0; i < n; i++) {
        const m = messages[i]!;
        this.stats.messages++;
        switch (m.kind) {
          case KIND_QUOTE:
            this.quote(quoteOf(this.ids, m.S, m.bp, m.ap, m.bs, m.as, m.time, receivedAt), i);
            break;
          case KIND_TRADE:
            this.trade(tradeOf(this.ids, m.S, m.p, m.s, m.time, receivedAt), i);
            break;
          case KIND_NO_TYPE:
            this.noType(m.typeValue, i);
            break;
          case KIND_UNKNOWN:
            this.stats.ignored++;
            break;
          default: // KIND_IGNORED
        }
      }
    } finally {
      this.emitting = false;
    }
  }

  private quote(tick: QuoteTick | string, index: number): void {
    if (typeof tick === 'string') this.sink.malformed(`quote [${index}]: ${tick}`);
    else this.sink.quote(tick);
  }

  private trade(tick: TradeTick | string, index: number): void {
    if (typeof tick === 'string') this.sink.malformed(`trade [${index}]: ${tick}`);
    else this.sink.trade(tick);
  }

  private noType(t: unknown, index: number): void {
    this.sink.malformed(`message [${index}] has no string "T" (got ${describe(t)})`);
  }
}

/** Kind and size only: never reads a property of the value (`constructor.name` is the sender's to choose). */
const describe = describeValue;

const NOT_AN_INSTRUMENT = 'invalid "S" (a symbol is 1–64 printable characters without spaces)';

function symbolOf(s: unknown): string | null {
  return typeof s === 'string' && s.length > 0 && s.length <= MAX_SYMBOL ? s : null;
}

/**
 * A price: finite, ≥ 0 and plausible (≤ MAX_PLAUSIBLE_PRICE). Alpaca sends 0 for "no active
 * bid/ask" → unknown (null), never zero.
 */
function price(v: unknown): number | null | undefined {
  if (typeof v !== 'number' || !(v >= 0 && v <= MAX_PLAUSIBLE_PRICE)) return undefined;
  return v === 0 ? null : v;
}

function size(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !(v >= 0 && v <= MAX_PLAUSIBLE_SIZE)) return undefined;
  return v;
}

/** The malformed-message reason for a refused field (off the hot path: only on failure). */
function invalid(symbol: string, field: string, v: unknown, kind: 'price' | 'size'): string {
  if (typeof v !== 'number') return `${symbol}: invalid "${field}"`;
  return `${symbol}: invalid ${(kind === 'price' ? implausiblePrice(field, v) : implausibleSize(field, v)) ?? `"${field}"`}`;
}

/** Exchange time: msgpack timestamp ext, RFC 3339 string, or absent (null). Wrong types → undefined. */
function time(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (v instanceof ExchangeTime) return v.ms;
  if (typeof v === 'string' && v.length <= 40) {
    const ms = parseRfc3339Ms(v);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (v instanceof Date) {
    const ms = v.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/**
 * A quote from its fields as decoded (`exchangeTime` already through `time()`), or why not.
 * Shared by the JSON.parse/msgpack path and the JSON scanner, so both check the same way.
 */
function quoteOf(ids: VenueInstruments, S: unknown, bp: unknown, ap: unknown, bs: unknown, as: unknown, exchangeTime: number | null | undefined, receivedAt: number): QuoteTick | string {
  const symbol = symbolOf(S);
  if (symbol === null) return 'missing or invalid "S"';
  const instrument = ids.tryOf(symbol);
  if (instrument === null) return NOT_AN_INSTRUMENT;
  const bid = price(bp);
  if (bid === undefined) return invalid(symbol, 'bp', bp, 'price');
  const ask = price(ap);
  if (ask === undefined) return invalid(symbol, 'ap', ap, 'price');
  const bidSize = size(bs);
  if (bidSize === undefined) return invalid(symbol, 'bs', bs, 'size');
  const askSize = size(as);
  if (askSize === undefined) return invalid(symbol, 'as', as, 'size');
  if (exchangeTime === undefined) return `${symbol}: invalid "t"`;
  return { instrument, symbol, bid, ask, bidSize, askSize, exchangeTime, receivedAt };
}

function tradeOf(ids: VenueInstruments, S: unknown, p: unknown, s: unknown, exchangeTime: number | null | undefined, receivedAt: number): TradeTick | string {
  const symbol = symbolOf(S);
  if (symbol === null) return 'missing or invalid "S"';
  const instrument = ids.tryOf(symbol);
  if (instrument === null) return NOT_AN_INSTRUMENT;
  if (typeof p !== 'number' || !(p > 0 && p <= MAX_PLAUSIBLE_PRICE)) return p === 0 ? `${symbol}: invalid "p" (a trade at 0)` : invalid(symbol, 'p', p, 'price');
  const sz = size(s);
  if (sz === undefined) return invalid(symbol, 's', s, 'size');
  if (exchangeTime === undefined) return `${symbol}: invalid "t"`;
  return { instrument, symbol, price: p, size: sz, exchangeTime, receivedAt };
}

function utf8(data: Buffer | Uint8Array): string {
  return (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString('utf8');
}
