/** Issue 18: the strategy slice — definitions and runs by run id from a snapshot plus events; flashes once per transition. */
import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk, type DeskState } from '../../../../src/renderer/src/stores/desk-state';
import { flashOf } from '../../../../src/renderer/src/stores/slices/strategy';
import type { DeskEvent, DeskSnapshot, StrategyRuntimeWire } from '../../../../src/shared/contract';
import { makeSnapshot } from '../../../helpers/desk-fixtures';
import { cooldownRun, definition, enteringRun, errorRun, exitingRun, liveRun, run } from '../../../helpers/strategy-fixtures';

const snapshot = (seq: number, over: Partial<DeskSnapshot>): DeskEvent => ({ type: 'snapshot', seq, serverTime: 10, snapshot: { ...makeSnapshot({ serverTime: 10 }), ...over } });
const runtime = (seq: number, r: StrategyRuntimeWire, serverTime = 100 + seq): DeskEvent => ({ type: 'strategy_runtime', seq, serverTime, run: r });
const ids = (s: DeskState) => Object.keys(s.strategyRuns).sort();

describe('strategy slice', () => {
  it('an older desk without strategy parts: not reported, nothing shown', () => {
    const s = reduceDesk(initialDeskState, snapshot(1, {}), 10).state;
    expect(s.strategiesReported).toBe(false);
    expect(s.strategyDefinitions).toEqual([]);
    expect(s.strategyRuns).toEqual({});
  });

  it('takes definitions and runs (by run id) from the snapshot', () => {
    const s = reduceDesk(initialDeskState, snapshot(1, { strategies: [definition()], strategy_runs: [run(), run({ run_id: 'run-2' })] }), 10).state;
    expect(s.strategiesReported).toBe(true);
    expect(s.strategyDefinitions.map((d) => d.id)).toEqual(['spy-strangle']);
    expect(ids(s)).toEqual(['run-1', 'run-2']);
  });

  it('follows strategy_definitions and strategy_runtime events; a run pushed again is replaced, never duplicated', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { strategies: [], strategy_runs: [] }), 10).state;
    s = reduceDesk(s, { type: 'strategy_definitions', seq: 2, serverTime: 11, definitions: [definition(), definition({ id: 'b' })] }, 11).state;
    expect(s.strategyDefinitions.map((d) => d.id)).toEqual(['spy-strangle', 'b']);
    s = reduceDesk(s, runtime(3, run()), 12).state;
    s = reduceDesk(s, runtime(4, enteringRun()), 13).state;
    expect(ids(s)).toEqual(['run-1']);
    expect(s.strategyRuns['run-1']!.status).toBe('entering');
    s = reduceDesk(s, runtime(5, run({ run_id: 'run-2' })), 14).state;
    expect(ids(s)).toEqual(['run-1', 'run-2']);
  });

  it('a reload (snapshot) replaces the runs: nothing duplicated, a run gone is gone, flashes are not replayed', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { strategies: [], strategy_runs: [enteringRun()] }), 10).state;
    s = reduceDesk(s, runtime(2, liveRun()), 11).state;
    expect(s.strategyFlashes['run-1']?.kind).toBe('trailing_armed');
    s = reduceDesk(s, snapshot(9, { strategies: [definition()], strategy_runs: [liveRun(), run({ run_id: 'run-3' })] }), 20).state;
    expect(ids(s)).toEqual(['run-1', 'run-3']);
    expect(s.strategyFlashes).toEqual({});
    s = reduceDesk(s, snapshot(12, { strategies: [definition()], strategy_runs: [run({ run_id: 'run-3' })] }), 30).state;
    expect(ids(s)).toEqual(['run-3']);
  });

  it('flashes on the transition only, at the event time, once per occurrence', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { strategies: [], strategy_runs: [run()] }), 10).state;
    s = reduceDesk(s, runtime(2, enteringRun(), 500), 500).state;
    expect(s.strategyFlashes).toEqual({});
    const live = liveRun({}, { trailing: { activation_pct: 30, distance_pct: 10, armed: false, level_pct: null, best_pct: null, last_change_at: null } });
    s = reduceDesk(s, runtime(3, live, 600), 600).state;
    expect(s.strategyFlashes['run-1']).toEqual({ kind: 'entry_succeeded', at: 600 });
    // the same state pushed again: no new flash (the old one keeps its time)
    s = reduceDesk(s, runtime(4, live, 700), 700).state;
    expect(s.strategyFlashes['run-1']).toEqual({ kind: 'entry_succeeded', at: 600 });
    s = reduceDesk(s, runtime(5, liveRun(), 800), 800).state;
    expect(s.strategyFlashes['run-1']).toEqual({ kind: 'trailing_armed', at: 800 });
    s = reduceDesk(s, runtime(6, liveRun(), 900), 900).state;
    expect(s.strategyFlashes['run-1']!.at).toBe(800);
    s = reduceDesk(s, runtime(7, exitingRun(), 1000), 1000).state;
    expect(s.strategyFlashes['run-1']).toEqual({ kind: 'forced_exit', at: 1000 });
    s = reduceDesk(s, runtime(8, cooldownRun(), 1100), 1100).state;
    expect(s.strategyFlashes['run-1']!.at).toBe(1000);
  });

  it('flashOf: entry failed when entering ends without a position; nothing for a run first seen', () => {
    expect(flashOf(enteringRun(), errorRun())).toBe('entry_failed');
    expect(flashOf(enteringRun(), run({ status: 'cooldown' }))).toBe('entry_failed');
    expect(flashOf(enteringRun(), run({ status: 'halted' }))).toBeNull();
    expect(flashOf(undefined, liveRun())).toBeNull();
    expect(flashOf(run(), enteringRun())).toBeNull();
    // a leg filled before the entry failed: the run goes on to close it (exiting, reason entry_failed)
    const unwinding = liveRun({ status: 'exiting', status_reason: 'entry failed (leg 2 gave up): closing the filled legs' }, { exit_reason: 'entry_failed' });
    expect(flashOf(enteringRun(), unwinding)).toBe('entry_failed');
    expect(flashOf(unwinding, { ...unwinding, status: 'error' })).toBeNull(); // once
  });
});
