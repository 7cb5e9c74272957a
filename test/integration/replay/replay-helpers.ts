/** Shared pieces of the replay tests (issue 21): a short synthetic day and a strangle that trades in it. */
import { dayOfQuotes, type ReplayDay } from '../../../src/core/replay/day';
import type { StrategyDefinition } from '../../../src/core/strategy/definition';
import { generateSampleQuotes, SAMPLE_START_MS } from '../../../src/node/app/replay/sample';
import { createDesk } from '../../../src/node/desk';
import { ReplaySession, type ReplaySessionOptions } from '../../../src/node/app/replay/session';

/** `steps` steps of the sample chain, `stepMs` apart, from 09:30 UTC. */
export function shortDay(steps: number, stepMs = 60_000): ReplayDay {
  return dayOfQuotes({ id: 'sample:test', label: 'test day — synthetic', kind: 'sample', synthetic: true, venue: 'sim' }, generateSampleQuotes({ steps, stepMs }));
}

/** A short strangle entering at `entry` (UTC, the simulated venue's zone) with a forced exit at `exit`. */
export function strangle(entry: string, exit: string, over: Partial<StrategyDefinition> = {}): StrategyDefinition {
  return {
    id: 'replay-strangle',
    name: 'Replay strangle',
    account: 'default',
    underlying: 'SPY',
    legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell' as const, lots: 1, select: { by: 'delta' as const, min: 0.1, max: 0.4 }, expiry: { kind: 'nearest' as const, min_days: 0 }, stop_loss: null, take_profit: null })),
    schedule: { entry_time: entry, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    entry: { max_retry: 3, retry_delay_ms: 2_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
    exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: exit },
    reentry: { count: 0, cutoff_time: null },
    ...over,
  };
}

export function session(o: Omit<ReplaySessionOptions, 'createDesk'>): ReplaySession {
  return new ReplaySession({ createDesk, ...o });
}

export { SAMPLE_START_MS };
