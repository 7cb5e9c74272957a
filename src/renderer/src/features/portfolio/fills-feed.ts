/**
 * The fills / order-updates table: fills (from the trade-update stream and the ledger) and the
 * latest state of each order, merged newest first.
 */
import type { FillWire, OrderUpdateWire } from '@shared/contract';
import { orderChange, orderStatusWord } from '../events/order-words';

export type FeedRow =
  | { kind: 'fill'; id: string; time: number; symbol: string; side: 'BUY' | 'SELL'; quantity: string; price: string | null; status: string; statusLabel: string; detail: string; rejected: boolean }
  | { kind: 'order'; id: string; time: number; symbol: string; side: 'BUY' | 'SELL'; quantity: string; price: string | null; status: string; statusLabel: string; detail: string; rejected: boolean };

export function fillsFeed(fills: readonly FillWire[], orders: readonly OrderUpdateWire[], limit = 200): FeedRow[] {
  const rows: FeedRow[] = [];
  for (const f of fills) {
    rows.push({
      kind: 'fill',
      id: `fill:${f.fill_id}`,
      time: f.time,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      status: f.rejected ? 'rejected' : 'filled',
      statusLabel: f.rejected ? 'rejected' : 'filled',
      detail: f.rejected ? `refused: ${f.rejected}` : `${f.source}${f.order_id ? ` · order ${f.order_id}` : ''}${f.fee !== '0' ? ` · fee ${f.fee}` : ''}`,
      rejected: f.rejected !== null,
    });
  }
  for (const o of orders) {
    rows.push({
      kind: 'order',
      id: `order:${o.order_id}`,
      time: o.time,
      symbol: o.symbol,
      side: o.side,
      quantity: o.filled_quantity !== '0' ? `${o.filled_quantity}/${o.quantity}` : o.quantity,
      price: o.avg_fill_price ?? o.limit_price,
      status: o.status,
      // the badge in the detail's words: an order the venue calls "new" is "accepted" in both
      statusLabel: orderStatusWord(o.status),
      detail: `${orderChange(o, { withStatus: false })}${o.limit_price ? ` · limit ${o.limit_price}` : ' · market'}`,
      rejected: o.status === 'rejected',
    });
  }
  rows.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));
  return rows.slice(0, limit);
}
