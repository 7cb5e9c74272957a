import { describe, expect, it } from 'vitest';
import { describeSymbols, staleSummary } from '../../../../../src/renderer/src/features/portfolio/stale';

describe('staleSummary', () => {
  const needed = [
    { symbol: 'SPY', receivedAt: 9_000 },
    { symbol: 'AAPL', receivedAt: 1_000 },
    { symbol: 'QQQ', receivedAt: null },
    { symbol: 'SPY', receivedAt: 9_000 },
    { symbol: 'MSFT', receivedAt: 4_000 },
  ];
  it('names every needed symbol past the threshold, oldest first, missing ones first of all', () => {
    const s = staleSummary(needed, 10_000, 5_000, true);
    expect(s.count).toBe(3);
    expect(s.symbols).toEqual([
      { symbol: 'QQQ', ageMs: null },
      { symbol: 'AAPL', ageMs: 9_000 },
      { symbol: 'MSFT', ageMs: 6_000 },
    ]);
  });
  it('does not count missing quotes before streaming starts', () => {
    expect(staleSummary(needed, 10_000, 5_000, false).count).toBe(2);
  });
  it('the threshold is exclusive', () => {
    expect(staleSummary([{ symbol: 'X', receivedAt: 0 }], 5_000, 5_000, true).count).toBe(0);
  });
  it('describes long lists briefly', () => {
    expect(describeSymbols(['A', 'B'])).toBe('A, B');
    expect(describeSymbols(['A', 'B', 'C', 'D'], 2)).toBe('A, B and 2 more');
  });
});
