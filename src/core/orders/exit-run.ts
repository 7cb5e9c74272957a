/**
 * Manual exits (issue 16 item 7; the ladder of spec §9): a pure, clock-driven state machine that
 * closes positions through the order gateway. The node runner (app/trading/exit-runner.ts) feeds it
 * the time, the quotes and the journal's view of its orders, carries out the actions it returns, and
 * hands back each action's result.
 *
 * - Legs: every non-flat position of the target. A short is bought back (phase 1); a long is sold
 *   (phase 2). Phase 2 starts only when every phase-1 leg is filled: longs are never sold while a
 *   short of the exit is still open. If a phase-1 leg fails, the longs are not sold (the run fails).
 * - Each leg: a limit order at the mid, then every `retryDelayMs` one tick further toward the far
 *   side (buy → the ask, sell → the bid; the new price is never less aggressive than the current
 *   mid and never past the far side), at most `steps` times; after the last step's delay the limit is
 *   cancelled and, once the venue confirms the cancel, the remainder goes as a market order.
 *   (Cancel + market rather than a replace to market: the gateway's replace keeps the order type.)
 * - Tick: 0.05 for an option (OCC symbol) priced at 3.00 or more, else 0.01 (the US option rule for
 *   the penny pilot's classes above 3.00 is 0.05; stocks trade in pennies). Mid rounds to a tick
 *   toward the far side.
 * - A stale quote is never acted on (spec §2): a leg that needs a price (the first limit, a step, the
 *   market fallback) waits for a fresh quote; the leg records that it waited (`waits`, and its reason).
 *
 * Quantities are exact (bigint scaled by QTY_DP); prices are whole cents (numbers from the quote
 * cache's bid/ask, rounded to the cent).
 */
import { QTY_DP, scaledToString } from '../model/money';
import type { OrderStatus } from './types';
import { looksLikeOcc } from '../model/occ';

/** What an exit closes (the wire's ExitTarget). */
export type ExitTarget = { kind: 'position'; symbol: string } | { kind: 'structure'; structure_id: string } | { kind: 'all' };
export type ExitLegStatus = 'waiting' | 'working' | 'filled' | 'failed' | 'cancelled';
export type ExitRunStatus = 'working' | 'done' | 'failed' | 'cancelled';

export interface ExitConfig {
  /** Limit steps after the first price at mid (default 3). */
  steps: number;
  /** Time between steps (default 2 s). */
  retryDelayMs: number;
}

export const DEFAULT_EXIT_CONFIG: ExitConfig = { steps: 3, retryDelayMs: 2000 };

/** One position to close: signed quantity (long > 0), scaled by QTY_DP. */
export interface ExitPosition {
  symbol: string;
  quantity: bigint;
}

type Stage = 'idle' | 'limit' | 'cancelling' | 'market' | 'done';

export interface ExitLeg {
  symbol: string;
  side: 'buy' | 'sell';
  /** Absolute quantity to close (QTY_DP). */
  quantity: bigint;
  phase: 1 | 2;
  method: 'limit' | 'market';
  /** Orders / prices sent (first limit, each step, the market order). */
  attempts: number;
  /** Limit steps taken after the first price. */
  steps: number;
  /** Last limit price sent, in cents. */
  lastPriceCents: number | null;
  clientOrderId: string | null;
  /** Filled by earlier orders of this leg (the limit cancelled before the market order). */
  filledBefore: bigint;
  /** Filled by the current order, as the journal reports it. */
  filled: bigint;
  status: ExitLegStatus;
  reason: string | null;
  stage: Stage;
  /** When the next step (or cancel re-try) is due. */
  nextAt: number | null;
  /** Times the leg waited for a fresh quote before acting. */
  waits: number;
  /** Set while waiting for a fresh quote. */
  waitingSince: number | null;
  /** An action of this leg is being carried out (its result not handed back yet). */
  inFlight: boolean;
}

export interface ExitRun {
  id: string;
  account: string;
  target: ExitTarget;
  status: ExitRunStatus;
  legs: ExitLeg[];
  startedAt: number;
  finishedAt: number | null;
  reason: string | null;
  config: ExitConfig;
}

/** What the runner must do. `leg` indexes `run.legs`. */
export type ExitAction =
  | { kind: 'place'; leg: number; symbol: string; side: 'buy' | 'sell'; quantity: string; orderType: 'limit' | 'market'; limitPrice: string | null }
  | { kind: 'replace'; leg: number; clientOrderId: string; limitPrice: string }
  | { kind: 'cancel'; leg: number; clientOrderId: string };

/** A leg's quote now: bid/ask (null when not quoted) and whether it is fresh (under the stale threshold). */
export interface ExitQuote {
  bid: number | null;
  ask: number | null;
  fresh: boolean;
}

/** The journal's view of one of the run's orders. */
export interface ExitOrderView {
  status: OrderStatus;
  /** Filled across the order's venue orders (QTY_DP). */
  filled: bigint;
  /** A command on the order is in flight or unknown (the gateway settles it). */
  pending: boolean;
  reason: string | null;
}

export interface ExitInputs {
  now: number;
  quote(symbol: string): ExitQuote | null;
  order(clientOrderId: string): ExitOrderView | null;
}

/** A carried-out action's result: `ok` (with the order's id for a place), `failed` (the leg fails), `retry` (nothing changed; decided again later). */
export type ExitActionResult = { kind: 'ok'; clientOrderId?: string } | { kind: 'failed'; reason: string } | { kind: 'retry'; reason: string };


/** The price increment for a symbol at a price (cents): 5 for an option at 3.00 or more, else 1. */
export function tickCents(symbol: string, priceCents: number): number {
  return looksLikeOcc(symbol) && priceCents >= 300 ? 5 : 1;
}

const centsOf = (price: number | null): number | null => (price === null || !Number.isFinite(price) || price <= 0 ? null : Math.round(price * 100));
export const priceText = (cents: number): string => (cents / 100).toFixed(2);

/** The legs closing `positions`: shorts bought back (phase 1) first, then longs sold (phase 2); flat ones skipped. */
export function planExitLegs(positions: readonly ExitPosition[]): ExitLeg[] {
  const legs: ExitLeg[] = [];
  for (const p of positions) {
    if (p.quantity === 0n) continue;
    const short = p.quantity < 0n;
    legs.push({
      symbol: p.symbol,
      side: short ? 'buy' : 'sell',
      quantity: short ? -p.quantity : p.quantity,
      phase: short ? 1 : 2,
      method: 'limit',
      attempts: 0,
      steps: 0,
      lastPriceCents: null,
      clientOrderId: null,
      filledBefore: 0n,
      filled: 0n,
      status: 'waiting',
      reason: null,
      stage: 'idle',
      nextAt: null,
      waits: 0,
      waitingSince: null,
      inFlight: false,
    });
  }
  return legs.sort((a, b) => a.phase - b.phase || a.symbol.localeCompare(b.symbol));
}

export function newExitRun(id: string, account: string, target: ExitTarget, positions: readonly ExitPosition[], now: number, config: ExitConfig = DEFAULT_EXIT_CONFIG): ExitRun {
  const legs = planExitLegs(positions);
  const empty = legs.length === 0;
  return { id, account, target, status: empty ? 'done' : 'working', legs, startedAt: now, finishedAt: empty ? now : null, reason: empty ? 'nothing to close: no open position in the target' : null, config };
}

const copy = (run: ExitRun): ExitRun => ({ ...run, legs: run.legs.map((l) => ({ ...l })) });

/** The limit price for a leg from a quote: mid, one tick further per step from the last price, within the far side. */
function limitPrice(leg: ExitLeg, q: ExitQuote, stepping: boolean): number | null {
  const bid = centsOf(q.bid);
  const ask = centsOf(q.ask);
  if (bid === null || ask === null || ask < bid) return null;
  const mid = (bid + ask) / 2;
  const tick = tickCents(leg.symbol, Math.round(mid));
  if (leg.side === 'buy') {
    let p = Math.ceil(mid / tick) * tick;
    if (stepping && leg.lastPriceCents !== null) p = Math.max(p, leg.lastPriceCents + tick);
    return Math.min(p, ask);
  }
  let p = Math.floor(mid / tick) * tick;
  if (stepping && leg.lastPriceCents !== null) p = Math.min(p, leg.lastPriceCents - tick);
  return Math.max(p, bid, tick);
}

const TERMINAL_NOT_FILLED: readonly OrderStatus[] = ['cancelled', 'expired', 'rejected', 'archived'];

/**
 * One step of the run at `inputs.now`: reads its orders and quotes, moves each leg, and returns the
 * actions to carry out (a new run; the given one is not changed).
 */
export function advanceExit(given: ExitRun, inputs: ExitInputs): { run: ExitRun; actions: ExitAction[] } {
  const run = copy(given);
  const actions: ExitAction[] = [];
  if (run.status !== 'working') return { run, actions };
  const now = inputs.now;

  // A fresh quote, or null after recording that the leg waits for one.
  const freshQuote = (leg: ExitLeg): ExitQuote | null => {
    const q = inputs.quote(leg.symbol);
    if (q && q.fresh && q.bid !== null && q.ask !== null) {
      leg.waitingSince = null;
      return q;
    }
    if (leg.waitingSince === null) {
      leg.waitingSince = now;
      leg.waits++;
    }
    leg.reason = `waiting for a fresh quote of ${leg.symbol} (${q === null ? 'none yet' : q.fresh ? 'no bid/ask' : 'stale'}; waited ${leg.waits}×)`;
    return null;
  };
  // The limit is gone with a remainder: the remainder goes as a market order (sent once a fresh quote is in).
  const toMarket = (i: number, leg: ExitLeg): void => {
    leg.stage = 'market';
    leg.method = 'market';
    leg.attempts++;
    leg.clientOrderId = null;
    leg.filled = 0n;
    sendMarket(i, leg);
  };
  const sendMarket = (i: number, leg: ExitLeg): void => {
    if (!freshQuote(leg)) return;
    const remaining = leg.quantity - leg.filledBefore;
    leg.reason = leg.waits > 0 ? `market after ${leg.steps} limit steps (waited ${leg.waits}× for a fresh quote)` : `market after ${leg.steps} limit steps`;
    leg.inFlight = true;
    actions.push({ kind: 'place', leg: i, symbol: leg.symbol, side: leg.side, quantity: scaledToString(remaining, QTY_DP), orderType: 'market', limitPrice: null });
  };
  const finish = (leg: ExitLeg, status: ExitLegStatus, reason: string | null): void => {
    leg.status = status;
    leg.stage = 'done';
    leg.nextAt = null;
    if (reason !== null || status === 'filled') leg.reason = reason ?? (leg.waits > 0 ? `filled (waited ${leg.waits}× for a fresh quote)` : null);
  };

  // Legs are in phase order: phase 1's state is read when phase 2's legs come (so phase 2 starts in the step phase 1 ends).
  const phase1Done = () => run.legs.filter((l) => l.phase === 1).every((l) => l.status === 'filled');
  const phase1Failed = () => run.legs.some((l) => l.phase === 1 && (l.status === 'failed' || l.status === 'cancelled'));
  run.legs.forEach((leg, i) => {
    if (leg.stage === 'done' || leg.inFlight) return;
    if (leg.phase === 2 && !phase1Done()) {
      if (phase1Failed() && leg.stage === 'idle') finish(leg, 'cancelled', 'not sold: the shorts of phase 1 were not all bought back');
      return;
    }
    const o = leg.clientOrderId ? inputs.order(leg.clientOrderId) : null;
    // A filled order filled its whole quantity (a venue's answer may say `filled` before its fill quantity is reported).
    if (o) leg.filled = o.status === 'filled' && o.filled < leg.quantity - leg.filledBefore ? leg.quantity - leg.filledBefore : o.filled;
    const done = leg.filledBefore + leg.filled >= leg.quantity;
    switch (leg.stage) {
      case 'idle': {
        const q = freshQuote(leg);
        const price = q ? limitPrice(leg, q, false) : null;
        if (price === null) return;
        leg.stage = 'limit';
        leg.status = 'working';
        leg.attempts = 1;
        leg.lastPriceCents = price;
        leg.nextAt = now + run.config.retryDelayMs;
        leg.reason = leg.waits > 0 ? `limit at mid after waiting ${leg.waits}× for a fresh quote` : null;
        leg.inFlight = true;
        actions.push({ kind: 'place', leg: i, symbol: leg.symbol, side: leg.side, quantity: scaledToString(leg.quantity, QTY_DP), orderType: 'limit', limitPrice: priceText(price) });
        return;
      }
      case 'limit': {
        if (!o) return;
        if (o.status === 'filled' || done) return finish(leg, 'filled', null);
        if (o.status === 'rejected') return finish(leg, 'failed', `limit order rejected: ${o.reason ?? 'by the venue'}`);
        if (TERMINAL_NOT_FILLED.includes(o.status)) {
          // Cancelled or expired outside the exit (the user, the venue): not pursued with a market order nobody asked for.
          leg.filledBefore += o.filled;
          leg.filled = 0n;
          return finish(leg, leg.filledBefore >= leg.quantity ? 'filled' : 'failed', leg.filledBefore >= leg.quantity ? null : `limit order ${o.status} outside the exit: the remainder is not pursued`);
        }
        if (o.pending || o.status === 'unknown' || o.status === 'pending_submit' || leg.nextAt === null || now < leg.nextAt) return;
        if (leg.steps < run.config.steps) {
          const q = freshQuote(leg);
          const price = q ? limitPrice(leg, q, true) : null;
          if (price === null) return;
          leg.steps++;
          leg.nextAt = now + run.config.retryDelayMs;
          if (price === leg.lastPriceCents) return; // already at the far side: nothing to change
          leg.attempts++;
          leg.lastPriceCents = price;
          leg.inFlight = true;
          actions.push({ kind: 'replace', leg: i, clientOrderId: leg.clientOrderId!, limitPrice: priceText(price) });
          return;
        }
        leg.stage = 'cancelling';
        leg.nextAt = now + run.config.retryDelayMs;
        leg.inFlight = true;
        actions.push({ kind: 'cancel', leg: i, clientOrderId: leg.clientOrderId! });
        return;
      }
      case 'cancelling': {
        if (!o) return;
        if (o.status === 'filled' || done) return finish(leg, 'filled', null);
        if (TERMINAL_NOT_FILLED.includes(o.status)) {
          leg.filledBefore += o.filled;
          leg.filled = 0n;
          if (leg.filledBefore >= leg.quantity) return finish(leg, 'filled', null);
          toMarket(i, leg);
          return;
        }
        // The cancel has not taken effect: ask again after the delay (a cancel cannot duplicate anything).
        if (!o.pending && o.status !== 'pending_cancel' && leg.nextAt !== null && now >= leg.nextAt) {
          leg.nextAt = now + run.config.retryDelayMs;
          leg.inFlight = true;
          actions.push({ kind: 'cancel', leg: i, clientOrderId: leg.clientOrderId! });
        }
        return;
      }
      case 'market': {
        if (leg.clientOrderId === null) return sendMarket(i, leg); // not sent yet (no fresh quote, or not placed)
        if (!o) return;
        if (o.status === 'filled' || done) return finish(leg, 'filled', null);
        if (TERMINAL_NOT_FILLED.includes(o.status)) return finish(leg, 'failed', `market order ${o.status}: ${o.reason ?? 'no reason given'}`);
        return;
      }
    }
  });
  settle(run, now);
  return { run, actions };
}

/** Hands back a carried-out action's result (a new run). */
export function exitActionDone(given: ExitRun, action: ExitAction, result: ExitActionResult, now: number): ExitRun {
  const run = copy(given);
  const leg = run.legs[action.leg];
  if (!leg) return run;
  leg.inFlight = false;
  if (leg.stage === 'done') return run; // cancelled meanwhile
  if (action.kind === 'place') {
    if (result.kind === 'ok' && result.clientOrderId) leg.clientOrderId = result.clientOrderId;
    else if (result.kind === 'failed') {
      leg.status = 'failed';
      leg.stage = 'done';
      leg.reason = `${action.orderType} order not placed: ${result.reason}`;
    } else if (result.kind === 'retry') {
      // nothing was sent: the leg decides again next time
      if (action.orderType === 'limit') {
        leg.stage = 'idle';
        leg.status = 'waiting';
        leg.attempts = 0;
        leg.lastPriceCents = null;
      } else leg.clientOrderId = null;
      leg.reason = `not placed yet: ${result.reason}`;
    }
  } else if (result.kind !== 'ok') {
    leg.reason = `${action.kind} not carried out: ${result.reason}`;
    if (action.kind === 'replace' && result.kind === 'failed') leg.lastPriceCents = null;
  }
  settle(run, now);
  return run;
}

/** Stops a working run: waiting legs are cancelled, and the working orders to cancel are returned. */
export function cancelExit(given: ExitRun, now: number, reason: string, isOpen: (clientOrderId: string) => boolean): { run: ExitRun; actions: ExitAction[] } {
  const run = copy(given);
  const actions: ExitAction[] = [];
  if (run.status !== 'working') return { run, actions };
  run.legs.forEach((leg, i) => {
    if (leg.stage === 'done') return;
    if (leg.clientOrderId && isOpen(leg.clientOrderId)) actions.push({ kind: 'cancel', leg: i, clientOrderId: leg.clientOrderId });
    leg.status = 'cancelled';
    leg.stage = 'done';
    leg.nextAt = null;
    leg.reason = reason;
  });
  run.status = 'cancelled';
  run.finishedAt = now;
  run.reason = reason;
  return { run, actions };
}

function settle(run: ExitRun, now: number): void {
  if (run.status !== 'working') return;
  if (run.legs.some((l) => l.stage !== 'done' || l.inFlight)) {
    // A failed leg with nothing else working ends the run (phase-2 legs not started are cancelled then).
    return;
  }
  const failed = run.legs.filter((l) => l.status === 'failed' || l.status === 'cancelled');
  run.status = failed.length === 0 ? 'done' : 'failed';
  run.finishedAt = now;
  if (failed.length > 0) run.reason = failed.map((l) => `${l.symbol}: ${l.reason ?? l.status}`).join('; ');
}
