/**
 * Trading (issue 16): each account's trading state (Monitor/Trade, LIVE armed, automation gate),
 * the order gateway's orders with their history, manual exits, and each account's reconciliation.
 * From the snapshot's trading parts, then `order_event`s carrying a journal row, `trading_event`s and
 * `reconciliation_event`s.
 */
import type { ExitRunWire, OrderHistoryWire, OrderWire, ReconciliationWire, TradingStateWire } from '@shared/contract';
import type { Slice } from './slice';

export interface TradingSlice {
  trading: TradingStateWire[];
  /** The gateway's orders by client order id (bounded; the ledger keeps every one). */
  journalOrders: Record<string, OrderWire>;
  /** History rows seen since the snapshot, per order (the full history comes from `orders.history`). */
  orderHistory: Record<string, OrderHistoryWire[]>;
  exits: ExitRunWire[];
  reconciliation: Record<string, ReconciliationWire>;
}

export const JOURNAL_ORDER_LIMIT = 2_000;
const HISTORY_PER_ORDER = 200;

function bounded(orders: Record<string, OrderWire>): Record<string, OrderWire> {
  const ids = Object.keys(orders);
  if (ids.length <= JOURNAL_ORDER_LIMIT * 1.2) return orders;
  // Keep working orders and the most recently updated others.
  const keep = Object.values(orders)
    .sort((a, b) => b.updated_at - a.updated_at)
    .slice(0, JOURNAL_ORDER_LIMIT);
  return Object.fromEntries(keep.map((o) => [o.client_order_id, o]));
}

export const tradingSlice: Slice<TradingSlice> = {
  name: 'trading',
  initial: { trading: [], journalOrders: {}, orderHistory: {}, exits: [], reconciliation: {} },
  fromSnapshot: (s) => ({
    trading: s.trading ?? [],
    journalOrders: Object.fromEntries((s.journal_orders ?? []).map((o) => [o.client_order_id, o])),
    orderHistory: {},
    exits: s.exits ?? [],
    reconciliation: Object.fromEntries((s.reconciliation ?? []).map((r) => [r.account, r])),
  }),
  reduce: (state, event) => {
    switch (event.type) {
      case 'order_event': {
        const j = event.journal;
        if (!j) return null;
        const prior = state.orderHistory[j.order.client_order_id] ?? [];
        const history = prior.some((h) => h.seq === j.history.seq) ? prior : [...prior, j.history].slice(-HISTORY_PER_ORDER);
        return {
          journalOrders: bounded({ ...state.journalOrders, [j.order.client_order_id]: j.order }),
          orderHistory: { ...state.orderHistory, [j.order.client_order_id]: history },
        };
      }
      case 'trading_event':
        return { trading: event.accounts, exits: event.exits };
      case 'reconciliation_event':
        return { reconciliation: { ...state.reconciliation, [event.reconciliation.account]: event.reconciliation } };
      default:
        return null;
    }
  },
};

/** Statuses in which an order still works (or may: `unknown`). */
export const OPEN_STATUSES: ReadonlySet<OrderWire['status']> = new Set(['pending_submit', 'submitted', 'accepted', 'partially_filled', 'pending_cancel', 'unknown']);

export function isOpenOrder(o: OrderWire): boolean {
  return OPEN_STATUSES.has(o.status) || o.pending !== null;
}
