/** Orders and fills: recent fills (oldest first) and the latest update of each recent order. */
import type { FillWire, OrderUpdateWire } from '@shared/contract';
import { appendBounded, LIMITS, type Slice } from './slice';

export interface ActivitySlice {
  /** Recent fills, oldest first. */
  fills: FillWire[];
  /** Latest update of each recent order. */
  orders: Record<string, OrderUpdateWire>;
}

function boundedOrders(orders: Record<string, OrderUpdateWire>): Record<string, OrderUpdateWire> {
  if (Object.keys(orders).length <= LIMITS.orders * 1.2) return orders;
  const keep = Object.values(orders)
    .sort((a, b) => a.time - b.time)
    .slice(-LIMITS.orders);
  return Object.fromEntries(keep.map((o) => [o.order_id, o]));
}

export const activitySlice: Slice<ActivitySlice> = {
  name: 'activity',
  initial: { fills: [], orders: {} },
  fromSnapshot: (s) => ({ fills: (s.fills ?? []).slice(-LIMITS.fills), orders: Object.fromEntries((s.orders ?? []).map((o) => [o.order_id, o])) }),
  reduce(state, event) {
    if (event.type === 'fill_event') return { fills: appendBounded(state.fills, [event.fill], LIMITS.fills) };
    if (event.type === 'order_event') return { orders: boundedOrders({ ...state.orders, [event.order.order_id]: event.order }) };
    return null;
  },
};
