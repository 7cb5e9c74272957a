/**
 * An account's trade_updates into the orders table of the live portfolio. Order ids of another
 * account than the default one are prefixed with its id, so two venues numbering alike (two
 * simulators) cannot collide. Fills are not handled here: the account fills
 * (app/trading/account-fills.ts, an order-path participant) record them in the ledger first, then
 * apply them to our FIFO and the UI.
 */
import { DEFAULT_ACCOUNT_ID, type Account } from '../../core/model/account';
import type { OrderUpdate } from '../../core/ports/venue';
import type { OrderUpdateStatus as WireOrderStatus } from '../../core/events/types';
import type { LivePortfolio } from '../live-portfolio';

/** Where a venue's order updates go (the live portfolio). */
export type OrderUpdateSink = Pick<LivePortfolio, 'applyOrderUpdate'>;

/** trade_updates: the order table (every event with a side). */
export function applyVenueOrderUpdate(sink: OrderUpdateSink, account: Account, u: OrderUpdate): void {
  const o = u.order;
  const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
  if (!side) return;
  const time = u.timestamp ?? u.receivedAt;
  const own = account.id === DEFAULT_ACCOUNT_ID;
  sink.applyOrderUpdate({
    order_id: own ? o.id : `${account.id}:${o.id}`,
    client_order_id: o.clientOrderId || null,
    symbol: o.symbol,
    side,
    event: u.event,
    status: wireOrderStatus(o.status),
    quantity: o.qty ?? '0',
    filled_quantity: o.filledQty,
    limit_price: o.limitPrice,
    avg_fill_price: o.filledAvgPrice,
    time,
  });
}

const ORDER_STATUSES: readonly WireOrderStatus[] = ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired', 'replaced'];

/** The venue's order status on the wire; pending_* and venue-specific states are `unknown`. */
export function wireOrderStatus(status: string): WireOrderStatus {
  if (status === 'pending_new') return 'new';
  return (ORDER_STATUSES as readonly string[]).includes(status) ? (status as WireOrderStatus) : 'unknown';
}
