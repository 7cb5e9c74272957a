/**
 * An account's trade_updates into the live portfolio: the orders table always, a fill (or partial
 * fill) through the FIFO engine as that account's position. Order, execution and position ids of
 * another account than the default one are prefixed with its id, so two venues numbering alike (two
 * simulators) cannot collide.
 */
import { DEFAULT_ACCOUNT_ID, type Account } from '../../core/model/account';
import type { OrderUpdate } from '../../core/ports/venue';
import type { Logger } from '../../core/ports/logger';
import type { OrderUpdateStatus as WireOrderStatus } from '../../core/events/types';
import type { LivePortfolio } from '../live-portfolio';
import { venueNameOf } from './account-supervisor';

/** Where a venue's order updates go (the live portfolio). */
export type OrderUpdateSink = Pick<LivePortfolio, 'applyOrderUpdate' | 'applyFill'>;

/** trade_updates: the order table always; a fill (or partial fill) goes through the FIFO engine. */
export function applyVenueOrderUpdate(sink: OrderUpdateSink, account: Account, u: OrderUpdate, executionId: string | null, logger: Logger): void {
  const o = u.order;
  const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
  const time = u.timestamp ?? u.receivedAt;
  // Order and execution ids are the venue's: another account's are prefixed with its id, so two
  // venues numbering alike (two simulators) cannot collide in the orders table or the fill ids.
  const own = account.id === DEFAULT_ACCOUNT_ID;
  const orderId = own ? o.id : `${account.id}:${o.id}`;
  if (side) {
    sink.applyOrderUpdate({
      order_id: orderId,
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
  if ((u.event === 'fill' || u.event === 'partial_fill') && side && u.price !== null && u.qty !== null) {
    // Venue positions are per account and symbol: one position id per symbol (`venue:<symbol>` for the
    // default account, `<account>:<symbol>` for another, valued from its venue's quotes), re-entries
    // numbered by the FIFO engine.
    const venueFillId = u.executionId ?? `${o.id}:${o.filledQty}`;
    const r = sink.applyFill(
      { fill_id: own ? venueFillId : `${account.id}:${venueFillId}`, position_id: own ? `venue:${o.symbol}` : `${account.id}:${o.symbol}`, symbol: o.symbol, side, quantity: u.qty, price: u.price, time },
      {
        order_id: orderId,
        origin: 'venue',
        executionId,
        trigger: o.clientOrderId ? `order ${o.clientOrderId}` : `order ${o.id}`,
        ...(own ? {} : { account: account.id, venue: venueNameOf(account) }),
      },
    );
    if (!r.ok) logger.warn('venue fill not applied', { account: account.id, order: o.id, reason: r.reason });
  }
}

const ORDER_STATUSES: readonly WireOrderStatus[] = ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired', 'replaced'];

/** The venue's order status on the wire; pending_* and venue-specific states are `unknown`. */
export function wireOrderStatus(status: string): WireOrderStatus {
  if (status === 'pending_new') return 'new';
  return (ORDER_STATUSES as readonly string[]).includes(status) ? (status as WireOrderStatus) : 'unknown';
}
