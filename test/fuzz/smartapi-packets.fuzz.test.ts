/**
 * Random and mutated SmartAPI binary packets: the parsers never throw anything but TickPacketError
 * (the hot reader never throws at all), never hang, and memory stays bounded.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PACKET_SIZE, TickPacketError, TickReader, encodeTickPacket, parseTickPacket, type SmartMode } from '../../src/node/venues/smartapi/tick-parser';

const seeds = ([1, 2, 3, 4] as SmartMode[]).map((mode) =>
  encodeTickPacket({ mode, exchangeType: 2, token: '43650', exchangeTimeMs: 1735201464000, ltpPaise: 12345, bids: [{ pricePaise: 12300, qty: 75 }], asks: [{ pricePaise: 12400, qty: 150 }] }),
);

function check(b: Buffer, reader: TickReader): void {
  const verdict = reader.read(b);
  expect(verdict === null || typeof verdict === 'string').toBe(true);
  try {
    parseTickPacket(b);
    expect(verdict).toBeNull();
  } catch (e) {
    // the full parser checks every field; the hot reader only those a quote uses (so it may accept more)
    expect(e).toBeInstanceOf(TickPacketError);
  }
}

describe('SmartAPI packets: fuzz', () => {
  it('random bytes of any length', () => {
    const reader = new TickReader();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (bytes) => check(Buffer.from(bytes), reader)),
      { numRuns: 3000, seed: 41 },
    );
  });

  it('random bytes of exactly a documented size with a valid mode byte', () => {
    const reader = new TickReader();
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4), fc.uint8Array({ minLength: 443, maxLength: 443 }), (mode, bytes) => {
        const b = Buffer.from(bytes.subarray(0, PACKET_SIZE[mode as SmartMode]));
        b[0] = mode;
        b[1] = 2;
        check(b, reader);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('mutated valid packets (bit flips, truncation, extension)', () => {
    const reader = new TickReader();
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: -30, max: 30 }),
        (seed, flips, resize) => {
          let b = Buffer.from(seed);
          for (const [i, v] of flips) b[i % b.length] = v;
          if (resize < 0) b = b.subarray(0, Math.max(0, b.length + resize));
          else if (resize > 0) b = Buffer.concat([b, Buffer.alloc(resize, resize)]);
          check(b, reader);
        },
      ),
      { numRuns: 5000, seed: 43 },
    );
  });

  it('a million hostile packets: bounded time and memory', () => {
    const reader = new TickReader();
    const bad = seeds.map((s) => {
      const b = Buffer.from(s);
      b.writeBigInt64LE(-1n, 43);
      return b;
    });
    const all = [...seeds, ...bad, Buffer.alloc(5000, 3), Buffer.alloc(0)];
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = Date.now();
    let rejected = 0;
    for (let i = 0; i < 1_000_000; i++) if (reader.read(all[i % all.length]!) !== null) rejected++;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(rejected).toBeGreaterThan(0);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});
