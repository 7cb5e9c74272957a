/**
 * The monitoring cycle's conditional matrix, exactly as spec §8's table, and a pure driver that walks
 * it. The driver knows nothing about brokers or ledgers: each step's work is an injected async
 * runner (it resolves on success, throws on failure); time comes from the injected Clock.
 *
 * NOT yet wired into the desk (issue 17 continues): the runner for each step is the next session's
 * work.
 */
import type { Clock } from '../ports/clock';

export type StepNo = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export type StepName =
  | 'fetch'
  | 'fifo_pnl'
  | 'sync'
  | 'sl_tp'
  | 'modify_entries'
  | 'modify_sl'
  | 'archive_rejected'
  | 'regenerate'
  | 'replace_regenerated'
  | 'report';

/** When a step runs (spec §8 "runs when"). */
export type RunsWhen =
  | { kind: 'always' }
  | { kind: 'step_ok'; step: StepNo }
  | { kind: 'permission_and_step_ok'; step: StepNo }
  | { kind: 'step_ran_ok'; step: StepNo }
  | { kind: 'errors_occurred' };

/** What a failure of the step does (spec §8 "on failure"): stop the cycle, or report and go on. */
export type OnFailure = 'stop' | 'continue';

export interface StepRule {
  readonly step: StepNo;
  readonly name: StepName;
  readonly runsWhen: RunsWhen;
  readonly onFailure: OnFailure;
  /** The spec's wording of the row, for the Monitor page and the docs. */
  readonly spec: string;
}

/**
 * Spec §8's table as data. Step 3's "skip 4; continue at 5" follows from step 4 needing step 3 ok;
 * step 8's "skip 9" from step 9 needing step 8 to have run and succeeded.
 */
export const CYCLE_PLAN: readonly StepRule[] = [
  { step: 1, name: 'fetch', runsWhen: { kind: 'always' }, onFailure: 'stop', spec: 'fetch order book and positions (2N calls); always; on failure stop the cycle (session errors set session_needed) and report' },
  { step: 2, name: 'fifo_pnl', runsWhen: { kind: 'step_ok', step: 1 }, onFailure: 'stop', spec: 'FIFO P&L into the ledger; runs when step 1 ok; on failure stop and report' },
  { step: 3, name: 'sync', runsWhen: { kind: 'step_ok', step: 2 }, onFailure: 'continue', spec: 'sync orders, positions and P&L (one transaction); runs when step 2 ok; on failure skip 4, continue at 5' },
  { step: 4, name: 'sl_tp', runsWhen: { kind: 'step_ok', step: 3 }, onFailure: 'continue', spec: 'place missing SL/TP orders; runs when step 3 ok; on failure report and continue' },
  { step: 5, name: 'modify_entries', runsWhen: { kind: 'step_ok', step: 2 }, onFailure: 'continue', spec: 'modify entries where fair price ≥ entry stop; runs when step 2 ok; on failure report and continue' },
  { step: 6, name: 'modify_sl', runsWhen: { kind: 'step_ok', step: 2 }, onFailure: 'continue', spec: 'modify SL orders where fair price ≤ SL stop; runs when step 2 ok; on failure report and continue' },
  { step: 7, name: 'archive_rejected', runsWhen: { kind: 'step_ok', step: 2 }, onFailure: 'continue', spec: 'archive rejected orders; runs when step 2 ok; on failure report and continue' },
  { step: 8, name: 'regenerate', runsWhen: { kind: 'permission_and_step_ok', step: 2 }, onFailure: 'continue', spec: 'entry regenerate; runs when permitted and step 2 ok; on failure skip 9' },
  { step: 9, name: 'replace_regenerated', runsWhen: { kind: 'step_ran_ok', step: 8 }, onFailure: 'continue', spec: 're-place regenerated orders; runs when step 8 ran; on failure report' },
  { step: 10, name: 'report', runsWhen: { kind: 'errors_occurred' }, onFailure: 'continue', spec: 'one aggregated monitor_cycle report with every error; runs when errors occurred (a success summary is recorded otherwise)' },
];

/** A step-1 failure that means the venue session is gone (401/403/404 or the venue's own codes). */
export class SessionExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionExpiredError';
  }
}

export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface StepRecord {
  readonly step: StepNo;
  readonly name: StepName;
  readonly status: StepStatus;
  /** Why the step was skipped: the rule that did not hold and what made it fail. */
  readonly reason?: string;
  /** The failure's message (status 'failed'). */
  readonly error?: string;
  /** From the injected clock; 0 for a skipped step. */
  readonly durationMs: number;
}

export interface CycleError {
  readonly step: StepNo;
  readonly name: StepName;
  readonly message: string;
}

/** What the runner is told: the errors so far (step 10 sends them). */
export interface StepContext {
  readonly errors: readonly CycleError[];
}

export type StepRunner = (step: StepNo, name: StepName, ctx: StepContext) => Promise<void>;

export interface CycleOutcome {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly steps: readonly StepRecord[];
  /** Every error of the cycle, in step order (step 10's own failure included, last). */
  readonly errors: readonly CycleError[];
  /** The step whose failure stopped the cycle (1 or 2), if any. */
  readonly stoppedAt: StepNo | null;
  /** Step 1 failed with a session error: the account needs re-authentication. */
  readonly sessionNeeded: boolean;
  /** 'errors' when step 10 ran (or should have); 'success' is the recorded success summary. */
  readonly summary: { kind: 'success'; stepsOk: number; stepsSkipped: number } | { kind: 'errors'; errorCount: number };
}

export interface CycleOptions {
  /** Entry regenerate is permitted for this account (spec §8 step 8; a setting). */
  readonly regeneratePermitted: boolean;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Why `rule` cannot run now, or null when it may. `status` holds the steps decided so far. */
function blockedBy(rule: StepRule, status: ReadonlyMap<StepNo, StepStatus>, opts: CycleOptions, errors: number): string | null {
  const w = rule.runsWhen;
  switch (w.kind) {
    case 'always':
      return null;
    case 'step_ok':
    case 'permission_and_step_ok': {
      if (w.kind === 'permission_and_step_ok' && !opts.regeneratePermitted) return 'not permitted: entry regenerate is off for this account';
      const s = status.get(w.step);
      return s === 'ok' ? null : `needs step ${w.step} ok; step ${w.step} ${s ?? 'did not run'}`;
    }
    case 'step_ran_ok': {
      const s = status.get(w.step);
      return s === 'ok' ? null : `needs step ${w.step} to have run; step ${w.step} ${s ?? 'did not run'}`;
    }
    case 'errors_occurred':
      return errors > 0 ? null : 'no errors: success summary recorded';
  }
}

/** Runs one cycle: the steps in order, each by the matrix; never throws for a step's failure. */
export async function runCycle(runner: StepRunner, clock: Clock, opts: CycleOptions): Promise<CycleOutcome> {
  const startedAt = clock.now();
  const status = new Map<StepNo, StepStatus>();
  const steps: StepRecord[] = [];
  const errors: CycleError[] = [];
  let stoppedAt: StepNo | null = null;
  let sessionNeeded = false;

  for (const rule of CYCLE_PLAN) {
    const reason =
      stoppedAt !== null && rule.step !== 10 ? `cycle stopped: step ${stoppedAt} failed` : blockedBy(rule, status, opts, errors.length);
    if (reason !== null) {
      status.set(rule.step, 'skipped');
      steps.push({ step: rule.step, name: rule.name, status: 'skipped', reason, durationMs: 0 });
      continue;
    }
    const t0 = clock.now();
    try {
      await runner(rule.step, rule.name, { errors: [...errors] });
      status.set(rule.step, 'ok');
      steps.push({ step: rule.step, name: rule.name, status: 'ok', durationMs: clock.now() - t0 });
    } catch (e) {
      const message = messageOf(e);
      status.set(rule.step, 'failed');
      steps.push({ step: rule.step, name: rule.name, status: 'failed', error: message, durationMs: clock.now() - t0 });
      errors.push({ step: rule.step, name: rule.name, message });
      if (rule.onFailure === 'stop') stoppedAt = rule.step;
      if (rule.step === 1 && e instanceof SessionExpiredError) sessionNeeded = true;
    }
  }

  const skipped = steps.filter((s) => s.status === 'skipped').length;
  return {
    startedAt,
    durationMs: clock.now() - startedAt,
    steps,
    errors,
    stoppedAt,
    sessionNeeded,
    summary:
      errors.length === 0
        ? { kind: 'success', stepsOk: steps.length - skipped, stepsSkipped: skipped }
        : { kind: 'errors', errorCount: errors.length },
  };
}
