import { describe, expect, it } from 'vitest';
import { currencyTotalsWire, positionView } from '../../../../src/core/pnl/metrics';
import { FifoLedger, makeFill } from '../../../../src/core/pnl/fifo';
import { PortfolioBook } from '../../../../src/core/pnl/book';
import { occInstrument } from '../../../../src/core/model/occ';
import type { Quote } from '../../../../src/core/market/quote';
import { sim } from '../../../helpers/ids';

const SYM = 'AAPL261218C00240000';
const inst = occInstrument(SYM);
const NOW = Date.UTC(2026, 11, 16, 15, 0); // 16 Dec 10:00 New York
const q = (bid: number | null, ask: number | null, receivedAt = NOW - 1500, last: number | null = null): Quote => ({ instrument: sim(SYM), symbol: SYM, bid, ask, last, bidSize: 1, askSize: 1, exchangeTime: receivedAt - 20, receivedAt });

function position(...fills: ['BUY' | 'SELL', string, string, string?][]) {
  const l = new FifoLedger({ multiplierOf: () => inst.multiplier });
  fills.forEach(([side, qty, price, fee], i) => {
    const r = l.apply(makeFill({ fill_id: `f${i}`, position_id: 'call', symbol: SYM, side, quantity: qty, price, fee, time: NOW - 86_400_000 + i }));
    if (!r.ok) throw new Error(r.rejection.reason);
  });
  return l.get('call', 0)!;
}

describe('position live metrics', () => {
  it('mark, spread, P&L in money, points and %, DTE, quote age, delta', () => {
    const p = position(['BUY', '2', '9.85', '1.30']);
    const v = positionView({ position: p, quote: q(10.4, 10.6), now: NOW, instrument: inst, delta: { delta: 0.42, source: 'venue', asOf: NOW - 3000 } });
    expect(v).toMatchObject({
      key: 'call#0', position_id: 'call', re_entry_num: 0, side: 'BUY', status: 'OPEN',
      quantity_total: 2, quantity_closed: 0, quantity_remaining: 2, multiplier: 100,
      mark: 10.5, mark_source: 'mid', bid: 10.4, ask: 10.6,
      unrealized_value: '130', // (10.50 − 9.85) × 2 × 100
      unrealized_points: 0.65,
      realized_pnl: '-1.3', fees: '1.3', total_pnl: '128.7',
      cost_basis: '1970', market_value: '2100',
      entry_price: 9.85, open_price: 9.85, exit_price: null,
      quote_age_sec: 1.5, dte: 2, underlying: 'AAPL', currency: 'USD', currency_decimals: 2,
      delta: 0.42, delta_source: 'venue', delta_age_sec: 3, position_delta: 84, unknown_reason: null,
    });
    expect(v.spread_pct).toBeCloseTo((0.2 / 10.5) * 100, 12);
    expect(v.unrealized_pct).toBeCloseTo((130 / 1970) * 100, 10);
    expect(v.warnings).toEqual([]);
  });

  it('warns about wide spreads, stale and missing quotes — and unknown is null, not 0', () => {
    const p = position(['SELL', '1', '9.85']);
    const wide = positionView({ position: p, quote: q(8, 12), now: NOW, instrument: inst });
    expect(wide.warnings.map((w) => w.code)).toEqual(['wide_spread']);
    expect(wide.unrealized_value).toBe('-15');
    const stale = positionView({ position: p, quote: q(10, 10.2, NOW - 6000), now: NOW, instrument: inst });
    expect(stale).toMatchObject({ unrealized_value: null, unrealized_points: null, total_pnl: null, unknown_reason: 'stale_quote', mark: 10.1 });
    expect(stale.warnings[0]).toMatchObject({ code: 'stale_quote', message: `${SYM}: quote is stale (6.0 s old)` });
    const none = positionView({ position: p, quote: null, now: NOW, instrument: inst });
    expect(none).toMatchObject({ unrealized_value: null, unknown_reason: 'no_quote', quote_age_sec: null });
    expect(none.warnings.map((w) => w.code)).toEqual(['missing_quote']);
    const oneSided = positionView({ position: p, quote: q(null, 10.2), now: NOW, instrument: inst });
    expect(oneSided.unknown_reason).toBe('one_sided');
    const conservative = positionView({ position: p, quote: q(10, 10.2), now: NOW, instrument: inst, config: { markPolicy: 'conservative' } });
    expect(conservative).toMatchObject({ mark: 10.2, mark_source: 'ask', unrealized_value: '-35' });
  });

  it('a closed position shows realized only; expiry passes', () => {
    const p = position(['BUY', '2', '9.85'], ['SELL', '1', '10.85'], ['SELL', '1', '11.85']);
    const v = positionView({ position: p, quote: null, now: Date.UTC(2026, 11, 19, 15, 0), instrument: inst });
    expect(v).toMatchObject({ status: 'CLOSED', unrealized_value: '0', total_pnl: '300', exit_price: 11.35, quantity_closed: 2, dte: -1, warnings: [] });
  });

  it('renders book totals as the pnl_snapshot, unknown spelled out (the one book-totals mapper)', () => {
    const book = new PortfolioBook();
    book.setPosition(sim(SYM), position(['BUY', '2', '9.85']));
    const t = book.totals(NOW);
    expect(t.as_of).toBeNull();
    expect(t.currencies[0]!.unknown).toEqual([{ key: 'call#0', instrument: sim(SYM), symbol: SYM, reason: 'no_quote' }]);
    expect(currencyTotalsWire(t.currencies[0]!, 2)).toEqual({
      currency: 'USD', currency_decimals: 2, realized_pnl: '0', realized_gross: '0', fees: '0',
      unrealized_pnl: null, unrealized_known: '0', unknown_count: 1,
      total_pnl: null, open_positions: 1,
    });
  });
});
