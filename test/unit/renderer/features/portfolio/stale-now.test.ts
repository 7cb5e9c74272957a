import { describe, expect, it } from 'vitest';
import { isStaleNow, shownTotals, structureStaleNow } from '../../../../../src/renderer/src/features/portfolio/stale-now';
import type { LivePosition, PnlSnapshotWire } from '../../../../../src/shared/contract';

const pos = (over: Partial<LivePosition>): LivePosition => ({ status: 'OPEN', unrealized_value: '10', quote_received_at: 1000, ...over }) as LivePosition;

describe('stale at now (after the last tick)', () => {
  it('a known open P&L turns unknown once its quote ages past the threshold', () => {
    expect(isStaleNow(pos({}), 6000, 5000)).toBe(false);
    expect(isStaleNow(pos({}), 6001, 5000)).toBe(true);
  });
  it('closed positions and already-unknown values are not counted', () => {
    expect(isStaleNow(pos({ status: 'CLOSED' }), 99_999, 5000)).toBe(false);
    expect(isStaleNow(pos({ unrealized_value: null }), 99_999, 5000)).toBe(false);
    expect(isStaleNow(pos({ quote_received_at: null }), 99_999, 5000)).toBe(false);
  });
  it('the desk\'s totals are shown as sent while their oldest quote is fresh, then withheld (unknown), never recomputed', () => {
    const pnl: PnlSnapshotWire = {
      as_of: 1000, currency: 'USD', realized: '5', unrealized: '10', total: '15', last_good_as_of: 1000,
      totals: [{ currency: 'USD', currency_decimals: 2, realized_pnl: '5', realized_gross: '5', fees: '0', unrealized_pnl: '10', unrealized_known: '10', unknown_count: 0, total_pnl: '15', open_positions: 2 }],
    };
    const none = {};
    const positions = { a: pos({ currency: 'USD' }), b: pos({ currency: 'USD', quote_received_at: 9000 }), c: pos({ currency: 'USD', status: 'CLOSED' }) };
    expect(shownTotals(pnl, positions, none, none, null, 5000)).toBe(pnl);
    expect(shownTotals(pnl, positions, none, none, 6000, 5000)).toBe(pnl);
    const shown = shownTotals(pnl, positions, none, none, 10_000, 5000);
    expect(shown).toMatchObject({ realized: '5', unrealized: null, total: null, as_of: 1000 });
    expect(shown.totals[0]).toMatchObject({ realized_pnl: '5', unrealized_pnl: null, total_pnl: null, unknown_count: 1, unrealized_known: '10' });
    expect(shownTotals(pnl, positions, none, none, 10_000, 5000)).toBe(shown); // the same object for the same inputs
  });
  it('withheld totals count the rows the desk counts: stale now, or already unknown at an event (not twice, expired aside)', () => {
    const pnl: PnlSnapshotWire = {
      as_of: 1000, currency: 'USD', realized: '0', unrealized: '10', total: '10',
      totals: [{ currency: 'USD', currency_decimals: 2, realized_pnl: '0', realized_gross: '0', fees: '0', unrealized_pnl: '10', unrealized_known: '10', unknown_count: 0, total_pnl: '10', open_positions: 3 }],
    };
    const none = {};
    const positions = {
      a: pos({ currency: 'USD' }), // known, stale at 10 s
      b: pos({ currency: 'USD', unrealized_value: null, unknown_reason: 'stale_quote' }), // flipped at an event since
      c: pos({ currency: 'USD', unrealized_value: null, unknown_reason: 'expired' }), // left out of the totals, not unknown
      d: pos({ currency: 'USD', quote_received_at: 9000 }), // fresh
    };
    expect(shownTotals(pnl, positions, none, none, 10_000, 5000).totals[0]).toMatchObject({ unrealized_pnl: null, total_pnl: null, unknown_count: 2 });
  });
  it('a row gone stale since the desk sent its totals withholds them even when as_of does not say so', () => {
    const pnl: PnlSnapshotWire = {
      as_of: null, currency: 'USD', realized: '0', unrealized: '10', total: '10',
      totals: [{ currency: 'USD', currency_decimals: 2, realized_pnl: '0', realized_gross: '0', fees: '0', unrealized_pnl: '10', unrealized_known: '10', unknown_count: 0, total_pnl: '10', open_positions: 1 }],
    };
    const none = {};
    const positions = { a: pos({ currency: 'USD' }) };
    expect(shownTotals(pnl, positions, none, none, 5000, 5000)).toBe(pnl);
    expect(shownTotals(pnl, positions, none, none, 7000, 5000).totals[0]).toMatchObject({ total_pnl: null, unknown_count: 1 });
  });
  it('structures: by the oldest leg quote', () => {
    expect(structureStaleNow(1000, '5', 7000, 5000)).toBe(true);
    expect(structureStaleNow(1000, null, 7000, 5000)).toBe(false);
    expect(structureStaleNow(3000, '5', 7000, 5000)).toBe(false);
  });
});
