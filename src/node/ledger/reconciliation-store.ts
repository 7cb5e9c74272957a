/**
 * The user's resolutions of reconciliation lines, kept in the ledger (core/ports/reconciliation-store.ts):
 * one `settings` row per account, key `reconciliation.resolutions:<account>`, whose JSON value maps
 * each resolved line id to {fingerprint, action, resolved_at (ISO-8601), note}. Every write is one durable transaction
 * (SqliteSettingsLedger.setSetting), so a resolution survives a restart.
 *
 * Why the settings table and not a table of its own: the ledger's migrations must be numbered 1..n on
 * every branch, and the order path's other part (account fills) takes v5; a table here would collide
 * with it. The value is small (one entry per line the user resolved) and only the resolution in force
 * per line matters to the gate. The history of runs and resolutions is in the node_events.
 *
 * A stored value that does not read as resolutions is ignored entry by entry (the line then blocks
 * again: the safe direction), never guessed.
 */
import { z } from 'zod';
import type { StoredResolution } from '../../core/orders/reconcile';
import type { ReconciliationStore } from '../../core/ports/reconciliation-store';
import type { JsonValue, SettingsLedger } from '../../core/ports/ledger-store';

const KEY_PREFIX = 'reconciliation.resolutions:';

const entrySchema = z.object({
  fingerprint: z.string().min(1),
  action: z.enum(['adopt_broker', 'keep_local', 'close']),
  /** ISO-8601 (the ledger keeps times in JSON as ISO text). */
  resolved_at: z.iso.datetime({ offset: true }),
  note: z.string().nullable(),
});

export class LedgerReconciliationStore implements ReconciliationStore {
  constructor(private readonly settings: Pick<SettingsLedger, 'getSetting' | 'setSetting'>) {}

  resolutions(account: string): Map<string, StoredResolution> {
    const out = new Map<string, StoredResolution>();
    const value = this.settings.getSetting(KEY_PREFIX + account);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
    for (const [lineId, raw] of Object.entries(value)) {
      const e = entrySchema.safeParse(raw);
      if (e.success) out.set(lineId, { lineId, fingerprint: e.data.fingerprint, action: e.data.action, at: Date.parse(e.data.resolved_at), note: e.data.note });
    }
    return out;
  }

  record(account: string, r: StoredResolution): void {
    const all: { [lineId: string]: JsonValue } = {};
    const entry = (e: StoredResolution): JsonValue => ({ fingerprint: e.fingerprint, action: e.action, resolved_at: new Date(e.at).toISOString(), note: e.note });
    for (const [lineId, e] of this.resolutions(account)) all[lineId] = entry(e);
    all[r.lineId] = entry(r);
    this.settings.setSetting(KEY_PREFIX + account, all, r.at);
  }
}
