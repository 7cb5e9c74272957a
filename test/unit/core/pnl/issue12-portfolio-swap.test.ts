/** Issue 12 item 10: a portfolio swap is marked on the P&L curve and the day's statistics are scoped to the current portfolio. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { PnlSampleRing } from '../../../../src/core/events/pnl-sample-ring';
import { buildPnlSeries } from '../../../../src/renderer/src/features/charts/pnl-series';
import { sim } from '../../../helpers/ids';

const T0 = Date.UTC(2026, 10, 20, 15);
const one = (symbol: string, cost: string) =>
  parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: symbol.toLowerCase(), type: 'stock', symbol, side: 'long', quantity: '10', cost_basis: cost, opened_at: '2026-11-01T15:00:00Z' }] }));

describe('P&L over the day across a portfolio swap', () => {
  it('the tracker records a portfolio_changed marker at the swap (not at the first load)', () => {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock);
    const ring = new PnlSampleRing(100);
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache, sampleSink: ring, streamer: () => ({ state: 'running', streaming: true }) });
    const a = one('SPY', '500');
    const b = one('AAPL', '200');
    if (!a.ok || !b.ok) throw new Error('fixture');
    tracker.setPortfolio(a.portfolio, null);
    expect(ring.all().some((s) => s.gap === 'portfolio_changed')).toBe(false);
    tracker.start();
    cache.put({ instrument: sim('SPY'), symbol: 'SPY', bid: 600, ask: 600, last: null, bidSize: 1, askSize: 1, exchangeTime: T0, receivedAt: T0 });
    tracker.refresh();
    clock.advance(1000);
    tracker.setPortfolio(b.portfolio, null);
    const marker = ring.all().filter((s) => s.gap === 'portfolio_changed');
    expect(marker).toEqual([{ t: T0 + 1000, currency: 'USD', realized: '0', unrealized: null, total: null, gap: 'portfolio_changed' }]);
  });

  it('peak, trough and drawdown describe the current portfolio only; the change is reported', () => {
    const pts = [
      { t: 0, total: '1000' }, // old portfolio: a peak of 1000
      { t: 1000, total: '900' },
      { t: 2000, total: null, gap: true, portfolioChange: true },
      { t: 3000, total: '-50' }, // new portfolio: would be a "max drawdown" of 1050 if mixed
      { t: 4000, total: '20' },
      { t: 5000, total: '10' },
    ];
    const s = buildPnlSeries(pts);
    expect(s.portfolioChanges).toEqual([2000]);
    expect(s.scopeFrom).toBe(2000);
    expect(s.peak).toEqual({ t: 4000, value: '20' });
    expect(s.trough).toEqual({ t: 3000, value: '-50' });
    expect(s.maxDrawdown).toEqual({ amount: '10', peak: { t: 4000, value: '20' }, trough: { t: 5000, value: '10' } });
    // the line does not join the two portfolios
    expect(s.ys[s.xs.indexOf(2)]).toBeNull();
    expect(buildPnlSeries(pts.filter((p) => !('portfolioChange' in p))).scopeFrom).toBeNull();
  });
});
