/**
 * Monitoring cycle (issue 17): each account's cycle state, and its recent cycles (newest first,
 * bounded, one entry per cycle id). From the snapshot's `monitor` and `monitor_cycles` parts, then
 * `monitor_state` and `monitor_cycle` events. A snapshot replaces everything (a reload never
 * duplicates a cycle); the ledger keeps every cycle (`monitor.cycles` pages through older ones).
 */
import type { MonitorAccountWire, MonitorCycleWire } from '@shared/contract';
import type { Slice } from './slice';

export interface MonitorSlice {
  /** False while the desk has not reported monitoring (an older desk's snapshot has no `monitor` part). */
  monitorReported: boolean;
  /** Each account's monitoring state, by account id. */
  monitorAccounts: Record<string, MonitorAccountWire>;
  /** Recent cycles per account, newest first (by start, then id), unique by id, at most CYCLES_PER_ACCOUNT. */
  monitorCycles: Record<string, MonitorCycleWire[]>;
}

export const CYCLES_PER_ACCOUNT = 50;

const newerFirst = (a: MonitorCycleWire, b: MonitorCycleWire): number => b.started_at - a.started_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** `list` with `cycles` merged in: a cycle already there (same id) is replaced, never duplicated; newest first, bounded. */
export function mergeCycles(list: readonly MonitorCycleWire[], cycles: readonly MonitorCycleWire[], limit = CYCLES_PER_ACCOUNT): MonitorCycleWire[] {
  if (cycles.length === 0) return list as MonitorCycleWire[];
  const byId = new Map<string, MonitorCycleWire>();
  for (const c of list) byId.set(c.id, c);
  for (const c of cycles) byId.set(c.id, c);
  return [...byId.values()].sort(newerFirst).slice(0, limit);
}

function withCycles(all: Record<string, MonitorCycleWire[]>, cycles: readonly MonitorCycleWire[]): Record<string, MonitorCycleWire[]> {
  const byAccount = new Map<string, MonitorCycleWire[]>();
  for (const c of cycles) byAccount.set(c.account, [...(byAccount.get(c.account) ?? []), c]);
  if (byAccount.size === 0) return all;
  const next = { ...all };
  for (const [account, list] of byAccount) next[account] = mergeCycles(next[account] ?? [], list);
  return next;
}

/** An account's newer `last_cycle` (from a cycle event) without waiting for its state event. */
function withLastCycle(account: MonitorAccountWire | undefined, cycle: MonitorCycleWire): MonitorAccountWire | undefined {
  if (!account) return undefined;
  const last = account.last_cycle;
  if (last && last.id !== cycle.id && newerFirst(cycle, last) > 0) return account; // older than the one shown
  return { ...account, last_cycle: cycle };
}

export const monitorSlice: Slice<MonitorSlice> = {
  name: 'monitor',
  initial: { monitorReported: false, monitorAccounts: {}, monitorCycles: {} },
  fromSnapshot: (s) => {
    const accounts = s.monitor ?? [];
    const lastCycles = accounts.flatMap((a) => (a.last_cycle ? [a.last_cycle] : []));
    return {
      monitorReported: s.monitor !== undefined,
      monitorAccounts: Object.fromEntries(accounts.map((a) => [a.account, a])),
      monitorCycles: withCycles({}, [...(s.monitor_cycles ?? []), ...lastCycles]),
    };
  },
  reduce: (state, event) => {
    switch (event.type) {
      case 'monitor_state': {
        const a = event.account;
        return {
          monitorReported: true,
          monitorAccounts: { ...state.monitorAccounts, [a.account]: a },
          monitorCycles: a.last_cycle ? withCycles(state.monitorCycles, [a.last_cycle]) : state.monitorCycles,
        };
      }
      case 'monitor_cycle': {
        const c = event.cycle;
        const account = withLastCycle(state.monitorAccounts[c.account], c);
        return {
          monitorCycles: withCycles(state.monitorCycles, [c]),
          ...(account && account !== state.monitorAccounts[c.account] ? { monitorAccounts: { ...state.monitorAccounts, [c.account]: account } } : {}),
        };
      }
      default:
        return null;
    }
  },
};
