/**
 * The P&L curve into the SQLite ledger's `pnl_samples` table (spec §10): adapts the tracker's
 * PnlSampleSink port to the LedgerStore. One scope per currency (`portfolio:USD`), so a curve never
 * mixes currencies; a gap marker is stored as the unknown reason of that point.
 */
import type { PnlSampleLedger } from '../ports/ledger-store';
import type { PnlSampleSink } from '../ports/pnl-sample-sink';

export function ledgerPnlSampleSink(store: Pick<PnlSampleLedger, 'appendPnlSample'>, scopePrefix = 'portfolio'): PnlSampleSink {
  return {
    record(samples) {
      for (const s of samples) {
        store.appendPnlSample({
          scope: `${scopePrefix}:${s.currency}`,
          at: s.t,
          realized: s.realized,
          unrealized: s.unrealized,
          total: s.total,
          // The ledger requires a reason for an unknown figure; a gap (stopped/stale) is one.
          unknownReason: s.unrealized === null || s.total === null ? (s.gap ?? 'unknown') : s.gap,
        });
      }
    },
  };
}
