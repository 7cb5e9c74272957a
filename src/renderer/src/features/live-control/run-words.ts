/**
 * What the Live Control page says about a strategy run (pure, tested in node): status badges, the
 * countdowns on the desk's clock, a leg's target and expiry rule, exits in words, delta with its
 * source and age, quote age (stale said as stale, none never 0), the trailing stop, the triggers,
 * and whether a card is flashing.
 */
import type { EntryLegWire, ExitRule, ExpiryRule, PositionRuntimeWire, RunStatus, StrategyLeg, StrategyRuntimeWire, TrailingWire } from '@shared/contract';
import type { RunFlash, RunFlashKind } from '../../stores/slices/strategy';
import { DASH, formatAge, formatClock, formatPct } from '../format/format';

export const STATUS_LABEL: Record<RunStatus, string> = {
  waiting: 'Waiting',
  entering: 'Entering',
  live: 'Live',
  exiting: 'Exiting',
  cooldown: 'Cooldown',
  halted: 'Halted',
  error: 'Error',
};

/** Filled badges only where white text passes AA (never orange / yellow filled). */
export const STATUS_COLOR: Record<RunStatus, { color: string; variant: 'filled' | 'light' }> = {
  waiting: { color: 'gray', variant: 'light' },
  entering: { color: 'blue', variant: 'filled' },
  live: { color: 'teal', variant: 'filled' },
  exiting: { color: 'orange', variant: 'light' },
  cooldown: { color: 'gray', variant: 'light' },
  halted: { color: 'red', variant: 'filled' },
  error: { color: 'red', variant: 'filled' },
};

export const FLASH_MS = 3_000;

export const FLASH_LABEL: Record<RunFlashKind, string> = {
  entry_succeeded: 'Entry filled',
  entry_failed: 'Entry failed',
  trailing_armed: 'Trailing stop armed',
  forced_exit: 'Forced exit',
};

/** The flash shown at server time `serverNow` (null: none, or over). */
export function activeFlash(flash: RunFlash | undefined, serverNow: number): RunFlashKind | null {
  if (!flash) return null;
  const age = serverNow - flash.at;
  return age >= 0 && age < FLASH_MS ? flash.kind : null;
}

const ms = (isoText: string | null): number | null => {
  if (isoText === null) return null;
  const t = Date.parse(isoText);
  return Number.isFinite(t) ? t : null;
};

/** When the entry is due (epoch ms): `scheduled_entry_at`, else `time_to_entry` counted from the payload's time; null: not known. */
export function entryAt(run: Pick<StrategyRuntimeWire, 'scheduled_entry_at' | 'time_to_entry' | 'updated_at'>): number | null {
  const at = ms(run.scheduled_entry_at);
  if (at !== null) return at;
  const base = ms(run.updated_at);
  return run.time_to_entry !== null && base !== null ? base + run.time_to_entry * 1000 : null;
}

/** When the planned exit is due (epoch ms): `strategy.exit_time`, else `time_to_exit` from the payload's time; null: none. */
export function exitAt(run: Pick<StrategyRuntimeWire, 'strategy' | 'updated_at'>): number | null {
  const at = ms(run.strategy.exit_time);
  if (at !== null) return at;
  const base = ms(run.updated_at);
  return run.strategy.time_to_exit !== null && base !== null ? base + run.strategy.time_to_exit * 1000 : null;
}

/** A duration to go, whole seconds: 42s, 3m05s, 2h14m. */
export function remainingText(msLeft: number): string {
  const s = Math.ceil(Math.max(0, msLeft) / 1000);
  if (s < 120) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export type CountdownLevel = 'none' | 'future' | 'soon' | 'due';

/** A countdown to `at` at server time `now`: "in 20s", "due 3s ago", "—" when unknown (never 0). */
export function countdown(at: number | null, now: number): { text: string; level: CountdownLevel } {
  if (at === null) return { text: DASH, level: 'none' };
  const left = at - now;
  if (left <= 0) return { text: left > -1000 ? 'now' : `due ${remainingText(-left)} ago`, level: 'due' };
  return { text: `in ${remainingText(left)}`, level: left <= 10_000 ? 'soon' : 'future' };
}

/**
 * The entry countdown while waiting, and the re-entry's in a cooldown that has one pending
 * (`time_to_entry` is set only then); otherwise when the entry began.
 */
export function entryCountdown(run: StrategyRuntimeWire, now: number): { text: string; level: CountdownLevel } {
  if (run.status === 'cooldown' && run.time_to_entry !== null) {
    const c = countdown(entryAt(run), now);
    return { text: c.level === 'none' ? c.text : `re-entry ${c.text}`, level: c.level };
  }
  if (run.status !== 'waiting') return { text: run.entry.timestamp ? `entered at ${formatClock(ms(run.entry.timestamp))}` : DASH, level: 'none' };
  return countdown(entryAt(run), now);
}

/** The exit countdown while a position may be open (waiting / entering / live / exiting). */
export function exitCountdown(run: StrategyRuntimeWire, now: number): { text: string; level: CountdownLevel } {
  if (run.status === 'cooldown' || run.status === 'halted' || run.status === 'error') return { text: DASH, level: 'none' };
  return countdown(exitAt(run), now);
}

/** A time of a payload (ISO) as a local clock. */
export function clockOf(isoText: string | null): string {
  return formatClock(ms(isoText));
}

/** A leg's target: "|Δ| 0.15–0.25" or "ATM +2 strikes". */
export function legTarget(leg: Pick<StrategyLeg, 'select'>): string {
  const s = leg.select;
  if (s.by === 'delta') return `|Δ| ${s.min.toFixed(2)}–${s.max.toFixed(2)}`;
  return s.offset === 0 ? 'ATM' : `ATM ${s.offset > 0 ? '+' : '−'}${Math.abs(s.offset)} strike${Math.abs(s.offset) === 1 ? '' : 's'}`;
}

export function expiryText(rule: ExpiryRule): string {
  if (rule.kind === 'nearest') return rule.min_days === 0 ? 'nearest expiry' : `nearest ≥ ${rule.min_days}d`;
  return `${ordinal(rule.n)} ${rule.kind}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${s}`;
}

export function exitRuleText(rule: ExitRule | null): string {
  if (rule === null) return 'none';
  return rule.kind === 'pct' ? `${rule.value}%` : `${rule.value} pts`;
}

/** "SELL 1 CALL": a leg's side, lots and right. */
export function legWords(leg: Pick<StrategyLeg, 'side' | 'right'> & { lots?: number; quantity?: number }): string {
  const q = leg.lots ?? leg.quantity ?? 0;
  return `${leg.side.toUpperCase()} ${q} ${leg.right.toUpperCase()}`;
}

/** Delta with where it came from and how old it was at selection: "0.21 venue · 0.4s". */
export function deltaText(leg: Pick<EntryLegWire, 'delta' | 'delta_source' | 'delta_age_ms'>): string {
  if (leg.delta === null) return DASH;
  const src = leg.delta_source ?? 'source unknown';
  return `${leg.delta.toFixed(2)} ${src}${leg.delta_age_ms === null ? '' : ` · ${formatAge(leg.delta_age_ms)}`}`;
}

/** Quote age of a position: "0.3s", "stale 12s", "no quote" (never a 0 for a missing one). */
export function quoteAgeText(p: Pick<PositionRuntimeWire, 'quote_age_ms' | 'quote_fresh'>): { text: string; level: 'fresh' | 'stale' | 'none' } {
  if (p.quote_age_ms === null) return { text: 'no quote', level: 'none' };
  return p.quote_fresh ? { text: formatAge(p.quote_age_ms), level: 'fresh' } : { text: `stale ${formatAge(p.quote_age_ms)}`, level: 'stale' };
}

/** The trailing stop in one line. */
export function trailingText(t: TrailingWire | null): string {
  if (t === null) return 'no trailing stop';
  if (!t.armed) return `not armed (arms at ${formatPct(t.activation_pct, 0)}, trails ${formatPct(t.distance_pct, 0)})`;
  return `armed · level ${formatPct(t.level_pct, 2)} · best ${formatPct(t.best_pct, 2)}`;
}

export interface Trigger {
  id: 'stop_loss' | 'take_profit' | 'trailing' | 'forced' | 'manual';
  label: string;
  detail: string;
  fired: boolean;
}

const fired = (reason: string | null, re: RegExp) => reason !== null && re.test(reason);

/** The run's exit triggers as configured and which one fired (from `strategy.exit_reason`). */
export function triggers(run: StrategyRuntimeWire): Trigger[] {
  const c = run.strategy.config;
  const r = run.strategy.exit_reason;
  const t = run.strategy.trailing;
  const list: Trigger[] = [
    { id: 'stop_loss', label: 'Structure SL', detail: exitRuleText(c.exits.stop_loss), fired: fired(r, /^stop[ _]loss/i) },
    { id: 'take_profit', label: 'Structure TP', detail: exitRuleText(c.exits.take_profit), fired: fired(r, /^take[ _]profit/i) },
    { id: 'trailing', label: 'Trailing', detail: t ? (t.armed ? `armed · level ${formatPct(t.level_pct, 2)}` : `arms at ${formatPct(t.activation_pct, 0)}`) : 'none', fired: fired(r, /^trailing/i) },
    { id: 'forced', label: 'Forced exit', detail: c.exits.forced_exit_time ? `${c.exits.forced_exit_time} exchange time` : 'none', fired: fired(r, /^forced/i) },
  ];
  if (fired(r, /^manual/i)) list.push({ id: 'manual', label: 'Manual', detail: r!, fired: true });
  return list;
}

/**
 * Actions a run still accepts: pause/resume and halt unless finished; a manual exit of all legs, or of
 * one leg once live (the engine exits a single leg only when the run is live). A halted run acts no
 * more — its positions are exited on the Orders page (`exitElsewhere` says so); in cooldown it is flat.
 */
export function runActions(run: StrategyRuntimeWire): { canPause: boolean; canHalt: boolean; canExit: boolean; canExitLeg: boolean; openLegs: number[]; exitElsewhere: string | null } {
  const finished = run.status === 'halted' || run.status === 'error' || (run.status === 'cooldown' && run.strategy.reentries_left === 0);
  const held = run.status === 'cooldown' ? [] : run.positions.filter((p) => p.quantity > 0 && p.exit_reason === null).map((p) => p.leg);
  const halted = run.status === 'halted';
  const openLegs = halted ? [] : held;
  return {
    canPause: !finished,
    canHalt: !halted,
    canExit: openLegs.length > 0,
    canExitLeg: run.status === 'live' && openLegs.length > 0,
    openLegs,
    exitElsewhere: halted && held.length > 0 ? 'halted: the run acts no more — exit its positions on the Orders page' : null,
  };
}
