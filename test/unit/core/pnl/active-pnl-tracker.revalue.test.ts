/** The wire forms the tracker publishes (revalue.ts): exact round trips and totals. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FifoLedger, makeFill } from '../../../../src/core/pnl/fifo';
import { MULT_ONE, multiplier } from '../../../../src/core/model/money';
import { occInstrument } from '../../../../src/core/model/occ';
import { sim } from '../../../helpers/ids';
import {
  instrumentFromWire,
  instrumentToWire,
  positionRecordOf,
  revaluePosition,
  snapshotOfRecord,
  totalsOf,
  defaultValuation,
} from '../../../../src/core/pnl/revalue';
import { positionView } from '../../../../src/core/pnl/metrics';

const meta = { source: 'fills' as const, entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null };

describe('position records on the wire', () => {
  it('round-trip the FIFO snapshot exactly through JSON (random fills, fractional quantities and fees)', () => {
    const fillArb = fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      qty: fc.integer({ min: 1, max: 10_000 }).map((n) => (n / 1000).toString()),
      price: fc.integer({ min: 0, max: 10_000_000 }).map((n) => (n / 10_000).toString()),
      fee: fc.integer({ min: -100, max: 1000 }).map((n) => (n / 100).toString()),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 12 }), fc.constantFrom('1', '100', '0.01', '25'), (fills, mult) => {
        const ledger = new FifoLedger({ multiplierOf: () => multiplier(mult) });
        fills.forEach((f, i) => ledger.apply(makeFill({ fill_id: `f${i}`, position_id: 'p', symbol: 'X', side: f.side, quantity: f.qty, price: f.price, fee: f.fee, time: i })));
        for (const snap of ledger.positions()) {
          const rec = JSON.parse(JSON.stringify(positionRecordOf(snap, sim(snap.symbol), null, meta))) as ReturnType<typeof positionRecordOf>;
          const { key: _k, ...exact } = snap;
          expect(snapshotOfRecord(rec)).toMatchObject(exact);
          expect(snapshotOfRecord(rec)).toEqual(snap);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('round-trip instruments (strike, multiplier, expiry, currency) exactly', () => {
    const inst = occInstrument('AAPL261218C00240000');
    const back = instrumentFromWire(JSON.parse(JSON.stringify(instrumentToWire(inst))) as ReturnType<typeof instrumentToWire>);
    expect(back).toEqual(inst);
    expect(back.strike).toBe(inst.strike);
    expect(back.multiplier).toBe(inst.multiplier);
  });

  it('revaluePosition is the core positionView over the record, plus its meta', () => {
    const ledger = new FifoLedger({ multiplierOf: () => MULT_ONE });
    const r = ledger.apply(makeFill({ fill_id: 'a', position_id: 'p', symbol: 'X', side: 'BUY', quantity: 3, price: 10, time: 0 }));
    if (!r.ok) throw new Error('fixture');
    const snap = r.changes[0]!.position;
    const q = { instrument: sim('X'), symbol: 'X', bid: 10.5, ask: 10.7, last: 10.6, bidSize: 1, askSize: 1, exchangeTime: 0, receivedAt: 0 };
    const live = revaluePosition(positionRecordOf(snap, sim(snap.symbol), null, { ...meta, entry_trigger: 'why' }), q, 1000, defaultValuation);
    const { source, entry_flow_ids, exit_flow_ids, entry_trigger, exit_reason, ...view } = live;
    expect(view).toEqual(positionView({ position: snap, quote: q, now: 1000, config: defaultValuation }));
    expect({ source, entry_flow_ids, exit_flow_ids, entry_trigger, exit_reason }).toEqual({ ...meta, entry_trigger: 'why' });
  });
});

describe('totalsOf', () => {
  const view = (currency: string, realized: string, unrealized: string | null, status: 'OPEN' | 'CLOSED' = 'OPEN', receivedAt: number | null = 5) =>
    ({ currency, currency_decimals: 2, realized_pnl: realized, realized_gross: realized, fees: '0', unrealized_value: status === 'CLOSED' ? '0' : unrealized, status, quote_received_at: receivedAt }) as never;

  it('sums exactly per currency; unknown stays unknown; the top level is the single currency', () => {
    const one = totalsOf([view('USD', '0.1', '0.2'), view('USD', '0.2', null), view('USD', '1.005', null, 'CLOSED')]);
    expect(one).toMatchObject({ currency: 'USD', realized: '1.305', unrealized: null, total: null });
    expect(one.totals[0]).toMatchObject({ unrealized_known: '0.2', unknown_count: 1, open_positions: 2 });
    const two = totalsOf([view('USD', '1', '1'), view('INR', '2', '2', 'OPEN', 3)]);
    expect(two).toMatchObject({ currency: null, realized: null, unrealized: null, total: null, as_of: 3 });
    expect(two.totals.map((t) => [t.currency, t.total_pnl])).toEqual([
      ['INR', '4'],
      ['USD', '2'],
    ]);
    expect(totalsOf([])).toMatchObject({ realized: '0', unrealized: '0', total: '0', totals: [] });
  });
});
