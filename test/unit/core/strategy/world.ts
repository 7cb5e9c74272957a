// A manual-clock world for the strategy engine's tests: quotes by symbol, a journal of orders by
// client order id, and a gateway that carries out the engine's actions (places accepted and resting,
// cancels final at once unless told otherwise). Pure: nothing here reads the wall clock.
import { parseStrategyDefinition, type StrategyDefinition } from '../../../../src/core/strategy/definition';
import type { PlaceOutcome, RunAction, RunAudit, RunInputs, RunOrderView, RunQuote, RunStep, SelectedContract } from '../../../../src/core/strategy/engine-api';
import { strategyEngine as E, type RunState } from '../../../../src/core/strategy/engine';

export const CALL = 'SPY261218C00700000';
export const PUT = 'SPY261218P00650000';
/** Monday 2026-12-07 09:45 ET (EST, UTC−5). */
export const T_ENTRY = Date.UTC(2026, 11, 7, 14, 45);
/** Sunday 2026-12-06 10:00 UTC. */
export const T0 = Date.UTC(2026, 11, 6, 10, 0);

export function definition(over: Record<string, unknown> = {}, legOver: Record<string, unknown>[] = [{}, {}]): StrategyDefinition {
  const leg = (right: 'call' | 'put', o: Record<string, unknown>) => ({
    right,
    side: 'sell',
    lots: 1,
    select: { by: 'delta', min: 0.15, max: 0.2 },
    expiry: { kind: 'nearest', min_days: 0 },
    stop_loss: null,
    take_profit: null,
    ...o,
  });
  const raw = {
    id: 'strangle',
    name: 'Short strangle',
    account: 'paper1',
    underlying: 'SPY',
    legs: legOver.map((o, i) => leg(i % 2 === 0 ? 'call' : 'put', o)),
    schedule: { entry_time: '09:45', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    entry: { max_retry: 3, retry_delay_ms: 2000, step_ticks: 1, bound_spread_fraction: 0.5, fallback: 'market' },
    exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '15:45' },
    reentry: { count: 0, cutoff_time: null },
    ...over,
  };
  const r = parseStrategyDefinition(raw);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.definition;
}

export function contracts(n = 2): SelectedContract[] {
  const out: SelectedContract[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ leg: i, symbol: i % 2 === 0 ? (i === 0 ? CALL : `${CALL.slice(0, -1)}${i}`) : i === 1 ? PUT : `${PUT.slice(0, -1)}${i}`, expiry: '2026-12-18', strike: i % 2 === 0 ? 700 : 650, delta: i % 2 === 0 ? 0.18 : -0.17, deltaSource: 'venue', deltaAgeMs: 300, multiplier: 100, tick: 0.01 });
  }
  return out;
}

export interface JournalOrder extends RunOrderView {
  clientOrderId: string;
  side: 'buy' | 'sell';
  symbol: string;
  orderType: 'limit' | 'market';
  limitPrice: number | null;
  quantity: number;
}

/** Runs `fn` and checks that it did not change the state it was given (the engine returns a new one). */
export function unchanged<T>(given: RunState, fn: () => T): T {
  const before = JSON.stringify(given);
  const out = fn();
  if (JSON.stringify(given) !== before) throw new Error('the engine changed the state it was given');
  return out;
}

export class World {
  now = T0;
  quotes = new Map<string, RunQuote>();
  journal = new Map<string, JournalOrder>();
  actions: RunAction[] = [];
  audit: RunAudit[] = [];
  /** What the gateway answers to the next places (default accepted). */
  outcomes: PlaceOutcome[] = [];
  /** Cancels stay `pending_cancel` until `confirmCancel`. */
  holdCancels = false;
  /** Places are not carried out (the outcome is handed back later by the test). */
  holdPlaces = false;
  selectAsked = 0;
  /** A place sent while another order of the same leg and purpose was not terminal (must stay empty). */
  violations: string[] = [];
  /** The time and quote at each place. */
  placedAt = new Map<string, { now: number; quote: RunQuote | null }>();

  inputs(): RunInputs {
    return { now: this.now, quote: (s) => this.quotes.get(s) ?? null, order: (id) => this.journal.get(id) ?? null };
  }
  quote(symbol: string, bid: number, ask: number, fresh = true, ageMs = fresh ? 100 : 20_000): void {
    this.quotes.set(symbol, { bid, ask, fresh, ageMs });
  }
  stale(symbol: string): void {
    const q = this.quotes.get(symbol);
    this.quotes.set(symbol, { bid: q?.bid ?? null, ask: q?.ask ?? null, fresh: false, ageMs: 30_000 });
  }
  places(): Extract<RunAction, { kind: 'place' }>[] {
    return this.actions.filter((a): a is Extract<RunAction, { kind: 'place' }> => a.kind === 'place');
  }
  cancels(): string[] {
    return this.actions.filter((a): a is Extract<RunAction, { kind: 'cancel' }> => a.kind === 'cancel').map((a) => a.clientOrderId);
  }
  refreshes(): string[] {
    return this.actions.filter((a): a is Extract<RunAction, { kind: 'refresh_quote' }> => a.kind === 'refresh_quote').map((a) => a.symbol);
  }
  notifies(): string[] {
    return this.actions.filter((a): a is Extract<RunAction, { kind: 'notify' }> => a.kind === 'notify').map((a) => a.alert);
  }
  auditKinds(): string[] {
    return this.audit.map((a) => a.kind);
  }
  /** Working (not terminal) orders of a symbol in the journal. */
  working(symbol: string): JournalOrder[] {
    return [...this.journal.values()].filter((o) => o.symbol === symbol && !['filled', 'cancelled', 'rejected', 'expired', 'archived'].includes(o.status));
  }
  fill(id: string, qty: number, price?: number): void {
    const o = this.journal.get(id);
    if (!o) throw new Error(`no order ${id}`);
    o.filledQuantity = qty;
    o.avgFillPrice = price ?? o.limitPrice;
    o.status = qty >= o.quantity ? 'filled' : 'partially_filled';
  }
  confirmCancel(id: string): void {
    const o = this.journal.get(id)!;
    if (o.status !== 'filled') o.status = 'cancelled';
  }

  /** Carries out a step's actions as the service would, handing back place outcomes. */
  carry(step: RunStep<RunState>): RunState {
    this.audit.push(...step.audit);
    let s = step.state;
    let changed = false;
    for (const a of step.actions) {
      this.actions.push(a);
      if (a.kind === 'select_contracts') this.selectAsked++;
      if (a.kind === 'cancel') {
        const o = this.journal.get(a.clientOrderId);
        if (o && !['filled', 'cancelled', 'rejected', 'expired'].includes(o.status)) {
          o.status = this.holdCancels ? 'pending_cancel' : 'cancelled';
          changed ||= !this.holdCancels;
        }
      }
      if (a.kind === 'place') {
        if (this.journal.has(a.clientOrderId)) continue; // the service skips a place the journal holds
        const family = a.clientOrderId.slice(0, a.clientOrderId.lastIndexOf('-') + 1);
        const open = [...this.journal.values()].filter((o) => o.clientOrderId.startsWith(family) && !['filled', 'cancelled', 'rejected', 'expired', 'archived'].includes(o.status));
        if (open.length > 0) this.violations.push(`${a.clientOrderId} placed while ${open.map((o) => `${o.clientOrderId} ${o.status}`).join(', ')}`);
        this.placedAt.set(a.clientOrderId, { now: this.now, quote: this.quotes.get(a.symbol) ?? null });
        if (this.holdPlaces) continue;
        const outcome = this.outcomes.shift() ?? { kind: 'accepted' };
        if (outcome.kind === 'accepted' || outcome.kind === 'rejected' || outcome.kind === 'unknown') {
          this.journal.set(a.clientOrderId, {
            clientOrderId: a.clientOrderId,
            side: a.side,
            symbol: a.symbol,
            orderType: a.orderType,
            limitPrice: a.limitPrice,
            quantity: a.quantity,
            status: outcome.kind === 'accepted' ? 'accepted' : outcome.kind === 'rejected' ? 'rejected' : 'unknown',
            filledQuantity: 0,
            avgFillPrice: null,
            reason: outcome.kind === 'accepted' ? null : outcome.reason,
          });
        }
        const given = s;
        s = this.carry(unchanged(given, () => E.placeOutcome(given, a.clientOrderId, outcome, this.inputs())));
      }
    }
    // the service advances the run on every order change of its symbols (here: a cancel made final)
    return changed ? this.advance(s) : s;
  }
  /** Fills every working order (of a symbol) completely at its limit or `price`. */
  fillWorking(symbol?: string, price?: number): void {
    for (const o of this.journal.values()) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      if (['filled', 'cancelled', 'rejected', 'expired', 'archived', 'unknown'].includes(o.status)) continue;
      this.fill(o.clientOrderId, o.quantity, price ?? o.limitPrice ?? undefined);
    }
  }
  advance(s: RunState): RunState {
    return this.carry(unchanged(s, () => E.advance(s, this.inputs())));
  }
  /** Moves the clock by `ms` and advances. */
  tick(s: RunState, ms: number): RunState {
    this.now += ms;
    return this.advance(s);
  }
  /** Clears the action / audit logs (to look at what comes next). */
  clear(): void {
    this.actions = [];
    this.audit = [];
  }
}

/** A run of `def` entering now with contracts selected and fresh quotes (call 1.00/1.20, put 2.00/2.20). */
export function entering(w: World, def = definition()): RunState {
  w.now = T_ENTRY;
  w.quote(CALL, 1.0, 1.2);
  w.quote(PUT, 2.0, 2.2);
  let s = w.carry(E.newRun('r1', def, 'NYSE', w.now, { enterNow: true }));
  s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts(def.legs.length) }, w.inputs()));
  return s;
}

/** A run live: both legs filled at their first limits (call 1.10, put 2.10). */
export function live(w: World, def = definition()): RunState {
  let s = entering(w, def);
  for (let i = 0; i < 4 && s.status === 'entering'; i++) {
    w.fillWorking();
    s = w.advance(s);
  }
  return s;
}
