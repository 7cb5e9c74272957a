/**
 * One leg's order ladder of a strategy run (issue 18 item 1; spec §9) — entries and exits alike: a
 * limit at the mid, then every `delayMs` (while the previous attempt is still unfilled) the working
 * order is cancelled and, once the cancel is final, the next attempt is placed `stepTicks` ticks
 * further toward the far side, never past the bound frozen at the first attempt; after `maxLimits`
 * limit attempts the rest goes at market (or the ladder gives up). Pure: it mutates the ladder it is
 * given (the engine works on a copy) and appends actions and audit lines.
 *
 * Invariants (tested, also by a property test): never two orders of a ladder at once (the next place
 * only once the previous order is terminal in the journal); never a limit past the bound; a stale
 * quote is never priced on (the ladder asks a REST refresh and waits, recording the wait); an order
 * with an unknown outcome blocks the ladder until the journal resolves it.
 *
 * Prices are computed on an integer grid (1/10 000 of a price unit) so ticks add exactly.
 */
import type { RunAction, RunAudit, RunOrderView, RunQuote } from './engine-api';
import { tickCents } from '../orders/exit-run';

export type LadderStatus = 'pending' | 'working' | 'filled' | 'failed' | 'cancelled';

/** What was sent for the ladder's current order (re-sent unchanged after a restart when the journal never got it). */
export interface PlaceSpec {
  orderType: 'limit' | 'market';
  limitPrice: number | null;
  quantity: number;
  retryCount: number;
  reason: string;
}

export interface Ladder {
  purpose: 'entry' | 'exit';
  leg: number;
  /** Client order ids are `<idPrefix><attempt>` (attempt from 1). */
  idPrefix: string;
  symbol: string;
  side: 'buy' | 'sell';
  /** Target quantity (contracts). */
  quantity: number;
  /** The contract's price tick (the US option rule — 0.05 at 3.00 and above for an OCC symbol — applies on top). */
  tick: number;
  status: LadderStatus;
  method: 'limit' | 'market' | null;
  /** Orders placed (limits and markets). */
  attempts: number;
  limitAttempts: number;
  lastPrice: number | null;
  /** The bound frozen at the first limit attempt (entries: `bound_spread_fraction` of the half spread from the mid; exits: the far side). */
  boundPrice: number | null;
  /** The mid at the first limit attempt. */
  decisionMid: number | null;
  orderId: string | null;
  /** `placing`: place sent, outcome not handed back; `unknown`: outcome unknown (blocks the ladder until the journal resolves it). */
  order: 'none' | 'placing' | 'working' | 'cancelling' | 'unknown';
  place: PlaceSpec | null;
  /** Filled by earlier (terminal) orders, and what those fills cost (Σ price × qty; null when a fill price is unknown). */
  filledBefore: number;
  costBefore: number | null;
  /** The current order's fill, as the journal reports it. */
  curFilled: number;
  curAvg: number | null;
  lastFillAt: number | null;
  /** When the next attempt is due (the current attempt's delay). */
  nextAt: number | null;
  cancelSentAt: number | null;
  /** Waiting for a fresh quote since (null: not waiting); how many waits; when a refresh was last asked. */
  quoteWaitSince: number | null;
  quoteWaits: number;
  refreshAt: number | null;
  /** The rest goes at market at the next attempt (exits after a bounded wait for a fresh quote). */
  goMarket: boolean;
  /** End the ladder with this status once its working order is gone (give-up, abort, halt). */
  stop: 'failed' | 'cancelled' | null;
  marketRejects: number;
  reason: string | null;
}

export interface LadderConfig {
  maxLimits: number;
  delayMs: number;
  stepTicks: number;
  /** 0 < f ≤ 1: how far from the mid toward the far side the ladder may go (frozen at the first attempt). */
  boundFraction: number;
  fallback: 'market' | 'give_up';
  /** Longest wait for a fresh quote before a limit attempt; then `fail` (entries) or go to `market` (exits). */
  quoteWaitMs: number;
  onQuoteTimeout: 'fail' | 'market';
  /** Market orders rejected before the ladder fails. */
  maxMarketRejects: number;
  /** No new attempts (the working order stays). */
  paused: boolean;
}

export interface LadderCtx {
  now: number;
  quote(symbol: string): RunQuote | null;
  order(clientOrderId: string): RunOrderView | null;
  actions: RunAction[];
  audit: RunAudit[];
}

/** A stale-quote refresh is asked again at most this often while a ladder waits. */
export const REFRESH_EVERY_MS = 5_000;

const U = 10_000;
const TERMINAL: readonly RunOrderView['status'][] = ['filled', 'cancelled', 'rejected', 'expired', 'archived'];

export const toUnits = (p: number): number => Math.round(p * U);
export const fromUnits = (u: number): number => Math.round(u) / U;
const EPS = 1e-6;
const floorTo = (x: number, t: number): number => Math.floor(x / t + EPS) * t;
const ceilTo = (x: number, t: number): number => Math.ceil(x / t - EPS) * t;

/** The price tick (units) of a ladder's contract at a price (units). */
export function tickUnitsAt(symbol: string, contractTick: number, priceUnits: number): number {
  return Math.max(toUnits(contractTick), tickCents(symbol, Math.round(priceUnits / 100)) * 100, 1);
}

export function newLadder(purpose: 'entry' | 'exit', leg: number, idPrefix: string, symbol: string, side: 'buy' | 'sell', quantity: number, tick: number): Ladder {
  return {
    purpose,
    leg,
    idPrefix,
    symbol,
    side,
    quantity,
    tick,
    status: 'pending',
    method: null,
    attempts: 0,
    limitAttempts: 0,
    lastPrice: null,
    boundPrice: null,
    decisionMid: null,
    orderId: null,
    order: 'none',
    place: null,
    filledBefore: 0,
    costBefore: 0,
    curFilled: 0,
    curAvg: null,
    lastFillAt: null,
    nextAt: null,
    cancelSentAt: null,
    quoteWaitSince: null,
    quoteWaits: 0,
    refreshAt: null,
    goMarket: false,
    stop: null,
    marketRejects: 0,
    reason: null,
  };
}

export const ladderDone = (l: Ladder): boolean => l.status === 'filled' || l.status === 'failed' || l.status === 'cancelled';
export const ladderFilled = (l: Ladder): number => l.filledBefore + l.curFilled;

/** Average fill price of the ladder (null when nothing filled or a fill price is unknown). */
export function ladderAvg(l: Ladder): number | null {
  const qty = ladderFilled(l);
  if (qty <= 0 || l.costBefore === null) return null;
  if (l.curFilled > 0 && l.curAvg === null) return null;
  return (l.costBefore + l.curFilled * (l.curAvg ?? 0)) / qty;
}

/** A ladder's working order (placed, not known to be gone). */
export const ladderHasOrder = (l: Ladder): boolean => l.orderId !== null && l.order !== 'none';

/** The limit price of the next attempt (units), from a fresh quote; freezes the bound at the first attempt. Null: the quote cannot price it. */
export function nextLimitUnits(l: Ladder, cfg: LadderConfig, q: RunQuote): number | null {
  if (q.bid === null || q.ask === null || !(q.bid > 0) || !(q.ask > 0) || q.ask < q.bid) return null;
  const bid = toUnits(q.bid);
  const ask = toUnits(q.ask);
  const mid = (bid + ask) / 2;
  const tMid = tickUnitsAt(l.symbol, l.tick, mid);
  let bound: number;
  if (l.boundPrice === null) {
    const raw = l.side === 'buy' ? mid + cfg.boundFraction * (ask - mid) : mid - cfg.boundFraction * (mid - bid);
    const t = tickUnitsAt(l.symbol, l.tick, raw);
    // never past: a buy's bound rounds down, a sell's up (and a sell never below one tick)
    bound = l.side === 'buy' ? floorTo(raw, t) : Math.max(ceilTo(raw, t), t);
  } else bound = toUnits(l.boundPrice);
  let p: number;
  const last = l.lastPrice === null ? null : toUnits(l.lastPrice);
  // the first attempt at the mid (rounded toward the far side for a buy, away from it for a sell: on the grid);
  // each later one `stepTicks` ticks on from the previous price — never past the bound
  const stepped = last !== null && l.limitAttempts > 0;
  // (a step that crosses into a coarser tick regime — 3.00 for US options — lands back on that grid,
  // on the less aggressive side)
  if (l.side === 'buy') {
    if (stepped) {
      p = last + cfg.stepTicks * tickUnitsAt(l.symbol, l.tick, last);
      p = floorTo(p, tickUnitsAt(l.symbol, l.tick, p));
    } else p = ceilTo(mid, tMid);
    p = Math.min(p, bound);
  } else {
    if (stepped) {
      p = last - cfg.stepTicks * tickUnitsAt(l.symbol, l.tick, last);
      p = ceilTo(p, tickUnitsAt(l.symbol, l.tick, p));
    } else p = floorTo(mid, tMid);
    p = Math.max(p, bound, tickUnitsAt(l.symbol, l.tick, 1));
  }
  if (!(p > 0)) return null;
  if (l.boundPrice === null) {
    l.boundPrice = fromUnits(bound);
    l.decisionMid = fromUnits(mid);
  }
  return p;
}

const fmt = (p: number | null): string => (p === null ? '—' : p.toFixed(4).replace(/0{1,2}$/, ''));

/**
 * Moves the ladder at `ctx.now`: observes its order in the journal, settles fills, and decides the
 * next action (place / cancel / refresh / wait). Returns nothing; see `l.status`.
 */
export function stepLadder(l: Ladder, cfg: LadderConfig, ctx: LadderCtx): void {
  if (ladderDone(l)) return;
  const now = ctx.now;
  const tag = `${l.purpose} leg ${l.leg} ${l.symbol}`;

  if (l.orderId !== null && l.order !== 'none') {
    const v = ctx.order(l.orderId);
    if (l.order === 'placing' || l.order === 'unknown') {
      // Until the outcome is known nothing else happens on this leg (no second order).
      if (v === null || v.status === 'unknown' || v.status === 'pending_submit') return;
      ctx.audit.push({ kind: 'order_adopted', message: `${tag}: order ${l.orderId} is ${v.status} in the journal (adopted)` });
      l.order = 'working';
    }
    if (v === null) return; // the journal does not know a sent order: wait for it (never a second one)
    const open = l.quantity - l.filledBefore;
    const filled = v.status === 'filled' && v.filledQuantity < open ? open : Math.min(v.filledQuantity, open);
    if (filled > l.curFilled) l.lastFillAt = now;
    l.curFilled = filled;
    l.curAvg = v.avgFillPrice ?? (l.place?.orderType === 'limit' ? l.place.limitPrice : null);
    if (TERMINAL.includes(v.status) || l.curFilled >= open) {
      const wasCancelling = l.order === 'cancelling';
      const n = l.attempts;
      l.filledBefore += l.curFilled;
      l.costBefore = l.costBefore === null || (l.curFilled > 0 && l.curAvg === null) ? null : l.costBefore + l.curFilled * (l.curAvg ?? 0);
      ctx.audit.push({ kind: 'attempt_outcome', message: `${tag} attempt ${n} (${l.method}${l.method === 'limit' ? ` @ ${fmt(l.lastPrice)}` : ''}): ${v.status}, filled ${l.curFilled}${l.curAvg !== null && l.curFilled > 0 ? ` @ ${fmt(l.curAvg)}` : ''}${v.reason ? ` (${v.reason})` : ''}; ${l.filledBefore}/${l.quantity} filled` });
      l.curFilled = 0;
      l.curAvg = null;
      l.order = 'none';
      l.cancelSentAt = null;
      if (l.filledBefore >= l.quantity) {
        l.status = 'filled';
        l.reason = l.quoteWaits > 0 ? `filled (waited ${l.quoteWaits}× for a fresh quote)` : null;
        l.nextAt = null;
        return;
      }
      if (!wasCancelling && v.status !== 'filled') {
        // rejected / cancelled / expired outside the ladder: the next attempt comes at its time
        l.reason = `attempt ${n} ${v.status}${v.reason ? `: ${v.reason}` : ''}`;
        if (l.method === 'market') l.marketRejects++;
      }
    } else if (l.order === 'cancelling') {
      // the cancel has not taken effect: ask again after the delay (a cancel cannot duplicate anything)
      if (v.status !== 'pending_cancel' && (l.cancelSentAt === null || now >= l.cancelSentAt + cfg.delayMs)) cancel(l, ctx, 'cancel not final yet: asked again');
      return;
    } else {
      // working
      if (l.stop !== null) return cancel(l, ctx, l.reason ?? `ladder ${l.stop}`);
      if (l.method === 'market' || cfg.paused || l.nextAt === null || now < l.nextAt) return;
      const nextIsLimit = l.limitAttempts < cfg.maxLimits && !l.goMarket;
      if (nextIsLimit && freshQuote(l, cfg, ctx) === null) {
        if (l.stop !== null || l.goMarket) cancel(l, ctx, l.reason ?? 'no fresh quote');
        return;
      }
      return cancel(l, ctx, `attempt ${l.attempts} unfilled after ${cfg.delayMs} ms: ${nextIsLimit ? 'the next limit steps toward the far side' : 'the rest goes to the fallback'}`);
    }
  }

  // No working order.
  if (l.stop !== null) {
    l.status = l.stop;
    l.nextAt = null;
    return;
  }
  const limitNext = l.limitAttempts < cfg.maxLimits && !l.goMarket;
  if (!limitNext && (cfg.fallback === 'market' || l.goMarket) && l.marketRejects >= cfg.maxMarketRejects) {
    l.status = 'failed';
    l.reason = `market order rejected ${l.marketRejects}×: ${l.reason ?? 'no reason given'}`;
    l.nextAt = null;
    return;
  }
  if (l.nextAt !== null && now < l.nextAt) return;
  if (cfg.paused) return;
  const rest = l.quantity - l.filledBefore;
  if (limitNext) {
    const q = freshQuote(l, cfg, ctx);
    if (q === null) {
      if (l.stop !== null) {
        l.status = l.stop;
        l.nextAt = null;
      } else if (l.goMarket) stepLadder(l, cfg, ctx); // the bounded wait ended: market now
      return;
    }
    const price = nextLimitUnits(l, cfg, q);
    if (price === null) return;
    l.limitAttempts++;
    l.lastPrice = fromUnits(price);
    const first = l.limitAttempts === 1;
    return place(l, cfg, ctx, {
      orderType: 'limit',
      limitPrice: l.lastPrice,
      quantity: rest,
      retryCount: l.attempts,
      reason: first
        ? `${l.purpose} limit at mid ${fmt(l.decisionMid)} (bound ${fmt(l.boundPrice)})`
        : `${l.purpose} limit attempt ${l.limitAttempts}/${cfg.maxLimits}: ${cfg.stepTicks} tick(s) toward the far side (bound ${fmt(l.boundPrice)})`,
    });
  }
  if (cfg.fallback === 'market' || l.goMarket) {
    return place(l, cfg, ctx, {
      orderType: 'market',
      limitPrice: null,
      quantity: rest,
      retryCount: l.attempts,
      reason: l.goMarket && l.limitAttempts < cfg.maxLimits ? `${l.purpose} at market: ${l.reason ?? 'no fresh quote'}` : `${l.purpose} at market after ${l.limitAttempts} limit attempt(s)`,
    });
  }
  l.status = 'failed';
  l.reason = `no fill after ${l.limitAttempts} limit attempt(s) (fallback give_up); ${l.filledBefore}/${l.quantity} filled`;
  ctx.audit.push({ kind: 'ladder_gave_up', message: `${tag}: ${l.reason}` });
}

function place(l: Ladder, cfg: LadderConfig, ctx: LadderCtx, spec: PlaceSpec): void {
  l.attempts++;
  l.method = spec.orderType;
  l.status = 'working';
  l.orderId = `${l.idPrefix}${l.attempts}`;
  l.order = 'placing';
  l.place = spec;
  l.nextAt = ctx.now + cfg.delayMs;
  l.curFilled = 0;
  l.curAvg = null;
  ctx.actions.push(placeAction(l, spec));
  ctx.audit.push({
    kind: 'attempt',
    message: `${l.purpose} leg ${l.leg} ${l.symbol} attempt ${l.attempts}: ${spec.orderType} ${l.side} ${spec.quantity}${spec.limitPrice !== null ? ` @ ${fmt(spec.limitPrice)}` : ''} (${l.orderId}) — ${spec.reason}`,
  });
}

export function placeAction(l: Ladder, spec: PlaceSpec): RunAction {
  return {
    kind: 'place',
    clientOrderId: l.orderId!,
    leg: l.leg,
    symbol: l.symbol,
    side: l.side,
    quantity: spec.quantity,
    orderType: spec.orderType,
    limitPrice: spec.limitPrice,
    retryCount: spec.retryCount,
    purpose: l.purpose,
    reason: spec.reason,
  };
}

function cancel(l: Ladder, ctx: LadderCtx, reason: string): void {
  l.order = 'cancelling';
  l.cancelSentAt = ctx.now;
  ctx.actions.push({ kind: 'cancel', clientOrderId: l.orderId!, reason });
  ctx.audit.push({ kind: 'cancel', message: `${l.purpose} leg ${l.leg} ${l.symbol}: cancel ${l.orderId} — ${reason}` });
}

/** Stops the ladder: its working order is cancelled, then it ends as `status`. */
export function stopLadder(l: Ladder, status: 'failed' | 'cancelled', reason: string, ctx: LadderCtx): void {
  if (ladderDone(l)) return;
  l.stop = status;
  l.reason = reason;
  if (l.orderId !== null && (l.order === 'working' || l.order === 'cancelling')) {
    if (l.order === 'working') cancel(l, ctx, reason);
  } else if (l.order === 'none') {
    l.status = status;
    l.nextAt = null;
  }
  // placing / unknown: the outcome must be known first; stepLadder cancels it once it is
}

/** A fresh, two-sided quote; otherwise asks a refresh, records the wait, and applies the bounded wait. */
function freshQuote(l: Ladder, cfg: LadderConfig, ctx: LadderCtx): RunQuote | null {
  const q = ctx.quote(l.symbol);
  if (q !== null && q.fresh && q.bid !== null && q.ask !== null && q.bid > 0 && q.ask >= q.bid) {
    if (l.quoteWaitSince !== null) {
      ctx.audit.push({ kind: 'quote_wait_end', message: `${l.purpose} leg ${l.leg} ${l.symbol}: fresh quote after waiting ${ctx.now - l.quoteWaitSince} ms` });
      l.quoteWaitSince = null;
    }
    return q;
  }
  const why = q === null ? 'no quote' : !q.fresh ? `stale quote (age ${q.ageMs ?? '?'} ms)` : 'no two-sided quote';
  if (l.quoteWaitSince === null) {
    l.quoteWaitSince = ctx.now;
    l.quoteWaits++;
    ctx.audit.push({ kind: 'quote_wait', message: `${l.purpose} leg ${l.leg} ${l.symbol}: ${why}: not priced on; REST refresh asked, waiting (at most ${cfg.quoteWaitMs} ms)` });
  }
  if (l.refreshAt === null || ctx.now - l.refreshAt >= REFRESH_EVERY_MS || l.refreshAt < l.quoteWaitSince) {
    l.refreshAt = ctx.now;
    ctx.actions.push({ kind: 'refresh_quote', symbol: l.symbol });
  }
  l.reason = `waiting for a fresh quote of ${l.symbol} (${why}; waited ${l.quoteWaits}×)`;
  if (ctx.now - l.quoteWaitSince >= cfg.quoteWaitMs) {
    const waited = ctx.now - l.quoteWaitSince;
    l.quoteWaitSince = null;
    if (cfg.onQuoteTimeout === 'market') {
      l.goMarket = true;
      l.reason = `no fresh quote of ${l.symbol} after ${waited} ms (${why}): the rest goes at market`;
      ctx.audit.push({ kind: 'quote_timeout', message: `${l.purpose} leg ${l.leg}: ${l.reason}` });
    } else {
      l.stop = 'failed';
      l.reason = `no fresh quote of ${l.symbol} after ${waited} ms (${why}): ${l.purpose} given up`;
      ctx.audit.push({ kind: 'quote_timeout', message: `${l.purpose} leg ${l.leg}: ${l.reason}` });
    }
  }
  return null;
}
