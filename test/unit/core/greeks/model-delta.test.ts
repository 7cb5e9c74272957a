import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blackScholes, blackScholesPrice } from '../../../../src/core/greeks/black-scholes';
import { describeDeltaFailure, modelDelta, type ModelDeltaInput, type ModelDeltaInstrument, type ModelDeltaQuote } from '../../../../src/core/greeks/model-delta';
import { PRICE_DP, parseScaled, type Price } from '../../../../src/core/model/money';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const NOW = Date.UTC(2026, 10, 20, 15, 0, 0);
const settings = { staleAfterMs: 5000, riskFreeRate: 0.1, dividendYield: 0 };

function option(right: 'call' | 'put', strike: string, years: number): ModelDeltaInstrument {
  return {
    kind: 'option',
    right,
    strike: parseScaled(strike, PRICE_DP) as Price,
    expiry: { date: '2027-05-21', time: '16:00', zone: 'America/New_York', epochMs: NOW + years * YEAR_MS },
    underlying: 'XYZ',
  };
}
const quote = (bid: number | null, ask: number | null, receivedAt = NOW - 100): ModelDeltaQuote => ({ bid, ask, receivedAt });

function input(over: Partial<ModelDeltaInput> = {}): ModelDeltaInput {
  return { instrument: option('call', '40', 0.5), optionQuote: quote(4.75, 4.77), underlyingQuote: quote(41.99, 42.01, NOW - 300), now: NOW, settings, ...over };
}

describe('modelDelta (Black-Scholes on the underlying mid, IV from the option mid)', () => {
  it('textbook S=42, K=40, r=10%, T=0.5: a call at 4.76 → IV ≈ 20%, delta ≈ 0.779', () => {
    const r = modelDelta(input());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.iv).toBeCloseTo(0.2, 2);
    expect(r.delta).toBeCloseTo(0.779, 3);
    expect(r.underlyingMid).toBeCloseTo(42, 10);
    expect(r.optionMid).toBeCloseTo(4.76, 10);
    expect(r.years).toBeCloseTo(0.5, 12);
    // asOf: the older of the two quotes
    expect(r.asOf).toBe(NOW - 300);
  });

  it('the put (priced 0.81 at σ 20%) → delta ≈ −0.221', () => {
    const r = modelDelta(input({ instrument: option('put', '40', 0.5), optionQuote: quote(0.8, 0.82) }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.iv).toBeCloseTo(0.2, 2);
    expect(r.delta).toBeCloseTo(-0.221, 3);
  });

  it('uses the rate and dividend yield of the settings', () => {
    const q = { ...settings, riskFreeRate: 0.03, dividendYield: 0.02 };
    const price = blackScholesPrice({ right: 'call', spot: 42, strike: 40, years: 0.5, rate: 0.03, vol: 0.25, dividendYield: 0.02 });
    const r = modelDelta(input({ settings: q, optionQuote: quote(price, price) }));
    expect(r.ok && r.iv).toBeCloseTo(0.25, 8);
    expect(r.ok && r.delta).toBeCloseTo(blackScholes({ right: 'call', spot: 42, strike: 40, years: 0.5, rate: 0.03, vol: 0.25, dividendYield: 0.02 }).delta, 8);
  });

  it('is not an option: stocks and options without right/strike/expiry', () => {
    expect(modelDelta(input({ instrument: { kind: 'stock', right: null, strike: null, expiry: null, underlying: 'XYZ' } }))).toEqual({ ok: false, reason: 'not_option' });
    expect(modelDelta(input({ instrument: { ...option('call', '40', 0.5), strike: null } }))).toEqual({ ok: false, reason: 'not_option' });
  });

  it('expired: expiry in the past or exactly now', () => {
    expect(modelDelta(input({ instrument: option('call', '40', -0.01) }))).toEqual({ ok: false, reason: 'expired' });
    expect(modelDelta(input({ instrument: option('call', '40', 0) }))).toEqual({ ok: false, reason: 'expired' });
  });

  it('option quote: missing, stale, one-sided, zero side, crossed', () => {
    expect(modelDelta(input({ optionQuote: null }))).toEqual({ ok: false, reason: 'no_option_quote' });
    expect(modelDelta(input({ optionQuote: quote(4.75, 4.77, NOW - 5001) }))).toEqual({ ok: false, reason: 'stale_option_quote' });
    expect(modelDelta(input({ optionQuote: quote(4.75, 4.77, NOW - 5000) })).ok).toBe(true); // age = threshold is not stale
    expect(modelDelta(input({ optionQuote: quote(null, 4.77) }))).toEqual({ ok: false, reason: 'one_sided_option_quote' });
    expect(modelDelta(input({ optionQuote: quote(0, 4.77) }))).toEqual({ ok: false, reason: 'one_sided_option_quote' });
    expect(modelDelta(input({ optionQuote: quote(4.75, Number.NaN) }))).toEqual({ ok: false, reason: 'one_sided_option_quote' });
    expect(modelDelta(input({ optionQuote: quote(4.8, 4.7) }))).toEqual({ ok: false, reason: 'crossed_option_quote' });
  });

  it('underlying quote: missing, stale, one-sided, crossed', () => {
    expect(modelDelta(input({ underlyingQuote: undefined }))).toEqual({ ok: false, reason: 'no_underlying_quote' });
    expect(modelDelta(input({ underlyingQuote: quote(41.99, 42.01, NOW - 6000) }))).toEqual({ ok: false, reason: 'stale_underlying_quote' });
    expect(modelDelta(input({ underlyingQuote: quote(41.99, null) }))).toEqual({ ok: false, reason: 'one_sided_underlying_quote' });
    expect(modelDelta(input({ underlyingQuote: quote(42.01, 41.99) }))).toEqual({ ok: false, reason: 'crossed_underlying_quote' });
  });

  it('IV failures carry the solver reason', () => {
    // A call on S=42, K=40 priced below its discounted intrinsic value (≈ 3.95).
    const below = modelDelta(input({ optionQuote: quote(1, 1.02) }));
    expect(below).toMatchObject({ ok: false, reason: 'iv_failed', ivFailure: 'below_intrinsic' });
    expect(below.ok === false && below.detail).toMatch(/below the discounted intrinsic/);
    // At or above the spot: above the no-arbitrage bound.
    expect(modelDelta(input({ optionQuote: quote(42, 43) }))).toMatchObject({ ok: false, reason: 'iv_failed', ivFailure: 'above_upper_bound' });
    // A deep in-the-money call priced exactly at the discounted intrinsic value: no time value.
    const intrinsic = 42 - 20 * Math.exp(-0.1 * 0.5);
    expect(modelDelta(input({ instrument: option('call', '20', 0.5), optionQuote: quote(intrinsic, intrinsic) }))).toMatchObject({ ok: false, reason: 'iv_failed', ivFailure: 'no_time_value' });
    expect(describeDeltaFailure('iv_failed', 'below_intrinsic')).toBe('implied volatility could not be solved: option mid is below intrinsic value');
    expect(describeDeltaFailure('stale_underlying_quote')).toBe('underlying quote is stale');
  });

  it('property: price → IV → delta equals the Black-Scholes delta at the true vol; calls in [0,1], puts in [−1,0], never NaN', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('call' as const, 'put' as const),
        fc.integer({ min: 500, max: 100_000 }), // spot in cents
        fc.double({ min: 0.7, max: 1.4, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }),
        fc.double({ min: 0.05, max: 1.2, noNaN: true }),
        fc.double({ min: -0.01, max: 0.08, noNaN: true }),
        fc.double({ min: 0, max: 0.04, noNaN: true }),
        (right, spotCents, kRatio, years, vol, rate, q) => {
          const spot = spotCents / 100;
          const strike = Math.max(0.01, Math.round(spot * kRatio * 100) / 100);
          const s = { staleAfterMs: 5000, riskFreeRate: rate, dividendYield: q };
          const bs = { right, spot, strike, years, rate, vol, dividendYield: q };
          const truth = blackScholes(bs);
          const inst = option(right, strike.toFixed(2), years);
          const r = modelDelta({ instrument: inst, optionQuote: quote(truth.price, truth.price), underlyingQuote: quote(spot, spot), now: NOW, settings: s });
          if (!r.ok && truth.price === 0) {
            // Worthless in doubles: no bid, so no mid (never a delta of 0).
            expect(r.reason).toBe('one_sided_option_quote');
            return;
          }
          if (!r.ok) {
            // Only a price with (numerically) no time value may fail; never NaN, never a made-up delta.
            expect(r.reason).toBe('iv_failed');
            expect(['no_time_value', 'below_intrinsic']).toContain(r.ivFailure);
            expect(truth.vega * 100).toBeLessThan(1e-3 * Math.max(1, truth.price));
            return;
          }
          expect(Number.isNaN(r.delta)).toBe(false);
          if (right === 'call') expect(r.delta >= 0 && r.delta <= 1).toBe(true);
          else expect(r.delta >= -1 && r.delta <= 0).toBe(true);
          expect(Math.abs(r.delta - truth.delta)).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
