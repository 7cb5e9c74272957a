/**
 * The monitoring cycle's records as its store keeps them (steps 3 and 8–9), defined once for the
 * store port (src/node/app/monitor/store.ts) and its SQLite implementation (src/node/ledger/monitor-store.ts).
 */

/** One position of the account with its analytics, as step 3 writes it (one transaction per account). */
export interface PositionSyncRow {
  positionId: string;
  reEntryNum: number;
  symbol: string;
  side: 'long' | 'short';
  status: 'OPEN' | 'PARTIAL' | 'CLOSED';
  quantityTotal: string;
  quantityClosed: string;
  quantityOpen: string;
  avgEntryPrice: string | null;
  avgExitPrice: string | null;
  realizedPnl: string;
  fees: string;
  openedAt: number;
  closedAt: number | null;
  /** At the fair price of a fresh quote; null (with `reason`) when there is none — unknown is not zero. */
  markPrice: string | null;
  pnlAbs: string | null;
  pnlPct: string | null;
  reason: string | null;
}

/** A rejected entry regenerated (step 8) and its placing (step 9). */
export interface RegenerationRow {
  rejectedClientOrderId: string;
  account: string;
  newClientOrderId: string;
  strategy: string | null;
  attempt: number;
  cycleId: string;
  createdAt: number;
  /** null until step 9 placed it. */
  status: 'placed' | 'refused' | 'rejected' | 'unknown' | 'failed' | null;
  reason: string | null;
  placedAt: number | null;
}
