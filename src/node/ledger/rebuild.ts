/**
 * Rebuild (issue item 5): positions and realized P&L are recomputed from the fills table alone and
 * compared with what is stored. The FIFO engine is a parameter — the core's FIFO logic is the single
 * implementation; the ledger only feeds it fills in order and compares or stores its results.
 */
import type { EpochMs, OrderLedger, PositionEngine, PositionLedger, PositionKey, PositionRow, PositionState } from '../../core/ports/ledger-store';
import { canonicalDecimal } from './values';

/** The fields a FIFO engine derives from fills (analytics are mark-based and not compared). */
const COMPARED: readonly (keyof PositionState)[] = [
  'accountId',
  'symbol',
  'side',
  'status',
  'quantityTotal',
  'quantityClosed',
  'quantityOpen',
  'avgEntryPrice',
  'avgExitPrice',
  'realizedPnl',
  'fees',
  'openedAt',
  'closedAt',
  'strategyRunId',
];
const DECIMAL_FIELDS = new Set<keyof PositionState>(['quantityTotal', 'quantityClosed', 'quantityOpen', 'avgEntryPrice', 'avgExitPrice', 'realizedPnl', 'fees']);

export interface PositionMismatch {
  key: PositionKey;
  /** A compared field, or `position` when one side has no such position at all. */
  field: keyof PositionState | 'position';
  stored: string | number | null;
  rebuilt: string | number | null;
}

export interface RebuildResult {
  /** What the engine derived from the fills. */
  positions: PositionState[];
  /** Every difference from the stored positions; empty when the ledger is consistent. */
  mismatches: PositionMismatch[];
  fillsRead: number;
  written: boolean;
}

export interface RebuildOptions {
  accountId?: string;
  /** Store the rebuilt positions (analytics are kept), stamped `at`. Without it the rebuild only compares. */
  write?: { at: EpochMs };
}

export function rebuildPositions(store: Pick<OrderLedger, 'fillsForRebuild'> & PositionLedger, engine: PositionEngine, opts: RebuildOptions = {}): RebuildResult {
  const filter = opts.accountId === undefined ? {} : { accountId: opts.accountId };
  const fills = store.fillsForRebuild(filter);
  const positions = engine(fills);
  const mismatches = comparePositions(store.listPositions(filter), positions);
  if (opts.write) store.upsertPositions(positions, opts.write.at);
  return { positions, mismatches, fillsRead: fills.length, written: opts.write !== undefined };
}

export function comparePositions(stored: readonly PositionRow[], rebuilt: readonly PositionState[]): PositionMismatch[] {
  const keyOf = (k: PositionKey) => `${k.positionId}\u0000${k.reEntryNum}`;
  const byKey = new Map(stored.map((p) => [keyOf(p), p]));
  const out: PositionMismatch[] = [];
  for (const r of rebuilt) {
    const key = { positionId: r.positionId, reEntryNum: r.reEntryNum };
    const s = byKey.get(keyOf(r));
    byKey.delete(keyOf(r));
    if (!s) {
      out.push({ key, field: 'position', stored: null, rebuilt: 'present' });
      continue;
    }
    for (const field of COMPARED) {
      const a = s[field] as string | number | null;
      const b = r[field] as string | number | null;
      const same = DECIMAL_FIELDS.has(field) && a !== null && b !== null ? canonicalDecimal(a as string) === canonicalDecimal(b as string) : a === b;
      if (!same) out.push({ key, field, stored: a, rebuilt: b });
    }
  }
  for (const s of byKey.values()) out.push({ key: { positionId: s.positionId, reEntryNum: s.reEntryNum }, field: 'position', stored: 'present', rebuilt: null });
  return out;
}
