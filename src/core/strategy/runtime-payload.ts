/**
 * The strategy runtime's consolidated payload (spec §9, issue 18 item 4), exactly as the spec names
 * it: `status`, `scheduled_entry_at`, `time_to_entry`, `entry` {method, attempts, timestamp, legs},
 * `positions[]`, `strategy` {total P&L, exit time, time to exit, config}. Timestamps ISO-8601; numbers
 * numeric (the spec's rule for this payload: it is for display; the exact decimals are in the ledger).
 * Unknown is null, never 0. Pushed as `strategy_runtime` events; the Live Control page reads only this.
 */
import type { StrategyDefinition } from './definition';

/** `waiting` for the entry time → `entering` (the ladder works) → `live` → `exiting` → `cooldown` (until a re-entry, or for good); `halted` by the user or the kill switch; `error` (it says why). */
export type RunStatus = 'waiting' | 'entering' | 'live' | 'exiting' | 'cooldown' | 'halted' | 'error';

/** Where a leg's delta came from: the venue's greeks, or the desk's own (IV solved from the mid). */
export type DeltaSource = 'venue' | 'desk';

export interface EntryLegWire {
  leg: number;
  right: 'call' | 'put';
  side: 'buy' | 'sell';
  /** The contract selected (null until selected). */
  symbol: string | null;
  expiry: string | null;
  strike: number | null;
  delta: number | null;
  delta_source: DeltaSource | null;
  /** Age of the greeks / quote the delta came from, at selection (ms). */
  delta_age_ms: number | null;
  quantity: number;
  filled_quantity: number;
  /** The current / last attempt: its method, price and outcome. */
  method: 'limit' | 'market' | null;
  attempts: number;
  last_price: number | null;
  /** The bound frozen at the decision: the ladder never passes it. */
  bound_price: number | null;
  status: 'pending' | 'working' | 'filled' | 'failed' | 'cancelled';
  client_order_id: string | null;
  reason: string | null;
}

export interface TrailingWire {
  /** Activation threshold (premium % of the entry credit/debit captured) and trail distance (%), from the config. */
  activation_pct: number;
  distance_pct: number;
  armed: boolean;
  /** The stop level (structure P&L %) once armed; moves only one way. */
  level_pct: number | null;
  /** The best P&L % since armed. */
  best_pct: number | null;
  last_change_at: string | null;
}

export interface PositionRuntimeWire {
  leg: number;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
  entry_time: string | null;
  entry_price: number | null;
  current_price: number | null;
  /** Age of the quote behind current_price (ms); null when there is none. */
  quote_age_ms: number | null;
  quote_fresh: boolean;
  pnl_abs: number | null;
  pnl_pct: number | null;
  /** Per-leg exits as configured (null: none) and whether one fired. */
  stop_loss_price: number | null;
  take_profit_price: number | null;
  exit_reason: string | null;
}

export interface StrategyRuntimeWire {
  run_id: string;
  strategy_id: string;
  account: string;
  status: RunStatus;
  /** Why the status is what it is (e.g. "waiting for 09:20 ET", "no fresh greeks for SPY 2026-12-18: no entry"). */
  status_reason: string | null;
  scheduled_entry_at: string | null;
  /** Seconds until the scheduled entry (null when not waiting). */
  time_to_entry: number | null;
  entry: {
    method: 'limit' | 'market' | null;
    attempts: number;
    timestamp: string | null;
    legs: EntryLegWire[];
  };
  positions: PositionRuntimeWire[];
  strategy: {
    /** Realized + unrealized of the run (null when a leg has no fresh mark: unknown is not zero). */
    total_pnl: number | null;
    total_pnl_pct: number | null;
    exit_time: string | null;
    time_to_exit: number | null;
    trailing: TrailingWire | null;
    /** Triggers armed and what fired: "stop loss 50%", "trailing", "forced 15:45", "manual". */
    exit_reason: string | null;
    reentries_left: number;
    paused: boolean;
    config: StrategyDefinition;
  };
  /** When this payload was made (ISO). */
  updated_at: string;
}
