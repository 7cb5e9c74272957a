import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatOcc, parseOcc, OccSymbolError, occInstrument } from '../../../../src/core/model/occ';
import { priceToString } from '../../../../src/core/model/money';

describe('OCC symbols', () => {
  it('formats compact and padded forms and parses both back', () => {
    const c = { root: 'AAPL', expiry: '2024-01-19', right: 'call' as const, strikeMilli: 150_000 };
    expect(formatOcc(c)).toBe('AAPL240119C00150000');
    expect(formatOcc(c, 'padded')).toBe('AAPL  240119C00150000');
    expect(formatOcc(c, 'padded')).toHaveLength(21);
    expect(parseOcc('AAPL240119C00150000')).toEqual(c);
    expect(parseOcc('AAPL  240119C00150000')).toEqual(c);
  });

  it('rejects invalid symbols with a reason', () => {
    expect(() => parseOcc('AAPL241319C00150000')).toThrow(/month 13/);
    expect(() => parseOcc('AAPL240230C00150000')).toThrow(/day 30/);
    expect(() => parseOcc('AAPL240119X00150000')).toThrow(OccSymbolError);
  });
});


describe('OCC round trip and instruments', () => {
  const contract = fc.record({
    root: fc.stringMatching(/^[A-Z][A-Z0-9.]{0,5}$/),
    expiry: fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    right: fc.constantFrom('call' as const, 'put' as const),
    strikeMilli: fc.integer({ min: 0, max: 99_999_999 }),
  });

  it('format → parse is lossless in both forms (property)', () => {
    fc.assert(
      fc.property(contract, fc.constantFrom('compact' as const, 'padded' as const), (c, form) => {
        const s = formatOcc(c, form);
        if (form === 'padded') expect(s).toHaveLength(21);
        expect(parseOcc(s)).toEqual(c);
        expect(formatOcc(parseOcc(s), form)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects padded symbols of the wrong length and lower case, naming the symbol', () => {
    expect(() => parseOcc('AAPL 240119C00150000')).toThrow(/"AAPL 240119C00150000".*21 characters/);
    expect(() => parseOcc('aapl240119C00150000')).toThrow(/upper-case/);
    expect(() => parseOcc('AAPL240119C0015000')).toThrow(OccSymbolError);
    expect(() => formatOcc({ root: 'AAPL', expiry: '2024-02-30', right: 'call', strikeMilli: 1 })).toThrow(/valid YYYY-MM-DD/);
  });

  it('builds an instrument: expiry 16:00 New York, multiplier 100, USD, exact strike', () => {
    const i = occInstrument('SPXW  241220P05925500', { underlying: 'SPX' });
    expect(i.symbol).toBe('SPXW241220P05925500');
    expect(i.underlying).toBe('SPX');
    expect(priceToString(i.strike!)).toBe('5925.5');
    expect(i.right).toBe('put');
    expect(i.expiry).toMatchObject({ date: '2024-12-20', time: '16:00', zone: 'America/New_York', epochMs: Date.UTC(2024, 11, 20, 21, 0) });
    expect(i.multiplier).toBe(100_000_000n);
    expect(i.currency).toEqual({ code: 'USD', decimals: 2 });
    // summer time: 16:00 EDT = 20:00 UTC
    expect(occInstrument('AAPL240719C00150000').expiry!.epochMs).toBe(Date.UTC(2024, 6, 19, 20, 0));
  });
});
