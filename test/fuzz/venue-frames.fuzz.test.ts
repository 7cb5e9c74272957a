/**
 * Fuzz suite, venue frames (issue 13): valid Alpaca frames mutated byte by byte, random JSON and
 * msgpack values, hostile objects (crafted `constructor`, deep nesting, attacker-sized strings),
 * through both parsers. Nothing may throw, every reason is short, and the parsers keep working.
 * (The large seeded corpus lives in test/unit/node/venues/alpaca/fuzz.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode } from '@msgpack/msgpack';
import { MarketFrameParser } from '../../src/node/venues/alpaca/market-parser';
import { TradingFrameParser } from '../../src/node/venues/alpaca/trading-parser';
import { encodeMsgpack, ExchangeTime } from '../../src/node/venues/alpaca/codec';
import { simInstruments } from '../helpers/ids';

const MAX_REASON = 700;
const quote = { T: 'q', S: 'SPY', bx: 'V', bp: 585.1, bs: 3, ax: 'V', ap: 585.2, as: 4, t: '2026-11-21T15:00:00.123456789Z', c: ['R'], z: 'C' };
const order = { id: 'o1', client_order_id: 'c1', symbol: 'SPY', side: 'buy', type: 'limit', qty: '1', filled_qty: '1', filled_avg_price: '1.5', status: 'filled', legs: null };
const fill = { stream: 'trade_updates', data: { event: 'fill', execution_id: 'e1', timestamp: '2026-11-21T15:00:00Z', price: '1.5', qty: '1', position_qty: '1', order } };

function market() {
  const reasons: string[] = [];
  let quotes = 0;
  const parser = new MarketFrameParser({ quote: () => quotes++, trade: () => {}, control: () => {}, malformed: (r) => reasons.push(r) }, { instruments: simInstruments() });
  return { parser, reasons, quotes: () => quotes };
}
function trading() {
  const reasons: string[] = [];
  let updates = 0;
  const parser = new TradingFrameParser({ control: () => {}, orderUpdate: () => updates++, heartbeat: () => {}, malformed: (r) => reasons.push(r) }, true);
  return { parser, reasons, updates: () => updates };
}

/** A frame with some bytes flipped, some dropped or some inserted. */
const mutated = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'drop', 'insert')), { minLength: 1, maxLength: 6 }).map((ops) => {
    const out = Array.from(base);
    for (const [at, byte, op] of ops) {
      const i = at % Math.max(out.length, 1);
      if (op === 'flip') out[i] = byte;
      else if (op === 'drop') out.splice(i, 1);
      else out.splice(i, 0, byte);
    }
    return Buffer.from(out);
  });

describe('fuzz: market-data frames (JSON and msgpack, random and mutated)', () => {
  it('mutated valid frames and random values never throw; reasons are short', () => {
    const h = market();
    const json = Buffer.from(JSON.stringify([quote, { ...quote, S: 'AAPL' }, { T: 'subscription', quotes: ['SPY'] }]));
    const mp = Buffer.from(encodeMsgpack([{ ...quote, t: new ExchangeTime(1, 1_000_000) }, { T: 't', S: 'SPY', p: 1.5, s: 2 }]));
    fc.assert(
      fc.property(fc.oneof(mutated(json).map((b) => [b, false] as const), mutated(mp).map((b) => [b, true] as const)), ([bytes, binary]) => {
        expect(() => h.parser.frame(bytes, binary, 1)).not.toThrow();
      }),
      { numRuns: 1500, seed: 21 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (v, binary) => {
        const bytes = binary ? Buffer.from(encode(v)) : Buffer.from(JSON.stringify(v) ?? 'null');
        expect(() => h.parser.frame(bytes, binary, 1)).not.toThrow();
      }),
      { numRuns: 1000, seed: 22 },
    );
    for (const r of h.reasons) expect(r.length).toBeLessThan(MAX_REASON);
    const before = h.quotes();
    h.parser.frame(Buffer.from(JSON.stringify([quote])), false, 2);
    expect(h.quotes()).toBe(before + 1);
  });

  it('hostile objects: crafted constructor/toString, attacker-sized names and keys, deep nesting', () => {
    const h = market();
    const hostile = fc.oneof(
      fc.constant('[{"T":{"constructor":{"name":{"toString":1}}}}]'),
      fc.constant('[{"T":{"toString":1,"valueOf":1}}]'),
      fc.nat({ max: 200_000 }).map((n) => JSON.stringify([{ T: { constructor: { name: 'x'.repeat(n) } } }])),
      fc.nat({ max: 200_000 }).map((n) => JSON.stringify([{ T: 'error', code: 1, msg: 'm'.repeat(n) }])),
      fc.nat({ max: 100_000 }).map((n) => `[${'['.repeat(n)}${']'.repeat(n)}]`),
      fc.nat({ max: 100_000 }).map((n) => `[{"T":"q","S":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}]`),
    );
    fc.assert(
      fc.property(hostile, fc.boolean(), (text, viaBuffer) => {
        expect(() => h.parser.frame(viaBuffer ? Buffer.from(text) : text, false, 1)).not.toThrow();
      }),
      { numRuns: 60, seed: 23 },
    );
    expect(h.reasons.length).toBeGreaterThan(0);
    for (const r of h.reasons) expect(r.length).toBeLessThan(MAX_REASON);
  });
});

describe('fuzz: trade_updates frames (JSON and msgpack, random and mutated)', () => {
  it('mutated fills, random values and deep legs never throw; reasons are short; the parser keeps working', () => {
    const h = trading();
    const json = Buffer.from(JSON.stringify(fill));
    const mp = Buffer.from(encode(fill));
    const frame = fc.oneof(
      mutated(json).map((b) => [b, false] as const),
      mutated(mp).map((b) => [b, true] as const),
      fc.jsonValue({ maxDepth: 8 }).map((v) => [Buffer.from(JSON.stringify(v) ?? 'null'), false] as const),
      fc.jsonValue({ maxDepth: 8 }).map((v) => [Buffer.from(encode({ stream: 'trade_updates', data: v })), true] as const),
      fc.nat({ max: 30_000 }).map((n) => [Buffer.from(`{"stream":"trade_updates","data":{"event":"fill","order":${'{"id":"o","status":"new","legs":['.repeat(n)}{"id":"x","status":"new"}${']}'.repeat(n)}}}`), false] as const),
      fc.nat({ max: 100_000 }).map((n) => [Buffer.from(`{"stream":${'['.repeat(n)}${']'.repeat(n)}}`), false] as const),
    );
    fc.assert(
      fc.property(frame, ([bytes, binary]) => {
        expect(() => h.parser.frame(bytes, binary, 0)).not.toThrow();
      }),
      { numRuns: 1500, seed: 24 },
    );
    for (const r of h.reasons) expect(r.length).toBeLessThan(MAX_REASON);
    const before = h.updates();
    h.parser.frame(JSON.stringify(fill), false, 0);
    expect(h.updates()).toBe(before + 1);
  });
});
