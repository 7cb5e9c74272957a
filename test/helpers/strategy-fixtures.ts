/** Fake strategy definitions and runtime payloads (issue 18, spec §9) for the renderer's slice and component tests. */
import type { EntryLegWire, PositionRuntimeWire, StrategyDefinition, StrategyRuntimeWire } from '../../src/shared/contract';

/** The server time the fixtures are made at (2026-12-07 14:30:00 UTC). */
export const T0 = Date.parse('2026-12-07T14:30:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A short strangle on SPY: sell a call and a put at |delta| 0.15–0.25, nearest expiry. */
export function definition(over: Partial<StrategyDefinition> = {}): StrategyDefinition {
  return {
    id: 'spy-strangle',
    name: 'SPY short strangle',
    account: 'default',
    underlying: 'SPY',
    legs: [
      { right: 'call', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: { kind: 'pct', value: '100' }, take_profit: null },
      { right: 'put', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: { kind: 'pct', value: '100' }, take_profit: null },
    ],
    schedule: { entry_time: '09:45', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    entry: { max_retry: 3, retry_delay_ms: 2_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
    exits: { stop_loss: { kind: 'pct', value: '50' }, take_profit: { kind: 'pct', value: '80' }, trailing: { activation_pct: '30', distance_pct: '10' }, forced_exit_time: '15:45' },
    reentry: { count: 1, cutoff_time: '13:00' },
    ...over,
  };
}

export function entryLeg(leg: number, over: Partial<EntryLegWire> = {}): EntryLegWire {
  const call = leg === 0;
  return {
    leg,
    right: call ? 'call' : 'put',
    side: 'sell',
    symbol: null,
    expiry: null,
    strike: null,
    delta: null,
    delta_source: null,
    delta_age_ms: null,
    quantity: 1,
    filled_quantity: 0,
    method: null,
    attempts: 0,
    last_price: null,
    bound_price: null,
    status: 'pending',
    client_order_id: null,
    reason: null,
    ...over,
  };
}

/** The selected contracts of the two legs. */
export const SELECTED: Partial<EntryLegWire>[] = [
  { symbol: 'SPY261207C00610000', expiry: '2026-12-07', strike: 610, delta: 0.21, delta_source: 'venue', delta_age_ms: 400 },
  { symbol: 'SPY261207P00590000', expiry: '2026-12-07', strike: 590, delta: -0.19, delta_source: 'desk', delta_age_ms: 1_200 },
];

export function position(leg: number, over: Partial<PositionRuntimeWire> = {}): PositionRuntimeWire {
  return {
    leg,
    symbol: SELECTED[leg]!.symbol!,
    side: 'sell',
    quantity: 1,
    entry_time: iso(T0 - 600_000),
    entry_price: leg === 0 ? 1.2 : 1.1,
    current_price: leg === 0 ? 0.8 : 0.75,
    quote_age_ms: 300,
    quote_fresh: true,
    pnl_abs: leg === 0 ? 40 : 35,
    pnl_pct: leg === 0 ? 33.33 : 31.82,
    stop_loss_price: leg === 0 ? 2.4 : 2.2,
    take_profit_price: null,
    exit_reason: null,
    ...over,
  };
}

/** A run `waiting` for its entry 20 s after T0. */
export function run(over: Partial<StrategyRuntimeWire> = {}, strategy: Partial<StrategyRuntimeWire['strategy']> = {}): StrategyRuntimeWire {
  return {
    run_id: 'run-1',
    strategy_id: 'spy-strangle',
    account: 'default',
    status: 'waiting',
    status_reason: 'waiting for 09:45 ET',
    scheduled_entry_at: iso(T0 + 20_000),
    time_to_entry: 20,
    entry: { method: null, attempts: 0, timestamp: null, legs: [entryLeg(0), entryLeg(1)] },
    positions: [],
    strategy: {
      total_pnl: null,
      total_pnl_pct: null,
      exit_time: iso(T0 + 6 * 3600_000),
      time_to_exit: 6 * 3600,
      trailing: { activation_pct: 30, distance_pct: 10, armed: false, level_pct: null, best_pct: null, last_change_at: null },
      exit_reason: null,
      reentries_left: 1,
      paused: false,
      config: definition(),
      ...strategy,
    },
    updated_at: iso(T0),
    ...over,
  };
}

/** Entering: three limit attempts refused or unfilled, now at market (the fallback). */
export function enteringRun(): StrategyRuntimeWire {
  return run({
    status: 'entering',
    status_reason: 'limit attempts exhausted: market fallback',
    scheduled_entry_at: iso(T0 - 8_000),
    time_to_entry: null,
    entry: {
      method: 'market',
      attempts: 4,
      timestamp: iso(T0 - 8_000),
      legs: [
        entryLeg(0, { ...SELECTED[0], method: 'market', attempts: 4, last_price: 1.15, bound_price: 1.1, status: 'working', client_order_id: 'run-1-e0-4' }),
        entryLeg(1, { ...SELECTED[1], method: 'limit', attempts: 2, last_price: 1.1, bound_price: 1.05, status: 'filled', filled_quantity: 1, client_order_id: 'run-1-e1-2' }),
      ],
    },
  });
}

export function liveRun(over: Partial<StrategyRuntimeWire> = {}, strategy: Partial<StrategyRuntimeWire['strategy']> = {}): StrategyRuntimeWire {
  return run(
    {
      status: 'live',
      status_reason: 'trailing armed at 30%',
      scheduled_entry_at: iso(T0 - 600_000),
      time_to_entry: null,
      entry: {
        method: 'limit',
        attempts: 3,
        timestamp: iso(T0 - 600_000),
        legs: [
          entryLeg(0, { ...SELECTED[0], method: 'limit', attempts: 3, last_price: 1.2, bound_price: 1.1, status: 'filled', filled_quantity: 1, client_order_id: 'run-1-e0-3' }),
          entryLeg(1, { ...SELECTED[1], method: 'limit', attempts: 1, last_price: 1.1, bound_price: 1.05, status: 'filled', filled_quantity: 1, client_order_id: 'run-1-e1-1' }),
        ],
      },
      positions: [position(0), position(1)],
      ...over,
    },
    {
      total_pnl: 75,
      total_pnl_pct: 32.61,
      trailing: { activation_pct: 30, distance_pct: 10, armed: true, level_pct: 22.61, best_pct: 32.61, last_change_at: iso(T0 - 5_000) },
      ...strategy,
    },
  );
}

export function exitingRun(): StrategyRuntimeWire {
  return liveRun({ status: 'exiting', status_reason: 'forced exit at 15:45 ET' }, { exit_reason: 'forced 15:45', time_to_exit: 0, exit_time: iso(T0) });
}

export function cooldownRun(): StrategyRuntimeWire {
  return liveRun(
    {
      status: 'cooldown',
      status_reason: 'finished: no re-entry left',
      positions: [position(0, { current_price: 0.5, exit_reason: 'trailing', pnl_abs: 70, pnl_pct: 58.33 }), position(1, { current_price: 0.45, exit_reason: 'trailing', pnl_abs: 65, pnl_pct: 59.09 })],
    },
    { total_pnl: 135, total_pnl_pct: 58.7, exit_reason: 'trailing', time_to_exit: null, reentries_left: 0 },
  );
}

export function errorRun(): StrategyRuntimeWire {
  return run({ status: 'error', status_reason: 'no fresh greeks for SPY 2026-12-07: no entry', scheduled_entry_at: iso(T0 - 2_000), time_to_entry: null });
}

/**
 * A short SPY strangle for desk tests on the simulated venue: entered any day from 00:01 (the sim
 * trades around the clock), no SL/TP, forced exit 23:59, a fast ladder that gives up.
 */
export function deskStrangle(id: string, name: string, entry: Partial<StrategyDefinition['entry']> = {}): StrategyDefinition {
  return {
    id,
    name,
    account: 'default',
    underlying: 'SPY',
    legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell' as const, lots: 1, select: { by: 'delta' as const, min: 0.1, max: 0.4 }, expiry: { kind: 'nearest' as const, min_days: 0 }, stop_loss: null, take_profit: null })),
    schedule: { entry_time: '00:01', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    entry: { max_retry: 20, retry_delay_ms: 500, step_ticks: 1, bound_spread_fraction: 1, fallback: 'give_up', ...entry },
    exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '23:59' },
    reentry: { count: 0, cutoff_time: null },
  };
}
