/**
 * Wire codecs for Alpaca's streams: msgpack with the timestamp extension (type −1) decoded to an
 * `ExchangeTime` (epoch ms plus the nanoseconds msgpack carries), and RFC 3339 strings (JSON mode)
 * decoded without `Date.parse` on the hot path.
 */
import { Decoder, Encoder, ExtensionCodec, decodeTimestampToTimeSpec, encodeTimeSpecToTimestamp } from '@msgpack/msgpack';

/** A venue timestamp decoded from msgpack's timestamp extension. */
export class ExchangeTime {
  constructor(
    readonly ms: number,
    /** Nanoseconds within the second, kept for ordering within one millisecond. */
    readonly nsec: number,
  ) {}
}

const extensions = new ExtensionCodec();
extensions.register({
  type: -1,
  encode: (input: unknown) => {
    if (input instanceof ExchangeTime) {
      const sec = Math.floor(input.ms / 1000);
      return encodeTimeSpecToTimestamp({ sec, nsec: input.nsec });
    }
    if (input instanceof Date) {
      const ms = input.getTime();
      const sec = Math.floor(ms / 1000);
      return encodeTimeSpecToTimestamp({ sec, nsec: (ms - sec * 1000) * 1e6 });
    }
    return null;
  },
  decode: (data: Uint8Array) => {
    // timestamp 64 (the form Alpaca's servers use for ns times) decoded without a DataView per call
    if (data.length === 8) {
      const hi = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
      const lo = ((data[4]! << 24) | (data[5]! << 16) | (data[6]! << 8) | data[7]!) >>> 0;
      const nsec = hi >>> 2;
      const sec = (hi & 0x3) * 0x1_0000_0000 + lo;
      if (nsec > 999_999_999) throw new RangeError(`timestamp nanoseconds out of range: ${nsec}`);
      return new ExchangeTime(sec * 1000 + Math.floor(nsec / 1e6), nsec);
    }
    const { sec, nsec } = decodeTimestampToTimeSpec(data);
    return new ExchangeTime(sec * 1000 + Math.floor(nsec / 1e6), nsec);
  },
});

/** Limits that keep a hostile frame from allocating without bound (Alpaca batches are small). */
export const DECODE_LIMITS = {
  maxArrayLength: 100_000,
  maxMapLength: 1_000,
  maxStrLength: 1_000_000,
  maxBinLength: 1_000_000,
  maxExtLength: 64,
};

/** One decoder per parser: reusing it avoids re-allocating its buffers per frame. */
export function createMsgpackDecoder(): Decoder {
  return new Decoder({ extensionCodec: extensions, ...DECODE_LIMITS });
}

export function createMsgpackEncoder(): Encoder {
  return new Encoder({ extensionCodec: extensions, ignoreUndefined: true });
}

const sharedEncoder = createMsgpackEncoder();

/** Encodes a value (server or client side), writing timestamps as the extension type. */
export function encodeMsgpack(value: unknown): Uint8Array {
  return sharedEncoder.encode(value);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): integer math only. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` → epoch ms (fraction truncated to ms); other offsets fall back
 * to Date.parse; NaN when invalid. On the hot path (one per quote), so no Date objects.
 */
let memoPrefix = '';
let memoMinuteMs = 0;

export function parseRfc3339Ms(s: string): number {
  const n = s.length;
  // Quotes in a batch share their minute: reuse the last "YYYY-MM-DDTHH:MM:" computation.
  if (memoPrefix.length === 17 && n >= 20 && s.charCodeAt(n - 1) === 90 && s.startsWith(memoPrefix)) {
    const se = digits(s, 17, 2);
    if (se >= 0 && se <= 60) {
      if (n === 20) return memoMinuteMs + se * 1000;
      const fracLen = n - 21;
      if (s.charCodeAt(19) === 46 && fracLen >= 1 && fracLen <= 9 && digits(s, 20, fracLen) >= 0) {
        const take = fracLen < 3 ? fracLen : 3;
        return memoMinuteMs + se * 1000 + digits(s, 20, take) * (take === 1 ? 100 : take === 2 ? 10 : 1);
      }
    }
    return Number.NaN;
  }
  if (n >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(n - 1) === 90) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const se = digits(s, 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return Number.NaN;
    if (mo === 2 && d === 29 && (y % 4 !== 0 || (y % 100 === 0 && y % 400 !== 0))) return Number.NaN;
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46) return Number.NaN;
      const fracLen = n - 21;
      if (fracLen < 1 || fracLen > 9) return Number.NaN;
      // only the first 3 fraction digits matter for ms; the rest must still be digits
      if (digits(s, 20, fracLen) < 0) return Number.NaN;
      const take = fracLen < 3 ? fracLen : 3;
      ms = digits(s, 20, take) * (take === 1 ? 100 : take === 2 ? 10 : 1);
    } else if (n !== 20) return Number.NaN;
    const minuteMs = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000;
    memoPrefix = s.slice(0, 17);
    memoMinuteMs = minuteMs;
    return minuteMs + se * 1000 + ms;
  }
  return Date.parse(s);
}

/**
 * `parseRfc3339Ms` on the ASCII bytes `buf[start, end)` (a JSON string's content, no escapes), without
 * making a string for the common `YYYY-MM-DDTHH:MM:SS[.fraction]Z` form: same checks, same integer
 * arithmetic, so the same result; every other form goes through `parseRfc3339Ms` on the text.
 */
const memoBytes = new Uint8Array(17);
let memoBytesValid = false;
let memoBytesMinuteMs = 0;

export function parseRfc3339MsBytes(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 20 || buf[start + 4] !== 45 || buf[start + 7] !== 45 || buf[start + 10] !== 84 || buf[start + 13] !== 58 || buf[start + 16] !== 58 || buf[end - 1] !== 90) {
    return parseRfc3339Ms(latin1(buf, start, end));
  }
  let minuteMs: number;
  if (memoBytesValid && samePrefix(buf, start)) minuteMs = memoBytesMinuteMs;
  else {
    const y = byteDigits(buf, start, 4);
    const mo = byteDigits(buf, start + 5, 2);
    const d = byteDigits(buf, start + 8, 2);
    const h = byteDigits(buf, start + 11, 2);
    const mi = byteDigits(buf, start + 14, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h < 0 || h > 23 || mi < 0 || mi > 59) return Number.NaN;
    if (mo === 2 && d === 29 && (y % 4 !== 0 || (y % 100 === 0 && y % 400 !== 0))) return Number.NaN;
    minuteMs = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000;
    for (let i = 0; i < 17; i++) memoBytes[i] = buf[start + i]!;
    memoBytesValid = true;
    memoBytesMinuteMs = minuteMs;
  }
  const se = byteDigits(buf, start + 17, 2);
  if (se < 0 || se > 60) return Number.NaN;
  if (n === 20) return minuteMs + se * 1000;
  if (buf[start + 19] !== 46) return Number.NaN;
  const fracLen = n - 21;
  if (fracLen < 1 || fracLen > 9 || byteDigits(buf, start + 20, fracLen) < 0) return Number.NaN;
  const take = fracLen < 3 ? fracLen : 3;
  return minuteMs + se * 1000 + byteDigits(buf, start + 20, take) * (take === 1 ? 100 : take === 2 ? 10 : 1);
}

/**
 * The length of `YYYY-MM-DDTHH:MM:SS[.fraction]Z` at `buf[start..limit)` judged by its separators,
 * seconds and fraction (1–9 digits) alone — the shape `parseRfc3339MsBytes` reads itself — or 0.
 * Lets a JSON scanner read a timestamp without first scanning for its closing quote: it must still
 * check that quote, and that `parseRfc3339MsBytes` finds the text valid (which checks every byte).
 */
export function rfc3339ZLength(buf: Uint8Array, start: number, limit: number): number {
  if (start + 20 > limit || buf[start + 4] !== 45 || buf[start + 7] !== 45 || buf[start + 10] !== 84 || buf[start + 13] !== 58 || buf[start + 16] !== 58) return 0;
  const c = buf[start + 19];
  if (c === 90) return 20;
  if (c !== 46) return 0;
  let i = start + 20;
  const max = Math.min(limit, start + 29);
  while (i < max && buf[i]! >= 48 && buf[i]! <= 57) i++;
  return i > start + 20 && i < limit && buf[i] === 90 ? i + 1 - start : 0;
}

function samePrefix(buf: Uint8Array, start: number): boolean {
  const m = memoBytes;
  // unrolled: this runs once per quote; the minute digits first, they change most often
  return (
    buf[start + 15] === m[15] && buf[start + 14] === m[14] && buf[start + 12] === m[12] && buf[start + 11] === m[11] &&
    buf[start + 9] === m[9] && buf[start + 8] === m[8] && buf[start + 6] === m[6] && buf[start + 5] === m[5] &&
    buf[start + 3] === m[3] && buf[start + 2] === m[2] && buf[start + 1] === m[1] && buf[start] === m[0] &&
    buf[start + 4] === m[4] && buf[start + 7] === m[7] && buf[start + 10] === m[10] && buf[start + 13] === m[13] && buf[start + 16] === m[16]
  );
}

function byteDigits(buf: Uint8Array, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}

function digits(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
