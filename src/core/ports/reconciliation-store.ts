/**
 * Where the user's resolutions of reconciliation lines are kept (issue 16 item 5), so a re-run that
 * finds the same unchanged line keeps it resolved — across restarts too. Append-only: every
 * resolution is a row; the one in force for a line is its latest. A resolution is pinned to the line's
 * fingerprint (orders/reconcile.ts `lineFingerprint`): a line that changed is unresolved again.
 *
 * The durable adapter is the ledger's `SqliteReconciliationLedger` (node/ledger/tables/reconciliation.ts,
 * schema v6, table `reconciliation_resolutions`); `MemoryReconciliationStore` is for tests and a desk
 * without a ledger.
 */
import type { StoredResolution } from '../orders/reconcile';

export interface ReconciliationStore {
  /** The resolution in force per line id (the latest recorded) for the account. */
  resolutions(account: string): Map<string, StoredResolution>;
  /** Records a resolution (durable when it returns). */
  record(account: string, resolution: StoredResolution): void;
}

export class MemoryReconciliationStore implements ReconciliationStore {
  private readonly rows: { account: string; r: StoredResolution }[] = [];

  resolutions(account: string): Map<string, StoredResolution> {
    const out = new Map<string, StoredResolution>();
    for (const row of this.rows) if (row.account === account) out.set(row.r.lineId, { ...row.r });
    return out;
  }

  record(account: string, resolution: StoredResolution): void {
    this.rows.push({ account, r: { ...resolution } });
  }

  /** Every row recorded (tests). */
  get size(): number {
    return this.rows.length;
  }
}
