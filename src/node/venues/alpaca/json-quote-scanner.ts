/**
 * A fast path for Alpaca stock-stream JSON frames: scans the UTF-8 bytes directly (no Buffer →
 * string, no JSON.parse, no object per message) and records, per message, only what
 * `MarketFrameParser` reads — the type `T` and the fields `S`, `bp`, `ap`, `bs`, `as`, `p`, `s`, `t`.
 * The parser then runs the same checks on those values as on a JSON.parse'd message.
 *
 * What it accepts — the shape Alpaca actually sends:
 *   a top-level array of flat objects, whose values are strings, numbers, `null`, `true`/`false`,
 *   or (for keys it does not read, like `c`) arrays of those; JSON whitespace anywhere;
 *   duplicate keys (the last one wins, as with JSON.parse).
 *
 * When it gives up (`scan` returns false, `reason` says why) and the parser falls back to
 * `JSON.parse` for the whole frame, so odd or hostile input behaves exactly as before:
 *   - anything that is not valid JSON, or that it is not sure about: escapes in strings, any byte
 *     ≥ 0x80 (so no question of UTF-8 decoding arises), raw control characters, a top level that
 *     is not an array, messages that are not objects, nested objects, nested arrays, arrays under
 *     the keys it reads, leading zeros, bare `-`, `1.`, `.5`, `+1`, trailing garbage;
 *   - control messages (`success`, `error`, `subscription`: rare, validated with zod there);
 *   - frames with more than MAX_FAST_MESSAGES messages.
 * Nothing is reported before the whole frame has been scanned, so giving up late is harmless.
 *
 * Why the values are exact:
 *   - Numbers: the grammar is JSON's, checked byte by byte. The digits (integer and fraction) are
 *     accumulated as an integer m in a double; if the final m < 2^53, every step was exact (m only
 *     grows and rounding is monotonic, so no step can pass 2^53 and come back below it). With k
 *     fractional digits and k ≤ 22, 10^k is an exact double and `m / 10^k` is one correctly rounded
 *     IEEE division of two exact values, i.e. the correctly rounded value of the decimal — what
 *     JSON.parse returns. A leading `-` negates (`-0` stays −0). Anything else (17+ significant
 *     digits, exponents) goes through `Number()` on the same grammar-checked ASCII text, which V8
 *     rounds exactly as JSON.parse does; those results are cached by their text, compared in full.
 *   - Strings are ASCII without escapes, so their bytes are their UTF-16 code units. Symbols are
 *     interned: a cached string is reused only when every byte matches it.
 *   - Timestamps: `parseRfc3339MsBytes`, the byte twin of `parseRfc3339Ms` (same checks, same
 *     arithmetic). The usual `...Z` form is read in place before its closing quote is found; that is
 *     only accepted when the parse succeeds, which means every byte was a digit or a separator.
 *   - `T` is classified by its bytes; any other string `T` is an unknown type (counted, ignored).
 */
import { parseRfc3339MsBytes, rfc3339ZLength } from './codec';

/** The message kinds a scan can produce (the parser handles each like the JSON.parse path). */
export const KIND_QUOTE = 1;
export const KIND_TRADE = 2;
/** A type the parser knowingly ignores (bars, statuses...). */
export const KIND_IGNORED = 3;
/** Any other string type: ignored and counted. */
export const KIND_UNKNOWN = 4;
/** "T" absent, null, a number or a boolean: `typeValue` has the same `typeof` (and null-ness). */
export const KIND_NO_TYPE = 5;

/** Frames with more messages than this go to JSON.parse (Alpaca batches are far smaller). */
export const MAX_FAST_MESSAGES = 4096;

/** One scanned message: the values JSON.parse would have given for the keys the parser reads. */
export class ScannedMessage {
  kind = 0;
  /** The kind of the last string "T" (0: none, or the last "T" was not a string). */
  typeKind = 0;
  /** The last non-string "T" as a value of the same typeof (undefined: no "T"). */
  typeValue: unknown = undefined;
  S: unknown = undefined;
  bp: unknown = undefined;
  ap: unknown = undefined;
  bs: unknown = undefined;
  as: unknown = undefined;
  p: unknown = undefined;
  s: unknown = undefined;
  /** `t` already converted as the parser's `time()` does: null when absent/null, undefined when invalid. */
  time: number | null | undefined = null;

  reset(): void {
    this.kind = 0;
    this.typeKind = 0;
    this.typeValue = undefined;
    this.S = undefined;
    this.bp = undefined;
    this.ap = undefined;
    this.bs = undefined;
    this.as = undefined;
    this.p = undefined;
    this.s = undefined;
    this.time = null;
  }
}

// bytes
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// the keys the parser reads
const KEY_OTHER = 0;
const KEY_T = 1;
const KEY_S = 2;
const KEY_BP = 3;
const KEY_AP = 4;
const KEY_BS = 5;
const KEY_AS = 6;
const KEY_P = 7;
const KEY_SIZE = 8;
const KEY_TIME = 9;

const EMPTY = Buffer.alloc(0);
/** Returned by the scanning steps instead of a position when the scanner gives up. */
const FAIL = -1;
const TWO_53 = 9_007_199_254_740_992;
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Message types we knowingly ignore (bars, statuses, corrections...); other unknown types are ignored and counted. */
export const IGNORED_TYPES: ReadonlySet<string> = new Set(['b', 'd', 'u', 'c', 'x', 's', 'l', 'i', 'n', 'o']);
/** The same, by byte (they are all one ASCII character). */
const IGNORED_TYPE_BYTES = new Set([...IGNORED_TYPES].map((c) => c.charCodeAt(0)));
const MAX_TIME_LENGTH = 40;
const INTERN_SLOTS = 4096; // a cache, not a set: bounded whatever the input
const MAX_INTERNED = 32;
/** Numbers that need `Number()` (17 significant digits, exponents) are cached by their text. */
const SLOW_NUMBER_SLOTS = 1024;
const MAX_CACHED_NUMBER = 40;

export class JsonQuoteScanner {
  /** Messages of the last successful scan: `messages[0 .. count)`. */
  readonly messages: ScannedMessage[] = [];
  count = 0;
  /** Why the last scan gave up (for tests and diagnostics). */
  reason = '';

  private buf: Buffer = EMPTY;
  private end = 0;
  // the string or number just scanned
  private vStart = 0;
  private vEnd = 0;
  private vNumber = 0;
  private readonly symbols: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);
  private readonly slowTexts: (string | undefined)[] = new Array<string | undefined>(SLOW_NUMBER_SLOTS).fill(undefined);
  private readonly slowValues = new Float64Array(SLOW_NUMBER_SLOTS);

  /** Scans a whole frame; true when every byte was understood, false (with `reason`) to fall back. */
  scan(bytes: Uint8Array): boolean {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.count = 0;
    this.reason = '';
    const ok = this.frame();
    this.buf = EMPTY; // the messages hold values, not positions: do not keep the frame alive
    return ok;
  }

  private frame(): boolean {
    const buf = this.buf;
    const end = this.end;
    let pos = skipWs(buf, 0, end);
    if (pos >= end || buf[pos] !== LBRACKET) return this.stop('frame is not an array');
    pos = skipWs(buf, pos + 1, end);
    if (pos < end && buf[pos] === RBRACKET) pos++;
    else {
      for (;;) {
        if (pos >= end || buf[pos] !== LBRACE) return this.stop('message is not an object');
        if (this.count === MAX_FAST_MESSAGES) return this.stop('too many messages');
        if (this.count === this.messages.length) this.messages.push(new ScannedMessage());
        pos = this.object(pos, this.messages[this.count++]!);
        if (pos === FAIL) return false;
        pos = skipWs(buf, pos, end);
        const c = pos < end ? buf[pos++]! : FAIL;
        if (c === RBRACKET) break;
        if (c !== COMMA) return this.stop('expected , or ] after a message');
        pos = skipWs(buf, pos, end);
      }
    }
    if (skipWs(buf, pos, end) !== end) return this.stop('bytes after the array');
    return true;
  }

  /** Gives up on the frame; FAIL, for the steps that return a position. */
  private giveUp(reason: string): number {
    this.reason = reason;
    this.count = 0;
    return FAIL;
  }

  private stop(reason: string): false {
    this.giveUp(reason);
    return false;
  }

  /** At `{`: reads one flat object into `m`; the position after its `}`. */
  private object(pos: number, m: ScannedMessage): number {
    const buf = this.buf;
    const end = this.end;
    m.reset();
    pos = skipWs(buf, pos + 1, end);
    if (pos < end && buf[pos] === RBRACE) pos++;
    else {
      for (;;) {
        if (pos >= end || buf[pos] !== QUOTE) return this.giveUp('expected a key');
        // Every key the parser reads has 1 or 2 bytes: look for those before scanning a string.
        let key = KEY_OTHER;
        const a = pos + 1 < end ? buf[pos + 1]! : FAIL;
        const b = pos + 2 < end ? buf[pos + 2]! : FAIL;
        if (b === QUOTE && isPlain(a)) {
          key = key1(a);
          pos += 3;
        } else if (pos + 3 < end && buf[pos + 3] === QUOTE && isPlain(a) && isPlain(b)) {
          key = key2(a, b);
          pos += 4;
        } else {
          pos = this.string(pos); // a longer (or empty) key, never one the parser reads
          if (pos === FAIL) return FAIL;
        }
        pos = skipWs(buf, pos, end);
        if (pos >= end || buf[pos] !== COLON) return this.giveUp('expected :');
        pos = skipWs(buf, pos + 1, end);
        pos = key === KEY_OTHER ? this.skipValue(pos) : this.readValue(pos, key, m);
        if (pos === FAIL) return FAIL;
        pos = skipWs(buf, pos, end);
        const c = pos < end ? buf[pos++]! : FAIL;
        if (c === RBRACE) break;
        if (c !== COMMA) return this.giveUp('expected , or } in a message');
        pos = skipWs(buf, pos, end);
      }
    }
    m.kind = m.typeKind !== 0 ? m.typeKind : KIND_NO_TYPE;
    return pos;
  }

  /** The value of a key the parser reads, stored in `m` (a later duplicate key overwrites it). */
  private readValue(pos: number, key: number, m: ScannedMessage): number {
    const buf = this.buf;
    const c = pos < this.end ? buf[pos]! : FAIL;
    let v: unknown;
    if (c === QUOTE && key === KEY_TIME) {
      // the usual timestamp: read in place, without scanning for the closing quote first
      const start = pos + 1;
      const n = rfc3339ZLength(buf, start, this.end);
      if (n > 0 && start + n < this.end && buf[start + n] === QUOTE) {
        const ms = parseRfc3339MsBytes(buf, start, start + n);
        // finite: every byte was a digit or separator, so this really is the whole string
        if (Number.isFinite(ms)) {
          m.time = ms;
          return start + n + 1;
        }
      }
    }
    if (c === QUOTE) {
      pos = this.string(pos);
      if (pos === FAIL) return FAIL;
      if (key === KEY_T) {
        const kind = this.typeKind(this.vStart, this.vEnd);
        if (kind === FAIL) return this.giveUp('control message');
        m.typeKind = kind;
        m.typeValue = undefined;
        return pos;
      }
      if (key === KEY_TIME) {
        // the parser's time() on a string: ≤ 40 characters and RFC 3339, else invalid
        if (this.vEnd - this.vStart > MAX_TIME_LENGTH) m.time = undefined;
        else {
          const ms = parseRfc3339MsBytes(buf, this.vStart, this.vEnd);
          m.time = Number.isFinite(ms) ? ms : undefined;
        }
        return pos;
      }
      v = key === KEY_S ? this.symbol(this.vStart, this.vEnd) : this.text(this.vStart, this.vEnd);
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      pos = this.number(pos, true);
      if (pos === FAIL) return FAIL;
      v = this.vNumber;
    } else if (c === 0x6e) {
      pos = this.literal(pos, 'null');
      v = null;
    } else if (c === 0x74) {
      pos = this.literal(pos, 'true');
      v = true;
    } else if (c === 0x66) {
      pos = this.literal(pos, 'false');
      v = false;
    } else return this.giveUp(c === LBRACKET ? 'array under a key the parser reads' : c === LBRACE ? 'nested object' : 'unexpected byte where a value should be');
    if (pos === FAIL) return FAIL;
    switch (key) {
      case KEY_T:
        // not a string: keep a value of the same typeof for the "no string T" report
        m.typeKind = 0;
        m.typeValue = typeof v === 'number' ? 0 : v;
        break;
      case KEY_TIME:
        // the parser's time(): null → null, numbers and booleans are invalid
        m.time = v === null ? null : undefined;
        break;
      case KEY_S:
        m.S = v;
        break;
      case KEY_BP:
        m.bp = v;
        break;
      case KEY_AP:
        m.ap = v;
        break;
      case KEY_BS:
        m.bs = v;
        break;
      case KEY_AS:
        m.as = v;
        break;
      case KEY_P:
        m.p = v;
        break;
      default:
        m.s = v;
    }
    return pos;
  }

  /** The value of a key the parser does not read: checked, not kept. Arrays may hold scalars only. */
  private skipValue(pos: number): number {
    const buf = this.buf;
    const end = this.end;
    const c = pos < end ? buf[pos]! : FAIL;
    if (c !== LBRACKET) return this.skipScalar(pos, c);
    pos = skipWs(buf, pos + 1, end);
    if (pos < end && buf[pos] === RBRACKET) return pos + 1;
    for (;;) {
      pos = this.skipScalar(pos, pos < end ? buf[pos]! : FAIL);
      if (pos === FAIL) return FAIL;
      pos = skipWs(buf, pos, end);
      const d = pos < end ? buf[pos++]! : FAIL;
      if (d === RBRACKET) return pos;
      if (d !== COMMA) return this.giveUp('expected , or ] in an array');
      pos = skipWs(buf, pos, end);
    }
  }

  private skipScalar(pos: number, c: number): number {
    if (c === QUOTE) return this.string(pos);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.number(pos, false);
    if (c === 0x6e) return this.literal(pos, 'null');
    if (c === 0x74) return this.literal(pos, 'true');
    if (c === 0x66) return this.literal(pos, 'false');
    return this.giveUp(c === LBRACE ? 'nested object' : c === LBRACKET ? 'nested array' : 'unexpected byte where a value should be');
  }

  private literal(pos: number, word: string): number {
    if (pos + word.length > this.end || !this.bytesAre(pos, word)) return this.giveUp('bad literal');
    return pos + word.length;
  }

  /** At `"`: the content must be printable ASCII without escapes; sets vStart/vEnd. */
  private string(pos: number): number {
    const buf = this.buf;
    const end = this.end;
    const start = pos + 1;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c === QUOTE) {
        this.vStart = start;
        this.vEnd = i;
        return i + 1;
      }
      if (c < 0x20 || c >= 0x80 || c === BACKSLASH) return this.giveUp(c === BACKSLASH ? 'escape in a string' : c < 0x20 ? 'control character in a string' : 'non-ASCII byte');
    }
    return this.giveUp('unterminated string');
  }

  /** At `-` or a digit: a JSON number; its value in vNumber when `full`. */
  private number(pos: number, full: boolean): number {
    const buf = this.buf;
    const end = this.end;
    const start = pos;
    const negative = buf[pos] === MINUS;
    if (negative) pos++;
    let c = pos < end ? buf[pos]! : FAIL;
    let m = 0;
    if (c === ZERO) {
      pos++;
      if (pos < end && buf[pos]! >= ZERO && buf[pos]! <= NINE) return this.giveUp('leading zero');
    } else if (c > ZERO && c <= NINE) {
      do {
        m = m * 10 + (c - ZERO);
        c = ++pos < end ? buf[pos]! : FAIL;
      } while (c >= ZERO && c <= NINE);
    } else return this.giveUp('bad number');
    let k = 0;
    if (pos < end && buf[pos] === DOT) {
      const fracStart = ++pos;
      c = pos < end ? buf[pos]! : FAIL;
      while (c >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        c = ++pos < end ? buf[pos]! : FAIL;
      }
      k = pos - fracStart;
      if (k === 0) return this.giveUp('bad number');
    }
    let exact = m < TWO_53 && k <= 22;
    if (pos < end && (buf[pos] === 0x65 || buf[pos] === 0x45)) {
      // exponent: e/E, optional sign, digits
      pos++;
      if (pos < end && (buf[pos] === 0x2b || buf[pos] === MINUS)) pos++;
      const expStart = pos;
      while (pos < end && buf[pos]! >= ZERO && buf[pos]! <= NINE) pos++;
      if (pos === expStart) return this.giveUp('bad number');
      exact = false;
    }
    if (full) {
      if (exact) {
        const v = k === 0 ? m : m / POW10[k]!;
        this.vNumber = negative ? -v : v;
      } else this.vNumber = this.slowNumber(start, pos);
    }
    return pos;
  }

  /**
   * `Number()` of the number text [start, end) — the same double as JSON.parse — remembered by
   * its text (compared byte by byte), as prices that need it tend to repeat.
   */
  private slowNumber(start: number, end: number): number {
    const n = end - start;
    if (n > MAX_CACHED_NUMBER) return Number(this.text(start, end));
    const slot = hashBytes(this.buf, start, end) & (SLOW_NUMBER_SLOTS - 1);
    const cached = this.slowTexts[slot];
    if (cached !== undefined && this.sameAscii(cached, start, n)) return this.slowValues[slot]!;
    const text = this.text(start, end);
    const v = Number(text);
    this.slowTexts[slot] = text;
    this.slowValues[slot] = v;
    return v;
  }

  /** The string "T" at bytes [start, end) → its message kind; FAIL for the control types. */
  private typeKind(start: number, end: number): number {
    const n = end - start;
    if (n === 1) {
      const c = this.buf[start]!;
      if (c === 0x71) return KIND_QUOTE; // q
      if (c === 0x74) return KIND_TRADE; // t
      return IGNORED_TYPE_BYTES.has(c) ? KIND_IGNORED : KIND_UNKNOWN;
    }
    if ((n === 7 && this.bytesAre(start, 'success')) || (n === 5 && this.bytesAre(start, 'error')) || (n === 12 && this.bytesAre(start, 'subscription'))) return FAIL;
    return KIND_UNKNOWN;
  }

  private bytesAre(start: number, ascii: string): boolean {
    for (let i = 0; i < ascii.length; i++) if (this.buf[start + i] !== ascii.charCodeAt(i)) return false;
    return true;
  }

  /** The ASCII bytes as a string (rare values: strings where a number belongs, long numbers). */
  private text(start: number, end: number): string {
    return this.buf.toString('latin1', start, end);
  }

  /** The symbol string, interned: a cached string is reused only if every byte matches. */
  private symbol(start: number, end: number): string {
    const n = end - start;
    if (n > MAX_INTERNED) return this.text(start, end);
    const slot = hashBytes(this.buf, start, end) & (INTERN_SLOTS - 2); // two neighbouring slots per hash
    const a = this.symbols[slot];
    if (a !== undefined && this.sameAscii(a, start, n)) return a;
    const b = this.symbols[slot + 1];
    if (b !== undefined && this.sameAscii(b, start, n)) return b;
    const s = this.text(start, end);
    if (a === undefined) this.symbols[slot] = s;
    else {
      // keep the newer of the two: move a to the second slot
      this.symbols[slot + 1] = a;
      this.symbols[slot] = s;
    }
    return s;
  }

  private sameAscii(s: string, start: number, n: number): boolean {
    if (s.length !== n) return false;
    const buf = this.buf;
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
    return true;
  }
}

/** FNV-1a of the bytes [start, end), as a non-negative integer. */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

/** Skips JSON whitespace (space, tab, CR, LF): the first position at or after `pos` that is not. */
function skipWs(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const c = buf[pos]!;
    if (c > 0x20 || (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return pos;
    pos++;
  }
  return pos;
}

/** A byte that may stand in a string as itself: printable ASCII other than `"` and `\`. */
function isPlain(c: number): boolean {
  return c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH;
}

/** Which key the parser reads a one-byte key is (KEY_OTHER: none). */
function key1(a: number): number {
  if (a === 0x54) return KEY_T; // T
  if (a === 0x53) return KEY_S; // S
  if (a === 0x70) return KEY_P; // p
  if (a === 0x73) return KEY_SIZE; // s
  if (a === 0x74) return KEY_TIME; // t
  return KEY_OTHER;
}

/** Which key the parser reads a two-byte key is (KEY_OTHER: none). */
function key2(a: number, b: number): number {
  if (b === 0x70) {
    if (a === 0x62) return KEY_BP; // bp
    if (a === 0x61) return KEY_AP; // ap
  } else if (b === 0x73) {
    if (a === 0x62) return KEY_BS; // bs
    if (a === 0x61) return KEY_AS; // as
  }
  return KEY_OTHER;
}
