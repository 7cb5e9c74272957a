/**
 * The seam between the pure strategy engine (core/strategy/engine.ts — the runtime state machine,
 * the entry ladder, the exits, trailing, forced exit, re-entry) and the desk's strategy service
 * (src/node/app/strategy) that feeds it and carries out what it decides. Types only: the engine
 * implements `StrategyEngine`; the service is written against it.
 *
 * The engine is pure and deterministic: time is `inputs.now` (the injected clock; replay drives it
 * too), quotes and orders are read through `inputs`, and every decision is returned as actions for
 * the service to carry out — never performed. Its state is plain JSON (the service persists it in
 * `strategy_runs.session_metadata` and restores it after a restart).
 */
import type { StrategyDefinition } from './definition';
import type { DeltaSource, StrategyRuntimeWire } from './runtime-payload';
import type { Exchange } from '../monitor/session-hours';
import type { OrderStatus } from '../orders/types';

/** A quote as the engine reads it (numbers: the engine prices limits on ticks, the ledger keeps the exact text). */
export interface RunQuote {
  bid: number | null;
  ask: number | null;
  /** Fresh by the book's age (the desk's rule). A risk exit never acts on a quote that is not fresh. */
  fresh: boolean;
  ageMs: number | null;
}

/** The journal's view of one of the run's orders. */
export interface RunOrderView {
  /** The order domain's status (one definition: core/orders/types.ts). */
  status: OrderStatus;
  filledQuantity: number;
  avgFillPrice: number | null;
  reason: string | null;
}

export interface RunInputs {
  now: number;
  quote(symbol: string): RunQuote | null;
  order(clientOrderId: string): RunOrderView | null;
}

/** A contract chosen for a leg (contract selection: core/strategy/select.ts). */
export interface SelectedContract {
  leg: number;
  symbol: string;
  expiry: string;
  strike: number;
  delta: number;
  deltaSource: DeltaSource;
  deltaAgeMs: number;
  /** Contract multiplier (100 for US options; lot size / contract value elsewhere). */
  multiplier: number;
  /** Price tick of the contract. */
  tick: number;
}

export type RunAction =
  /** Choose the legs' contracts now (the service asks the chain and calls `contractsSelected`). */
  | { kind: 'select_contracts' }
  /**
   * Send an order through the order gateway. `clientOrderId` is the engine's, deterministic
   * (`<run>-<purpose><leg>-<attempt>`), so a restart never sends one twice: the service skips a place
   * whose id the journal already holds.
   */
  | {
      kind: 'place';
      clientOrderId: string;
      leg: number;
      symbol: string;
      side: 'buy' | 'sell';
      quantity: number;
      orderType: 'limit' | 'market';
      limitPrice: number | null;
      /** Attempt number − 1 (the ledger's `retry_count`). */
      retryCount: number;
      purpose: 'entry' | 'exit';
      reason: string;
    }
  | { kind: 'cancel'; clientOrderId: string; reason: string }
  /** Ask for a REST refresh of a stale symbol (the engine waits for a fresh quote and records that it waited). */
  | { kind: 'refresh_quote'; symbol: string }
  /** A native notification (and an alert in the event history), once each. */
  | { kind: 'notify'; alert: 'entry_succeeded' | 'entry_failed' | 'trailing_stop_activated' | 'forced_exit'; title: string; body: string };

/** One line of the run's audit log (`strategy_events`). */
export interface RunAudit {
  kind: string;
  message: string;
}

export interface RunStep<S> {
  state: S;
  actions: RunAction[];
  audit: RunAudit[];
}

export type PlaceOutcome = { kind: 'accepted' } | { kind: 'refused' | 'rejected' | 'unknown'; reason: string };

/** The engine, as the service uses it. `S` is the engine's JSON-serializable run state. */
export interface StrategyEngine<S> {
  /** A new run of `definition` on an account of `exchange`, created at `now`: `waiting` for its scheduled entry (or entering at once with `enterNow`). */
  newRun(runId: string, definition: StrategyDefinition, exchange: Exchange, now: number, opts?: { enterNow?: boolean }): RunStep<S>;
  /** Evaluate at `inputs.now` (the service calls it on a timer and on every quote / order change of the run's symbols). */
  advance(state: S, inputs: RunInputs): RunStep<S>;
  contractsSelected(state: S, result: { ok: true; contracts: SelectedContract[] } | { ok: false; reason: string }, inputs: RunInputs): RunStep<S>;
  placeOutcome(state: S, clientOrderId: string, outcome: PlaceOutcome, inputs: RunInputs): RunStep<S>;
  /** Manual exit of one leg (`leg`) or all. */
  manualExit(state: S, leg: number | undefined, inputs: RunInputs): RunStep<S>;
  pause(state: S, paused: boolean, inputs: RunInputs): RunStep<S>;
  halt(state: S, reason: string, inputs: RunInputs): RunStep<S>;
  /** After a restart: the state as persisted, resumed once the account is reconciled (no duplicate entry). */
  resume(state: S, inputs: RunInputs): RunStep<S>;
  /** The consolidated payload (spec §9) at `inputs.now`. */
  payload(state: S, inputs: RunInputs): StrategyRuntimeWire;
  /** The symbols whose quotes the run needs now (the service subscribes them). */
  symbols(state: S): string[];
  /**
   * Whether the `place` of `clientOrderId` a step asked for is still wanted: the service carries out a
   * step's actions one by one, and an earlier one's outcome (an entry failing, a halt) may make a later
   * place obsolete. Not wanted: the service does not send it and hands back `refused`.
   */
  placeWanted(state: S, clientOrderId: string): boolean;
  /** The run is over (finished, failed for good, halted): its row is closed in the ledger and it is not resumed. */
  finished(state: S): boolean;
}
