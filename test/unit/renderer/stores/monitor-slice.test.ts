/** Issue 17: the monitor slice — accounts by id and recent cycles per account from a snapshot plus events. */
import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk, type DeskState } from '../../../../src/renderer/src/stores/desk-state';
import { CYCLES_PER_ACCOUNT, mergeCycles } from '../../../../src/renderer/src/stores/slices/monitor';
import type { DeskEvent, DeskSnapshot } from '../../../../src/shared/contract';
import { makeSnapshot } from '../../../helpers/desk-fixtures';
import { account, cycle } from '../../../helpers/monitor-fixtures';

const snapshot = (seq: number, over: Partial<DeskSnapshot>): DeskEvent => ({ type: 'snapshot', seq, serverTime: 10, snapshot: { ...makeSnapshot({ serverTime: 10 }), ...over } });
const ids = (s: DeskState, acc = 'default') => (s.monitorCycles[acc] ?? []).map((c) => c.id);

describe('monitor slice', () => {
  it('an older desk without monitoring parts: not reported, nothing shown (never an empty "all well")', () => {
    const s = reduceDesk(initialDeskState, snapshot(1, {}), 10).state;
    expect(s.monitorReported).toBe(false);
    expect(s.monitorAccounts).toEqual({});
    expect(s.monitorCycles).toEqual({});
  });

  it('takes accounts by id and cycles per account (newest first) from the snapshot', () => {
    const c1 = cycle({ started_at: 1000 });
    const c2 = cycle({ started_at: 2000 });
    const other = cycle({ started_at: 1500, account: 'b' });
    const s = reduceDesk(initialDeskState, snapshot(1, { monitor: [account(), account({ account: 'b', exchange: 'NYSE' })], monitor_cycles: [c1, other, c2] }), 10).state;
    expect(s.monitorReported).toBe(true);
    expect(Object.keys(s.monitorAccounts).sort()).toEqual(['b', 'default']);
    expect(s.monitorAccounts.b!.exchange).toBe('NYSE');
    expect(ids(s)).toEqual(['c-2000', 'c-1000']);
    expect(ids(s, 'b')).toEqual(['c-1500']);
  });

  it('follows monitor_state and monitor_cycle events; a cycle seen twice is kept once', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { monitor: [account()], monitor_cycles: [cycle({ started_at: 1000 })] }), 10).state;
    s = reduceDesk(s, { type: 'monitor_state', seq: 2, serverTime: 11, account: account({ state: 'running', next_run_at: null }) }, 11).state;
    expect(s.monitorAccounts.default!.state).toBe('running');
    const c = cycle({ started_at: 2000 });
    s = reduceDesk(s, { type: 'monitor_cycle', seq: 3, serverTime: 12, cycle: c }, 12).state;
    expect(ids(s)).toEqual(['c-2000', 'c-1000']);
    // the cycle event also makes it the account's last cycle, before the state event says so
    expect(s.monitorAccounts.default!.last_cycle?.id).toBe('c-2000');
    // the state event carrying the same cycle as last_cycle does not add it again
    s = reduceDesk(s, { type: 'monitor_state', seq: 4, serverTime: 13, account: account({ last_cycle: c }) }, 13).state;
    expect(ids(s)).toEqual(['c-2000', 'c-1000']);
    // an older cycle arriving late sorts under the newer one and does not become the last cycle
    s = reduceDesk(s, { type: 'monitor_cycle', seq: 5, serverTime: 14, cycle: cycle({ started_at: 1500 }) }, 14).state;
    expect(ids(s)).toEqual(['c-2000', 'c-1500', 'c-1000']);
    expect(s.monitorAccounts.default!.last_cycle?.id).toBe('c-2000');
  });

  it('a cycle of an account not (yet) in the state is kept under its account', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { monitor: [] }), 10).state;
    s = reduceDesk(s, { type: 'monitor_cycle', seq: 2, serverTime: 11, cycle: cycle({ account: 'x', started_at: 5 }) }, 11).state;
    expect(ids(s, 'x')).toEqual(['c-5']);
    expect(s.monitorAccounts).toEqual({});
  });

  it('a reload (snapshot) replaces the cycles: nothing duplicated, nothing stale kept', () => {
    let s = reduceDesk(initialDeskState, snapshot(1, { monitor: [account()], monitor_cycles: [cycle({ started_at: 1000 })] }), 10).state;
    s = reduceDesk(s, { type: 'monitor_cycle', seq: 2, serverTime: 11, cycle: cycle({ started_at: 2000 }) }, 11).state;
    s = reduceDesk(s, snapshot(9, { monitor: [account({ last_cycle: cycle({ started_at: 2000 }) })], monitor_cycles: [cycle({ started_at: 2000 }), cycle({ started_at: 1000 })] }), 20).state;
    expect(ids(s)).toEqual(['c-2000', 'c-1000']);
    s = reduceDesk(s, snapshot(10, { monitor: [account({ account: 'b' })], monitor_cycles: [] }), 30).state;
    expect(Object.keys(s.monitorAccounts)).toEqual(['b']);
    expect(s.monitorCycles).toEqual({});
  });

  it('is bounded per account (newest kept)', () => {
    const many = Array.from({ length: CYCLES_PER_ACCOUNT + 7 }, (_, i) => cycle({ started_at: 1000 + i }));
    const s = reduceDesk(initialDeskState, snapshot(1, { monitor: [account()], monitor_cycles: many }), 10).state;
    expect(s.monitorCycles.default).toHaveLength(CYCLES_PER_ACCOUNT);
    expect(s.monitorCycles.default![0]!.started_at).toBe(1000 + CYCLES_PER_ACCOUNT + 6);
    const again = mergeCycles(s.monitorCycles.default!, [cycle({ started_at: 999 })]);
    expect(again).toHaveLength(CYCLES_PER_ACCOUNT);
    expect(again.some((c) => c.started_at === 999)).toBe(false);
  });

  it('other events leave the monitor slice alone (same objects)', () => {
    const s = reduceDesk(initialDeskState, snapshot(1, { monitor: [account()], monitor_cycles: [cycle()] }), 10).state;
    const after = reduceDesk(s, { type: 'trading_event', seq: 2, serverTime: 11, accounts: [], exits: [] }, 11).state;
    expect(after.monitorAccounts).toBe(s.monitorAccounts);
    expect(after.monitorCycles).toBe(s.monitorCycles);
  });
});
