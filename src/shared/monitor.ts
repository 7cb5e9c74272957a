/**
 * The monitoring-cycle part of the contract (issue 17, spec §8): each account's cycle state, its
 * recorded cycles with every step's result, duration, errors and order actions, the commands of the
 * Monitor page (run now, pause, re-authenticate, settings) and the events that keep it live.
 * `contract.ts` gathers these into the one command map and event union.
 *
 * Wire conventions as in contract.ts: quantities and prices are exact decimal strings, times epoch ms.
 */
import { z } from 'zod';
import type { VenueMode } from '../core/model/venue-mode';
import type { StepName } from '../core/monitor/cycle-plan';
import type { Exchange } from '../core/monitor/session-hours';

export type { StepName as MonitorStepName } from '../core/monitor/cycle-plan';

// ---------- settings ----------

/** A stop loss / take profit distance from the position's average entry: premium percent or points (price units). */
export interface ProtectiveRuleWire {
  kind: 'pct' | 'points';
  /** Positive exact decimal: "30" (percent) or "0.50" (points). */
  value: string;
}

/** One account's monitoring settings (persisted in the ledger's settings). */
export interface MonitorSettingsWire {
  /** The cycle runs for this account while it is started (default true). */
  enabled: boolean;
  /** Between cycle starts (default 60,000). */
  interval_ms: number;
  /** Earliest time of day (HH:mm, the exchange's zone); null: none. Default 09:26 for NSE/BSE accounts, none elsewhere. */
  earliest: string | null;
  /**
   * Step 4's rules: the SL / TP placed for a running position that lacks one. null: that order is not
   * placed. Per strategy (`by_strategy[name]`) over the account's default (positions without a
   * strategy use the default).
   */
  sl_tp: {
    stop_loss: ProtectiveRuleWire | null;
    take_profit: ProtectiveRuleWire | null;
    by_strategy: Record<string, { stop_loss: ProtectiveRuleWire | null; take_profit: ProtectiveRuleWire | null }>;
  };
  /** Steps 8–9: entry regenerate for rejected entries — permitted or not, and for which strategies ("*" = any, incl. none). */
  regenerate: { permitted: boolean; strategies: string[]; max_attempts: number };
  /** Steps 5–6 wait at most this long for a fresh quote (or a REST refresh) before giving up on a modification (default 5,000). */
  fresh_quote_wait_ms: number;
}

// ---------- cycles ----------

export type MonitorStepStatus = 'ok' | 'failed' | 'skipped';

/**
 * One order action (or deliberate non-action) of a step. `execution_id` is also on the node_event
 * the Events page shows, so a reader finds why each order action happened.
 */
export interface MonitorActionWire {
  execution_id: string;
  step: number;
  kind: 'place_sl' | 'place_tp' | 'cancel_protective' | 'modify_entry' | 'modify_sl' | 'archive' | 'regenerate' | 'place_regenerated' | 'wait_quote';
  symbol: string | null;
  /** The order acted on or created. */
  client_order_id: string | null;
  /** The order it is linked to: the position's entry for SL/TP, the rejected order for a regenerate. */
  linked_client_order_id: string | null;
  /**
   * `done`: carried out; `blocked`: not sent because automation may not act on the account (Monitor
   * mode, kill switch, reconciliation) — not an error; `refused` / `rejected` / `unknown`: the
   * gateway's / venue's answer; `failed`: it could not be done (e.g. no fresh quote in time);
   * `waited`: a fresh quote was waited for (with how long in `detail`).
   */
  outcome: 'done' | 'blocked' | 'refused' | 'rejected' | 'unknown' | 'failed' | 'waited';
  /** What and why, in words: "SL sell stop 2.10 limit 2.10 for long 1 SPY…: none working". */
  detail: string;
  at: number;
}

export interface MonitorStepWire {
  step: number;
  name: StepName;
  status: MonitorStepStatus;
  /** Why it was skipped (the rule of spec §8 that did not hold). */
  reason: string | null;
  /** The failure's message. */
  error: string | null;
  duration_ms: number;
  /** What the step found and did, in one line ("2 orders, 1 position fetched", "nothing to place"). */
  note: string | null;
  actions: MonitorActionWire[];
}

export interface MonitorCycleWire {
  /** The cycle's execution id (its steps' actions and node_events carry their own, prefixed with it). */
  id: string;
  account: string;
  trigger: 'schedule' | 'run_now';
  started_at: number;
  finished_at: number;
  duration_ms: number;
  /** `ok`: no error; `errors`: errors reported (step 10); `stopped`: step 1 or 2 failed; `session_needed`: step 1 met a session error. */
  status: 'ok' | 'errors' | 'stopped' | 'session_needed';
  stopped_at: number | null;
  steps: MonitorStepWire[];
  errors: { step: number; name: StepName; message: string }[];
  /** The success summary or the aggregated report, in one line. */
  summary: string;
  /** The scheduled start was late by this much because the previous cycle ran long (null: on time / run now). */
  delayed_ms: number | null;
}

// ---------- account state ----------

/**
 * `active`: scheduled, runs at `next_run_at`; `running`: a cycle runs now; `paused` by the user;
 * `session_needed`: the venue refused the session — cycles wait for re-authentication;
 * `halted`: the kill switch is Halted (cycles run, order actions are blocked);
 * `outside_hours`: the hours gate holds (reason says until when); `stopped`: the account's venue is
 * not running; `disabled` in the settings.
 */
export type MonitorStateKind = 'active' | 'running' | 'paused' | 'session_needed' | 'halted' | 'outside_hours' | 'stopped' | 'disabled';

/** `SIM` runs around the clock like `DELTA` (the simulated venue trades 24/7); the others keep their exchange's hours. */
export type MonitorExchange = Exchange;

export interface MonitorAccountWire {
  account: string;
  venue_mode: VenueMode;
  exchange: MonitorExchange;
  state: MonitorStateKind;
  /** Why the state is what it is, in words (the gate's reason, the session error, who paused). */
  reason: string | null;
  /** Paused by the user (true also while another state, e.g. session_needed, shows). */
  paused: boolean;
  /** When the next cycle is due (epoch ms; null while running, paused, stopped …). */
  next_run_at: number | null;
  interval_ms: number;
  /** The session error that put the account in session_needed, and since when. */
  session_needed: { since: number; error: string } | null;
  /**
   * When the venue's current session ends by itself (epoch ms: SmartAPI's daily expiry), shown as a
   * countdown; null when there is no session or the venue's sessions do not expire on a clock.
   */
  session_expires_at: number | null;
  /** Steps failing in consecutive cycles (a notification at 3): name → count. Absent: 0. */
  failing_steps: Partial<Record<StepName, number>>;
  last_cycle: MonitorCycleWire | null;
  settings: MonitorSettingsWire;
}

// ---------- commands ----------

const accountId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an account id');
const positiveDecimal = z.string().trim().regex(/^\d{1,12}(\.\d{1,8})?$/, 'must be a positive decimal such as "30" or "0.5"').refine((s) => /[1-9]/.test(s), 'must be greater than zero');
const protectiveRule = z.object({ kind: z.enum(['pct', 'points']), value: positiveDecimal }).strict();
/** A stop loss of 100 % or more of the premium would put a long's stop at or below zero. */
const stopLossRule = protectiveRule.refine((r) => r.kind !== 'pct' || Number(r.value) < 100, { message: 'a stop loss in percent must be below 100 (100 % or more puts the stop at zero or below)', path: ['value'] });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:mm such as "09:26"');

/** A partial settings update (only the fields given change). */
export const monitorSettingsPatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    interval_ms: z.number().int().min(5_000, 'must be at least 5,000 ms').max(3_600_000, 'must be at most one hour').optional(),
    earliest: hhmm.nullable().optional(),
    sl_tp: z
      .object({
        stop_loss: stopLossRule.nullable().optional(),
        take_profit: protectiveRule.nullable().optional(),
        by_strategy: z.record(z.string().min(1).max(64), z.object({ stop_loss: stopLossRule.nullable(), take_profit: protectiveRule.nullable() }).strict()).optional(),
      })
      .strict()
      .optional(),
    regenerate: z
      .object({
        permitted: z.boolean().optional(),
        strategies: z.array(z.string().min(1).max(64)).max(100).optional(),
        max_attempts: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .optional(),
    fresh_quote_wait_ms: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();
export type MonitorSettingsPatch = z.infer<typeof monitorSettingsPatchSchema>;

export const monitorCommandSchemas = {
  /** Every held account's monitoring state. */
  'monitor.get': z.object({}).strict(),
  /** Recorded cycles of one account, newest first (`before`: older than this cycle start, epoch ms). */
  'monitor.cycles': z
    .object({ account: accountId, limit: z.number().int().min(1).max(500).optional(), before: z.number().int().nonnegative().optional() })
    .strict(),
  /** Run one cycle of the account now (waits for a running one to finish first; ignores the hours gate, not the session). */
  'monitor.run_now': z.object({ account: accountId }).strict(),
  /** Pause or resume the account's scheduled cycles. */
  'monitor.pause': z.object({ account: accountId, paused: z.boolean() }).strict(),
  /** Re-authenticate the account's venue session (session_needed), then run a cycle. */
  'monitor.reauth': z.object({ account: accountId }).strict(),
  /** Change the account's monitoring settings (persisted). */
  'monitor.configure': z.object({ account: accountId, settings: monitorSettingsPatchSchema }).strict(),
} as const;

export interface MonitorCommandResults {
  'monitor.get': { accounts: MonitorAccountWire[] };
  'monitor.cycles': { cycles: MonitorCycleWire[] };
  'monitor.run_now': { cycle: MonitorCycleWire };
  'monitor.pause': { account: MonitorAccountWire };
  /** `ok` false: the venue still refuses (error says why); the account stays session_needed. */
  'monitor.reauth': { account: MonitorAccountWire; ok: boolean; error: string | null };
  'monitor.configure': { account: MonitorAccountWire };
}

// ---------- events ----------

/** An account's monitoring state changed (state, next run, settings, failing steps). */
export interface MonitorStateEventBody {
  type: 'monitor_state';
  account: MonitorAccountWire;
}

/**
 * A cycle finished: the aggregated report with every error (spec §8 step 10) — or the success
 * summary (recorded too). One per cycle.
 */
export interface MonitorCycleEventBody {
  type: 'monitor_cycle';
  cycle: MonitorCycleWire;
}

/** What the snapshot carries for monitoring (absent from older desks). */
export interface MonitorSnapshotParts {
  monitor?: MonitorAccountWire[];
  /** Recent cycles (newest first), bounded per account. */
  monitor_cycles?: MonitorCycleWire[];
}
