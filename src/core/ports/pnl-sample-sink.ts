/**
 * Where the day's P&L samples go. The active P&L tracker records one sample per currency every
 * refresh; the in-memory ring (core/events/pnl-sample-ring.ts) keeps the day's curve for the chart,
 * and the SQLite ledger implements this port to store them (spec §10, `pnl_samples`).
 */
import type { PnlSampleWire } from '../events/types';

export type PnlSample = PnlSampleWire;

export interface PnlSampleSink {
  /** Called synchronously from the tracker's refresh: implementations batch their own I/O. */
  record(samples: readonly PnlSample[]): void;
}

export const nullPnlSampleSink: PnlSampleSink = { record() {} };
