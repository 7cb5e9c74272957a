/**
 * Review item 11: "As of … prices last good at" must survive a page reload, so the desk keeps the
 * time (PnlSnapshotWire.last_good_as_of) instead of only the renderer store.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { sim } from '../../../helpers/ids';

describe('the desk keeps when prices were last good', () => {
  it('last_good_as_of follows as_of while every total is known and holds it once they are not', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 15));
    const cache = new QuoteCache(clock, { staleAfterMs: 5000 });
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache, valuation: { staleAfterMs: 5000 } });
    const p = parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'spy', type: 'stock', symbol: 'SPY', side: 'long', quantity: '10', cost_basis: '500', opened_at: '2026-11-01T14:00:00Z' }] }));
    if (!p.ok) throw new Error('bad test portfolio');
    tracker.setPortfolio(p.portfolio, null);
    tracker.start();
    expect(tracker.pnlSnapshot().last_good_as_of).toBeNull(); // no quote yet: never good
    const goodAt = clock.now();
    cache.applyQuote({ instrument: sim('SPY'), symbol: 'SPY', bid: 510, ask: 510.1, bidSize: 1, askSize: 1, exchangeTime: goodAt, receivedAt: goodAt });
    expect(tracker.pnlSnapshot()).toMatchObject({ as_of: goodAt, last_good_as_of: goodAt });
    clock.advance(6000); // the quote goes stale: the total is unknown, the time prices were good stays
    const stale = tracker.snapshot();
    expect(stale.pnl.total).toBeNull();
    expect(stale.pnl.last_good_as_of).toBe(goodAt);
    expect(tracker.pnlSnapshot().last_good_as_of).toBe(goodAt);
    tracker.stop();
  });
});
