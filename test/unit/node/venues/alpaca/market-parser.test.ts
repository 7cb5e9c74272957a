import { describe, expect, it } from 'vitest';
import { MarketFrameParser, type MarketControl } from '../../../../../src/node/venues/alpaca/market-parser';
import { encodeMsgpack, ExchangeTime, parseRfc3339Ms } from '../../../../../src/node/venues/alpaca/codec';
import type { QuoteTick, TradeTick } from '../../../../../src/core/market/quote';
import { encode, ExtData } from '@msgpack/msgpack';
import { SeededRandom } from '../../../../../src/core/model/random';
import { sim, simInstruments } from '../../../../helpers/ids';
import { VenueInstruments } from '../../../../../src/core/market/instruments';

function collect() {
  const quotes: QuoteTick[] = [];
  const trades: TradeTick[] = [];
  const controls: MarketControl[] = [];
  const malformed: string[] = [];
  const parser = new MarketFrameParser({ quote: (q) => quotes.push(q), trade: (t) => trades.push(t), control: (c) => controls.push(c), malformed: (r) => malformed.push(r) }, { instruments: simInstruments() });
  return { parser, quotes, trades, controls, malformed };
}

describe('parseRfc3339Ms', () => {
  it('reads Alpaca nanosecond timestamps exactly to the millisecond', () => {
    expect(parseRfc3339Ms('2021-02-22T15:51:45.335689322Z')).toBe(Date.UTC(2021, 1, 22, 15, 51, 45, 335));
    expect(parseRfc3339Ms('2021-02-22T15:51:45Z')).toBe(Date.UTC(2021, 1, 22, 15, 51, 45));
    expect(parseRfc3339Ms('2021-02-22T15:51:45.3Z')).toBe(Date.UTC(2021, 1, 22, 15, 51, 45, 300));
    expect(parseRfc3339Ms('2021-02-22T10:51:45.5-05:00')).toBe(Date.UTC(2021, 1, 22, 15, 51, 45, 500));
    expect(parseRfc3339Ms('2021-13-22T15:51:45Z')).toBeNaN();
    expect(parseRfc3339Ms('2021-02-22T15:51:45.Z')).toBeNaN();
    expect(parseRfc3339Ms('garbage')).toBeNaN();
  });
});

describe('MarketFrameParser', () => {
  it('normalizes a JSON stock quote batch (the documented example) and trades', () => {
    const { parser, quotes, trades, malformed } = collect();
    const frame = JSON.stringify([
      { T: 'q', S: 'AMD', bx: 'U', bp: 87.66, bs: 1, ax: 'Q', ap: 87.68, as: 4, t: '2021-02-22T15:51:45.335689322Z', c: ['R'], z: 'C' },
      { T: 't', S: 'AAPL', i: 52983525029461, x: 'V', p: 126.55, s: 100, c: ['@'], t: '2021-02-22T15:51:44.208Z', z: 'C' },
      { T: 'b', S: 'AAPL', o: 1 },
      { T: 'zz-new-type' },
    ]);
    parser.frame(Buffer.from(frame), false, 5000);
    expect(malformed).toEqual([]);
    expect(quotes).toEqual([{ instrument: sim('AMD'), symbol: 'AMD', bid: 87.66, ask: 87.68, bidSize: 1, askSize: 4, exchangeTime: Date.UTC(2021, 1, 22, 15, 51, 45, 335), receivedAt: 5000 }]);
    expect(trades).toEqual([{ instrument: sim('AAPL'), symbol: 'AAPL', price: 126.55, size: 100, exchangeTime: Date.UTC(2021, 1, 22, 15, 51, 44, 208), receivedAt: 5000 }]);
    expect(parser.stats.ignored).toBe(1); // the unknown type, not the bar
  });

  it('decodes msgpack option quotes with the timestamp extension (type −1) and single-char conditions', () => {
    const { parser, quotes, malformed } = collect();
    const t = new ExchangeTime(Date.UTC(2024, 2, 12, 11, 59, 38, 897), 897_261_568);
    parser.frame(Buffer.from(encodeMsgpack([{ T: 'q', S: 'SPXW240327P04925000', t, bx: 'C', bp: 9.46, bs: 53, ax: 'C', ap: 9.66, as: 38, c: 'A' }])), true, 1);
    expect(malformed).toEqual([]);
    expect(quotes[0]).toMatchObject({ instrument: sim('SPXW240327P04925000'), symbol: 'SPXW240327P04925000', bid: 9.46, ask: 9.66, exchangeTime: Date.UTC(2024, 2, 12, 11, 59, 38, 897) });
    // a standard msgpack timestamp written by another encoder decodes the same way
    parser.frame(Buffer.from(encode([{ T: 'q', S: 'X', t: new Date(1000), bp: 1, ap: 2, bs: 1, as: 1 }])), true, 2);
    expect(quotes[1]!.exchangeTime).toBe(1000);
  });

  it('treats a zero price as "no market on that side" (unknown), never as zero', () => {
    const { parser, quotes } = collect();
    parser.frame(JSON.stringify([{ T: 'q', S: 'ILLQ', bp: 0, ap: 0.05, bs: 0, as: 10 }]), false, 0);
    expect(quotes[0]).toMatchObject({ bid: null, ask: 0.05, exchangeTime: null });
  });

  it('passes control messages (validated) and counts bad ones', () => {
    const { parser, controls, malformed } = collect();
    parser.frame('[{"T":"success","msg":"connected"}]', false, 0);
    parser.frame('[{"T":"error","code":406,"msg":"connection limit exceeded"}]', false, 0);
    parser.frame('[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"]}]', false, 0);
    parser.frame('[{"T":"error","code":"406"}]', false, 0);
    expect(controls).toEqual([
      { T: 'success', msg: 'connected' },
      { T: 'error', code: 406, msg: 'connection limit exceeded' },
      { T: 'subscription', trades: ['AAPL'], quotes: ['AMD', 'CLDR'] },
    ]);
    expect(malformed.length).toBe(1);
    expect(malformed[0]).toContain('code');
  });

  it.each([
    ['not JSON', Buffer.from('{nope'), false, 'undecodable JSON'],
    ['not msgpack', Buffer.from([0xc1]), true, 'undecodable msgpack'],
    ['object frame', Buffer.from('{"T":"q"}'), false, 'not an array'],
    ['message not an object', Buffer.from('[1]'), false, 'not an object'],
    ['missing T', Buffer.from('[{"S":"A"}]'), false, 'no string "T"'],
    ['string price', Buffer.from('[{"T":"q","S":"A","bp":"1.0","ap":2}]'), false, 'invalid "bp"'],
    ['negative size', Buffer.from('[{"T":"q","S":"A","bp":1,"ap":2,"bs":-1}]'), false, 'invalid "bs"'],
    ['bad time', Buffer.from('[{"T":"q","S":"A","bp":1,"ap":2,"t":"yesterday"}]'), false, 'invalid "t"'],
    ['numeric time', Buffer.from('[{"T":"t","S":"A","p":1,"t":12345}]'), false, 'invalid "t"'],
    ['empty symbol', Buffer.from('[{"T":"t","S":"","p":1}]'), false, 'invalid "S"'],
    ['zero trade price', Buffer.from('[{"T":"t","S":"A","p":0}]'), false, 'invalid "p"'],
    ['wrong ext type', Buffer.from(encode([{ T: 'q', S: 'A', bp: 1, ap: 2, t: new ExtData(5, new Uint8Array([1, 2])) }])), true, 'invalid "t"'],
    ['truncated timestamp ext', Buffer.from([0x91, 0xd4, 0xff, 0x00]), true, 'undecodable msgpack'],
  ])('rejects %s with a reason', (_name, data, binary, reason) => {
    const { parser, quotes, trades, malformed } = collect();
    parser.frame(data, binary, 0);
    expect(quotes.length + trades.length).toBe(0);
    expect(malformed.length).toBe(1);
    expect(malformed[0]).toContain(reason);
  });

  it('keeps the good messages of a frame that also carries bad ones', () => {
    const { parser, quotes, malformed } = collect();
    parser.frame('[{"T":"q","S":"A","bp":1,"ap":2},{"T":"q","S":"B","bp":null,"ap":2},{"T":"q","S":"C","bp":1,"ap":2}]', false, 0);
    expect(quotes.map((q) => q.symbol)).toEqual(['A', 'C']);
    expect(malformed).toEqual(['quote [1]: B: invalid "bp"']);
  });
});

describe('codec edge cases', () => {
  it('parseRfc3339Ms agrees with Date.parse across the calendar (leap years, month ends)', () => {
    const rng = new SeededRandom(11);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1970, 0, 1) + Math.floor(rng.next() * 4_102_444_800_000); // 1970..2100
      const iso = new Date(ms).toISOString(); // ...sss Z
      expect(parseRfc3339Ms(iso)).toBe(ms);
      expect(parseRfc3339Ms(`${iso.slice(0, 23)}999999Z`)).toBe(ms);
    }
    expect(parseRfc3339Ms('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339Ms('2023-02-29T00:00:00Z')).toBeNaN(); // strict: no rolling into March
    expect(parseRfc3339Ms('2023-04-31T00:00:00Z')).toBeNaN();
  });

  it('decodes all three msgpack timestamp sizes', () => {
    const { parser, quotes } = collect();
    for (const date of [new Date(1_000_000_000_000), new Date(Date.UTC(2026, 10, 21, 15, 0, 0, 123)), new Date(Date.UTC(2500, 0, 1))]) {
      parser.frame(Buffer.from(encode([{ T: 'q', S: 'X', t: date, bp: 1, ap: 2 }])), true, 0);
      expect(quotes.at(-1)!.exchangeTime).toBe(date.getTime());
    }
    parser.frame(Buffer.from(encode([{ T: 'q', S: 'X', t: new Date(-1000), bp: 1, ap: 2 }])), true, 0); // timestamp 96 (negative)
    expect(quotes.at(-1)!.exchangeTime).toBe(-1000);
  });
});

describe('MarketFrameParser on hostile values (issue 13, item 7)', () => {
  it('describing a value never reads its properties: a crafted constructor.name neither throws nor is echoed', () => {
    const { parser, malformed } = collect();
    expect(() => parser.frame('[{"T":{"constructor":{"name":{"toString":1}}}}]', false, 0)).not.toThrow();
    expect(() => parser.frame(Buffer.from('[{"T":{"constructor":{"name":{"toString":1}}}}]'), false, 0)).not.toThrow();
    parser.frame(JSON.stringify([{ T: { constructor: { name: 'N'.repeat(100_000) } } }]), false, 0);
    parser.frame(JSON.stringify({ constructor: { name: 'M'.repeat(100_000) } }), false, 0);
    expect(malformed).toHaveLength(4);
    for (const r of malformed) {
      expect(r.length).toBeLessThan(200);
      expect(r).not.toMatch(/NNNN|MMMM/);
    }
    expect(malformed[0]).toMatch(/no string "T" \(got object\)/);
  });

  it('reasons from control messages are truncated (no attacker-sized reason)', () => {
    const { parser, malformed } = collect();
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    parser.frame(JSON.stringify([{ T: 'subscription', trades: Array.from({ length: 5000 }, () => 'Z'.repeat(500)), ...junk }]), false, 0);
    parser.frame(JSON.stringify([{ T: 'error', code: 'x'.repeat(50_000), msg: 'y'.repeat(50_000) }]), false, 0);
    expect(malformed).toHaveLength(2);
    for (const r of malformed) expect(r.length).toBeLessThan(700);
  });
});

describe('MarketFrameParser: ticks carry their InstrumentId (issue 15)', () => {
  it('stamps venue:symbol from the venue instance it parses for, and refuses a symbol that cannot be one', () => {
    const got: { instrument: string; symbol: string }[] = [];
    const malformed: string[] = [];
    const sink = { quote: (q: QuoteTick) => got.push(q), trade: (t: TradeTick) => got.push(t), control: () => {}, malformed: (r: string) => malformed.push(r) };
    const frame = JSON.stringify([
      { T: 'q', S: 'SPY', bp: 1, bs: 1, ap: 2, as: 1, t: '2026-11-20T15:00:00Z' },
      { T: 't', S: 'SPY', p: 1.5, s: 1, t: '2026-11-20T15:00:00Z' },
      { T: 'q', S: 'BAD SYM', bp: 1, bs: 1, ap: 2, as: 1, t: '2026-11-20T15:00:00Z' },
    ]);
    new MarketFrameParser(sink, { instruments: new VenueInstruments('sim') }).frame(Buffer.from(frame), false, 0);
    new MarketFrameParser(sink, { instruments: new VenueInstruments('sim2'), jsonScanner: false }).frame(frame, false, 0);
    expect(got.map((x) => [x.instrument, x.symbol])).toEqual([
      ['sim:SPY', 'SPY'],
      ['sim:SPY', 'SPY'],
      ['sim2:SPY', 'SPY'],
      ['sim2:SPY', 'SPY'],
    ]);
    expect(malformed).toHaveLength(2);
    for (const m of malformed) expect(m).toMatch(/quote \[2\]: invalid "S"/);
  });

  it('maps each symbol once per venue instance (the same id for every later quote)', () => {
    const ids = new VenueInstruments('alpaca');
    expect(ids.of('SPY')).toBe('alpaca:SPY');
    expect(ids.of('SPY')).toBe(ids.of('SPY'));
    expect(ids.owns(ids.of('SPY'))).toBe(true);
    expect(ids.owns(new VenueInstruments('alpaca2').of('SPY'))).toBe(false);
    expect(ids.tryOf('A B')).toBeNull();
    expect(() => new VenueInstruments('Not A Venue')).toThrow(/InstrumentId: venue/);
  });
});
