import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EXCHANGE_TYPES,
  PACKET_SIZE,
  TickPacketError,
  TickReader,
  encodeTickPacket,
  paiseToDecimal,
  parseTickPacket,
  tokenKey,
  type EncodeTick,
  type SmartMode,
} from '../../../../../src/node/venues/smartapi/tick-parser';

const T0 = 1735201464000;

/** A packet written by hand, byte by byte, from the documented table (not by the encoder under test). */
function handSnap(): Buffer {
  const b = Buffer.alloc(379);
  b[0] = 3;
  b[1] = 2;
  Buffer.from('43650', 'ascii').copy(b, 2);
  // int64 LE written as two uint32 halves (lo first): endianness checked independently of writeBigInt64LE
  const put = (o: number, v: number) => {
    b.writeUInt32LE(v % 2 ** 32, o);
    b.writeUInt32LE(Math.floor(v / 2 ** 32), o + 4);
  };
  put(27, 77); // sequence
  put(35, T0); // exchange time ms
  put(43, 190735); // LTP paise
  put(51, 75);
  put(59, 190500);
  put(67, 123456);
  b.writeDoubleLE(1000.5, 75);
  b.writeDoubleLE(2000.25, 83);
  put(91, 180000);
  put(99, 200000);
  put(107, 170005);
  put(115, 185010);
  put(123, T0 / 1000);
  put(131, 987654);
  b.writeDoubleLE(1.8379, 139);
  // best five: asks first in the packet (flag 0), bids after (flag 1): classification must follow the flag
  const level = (k: number, flag: number, qty: number, p: number, orders: number) => {
    const o = 147 + 20 * k;
    b.writeInt16LE(flag, o);
    put(o + 2, qty);
    put(o + 10, p);
    b.writeInt16LE(orders, o + 18);
  };
  [190735, 190740, 190745, 190750, 190755].forEach((p, k) => level(k, 0, 10 + k, p, 1 + k));
  [190700, 190650, 190645, 190640, 190600].forEach((p, k) => level(5 + k, 1, 20 + k, p, 2 + k));
  put(347, 250000);
  put(355, 150000);
  put(363, 260000);
  put(371, 100000);
  return b;
}

describe('SmartAPI tick parser: documented layout', () => {
  it('reads every SnapQuote field at its documented offset, little-endian, paise → rupees exactly', () => {
    const t = parseTickPacket(handSnap());
    expect(t).toMatchObject({ mode: 3, exchangeType: 2, token: '43650', sequence: 77, exchangeTimeMs: T0, ltp: 1907.35, ltpPaise: 190735, ltq: 75, avgPrice: 1905, volume: 123456 });
    expect(t).toMatchObject({ totalBuyQty: 1000.5, totalSellQty: 2000.25, open: 1800, high: 2000, low: 1700.05, close: 1850.1, lastTradedTimeSec: T0 / 1000, openInterest: 987654 });
    expect(t.openInterestChangePct).toBeCloseTo(1.8379, 10); // P1: a double, not an int64
    // P3: by flag (1 = bid), not by position
    expect(t.bids.map((l) => l.price)).toEqual([1907, 1906.5, 1906.45, 1906.4, 1906]);
    expect(t.asks.map((l) => l.price)).toEqual([1907.35, 1907.4, 1907.45, 1907.5, 1907.55]);
    expect(t.bids[0]).toEqual({ price: 1907, pricePaise: 190700, qty: 20, orders: 2 });
    expect(t).toMatchObject({ upperCircuit: 2500, lowerCircuit: 1500, week52High: 2600, week52Low: 1000 });
    expect(paiseToDecimal(t.ltpPaise!)).toBe('1907.35');
    expect(paiseToDecimal(5)).toBe('0.05');
  });

  it('reads big-endian bytes as a different (here implausible) value: endianness is checked, not assumed', () => {
    const b = handSnap();
    // write the LTP big-endian: the little-endian reader must not see 1907.35
    b.writeBigInt64BE(190735n, 43);
    expect(() => parseTickPacket(b)).toThrow(TickPacketError);
    expect(new TickReader().read(b)).toMatch(/last_traded_price/);
  });

  it('the other reading of the best-five flag (0 = bid) swaps the sides', () => {
    const t = parseTickPacket(handSnap(), { bidFlag: 0 });
    expect(t.bids[0]!.price).toBe(1907.35);
    expect(t.asks[0]!.price).toBe(1907);
    const r = new TickReader({ bidFlag: 0 });
    expect(r.read(handSnap())).toBeNull();
    expect(r.scratch.bid).toBe(1907.55);
    expect(r.scratch.ask).toBe(1906);
  });

  it('LTP mode (51 B): the LTP is read as an int64 (P4), never as its low 32 bits', () => {
    const b = encodeTickPacket({ mode: 1, exchangeType: 1, token: '26000', sequence: 1, exchangeTimeMs: T0, ltpPaise: 999_999_999 });
    expect(b.length).toBe(51);
    const t = parseTickPacket(b);
    expect(t.ltpPaise).toBe(999_999_999);
    expect(t.ltp).toBe(9999999.99);
    expect(t.ltq).toBeNull();
    const r = new TickReader();
    expect(r.read(b)).toBeNull();
    expect(r.scratch).toMatchObject({ mode: 1, exchangeType: 1, tokenNum: 26000, token: null, ltp: 9999999.99, bid: null, ask: null, exchangeTimeMs: T0 });
    // 2^32 + 5 paise: an int32 reader (the JS SDK) would see 0.05; the int64 value is implausible and refused
    const high = encodeTickPacket({ mode: 1, exchangeType: 1, token: '26000', exchangeTimeMs: T0, ltpPaise: 2 ** 32 + 5 });
    expect(high.readInt32LE(43)).toBe(5);
    expect(() => parseTickPacket(high)).toThrow(/not a plausible price/);
    expect(r.read(high)).toMatch(/not plausible/);
  });

  it('Quote mode (123 B)', () => {
    const b = encodeTickPacket({ mode: 2, exchangeType: 2, token: '43650', exchangeTimeMs: T0, ltpPaise: 12050, ltq: 75, volume: 9, openPaise: 10000, closePaise: 11000 });
    expect(b.length).toBe(123);
    const t = parseTickPacket(b);
    expect(t).toMatchObject({ mode: 2, ltp: 120.5, ltq: 75, volume: 9, open: 100, close: 110, lastTradedTimeSec: null, bids: [] });
  });

  it('Depth-20 (443 B): exchange time at offset 27 (P2), int32 levels', () => {
    const b = encodeTickPacket({ mode: 4, exchangeType: 1, token: '2885', exchangeTimeMs: T0, packetReceivedMs: T0 + 7, ltpPaise: 0, bids: [{ pricePaise: 250010, qty: 3 }], asks: [{ pricePaise: 250020, qty: 4 }] });
    expect(b.length).toBe(443);
    const t = parseTickPacket(b);
    expect(t).toMatchObject({ mode: 4, exchangeTimeMs: T0, packetReceivedMs: T0 + 7, ltp: null, sequence: null });
    expect(t.bids).toEqual([{ price: 2500.1, pricePaise: 250010, qty: 3, orders: 1 }]);
    expect(t.asks[0]!.price).toBe(2500.2);
    const r = new TickReader();
    expect(r.read(b)).toBeNull();
    expect(r.scratch).toMatchObject({ bid: 2500.1, ask: 2500.2, bidSize: 3, askSize: 4, exchangeTimeMs: T0 });
  });

  it.each([1, 2, 3, 4] as SmartMode[])('mode %i: truncated and oversized packets are rejected', (mode) => {
    const good = encodeTickPacket({ mode, exchangeType: 2, token: '43650', exchangeTimeMs: T0, ltpPaise: 100 });
    expect(() => parseTickPacket(good)).not.toThrow();
    for (const bad of [good.subarray(0, good.length - 1), good.subarray(0, 27), Buffer.concat([good, Buffer.alloc(1)])]) {
      expect(() => parseTickPacket(bad)).toThrow(/truncated|oversized/);
      expect(new TickReader().read(bad)).toMatch(/truncated|oversized/);
    }
  });

  it('rejects unknown mode, unknown exchange type, empty / non-ASCII token, negative price', () => {
    const base = () => encodeTickPacket({ mode: 1, exchangeType: 2, token: '43650', exchangeTimeMs: T0, ltpPaise: 100 });
    const cases: [string, (b: Buffer) => void, RegExp][] = [
      ['mode', (b) => (b[0] = 9), /mode/],
      ['exchange', (b) => (b[1] = 6), /exchange type/],
      ['empty token', (b) => b.fill(0, 2, 27), /token is empty/],
      ['token byte', (b) => (b[3] = 0x07), /not printable/],
      ['negative', (b) => b.writeBigInt64LE(-5n, 43), /last_traded_price/],
    ];
    for (const [, mutate, re] of cases) {
      const b = base();
      mutate(b);
      expect(() => parseTickPacket(b)).toThrow(re);
      expect(new TickReader().read(b)).toMatch(re);
    }
    const flag = encodeTickPacket({ mode: 3, exchangeType: 2, token: '1', exchangeTimeMs: T0, ltpPaise: 100, bids: [{ pricePaise: 90, qty: 1 }] });
    flag.writeInt16LE(2, 147);
    expect(() => parseTickPacket(flag)).toThrow(/flag 2/);
    expect(new TickReader().read(flag)).toMatch(/flag 2/);
  });

  it('the hot reader agrees with the full parser on random valid packets, and keys tokens numerically', () => {
    const modes = [1, 2, 3, 4] as const;
    const exch = Object.keys(EXCHANGE_TYPES).map(Number);
    fc.assert(
      fc.property(
        fc.constantFrom(...modes),
        fc.constantFrom(...exch),
        fc.integer({ min: 1, max: 99_999_999 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 0, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 2_000_000 }), { minLength: 0, maxLength: 5 }),
        (mode, ex, token, ltp, bids, asks) => {
          const t: EncodeTick = { mode, exchangeType: ex, token: String(token), exchangeTimeMs: T0, ltpPaise: ltp, bids: bids.map((p) => ({ pricePaise: p, qty: 1 })), asks: asks.map((p) => ({ pricePaise: p, qty: 2 })) };
          const b = encodeTickPacket(t);
          const full = parseTickPacket(b);
          const r = new TickReader();
          expect(r.read(b)).toBeNull();
          expect(r.scratch.tokenNum).toBe(token);
          expect(full.token).toBe(String(token));
          expect(r.scratch.ltp).toBe(full.ltp);
          if (mode === 3 || mode === 4) {
            const bestBid = full.bids.length ? Math.max(...full.bids.map((l) => l.price)) : null;
            const bestAsk = mode === 3 ? (full.asks.filter((l) => l.pricePaise > 0).length ? Math.min(...full.asks.filter((l) => l.pricePaise > 0).map((l) => l.price)) : null) : (full.asks[0]?.price ?? null);
            expect(r.scratch.bid).toBe(mode === 4 ? (full.bids[0]?.price ?? null) : bestBid);
            expect(r.scratch.ask).toBe(bestAsk);
          }
          expect(tokenKey(ex, token)).not.toBe(tokenKey(ex === 1 ? 2 : 1, token));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a non-numeric token is read as text', () => {
    const b = encodeTickPacket({ mode: 1, exchangeType: 1, token: 'ABC-1', exchangeTimeMs: T0, ltpPaise: 1 });
    const r = new TickReader();
    expect(r.read(b)).toBeNull();
    expect(r.scratch.tokenNum).toBe(-1);
    expect(r.scratch.token).toBe('ABC-1');
  });

  it('documented sizes', () => {
    expect(PACKET_SIZE).toEqual({ 1: 51, 2: 123, 3: 379, 4: 443 });
  });
});
