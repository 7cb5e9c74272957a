/** Ordering and merging for the Orders page (pure, unit-tested). */
import type { OrderHistoryWire, OrderWire, PnlCompareWire, PositionRecord } from '@shared/contract';

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

export interface ExitablePosition {
  symbol: string;
  side: 'LONG' | 'SHORT';
  /** Open quantity, unsigned, as the ledger states it. */
  quantity: string;
}

const trimZeros = (t: string) => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);

/**
 * What the account holds by our ledger, for the exit buttons: its venue-fill positions (open), and
 * what the reconciliation read from the account fills (`pnl[].ours`) — a venue fill on an instrument
 * of the portfolio file joins the file's position in the tracker, so only the account fills know it
 * is the account's. One row per symbol.
 */
export function exitablePositions(records: readonly PositionRecord[], pnl: readonly PnlCompareWire[], account: string, defaultAccount = 'default'): ExitablePosition[] {
  const out = new Map<string, ExitablePosition>();
  for (const r of records) {
    if (r.status === 'CLOSED' || accountOfPosition(r, defaultAccount) !== account) continue;
    out.set(r.symbol, { symbol: r.symbol, side: r.side === 'SHORT' ? 'SHORT' : 'LONG', quantity: trimZeros(r.quantity_remaining) });
  }
  for (const p of pnl) {
    if (!p.ours || out.has(p.symbol)) continue;
    const q = p.ours.quantity.trim();
    if (q === '' || /^[-+]?0*(\.0*)?$/.test(q)) continue;
    out.set(p.symbol, { symbol: p.symbol, side: q.startsWith('-') ? 'SHORT' : 'LONG', quantity: trimZeros(q.replace(/^[-+]/, '')) });
  }
  return [...out.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
}
