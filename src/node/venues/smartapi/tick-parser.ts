/**
 * SmartAPI WebSocket 2.0 binary tick packets (docs/protocols/smartapi.md §2.6), parsed straight
 * from the bytes: little-endian, one packet per binary frame, int64 prices in paise.
 *
 * Two readers over the same layout:
 * - `parseTickPacket`: every field of every mode (LTP 51 B, Quote 123 B, SnapQuote 379 B,
 *   Depth-20 443 B), for tests, tools and the order of fields as documented;
 * - `TickReader.read`: the hot path. It fills one reused scratch object with what a quote needs
 *   (token key, exchange time, LTP, best bid/ask) without allocating per packet.
 *
 * A packet is rejected (never half-read) when its length is not exactly the documented size of its
 * mode (truncated or oversized), the mode or exchange type is unknown, the token is empty or not
 * printable ASCII, an int64 does not fit a safe integer, a price is negative or implausible, or a
 * best-five flag is neither 0 nor 1.
 *
 * SDK pitfalls avoided (§2.7): P1 open-interest change is a float64; P2 Depth-20 exchange time is
 * at offset 27; P3 best-five entries are classified by their flag (1 = bid by default: the
 * observed reading; `bidFlag: 0` selects the other reading), never by position; P4 the LTP is read
 * as int64 in every mode; P5 exchange time is ms, last-traded time is seconds.
 */
import { MAX_PLAUSIBLE_PRICE } from '../../../core/market/quote';

export const MODE_LTP = 1;
export const MODE_QUOTE = 2;
export const MODE_SNAP = 3;
export const MODE_DEPTH = 4;
export type SmartMode = 1 | 2 | 3 | 4;

/** Exact packet size of each mode. */
export const PACKET_SIZE: Readonly<Record<SmartMode, number>> = { 1: 51, 2: 123, 3: 379, 4: 443 };

/** exchangeType codes (§2.3). */
export const EXCHANGE_TYPES: Readonly<Record<number, string>> = { 1: 'nse_cm', 2: 'nse_fo', 3: 'bse_cm', 4: 'bse_fo', 5: 'mcx_fo', 7: 'ncx_fo', 13: 'cde_fo' };
/** Scrip-master `exch_seg` → exchangeType. */
export const SEGMENT_EXCHANGE_TYPE: Readonly<Record<string, number>> = { NSE: 1, NFO: 2, BSE: 3, BFO: 4, MCX: 5, NCDEX: 7, CDS: 13 };

export const TOKEN_OFFSET = 2;
export const TOKEN_BYTES = 25;
const TWO32 = 4294967296;
/** Largest paise value accepted: MAX_PLAUSIBLE_PRICE rupees. */
const MAX_PAISE = MAX_PLAUSIBLE_PRICE * 100;

export class TickPacketError extends Error {
  constructor(message: string) {
    super(`SmartAPI tick packet: ${message}`);
    this.name = 'TickPacketError';
  }
}

export interface BookLevel {
  /** Rupees (paise / 100). */
  price: number;
  /** Paise, exactly as sent. */
  pricePaise: number;
  qty: number;
  orders: number;
}

export interface TickPacket {
  mode: SmartMode;
  exchangeType: number;
  token: string;
  /** Modes 1–3 (null for Depth-20). */
  sequence: number | null;
  /** Epoch ms. */
  exchangeTimeMs: number;
  /** Rupees; paise exactly in `ltpPaise`. Null for Depth-20. */
  ltp: number | null;
  ltpPaise: number | null;
  ltq: number | null;
  avgPrice: number | null;
  volume: number | null;
  totalBuyQty: number | null;
  totalSellQty: number | null;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  /** Epoch seconds (SnapQuote). */
  lastTradedTimeSec: number | null;
  openInterest: number | null;
  openInterestChangePct: number | null;
  bids: BookLevel[];
  asks: BookLevel[];
  upperCircuit: number | null;
  lowerCircuit: number | null;
  week52High: number | null;
  week52Low: number | null;
  /** Depth-20 only: when the venue received the packet (epoch ms). */
  packetReceivedMs: number | null;
}

/** Exact decimal text of a paise amount (123456 → "1234.56"). */
export function paiseToDecimal(paise: number): string {
  const neg = paise < 0;
  const a = Math.abs(paise);
  const r = Math.floor(a / 100);
  const p = a - r * 100;
  return `${neg ? '-' : ''}${r}.${p < 10 ? '0' : ''}${p}`;
}

function i64(_b: Uint8Array, dv: DataView, o: number, field: string): number {
  const lo = dv.getUint32(o, true);
  const hi = dv.getInt32(o + 4, true);
  if (hi > 0x1fffff || hi < -0x200000) throw new TickPacketError(`${field} at offset ${o} does not fit a safe integer`);
  return hi * TWO32 + lo;
}

function paise(b: Uint8Array, dv: DataView, o: number, field: string): number {
  const v = i64(b, dv, o, field);
  if (v < 0 || v > MAX_PAISE) throw new TickPacketError(`${field} ${v} paise at offset ${o} is not a plausible price`);
  return v;
}

function nonNegative(v: number, field: string): number {
  if (v < 0) throw new TickPacketError(`${field} ${v} is negative`);
  return v;
}

/** The token's text: printable ASCII up to the first NUL (or all 25 bytes); throws when empty or not printable. */
export function readToken(b: Uint8Array): string {
  let s = '';
  for (let i = TOKEN_OFFSET; i < TOKEN_OFFSET + TOKEN_BYTES; i++) {
    const c = b[i]!;
    if (c === 0) break;
    if (c < 0x21 || c > 0x7e) throw new TickPacketError(`token byte ${c} at offset ${i} is not printable ASCII`);
    s += String.fromCharCode(c);
  }
  if (s.length === 0) throw new TickPacketError('token is empty');
  return s;
}

function header(b: Uint8Array): { mode: SmartMode; exchangeType: number } {
  if (b.length < 1) throw new TickPacketError('empty packet');
  const mode = b[0]!;
  if (mode < 1 || mode > 4) throw new TickPacketError(`unknown subscription mode ${mode}`);
  const size = PACKET_SIZE[mode as SmartMode];
  if (b.length !== size) throw new TickPacketError(`mode ${mode} packet is ${b.length} bytes, expected exactly ${size} (${b.length < size ? 'truncated' : 'oversized'})`);
  const exchangeType = b[1]!;
  if (EXCHANGE_TYPES[exchangeType] === undefined) throw new TickPacketError(`unknown exchange type ${exchangeType}`);
  return { mode: mode as SmartMode, exchangeType };
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Every field of one packet (see the module doc); throws TickPacketError on anything off-layout. */
export function parseTickPacket(b: Uint8Array, opts: { bidFlag?: 0 | 1 } = {}): TickPacket {
  const { mode, exchangeType } = header(b);
  const dv = view(b);
  const token = readToken(b);
  const t: TickPacket = {
    mode,
    exchangeType,
    token,
    sequence: null,
    exchangeTimeMs: 0,
    ltp: null,
    ltpPaise: null,
    ltq: null,
    avgPrice: null,
    volume: null,
    totalBuyQty: null,
    totalSellQty: null,
    open: null,
    high: null,
    low: null,
    close: null,
    lastTradedTimeSec: null,
    openInterest: null,
    openInterestChangePct: null,
    bids: [],
    asks: [],
    upperCircuit: null,
    lowerCircuit: null,
    week52High: null,
    week52Low: null,
    packetReceivedMs: null,
  };
  if (mode === MODE_DEPTH) {
    t.exchangeTimeMs = nonNegative(i64(b, dv, 27, 'exchange_timestamp'), 'exchange_timestamp');
    t.packetReceivedMs = i64(b, dv, 35, 'packet_received_time');
    for (let k = 0; k < 40; k++) {
      const o = 43 + 10 * k;
      const q = dv.getInt32(o, true);
      const p = dv.getInt32(o + 4, true);
      if (q < 0 || p < 0) throw new TickPacketError(`depth level ${k} has a negative quantity or price`);
      const lvl = { price: p / 100, pricePaise: p, qty: q, orders: dv.getInt16(o + 8, true) };
      if (lvl.qty === 0 && p === 0) continue;
      (k < 20 ? t.bids : t.asks).push(lvl);
    }
    return t;
  }
  t.sequence = i64(b, dv, 27, 'sequence_number');
  t.exchangeTimeMs = nonNegative(i64(b, dv, 35, 'exchange_timestamp'), 'exchange_timestamp');
  t.ltpPaise = paise(b, dv, 43, 'last_traded_price');
  t.ltp = t.ltpPaise / 100;
  if (mode === MODE_LTP) return t;
  t.ltq = nonNegative(i64(b, dv, 51, 'last_traded_quantity'), 'last_traded_quantity');
  t.avgPrice = paise(b, dv, 59, 'average_traded_price') / 100;
  t.volume = nonNegative(i64(b, dv, 67, 'volume_traded_today'), 'volume_traded_today');
  t.totalBuyQty = dv.getFloat64(75, true);
  t.totalSellQty = dv.getFloat64(83, true);
  t.open = paise(b, dv, 91, 'open') / 100;
  t.high = paise(b, dv, 99, 'high') / 100;
  t.low = paise(b, dv, 107, 'low') / 100;
  t.close = paise(b, dv, 115, 'close') / 100;
  if (mode === MODE_QUOTE) return t;
  t.lastTradedTimeSec = i64(b, dv, 123, 'last_traded_timestamp');
  t.openInterest = nonNegative(i64(b, dv, 131, 'open_interest'), 'open_interest');
  t.openInterestChangePct = dv.getFloat64(139, true); // P1: a double, not an int64
  const bidFlag = opts.bidFlag ?? 1;
  for (let k = 0; k < 10; k++) {
    const o = 147 + 20 * k;
    const flag = dv.getInt16(o, true);
    if (flag !== 0 && flag !== 1) throw new TickPacketError(`best-five entry ${k} has flag ${flag} (expected 0 or 1)`);
    const pp = paise(b, dv, o + 10, `best-five entry ${k} price`);
    const lvl: BookLevel = { qty: nonNegative(i64(b, dv, o + 2, `best-five entry ${k} quantity`), 'quantity'), price: pp / 100, pricePaise: pp, orders: dv.getInt16(o + 18, true) };
    if (pp === 0 && lvl.qty === 0) continue; // an empty level (a thin book), never a price of 0
    (flag === bidFlag ? t.bids : t.asks).push(lvl); // P3: by flag, never by position
  }
  t.upperCircuit = paise(b, dv, 347, 'upper_circuit') / 100;
  t.lowerCircuit = paise(b, dv, 355, 'lower_circuit') / 100;
  t.week52High = paise(b, dv, 363, 'week52_high') / 100;
  t.week52Low = paise(b, dv, 371, 'week52_low') / 100;
  return t;
}

/** What the quote path needs from one packet; one instance is reused by TickReader (read it before the next packet). */
export interface TickScratch {
  mode: SmartMode;
  exchangeType: number;
  /** The token as a number when it is all digits (≤ 15 of them), else -1 (then `token` holds it). */
  tokenNum: number;
  token: string | null;
  exchangeTimeMs: number;
  /** Rupees (null for Depth-20). */
  ltp: number | null;
  bid: number | null;
  ask: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** Shares traded today (Quote, SnapQuote); -1 where the mode has none. */
  volume: number;
  /** When the last trade happened (epoch ms from SnapQuote's seconds); 0 where the mode has none. */
  lastTradedTimeMs: number;
}

/** Numeric key of (exchange type, numeric token): the lookup key of the hot path. */
export function tokenKey(exchangeType: number, tokenNum: number): number {
  return tokenNum * 16 + exchangeType; // exchange types are < 16; tokens ≤ 15 digits keep this below 2^53
}

/**
 * The hot-path reader: fills `scratch` (or returns an error string: never throws, never allocates
 * for a good packet with a numeric token).
 */
export class TickReader {
  readonly scratch: TickScratch = { mode: 1, exchangeType: 1, tokenNum: -1, token: null, exchangeTimeMs: 0, ltp: null, bid: null, ask: null, bidSize: null, askSize: null, volume: -1, lastTradedTimeMs: 0 };
  private readonly bidFlag: number;

  constructor(opts: { bidFlag?: 0 | 1 } = {}) {
    this.bidFlag = opts.bidFlag ?? 1;
  }

  /** null when `scratch` holds the packet; otherwise why it was rejected. */
  read(b: Buffer): string | null {
    const len = b.length;
    if (len === 0) return 'empty packet';
    const mode = b[0]!;
    if (mode < 1 || mode > 4) return `unknown subscription mode ${mode}`;
    const size = PACKET_SIZE[mode as SmartMode];
    if (len !== size) return `mode ${mode} packet is ${len} bytes, expected exactly ${size} (${len < size ? 'truncated' : 'oversized'})`;
    const exchangeType = b[1]!;
    if (EXCHANGE_TYPES[exchangeType] === undefined) return `unknown exchange type ${exchangeType}`;
    const s = this.scratch;
    s.mode = mode as SmartMode;
    s.exchangeType = exchangeType;
    // token: digits → number without a string; anything else printable → a string
    let num = 0;
    let digits = 0;
    let end = TOKEN_OFFSET + TOKEN_BYTES;
    let numeric = true;
    for (let i = TOKEN_OFFSET; i < TOKEN_OFFSET + TOKEN_BYTES; i++) {
      const c = b[i]!;
      if (c === 0) {
        end = i;
        break;
      }
      if (c >= 48 && c <= 57 && digits < 15) {
        num = num * 10 + (c - 48);
        digits++;
      } else {
        if (c < 0x21 || c > 0x7e) return `token byte ${c} at offset ${i} is not printable ASCII`;
        numeric = false;
      }
    }
    if (end === TOKEN_OFFSET) return 'token is empty';
    if (numeric) {
      s.tokenNum = num;
      s.token = null;
    } else {
      s.tokenNum = -1;
      s.token = b.toString('latin1', TOKEN_OFFSET, end);
    }
    s.bid = s.ask = s.bidSize = s.askSize = null;
    s.volume = -1;
    s.lastTradedTimeMs = 0;
    if (mode === MODE_DEPTH) {
      const hi = b.readInt32LE(31);
      if (hi < 0 || hi > 0x1fffff) return 'exchange_timestamp out of range';
      s.exchangeTimeMs = hi * TWO32 + b.readUInt32LE(27);
      s.ltp = null;
      const bq = b.readInt32LE(43);
      const bp = b.readInt32LE(47);
      const aq = b.readInt32LE(243);
      const ap = b.readInt32LE(247);
      if (bq < 0 || bp < 0 || aq < 0 || ap < 0) return 'depth level with a negative quantity or price';
      if (bp > 0) {
        s.bid = bp / 100;
        s.bidSize = bq;
      }
      if (ap > 0) {
        s.ask = ap / 100;
        s.askSize = aq;
      }
      return null;
    }
    let hi = b.readInt32LE(39);
    if (hi < 0 || hi > 0x1fffff) return 'exchange_timestamp out of range';
    s.exchangeTimeMs = hi * TWO32 + b.readUInt32LE(35);
    hi = b.readInt32LE(47);
    if (hi < 0 || hi > 0x1fffff) return 'last_traded_price out of range';
    const ltp = hi * TWO32 + b.readUInt32LE(43);
    if (ltp > MAX_PAISE) return `last_traded_price ${ltp} paise is not plausible`;
    s.ltp = ltp / 100;
    if (mode === 1) return null;
    hi = b.readInt32LE(71);
    if (hi < 0 || hi > 0x1fffff) return 'volume_traded_today out of range';
    s.volume = hi * TWO32 + b.readUInt32LE(67);
    if (mode !== MODE_SNAP) return null;
    // last_traded_timestamp is in seconds (pitfall P5), unlike exchange_timestamp
    hi = b.readInt32LE(127);
    if (hi > 0x1fffff || hi < -0x200000) return 'last_traded_timestamp out of range';
    const ltt = hi * TWO32 + b.readUInt32LE(123);
    // a time before 1970 or after 3000 is not one: unknown (0), the print then counts by its volume
    s.lastTradedTimeMs = ltt > 0 && ltt < 32_503_680_000 ? ltt * 1000 : 0;
    const bidFlag = this.bidFlag;
    for (let k = 0, o = 147; k < 10; k++, o += 20) {
      const flag = b.readInt16LE(o);
      if (flag !== 0 && flag !== 1) return `best-five entry ${k} has flag ${flag}`;
      const phi = b.readInt32LE(o + 14);
      const qhi = b.readInt32LE(o + 6);
      if (phi < 0 || phi > 0x1fffff || qhi < 0 || qhi > 0x1fffff) return `best-five entry ${k} out of range`;
      const pp = phi * TWO32 + b.readUInt32LE(o + 10);
      if (pp > MAX_PAISE) return `best-five entry ${k} price ${pp} paise is not plausible`;
      if (pp === 0) continue; // an empty level
      if (flag === bidFlag) {
        if (s.bid === null || pp / 100 > s.bid) {
          s.bid = pp / 100;
          s.bidSize = qhi * TWO32 + b.readUInt32LE(o + 2);
        }
      } else if (s.ask === null || pp / 100 < s.ask) {
        s.ask = pp / 100;
        s.askSize = qhi * TWO32 + b.readUInt32LE(o + 2);
      }
    }
    return null;
  }
}

// ---------- encoding (the simulated venue's face and the test fixtures) ----------

export interface EncodeTick {
  mode: SmartMode;
  exchangeType: number;
  token: string;
  sequence?: number;
  exchangeTimeMs: number;
  ltpPaise: number;
  ltq?: number;
  avgPaise?: number;
  volume?: number;
  totalBuyQty?: number;
  totalSellQty?: number;
  openPaise?: number;
  highPaise?: number;
  lowPaise?: number;
  closePaise?: number;
  lastTradedTimeSec?: number;
  openInterest?: number;
  openInterestChangePct?: number;
  /** Up to 5 each; written as flag 1 (bids) then flag 0 (asks) unless `bidFlag` says otherwise. */
  bids?: { pricePaise: number; qty: number; orders?: number }[];
  asks?: { pricePaise: number; qty: number; orders?: number }[];
  bidFlag?: 0 | 1;
  upperPaise?: number;
  lowerPaise?: number;
  week52HighPaise?: number;
  week52LowPaise?: number;
  packetReceivedMs?: number;
}

function w64(b: Buffer, o: number, v: number): void {
  b.writeBigInt64LE(BigInt(Math.trunc(v)), o);
}

/** Writes one packet of the documented layout (little-endian). */
export function encodeTickPacket(t: EncodeTick): Buffer {
  const b = Buffer.alloc(PACKET_SIZE[t.mode]);
  b[0] = t.mode;
  b[1] = t.exchangeType;
  b.write(t.token.slice(0, TOKEN_BYTES), TOKEN_OFFSET, 'latin1');
  if (t.mode === MODE_DEPTH) {
    w64(b, 27, t.exchangeTimeMs);
    w64(b, 35, t.packetReceivedMs ?? t.exchangeTimeMs);
    (t.bids ?? []).slice(0, 20).forEach((l, k) => {
      b.writeInt32LE(l.qty, 43 + 10 * k);
      b.writeInt32LE(l.pricePaise, 47 + 10 * k);
      b.writeInt16LE(l.orders ?? 1, 51 + 10 * k);
    });
    (t.asks ?? []).slice(0, 20).forEach((l, k) => {
      b.writeInt32LE(l.qty, 243 + 10 * k);
      b.writeInt32LE(l.pricePaise, 247 + 10 * k);
      b.writeInt16LE(l.orders ?? 1, 251 + 10 * k);
    });
    return b;
  }
  w64(b, 27, t.sequence ?? 0);
  w64(b, 35, t.exchangeTimeMs);
  w64(b, 43, t.ltpPaise);
  if (t.mode === MODE_LTP) return b;
  w64(b, 51, t.ltq ?? 0);
  w64(b, 59, t.avgPaise ?? t.ltpPaise);
  w64(b, 67, t.volume ?? 0);
  b.writeDoubleLE(t.totalBuyQty ?? 0, 75);
  b.writeDoubleLE(t.totalSellQty ?? 0, 83);
  w64(b, 91, t.openPaise ?? t.ltpPaise);
  w64(b, 99, t.highPaise ?? t.ltpPaise);
  w64(b, 107, t.lowPaise ?? t.ltpPaise);
  w64(b, 115, t.closePaise ?? t.ltpPaise);
  if (t.mode === MODE_QUOTE) return b;
  w64(b, 123, t.lastTradedTimeSec ?? Math.floor(t.exchangeTimeMs / 1000));
  w64(b, 131, t.openInterest ?? 0);
  b.writeDoubleLE(t.openInterestChangePct ?? 0, 139);
  const bidFlag = t.bidFlag ?? 1;
  const entries = [...(t.bids ?? []).slice(0, 5).map((l) => ({ ...l, flag: bidFlag })), ...(t.asks ?? []).slice(0, 5).map((l) => ({ ...l, flag: 1 - bidFlag }))];
  entries.slice(0, 10).forEach((l, k) => {
    const o = 147 + 20 * k;
    b.writeInt16LE(l.flag, o);
    w64(b, o + 2, l.qty);
    w64(b, o + 10, l.pricePaise);
    b.writeInt16LE(l.orders ?? 1, o + 18);
  });
  // unused entries: flag 0 (ask side), price 0 = empty
  w64(b, 347, t.upperPaise ?? 0);
  w64(b, 355, t.lowerPaise ?? 0);
  w64(b, 363, t.week52HighPaise ?? 0);
  w64(b, 371, t.week52LowPaise ?? 0);
  return b;
}
