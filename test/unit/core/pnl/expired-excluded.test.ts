/**
 * Review doubt: one expired option in the file made the Total unknown (and the window title STALE)
 * for good. An expired contract has no market: its unrealized P&L is left out of the totals, which
 * say so (`expired_excluded`), and its realized P&L stays in. Same rule in the desk's incremental
 * book and in the renderer's totals (totalsOf).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { totalsOf } from '../../../../src/core/pnl/revalue';
import { sim } from '../../../helpers/ids';

const msft = { id: 'msft', type: 'stock', symbol: 'MSFT', side: 'long', quantity: '300', cost_basis: '400', opened_at: '2026-11-01T00:00:00Z' };
const expired = { id: 'expired', type: 'option', underlying: 'AAPL', expiry: '2026-01-16', strike: '240', right: 'call', side: 'long', contracts: '1', cost_basis: '5', opened_at: '2025-11-01T00:00:00Z' };
const live = { id: 'dec', type: 'option', underlying: 'AAPL', expiry: '2026-12-18', strike: '240', right: 'call', side: 'long', contracts: '1', cost_basis: '5', opened_at: '2026-11-01T00:00:00Z' };

function setup(positions: object[], start = Date.UTC(2026, 10, 20, 15)) {
  const clock = new ManualClock(start);
  const cache = new QuoteCache(clock, { staleAfterMs: 5000 });
  const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache, valuation: { staleAfterMs: 5000 } });
  const p = parsePortfolio(JSON.stringify({ version: 1, account: 'paper-main', positions }));
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  tracker.setPortfolio(p.portfolio, null);
  tracker.start();
  const quote = (symbol: string, bid: number, ask: number) => cache.applyQuote({ instrument: sim(symbol), symbol, bid, ask, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
  return { clock, cache, tracker, quote };
}

describe('an expired contract does not make the live totals unknown', () => {
  it('the file of /tmp/rev/p1.json (stock + expired call): Total known, "excludes 1 expired contract"', () => {
    const { tracker, quote } = setup([msft, expired]);
    quote('MSFT', 410, 410);
    const t = tracker.pnlSnapshot().totals[0]!;
    // was: unrealized and total null (unknown_count 1, reason expired) for as long as the file held it
    expect(t).toMatchObject({ unrealized_pnl: '3000', total_pnl: '3000', unknown_count: 0, open_positions: 2, expired_excluded: 1 });
    const snap = tracker.snapshot();
    expect(snap.pnl.total).toBe('3000');
    expect(snap.total_unrealized_points).not.toBeNull();
    // the row itself still says expired (unknown, never 0)
    expect(snap.trades.find((x) => x.symbol.startsWith('AAPL'))).toMatchObject({ unrealized_value: null, unknown_reason: 'expired' });
    // the renderer's totals over the same rows apply the same rule
    const views = tracker.records().map((r) => tracker.position(r.key)!);
    expect(totalsOf(views).totals[0]).toEqual(t);
  });

  it('a contract that expires while the desk runs leaves the totals then (valued before, excluded after)', () => {
    const { clock, tracker, quote } = setup([msft, live]);
    quote('MSFT', 410, 410);
    const sym = tracker.records().find((r) => r.symbol.startsWith('AAPL'))!.symbol;
    quote(sym, 6, 6);
    expect(tracker.pnlSnapshot().totals[0]).toMatchObject({ unrealized_pnl: '3100', open_positions: 2 });
    expect(tracker.pnlSnapshot().totals[0]!.expired_excluded).toBeUndefined();
    tracker.stop(); // (no month of refresh timers to run through)
    clock.advance(Date.UTC(2026, 11, 19, 15) - clock.now()); // past the Dec-18 expiry
    tracker.start();
    quote('MSFT', 410, 410);
    expect(tracker.pnlSnapshot().totals[0]).toMatchObject({ unrealized_pnl: '3000', total_pnl: '3000', unknown_count: 0, expired_excluded: 1 });
  });
});

describe('the renderer says what the totals exclude', () => {
  it('"excludes 1 expired contract", and the window title carries the known Total, not STALE', async () => {
    const { expiredText } = await import('../../../../src/renderer/src/features/portfolio/TotalsBar');
    const { windowTitle } = await import('../../../../src/renderer/src/features/shell/window-title');
    expect(expiredText(1)).toBe('excludes 1 expired contract');
    expect(expiredText(2)).toBe('excludes 2 expired contracts');
    const { tracker, quote } = setup([msft, expired]);
    quote('MSFT', 410, 410);
    const views = tracker.records().map((r) => tracker.position(r.key)!);
    expect(windowTitle('SIM', totalsOf(views))).toBe('SIM · +3,000.00 · Live Desk'); // was: SIM · STALE for good
  });
});
