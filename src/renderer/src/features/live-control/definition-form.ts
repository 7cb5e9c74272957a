/**
 * The strategy definition form's model (pure, tested in node): a draft holds every field of the
 * schema as the inputs hold it (text for numbers, '' for none); `checkDraft` builds the definition
 * and validates it with the contract's own schema (`strategyDefinitionSchema`), so the form refuses
 * exactly what the desk refuses, each error under its field. `errorsByField` maps a command's errors
 * (`issues` with paths like `definition.legs.1.select.min`, or `path: message` lines) the same way.
 */
import { strategyDefinitionSchema, type CommandError, type ExitRule, type StrategyDefinition, type StrategyLeg, type Weekday } from '@shared/contract';

export type RuleKind = 'none' | 'pct' | 'points';

export interface LegDraft {
  right: 'call' | 'put';
  side: 'buy' | 'sell';
  lots: string;
  by: 'delta' | 'strike_offset';
  min: string;
  max: string;
  offset: string;
  expiry: 'nearest' | 'weekly' | 'monthly';
  /** `min_days` for nearest, `n` otherwise. */
  expiry_n: string;
  sl_kind: RuleKind;
  sl_value: string;
  tp_kind: RuleKind;
  tp_value: string;
}

export interface DefinitionDraft {
  id: string;
  name: string;
  account: string;
  underlying: string;
  legs: LegDraft[];
  entry_time: string;
  days: Weekday[];
  max_retry: string;
  retry_delay_ms: string;
  step_ticks: string;
  bound_spread_fraction: string;
  fallback: 'market' | 'give_up';
  sl_kind: RuleKind;
  sl_value: string;
  tp_kind: RuleKind;
  tp_value: string;
  trailing: boolean;
  activation_pct: string;
  distance_pct: string;
  /** '' = no forced exit. */
  forced_exit_time: string;
  reentry_count: string;
  /** '' = until the forced exit. */
  cutoff_time: string;
}

export function newLegDraft(right: 'call' | 'put' = 'call'): LegDraft {
  return { right, side: 'sell', lots: '1', by: 'delta', min: '0.15', max: '0.25', offset: '0', expiry: 'nearest', expiry_n: '0', sl_kind: 'none', sl_value: '', tp_kind: 'none', tp_value: '' };
}

export function newDraft(account = 'default'): DefinitionDraft {
  return {
    id: '',
    name: '',
    account,
    underlying: 'SPY',
    legs: [newLegDraft('call'), newLegDraft('put')],
    entry_time: '09:45',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    max_retry: '3',
    retry_delay_ms: '2000',
    step_ticks: '1',
    bound_spread_fraction: '1',
    fallback: 'market',
    sl_kind: 'none',
    sl_value: '',
    tp_kind: 'none',
    tp_value: '',
    trailing: false,
    activation_pct: '30',
    distance_pct: '10',
    forced_exit_time: '15:45',
    reentry_count: '0',
    cutoff_time: '',
  };
}

const text = (n: number) => String(n);
const ruleKind = (r: ExitRule | null): RuleKind => (r === null ? 'none' : r.kind);

export function draftOfLeg(l: StrategyLeg): LegDraft {
  return {
    right: l.right,
    side: l.side,
    lots: text(l.lots),
    by: l.select.by,
    min: l.select.by === 'delta' ? text(l.select.min) : '0.15',
    max: l.select.by === 'delta' ? text(l.select.max) : '0.25',
    offset: l.select.by === 'strike_offset' ? text(l.select.offset) : '0',
    expiry: l.expiry.kind,
    expiry_n: text(l.expiry.kind === 'nearest' ? l.expiry.min_days : l.expiry.n),
    sl_kind: ruleKind(l.stop_loss),
    sl_value: l.stop_loss?.value ?? '',
    tp_kind: ruleKind(l.take_profit),
    tp_value: l.take_profit?.value ?? '',
  };
}

export function draftOfDefinition(d: StrategyDefinition): DefinitionDraft {
  return {
    id: d.id,
    name: d.name,
    account: d.account,
    underlying: d.underlying,
    legs: d.legs.map(draftOfLeg),
    entry_time: d.schedule.entry_time,
    days: [...d.schedule.days],
    max_retry: text(d.entry.max_retry),
    retry_delay_ms: text(d.entry.retry_delay_ms),
    step_ticks: text(d.entry.step_ticks),
    bound_spread_fraction: text(d.entry.bound_spread_fraction),
    fallback: d.entry.fallback,
    sl_kind: ruleKind(d.exits.stop_loss),
    sl_value: d.exits.stop_loss?.value ?? '',
    tp_kind: ruleKind(d.exits.take_profit),
    tp_value: d.exits.take_profit?.value ?? '',
    trailing: d.exits.trailing !== null,
    activation_pct: d.exits.trailing?.activation_pct ?? '30',
    distance_pct: d.exits.trailing?.distance_pct ?? '10',
    forced_exit_time: d.exits.forced_exit_time ?? '',
    reentry_count: text(d.reentry.count),
    cutoff_time: d.reentry.cutoff_time ?? '',
  };
}

/** A number field: '' is missing (the schema says "required"), anything else as typed (NaN is refused by the schema). */
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()));
const rule = (kind: RuleKind, value: string): unknown => (kind === 'none' ? null : { kind, value });

/** The raw definition the draft stands for (not yet validated). */
export function rawOfDraft(d: DefinitionDraft): unknown {
  return {
    id: d.id.trim(),
    name: d.name,
    account: d.account.trim(),
    underlying: d.underlying,
    legs: d.legs.map((l) => ({
      right: l.right,
      side: l.side,
      lots: num(l.lots),
      select: l.by === 'delta' ? { by: 'delta', min: num(l.min), max: num(l.max) } : { by: 'strike_offset', offset: num(l.offset) },
      expiry: l.expiry === 'nearest' ? { kind: 'nearest', min_days: num(l.expiry_n) } : { kind: l.expiry, n: num(l.expiry_n) },
      stop_loss: rule(l.sl_kind, l.sl_value),
      take_profit: rule(l.tp_kind, l.tp_value),
    })),
    schedule: { entry_time: d.entry_time.trim(), days: d.days },
    entry: { max_retry: num(d.max_retry), retry_delay_ms: num(d.retry_delay_ms), step_ticks: num(d.step_ticks), bound_spread_fraction: num(d.bound_spread_fraction), fallback: d.fallback },
    exits: {
      stop_loss: rule(d.sl_kind, d.sl_value),
      take_profit: rule(d.tp_kind, d.tp_value),
      trailing: d.trailing ? { activation_pct: d.activation_pct, distance_pct: d.distance_pct } : null,
      forced_exit_time: d.forced_exit_time.trim() === '' ? null : d.forced_exit_time.trim(),
    },
    reentry: { count: num(d.reentry_count), cutoff_time: d.cutoff_time.trim() === '' ? null : d.cutoff_time.trim() },
  };
}

export type FieldErrors = Record<string, string>;

/** zod's type errors in the form's words: an empty field is "required", text in a number field "must be a number". */
function plainMessage(code: string, message: string): string {
  if (code !== 'invalid_type') return message;
  if (/received undefined|^Required$/i.test(message)) return 'required';
  if (/expected number/i.test(message)) return 'must be a number';
  return message;
}

/** Validates the draft with the contract's schema: the definition, or each error under its field path (`legs.1.select.min`). */
export function checkDraft(d: DefinitionDraft): { ok: true; definition: StrategyDefinition } | { ok: false; errors: FieldErrors } {
  const r = strategyDefinitionSchema.safeParse(rawOfDraft(d));
  if (r.success) return { ok: true, definition: r.data };
  const errors: FieldErrors = {};
  for (const i of r.error.issues) {
    const path = i.path.length ? i.path.join('.') : '(root)';
    const message = plainMessage(i.code, i.message);
    errors[path] = errors[path] ? `${errors[path]}; ${message}` : message;
  }
  return { ok: false, errors };
}

/** A command's error by field: its `issues` (paths under `definition.` stripped), else its `path: message` parts; the rest under `(root)`. */
export function errorsByField(error: CommandError): FieldErrors {
  const out: FieldErrors = {};
  const add = (path: string, message: string) => {
    out[path] = out[path] ? `${out[path]}; ${message}` : message;
  };
  if (error.issues && error.issues.length > 0) {
    for (const i of error.issues) add(i.path.replace(/^definition\./, ''), i.message);
    return out;
  }
  const parts = error.message.replace(/^[^:]*?strategy\.save [^:]*: /, '').split(/;\s*|\n/);
  for (const p of parts) {
    const m = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.+)$/.exec(p.trim());
    if (m) add(m[1]!.replace(/^definition\./, ''), m[2]!);
    else if (p.trim()) add('(root)', p.trim());
  }
  return out;
}

/** The paths the form has a field for (an error under another path is listed above the form). */
export function fieldPaths(d: DefinitionDraft): Set<string> {
  const paths = ['id', 'name', 'account', 'underlying', 'legs', 'schedule.entry_time', 'schedule.days', 'entry.max_retry', 'entry.retry_delay_ms', 'entry.step_ticks', 'entry.bound_spread_fraction', 'entry.fallback', 'exits.stop_loss.value', 'exits.take_profit.value', 'exits.trailing.activation_pct', 'exits.trailing.distance_pct', 'exits.forced_exit_time', 'reentry.count', 'reentry.cutoff_time'];
  d.legs.forEach((_, i) => paths.push(...['lots', 'select.min', 'select.max', 'select.offset', 'expiry.min_days', 'expiry.n', 'stop_loss.value', 'take_profit.value'].map((f) => `legs.${i}.${f}`)));
  return new Set(paths);
}

/** Import errors, one line per wrong definition: "definition #2 (index 1): legs.0.lots: must be at least 1". */
export function importErrorLines(errors: readonly { index: number; errors: string[] }[]): string[] {
  return errors.flatMap((e) => e.errors.map((m) => `definition #${e.index + 1} (index ${e.index}): ${m}`));
}
