/**
 * The strategy service's records in the ledger (issue 18; spec §9, §10): definitions as `settings`
 * rows (key `strategy.definition:<id>`; a removed one is a tombstone — settings rows are kept), runs in
 * `strategy_runs` (the engine's state and the config as JSON text inside `session_metadata`, beside
 * the spec's fields: config id, scheduled entry, entry method, attempts, selected contracts), the audit
 * log in `strategy_events` (batched). Structurally the StrategyStore of src/node/app/strategy/store.ts.
 */
import { parseStrategyDefinition, type StrategyDefinition } from '../../core/strategy/definition';
import type { RunStatus } from '../../core/strategy/runtime-payload';
import type { StoredRun } from '../../core/strategy/records';
import type { SessionMetadata } from '../../core/ports/ledger-store';
import type { LedgerDb } from './ledger-db';
import type { SqliteAuditLedger } from './tables/audit';
import type { SqliteSettingsLedger } from './tables/settings';
import { msOf, readJson } from './values';

const PREFIX = 'strategy.definition:';

/** The store's run (core/strategy/records.ts), under the name the ledger uses. */
export type LedgerStoredRun = StoredRun;

export class SqliteStrategyStore {
  private readonly openRunsSt: () => { all(): unknown[] };

  constructor(
    l: LedgerDb,
    private readonly settings: Pick<SqliteSettingsLedger, 'getSetting' | 'setSetting' | 'listSettings'>,
    private readonly auditLedger: Pick<SqliteAuditLedger, 'createStrategyRun' | 'updateStrategyRun' | 'appendStrategyEvent' | 'strategyEventsForRun'>,
    private readonly flush: () => void,
  ) {
    this.openRunsSt = l.statement('SELECT * FROM strategy_runs WHERE ended_at IS NULL ORDER BY started_at_ms');
  }

  definitions(): StrategyDefinition[] {
    const out: StrategyDefinition[] = [];
    for (const s of this.settings.listSettings()) {
      if (!s.key.startsWith(PREFIX) || s.value === null || typeof s.value !== 'object' || Array.isArray(s.value) || 'deleted' in s.value) continue;
      // A stored definition that no longer reads (a newer schema, a hand edit) is left out, never guessed.
      let raw: unknown;
      try {
        raw = JSON.parse(String(s.value.definition_json));
      } catch {
        continue;
      }
      const p = parseStrategyDefinition(raw);
      if (p.ok) out.push(p.definition);
    }
    return out;
  }

  saveDefinition(definition: StrategyDefinition, at: number): void {
    // as text: the ledger reads JSON keys ending in `_time` as ISO times, and a definition's are HH:mm
    this.settings.setSetting(PREFIX + definition.id, { definition_json: JSON.stringify(definition) }, at);
  }

  removeDefinition(id: string, at: number): boolean {
    const cur = this.settings.getSetting(PREFIX + id);
    if (cur === null || (typeof cur === 'object' && cur !== null && !Array.isArray(cur) && 'deleted' in cur)) return false;
    this.settings.setSetting(PREFIX + id, { deleted: true, removed_at: new Date(at).toISOString() }, at);
    return true;
  }

  createRun(run: LedgerStoredRun): void {
    this.auditLedger.createStrategyRun({
      runId: run.runId,
      accountId: run.account,
      strategyName: run.strategyName,
      status: run.status,
      startedAt: run.startedAt,
      sessionMetadata: this.meta(run.metadata, run.engineState, run.strategyId),
    });
  }

  updateRun(runId: string, u: { status: RunStatus; endedAt: number | null; engineState: string; metadata: Record<string, unknown>; at: number }): void {
    const strategyId = typeof u.metadata.config_id === 'string' ? u.metadata.config_id : '';
    this.auditLedger.updateStrategyRun(runId, { at: u.at, status: u.status, endedAt: u.endedAt, sessionMetadata: this.meta(u.metadata, u.engineState, strategyId) });
  }

  openRuns(): LedgerStoredRun[] {
    return (this.openRunsSt().all() as Record<string, unknown>[]).map((r) => {
      const m = readJson(`strategy_runs.session_metadata (run ${String(r.run_id)})`, r.session_metadata as string) as Record<string, unknown>;
      const { engine_state_json: engine, ...metadata } = m;
      return {
        runId: r.run_id as string,
        account: r.account_id as string,
        strategyId: typeof m.config_id === 'string' ? m.config_id : '',
        strategyName: r.strategy_name as string,
        status: r.status as RunStatus,
        startedAt: r.started_at_ms as number,
        endedAt: r.ended_at === null ? null : msOf(r.ended_at as string),
        engineState: typeof engine === 'string' ? engine : 'null',
        metadata,
      };
    });
  }

  appendAudit(e: { runId: string; at: number; kind: string; executionId: string | null; message: string | null }): void {
    this.auditLedger.appendStrategyEvent({ runId: e.runId, at: e.at, kind: e.kind, executionId: e.executionId, parentExecutionId: null, message: e.message, payload: null });
  }

  audit(runId: string, afterEventId: number, limit: number): { eventId: number; runId: string; at: number; kind: string; executionId: string | null; message: string | null }[] {
    this.flush();
    return this.auditLedger.strategyEventsForRun(runId, { afterEventId, limit }).map((e) => ({ eventId: e.eventId, runId: e.runId, at: e.at, kind: e.kind, executionId: e.executionId, message: e.message }));
  }

  private meta(metadata: Record<string, unknown>, engineState: string, strategyId: string): SessionMetadata {
    return { ...(metadata as SessionMetadata), config_id: strategyId || (metadata.config_id as string | undefined) || '', engine_state_json: engineState };
  }
}
