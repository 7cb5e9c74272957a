import { describe, expect, it } from 'vitest';
import { formatOcc, parseOcc, OccSymbolError } from '../../../../src/core/model/occ';

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
