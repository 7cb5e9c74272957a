/**
 * The strategy part of the contract (issue 18; spec §9): strategy definitions (create, edit, import,
 * export), strategy runs and their consolidated runtime payload, the Live Control page's commands
 * (start, pause/resume, halt, manual exit per leg or all) and the run's audit log.
 * `contract.ts` gathers these into the one command map and event union.
 */
import { z } from 'zod';
import { strategyDefinitionSchema, type StrategyDefinition } from '../core/strategy/definition';
import type { StrategyRuntimeWire } from '../core/strategy/runtime-payload';

export type { StrategyDefinition, StrategyLeg, LegSelection, ExpiryRule, ExitRule, Weekday } from '../core/strategy/definition';
export { strategyDefinitionSchema, parseStrategyDefinition, WEEKDAYS } from '../core/strategy/definition';
export type { StrategyRuntimeWire, RunStatus, EntryLegWire, PositionRuntimeWire, TrailingWire, DeltaSource } from '../core/strategy/runtime-payload';

/** One row of a run's audit log (`strategy_events`). */
export interface StrategyAuditWire {
  event_id: number;
  run_id: string;
  /** ISO-8601. */
  at: string;
  /** The engine's kinds (docs/strategy.md), e.g. `scheduled`, `selected`, `attempt`, `attempt_outcome`, `cancel`, `leg_filled`, `quote_wait`, `risk_wait`, `trailing`, `exit_trigger`, `status`, `resumed`. */
  kind: string;
  execution_id: string | null;
  message: string | null;
}

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an id of letters, digits, "_", "." or "-"');
const runId = z.string().min(1).max(128);

export const strategyCommandSchemas = {
  /** Every definition and every run of this session (newest first). */
  'strategy.list': z.object({}).strict(),
  /** Create or replace a definition (validated; errors name the field). */
  'strategy.save': z.object({ definition: strategyDefinitionSchema }).strict(),
  /** Remove a definition (runs already made keep their config in their session metadata). */
  'strategy.delete': z.object({ id }).strict(),
  /** Import definitions from JSON text (one definition or an array); nothing is saved unless all are valid. */
  'strategy.import': z.object({ json: z.string().min(2).max(1_000_000) }).strict(),
  /** Export definitions as JSON text (all, or the ids given). */
  'strategy.export': z.object({ ids: z.array(id).max(500).optional() }).strict(),
  /** Start a run of a definition: it waits for its scheduled entry (or enters now with `now: true`). */
  'strategy.start': z.object({ strategy_id: id, now: z.boolean().optional() }).strict(),
  /** Pause (no new action: no entry attempt, no trailing move; risk exits still act) or resume a run. */
  'strategy.pause': z.object({ run_id: runId, paused: z.boolean() }).strict(),
  /** Halt a run: cancel its working orders and act no more (positions are kept; exit them explicitly). */
  'strategy.halt': z.object({ run_id: runId, reason: z.string().trim().min(1).max(500) }).strict(),
  /** Manual exit of one leg (`leg`) or all legs of a run. */
  'strategy.exit': z.object({ run_id: runId, leg: z.number().int().min(0).max(3).optional() }).strict(),
  /** A run's audit log (oldest first, after `after_event_id`). */
  'strategy.audit': z.object({ run_id: runId, after_event_id: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(5_000).optional() }).strict(),
} as const;

export interface StrategyCommandResults {
  'strategy.list': { definitions: StrategyDefinition[]; runs: StrategyRuntimeWire[] };
  'strategy.save': { definition: StrategyDefinition };
  'strategy.delete': { deleted: boolean };
  /** `errors`: per definition (index) the fields that are wrong; nothing saved when any. */
  'strategy.import': { saved: StrategyDefinition[]; errors: { index: number; errors: string[] }[] };
  'strategy.export': { json: string };
  'strategy.start': { run: StrategyRuntimeWire };
  'strategy.pause': { run: StrategyRuntimeWire };
  'strategy.halt': { run: StrategyRuntimeWire };
  'strategy.exit': { run: StrategyRuntimeWire };
  'strategy.audit': { events: StrategyAuditWire[] };
}

/** A run changed (any field of its payload). */
export interface StrategyRuntimeEventBody {
  type: 'strategy_runtime';
  run: StrategyRuntimeWire;
}

/** The definitions changed (saved, deleted, imported). */
export interface StrategyDefinitionsEventBody {
  type: 'strategy_definitions';
  definitions: StrategyDefinition[];
}

/** What the snapshot carries for strategies (absent from older desks). */
export interface StrategySnapshotParts {
  strategies?: StrategyDefinition[];
  strategy_runs?: StrategyRuntimeWire[];
}
