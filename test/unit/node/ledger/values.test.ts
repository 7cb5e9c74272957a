import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalDecimal,
  decimal,
  decimalFromNumber,
  epochMs,
  freeJsonText,
  isoOf,
  jsonObjectSchema,
  jsonProblem,
  jsonText,
  msOf,
  sessionMetadataSchema,
} from '../../../../src/node/ledger/values';
import { isLedgerError } from '../../../../src/node/ledger/errors';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('decimal columns', () => {
  it.each(['0', '181.60', '-0.005', '12345678901234567890.123456789', '0.00'])('accepts %j', (v) => {
    expect(decimal('t.c', v)).toBe(v);
  });

  it.each([
    ['1e3'],
    ['+1'],
    ['.5'],
    ['1.'],
    ['01'],
    [' 1'],
    ['1,5'],
    ['NaN'],
    [''],
    ['-0'],
    ['-0.00'],
  ])('rejects %j naming the column and value', (v) => {
    const err = errorOf(() => decimal('orders.limit_price', v));
    expect(isLedgerError(err, 'invalid_value')).toBe(true);
    expect(err.message).toContain('orders.limit_price');
    expect(err.message).toContain(JSON.stringify(v));
    expect(err.message).toContain('nothing was written');
  });

  it('rejects numbers: money is never a float', () => {
    expect(errorOf(() => decimal('fills.price', 181.6)).message).toMatch(/fills\.price: .*got 181\.6/);
  });

  it('applies the sign rule of the column', () => {
    expect(() => decimal('orders.quantity', '0', 'positive')).toThrow(/positive/);
    expect(() => decimal('orders.quantity', '-1', 'positive')).toThrow(/positive/);
    expect(decimal('orders.quantity', '0.001', 'positive')).toBe('0.001');
    expect(() => decimal('x.y', '-0.5', 'nonNegative')).toThrow(/non-negative/);
    expect(decimal('x.y', '0', 'nonNegative')).toBe('0');
  });

  it('canonical form drops trailing fractional zeros only', () => {
    expect(canonicalDecimal('1.50')).toBe('1.5');
    expect(canonicalDecimal('100')).toBe('100');
    expect(canonicalDecimal('100.000')).toBe('100');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('-0.0050')).toBe('-0.005');
  });
});

describe('decimalFromNumber (a venue decimal carried as a JS number)', () => {
  it('writes plain decimals, never exponents', () => {
    expect(decimalFromNumber('q.bid', 181.6)).toBe('181.6');
    expect(decimalFromNumber('q.bid', 1e-7)).toBe('0.0000001');
    expect(decimalFromNumber('q.bid', 1.5e-9)).toBe('0.0000000015');
    expect(decimalFromNumber('q.bid', 1e21)).toBe('1000000000000000000000');
    expect(decimalFromNumber('q.bid', 1.25e22)).toBe('12500000000000000000000');
    expect(decimalFromNumber('q.bid', -3e-7)).toBe('-0.0000003');
    expect(decimalFromNumber('q.bid', -0)).toBe('0');
    expect(() => decimalFromNumber('q.bid', Number.NaN)).toThrow(/q\.bid/);
  });

  it('gives back the venue decimal a number was parsed from (up to 15 significant digits)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 12 }), (mantissa, scale) => {
        const abs = (mantissa < 0n ? -mantissa : mantissa).toString().padStart(scale + 1, '0');
        const venueText = `${mantissa < 0n ? '-' : ''}${scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs}`;
        const out = decimalFromNumber('q.x', Number(venueText));
        expect(out).toBe(canonicalDecimal(venueText));
      }),
      { numRuns: 1000 },
    );
  });

  it('any price-sized double becomes a valid decimal that parses back to the same number', () => {
    const price = fc.double({ min: -1e15, max: 1e15, noNaN: true }).filter((n) => n === 0 || Math.abs(n) >= 1e-9);
    fc.assert(
      fc.property(price, (n) => {
        const s = decimalFromNumber('q.x', n);
        expect(decimal('q.x', s)).toBe(s);
        expect(Number(s)).toBe(n === 0 ? 0 : n);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('times', () => {
  it('stores ISO-8601 UTC with milliseconds, exactly as Date#toISOString, and reads back the same instant', () => {
    const anyTime = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });
    const sameDay = fc.integer({ min: 0, max: 86_400_000 * 3 }).map((d) => Date.UTC(2026, 10, 20) + d);
    fc.assert(
      fc.property(fc.oneof(anyTime, sameDay), (ms) => {
        const iso = isoOf(ms);
        expect(iso).toBe(new Date(ms).toISOString());
        expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(msOf(iso)).toBe(ms);
      }),
      { numRuns: 1000 },
    );
    expect(isoOf(Date.UTC(2026, 10, 20, 23, 59, 59, 999))).toBe('2026-11-20T23:59:59.999Z');
    expect(isoOf(Date.UTC(2026, 10, 21))).toBe('2026-11-21T00:00:00.000Z');
    expect(isoOf(-1)).toBe('1969-12-31T23:59:59.999Z');
  });

  it.each([[1.5], [Number.NaN], ['2026-01-01'], [new Date(0)], [1e17]])('rejects %j as a time', (v) => {
    expect(() => epochMs('fills.filled_at', v)).toThrow(/fills\.filled_at: expected a time as integer epoch milliseconds/);
  });
});

describe('JSON columns', () => {
  it('accepts ISO times and numbers', () => {
    expect(jsonText('p', { entry_at: '2026-11-20T15:00:00.000Z', price: 1.5, legs: [{ exit_time: null }] }, jsonObjectSchema)).toBe(
      '{"entry_at":"2026-11-20T15:00:00.000Z","price":1.5,"legs":[{"exit_time":null}]}',
    );
  });

  it('rejects a time key that is not ISO-8601, naming the path', () => {
    expect(() => jsonText('strategy_events.payload', { legs: [{ filled_at: '15:00' }] }, jsonObjectSchema)).toThrow(
      /strategy_events\.payload: .*legs\.0\.filled_at: a time key holds ISO-8601 text/,
    );
  });

  it('rejects values JSON would silently change (NaN, Infinity, Date, undefined, bigint)', () => {
    for (const bad of [{ x: Number.NaN }, { x: Infinity }, { x: new Date(0) }, { x: undefined }, { x: 1n }]) {
      expect(() => jsonText('settings.value', bad, jsonObjectSchema)).toThrow(/settings\.value: not valid JSON/);
    }
  });

  it('the hand-walked check of free-form JSON agrees with the zod schema used on read', () => {
    const timeKeyed = fc.record({ placed_at: fc.oneof(fc.constant('2026-11-20T14:30:00.000Z'), fc.constant('14:30'), fc.integer(), fc.constant(null)) });
    const weird = fc.oneof(
      fc.constant(Number.NaN),
      fc.constant(Infinity),
      fc.constant(undefined),
      fc.constant(new Date(0)),
      fc.constant(new Map()),
      fc.constant(1n),
      fc.constant(Object.assign(Object.create(null) as object, { a: 1 })),
      fc.constant([1, , 2]), // eslint-disable-line no-sparse-arrays
      timeKeyed,
    );
    const value = fc.oneof(fc.jsonValue(), fc.anything({ withDate: true, withMap: true, withNullPrototype: true, withBoxedValues: true, withSparseArray: true }), weird);
    const tree = fc.oneof(value, fc.dictionary(fc.string(), value), fc.dictionary(fc.constantFrom('a', 'done_at', 'exit_time', 'timestamp'), value));
    fc.assert(
      fc.property(tree, (v) => {
        expect(jsonProblem(v, true) === null).toBe(jsonObjectSchema.safeParse(v).success);
      }),
      { numRuns: 1000 },
    );
    expect(() => freeJsonText('strategy_events.payload', { legs: [{ filled_at: '15:00' }] }, true)).toThrow(
      /strategy_events\.payload: not valid JSON for this column \(legs\.0\.filled_at: a time key holds ISO-8601 text/,
    );
    expect(() => freeJsonText('order_events.detail', [1], true)).toThrow(/\(root\): expected an object/);
    expect(freeJsonText('settings.value', 5000, false)).toBe('5000');
  });

  it('checks the known session_metadata fields and keeps extra ones', () => {
    const meta = { config_id: 'c1', scheduled_entry_at: '2026-11-20T09:30:00+05:30', entry_attempts: 2, selected_contracts: [], custom: { a: 1 } };
    expect(JSON.parse(jsonText('m', meta, sessionMetadataSchema))).toEqual(meta);
    expect(() => jsonText('strategy_runs.session_metadata', { entry_attempts: 'two' }, sessionMetadataSchema)).toThrow(/entry_attempts/);
    expect(() => jsonText('strategy_runs.session_metadata', { entry_method: 'iceberg' }, sessionMetadataSchema)).toThrow(/entry_method/);
  });
});
