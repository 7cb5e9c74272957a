import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { black76, blackScholes, blackScholesPrice } from '../../../../src/core/greeks/black-scholes';
import { impliedVol } from '../../../../src/core/greeks/implied-vol';

describe('Black-Scholes (Hull)', () => {
  it('S=42, K=40, r=10%, σ=20%, T=0.5 → call 4.76, put 0.81', () => {
    const base = { spot: 42, strike: 40, years: 0.5, rate: 0.1, vol: 0.2 };
    expect(blackScholesPrice({ ...base, right: 'call' })).toBeCloseTo(4.7594, 4);
    expect(blackScholesPrice({ ...base, right: 'put' })).toBeCloseTo(0.8086, 4);
  });

  it('greeks of Hull’s S=49, K=50, r=5%, σ=20%, T=20 weeks call', () => {
    const g = blackScholes({ right: 'call', spot: 49, strike: 50, years: 0.3846, rate: 0.05, vol: 0.2 });
    expect(g.price).toBeCloseTo(2.4, 2);
    expect(g.delta).toBeCloseTo(0.522, 3);
    expect(g.gamma).toBeCloseTo(0.066, 3);
    expect(g.thetaPerYear).toBeCloseTo(-4.31, 2);
    expect(g.thetaPerDay).toBeCloseTo(-4.31 / 365, 4);
    expect(g.vega).toBeCloseTo(0.121, 3); // per vol point (Hull: 12.1 per 100%)
    expect(g.rho).toBeCloseTo(0.0891, 4); // per rate point (Hull: 8.91 per 100%)
  });

  it('greeks match finite differences (with dividend yield)', () => {
    const b = { right: 'put' as const, spot: 100, strike: 105, years: 0.75, rate: 0.03, vol: 0.3, dividendYield: 0.02 };
    const g = blackScholes(b);
    const p = (o: Partial<typeof b>) => blackScholesPrice({ ...b, ...o });
    const h = 1e-4;
    expect(g.delta).toBeCloseTo((p({ spot: 100 + h }) - p({ spot: 100 - h })) / (2 * h), 6);
    expect(g.gamma).toBeCloseTo((p({ spot: 100 + 0.01 }) - 2 * g.price + p({ spot: 100 - 0.01 })) / 1e-4, 5);
    expect(g.vega).toBeCloseTo((p({ vol: 0.3 + h }) - p({ vol: 0.3 - h })) / (2 * h) / 100, 6);
    expect(g.thetaPerYear).toBeCloseTo(-(p({ years: 0.75 + h }) - p({ years: 0.75 - h })) / (2 * h), 5);
    expect(g.rho).toBeCloseTo((p({ rate: 0.03 + h }) - p({ rate: 0.03 - h })) / (2 * h) / 100, 6);
  });

  it('is intrinsic at expiry', () => {
    expect(blackScholesPrice({ right: 'call', spot: 110, strike: 100, years: 0, rate: 0.05, vol: 0.2 })).toBe(10);
    expect(blackScholesPrice({ right: 'put', spot: 110, strike: 100, years: 0, rate: 0.05, vol: 0.2 })).toBe(0);
    expect(() => blackScholes({ right: 'put', spot: -1, strike: 100, years: 1, rate: 0, vol: 0.2 })).toThrow(RangeError);
  });

  it('put-call parity holds (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: -0.02, max: 0.15, noNaN: true }),
        fc.double({ min: 0, max: 0.08, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }),
        (spot, kRatio, years, rate, q, vol) => {
          const strike = spot * kRatio;
          const b = { spot, strike, years, rate, vol, dividendYield: q };
          const c = blackScholesPrice({ ...b, right: 'call' });
          const p = blackScholesPrice({ ...b, right: 'put' });
          const parity = spot * Math.exp(-q * years) - strike * Math.exp(-rate * years);
          expect(Math.abs(c - p - parity)).toBeLessThan(1e-10 * (spot + strike));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Black-76', () => {
  it('Hull’s futures put: F=20, K=20, r=9%, σ=25%, T=4 months → 1.12', () => {
    const g = black76({ right: 'put', forward: 20, strike: 20, years: 4 / 12, rate: 0.09, vol: 0.25 });
    expect(g.price).toBeCloseTo(1.1166, 4);
  });

  it('put-call parity C − P = e^(−rT)(F − K) (property) and rho = −T·V', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 100000, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.15, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }),
        (forward, kRatio, years, rate, vol) => {
          const strike = forward * kRatio;
          const c = black76({ right: 'call', forward, strike, years, rate, vol });
          const p = black76({ right: 'put', forward, strike, years, rate, vol });
          expect(Math.abs(c.price - p.price - Math.exp(-rate * years) * (forward - strike))).toBeLessThan(1e-10 * (forward + strike));
          expect(c.rho).toBeCloseTo((-years * c.price) / 100, 10);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('implied volatility', () => {
  it('recovers the volatility that priced the option (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('black-scholes' as const, 'black-76' as const),
        fc.constantFrom('call' as const, 'put' as const),
        fc.double({ min: 10, max: 5000, noNaN: true }),
        fc.double({ min: 0.7, max: 1.3, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        (model, right, s, kRatio, years, rate, vol) => {
          const strike = s * kRatio;
          const px =
            model === 'black-76'
              ? black76({ right, forward: s, strike, years, rate, vol }).price
              : blackScholesPrice({ right, spot: s, strike, years, rate, vol });
          const r = impliedVol({ model, right, price: px, underlying: s, strike, years, rate });
          const vega = model === 'black-76' ? black76({ right, forward: s, strike, years, rate, vol }).vega : blackScholes({ right, spot: s, strike, years, rate, vol }).vega;
          if (vega * 100 < 1e-6 * s) {
            // no information about σ in the price: either an answer or an honest failure, never NaN
            if (r.ok) expect(Number.isFinite(r.iv)).toBe(true);
            return;
          }
          expect(r.ok).toBe(true);
          if (r.ok) expect(Math.abs(r.iv - vol)).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('says why when there is no answer', () => {
    const base = { model: 'black-scholes' as const, right: 'call' as const, underlying: 100, strike: 90, years: 0.5, rate: 0.05 };
    expect(impliedVol({ ...base, price: 5 })).toMatchObject({ ok: false, reason: 'below_intrinsic' });
    expect(impliedVol({ ...base, price: 100 })).toMatchObject({ ok: false, reason: 'above_upper_bound' });
    expect(impliedVol({ ...base, price: 12, years: 0 })).toMatchObject({ ok: false, reason: 'expired' });
    expect(impliedVol({ ...base, price: Number.NaN })).toMatchObject({ ok: false, reason: 'invalid_input' });
    expect(impliedVol({ ...base, price: 100 - 90 * Math.exp(-0.025) })).toMatchObject({ ok: false, reason: 'no_time_value' });
    const ok = impliedVol({ ...base, price: 14 });
    expect(ok.ok).toBe(true);
  });

  it('never returns NaN on arbitrary input (property)', () => {
    fc.assert(
      fc.property(
        fc.double(),
        fc.double(),
        fc.double(),
        fc.double(),
        fc.double(),
        fc.constantFrom('call' as const, 'put' as const),
        (price, underlying, strike, years, rate, right) => {
          const r = impliedVol({ model: 'black-scholes', right, price, underlying, strike, years, rate });
          if (r.ok) expect(Number.isFinite(r.iv) && r.iv > 0).toBe(true);
          else expect(typeof r.reason).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
