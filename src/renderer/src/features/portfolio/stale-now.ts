/**
 * Staleness moves with time, not with events: the store values positions when a tick arrives, so
 * once the stream stops or stalls a stored P&L can outlive its quote. These helpers decide, at the
 * current time, whether a stored known value has gone stale — then the screen shows it as unknown,
 * exactly what the shared valuation function (`revaluePosition`) returns for a stale quote.
 */
import type { LivePosition, PnlSnapshotWire } from '@shared/contract';

/** A known, open P&L whose quote is now older than the threshold. */
export function isStaleNow(p: Pick<LivePosition, 'status' | 'unrealized_value' | 'quote_received_at'>, serverNow: number, staleMs: number): boolean {
  return p.status !== 'CLOSED' && p.unrealized_value !== null && p.quote_received_at !== null && serverNow - p.quote_received_at > staleMs;
}

/** How many stored known values are stale at `serverNow` (0 = the stored totals still hold). */
export function countStaleNow(positions: Record<string, LivePosition>, serverNow: number, staleMs: number): number {
  let n = 0;
  for (const p of Object.values(positions)) if (isStaleNow(p, serverNow, staleMs)) n++;
  return n;
}

/** A structure's net figures hold only while its oldest leg quote (`as_of`) is fresh. */
export function structureStaleNow(asOf: number | null, netPnl: string | null, serverNow: number, staleMs: number): boolean {
  return netPnl !== null && asOf !== null && serverNow - asOf > staleMs;
}

/** Totals are the same object when nothing went stale (so React can skip re-rendering). */
export type TotalsAtNow = (now: number) => PnlSnapshotWire;
