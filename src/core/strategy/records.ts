/**
 * A strategy run as its store keeps it, defined once for the store port
 * (src/node/app/strategy/store.ts) and its SQLite implementation (src/node/ledger/strategy-store.ts).
 */
import type { RunStatus } from './runtime-payload';

export interface StoredRun {
  runId: string;
  account: string;
  strategyId: string;
  strategyName: string;
  status: RunStatus;
  startedAt: number;
  endedAt: number | null;
  /** The engine's state, as JSON text (restored after a restart). */
  engineState: string;
  /** The spec's session metadata: config id, scheduled entry, entry method, attempts, selected contracts (+ the config as JSON text). */
  metadata: Record<string, unknown>;
}
