/** Issue 16: the trading slice — modes, the gateway's orders with their history, exits and reconciliation — from a snapshot plus events. */
import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk } from '../../../../src/renderer/src/stores/desk-state';
import { isOpenOrder } from '../../../../src/renderer/src/stores/slices/trading';
import type { DeskEvent, OrderHistoryWire, OrderWire, ReconciliationWire, TradingStateWire } from '../../../../src/shared/contract';
import { makeSnapshot } from '../../../helpers/desk-fixtures';

const state: TradingStateWire = { account: 'default', mode: 'monitor', venue_mode: 'SIM', live_armed: false, since: null, kill_switch: 'active', automation_blocked: 'Monitor mode' };
const order = (over: Partial<OrderWire> = {}): OrderWire => ({
  client_order_id: 'ld-1', account: 'default', symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'limit', limit_price: '1', status: 'pending_submit',
  venue_order_id: null, venue_client_order_id: 'ld-1', filled_quantity: '0', replace_count: 0, pending: { kind: 'place', state: 'sending', since: 1, attempts: 1 }, reason: null, origin: 'manual', created_at: 1, updated_at: 1, stop_price: null, role: null, strategy: null, linked_client_order_id: null, archived_at: null, ...over,
});
const hist = (seq: number, to: OrderHistoryWire['to_status']): OrderHistoryWire => ({ seq, client_order_id: 'ld-1', at: seq, kind: 'answered', command: 'place', from_status: null, to_status: to, reason: null, detail: null });
const wireOrder = { order_id: 'ld-1', client_order_id: 'ld-1', symbol: 'SPY', side: 'BUY' as const, event: 'new', status: 'accepted' as const, quantity: '1', filled_quantity: '0', limit_price: '1', avg_fill_price: null, time: 1 };

describe('trading slice', () => {
  it('takes modes, orders, exits and reconciliation from the snapshot, then follows events in order', () => {
    const recon: ReconciliationWire = { account: 'default', at: 5, status: 'diff', error: null, trigger: 'start', lines: [], pnl: [] };
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 10, snapshot: { ...makeSnapshot({ serverTime: 10 }), trading: [state], journal_orders: [order()], exits: [], reconciliation: [recon] } };
    let s = reduceDesk(initialDeskState, snap, 10).state;
    expect(s.trading).toEqual([state]);
    expect(s.journalOrders['ld-1']!.status).toBe('pending_submit');
    expect(s.reconciliation.default!.status).toBe('diff');

    s = reduceDesk(s, { type: 'trading_event', seq: 2, serverTime: 11, accounts: [{ ...state, mode: 'trade', automation_blocked: null }], exits: [] }, 11).state;
    expect(s.trading[0]!.mode).toBe('trade');

    const accepted = order({ status: 'accepted', pending: null, venue_order_id: 'v1' });
    s = reduceDesk(s, { type: 'order_event', seq: 3, serverTime: 12, order: wireOrder, journal: { order: accepted, history: hist(7, 'accepted') } }, 12).state;
    expect(s.journalOrders['ld-1']!.status).toBe('accepted');
    expect(s.orderHistory['ld-1']!.map((h) => h.seq)).toEqual([7]);
    // a venue update without a journal row leaves the gateway's orders alone
    const before = s.journalOrders;
    s = reduceDesk(s, { type: 'order_event', seq: 4, serverTime: 13, order: { ...wireOrder, order_id: 'x' } }, 13).state;
    expect(s.journalOrders).toBe(before);

    s = reduceDesk(s, { type: 'reconciliation_event', seq: 5, serverTime: 14, reconciliation: { ...recon, status: 'clean', at: 14 } }, 14).state;
    expect(s.reconciliation.default!.status).toBe('clean');
  });

  it('an order is open while it works, is unknown, or has a command pending', () => {
    expect(isOpenOrder(order({ status: 'accepted', pending: null }))).toBe(true);
    expect(isOpenOrder(order({ status: 'unknown', pending: null }))).toBe(true);
    expect(isOpenOrder(order({ status: 'filled', pending: null }))).toBe(false);
    expect(isOpenOrder(order({ status: 'cancelled', pending: null }))).toBe(false);
    expect(isOpenOrder(order({ status: 'filled', pending: { kind: 'cancel', state: 'unknown', since: 1, attempts: 1 } }))).toBe(true);
  });
});
