/**
 * Issue 12 item 5: a fill on an instrument held in the portfolio file reduces or adds to the
 * position it belongs to (by account and instrument, FIFO, realized P&L) — it does not open a
 * separate position.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { makeFill } from '../../../../src/core/pnl/fifo';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';

const T0 = Date.UTC(2026, 10, 20, 15);

function file(positions: object[], account?: string): string {
  return JSON.stringify({ version: 1, ...(account ? { account } : {}), positions });
}
const msft = (id: string, quantity: string, cost: string, opened = '2026-11-01T15:00:00Z') => ({ id, type: 'stock', symbol: 'MSFT', side: 'long', quantity, cost_basis: cost, opened_at: opened });

function setup(text: string) {
  const clock = new ManualClock(T0);
  const tracker = new ActivePnlTracker({ clock, quotes: new QuoteCache(clock) });
  const load = (t: string) => {
    const p = parsePortfolio(t);
    if (!p.ok) throw new Error(JSON.stringify(p.errors));
    return tracker.setPortfolio(p.portfolio, null);
  };
  load(text);
  const fill = (id: string, side: 'BUY' | 'SELL', quantity: number, price: number, meta: { account?: string } = {}) =>
    tracker.applyFill(makeFill({ fill_id: id, position_id: 'venue:MSFT', symbol: 'MSFT', side, quantity, price, time: clock.now() }), meta);
  const open = () => tracker.records().filter((r) => r.status !== 'CLOSED').map((r) => [r.key, r.side, r.quantity_remaining, r.realized_net]);
  return { tracker, load, fill, open };
}

describe('fills on positions held in the portfolio file', () => {
  it('selling 100 of 300 MSFT reduces the file position, with realized P&L, and no −100 row', () => {
    const { tracker, fill, open } = setup(file([msft('msft', '300', '400')]));
    const r = fill('f1', 'SELL', 100, 410);
    expect(r.ok).toBe(true);
    expect(open()).toEqual([['msft#0', 'LONG', '200', '1000']]);
    expect(tracker.records()).toHaveLength(1);
    expect(tracker.pnlSnapshot().totals[0]!).toMatchObject({ realized_pnl: '1000', open_positions: 1 });
    if (r.ok) expect(r.events.map((e) => e.action)).toEqual(['partial_exit']);
  });

  it('a buy adds to it; the fills survive a reload of the file; an oversized sell flips the last one', () => {
    const text = file([msft('msft', '300', '400')]);
    const { fill, open, load } = setup(text);
    fill('f1', 'BUY', 100, 420);
    expect(open()).toEqual([['msft#0', 'LONG', '400', '0']]);
    fill('f2', 'SELL', 100, 430); // FIFO: closes 100 of the file's 400-cost lot
    expect(open()).toEqual([['msft#0', 'LONG', '300', '3000']]);
    const reloaded = load(text);
    expect(reloaded.positions.map((r) => [r.key, r.quantity_remaining, r.realized_net])).toEqual([['msft#0', '300', '3000']]);
    fill('f3', 'SELL', 350, 400);
    expect(open()).toEqual([['msft#1', 'SHORT', '50', '0']]);
    expect(fill('f3', 'SELL', 1, 400).ok).toBe(false); // a duplicate is refused, not applied twice
  });

  it('FIFO across two file positions in the same instrument, oldest first', () => {
    const { open, fill } = setup(file([msft('new', '100', '300', '2026-11-10T15:00:00Z'), msft('old', '100', '200', '2026-11-02T15:00:00Z')]));
    fill('f1', 'SELL', 150, 310);
    expect(open()).toEqual([['new#0', 'LONG', '50', '500']]);
  });

  it('another account\'s fill, or a fill older than the file position, stands on its own', () => {
    const { open, fill } = setup(file([msft('msft', '300', '400')], 'paper-main'));
    fill('f1', 'SELL', 100, 410, { account: 'other' });
    expect(open()).toEqual([
      ['msft#0', 'LONG', '300', '0'],
      ['venue:MSFT#0', 'SHORT', '100', '0'],
    ]);
  });
});
