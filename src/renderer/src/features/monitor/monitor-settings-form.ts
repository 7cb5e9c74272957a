/**
 * The Monitor page's settings form, pure: a draft of text fields from the settings in force, and
 * the `monitor.configure` patch of what changed — or, per field, what is wrong in plain words. The
 * draft is finally checked with the contract's own schema (the one the desk applies), so the form
 * never sends what the desk would refuse for a reason the form could have named.
 */
import { monitorSettingsPatchSchema, type MonitorSettingsPatch, type MonitorSettingsWire, type ProtectiveRuleWire } from '@shared/contract';
import { plainIssue } from '@core/model/plain-issues';

export type RuleKind = 'none' | 'pct' | 'points';

export interface RuleDraft {
  kind: RuleKind;
  value: string;
}

export interface MonitorSettingsDraft {
  enabled: boolean;
  /** Seconds between cycle starts. */
  interval_s: string;
  /** HH:mm in the exchange's zone; '' = none. */
  earliest: string;
  stop_loss: RuleDraft;
  take_profit: RuleDraft;
  regen_permitted: boolean;
  /** Comma-separated strategy names ("*" = any). */
  regen_strategies: string;
  regen_max_attempts: string;
  /** Seconds to wait for a fresh quote. */
  fresh_quote_wait_s: string;
}

export type MonitorFieldErrors = Partial<Record<keyof MonitorSettingsDraft | 'stop_loss.value' | 'take_profit.value' | 'form', string>>;

/** The bounds the contract's schema sets, in the units the form shows (a test checks them against the schema). */
export const BOUNDS = { interval_s: { min: 5, max: 3600 }, fresh_quote_wait_s: { min: 0, max: 60 }, max_attempts: { min: 1, max: 10 } } as const;

const secondsText = (ms: number): string => String(Number((ms / 1000).toFixed(3)));
const ruleDraft = (r: ProtectiveRuleWire | null): RuleDraft => (r ? { kind: r.kind, value: r.value } : { kind: 'none', value: '' });

export function draftOfMonitorSettings(s: MonitorSettingsWire): MonitorSettingsDraft {
  return {
    enabled: s.enabled,
    interval_s: secondsText(s.interval_ms),
    earliest: s.earliest ?? '',
    stop_loss: ruleDraft(s.sl_tp.stop_loss),
    take_profit: ruleDraft(s.sl_tp.take_profit),
    regen_permitted: s.regenerate.permitted,
    regen_strategies: s.regenerate.strategies.join(', '),
    regen_max_attempts: String(s.regenerate.max_attempts),
    fresh_quote_wait_s: secondsText(s.fresh_quote_wait_ms),
  };
}

/** Seconds typed as text → whole milliseconds, read exactly (at most 3 decimals) or refused with the reason. */
function secondsToMs(text: string, label: string, bounds: { min: number; max: number }): { ok: true; ms: number } | { ok: false; message: string } {
  const allowed = `allowed: from ${bounds.min.toLocaleString('en-US')} s to ${bounds.max.toLocaleString('en-US')} s`;
  const t = text.trim();
  if (t === '') return { ok: false, message: `${label} is required — ${allowed}` };
  const m = /^(\d+)(?:\.(\d{1,3}))?$/.exec(t);
  if (!m) return { ok: false, message: `${label} must be a plain number of seconds such as 60 or 2.5 (at most 3 decimals, no letters or separators) — ${allowed}` };
  const ms = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  if (ms < bounds.min * 1000 || ms > bounds.max * 1000) return { ok: false, message: `${label} must be from ${bounds.min.toLocaleString('en-US')} s to ${bounds.max.toLocaleString('en-US')} s` };
  return { ok: true, ms };
}

const sameRule = (a: ProtectiveRuleWire | null, b: ProtectiveRuleWire | null): boolean => (a === null || b === null ? a === b : a.kind === b.kind && a.value === b.value);

function ruleOf(d: RuleDraft, label: string): { ok: true; rule: ProtectiveRuleWire | null } | { ok: false; message: string } {
  if (d.kind === 'none') return { ok: true, rule: null };
  const v = d.value.trim();
  const unit = d.kind === 'pct' ? 'a percent of the premium such as 30' : 'points (price units) such as 0.50';
  if (v === '') return { ok: false, message: `${label} needs a value: ${unit} — or choose "none"` };
  const parsed = monitorSettingsPatchSchema.shape.sl_tp.unwrap().shape.stop_loss.unwrap().unwrap().shape.value.safeParse(v);
  if (!parsed.success) return { ok: false, message: `${label} ${parsed.error.issues[0]?.message ?? 'is not a valid value'} (${unit})` };
  return { ok: true, rule: { kind: d.kind, value: v } };
}

/** What changed, as a `monitor.configure` patch — or the errors, each next to its field. */
export function monitorSettingsPatch(current: MonitorSettingsWire, d: MonitorSettingsDraft): { patch: MonitorSettingsPatch; errors: MonitorFieldErrors; changed: boolean } {
  const errors: MonitorFieldErrors = {};
  const patch: MonitorSettingsPatch = {};
  if (d.enabled !== current.enabled) patch.enabled = d.enabled;

  const interval = secondsToMs(d.interval_s, 'Interval', BOUNDS.interval_s);
  if (!interval.ok) errors.interval_s = interval.message;
  else if (interval.ms !== current.interval_ms) patch.interval_ms = interval.ms;

  const earliest = d.earliest.trim() === '' ? null : d.earliest.trim();
  if (earliest !== null && !/^([01]\d|2[0-3]):[0-5]\d$/.test(earliest)) errors.earliest = 'Earliest time must be a time of day HH:mm such as 09:26 (24-hour, the exchange’s zone), or empty for none';
  else if (earliest !== current.earliest) patch.earliest = earliest;

  const sl = ruleOf(d.stop_loss, 'Stop loss');
  const tp = ruleOf(d.take_profit, 'Take profit');
  if (!sl.ok) errors['stop_loss.value'] = sl.message;
  if (!tp.ok) errors['take_profit.value'] = tp.message;
  const slTp: NonNullable<MonitorSettingsPatch['sl_tp']> = {};
  if (sl.ok && !sameRule(sl.rule, current.sl_tp.stop_loss)) slTp.stop_loss = sl.rule;
  if (tp.ok && !sameRule(tp.rule, current.sl_tp.take_profit)) slTp.take_profit = tp.rule;
  if (Object.keys(slTp).length) patch.sl_tp = slTp;

  const regen: NonNullable<MonitorSettingsPatch['regenerate']> = {};
  if (d.regen_permitted !== current.regenerate.permitted) regen.permitted = d.regen_permitted;
  const strategies = [...new Set(d.regen_strategies.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const long = strategies.find((s) => s.length > 64);
  if (long !== undefined) errors.regen_strategies = `Strategy names are at most 64 characters ("${long.slice(0, 20)}…" is ${long.length})`;
  else if (strategies.length > 100) errors.regen_strategies = `At most 100 strategies (${strategies.length} given)`;
  else if (strategies.join('\u0000') !== current.regenerate.strategies.join('\u0000')) regen.strategies = strategies;
  const attemptsText = d.regen_max_attempts.trim();
  const { min: aMin, max: aMax } = BOUNDS.max_attempts;
  if (!/^\d+$/.test(attemptsText) || Number(attemptsText) < aMin || Number(attemptsText) > aMax) errors.regen_max_attempts = `Max attempts must be a whole number from ${aMin} to ${aMax}`;
  else if (Number(attemptsText) !== current.regenerate.max_attempts) regen.max_attempts = Number(attemptsText);
  if (Object.keys(regen).length) patch.regenerate = regen;

  const wait = secondsToMs(d.fresh_quote_wait_s, 'Fresh-quote wait', BOUNDS.fresh_quote_wait_s);
  if (!wait.ok) errors.fresh_quote_wait_s = wait.message;
  else if (wait.ms !== current.fresh_quote_wait_ms) patch.fresh_quote_wait_ms = wait.ms;

  if (Object.keys(errors).length === 0) {
    // The desk's own check: anything it would refuse is said here, before sending.
    const checked = monitorSettingsPatchSchema.safeParse(patch);
    if (!checked.success) errors.form = checked.error.issues.map((i) => plainIssue(i, { label: i.path.join('.') })).join('; ');
  }
  return { patch, errors, changed: Object.keys(patch).length > 0 };
}
