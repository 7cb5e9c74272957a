/** `strategy_runs`, `strategy_events` (batched) and `monitor_cycles` on SQLite: the AuditLedger port. */
import type {
  AuditLedger,
  JsonObject,
  MonitorCycleInput,
  MonitorCycleRow,
  SessionMetadata,
  StrategyEventInput,
  StrategyEventRow,
  StrategyRunRow,
  StrategyRunUpdate,
} from '../../../core/ports/ledger-store';
import type { BatchWriter } from '../batch-writer';
import { LedgerError } from '../errors';
import { notFound, RUN_STATUSES, type LedgerDb } from '../ledger-db';
import { rowMapper } from '../row-mapper';
import {
  epochMs,
  freeJsonText,
  int,
  isoOf,
  jsonObjectSchema,
  jsonText,
  oneOf,
  optEpochMs,
  optIsoOf,
  optText,
  readJson,
  readOptJson,
  record,
  sessionMetadataSchema,
  show,
  storedStepsSchema,
  stringArraySchema,
  text,
} from '../values';

/** The stored columns `updateStrategyRun` keeps when an update leaves them out. */
interface RunDb {
  status: StrategyRunRow['status'];
  ended_at: string | null;
  session_metadata: string;
}

const toRunFields = rowMapper<StrategyRunRow>('run_id account_id strategy_name status started_at:time ended_at:time? updated_at:time');
const toEventFields = rowMapper<StrategyEventRow>('event_id run_id at:time kind execution_id parent_execution_id message');
const toCycleFields = rowMapper<MonitorCycleRow>('cycle_id account_id started_at:time finished_at:time duration_ms outcome');
const toStepFields = rowMapper<MonitorCycleRow['steps'][number]>('step name status started_at:time duration_ms errors detail');

function toRun(r: Record<string, unknown>): StrategyRunRow {
  const run = toRunFields(r);
  run.sessionMetadata = readJson(`strategy_runs.session_metadata (run ${run.runId})`, r.session_metadata as string, sessionMetadataSchema) as SessionMetadata;
  return run;
}

function toCycle(r: Record<string, unknown>): MonitorCycleRow {
  const c = toCycleFields(r);
  c.steps = readJson(`monitor_cycles.steps (cycle ${c.cycleId})`, r.steps as string, storedStepsSchema).map((s) => toStepFields(s));
  c.errors = readJson(`monitor_cycles.errors (cycle ${c.cycleId})`, r.errors as string, stringArraySchema);
  return c;
}

function stepToStored(step: unknown, i: number): JsonObject {
  const s = record(`monitor_cycles.steps[${i}]`, step);
  return {
    step: s.step as number,
    name: s.name as string,
    status: s.status as string,
    started_at: isoOf(epochMs(`monitor_cycles.steps[${i}].started_at`, s.startedAt)),
    duration_ms: s.durationMs as number,
    errors: s.errors as string[],
    detail: (s.detail ?? null) as JsonObject | null,
  };
}

export class SqliteAuditLedger implements AuditLedger {
  private readonly st;
  private readonly events: number;

  constructor(
    private readonly l: LedgerDb,
    private readonly batch: BatchWriter,
  ) {
    const s = (sql: string) => l.statement(sql);
    this.st = {
      insertRun: s(
        `INSERT INTO strategy_runs (run_id, account_id, strategy_name, status, started_at, started_at_ms, session_metadata, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateRun: s('UPDATE strategy_runs SET status = ?, ended_at = ?, session_metadata = ?, updated_at = ? WHERE run_id = ?'),
      getRun: s('SELECT * FROM strategy_runs WHERE run_id = ?'),
      eventsForRun: s('SELECT * FROM strategy_events WHERE run_id = ? AND event_id > ? ORDER BY event_id LIMIT ?'),
      insertCycle: s(
        `INSERT INTO monitor_cycles (account_id, started_at, started_at_ms, finished_at, duration_ms, outcome, error_count, steps, errors)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getCycle: s('SELECT * FROM monitor_cycles WHERE cycle_id = ?'),
      lastCycles: s('SELECT * FROM monitor_cycles WHERE (@account IS NULL OR account_id = @account) ORDER BY started_at_ms DESC, cycle_id DESC LIMIT @limit'),
    };
    this.events = batch.register(
      'strategy_events',
      `INSERT INTO strategy_events (run_id, at, at_ms, kind, execution_id, parent_execution_id, message, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  // ------------------------------------------------------------------------------ strategy runs

  createStrategyRun(run: Omit<StrategyRunRow, 'updatedAt' | 'endedAt'>): StrategyRunRow {
    const r = record('strategy_runs', run);
    const runId = text('strategy_runs.run_id', r.runId);
    const accountId = text('strategy_runs.account_id', r.accountId);
    const name = text('strategy_runs.strategy_name', r.strategyName);
    const status = oneOf('strategy_runs.status', r.status, RUN_STATUSES);
    const startedMs = epochMs('strategy_runs.started_at', r.startedAt);
    const meta = jsonText('strategy_runs.session_metadata', r.sessionMetadata, sessionMetadataSchema);
    return this.l.transaction(() => {
      if (this.st.getRun().get(runId)) throw new LedgerError('duplicate', `strategy_runs.run_id ${show(runId)} already exists; nothing was written`);
      this.l.requireAccount('strategy_runs.account_id', accountId);
      const iso = isoOf(startedMs);
      this.st.insertRun().run(runId, accountId, name, status, iso, startedMs, meta, iso);
      return this.getStrategyRun(runId)!;
    });
  }

  updateStrategyRun(runId: string, update: StrategyRunUpdate): StrategyRunRow {
    const u = record('strategy_runs', update);
    const at = isoOf(epochMs('strategy_runs.updated_at', u.at));
    const status = u.status === undefined ? undefined : oneOf('strategy_runs.status', u.status, RUN_STATUSES);
    const endedAt = u.endedAt === undefined ? undefined : optIsoOf(optEpochMs('strategy_runs.ended_at', u.endedAt));
    const meta = u.sessionMetadata === undefined ? undefined : jsonText('strategy_runs.session_metadata', u.sessionMetadata, sessionMetadataSchema);
    return this.l.transaction(() => {
      const cur = this.st.getRun().get(runId) as RunDb | undefined;
      if (!cur) throw notFound('strategy run', runId);
      this.st.updateRun().run(status ?? cur.status, endedAt === undefined ? cur.ended_at : endedAt, meta ?? cur.session_metadata, at, runId);
      return this.getStrategyRun(runId)!;
    });
  }

  getStrategyRun(runId: string): StrategyRunRow | null {
    const r = this.st.getRun().get(runId) as Record<string, unknown> | undefined;
    return r ? toRun(r) : null;
  }

  // --------------------------------------------------------------------------- strategy events

  appendStrategyEvent(event: StrategyEventInput): void {
    const e = record('strategy_events', event);
    const atMs = epochMs('strategy_events.at', e.at);
    this.batch.append(this.events, [
      text('strategy_events.run_id', e.runId),
      isoOf(atMs),
      atMs,
      text('strategy_events.kind', e.kind),
      optText('strategy_events.execution_id', e.executionId, 200),
      optText('strategy_events.parent_execution_id', e.parentExecutionId, 200),
      optText('strategy_events.message', e.message, 4000),
      e.payload === null ? null : freeJsonText('strategy_events.payload', e.payload, true),
    ]);
  }

  strategyEventsForRun(runId: string, opts: { afterEventId?: number; limit?: number } = {}): StrategyEventRow[] {
    const rows = this.st.eventsForRun().all(runId, opts.afterEventId ?? 0, opts.limit ?? -1) as Record<string, unknown>[];
    return rows.map((r) => {
      const e = toEventFields(r);
      e.payload = readOptJson(`strategy_events.payload (event ${e.eventId})`, r.payload as string | null, jsonObjectSchema);
      return e;
    });
  }

  // --------------------------------------------------------------------------- monitor cycles

  recordMonitorCycle(cycle: MonitorCycleInput): MonitorCycleRow {
    const c = record('monitor_cycles', cycle);
    const accountId = text('monitor_cycles.account_id', c.accountId);
    const startedMs = epochMs('monitor_cycles.started_at', c.startedAt);
    const finishedMs = epochMs('monitor_cycles.finished_at', c.finishedAt);
    if (finishedMs < startedMs) {
      throw new LedgerError('invalid_value', `monitor_cycles.finished_at: ${isoOf(finishedMs)} is before started_at ${isoOf(startedMs)}; nothing was written`);
    }
    const outcome = oneOf('monitor_cycles.outcome', c.outcome, ['ok', 'errors', 'stopped'] as const);
    if (!Array.isArray(c.steps)) throw new LedgerError('invalid_value', `monitor_cycles.steps: expected an array of step results, got ${show(c.steps)}; nothing was written`);
    const steps = jsonText('monitor_cycles.steps', c.steps.map(stepToStored), storedStepsSchema);
    const errors = jsonText('monitor_cycles.errors', c.errors, stringArraySchema);
    return this.l.transaction(() => {
      this.l.requireAccount('monitor_cycles.account_id', accountId);
      const errorCount = (c.errors as string[]).length;
      const r = this.st.insertCycle().run(accountId, isoOf(startedMs), startedMs, isoOf(finishedMs), finishedMs - startedMs, outcome, errorCount, steps, errors);
      return toCycle(this.st.getCycle().get(r.lastInsertRowid) as Record<string, unknown>);
    });
  }

  lastMonitorCycles(n: number, opts: { accountId?: string } = {}): MonitorCycleRow[] {
    const limit = int('lastMonitorCycles n', n);
    return (this.st.lastCycles().all({ account: opts.accountId ?? null, limit }) as Record<string, unknown>[]).map(toCycle);
  }
}

