/**
 * Issue 15 Phase 2: another account's fill (FillMeta.venue) is that account's own position, valued
 * from its venue's quotes — never joined to the portfolio file's positions (the default account's),
 * and unmoved when the positions' venue changes.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { makeFill } from '../../../../src/core/pnl/fifo';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { instrumentId } from '../../../../src/core/model/ids';

const T0 = Date.UTC(2026, 10, 20, 15);

function setup() {
  const clock = new ManualClock(T0);
  const cache = new QuoteCache(clock);
  const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache });
  const p = parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'msft', type: 'stock', symbol: 'MSFT', side: 'long', quantity: '300', cost_basis: '400', opened_at: '2026-11-01T15:00:00Z' }] }));
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  tracker.setPortfolio(p.portfolio, null);
  const quote = (venue: string, bid: number, ask: number) =>
    cache.applyQuote({ instrument: instrumentId(venue, 'MSFT'), symbol: 'MSFT', bid, ask, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
  return { clock, tracker, quote };
}

describe('fills of another account', () => {
  it('stand as that account\'s position at its venue, apart from the file position in the same symbol', () => {
    const { clock, tracker, quote } = setup();
    const r = tracker.applyFill(makeFill({ fill_id: 'sim2:e1', position_id: 'sim2:MSFT', symbol: 'MSFT', side: 'SELL', quantity: 100, price: 410, time: clock.now() }), { venue: 'sim2', account: 'sim2' });
    expect(r.ok).toBe(true);
    // The file position is untouched (a SELL without the venue would have reduced it to 200).
    expect(tracker.records().map((x) => [x.position_id, x.instrument_id, x.side, x.quantity_remaining])).toEqual([
      ['msft', 'sim:MSFT', 'LONG', '300'],
      ['sim2:MSFT', 'sim2:MSFT', 'SHORT', '100'],
    ]);
    expect(tracker.neededInstruments()).toEqual(['sim2:MSFT', 'sim:MSFT']);
    // The diagnostics count two instruments, and name the other venue's by venue:symbol (review: it read `needed: 1`, missing `MSFT`).
    expect(tracker.streamerDiagnostics().subscriptions).toMatchObject({ needed: 2, missing: [] });
    quote('sim', 420, 422);
    quote('sim2', 500, 502);
    const marks = tracker.records().map((x) => [x.position_id, tracker.position(x.key)!.mark]);
    expect(marks).toEqual([
      ['msft', 421],
      ['sim2:MSFT', 501],
    ]);
    // The positions' venue changes (the default account's): the other account's position stays at its venue.
    tracker.setVenue('alpaca');
    expect(tracker.records().map((x) => x.instrument_id)).toEqual(['alpaca:MSFT', 'sim2:MSFT']);
  });

  it('refuses a venue name that cannot be one, and a position already valued at another venue', () => {
    const { clock, tracker } = setup();
    const fill = (id: string, venue: string) => tracker.applyFill(makeFill({ fill_id: id, position_id: 'x:MSFT', symbol: 'MSFT', side: 'BUY', quantity: 1, price: 1, time: clock.now() }), { venue });
    const bad = fill('a', 'Not A Venue');
    expect(bad.ok).toBe(false);
    expect(fill('b', 'sim2').ok).toBe(true);
    const other = fill('c', 'sim3');
    expect(other).toMatchObject({ ok: false, rejection: { reason: 'position x:MSFT is valued at venue sim2, not sim3' } });
  });
});
