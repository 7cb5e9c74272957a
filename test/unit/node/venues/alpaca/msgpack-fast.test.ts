import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, ExtData } from '@msgpack/msgpack';
import { FastMsgpackDecoder, UnknownExt } from '../../../../../src/node/venues/alpaca/msgpack-fast';
import { ExchangeTime } from '../../../../../src/node/venues/alpaca/codec';

describe('FastMsgpackDecoder', () => {
  it('decodes exactly what @msgpack/msgpack decodes, for arbitrary values', () => {
    const d = new FastMsgpackDecoder();
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const bytes = encode(v);
        expect(d.decode(bytes)).toEqual(decode(bytes));
      }),
      { numRuns: 1000, seed: 3 },
    );
    for (const v of [0, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -(2 ** 31), -(2 ** 33), 1.5, -0.25, 'é😀', 'x'.repeat(300), new Uint8Array([1, 2, 3])]) {
      expect(d.decode(encode(v))).toEqual(decode(encode(v)));
    }
  });

  it('interns short strings but never confuses different ones', () => {
    const d = new FastMsgpackDecoder();
    const symbols = Array.from({ length: 5000 }, (_, i) => `SPY261218C${String(i).padStart(8, '0')}`);
    const out = d.decode(encode(symbols)) as string[];
    expect(out).toEqual(symbols);
    expect((d.decode(encode(symbols)) as string[])[42]).toBe(symbols[42]);
  });

  it('decodes timestamps (32, 64, 96 bit) and keeps unknown extensions as such', () => {
    const d = new FastMsgpackDecoder();
    for (const date of [new Date(1_000_000_000_000), new Date(Date.UTC(2026, 10, 21, 15, 0, 0, 123)), new Date(-1500), new Date(Date.UTC(2600, 0, 1))]) {
      const t = d.decode(encode(date)) as ExchangeTime;
      expect(t).toBeInstanceOf(ExchangeTime);
      expect(t.ms).toBe(date.getTime());
    }
    const ext = d.decode(encode(new ExtData(7, new Uint8Array([9])))) as UnknownExt;
    expect(ext).toBeInstanceOf(UnknownExt);
    expect(ext.type).toBe(7);
  });

  it.each([
    ['truncated', Buffer.from([0x92, 0x01]), 'insufficient data'],
    ['reserved byte', Buffer.from([0xc1]), 'invalid msgpack type byte'],
    ['trailing bytes', Buffer.from([0x01, 0x02]), 'extra bytes'],
    ['too deep', Buffer.concat([Buffer.alloc(100, 0x91), Buffer.from([0x01])]), 'nesting deeper'],
    ['huge array claim', Buffer.from([0xdd, 0x00, 0x01, 0x00, 0x00]), 'insufficient data'],
    ['array over the limit', Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff]), 'exceeds the limit'],
    ['bad timestamp size', Buffer.from([0xd5, 0xff, 0x00, 0x00]), 'timestamp extension of 2 bytes'],
    ['bad utf-8', Buffer.from([0xa2, 0xc3, 0x28]), 'not valid'],
    ['__proto__ key', Buffer.from(encode({ ['__proto__']: 1 } as Record<string, number>)), '__proto__'],
    ['non-string key', Buffer.from([0x81, 0xc0, 0x01]), 'map key'],
  ])('throws on %s', (_name, bytes, message) => {
    const d = new FastMsgpackDecoder();
    expect(() => d.decode(bytes)).toThrow(message);
    expect(d.decode(encode([1, 'ok']))).toEqual([1, 'ok']); // still usable afterwards
  });
});
