/**
 * Where the strategy service keeps what it records (spec §9, §10; issue 18): the definitions (the
 * ledger's `settings`, one row per definition), the runs (`strategy_runs`, the engine's state in its
 * `session_metadata` so a restart resumes it) and each run's audit log (`strategy_events`, batched).
 * The SQLite implementation is src/node/ledger/strategy-store.ts; this memory one serves a desk
 * without a ledger and the tests.
 */
import type { StrategyDefinition } from '../../../core/strategy/definition';
import type { RunStatus } from '../../../core/strategy/runtime-payload';
import type { StoredRun } from '../../../core/strategy/records';

export type { StoredRun } from '../../../core/strategy/records';

export interface StoredAudit {
  eventId: number;
  runId: string;
  at: number;
  kind: string;
  executionId: string | null;
  message: string | null;
}

export interface StrategyStore {
  definitions(): StrategyDefinition[];
  saveDefinition(definition: StrategyDefinition, at: number): void;
  /** False when there was none. */
  removeDefinition(id: string, at: number): boolean;
  createRun(run: StoredRun): void;
  updateRun(runId: string, update: { status: RunStatus; endedAt: number | null; engineState: string; metadata: Record<string, unknown>; at: number }): void;
  /** Runs not ended (a restart resumes them). */
  openRuns(): StoredRun[];
  appendAudit(e: Omit<StoredAudit, 'eventId'>): void;
  audit(runId: string, afterEventId: number, limit: number): StoredAudit[];
}

export class MemoryStrategyStore implements StrategyStore {
  private readonly defs = new Map<string, StrategyDefinition>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly events: StoredAudit[] = [];

  definitions(): StrategyDefinition[] {
    return [...this.defs.values()].map((d) => structuredClone(d));
  }

  saveDefinition(definition: StrategyDefinition): void {
    this.defs.set(definition.id, structuredClone(definition));
  }

  removeDefinition(id: string): boolean {
    return this.defs.delete(id);
  }

  createRun(run: StoredRun): void {
    if (this.runs.has(run.runId)) throw new Error(`strategy run ${run.runId} already exists`);
    this.runs.set(run.runId, structuredClone(run));
  }

  updateRun(runId: string, u: { status: RunStatus; endedAt: number | null; engineState: string; metadata: Record<string, unknown> }): void {
    const r = this.runs.get(runId);
    if (!r) throw new Error(`no strategy run ${runId}`);
    this.runs.set(runId, { ...r, status: u.status, endedAt: u.endedAt, engineState: u.engineState, metadata: structuredClone(u.metadata) });
  }

  openRuns(): StoredRun[] {
    return [...this.runs.values()].filter((r) => r.endedAt === null).map((r) => structuredClone(r));
  }

  appendAudit(e: Omit<StoredAudit, 'eventId'>): void {
    this.events.push({ ...e, eventId: this.events.length + 1 });
  }

  audit(runId: string, afterEventId: number, limit: number): StoredAudit[] {
    return this.events.filter((e) => e.runId === runId && e.eventId > afterEventId).slice(0, limit);
  }
}
