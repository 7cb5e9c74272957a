/**
 * The positions table grouped by structure (as thinkorswim's position statement groups by
 * strategy): each multi-leg structure is a row with its net figures, its legs under it — the leg's
 * position when the file gave the leg a cost basis, or the structure's own leg view when the
 * structure is defined only by `net_debit` (no per-leg positions exist then) — and every position
 * that belongs to no structure stays a flat row after them.
 *
 * Depends only on the records, the structure definitions, the filter and which structures are
 * collapsed — none of which changes on a tick — so a tick never rebuilds the row list.
 */
import type { PositionRecord, StructureDefWire } from '@shared/contract';
import { portfolioPositionId } from '@core/pnl/portfolio';
import { comparePositions, orderedKeys, type PositionFilter } from './position-keys';

export type TableRow =
  | { kind: 'structure'; id: string; legs: number }
  /** A position; `structure` is set when it is a leg of one. */
  | { kind: 'position'; key: string; structure: string | null }
  /** A structure leg that has no position of its own (net_debit-only structures). */
  | { kind: 'leg'; structure: string; index: number; symbol: string };

export type PositionLayout = 'grouped' | 'flat';

/** Stable React key / virtualizer key of a row. */
export function rowKey(r: TableRow): string {
  return r.kind === 'structure' ? `s:${r.id}` : r.kind === 'position' ? `p:${r.key}` : `l:${r.structure}:${r.index}`;
}

export function groupRows(
  records: Record<string, PositionRecord>,
  defs: Record<string, StructureDefWire>,
  filter: PositionFilter,
  layout: PositionLayout,
  collapsed: Readonly<Record<string, boolean>>,
): TableRow[] {
  if (layout === 'flat') return orderedKeys(records, filter).map((key) => ({ kind: 'position', key, structure: null }));
  const byPositionId = new Map<string, PositionRecord[]>();
  // Every record (closed ones too) decides whether a leg has positions of its own; the filter
  // then decides which of them are shown.
  for (const r of Object.values(records)) {
    const list = byPositionId.get(r.position_id);
    if (list) list.push(r);
    else byPositionId.set(r.position_id, [r]);
  }
  const claimed = new Set<string>();
  const rows: TableRow[] = [];
  const sorted = Object.values(defs).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  for (const d of sorted) {
    rows.push({ kind: 'structure', id: d.id, legs: d.legs.length });
    const open = collapsed[d.id] !== true;
    d.legs.forEach((leg, j) => {
      const own = byPositionId.get(portfolioPositionId(d.id, j));
      if (own && own.length) {
        for (const r of own.sort(comparePositions)) {
          claimed.add(r.key);
          if (open && (filter === 'all' || r.status !== 'CLOSED')) rows.push({ kind: 'position', key: r.key, structure: d.id });
        }
      } else if (open) {
        rows.push({ kind: 'leg', structure: d.id, index: j, symbol: leg.symbol });
      }
    });
  }
  for (const key of orderedKeys(records, filter)) if (!claimed.has(key)) rows.push({ kind: 'position', key, structure: null });
  return rows;
}

/** Memoized on the identity of its inputs (records and defs change on events, not on ticks). */
export function makeRowsSelector(): (records: Record<string, PositionRecord>, defs: Record<string, StructureDefWire>, filter: PositionFilter, layout: PositionLayout, collapsed: Readonly<Record<string, boolean>>) => TableRow[] {
  let last: unknown[] = [];
  let rows: TableRow[] = [];
  return (...args) => {
    if (args.length !== last.length || args.some((a, i) => a !== last[i])) {
      const next = groupRows(...args);
      if (next.length !== rows.length || next.some((r, i) => rowKey(r) !== rowKey(rows[i]!))) rows = next;
      last = args;
    }
    return rows;
  };
}
