/** Ordering and merging for the Orders page (pure, unit-tested). */
import type { OrderHistoryWire, OrderWire, PositionRecord } from '@shared/contract';

/** Unknown outcomes first (they need the trader's eye), then newest first. */
export function sortOrders(orders: readonly OrderWire[]): OrderWire[] {
  const unknown = (o: OrderWire) => (o.status === 'unknown' || o.pending?.state === 'unknown' ? 0 : 1);
  return [...orders].sort((a, b) => unknown(a) - unknown(b) || b.created_at - a.created_at || (a.client_order_id < b.client_order_id ? -1 : 1));
}

/** The stored history plus rows heard live since, once each, in seq order. */
export function mergeHistory(stored: readonly OrderHistoryWire[], live: readonly OrderHistoryWire[]): OrderHistoryWire[] {
  const bySeq = new Map<number, OrderHistoryWire>();
  for (const h of stored) bySeq.set(h.seq, h);
  for (const h of live) if (!bySeq.has(h.seq)) bySeq.set(h.seq, h);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The account a venue position belongs to. Venue fills are positions `venue:<symbol>` of the
 * default account and `<account>:<symbol>` of another (app/venue-order-updates.ts); a position of
 * the portfolio file belongs to no account here (its structure is exited by id).
 */
export function accountOfPosition(p: Pick<PositionRecord, 'position_id' | 'source'>, defaultAccount = 'default'): string | null {
  if (p.source !== 'fills') return null;
  const i = p.position_id.indexOf(':');
  if (i <= 0) return null;
  const head = p.position_id.slice(0, i);
  return head === 'venue' ? defaultAccount : head;
}
