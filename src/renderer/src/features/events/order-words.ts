/**
 * What an order update changed, in a trader's words: "accepted", "partly filled (1 of 3)",
 * "filled 3 @ 4.10", "canceled" — not the venue's event and status side by side ("new → new").
 */
import type { OrderUpdateWire } from '@shared/contract';

const EVENT_WORDS: Record<string, string> = {
  new: 'accepted',
  accepted: 'accepted',
  pending_new: 'sent, awaiting acceptance',
  fill: 'filled',
  partial_fill: 'partly filled',
  canceled: 'canceled',
  cancelled: 'canceled',
  pending_cancel: 'cancel requested',
  expired: 'expired',
  rejected: 'rejected',
  replaced: 'replaced',
  pending_replace: 'replace requested',
  done_for_day: 'done for the day',
  stopped: 'stopped',
  suspended: 'suspended',
  calculated: 'settled',
  partially_filled: 'partly filled',
  unknown: 'in an unknown state',
};

/** An order status in the same words as the changes ("new" → "accepted"), so a badge and its detail agree. */
export function orderStatusWord(status: string): string {
  return EVENT_WORDS[status] ?? status.replace(/_/g, ' ');
}

/** `withStatus: false` where the order's status is shown beside it (the fills table's badge). */
export function orderChange(o: Pick<OrderUpdateWire, 'event' | 'status' | 'quantity' | 'filled_quantity' | 'avg_fill_price'>, opts: { withStatus?: boolean } = {}): string {
  const word = EVENT_WORDS[o.event] ?? o.event.replace(/_/g, ' ');
  if (o.event === 'partial_fill') return `${word} (${o.filled_quantity} of ${o.quantity}${o.avg_fill_price ? ` @ ${o.avg_fill_price}` : ''})`;
  if (o.event === 'fill') return `${word} ${o.filled_quantity}${o.avg_fill_price ? ` @ ${o.avg_fill_price}` : ''}`;
  const statusWord = EVENT_WORDS[o.status] ?? o.status.replace(/_/g, ' ');
  // The status adds something only when it differs from what the event already says.
  return statusWord === word || opts.withStatus === false ? word : `${word} (order now ${statusWord})`;
}
