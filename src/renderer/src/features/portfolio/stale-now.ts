/**
 * Staleness moves with time, not with events: a figure shown as of the last event can outlive the
 * quote behind it once the stream stops or stalls. These helpers decide, at the current time,
 * whether a known figure has gone stale — then the screen shows it as unknown. They compute no
 * figure: they only withhold ones that no longer hold.
 */
import type { LivePosition, PnlSnapshotWire, StructureDefWire, StructureView } from '@shared/contract';
import { isWholeStructure } from '@core/pnl/revalue';

/** A known, open P&L whose quote is now older than the threshold. */
export function isStaleNow(p: Pick<LivePosition, 'status' | 'unrealized_value' | 'quote_received_at'>, serverNow: number, staleMs: number): boolean {
  return p.status !== 'CLOSED' && p.unrealized_value !== null && p.quote_received_at !== null && serverNow - p.quote_received_at > staleMs;
}

/** A structure's net figures hold only while its oldest leg quote (`as_of`) is fresh. */
export function structureStaleNow(asOf: number | null, netPnl: string | null, serverNow: number, staleMs: number): boolean {
  return netPnl !== null && asOf !== null && serverNow - asOf > staleMs;
}

const shownCache = new WeakMap<PnlSnapshotWire, { at: number; positions: object; structures: object; shown: PnlSnapshotWire }>();

/** Whether any row the totals stand on holds a known figure whose quote has gone stale at `serverNow`. */
export function anyStaleNow(positions: Record<string, LivePosition>, structures: Record<string, StructureView>, serverNow: number, staleMs: number): boolean {
  for (const p of Object.values(positions)) if (isStaleNow(p, serverNow, staleMs)) return true;
  for (const v of Object.values(structures)) if (structureStaleNow(v.as_of, v.net_pnl, serverNow, staleMs)) return true;
  return false;
}

/**
 * The desk's totals as shown at server time `serverNow` (null: as sent). When the oldest quote
 * behind them (`as_of`) or a row's quote has gone stale since the desk sent them (stream stopped or
 * stalled: no refresh comes), the desk's own rule makes the unrealized and total figures of that
 * currency unknown: they are shown as unknown, counting the rows the desk counts (open positions
 * without a fresh value, expired ones aside, and structures valued as a whole); realized figures
 * stand. No figure is computed. The same object for the same inputs (React can skip re-rendering).
 */
export function shownTotals(
  pnl: PnlSnapshotWire,
  positions: Record<string, LivePosition>,
  structures: Record<string, StructureView>,
  structureDefs: Record<string, StructureDefWire>,
  serverNow: number | null,
  staleMs: number,
): PnlSnapshotWire {
  if (serverNow === null || pnl.totals.length === 0) return pnl;
  const cached = shownCache.get(pnl);
  if (cached && cached.at === serverNow && cached.positions === positions && cached.structures === structures) return cached.shown;
  const unknown = new Map<string, number>();
  const stale = new Set<string>();
  const count = (currency: string) => unknown.set(currency, (unknown.get(currency) ?? 0) + 1);
  for (const p of Object.values(positions)) {
    if (p.status === 'CLOSED' || p.unknown_reason === 'expired') continue;
    if (isStaleNow(p, serverNow, staleMs)) stale.add(p.currency);
    else if (p.unrealized_value !== null) continue;
    count(p.currency);
  }
  for (const [id, d] of Object.entries(structureDefs)) {
    const v = structures[id];
    if (!v || !isWholeStructure(d)) continue;
    if (structureStaleNow(v.as_of, v.net_pnl, serverNow, staleMs)) stale.add(v.currency);
    else if (v.net_pnl !== null) continue;
    count(v.currency);
  }
  const asOfStale = pnl.as_of !== null && serverNow - pnl.as_of > staleMs;
  let shown = pnl;
  if (stale.size > 0 || asOfStale) {
    const totals = pnl.totals.map((t) => {
      // A currency no stale row values keeps the desk's figures; one with a stale row is unknown
      // (when no row says which currency went stale, every known total is withheld).
      if (stale.size > 0 && !stale.has(t.currency)) return t;
      return { ...t, unrealized_pnl: null, total_pnl: null, unknown_count: Math.max(unknown.get(t.currency) ?? 0, t.unknown_count, 1) };
    });
    const one = totals.length === 1 ? totals[0]! : null;
    shown = { ...pnl, unrealized: one ? one.unrealized_pnl : pnl.unrealized, total: one ? one.total_pnl : pnl.total, totals };
  }
  shownCache.set(pnl, { at: serverNow, positions, structures, shown });
  return shown;
}
