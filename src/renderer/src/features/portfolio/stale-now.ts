/**
 * Staleness moves with time, not with events: a figure shown as of the last event can outlive the
 * quote behind it once the stream stops or stalls. These helpers decide, at the current time,
 * whether a known figure has gone stale — then the screen shows it as unknown. They compute no
 * figure: they only withhold ones that no longer hold.
 */
import type { LivePosition, PnlSnapshotWire, StructureView } from '@shared/contract';

/** A known, open P&L whose quote is now older than the threshold. */
export function isStaleNow(p: Pick<LivePosition, 'status' | 'unrealized_value' | 'quote_received_at'>, serverNow: number, staleMs: number): boolean {
  return p.status !== 'CLOSED' && p.unrealized_value !== null && p.quote_received_at !== null && serverNow - p.quote_received_at > staleMs;
}

/** A structure's net figures hold only while its oldest leg quote (`as_of`) is fresh. */
export function structureStaleNow(asOf: number | null, netPnl: string | null, serverNow: number, staleMs: number): boolean {
  return netPnl !== null && asOf !== null && serverNow - asOf > staleMs;
}

const shownCache = new WeakMap<PnlSnapshotWire, { at: number; positions: object; structures: object; shown: PnlSnapshotWire }>();

/**
 * The desk's totals as shown at server time `serverNow` (null: as sent). When the oldest quote
 * behind them (`as_of`) is older than the stale threshold, the desk's own rule makes the
 * unrealized and total figures of the currencies holding that quote unknown: they are shown as
 * unknown, the count naming the rows (positions, structures) that went stale since; realized
 * figures stand. The same object for the same inputs (React can skip re-rendering).
 */
export function shownTotals(pnl: PnlSnapshotWire, positions: Record<string, LivePosition>, structures: Record<string, StructureView>, serverNow: number | null, staleMs: number): PnlSnapshotWire {
  if (serverNow === null || pnl.as_of === null || serverNow - pnl.as_of <= staleMs) return pnl;
  const cached = shownCache.get(pnl);
  if (cached && cached.at === serverNow && cached.positions === positions && cached.structures === structures) return cached.shown;
  const stale = new Map<string, number>();
  const count = (currency: string) => stale.set(currency, (stale.get(currency) ?? 0) + 1);
  for (const p of Object.values(positions)) if (isStaleNow(p, serverNow, staleMs)) count(p.currency);
  for (const s of Object.values(structures)) if (structureStaleNow(s.as_of, s.net_pnl, serverNow, staleMs)) count(s.currency);
  // The oldest quote is stale but no row says which currency it values (a whole structure without
  // a view yet): every known total is withheld rather than one shown that no longer holds.
  const everywhere = stale.size === 0;
  const totals = pnl.totals.map((t) => {
    const n = stale.get(t.currency) ?? 0;
    if (t.unrealized_pnl === null && n === 0) return t;
    if (!everywhere && n === 0) return t;
    return { ...t, unrealized_pnl: null, total_pnl: null, unknown_count: t.unknown_count + Math.max(n, everywhere && t.unrealized_pnl !== null ? 1 : 0) };
  });
  const one = totals.length === 1 ? totals[0]! : null;
  const shown: PnlSnapshotWire = { ...pnl, unrealized: one ? one.unrealized_pnl : pnl.unrealized, total: one ? one.total_pnl : pnl.total, totals };
  shownCache.set(pnl, { at: serverNow, positions, structures, shown });
  return shown;
}
