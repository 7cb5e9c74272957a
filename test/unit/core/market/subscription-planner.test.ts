import { describe, expect, it } from 'vitest';
import { planSubscriptions, occRoot } from '../../../../src/core/market/subscription-planner';
import { symbolKind } from '../../../../src/core/market/symbols';

describe('planSubscriptions', () => {
  it('collects unique underlyings and contracts from single and multi-leg positions', () => {
    const plan = planSubscriptions([
      { symbol: 'SPY' },
      { symbol: 'AAPL261218C00230000' },
      { legs: [{ symbol: 'QQQ261218C00510000' }, { symbol: 'QQQ261218P00500000' }, { symbol: 'AAPL261218C00230000' }] },
      { symbol: 'SPXW261218P05900000', underlying: 'SPX' },
      { symbol: 'spy' },
    ]);
    expect(plan.stocks).toEqual(['SPY', 'AAPL', 'QQQ', 'SPX']);
    expect(plan.options).toEqual(['AAPL261218C00230000', 'QQQ261218C00510000', 'QQQ261218P00500000', 'SPXW261218P05900000']);
    expect(plan.warnings).toEqual([]);
    expect(plan.truncated).toBe(false);
  });

  it('enforces the option limit before subscribing and names what was left out', () => {
    const legs = Array.from({ length: 260 }, (_, i) => ({ symbol: `SPY261218C${String(500_000 + i * 1000).padStart(8, '0')}` }));
    const plan = planSubscriptions([{ legs }]);
    expect(plan.options.length).toBe(250);
    expect(plan.omittedOptions.length).toBe(10);
    expect(plan.omittedOptions[0]).toBe(legs[250]!.symbol);
    expect(plan.truncated).toBe(true);
    expect(plan.warnings[0]).toContain('limit 250');
    expect(plan.warnings[0]).toContain(legs[259]!.symbol);
    const small = planSubscriptions([{ legs }], { maxOptionContracts: 5, maxStocks: 0 });
    expect(small.options.length).toBe(5);
    expect(small.omittedStocks).toEqual(['SPY']);
    expect(small.warnings.length).toBe(2);
    expect(small.warnings[0]).toContain('and 245 more');
  });

  it('classifies symbols', () => {
    expect(symbolKind('AAPL240119C00150000')).toBe('option');
    expect(symbolKind('BRK.B')).toBe('stock');
    expect(occRoot('SPXW240327P04925000')).toBe('SPXW');
  });
});
