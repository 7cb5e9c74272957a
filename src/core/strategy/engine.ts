/**
 * The pure strategy engine (issue 18 items 1, 3, 4; spec §9): one run's state machine
 * `waiting → entering → live → exiting → cooldown` (plus `halted`, `error`), the entry ladder per
 * leg, positions and P&L, the exits (per-leg and structure stop loss / take profit, trailing, forced
 * exit, manual), re-entry, pause / halt / resume, and the spec §9 payload. It implements
 * `StrategyEngine<RunState>` (engine-api.ts) — the seam the node strategy service drives.
 *
 * Pure and deterministic: time is `inputs.now`; quotes and orders are read through `inputs`; every
 * decision is an action returned, never performed. The state is plain JSON (persisted, restored).
 * The rules and every choice where the spec is silent: docs/strategy.md.
 */
import type { RunAction, RunAudit, RunInputs, RunQuote, RunStep, SelectedContract, StrategyEngine } from './engine-api';
import type { StrategyDefinition } from './definition';
import type { EntryLegWire, PositionRuntimeWire, RunStatus, StrategyRuntimeWire } from './runtime-payload';
import type { Exchange } from '../monitor/session-hours';
import { exchangeZone } from '../monitor/session-hours';
import { atTimeOfDay, forcedExitAt, nextEntryAt, reentryCutoffAt } from './schedule';
import {
  REFRESH_EVERY_MS,
  ladderAvg,
  ladderDone,
  ladderFilled,
  ladderHasOrder,
  newLadder,
  placeAction,
  stepLadder,
  stopLadder,
  type Ladder,
  type LadderConfig,
  type LadderCtx,
} from './ladder';
import { DateTime } from 'luxon';

/** An entry leg waits at most this long for a fresh quote before a limit attempt; then the entry fails closed. */
export const ENTRY_QUOTE_WAIT_MS = 30_000;
/** An exit leg (any exit: risk, forced, manual) waits at most this long for a fresh quote (REST refresh asked); then the rest goes at market. */
export const EXIT_QUOTE_WAIT_MS = 10_000;
/** Time between a finished exit that allows re-entry and the re-entry. */
export const REENTRY_COOLDOWN_MS = 60_000;
/** Market orders of an exit leg rejected before the exit fails (status `error`). */
export const EXIT_MARKET_REJECTS = 3;

/** What ended (or is ending) a leg / the structure. */
export type ExitKind = 'leg_stop_loss' | 'leg_take_profit' | 'stop_loss' | 'take_profit' | 'trailing' | 'forced' | 'manual' | 'entry_failed';
/** Exits after which a re-entry is allowed: risk exits only (not forced, manual, halt, or a failed entry). */
export const REENTRY_EXITS: readonly ExitKind[] = ['leg_stop_loss', 'leg_take_profit', 'stop_loss', 'take_profit', 'trailing'];

export interface LegRun {
  leg: number;
  right: 'call' | 'put';
  side: 'buy' | 'sell';
  lots: number;
  contract: SelectedContract | null;
  entry: Ladder | null;
  exit: Ladder | null;
  exitKind: ExitKind | null;
  exitReason: string | null;
  /** When the leg's entry was completely filled. */
  entryFilledAt: number | null;
}

export interface TrailingState {
  armed: boolean;
  levelPct: number | null;
  bestPct: number | null;
  lastChangeAt: number | null;
}

/** The run's state: plain JSON (numbers, strings, booleans, null, arrays, objects). */
export interface RunState {
  version: 1;
  runId: string;
  definition: StrategyDefinition;
  exchange: Exchange;
  status: RunStatus;
  statusReason: string | null;
  paused: boolean;
  createdAt: number;
  /** The next entry (the scheduled one while `waiting`, the re-entry while in `cooldown`); null when none. */
  scheduledEntryAt: number | null;
  /** 0: the first entry; k: the k-th re-entry. */
  entryNumber: number;
  firstEntryAt: number | null;
  entryStartedAt: number | null;
  entryFilledAt: number | null;
  forcedExitAt: number | null;
  /** `select_contracts` asked, `contractsSelected` not handed back yet. */
  selecting: boolean;
  legs: LegRun[];
  /** The entry is failing: its ladders are being stopped (then the filled legs are closed). */
  entryFailure: string | null;
  /** The structure's exit in progress / done. */
  exit: { kind: ExitKind; reason: string; at: number } | null;
  trailing: TrailingState;
  /** Risk exits waiting for fresh marks (null: not waiting). */
  riskWait: { since: number; symbols: string[]; refreshAt: number } | null;
  riskWaits: number;
  reentriesLeft: number;
  /** Realized P&L of the earlier entries (null: unknown). */
  realizedBefore: number | null;
  /** Notifications already raised (`<alert>:<entry number>`). */
  notified: string[];
  /** The run is over (no re-entry left or allowed). */
  finished: boolean;
  /** The current entry's P&L is in `realizedBefore` (its exit finished). */
  entryFolded: boolean;
}

interface Ctx extends LadderCtx {
  inputs: RunInputs;
}

const cloneLadder = (l: Ladder | null): Ladder | null => (l === null ? null : { ...l, place: l.place === null ? null : { ...l.place } });
/** A deep copy of the run's mutable parts (the definition is never changed, so it is shared). */
const clone = (s: RunState): RunState => ({
  ...s,
  legs: s.legs.map((l) => ({ ...l, contract: l.contract === null ? null : { ...l.contract }, entry: cloneLadder(l.entry), exit: cloneLadder(l.exit) })),
  exit: s.exit === null ? null : { ...s.exit },
  trailing: { ...s.trailing },
  riskWait: s.riskWait === null ? null : { ...s.riskWait, symbols: [...s.riskWait.symbols] },
  notified: [...s.notified],
});
const iso = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const secondsUntil = (at: number | null, now: number): number | null => (at === null ? null : Math.max(0, Math.ceil((at - now) / 1000)));
const sgn = (side: 'buy' | 'sell'): number => (side === 'sell' ? 1 : -1);
const round = (x: number, dp = 6): number => Math.round(x * 10 ** dp) / 10 ** dp;

function localText(s: RunState, ms: number): string {
  const zone = exchangeZone(s.exchange);
  return DateTime.fromMillis(ms, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm ZZZZ');
}

function newCtx(inputs: RunInputs): Ctx {
  return { inputs, now: inputs.now, quote: (sym) => inputs.quote(sym), order: (id) => inputs.order(id), actions: [], audit: [] };
}
const done = (s: RunState, ctx: Ctx): RunStep<RunState> => ({ state: s, actions: ctx.actions, audit: ctx.audit });

function entryCfg(s: RunState): LadderConfig {
  const e = s.definition.entry;
  return {
    maxLimits: e.max_retry,
    delayMs: e.retry_delay_ms,
    stepTicks: e.step_ticks,
    boundFraction: e.bound_spread_fraction,
    fallback: e.fallback,
    quoteWaitMs: ENTRY_QUOTE_WAIT_MS,
    onQuoteTimeout: 'fail',
    maxMarketRejects: 1,
    paused: s.paused || s.status === 'halted',
  };
}
function exitCfg(s: RunState): LadderConfig {
  const e = s.definition.entry;
  return {
    maxLimits: e.max_retry,
    delayMs: e.retry_delay_ms,
    stepTicks: e.step_ticks,
    boundFraction: 1,
    fallback: 'market',
    quoteWaitMs: EXIT_QUOTE_WAIT_MS,
    onQuoteTimeout: 'market',
    maxMarketRejects: EXIT_MARKET_REJECTS,
    paused: s.status === 'halted',
  };
}

function setStatus(s: RunState, ctx: Ctx, status: RunStatus, reason: string | null): void {
  const changed = s.status !== status || s.statusReason !== reason;
  if (s.status !== status) ctx.audit.push({ kind: 'status', message: `${s.status} → ${status}${reason ? `: ${reason}` : ''}` });
  s.status = status;
  if (changed) s.statusReason = reason;
}

function notify(s: RunState, ctx: Ctx, alert: 'entry_succeeded' | 'entry_failed' | 'trailing_stop_activated' | 'forced_exit', title: string, body: string): void {
  const key = `${alert}:${s.entryNumber}`;
  if (s.notified.includes(key)) return;
  s.notified.push(key);
  ctx.actions.push({ kind: 'notify', alert, title, body });
  ctx.audit.push({ kind: 'notify', message: `${alert}: ${title} — ${body}` });
}

const prefix = (s: RunState, purpose: 'e' | 'x', leg: number): string => `${s.runId}-${s.entryNumber === 0 ? '' : `r${s.entryNumber}`}${purpose}${leg}-`;

// ————————————————————————————————————————————— schedule

function schedule(s: RunState, ctx: Ctx, from: number): void {
  const at = nextEntryAt(s.definition, s.exchange, from);
  s.scheduledEntryAt = at;
  if (at === null) {
    setStatus(s, ctx, 'error', `no scheduled entry (${s.definition.schedule.entry_time} on ${s.definition.schedule.days.join(', ')}) on a trading day of ${s.exchange} within 30 days`);
    return;
  }
  setStatus(s, ctx, 'waiting', `waiting for the entry at ${localText(s, at)}`);
  ctx.audit.push({ kind: 'scheduled', message: `entry scheduled at ${localText(s, at)} (${iso(at)})` });
}

function startEntry(s: RunState, ctx: Ctx, why: string): void {
  s.entryStartedAt = ctx.now;
  s.firstEntryAt ??= ctx.now;
  s.entryFilledAt = null;
  s.forcedExitAt = forcedExitAt(s.definition, s.exchange, ctx.now);
  s.scheduledEntryAt = null;
  s.selecting = true;
  s.entryFailure = null;
  s.exit = null;
  s.trailing = { armed: false, levelPct: null, bestPct: null, lastChangeAt: null };
  s.riskWait = null;
  s.entryFolded = false;
  s.legs = s.definition.legs.map((l, i) => ({ leg: i, right: l.right, side: l.side, lots: l.lots, contract: null, entry: null, exit: null, exitKind: null, exitReason: null, entryFilledAt: null }));
  setStatus(s, ctx, 'entering', `selecting contracts (${why})`);
  ctx.actions.push({ kind: 'select_contracts' });
  ctx.audit.push({ kind: 'entry_start', message: `entry ${s.entryNumber === 0 ? '' : `(re-entry ${s.entryNumber}) `}started: ${why}; contracts asked` });
}

// ————————————————————————————————————————————— marks and P&L

interface Mark {
  quote: RunQuote | null;
  /** The fresh mid, or null. */
  mark: number | null;
}

function markOf(inputs: RunInputs, symbol: string): Mark {
  const q = inputs.quote(symbol);
  const ok = q !== null && q.fresh && q.bid !== null && q.ask !== null && q.bid > 0 && q.ask >= q.bid;
  return { quote: q, mark: ok ? (q.bid! + q.ask!) / 2 : null };
}

interface LegFigures {
  entryQty: number;
  entryAvg: number | null;
  exitQty: number;
  exitAvg: number | null;
  open: number;
  mark: Mark | null;
  /** Realized + unrealized of this leg in the current entry (null: unknown). */
  pnl: number | null;
  /** P&L per unit (points, sign: profit > 0), null when unknown. */
  points: number | null;
  pnlPct: number | null;
  multiplier: number;
}

function legFigures(l: LegRun, inputs: RunInputs): LegFigures | null {
  if (l.contract === null || l.entry === null) return null;
  const entryQty = ladderFilled(l.entry);
  if (entryQty <= 0) return null;
  const entryAvg = ladderAvg(l.entry);
  const exitQty = l.exit ? ladderFilled(l.exit) : 0;
  const exitAvg = l.exit ? ladderAvg(l.exit) : null;
  const open = entryQty - exitQty;
  const mark = open > 0 ? markOf(inputs, l.contract.symbol) : null;
  const mult = l.contract.multiplier;
  const s = sgn(l.side);
  let pnl: number | null = null;
  let points: number | null = null;
  if (entryAvg !== null && (exitQty === 0 || exitAvg !== null) && (open === 0 || (mark !== null && mark.mark !== null))) {
    const realized = exitQty > 0 ? s * (entryAvg - exitAvg!) * exitQty : 0;
    const unreal = open > 0 ? s * (entryAvg - mark!.mark!) * open : 0;
    pnl = (realized + unreal) * mult;
    points = (realized + unreal) / entryQty;
  }
  const pnlPct = pnl !== null && entryAvg !== null && entryAvg > 0 ? (pnl / (entryAvg * entryQty * mult)) * 100 : null;
  return { entryQty, entryAvg, exitQty, exitAvg, open, mark, pnl, points, pnlPct, multiplier: mult };
}

interface StructureFigures {
  pnl: number | null;
  pct: number | null;
  points: number | null;
  /** Open legs' symbols without a fresh mark. */
  stale: string[];
}

/** The current entry's structure: P&L (realized + unrealized), % of the combined premium |Σ signed entry premium|, points. */
function structureFigures(s: RunState, inputs: RunInputs): StructureFigures {
  const figs = s.legs.map((l) => ({ l, f: legFigures(l, inputs) })).filter((x) => x.f !== null) as { l: LegRun; f: LegFigures }[];
  const stale = figs.filter((x) => x.f.open > 0 && (x.f.mark === null || x.f.mark.mark === null)).map((x) => x.l.contract!.symbol);
  if (figs.length === 0) return { pnl: null, pct: null, points: null, stale };
  let pnl: number | null = 0;
  let premium: number | null = 0;
  let points: number | null = 0;
  const minQty = Math.min(...figs.map((x) => x.f.entryQty));
  for (const { l, f } of figs) {
    pnl = pnl === null || f.pnl === null ? null : pnl + f.pnl;
    premium = premium === null || f.entryAvg === null ? null : premium + sgn(l.side) * f.entryAvg * f.entryQty * f.multiplier;
    points = points === null || f.points === null ? null : points + f.points * (f.entryQty / minQty);
  }
  const pct = pnl !== null && premium !== null && Math.abs(premium) > 0 ? (pnl / Math.abs(premium)) * 100 : null;
  return { pnl, pct, points, stale };
}

// ————————————————————————————————————————————— entering

/** Entry phases: buy legs first (protection before selling), then sell legs. */
const entryPhase = (l: LegRun): 1 | 2 => (l.side === 'buy' ? 1 : 2);

function validateContracts(s: RunState, contracts: SelectedContract[]): string | null {
  for (let i = 0; i < s.definition.legs.length; i++) {
    const c = contracts.filter((x) => x.leg === i);
    if (c.length !== 1) return `leg ${i}: ${c.length === 0 ? 'no contract selected' : `${c.length} contracts selected`}`;
    const one = c[0]!;
    if (!one.symbol) return `leg ${i}: no symbol`;
    if (!(one.multiplier > 0)) return `leg ${i} ${one.symbol}: multiplier must be positive`;
    if (!(one.tick > 0)) return `leg ${i} ${one.symbol}: tick must be positive`;
  }
  const extra = contracts.find((c) => c.leg < 0 || c.leg >= s.definition.legs.length);
  return extra ? `contract ${extra.symbol} for leg ${extra.leg}, which the definition does not have` : null;
}

function stepEntering(s: RunState, ctx: Ctx): void {
  if (s.selecting) return;
  if (s.forcedExitAt !== null && ctx.now >= s.forcedExitAt) return beginExit(s, ctx, 'forced', forcedText(s));
  const cfg = entryCfg(s);
  if (s.entryFailure === null) {
    const phase1 = s.legs.filter((l) => entryPhase(l) === 1);
    for (const l of phase1) stepLadder(l.entry!, cfg, ctx);
    const phase1Filled = phase1.every((l) => l.entry!.status === 'filled');
    for (const l of s.legs) {
      if (entryPhase(l) === 2 && phase1Filled) stepLadder(l.entry!, cfg, ctx);
      if (l.entry!.status === 'filled' && l.entryFilledAt === null) {
        l.entryFilledAt = ctx.now;
        ctx.audit.push({ kind: 'leg_filled', message: `entry leg ${l.leg} ${l.contract!.symbol}: filled ${ladderFilled(l.entry!)} @ ${ladderAvg(l.entry!) ?? 'unknown price'}` });
      }
    }
    const failed = s.legs.find((l) => l.entry!.status === 'failed' || l.entry!.status === 'cancelled');
    if (failed) {
      s.entryFailure = `leg ${failed.leg} ${failed.contract!.symbol}: ${failed.entry!.reason ?? failed.entry!.status}`;
      ctx.audit.push({ kind: 'entry_failing', message: `entry failed (${s.entryFailure}); the other legs are stopped` });
      for (const l of s.legs) stopLadder(l.entry!, 'cancelled', `entry failed: ${s.entryFailure}`, ctx);
    } else if (s.legs.every((l) => l.entry!.status === 'filled')) {
      s.entryFilledAt = ctx.now;
      setStatus(s, ctx, 'live', 'live: entry filled');
      const desc = s.legs.map((l) => `${l.side} ${ladderFilled(l.entry!)} ${l.contract!.symbol} @ ${ladderAvg(l.entry!) ?? '?'}`).join(', ');
      ctx.audit.push({ kind: 'entry_filled', message: `entry filled: ${desc}` });
      notify(s, ctx, 'entry_succeeded', `${s.definition.name}: entry filled`, desc);
      return stepLive(s, ctx);
    } else {
      const working = s.legs.filter((l) => !ladderDone(l.entry!));
      const waiting = working.find((l) => l.entry!.quoteWaitSince !== null);
      setStatus(
        s,
        ctx,
        'entering',
        s.paused ? 'paused: no new entry attempts' : waiting ? (waiting.entry!.reason ?? 'waiting for a fresh quote') : `entry ladder working (${working.map((l) => `leg ${l.leg} attempt ${l.entry!.attempts}`).join(', ')})`,
      );
      return;
    }
  }
  // failing: let the ladders stop (cancels confirmed), then close what was filled
  for (const l of s.legs) stepLadder(l.entry!, cfg, ctx);
  if (!s.legs.every((l) => ladderDone(l.entry!))) return;
  const reason = s.entryFailure!;
  notify(s, ctx, 'entry_failed', `${s.definition.name}: entry failed`, reason);
  if (s.legs.some((l) => ladderFilled(l.entry!) > 0)) return beginExit(s, ctx, 'entry_failed', `entry failed (${reason}): closing the filled legs`);
  s.finished = true;
  s.reentriesLeft = 0;
  setStatus(s, ctx, 'error', `entry failed: ${reason}; no position was opened`);
}

// ————————————————————————————————————————————— live

const forcedText = (s: RunState): string => `forced exit ${s.definition.exits.forced_exit_time ?? ''} (${iso(s.forcedExitAt)})`;

function ruleHit(rule: { kind: 'pct' | 'points'; value: string } | null, pct: number | null, points: number | null, loss: boolean): boolean {
  if (rule === null) return false;
  const v = Number(rule.value);
  const x = rule.kind === 'pct' ? pct : points;
  if (x === null) return false;
  return loss ? x <= -v : x >= v;
}
const ruleText = (rule: { kind: 'pct' | 'points'; value: string }): string => (rule.kind === 'pct' ? `${rule.value}%` : `${rule.value} points`);

function legExit(s: RunState, ctx: Ctx, l: LegRun, kind: ExitKind, reason: string): void {
  l.exitKind = kind;
  l.exitReason = reason;
  ctx.audit.push({ kind: 'exit_trigger', message: `leg ${l.leg} ${l.contract?.symbol ?? ''}: ${reason}` });
}

function riskWaitFor(s: RunState, ctx: Ctx, stale: string[]): void {
  if (stale.length === 0) {
    if (s.riskWait !== null) {
      ctx.audit.push({ kind: 'risk_wait_end', message: `fresh marks after waiting ${ctx.now - s.riskWait.since} ms: risk exits evaluated again` });
      s.riskWait = null;
    }
    return;
  }
  if (s.riskWait === null) {
    s.riskWait = { since: ctx.now, symbols: stale, refreshAt: ctx.now };
    s.riskWaits++;
    ctx.audit.push({ kind: 'risk_wait', message: `stop loss / take profit / trailing not evaluated on a stale mark (${stale.join(', ')}): waiting for a fresh one, REST refresh asked` });
    for (const sym of stale) ctx.actions.push({ kind: 'refresh_quote', symbol: sym });
    return;
  }
  s.riskWait.symbols = stale;
  if (ctx.now - s.riskWait.refreshAt >= REFRESH_EVERY_MS) {
    s.riskWait.refreshAt = ctx.now;
    for (const sym of stale) ctx.actions.push({ kind: 'refresh_quote', symbol: sym });
  }
}

function stepLive(s: RunState, ctx: Ctx): void {
  if (s.forcedExitAt !== null && ctx.now >= s.forcedExitAt) return beginExit(s, ctx, 'forced', forcedText(s));
  const def = s.definition;
  const hasRules = def.exits.stop_loss !== null || def.exits.take_profit !== null || def.exits.trailing !== null || def.legs.some((l) => l.stop_loss !== null || l.take_profit !== null);
  const stale = new Set<string>();
  // per-leg stop loss / take profit on the leg's own premium (a fresh mark of that leg only)
  for (const l of s.legs) {
    if (l.exitKind !== null) continue;
    const legDef = def.legs[l.leg]!;
    if (legDef.stop_loss === null && legDef.take_profit === null) continue;
    const f = legFigures(l, ctx.inputs);
    if (f === null || f.open <= 0) continue;
    if (f.mark === null || f.mark.mark === null) {
      stale.add(l.contract!.symbol);
      continue;
    }
    const pts = f.entryAvg === null ? null : sgn(l.side) * (f.entryAvg - f.mark.mark);
    if (ruleHit(legDef.stop_loss, f.pnlPct, pts, true)) legExit(s, ctx, l, 'leg_stop_loss', `leg stop loss ${ruleText(legDef.stop_loss!)} (mark ${round(f.mark.mark, 4)}, entry ${round(f.entryAvg!, 4)})`);
    else if (ruleHit(legDef.take_profit, f.pnlPct, pts, false)) legExit(s, ctx, l, 'leg_take_profit', `leg take profit ${ruleText(legDef.take_profit!)} (mark ${round(f.mark.mark, 4)}, entry ${round(f.entryAvg!, 4)})`);
  }
  // structure rules and trailing: every open leg needs a fresh mark
  const st = structureFigures(s, ctx.inputs);
  const structRules = def.exits.stop_loss !== null || def.exits.take_profit !== null || def.exits.trailing !== null;
  if (structRules) for (const sym of st.stale) stale.add(sym);
  if (hasRules) riskWaitFor(s, ctx, [...stale]);
  const anyOpen = s.legs.some((l) => l.exitKind === null && (legFigures(l, ctx.inputs)?.open ?? 0) > 0);
  if (structRules && anyOpen && st.stale.length === 0 && st.pct !== null) {
    const pct = st.pct;
    if (ruleHit(def.exits.stop_loss, pct, st.points, true)) return beginExit(s, ctx, 'stop_loss', `stop loss ${ruleText(def.exits.stop_loss!)} on the combined premium (P&L ${round(pct, 2)}%)`);
    if (ruleHit(def.exits.take_profit, pct, st.points, false)) return beginExit(s, ctx, 'take_profit', `take profit ${ruleText(def.exits.take_profit!)} on the combined premium (P&L ${round(pct, 2)}%)`);
    const tr = def.exits.trailing;
    if (tr !== null) {
      const act = Number(tr.activation_pct);
      const dist = Number(tr.distance_pct);
      const t = s.trailing;
      if (!t.armed) {
        if (!s.paused && pct >= act) {
          t.armed = true;
          t.bestPct = round(pct);
          t.levelPct = round(pct - dist);
          t.lastChangeAt = ctx.now;
          ctx.audit.push({ kind: 'trailing', message: `trailing armed at P&L ${round(pct, 2)}% (activation ${act}%): level ${round(t.levelPct, 2)}%` });
          notify(s, ctx, 'trailing_stop_activated', `${def.name}: trailing stop armed`, `P&L ${round(pct, 2)}%, stop level ${round(t.levelPct, 2)}%`);
        }
      } else {
        if (!s.paused && pct > (t.bestPct ?? -Infinity)) {
          t.bestPct = round(pct);
          const level = round(pct - dist);
          if (t.levelPct === null || level > t.levelPct) {
            ctx.audit.push({ kind: 'trailing', message: `trailing level ${t.levelPct === null ? '—' : round(t.levelPct, 2)}% → ${round(level, 2)}% (best ${round(pct, 2)}%)` });
            t.levelPct = level;
            t.lastChangeAt = ctx.now;
          }
        }
        if (t.levelPct !== null && pct <= t.levelPct) return beginExit(s, ctx, 'trailing', `trailing stop: P&L ${round(pct, 2)}% at or below the level ${round(t.levelPct, 2)}%`);
      }
    }
  }
  // per-leg exits in progress
  stepExitLadders(s, ctx, false);
  if (allFlat(s)) return finishExit(s, ctx);
  if (s.status === 'live') {
    const exiting = s.legs.filter((l) => l.exitKind !== null && (legFigures(l, ctx.inputs)?.open ?? 0) > 0);
    setStatus(
      s,
      ctx,
      'live',
      s.riskWait !== null
        ? `live; risk exits waiting for a fresh mark of ${s.riskWait.symbols.join(', ')}`
        : exiting.length > 0
          ? `live; closing leg ${exiting.map((l) => l.leg).join(', ')}`
          : s.paused
            ? 'live (paused: no trailing moves; risk exits still act)'
            : 'live',
    );
  }
}

// ————————————————————————————————————————————— exiting

function beginExit(s: RunState, ctx: Ctx, kind: ExitKind, reason: string): void {
  s.exit = { kind, reason, at: ctx.now };
  for (const l of s.legs) {
    if (l.entry !== null && !ladderDone(l.entry)) stopLadder(l.entry, 'cancelled', `exit: ${reason}`, ctx);
    if (l.exitKind === null) {
      l.exitKind = kind;
      l.exitReason = reason;
    }
  }
  ctx.audit.push({ kind: 'exit_trigger', message: `exit (${kind}): ${reason}` });
  if (kind === 'forced') notify(s, ctx, 'forced_exit', `${s.definition.name}: forced exit`, reason);
  setStatus(s, ctx, 'exiting', `exiting: ${reason}`);
  stepExiting(s, ctx);
}

/** A leg with nothing open and no order working. */
function legFlat(l: LegRun): boolean {
  if (l.entry === null) return true;
  if (!ladderDone(l.entry)) return false;
  const open = ladderFilled(l.entry) - (l.exit ? ladderFilled(l.exit) : 0);
  return open <= 0 && (l.exit === null || ladderDone(l.exit));
}
const allFlat = (s: RunState): boolean => s.legs.every(legFlat);

/** Steps the legs' exit ladders (creating them once the leg's entry ladder is done); `structure`: shorts bought back before longs are sold. */
function stepExitLadders(s: RunState, ctx: Ctx, structure: boolean): void {
  const ecfg = entryCfg(s);
  const xcfg = exitCfg(s);
  const shortsOpen = () => s.legs.some((l) => l.side === 'sell' && !legFlat(l));
  for (const l of [...s.legs].sort((a, b) => (a.side === b.side ? a.leg - b.leg : a.side === 'sell' ? -1 : 1))) {
    if (l.entry === null || l.exitKind === null) continue;
    if (!ladderDone(l.entry)) {
      stepLadder(l.entry, ecfg, ctx);
      if (!ladderDone(l.entry)) continue;
    }
    const open = ladderFilled(l.entry) - (l.exit ? ladderFilled(l.exit) : 0);
    if (l.exit === null) {
      if (open <= 0) continue;
      if (structure && l.side === 'buy' && shortsOpen()) continue; // longs are sold once the shorts are bought back
      l.exit = newLadder('exit', l.leg, prefix(s, 'x', l.leg), l.contract!.symbol, l.side === 'sell' ? 'buy' : 'sell', open, l.contract!.tick);
      ctx.audit.push({ kind: 'exit_leg', message: `leg ${l.leg} ${l.contract!.symbol}: closing ${open} (${l.exitReason})` });
    }
    stepLadder(l.exit, xcfg, ctx);
  }
}

function stepExiting(s: RunState, ctx: Ctx): void {
  stepExitLadders(s, ctx, true);
  const failed = s.legs.find((l) => l.exit !== null && (l.exit.status === 'failed' || l.exit.status === 'cancelled'));
  if (failed && s.legs.every((l) => l.exit === null || ladderDone(l.exit))) {
    s.finished = true;
    s.reentriesLeft = 0;
    setStatus(s, ctx, 'error', `exit failed on leg ${failed.leg} ${failed.exit!.symbol}: ${failed.exit!.reason ?? failed.exit!.status}; the position is still open`);
    return;
  }
  if (allFlat(s)) return finishExit(s, ctx);
  const waiting = s.legs.find((l) => l.exit !== null && l.exit.quoteWaitSince !== null);
  setStatus(s, ctx, 'exiting', `exiting: ${s.exit?.reason ?? 'closing'}${waiting ? `; ${waiting.exit!.reason}` : ''}`);
}

function finishExit(s: RunState, ctx: Ctx): void {
  const f = structureFigures(s, ctx.inputs);
  if (!s.entryFolded) s.realizedBefore = s.realizedBefore === null || f.pnl === null ? null : round(s.realizedBefore + f.pnl, 6);
  s.entryFolded = true;
  const kinds = s.legs.filter((l) => l.entry !== null && ladderFilled(l.entry) > 0).map((l) => l.exitKind);
  const reason = s.exit?.reason ?? s.legs.map((l) => l.exitReason).filter((x) => x !== null).join('; ');
  ctx.audit.push({ kind: 'exit_done', message: `flat: ${reason} (realized ${f.pnl === null ? 'unknown' : round(f.pnl, 2)})` });
  if (s.exit?.kind === 'entry_failed') {
    s.finished = true;
    s.reentriesLeft = 0;
    setStatus(s, ctx, 'error', `entry failed (${s.entryFailure ?? 'see the audit'}); the filled legs were closed`);
    return;
  }
  const riskOnly = kinds.length > 0 && kinds.every((k) => k !== null && REENTRY_EXITS.includes(k));
  const cutoff = reentryCutoffAt(s.definition, s.exchange, s.firstEntryAt ?? ctx.now);
  const at = ctx.now + REENTRY_COOLDOWN_MS;
  if (s.reentriesLeft > 0 && riskOnly && at < cutoff) {
    s.scheduledEntryAt = at;
    setStatus(s, ctx, 'cooldown', `cooldown after ${reason}: re-entry ${s.entryNumber + 1} of ${s.definition.reentry.count} at ${localText(s, at)}`);
    ctx.audit.push({ kind: 'reentry_scheduled', message: `re-entry scheduled at ${iso(at)} (${s.reentriesLeft} left)` });
    return;
  }
  const why =
    s.reentriesLeft <= 0 ? 'no re-entry left' : !riskOnly ? `no re-entry after a ${kinds.find((k) => k === null || !REENTRY_EXITS.includes(k)) ?? 'non-risk'} exit` : `past the re-entry cut-off ${iso(cutoff)}`;
  s.finished = true;
  s.reentriesLeft = 0;
  s.scheduledEntryAt = null;
  setStatus(s, ctx, 'cooldown', `finished: ${reason}; ${why}`);
}

// ————————————————————————————————————————————— advance

function advanceIn(s: RunState, ctx: Ctx): void {
  switch (s.status) {
    case 'waiting': {
      if (s.scheduledEntryAt === null) return;
      const sameDayForced = s.definition.exits.forced_exit_time === null ? null : atTimeOfDay(s.exchange, s.scheduledEntryAt, s.definition.exits.forced_exit_time);
      if (sameDayForced !== null && ctx.now >= sameDayForced) {
        ctx.audit.push({ kind: 'entry_missed', message: `the entry of ${localText(s, s.scheduledEntryAt)} was not made before its forced exit time (${s.paused ? 'paused' : 'not evaluated'}): next day` });
        return schedule(s, ctx, ctx.now);
      }
      if (ctx.now < s.scheduledEntryAt) {
        if (s.paused) setStatus(s, ctx, 'waiting', `paused: the entry at ${localText(s, s.scheduledEntryAt)} will not start while paused`);
        return;
      }
      if (s.paused) return setStatus(s, ctx, 'waiting', 'paused: the scheduled entry waits for resume');
      return startEntry(s, ctx, `scheduled ${localText(s, s.scheduledEntryAt)}`);
    }
    case 'cooldown': {
      if (s.finished || s.scheduledEntryAt === null || ctx.now < s.scheduledEntryAt || s.paused) return;
      const cutoff = reentryCutoffAt(s.definition, s.exchange, s.firstEntryAt ?? ctx.now);
      if (ctx.now >= cutoff) {
        s.finished = true;
        s.reentriesLeft = 0;
        s.scheduledEntryAt = null;
        return setStatus(s, ctx, 'cooldown', `finished: past the re-entry cut-off ${iso(cutoff)}`);
      }
      s.reentriesLeft--;
      s.entryNumber++;
      return startEntry(s, ctx, `re-entry ${s.entryNumber} of ${s.definition.reentry.count}`);
    }
    case 'entering':
      return stepEntering(s, ctx);
    case 'live':
      return stepLive(s, ctx);
    case 'exiting':
      return stepExiting(s, ctx);
    case 'halted': {
      // only the cancels of the halt are carried through
      const cfg = { ...exitCfg(s), paused: true };
      for (const l of s.legs) for (const lad of [l.entry, l.exit]) if (lad !== null && lad.stop !== null && !ladderDone(lad)) stepLadder(lad, cfg, ctx);
      return;
    }
    case 'error':
      return;
  }
}

function findLadder(s: RunState, clientOrderId: string): Ladder | null {
  for (const l of s.legs) for (const lad of [l.entry, l.exit]) if (lad !== null && lad.orderId === clientOrderId) return lad;
  return null;
}

// ————————————————————————————————————————————— payload

function entryLegWire(s: RunState, l: LegRun): EntryLegWire {
  const lad = l.entry;
  return {
    leg: l.leg,
    right: l.right,
    side: l.side,
    symbol: l.contract?.symbol ?? null,
    expiry: l.contract?.expiry ?? null,
    strike: l.contract?.strike ?? null,
    delta: l.contract?.delta ?? null,
    delta_source: l.contract?.deltaSource ?? null,
    delta_age_ms: l.contract?.deltaAgeMs ?? null,
    quantity: l.lots,
    filled_quantity: lad ? ladderFilled(lad) : 0,
    method: lad?.method ?? null,
    attempts: lad?.attempts ?? 0,
    last_price: lad?.lastPrice ?? null,
    bound_price: lad?.boundPrice ?? null,
    status: lad?.status ?? 'pending',
    client_order_id: lad?.orderId ?? null,
    reason: lad?.reason ?? null,
  };
}

function priceLevel(entry: number | null, rule: { kind: 'pct' | 'points'; value: string } | null, side: 'buy' | 'sell', loss: boolean): number | null {
  if (entry === null || rule === null) return null;
  const v = Number(rule.value);
  const move = rule.kind === 'pct' ? (entry * v) / 100 : v;
  // a short loses when the price rises; a long when it falls
  const up = side === 'sell' ? loss : !loss;
  const p = up ? entry + move : entry - move;
  return p < 0 ? 0 : round(p, 4);
}

function positionWire(s: RunState, l: LegRun, inputs: RunInputs): PositionRuntimeWire | null {
  const f = legFigures(l, inputs);
  if (f === null) return null;
  const legDef = s.definition.legs[l.leg]!;
  const q = f.mark?.quote ?? (l.contract ? inputs.quote(l.contract.symbol) : null);
  const mark = f.mark?.mark ?? null;
  return {
    leg: l.leg,
    symbol: l.contract!.symbol,
    side: l.side,
    quantity: f.open,
    entry_time: iso(l.entryFilledAt ?? l.entry?.lastFillAt ?? null),
    entry_price: f.entryAvg === null ? null : round(f.entryAvg, 4),
    current_price: f.open > 0 && mark !== null ? round(mark, 4) : null,
    quote_age_ms: q?.ageMs ?? null,
    quote_fresh: q?.fresh ?? false,
    pnl_abs: f.pnl === null ? null : round(f.pnl, 2),
    pnl_pct: f.pnlPct === null ? null : round(f.pnlPct, 2),
    stop_loss_price: priceLevel(f.entryAvg, legDef.stop_loss, l.side, true),
    take_profit_price: priceLevel(f.entryAvg, legDef.take_profit, l.side, false),
    exit_reason: l.exitReason,
  };
}

// ————————————————————————————————————————————— the engine

/** See StrategyEngine.placeWanted: the order is its ladder's current one, still being placed, the ladder not stopping, the run not halted. */
export function placeWanted(s: RunState, clientOrderId: string): boolean {
  if (s.status === 'halted') return false;
  for (const leg of s.legs) {
    for (const l of [leg.entry, leg.exit]) {
      if (l && l.orderId === clientOrderId) return l.order === 'placing' && l.stop === null;
    }
  }
  return false;
}

export const strategyEngine: StrategyEngine<RunState> = {
  placeWanted,
  finished: (s) => s.finished || s.status === 'halted' || (s.status === 'error' && !hasWorkingOrders(s)),
  newRun(runId, definition, exchange, now, opts) {
    const s: RunState = {
      version: 1,
      runId,
      definition,
      exchange,
      status: 'waiting',
      statusReason: null,
      paused: false,
      createdAt: now,
      scheduledEntryAt: null,
      entryNumber: 0,
      firstEntryAt: null,
      entryStartedAt: null,
      entryFilledAt: null,
      forcedExitAt: null,
      selecting: false,
      legs: definition.legs.map((l, i) => ({ leg: i, right: l.right, side: l.side, lots: l.lots, contract: null, entry: null, exit: null, exitKind: null, exitReason: null, entryFilledAt: null })),
      entryFailure: null,
      exit: null,
      trailing: { armed: false, levelPct: null, bestPct: null, lastChangeAt: null },
      riskWait: null,
      riskWaits: 0,
      reentriesLeft: definition.reentry.count,
      realizedBefore: 0,
      notified: [],
      finished: false,
      entryFolded: false,
    };
    const ctx = newCtx({ now, quote: () => null, order: () => null });
    ctx.audit.push({ kind: 'created', message: `run ${runId} of ${definition.id} on ${definition.account} (${exchange})` });
    if (opts?.enterNow) startEntry(s, ctx, 'enter now');
    else schedule(s, ctx, now);
    return done(s, ctx);
  },

  advance(given, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    advanceIn(s, ctx);
    return done(s, ctx);
  },

  contractsSelected(given, result, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    if (s.status !== 'entering' || !s.selecting) {
      ctx.audit.push({ kind: 'ignored', message: `contracts handed back while ${s.status}${s.selecting ? '' : ' (none asked)'}: ignored` });
      return done(s, ctx);
    }
    s.selecting = false;
    const why = result.ok ? validateContracts(s, result.contracts) : result.reason;
    if (why !== null || !result.ok) {
      const reason = `contract selection failed: ${why ?? 'no reason given'}`;
      ctx.audit.push({ kind: 'select_failed', message: `${reason}; no entry (fails closed)` });
      notify(s, ctx, 'entry_failed', `${s.definition.name}: no entry`, reason);
      s.finished = true;
      s.reentriesLeft = 0;
      setStatus(s, ctx, 'error', `${reason}; no entry`);
      return done(s, ctx);
    }
    for (const l of s.legs) {
      const c = result.contracts.find((x) => x.leg === l.leg)!;
      l.contract = { ...c };
      l.entry = newLadder('entry', l.leg, prefix(s, 'e', l.leg), c.symbol, l.side, l.lots, c.tick);
      ctx.audit.push({ kind: 'selected', message: `leg ${l.leg}: ${l.side} ${l.lots} ${c.symbol} (strike ${c.strike}, expiry ${c.expiry}, delta ${c.delta} from ${c.deltaSource}, ${c.deltaAgeMs} ms old)` });
    }
    setStatus(s, ctx, 'entering', 'entry ladder starting');
    advanceIn(s, ctx);
    return done(s, ctx);
  },

  placeOutcome(given, clientOrderId, outcome, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    const lad = findLadder(s, clientOrderId);
    if (lad === null || (lad.order !== 'placing' && lad.order !== 'unknown')) {
      ctx.audit.push({ kind: 'ignored', message: `outcome ${outcome.kind} of ${clientOrderId}: no attempt of this run is waiting for it` });
      return done(s, ctx);
    }
    const tag = `${lad.purpose} leg ${lad.leg} ${lad.symbol} attempt ${lad.attempts} (${clientOrderId})`;
    switch (outcome.kind) {
      case 'accepted':
        lad.order = 'working';
        ctx.audit.push({ kind: 'outcome', message: `${tag}: accepted` });
        break;
      case 'unknown':
        lad.order = 'unknown';
        lad.reason = `outcome unknown: ${outcome.reason}; no further attempt on this leg until the journal resolves it`;
        ctx.audit.push({ kind: 'outcome', message: `${tag}: ${lad.reason}` });
        break;
      case 'rejected':
        lad.order = 'none';
        lad.reason = `attempt ${lad.attempts} rejected: ${outcome.reason}`;
        if (lad.method === 'market') lad.marketRejects++;
        ctx.audit.push({ kind: 'outcome', message: `${tag}: rejected by the venue: ${outcome.reason}` });
        break;
      case 'refused':
        // nothing was sent (no journal row)
        lad.order = 'none';
        ctx.audit.push({ kind: 'outcome', message: `${tag}: refused (nothing sent): ${outcome.reason}` });
        if (lad.purpose === 'entry') {
          lad.status = 'failed';
          lad.reason = `entry refused by the gateway: ${outcome.reason}`;
        } else {
          // an exit is tried again after the delay with the same client order id (nothing holds it)
          if (lad.method === 'limit') lad.limitAttempts--;
          lad.attempts--;
          lad.orderId = lad.attempts > 0 ? `${lad.idPrefix}${lad.attempts}` : null;
          lad.nextAt = ctx.now + s.definition.entry.retry_delay_ms;
          lad.reason = `exit refused by the gateway: ${outcome.reason}; tried again at ${iso(lad.nextAt)}`;
        }
        break;
    }
    advanceIn(s, ctx);
    return done(s, ctx);
  },

  manualExit(given, leg, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    if (s.status === 'live' || (s.status === 'entering' && leg === undefined && !s.selecting)) {
      if (leg === undefined) {
        beginExit(s, ctx, 'manual', 'manual exit (all legs)');
        return done(s, ctx);
      }
      const l = s.legs[leg];
      if (l === undefined || l.exitKind !== null || (legFigures(l, inputs)?.open ?? 0) <= 0) {
        ctx.audit.push({ kind: 'ignored', message: `manual exit of leg ${leg}: ${l === undefined ? 'no such leg' : l.exitKind !== null ? 'already exiting' : 'nothing open'}` });
        return done(s, ctx);
      }
      legExit(s, ctx, l, 'manual', `manual exit (leg ${leg})`);
      advanceIn(s, ctx);
      return done(s, ctx);
    }
    if (s.status === 'entering' && s.selecting && leg === undefined) {
      // nothing placed yet: the entry is dropped
      s.selecting = false;
      s.exit = { kind: 'manual', reason: 'manual exit before any order', at: ctx.now };
      for (const l of s.legs) l.exitKind = 'manual';
      finishExit(s, ctx);
      return done(s, ctx);
    }
    ctx.audit.push({ kind: 'ignored', message: `manual exit${leg === undefined ? '' : ` of leg ${leg}`} while ${s.status}: ${s.status === 'entering' ? 'per-leg exits only once live (use exit all)' : s.status === 'exiting' ? 'already exiting' : 'nothing to exit'}` });
    return done(s, ctx);
  },

  pause(given, paused, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    if (s.paused !== paused) {
      s.paused = paused;
      ctx.audit.push({ kind: paused ? 'paused' : 'unpaused', message: paused ? 'paused: no new entry attempts and no trailing moves; risk exits, forced and manual exits still act' : 'resumed (unpaused)' });
    }
    advanceIn(s, ctx);
    return done(s, ctx);
  },

  halt(given, reason, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    if (s.status === 'halted') return done(s, ctx);
    for (const l of s.legs) for (const lad of [l.entry, l.exit]) if (lad !== null && !ladderDone(lad)) stopLadder(lad, 'cancelled', `halted: ${reason}`, ctx);
    s.selecting = false;
    s.scheduledEntryAt = null;
    s.finished = true;
    setStatus(s, ctx, 'halted', `halted: ${reason} (working orders cancelled; positions kept)`);
    return done(s, ctx);
  },

  resume(given, inputs) {
    const s = clone(given);
    const ctx = newCtx(inputs);
    ctx.audit.push({ kind: 'resumed', message: `resumed after a restart while ${s.status}` });
    if (s.status === 'entering' && s.selecting) ctx.actions.push({ kind: 'select_contracts' });
    for (const l of s.legs)
      for (const lad of [l.entry, l.exit]) {
        if (lad === null || lad.orderId === null) continue;
        if (lad.order === 'placing') {
          const v = inputs.order(lad.orderId);
          if (v === null && lad.place !== null && s.status !== 'halted') {
            // the journal never got it (commit before send): the same attempt, the same id
            ctx.actions.push(placeAction(lad, lad.place));
            lad.nextAt = ctx.now + s.definition.entry.retry_delay_ms;
            ctx.audit.push({ kind: 'resent', message: `${lad.purpose} leg ${lad.leg}: ${lad.orderId} is not in the journal: placed again with the same id` });
          } else if (v !== null) {
            lad.order = v.status === 'unknown' || v.status === 'pending_submit' ? 'unknown' : 'working';
            ctx.audit.push({ kind: 'order_adopted', message: `${lad.purpose} leg ${lad.leg}: ${lad.orderId} is ${v.status} in the journal: adopted, not sent again` });
          }
        } else if (lad.order === 'cancelling') lad.cancelSentAt = null; // re-sent if the order is still working
      }
    advanceIn(s, ctx);
    return done(s, ctx);
  },

  payload(s, inputs) {
    const now = inputs.now;
    const legs = s.legs.map((l) => entryLegWire(s, l));
    const st = structureFigures(s, inputs);
    const methods = s.legs.map((l) => l.entry?.method ?? null);
    const waitingEntry = (s.status === 'waiting' || (s.status === 'cooldown' && !s.finished)) && s.scheduledEntryAt !== null;
    const plannedExit =
      s.status === 'waiting' && s.scheduledEntryAt !== null
        ? forcedExitAt(s.definition, s.exchange, s.scheduledEntryAt)
        : s.status === 'entering' || s.status === 'live' || s.status === 'exiting'
          ? s.forcedExitAt
          : null;
    const active = s.status === 'entering' || s.status === 'live' || s.status === 'exiting';
    // realized of earlier entries + this entry's (already in realizedBefore once its exit finished); null before any fill
    const traded = s.entryNumber > 0 || s.legs.some((l) => legFigures(l, inputs) !== null);
    const total = !traded || s.realizedBefore === null ? null : s.entryFolded ? s.realizedBefore : st.pnl === null ? null : s.realizedBefore + st.pnl;
    const tr = s.definition.exits.trailing;
    const exitReasons = s.legs.map((l) => l.exitReason).filter((x): x is string => x !== null);
    return {
      run_id: s.runId,
      strategy_id: s.definition.id,
      account: s.definition.account,
      status: s.status,
      status_reason: s.statusReason,
      scheduled_entry_at: iso(s.status === 'waiting' || waitingEntry ? s.scheduledEntryAt : (s.entryStartedAt ?? s.scheduledEntryAt)),
      time_to_entry: waitingEntry ? secondsUntil(s.scheduledEntryAt, now) : null,
      entry: {
        method: methods.includes('market') ? 'market' : methods.includes('limit') ? 'limit' : null,
        attempts: Math.max(0, ...s.legs.map((l) => l.entry?.attempts ?? 0)),
        timestamp: iso(s.entryStartedAt),
        legs,
      },
      positions: s.legs.map((l) => positionWire(s, l, inputs)).filter((p): p is PositionRuntimeWire => p !== null),
      strategy: {
        total_pnl: total === null ? null : round(total, 2),
        total_pnl_pct: st.pct === null ? null : round(st.pct, 2),
        exit_time: iso(plannedExit),
        time_to_exit: active ? secondsUntil(plannedExit, now) : null,
        trailing:
          tr === null
            ? null
            : {
                activation_pct: Number(tr.activation_pct),
                distance_pct: Number(tr.distance_pct),
                armed: s.trailing.armed,
                level_pct: s.trailing.levelPct,
                best_pct: s.trailing.bestPct,
                last_change_at: iso(s.trailing.lastChangeAt),
              },
        exit_reason: s.exit?.reason ?? (exitReasons.length > 0 ? exitReasons.join('; ') : null),
        reentries_left: s.reentriesLeft,
        paused: s.paused,
        config: s.definition,
      },
      updated_at: new Date(now).toISOString(),
    } satisfies StrategyRuntimeWire;
  },

  symbols(s) {
    const out: string[] = [];
    const active = s.status === 'entering' || s.status === 'live' || s.status === 'exiting';
    for (const l of s.legs) if (l.contract !== null && !out.includes(l.contract.symbol) && (active || !legFlat(l))) out.push(l.contract.symbol);
    return out;
  },
};

/**
 * The earliest time at which `advance` may decide something without any quote or order change (a
 * scheduled entry, a forced exit, a ladder's next attempt, a cancel asked again, the end of a bounded
 * wait, a refresh asked again); null when nothing is timed. The service may arm its timer for it
 * (calling `advance` more often is harmless).
 */
export function nextWakeAt(s: RunState): number | null {
  const t: number[] = [];
  const delay = s.definition.entry.retry_delay_ms;
  if ((s.status === 'waiting' || (s.status === 'cooldown' && !s.finished)) && s.scheduledEntryAt !== null) {
    t.push(s.scheduledEntryAt);
    if (s.status === 'waiting' && s.definition.exits.forced_exit_time !== null) t.push(atTimeOfDay(s.exchange, s.scheduledEntryAt, s.definition.exits.forced_exit_time));
  }
  const active = s.status === 'entering' || s.status === 'live' || s.status === 'exiting';
  if (active && s.forcedExitAt !== null) t.push(s.forcedExitAt);
  if (active && s.riskWait !== null) t.push(s.riskWait.refreshAt + REFRESH_EVERY_MS);
  if (active || s.status === 'halted')
    for (const l of s.legs)
      for (const lad of [l.entry, l.exit]) {
        if (lad === null || ladderDone(lad)) continue;
        if (lad.nextAt !== null) t.push(lad.nextAt);
        if (lad.cancelSentAt !== null) t.push(lad.cancelSentAt + delay);
        if (lad.quoteWaitSince !== null) t.push(lad.quoteWaitSince + (lad.purpose === 'entry' ? ENTRY_QUOTE_WAIT_MS : EXIT_QUOTE_WAIT_MS));
        if (lad.quoteWaitSince !== null && lad.refreshAt !== null) t.push(lad.refreshAt + REFRESH_EVERY_MS);
      }
  return t.length === 0 ? null : Math.min(...t);
}

/** Whether any ladder of the run has an order placed and not known to be gone (the service can show it). */
export const hasWorkingOrders = (s: RunState): boolean => s.legs.some((l) => (l.entry !== null && ladderHasOrder(l.entry)) || (l.exit !== null && ladderHasOrder(l.exit)));

export type { RunAction, RunAudit };
