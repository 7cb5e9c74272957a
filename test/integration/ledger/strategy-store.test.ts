// Issue 18: the strategy service's records in SQLite — definitions (settings rows, removal a
// tombstone), runs with the engine's state and the spec's session metadata (config id, entry method,
// attempts, selected contracts), open runs found again after a reopen, the audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, seedAccount, tempLedgerDir, T0 } from './helpers';
import type { StrategyDefinition } from '../../../src/core/strategy/definition';

let tmp: ReturnType<typeof tempLedgerDir>;
beforeEach(() => {
  tmp = tempLedgerDir('strategy-store-');
});
afterEach(() => tmp.cleanup());

const def: StrategyDefinition = {
  id: 's1',
  name: 'Short strangle',
  account: 'acct-1',
  underlying: 'SPY',
  legs: [{ right: 'call', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null }],
  schedule: { entry_time: '09:45', days: ['mon'] },
  entry: { max_retry: 3, retry_delay_ms: 2000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
  exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '15:45' },
  reentry: { count: 0, cutoff_time: null },
};

describe('SqliteStrategyStore', () => {
  it('definitions and runs survive a reopen; a removed definition stays removed; ended runs are not reopened', () => {
    const path = tmp.file();
    {
      const { store } = openStore(path);
      seedAccount(store);
      const s = store.strategy;
      s.saveDefinition(def, T0);
      s.saveDefinition({ ...def, id: 's2' }, T0);
      expect(s.removeDefinition('s2', T0)).toBe(true);
      expect(s.removeDefinition('s2', T0)).toBe(false);
      s.createRun({ runId: 'r1', account: 'acct-1', strategyId: 's1', strategyName: def.name, status: 'entering', startedAt: T0, endedAt: null, engineState: '{"x":1}', metadata: { config_id: 's1', entry_method: 'limit_then_market', entry_attempts: 2, selected_contracts: [{ leg: '0', symbol: 'SPY261218C00620000', expiry: '2026-12-18', strike: 620, delta: 0.2 }], config_json: JSON.stringify(def) } });
      s.createRun({ runId: 'r2', account: 'acct-1', strategyId: 's1', strategyName: def.name, status: 'waiting', startedAt: T0 + 1, endedAt: null, engineState: '{}', metadata: { config_id: 's1' } });
      s.updateRun('r2', { status: 'cooldown', endedAt: T0 + 5, engineState: '{}', metadata: { config_id: 's1' }, at: T0 + 5 });
      s.appendAudit({ runId: 'r1', at: T0, kind: 'entry_attempt', executionId: 'x1', message: 'attempt 1 limit 1.25' });
      expect(s.audit('r1', 0, 10)).toEqual([{ eventId: expect.any(Number), runId: 'r1', at: T0, kind: 'entry_attempt', executionId: 'x1', message: 'attempt 1 limit 1.25' }]);
      store.close();
    }
    const { store } = openStore(path);
    expect(store.strategy.definitions()).toEqual([def]);
    const open = store.strategy.openRuns();
    expect(open.map((r) => r.runId)).toEqual(['r1']);
    expect(open[0]).toMatchObject({ status: 'entering', engineState: '{"x":1}', strategyId: 's1', metadata: { entry_method: 'limit_then_market', entry_attempts: 2 } });
    expect(JSON.parse(open[0]!.metadata.config_json as string)).toEqual(def);
    store.close();
  });
});
