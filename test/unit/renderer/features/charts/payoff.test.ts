import { describe, expect, it } from 'vitest';
import { buildPayoffSeries, valueAt } from '../../../../../src/renderer/src/features/charts/payoff';
import type { PayoffView } from '../../../../../src/core/pnl/views';

const view: PayoffView = {
  ok: true,
  underlying: 'SPY',
  expiry_ms: null,
  kinks: [],
  max_profit: { bounded: false, value: null },
  max_loss: { bounded: true, value: '-100', at_price: 90 },
  breakevens: [110, 95],
  curve: [
    { underlying_price: 120, pnl: 200 },
    { underlying_price: 80, pnl: -100 },
    { underlying_price: 100, pnl: 0 },
  ],
};

describe('payoff series', () => {
  it('sorts the curve, breakevens, and interpolates the live price', () => {
    const s = buildPayoffSeries(view, 110)!;
    expect(s.xs).toEqual([80, 100, 120]);
    expect(s.breakevens).toEqual([95, 110]);
    expect(s.live).toBe(110);
    expect(s.liveValue).toBe(100);
  });
  it('has no live value outside the curve or without a price', () => {
    expect(buildPayoffSeries(view, 500)!.liveValue).toBeNull();
    expect(buildPayoffSeries(view, null)!.live).toBeNull();
  });
  it('is null when the core could not build a payoff', () => {
    expect(buildPayoffSeries({ ok: false, reason: 'calendar' }, 1)).toBeNull();
  });
  it('valueAt is exact at the points', () => {
    expect(valueAt([1, 2], [10, 20], 2)).toBe(20);
    expect(valueAt([], [], 1)).toBeNull();
  });
});
