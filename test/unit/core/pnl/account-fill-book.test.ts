// The account fill book (issue 16 item 4): the idempotency key across the stream and REST
// ((venue order, cumulative filled quantity) intervals) and the execution-time order of a position.
import { describe, expect, it } from 'vitest';
import { AccountFillBook } from '../../../../src/core/pnl/account-fill-book';
import { makeFill } from '../../../../src/core/pnl/fifo';
import { MULT_ONE, qty, qtyToString } from '../../../../src/core/model/money';

const book = () => new AccountFillBook({ multiplierOf: () => MULT_ONE });
const fill = (id: string, side: 'BUY' | 'SELL', q: string, price: string, time: number) => makeFill({ fill_id: id, position_id: 'p', symbol: 'SPY', side, quantity: q, price, time });

describe('AccountFillBook', () => {
  it('REST fills only the gaps of an order between recorded executions, at the price that makes the order notional match', () => {
    const b = book();
    // Executions (0,2] @ 10 and (5,6] @ 13 recorded; the venue says 8 filled at avg 12.
    expect(b.apply({ fill: fill('O@2', 'BUY', '2', '10', 1), seq: b.nextSeq(), venueOrderId: 'O', cumQty: qty('2') }).ok).toBe(true);
    expect(b.apply({ fill: fill('O@6', 'BUY', '1', '13', 3), seq: b.nextSeq(), venueOrderId: 'O', cumQty: qty('6') }).ok).toBe(true);
    const gaps = b.missingFromOrder('O', '8', '12');
    // Missing: (2,5] and (6,8] = 5 units; 8 × 12 − (2 × 10 + 1 × 13) = 63 → 12.6 each.
    expect(gaps.map((g) => [qtyToString(g.quantity), g.price, qtyToString(g.cumQty)])).toEqual([
      ['3', '12.6', '5'],
      ['2', '12.6', '8'],
    ]);
    expect(b.missingFromOrder('O', '6', '11')).toHaveLength(1); // (2,5] still missing
    expect(b.missingFromOrder('P', '0', null)).toEqual([]);
    expect(() => b.missingFromOrder('P', '1', null)).toThrow(/without filled_avg_price/);
  });

  it('an execution meeting a recorded interval is covered; one beside it is not', () => {
    const b = book();
    b.apply({ fill: fill('O@10', 'SELL', '6', '10', 2), seq: b.nextSeq(), venueOrderId: 'O', cumQty: qty('10') });
    expect(b.covered('O', qty('10'), qty('6'))).toBe(true);
    expect(b.covered('O', qty('7'), qty('3'))).toBe(true);
    expect(b.covered('O', qty('4'), qty('4'))).toBe(false);
    expect(b.apply({ fill: fill('O@4', 'SELL', '4', '10', 1), seq: b.nextSeq(), venueOrderId: 'O', cumQty: qty('4') })).toMatchObject({ ok: true, late: true });
    expect(b.apply({ fill: fill('O@4b', 'SELL', '4', '10', 1), seq: b.nextSeq(), venueOrderId: 'O', cumQty: qty('4') })).toMatchObject({ ok: false });
    expect(qtyToString(b.filledOf('O'))).toBe('10');
  });

  it('a late fill re-applies the position in execution-time order and names the re-entries that went away', () => {
    const b = book();
    const add = (id: string, side: 'BUY' | 'SELL', q: string, p: string, t: number) => b.apply({ fill: fill(id, side, q, p, t), seq: b.nextSeq(), venueOrderId: null, cumQty: null });
    add('a', 'BUY', '10', '10', 1);
    add('c', 'SELL', '10', '12', 3);
    expect(add('d', 'BUY', '10', '13', 4)).toMatchObject({ ok: true, late: false });
    expect(b.positions().map((p) => p.key)).toEqual(['p#0', 'p#1']);
    const r = add('b', 'BUY', '10', '11', 2);
    expect(r).toMatchObject({ ok: true, late: true, removed: ['p#1'] });
    expect(b.fillsOf('p').map((f) => f.fill_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(b.positions().map((p) => [p.key, p.status, qtyToString(p.quantity_remaining)])).toEqual([['p#0', 'PARTIAL', '20']]);
    // Equal times keep arrival order: not late.
    expect(add('e', 'SELL', '1', '14', 4)).toMatchObject({ ok: true, late: false });
  });
});
