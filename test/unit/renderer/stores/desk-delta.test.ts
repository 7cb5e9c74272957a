/** The store revalues an option's model delta when only its underlying's quote changes (or goes stale). */
import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk } from '../../../../src/renderer/src/stores/desk-state';
import { FifoLedger, makeFill } from '../../../../src/core/pnl/fifo';
import { alpacaInstrument } from '../../../../src/core/model/alpaca-symbols';
import { blackScholesPrice } from '../../../../src/core/greeks/black-scholes';
import { deltaBaseOf, instrumentToWire, positionRecordOf, revaluePosition } from '../../../../src/core/pnl/revalue';
import type { DeskEvent, QuoteWire } from '../../../../src/shared/contract';
import { EMPTY_PNL, makeSnapshot } from '../../../helpers/desk-fixtures';
import { sim } from '../../../helpers/ids';

const T = Date.UTC(2026, 10, 20, 15, 0, 0);
const CALL = 'AAPL261218C00240000';
const meta = { source: 'portfolio' as const, entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null };

function rec(symbol: string, quantity: number) {
  const inst = alpacaInstrument(symbol);
  const ledger = new FifoLedger({ multiplierOf: () => inst.multiplier });
  const r = ledger.apply(makeFill({ fill_id: `f-${symbol}`, position_id: symbol, symbol, side: 'BUY', quantity, price: 9.85, time: 0 }));
  if (!r.ok) throw new Error('fixture');
  return positionRecordOf(r.changes[0]!.position, sim(r.changes[0]!.position.symbol), instrumentToWire(inst), meta);
}
const quote = (symbol: string, bid: number, ask: number, receivedAt: number): QuoteWire => ({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt });
const callPrice = (spot: number) => blackScholesPrice({ right: 'call', spot, strike: 240, years: (alpacaInstrument(CALL).expiry!.epochMs - T) / (365 * 864e5), rate: 0.04, vol: 0.3 });
const tick = (seq: number, serverTime: number, quotes: QuoteWire[]): DeskEvent => ({
  type: 'tick_update', seq, serverTime, timestamp: new Date(serverTime).toISOString(), active_nodes: [], ltp_updates: quotes, pnl_snapshot: EMPTY_PNL,
});

describe('reduceDesk: model delta follows the underlying', () => {
  it('an update to only the underlying’s quote changes the option row’s delta; a stale underlying makes it unknown', () => {
    const p = Math.round(callPrice(232) * 100) / 100;
    const snap: DeskEvent = {
      type: 'snapshot', seq: 1, serverTime: T,
      snapshot: makeSnapshot({ serverTime: T, streaming: true, positions: [rec(CALL, 2), rec('AAPL', 10)], quotes: [quote(CALL, +(p - 0.05).toFixed(2), +(p + 0.05).toFixed(2), T), quote('AAPL', 231.99, 232.01, T)] }),
    };
    let s = reduceDesk(initialDeskState, snap, T).state;
    const key = `${CALL}#0`;
    const d0 = s.positions[key]!.delta!;
    expect(s.positions[key]!.delta_source).toBe('model');
    expect(d0).toBeGreaterThan(0);
    expect(s.openByUnderlying).toEqual({ [sim('AAPL')]: [key] });
    const optionView = s.positions[key];
    // Only AAPL moves: the option's own quote is untouched, its delta moves up with the spot.
    s = reduceDesk(s, tick(2, T + 500, [quote('AAPL', 239.99, 240.01, T + 500)]), T + 500).state;
    expect(s.quotes[sim(CALL)]!.receivedAt).toBe(T);
    expect(s.positions[key]).not.toBe(optionView);
    // The row subscribes to the view the delta was patched onto: it does not re-render, the delta cell does.
    expect(deltaBaseOf(s.positions[key])).toBe(optionView);
    expect(s.positions[key]!.delta).toBeGreaterThan(d0 + 0.05);
    expect(s.positions[key]!.delta_model!.underlying_mid).toBe(240);
    expect(s.positions['AAPL#0']!.delta).toBe(1);
    // The cheap path (only the delta and ages revalued) equals a full revaluation at that time.
    expect(s.positions[key]).toEqual(revaluePosition(s.records[key]!, s.quotes[sim(CALL)], T + 500, s.valuation, s.quotes[sim('AAPL')]));
    // The option's quote stays fresh; the underlying's goes stale: delta unknown, with the reason.
    s = reduceDesk(s, tick(3, T + 5400, [quote(CALL, +(p - 0.05).toFixed(2), +(p + 0.05).toFixed(2), T + 5400)]), T + 5400).state;
    expect(s.positions[key]!.delta).not.toBeNull();
    s = reduceDesk(s, tick(4, T + 6000, []), T + 6000).state;
    expect(s.positions[key]).toMatchObject({ delta: null, delta_unknown_reason: 'stale_underlying_quote' });
    expect(s.positions[key]).toEqual(revaluePosition(s.records[key]!, s.quotes[sim(CALL)], T + 6000, s.valuation, s.quotes[sim('AAPL')]));
    expect(s.positions[key]!.unrealized_value).not.toBeNull(); // the P&L does not need the underlying
  });
});
