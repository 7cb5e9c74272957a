import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DecimalError,
  MONEY_DP,
  PRICE_DP,
  divRound,
  formatDecimalString,
  formatMoney,
  midNotional,
  money,
  multiplier,
  notional,
  numberToScaled,
  parseScaled,
  price,
  priceToNumber,
  priceToString,
  qty,
  scaledToString,
  toDecimalString,
  toMinorUnits,
  toUnits,
  tryPrice,
  currency,
} from '../../../../src/core/model/money';

describe('decimal parsing', () => {
  it('parses decimal strings exactly, including exponents', () => {
    expect(parseScaled('181.60', 2)).toBe(18160n);
    expect(parseScaled('-0.05', 4)).toBe(-500n);
    expect(parseScaled('1e-7', 9)).toBe(100n);
    expect(parseScaled('1.5e+3', 0)).toBe(1500n);
    expect(parseScaled('.5', 1)).toBe(5n);
    expect(parseScaled('100.000', 0)).toBe(100n);
  });

  it('rejects too many decimals and non-numbers with the value named', () => {
    expect(() => price('1.00000000001')).toThrow(DecimalError);
    expect(() => price('1.00000000001')).toThrow(/11 decimal places; at most 10/);
    expect(() => qty('abc')).toThrow(/quantity is not a decimal number: "abc"/);
    expect(() => price(Number.NaN)).toThrow(/not a finite number/);
    expect(() => multiplier(0)).toThrow(/positive/);
  });

  it('converts a venue number to the decimal it meant, not its binary expansion', () => {
    // 0.1 is 0.1000000000000000055511151231257827… in binary; the venue meant 0.1.
    expect(price(0.1)).toBe(price('0.1'));
    expect(price(181.6)).toBe(price('181.60'));
    expect(price(2296.3486551)).toBe(price('2296.3486551'));
    expect(price(123456789.12)).toBe(price('123456789.12')); // beyond the fast path
    expect(price(1e-10)).toBe(1n);
    // 0.1 + 0.2 is not a decimal any venue sends: it has 17 significant digits.
    expect(() => price(0.1 + 0.2)).toThrow(/decimal places/);
    expect(tryPrice(0.1 + 0.2)).toBeNull();
    expect(tryPrice(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('number conversion equals the shortest round-trip string for random decimals (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), fc.integer({ min: 0, max: 10 }), (n, dp) => {
        // A decimal the venue sends, as the double it becomes on the wire; the fast path must agree
        // with the shortest round-trip string (what the venue meant) whenever that fits 10 decimals.
        const x = Number(scaledToString(n, dp));
        let viaString: bigint | null;
        try {
          viaString = parseScaled(String(x), PRICE_DP);
        } catch {
          viaString = null;
        }
        return (tryPrice(x) ?? null) === viaString && (viaString === null || numberToScaled(x, PRICE_DP) === viaString);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('exact arithmetic', () => {
  it('notional = price × qty × multiplier exactly; a mid is exact', () => {
    const u = toUnits(qty(3), multiplier(100));
    expect(toDecimalString(notional(price('4.10'), u))).toBe('1230');
    expect(toDecimalString(midNotional(price('0.01'), price('0.02'), toUnits(qty(1), multiplier(1))))).toBe('0.015');
    const btc = toUnits(qty(7), multiplier('0.001'));
    expect(toDecimalString(notional(price('2296.3486551'), btc))).toBe('16.0744405857');
  });

  it('sums of many small amounts stay exact (no binary drift)', () => {
    let m = money(0);
    for (let i = 0; i < 1000; i++) m = (m + money('0.1')) as typeof m;
    expect(toDecimalString(m)).toBe('100');
    let f = 0;
    for (let i = 0; i < 1000; i++) f += 0.1;
    expect(f).not.toBe(100); // what a float would have said
  });
});

describe('rounding happens once, at display', () => {
  it('divRound half-up and half-even', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(5n, 2n, 'half-even')).toBe(2n);
    expect(divRound(7n, 2n, 'half-even')).toBe(4n);
    expect(divRound(1n, 3n)).toBe(0n);
    expect(() => divRound(1n, 0n)).toThrow(RangeError);
  });

  it('formats per currency', () => {
    expect(formatMoney(money('-78.445'), currency('USD'))).toBe('-78.45');
    expect(formatMoney(money('1234.5'), currency('INR'))).toBe('1234.50');
    expect(formatMoney(money('0.000012345'), currency('BTC', 8))).toBe('0.00001235');
    expect(formatMoney(money('0'), 2)).toBe('0.00');
    expect(toMinorUnits(money('12.345'), 2)).toBe(1235n);
    expect(() => currency('BTC')).toThrow(/instrument must set/);
  });

  it('exact strings for the wire, and a display helper for them', () => {
    expect(toDecimalString(money('-0.50'))).toBe('-0.5');
    expect(toDecimalString(money('0'))).toBe('0');
    expect(priceToString(price('24250.00'))).toBe('24250');
    expect(priceToNumber(price('181.60'))).toBe(181.6);
    expect(formatDecimalString('-78.445', 2)).toBe('-78.45');
    expect(formatDecimalString('100', 2)).toBe('100.00');
    expect(formatDecimalString('1e-3', 2)).toBe('0.00');
    expect(MONEY_DP).toBe(26);
  });
});
