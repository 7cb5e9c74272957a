/**
 * The Monitor page's words, colours and derived figures, pure (tested in node): state badges and
 * their sentences, the next-run countdown on the desk's clock, step marks readable without colour,
 * the failing-steps warnings, exchange-zone clocks, and the order in which a cycle's details list
 * its problems.
 */
import type { MonitorAccountWire, MonitorActionWire, MonitorCycleWire, MonitorExchange, MonitorStateKind, MonitorStepName, MonitorStepStatus, MonitorStepWire } from '@shared/contract';
import { DASH, formatAge, formatClock } from '../format/format';

/** Spec §8's step numbers by name (the wire names every step; failing_steps is keyed by name). */
export const STEP_NO: Record<MonitorStepName, number> = {
  fetch: 1,
  fifo_pnl: 2,
  sync: 3,
  sl_tp: 4,
  modify_entries: 5,
  modify_sl: 6,
  archive_rejected: 7,
  regenerate: 8,
  replace_regenerated: 9,
  report: 10,
};

export const STATE_LABEL: Record<MonitorStateKind, string> = {
  active: 'Active',
  running: 'Running',
  paused: 'Paused',
  session_needed: 'Session needed',
  halted: 'Halted',
  outside_hours: 'Outside hours',
  stopped: 'Stopped',
  disabled: 'Disabled',
};

export const STATE_COLOR: Record<MonitorStateKind, string> = {
  active: 'teal',
  running: 'blue',
  paused: 'gray',
  session_needed: 'grape',
  halted: 'red',
  outside_hours: 'yellow',
  stopped: 'gray',
  disabled: 'gray',
};

/** What the state means when the desk gave no reason of its own. */
const STATE_DEFAULT_REASON: Record<MonitorStateKind, string> = {
  active: 'scheduled: cycles run at the interval',
  running: 'a cycle is running now',
  paused: 'paused: no cycle runs until resumed',
  session_needed: 'the venue refused the session: no cycle runs until you re-authenticate',
  halted: 'kill switch Halted: cycles run, order actions are blocked',
  outside_hours: "outside the exchange's hours",
  stopped: "the account's venue is not running (press Start)",
  disabled: 'monitoring is disabled in the settings',
};

/** The state in words: the desk's reason, or what the state means. */
export function stateReason(a: Pick<MonitorAccountWire, 'state' | 'reason'>): string {
  return a.reason ?? STATE_DEFAULT_REASON[a.state];
}

/** The Pause button: what it says and what it asks for. Resume whenever the account is paused (also while another state shows). */
export function pauseAction(a: Pick<MonitorAccountWire, 'state'> & Partial<Pick<MonitorAccountWire, 'paused'>>): { label: 'Pause' | 'Resume'; paused: boolean } {
  const paused = a.paused ?? a.state === 'paused';
  return paused ? { label: 'Resume', paused: false } : { label: 'Pause', paused: true };
}

/** Run now waits for nothing on the page while a cycle runs (the desk would queue it behind). */
export function runNowDisabled(a: Pick<MonitorAccountWire, 'state'>, pending: boolean): boolean {
  // nothing to run against while the account's venue is not running
  return pending || a.state === 'running' || a.state === 'stopped';
}

/** A countdown: 42s, 1m05s, 2h03m (rounded up: "in 1s" until it is due). */
export function formatCountdown(ms: number): string {
  const s = Math.ceil(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Why no run is scheduled, per state (next_run_at is null). */
const NO_NEXT_RUN: Record<MonitorStateKind, string> = {
  active: 'no run scheduled',
  running: 'a cycle is running now',
  paused: 'no run scheduled: paused',
  session_needed: 'no run scheduled: waits for re-authentication',
  halted: 'no run scheduled',
  outside_hours: 'no run scheduled: outside hours',
  stopped: 'no run scheduled: venue stopped',
  disabled: 'no run scheduled: disabled',
};

/**
 * The next run as a countdown on the desk's clock (`serverNow` = local now + the clock offset).
 * Unknown is never a zero: no time → why there is none; a due time that passed → "due now" for 2 s,
 * then "overdue by …" (the desk has not started it).
 */
export function nextRunText(a: Pick<MonitorAccountWire, 'state' | 'next_run_at'>, serverNow: number): { text: string; level: 'due' | 'waiting' | 'overdue' | 'none' } {
  if (a.next_run_at === null) return { text: NO_NEXT_RUN[a.state], level: 'none' };
  const left = a.next_run_at - serverNow;
  if (left > 0) return { text: `next run in ${formatCountdown(left)}`, level: 'waiting' };
  if (left > -2000) return { text: 'next run due now', level: 'due' };
  return { text: `next run overdue by ${formatCountdown(-left)}`, level: 'overdue' };
}

/**
 * The venue session's own end (SmartAPI's daily expiry) as a countdown; null where it has none. Past
 * its time while still active, the adapter is renewing it (it refreshes the tokens beforehand).
 */
export function sessionEndText(expiresAt: number | null, serverNow: number): { text: string; level: 'soon' | 'later' | 'renewing' } | null {
  if (expiresAt === null) return null;
  const left = expiresAt - serverNow;
  if (left <= 0) return { text: 'session renewing', level: 'renewing' };
  return { text: `session ends in ${formatCountdown(left)}`, level: left <= 15 * 60_000 ? 'soon' : 'later' };
}

/** The exchange's zone and its short label; null for the 24/7 simulated venue (local time says it all). */
export const EXCHANGE_ZONE: Record<MonitorExchange, { zone: string; label: string } | null> = {
  NYSE: { zone: 'America/New_York', label: 'ET' },
  NSE: { zone: 'Asia/Kolkata', label: 'IST' },
  BSE: { zone: 'Asia/Kolkata', label: 'IST' },
  DELTA: { zone: 'UTC', label: 'UTC' },
  SIM: null,
};

/** The zone label of times typed for an exchange (the earliest time): the 24/7 venues keep UTC. */
export function settingsZoneLabel(exchange: MonitorExchange): string {
  return EXCHANGE_ZONE[exchange]?.label ?? 'UTC';
}

/** "09:03:07 ET": the time of day in the exchange's zone; null when the exchange has no zone of its own. */
export function exchangeClock(ms: number, exchange: MonitorExchange): string | null {
  const z = EXCHANGE_ZONE[exchange];
  if (!z) return null;
  const t = new Intl.DateTimeFormat('en-GB', { timeZone: z.zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
  return `${t} ${z.label}`;
}

/** Local time, with the exchange's own time beside it where the exchange has a zone: "14:03:07 (09:03:07 ET)". */
export function clockWithExchange(ms: number | null, exchange: MonitorExchange): string {
  if (ms === null) return DASH;
  const ex = exchangeClock(ms, exchange);
  return ex ? `${formatClock(ms)} (${ex})` : formatClock(ms);
}

/** A step's or cycle's duration: 35 ms, 1.2 s, 2m05s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatAge(ms);
}

/** Marks readable without colour. */
export const STEP_MARK: Record<MonitorStepStatus, string> = { ok: '✓', failed: '✗', skipped: '–' };

/** A step in one line for its segment's title: "step 4 sl_tp: failed — HTTP 500 · 35 ms". */
export function stepTitle(s: MonitorStepWire): string {
  const why = s.status === 'failed' ? s.error : s.status === 'skipped' ? s.reason : s.note;
  return `step ${s.step} ${s.name}: ${s.status}${why ? ` — ${why}` : ''} · ${formatDuration(s.duration_ms)}`;
}

/** Orange is shown light (white on filled orange is 4.3:1, under WCAG AA). */
export const CYCLE_STATUS: Record<MonitorCycleWire['status'], { label: string; color: string }> = {
  ok: { label: 'ok', color: 'teal' },
  errors: { label: 'errors', color: 'orange' },
  stopped: { label: 'stopped', color: 'red' },
  session_needed: { label: 'session needed', color: 'grape' },
};

export const TRIGGER_LABEL: Record<MonitorCycleWire['trigger'], string> = { schedule: 'scheduled', run_now: 'run now' };

/** "delayed by 12 s" when the previous cycle ran long; null when on time. */
export function delayedText(c: Pick<MonitorCycleWire, 'delayed_ms'>): string | null {
  if (c.delayed_ms === null || c.delayed_ms <= 0) return null;
  return `delayed by ${c.delayed_ms < 10_000 ? (c.delayed_ms / 1000).toFixed(1) : Math.round(c.delayed_ms / 1000)} s`;
}

/** Steps failing in consecutive cycles, as warnings in step order ("step 4 sl_tp failing 3 cycles in a row"); 3+ is what notifies. */
export function failingWarnings(failing: MonitorAccountWire['failing_steps']): { step: number; name: MonitorStepName; count: number; text: string; severe: boolean }[] {
  return (Object.entries(failing) as [MonitorStepName, number | undefined][])
    .filter((e): e is [MonitorStepName, number] => typeof e[1] === 'number' && e[1] >= 1)
    .map(([name, count]) => ({
      step: STEP_NO[name],
      name,
      count,
      text: count === 1 ? `step ${STEP_NO[name]} ${name} failed in the last cycle` : `step ${STEP_NO[name]} ${name} failing ${count} cycles in a row`,
      severe: count >= 3,
    }))
    .sort((a, b) => a.step - b.step);
}

/** Problems first: an action that failed or was refused/rejected/unknown, then blocked, waited, done. */
const OUTCOME_RANK: Record<MonitorActionWire['outcome'], number> = { failed: 0, rejected: 1, refused: 2, unknown: 3, blocked: 4, waited: 5, done: 6 };

export const OUTCOME_COLOR: Record<MonitorActionWire['outcome'], string> = { failed: 'red', rejected: 'red', refused: 'red', unknown: 'orange', blocked: 'gray', waited: 'blue', done: 'teal' };

export function actionsProblemsFirst(actions: readonly MonitorActionWire[]): MonitorActionWire[] {
  return actions.map((a, i) => ({ a, i })).sort((x, y) => OUTCOME_RANK[x.a.outcome] - OUTCOME_RANK[y.a.outcome] || x.i - y.i).map((x) => x.a);
}

export const ACTION_LABEL: Record<MonitorActionWire['kind'], string> = {
  place_sl: 'place SL',
  place_tp: 'place TP',
  cancel_protective: 'cancel SL/TP (position gone)',
  modify_entry: 'modify entry',
  modify_sl: 'modify SL',
  archive: 'archive',
  regenerate: 'regenerate',
  place_regenerated: 'place regenerated',
  wait_quote: 'wait for quote',
};

/** The interval in words: "every 60 s", "every 5 min". */
export function intervalText(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 120_000) return `every ${ms / 60_000} min`;
  return `every ${Number((ms / 1000).toFixed(3))} s`;
}

/** "since 14:02:11 (3m05s ago)": when a state began, on the desk's clock. */
export function sinceText(since: number, serverNow: number): string {
  return `since ${formatClock(since)} (${formatAge(serverNow - since)} ago)`;
}

/** What to say after `monitor.reauth` answered: null when it worked (the account's state says the rest), else why not. */
export function reauthRefusal(result: { ok: boolean; error: string | null } | null): string | null {
  if (!result || result.ok) return null;
  return `Re-authentication failed: ${result.error ?? 'the venue still refuses the session (no reason given)'}`;
}
