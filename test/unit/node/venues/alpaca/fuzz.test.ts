// Hostile frames at the adapter's parsers: ≥ 10,000 malformed or adversarial frames (bad JSON, bad
// msgpack, wrong types, huge arrays, deep nesting, wrong ext types). Nothing may throw, everything
// that gets through must satisfy the normalized invariants, bad input is counted, and the parser
// still works afterwards. A subset goes over a real socket in test/integration/market/.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode, ExtData } from '@msgpack/msgpack';
import { MarketFrameParser } from '../../../../../src/node/venues/alpaca/market-parser';
import { TradingFrameParser } from '../../../../../src/node/venues/alpaca/trading-parser';
import { encodeMsgpack, ExchangeTime } from '../../../../../src/node/venues/alpaca/codec';
import { SeededRandom } from '../../../../../src/core/model/random';
import type { QuoteTick, TradeTick } from '../../../../../src/core/market/quote';
import { sim, simInstruments } from '../../../../helpers/ids';

function harness() {
  const quotes: QuoteTick[] = [];
  const trades: TradeTick[] = [];
  let malformed = 0;
  let controls = 0;
  const parser = new MarketFrameParser({
    quote: (q) => quotes.push(q),
    trade: (t) => trades.push(t),
    control: () => controls++,
    malformed: () => malformed++,
  }, { instruments: simInstruments() });
  return { parser, quotes, trades, malformed: () => malformed, controls: () => controls };
}

function checkInvariants(quotes: QuoteTick[], trades: TradeTick[]): void {
  for (const q of quotes) {
    expect(typeof q.symbol === 'string' && q.symbol.length > 0 && q.symbol.length <= 32).toBe(true);
    for (const v of [q.bid, q.ask]) expect(v === null || (Number.isFinite(v) && v > 0)).toBe(true);
    for (const v of [q.bidSize, q.askSize]) expect(v === null || (Number.isFinite(v) && v >= 0)).toBe(true);
    expect(q.exchangeTime === null || Number.isFinite(q.exchangeTime)).toBe(true);
  }
  for (const t of trades) {
    expect(Number.isFinite(t.price) && t.price > 0).toBe(true);
    expect(t.exchangeTime === null || Number.isFinite(t.exchangeTime)).toBe(true);
  }
}

const validQuote = { T: 'q', S: 'SPY', bx: 'V', bp: 585.1, bs: 3, ax: 'V', ap: 585.2, as: 4, t: '2026-11-21T15:00:00.123456789Z', c: ['R'], z: 'C' };

/** Mutations that must each make a quote message invalid. */
const breakers: ((m: Record<string, unknown>, rng: SeededRandom) => void)[] = [
  (m) => (m.bp = String(m.bp)),
  (m) => (m.ap = null),
  (m) => (m.bp = -1),
  (m) => (m.as = -5),
  (m) => (m.S = ''),
  (m) => (m.S = 'X'.repeat(33)),
  (m) => (m.S = 42),
  (m) => (m.t = 'not a time'),
  (m) => (m.t = { sec: 1 }),
  (m) => (m.t = 12345),
  (m) => (m.bp = [1]),
  (m) => (m.ap = { v: 1 }),
  (m, r) => (m.bs = r.next() < 0.5 ? 'many' : true),
  (m) => delete m.bp,
];

describe('parser fuzz (≥ 10,000 hostile frames)', () => {
  it('market-data parser: never throws, counts bad input, keeps working', () => {
    const h = harness();
    const rng = new SeededRandom(20261121);
    let frames = 0;
    let mustBeMalformed = 0;
    const feed = (data: Buffer | string, binary: boolean, malformed: boolean) => {
      expect(() => h.parser.frame(typeof data === 'string' ? Buffer.from(data) : data, binary, 1)).not.toThrow();
      frames++;
      if (malformed) mustBeMalformed++;
    };

    // 1. Random bytes as msgpack and as JSON text (3,000).
    for (let i = 0; i < 1500; i++) {
      const bytes = Buffer.alloc(rng.int(0, 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(0, 255);
      feed(bytes, true, false);
      feed(bytes, false, false);
    }
    // 2. Truncated valid frames, JSON and msgpack (2,000).
    const json = JSON.stringify([validQuote, validQuote]);
    const mp = Buffer.from(encodeMsgpack([{ ...validQuote, t: new ExchangeTime(1, 1_000_000) }]));
    for (let i = 0; i < 1000; i++) {
      feed(json.slice(0, rng.int(1, json.length - 1)), false, true);
      feed(mp.subarray(0, rng.int(1, mp.length - 1)), true, true);
    }
    // 3. Valid framing, wrong types in quote/trade fields (2,800).
    for (let i = 0; i < 1400; i++) {
      const q: Record<string, unknown> = { ...validQuote };
      breakers[i % breakers.length]!(q, rng);
      feed(JSON.stringify([q]), false, true);
      const t: Record<string, unknown> = { T: 't', S: 'AAPL', p: rng.next() < 0.5 ? 'NaN' : -rng.next(), s: 1 };
      feed(Buffer.from(encodeMsgpack([t])), true, true);
    }
    // 4. Wrong extension types and bad timestamp payloads in msgpack (1,000).
    for (let i = 0; i < 500; i++) {
      feed(Buffer.from(encode([{ ...validQuote, t: new ExtData(rng.int(0, 127), new Uint8Array([1, 2, 3])) }])), true, true);
      feed(Buffer.from(encode([{ ...validQuote, t: new ExtData(-1, new Uint8Array(rng.int(0, 3))) }])), true, true);
    }
    // 5. Non-array / wrong-shape frames (1,000).
    const shapes = ['{}', 'null', '42', '"q"', 'true', '[null]', '[[1,2]]', '[{"T":null}]', '[{"T":"error","code":"x"}]', '[{"T":"subscription","quotes":"SPY"}]'];
    for (let i = 0; i < 1000; i++) feed(shapes[i % shapes.length]!, false, true);
    // 6. Huge arrays and deep nesting (a few, they are big).
    feed(JSON.stringify(new Array(50_001).fill(0).map(() => 1)), false, true);
    feed(Buffer.from(encode(new Array(60_000).fill(7))), true, true);
    feed(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, false, false);
    feed(Buffer.concat([Buffer.alloc(100_000, 0x91), Buffer.from([0x01])]), true, false); // 100,000 nested fixarrays
    feed(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), true, true); // array32 claiming 4 billion items
    feed(Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff]), true, true); // str32 claiming 2 GiB
    // 7. Property-based: arbitrary JSON values and arbitrary msgpack-able values (2,000).
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        feed(JSON.stringify(v) ?? 'null', false, false);
        feed(Buffer.from(encode(v)), true, false);
      }),
      { numRuns: 1000, seed: 42 },
    );

    expect(frames).toBeGreaterThanOrEqual(10_000);
    expect(h.malformed()).toBeGreaterThanOrEqual(mustBeMalformed);
    checkInvariants(h.quotes, h.trades);

    // still works: a valid JSON and a valid msgpack frame after all that
    const before = h.quotes.length;
    h.parser.frame(Buffer.from(JSON.stringify([validQuote])), false, 2);
    h.parser.frame(mp, true, 3);
    expect(h.quotes.length).toBe(before + 2);
    expect(h.quotes.at(-1)).toMatchObject({ instrument: sim('SPY'), symbol: 'SPY', bid: 585.1, receivedAt: 3 });
  });

  it('trade_updates parser: never throws on 2,000 hostile frames and keeps working', () => {
    let malformed = 0;
    const updates: string[] = [];
    const p = new TradingFrameParser({ control: () => {}, orderUpdate: (u) => updates.push(u.event), heartbeat: () => {}, malformed: () => malformed++ });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ stream: fc.constant('trade_updates'), data: fc.jsonValue() })), fc.boolean(), (v, binary) => {
        expect(() => p.frame(Buffer.from(JSON.stringify(v) ?? 'null'), binary, 0)).not.toThrow();
      }),
      { numRuns: 2000, seed: 7 },
    );
    expect(malformed).toBeGreaterThan(1500);
    p.frame(JSON.stringify({ stream: 'trade_updates', data: { event: 'fill', order: { id: '1', status: 'filled' } } }), false, 0);
    expect(updates.at(-1)).toBe('fill');
  });
});
