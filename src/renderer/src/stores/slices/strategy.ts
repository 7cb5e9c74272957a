/**
 * Strategies (issue 18): the strategy definitions and the strategy runs (spec §9's runtime payload,
 * one per run id), from the snapshot's `strategies` / `strategy_runs` parts, then
 * `strategy_definitions` and `strategy_runtime` events. A snapshot replaces everything (a reload never
 * duplicates a run). A run's change into a state a trader must see at once (entry succeeded or failed,
 * trailing armed, forced exit) is recorded as a flash, once per occurrence, at the event's server time:
 * the Live Control card highlights for a moment (a reload shows the state, it does not flash again).
 */
import type { StrategyDefinition, StrategyRuntimeWire } from '@shared/contract';
import type { Slice } from './slice';

export type RunFlashKind = 'entry_succeeded' | 'entry_failed' | 'trailing_armed' | 'forced_exit';

export interface RunFlash {
  kind: RunFlashKind;
  /** Server time (epoch ms) of the event that made it. */
  at: number;
}

export interface StrategySlice {
  /** False while the desk has not reported strategies (an older desk's snapshot has neither part). */
  strategiesReported: boolean;
  strategyDefinitions: StrategyDefinition[];
  /** Runs by run id (the payload as last pushed). */
  strategyRuns: Record<string, StrategyRuntimeWire>;
  /** The last flash of each run (by run id). */
  strategyFlashes: Record<string, RunFlash>;
}

const isForced = (reason: string | null | undefined): boolean => reason !== null && reason !== undefined && /^forced\b/i.test(reason);

/**
 * What a change of a run's payload from `prev` to `next` should flash (null: nothing). Only a
 * transition flashes: the same state pushed again, or a run first seen already in that state, does not.
 */
export function flashOf(prev: StrategyRuntimeWire | undefined, next: StrategyRuntimeWire): RunFlashKind | null {
  if (!prev) return null;
  if (!isForced(prev.strategy.exit_reason) && isForced(next.strategy.exit_reason)) return 'forced_exit';
  // An entry that failed after a leg filled goes on to close that leg (exiting, reason entry_failed).
  if (prev.strategy.exit_reason !== 'entry_failed' && next.strategy.exit_reason === 'entry_failed') return 'entry_failed';
  if (prev.strategy.trailing?.armed !== true && next.strategy.trailing?.armed === true) return 'trailing_armed';
  if (prev.status === 'entering' && next.status === 'live') return 'entry_succeeded';
  if (prev.status === 'entering' && (next.status === 'error' || next.status === 'cooldown') && next.positions.length === 0) return 'entry_failed';
  return null;
}

export const strategySlice: Slice<StrategySlice> = {
  name: 'strategy',
  initial: { strategiesReported: false, strategyDefinitions: [], strategyRuns: {}, strategyFlashes: {} },
  fromSnapshot: (s) => ({
    strategiesReported: s.strategies !== undefined || s.strategy_runs !== undefined,
    strategyDefinitions: s.strategies ?? [],
    strategyRuns: Object.fromEntries((s.strategy_runs ?? []).map((r) => [r.run_id, r])),
    strategyFlashes: {},
  }),
  reduce: (state, event, now) => {
    switch (event.type) {
      case 'strategy_definitions':
        return { strategiesReported: true, strategyDefinitions: event.definitions };
      case 'strategy_runtime': {
        const run = event.run;
        const prev = state.strategyRuns[run.run_id];
        const flash = flashOf(prev, run);
        return {
          strategiesReported: true,
          strategyRuns: { ...state.strategyRuns, [run.run_id]: run },
          ...(flash ? { strategyFlashes: { ...state.strategyFlashes, [run.run_id]: { kind: flash, at: now } } } : {}),
        };
      }
      default:
        return null;
    }
  },
};
