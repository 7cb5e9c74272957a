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

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z` → epoch ms; other offsets fall back to Date.parse; NaN when invalid. */
export function parseRfc3339Ms(s: string): number {
  const n = s.length;
  if (n >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(n - 1) === 90) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const se = digits(s, 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return Number.NaN;
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46) return Number.NaN;
      const fracLen = n - 21;
      if (fracLen < 1 || fracLen > 9) return Number.NaN;
      const frac = digits(s, 20, fracLen);
      if (frac < 0) return Number.NaN;
      ms = Math.floor(frac / 10 ** (fracLen - 3));
    } else if (n !== 20) return Number.NaN;
    return Date.UTC(y, mo - 1, d, h, mi, se) + ms;
  }
  return Date.parse(s);
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
