import { describe, expect, it } from 'vitest';
import { uniqueWarnings, warningSeverity } from '../../../../../src/renderer/src/features/portfolio/warnings';
import { livePriceOf } from '../../../../../src/renderer/src/features/charts/live-price';
import { structurePayoff, underlyingOf } from '../../../../../src/renderer/src/features/portfolio/structure-payoff';
import { structureDefToWire } from '../../../../../src/core/pnl/revalue';
import { parsePortfolio } from '../../../../../src/core/model/portfolio-file';
import { portfolioStructures } from '../../../../../src/core/pnl/portfolio';

describe('warnings', () => {
  it('merges repeated codes and ranks severity', () => {
    const ws = uniqueWarnings([
      { code: 'stale_quote', message: 'A: stale' },
      { code: 'wide_spread', message: 'A: wide' },
      { code: 'stale_quote', message: 'B: stale' },
    ]);
    expect(ws).toEqual([
      { code: 'stale_quote', message: 'A: stale; B: stale' },
      { code: 'wide_spread', message: 'A: wide' },
    ]);
    expect(warningSeverity('stale_quote')).toBe('severe');
    expect(warningSeverity('wide_spread')).toBe('advisory');
  });
});

describe('live underlying price', () => {
  it('uses the mid, else the last trade; nothing from a crossed or empty book', () => {
    expect(livePriceOf({ bid: 99, ask: 101, last: 50 })).toBe(100);
    expect(livePriceOf({ bid: null, ask: 101, last: 100.5 })).toBe(100.5);
    expect(livePriceOf({ bid: 102, ask: 101, last: null })).toBeNull();
    expect(livePriceOf(undefined)).toBeNull();
  });
});

describe('structure payoff', () => {
  const parsed = parsePortfolio(
    JSON.stringify({
      version: 1,
      positions: [
        {
          id: 'bull',
          type: 'multi_leg',
          name: 'QQQ 510/530 bull call',
          opened_at: '2026-11-05T14:45:00Z',
          legs: [
            { underlying: 'QQQ', expiry: '2026-12-18', strike: '510', right: 'call', side: 'long', contracts: '1', cost_basis: '18.50' },
            { underlying: 'QQQ', expiry: '2026-12-18', strike: '530', right: 'call', side: 'short', contracts: '1', cost_basis: '9.75' },
          ],
        },
      ],
    }),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const def = structureDefToWire(portfolioStructures(parsed.portfolio)[0]!);
  it('knows the underlying and the breakeven (510 + 8.75 debit)', () => {
    expect(underlyingOf(def)).toBe('QQQ');
    const p = structurePayoff(def, 520);
    expect(p.ok && p.breakevens).toEqual([518.75]);
  });
  it('widens the range to include a live price far outside the strikes', () => {
    const p = structurePayoff(def, 900);
    expect(p.ok).toBe(true);
    if (p.ok) expect(Math.max(...p.curve.map((c) => c.underlying_price))).toBeGreaterThanOrEqual(900);
  });
});
