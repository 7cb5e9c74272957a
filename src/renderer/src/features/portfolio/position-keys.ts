/**
 * The positions table's row order. It depends only on the exact records (which change on
 * position/portfolio events, not on ticks), so a tick never re-sorts or re-renders the table: rows
 * subscribe to their own position (per-row selectors) and only changed rows re-render.
 */
import type { PositionRecord } from '@shared/contract';

export type PositionFilter = 'open' | 'all';

function rootOf(r: PositionRecord): string {
  return r.instrument?.underlying ?? r.symbol;
}

/** Underlying, then stocks before options, then expiry, strike, symbol, re-entry. */
export function comparePositions(a: PositionRecord, b: PositionRecord): number {
  const ra = rootOf(a);
  const rb = rootOf(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  const ka = a.instrument?.kind === 'option' ? 1 : 0;
  const kb = b.instrument?.kind === 'option' ? 1 : 0;
  if (ka !== kb) return ka - kb;
  const ea = a.instrument?.expiry?.epochMs ?? 0;
  const eb = b.instrument?.expiry?.epochMs ?? 0;
  if (ea !== eb) return ea - eb;
  const sa = a.instrument?.strike === null || a.instrument?.strike === undefined ? 0 : Number(a.instrument.strike);
  const sb = b.instrument?.strike === null || b.instrument?.strike === undefined ? 0 : Number(b.instrument.strike);
  if (sa !== sb) return sa - sb;
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.re_entry_num - b.re_entry_num || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function orderedKeys(records: Record<string, PositionRecord>, filter: PositionFilter): string[] {
  return Object.values(records)
    .filter((r) => filter === 'all' || r.status !== 'CLOSED')
    .sort(comparePositions)
    .map((r) => r.key);
}

/** Memoized on the records object's identity (one slot per filter). */
export function makeKeysSelector(filter: PositionFilter): (records: Record<string, PositionRecord>) => string[] {
  let last: Record<string, PositionRecord> | null = null;
  let keys: string[] = [];
  return (records) => {
    if (records !== last) {
      const next = orderedKeys(records, filter);
      // Keep the old array when nothing moved (a position_event that only changed quantities).
      if (next.length !== keys.length || next.some((k, i) => k !== keys[i])) keys = next;
      last = records;
    }
    return keys;
  };
}
