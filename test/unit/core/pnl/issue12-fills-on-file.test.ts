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
  const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: new QuoteCache(clock) });
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

describe('fills across a portfolio swap (review item 5)', () => {
  const aapl = { id: 'aapl-shares', type: 'stock', symbol: 'AAPL', side: 'long', quantity: '50', cost_basis: '228.40', opened_at: '2026-10-20T15:05:00Z' };
  const spy = { id: 'spy-shares', type: 'stock', symbol: 'SPY', side: 'long', quantity: '100', cost_basis: '585.20', opened_at: '2026-10-15T14:32:00Z' };
  const sample = file([spy, aapl], 'paper-main');

  function run() {
    const clock = new ManualClock(T0);
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: new QuoteCache(clock) });
    const load = (t: string) => {
      const p = parsePortfolio(t);
      if (!p.ok) throw new Error(JSON.stringify(p.errors));
      tracker.setPortfolio(p.portfolio, null);
    };
    const sell = (id: string, quantity: number, price: number, side: 'BUY' | 'SELL' = 'SELL') =>
      expect(tracker.applyFill(makeFill({ fill_id: id, position_id: 'venue:AAPL', symbol: 'AAPL', side, quantity, price, time: clock.now() })).ok).toBe(true);
    const aaplRows = () => tracker.records().filter((r) => r.symbol === 'AAPL').map((r) => [r.key, r.status, r.side, r.quantity_remaining, r.realized_net]);
    const realized = () => tracker.pnlSnapshot().totals[0]!.realized_pnl;
    return { load, sell, aaplRows, realized };
  }

  it('sell 20 then 100 AAPL, load a file without AAPL, load the sample again: long 50 closed, short 70, realized −200', () => {
    const { load, sell, aaplRows, realized } = run();
    load(sample);
    sell('f1', 20, 224.4);
    sell('f2', 100, 224.4);
    expect(aaplRows()).toEqual([
      ['aapl-shares#0', 'CLOSED', 'LONG', '0', '-200'],
      ['aapl-shares#1', 'OPEN', 'SHORT', '70', '0'],
    ]);
    expect(realized()).toBe('-200');
    load(file([spy], 'paper-main'));
    expect(aaplRows()).toEqual([['fills:AAPL#0', 'OPEN', 'SHORT', '120', '0']]);
    load(sample);
    // was: aapl-shares#0 long 50 OPEN again, a separate fills:AAPL short 120, realized 0
    expect(aaplRows()).toEqual([
      ['aapl-shares#0', 'CLOSED', 'LONG', '0', '-200'],
      ['aapl-shares#1', 'OPEN', 'SHORT', '70', '0'],
    ]);
    expect(realized()).toBe('-200');
  });

  it('the fills do not follow into a portfolio of a different account, and come back with their own', () => {
    const { load, sell, aaplRows } = run();
    load(sample);
    sell('f1', 20, 224.4);
    sell('f2', 100, 224.4);
    load(file([spy], 'a'));
    expect(aaplRows()).toEqual([]); // was: fills:AAPL short 120 shown with account "a"
    load(file([spy, aapl], 'a'));
    expect(aaplRows()).toEqual([['aapl-shares#0', 'OPEN', 'LONG', '50', '0']]);
    load(sample);
    expect(aaplRows()).toEqual([
      ['aapl-shares#0', 'CLOSED', 'LONG', '0', '-200'],
      ['aapl-shares#1', 'OPEN', 'SHORT', '70', '0'],
    ]);
  });

  it('a fill while the instrument is out of the file joins the orphan position and goes back to the file with it', () => {
    const { load, sell, aaplRows } = run();
    load(sample);
    sell('f1', 120, 224.4); // long 50 closed (−200), short 70
    load(file([spy], 'paper-main'));
    sell('f2', 120, 224.4, 'BUY'); // closes the orphan short 120 — not a separate long
    expect(aaplRows()).toEqual([['fills:AAPL#0', 'CLOSED', 'SHORT', '0', '0']]);
    load(sample);
    expect(aaplRows()).toEqual([
      ['aapl-shares#0', 'CLOSED', 'LONG', '0', '-200'],
      ['aapl-shares#1', 'CLOSED', 'SHORT', '0', '0'],
      ['aapl-shares#2', 'OPEN', 'LONG', '50', '0'],
    ]);
  });
});
