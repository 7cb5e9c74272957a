/**
 * The per-account monitoring cycle in the desk (spec §8, issue 17): the core's scheduler
 * (core/monitor/schedule.ts: interval, hours gate, no overlap) runs the core's ten-step plan
 * (core/monitor/cycle-plan.ts: the conditional matrix) with the step runners below, for every started
 * account. Every order action goes through the account's order gateway (MonitorOrders: mode, kill
 * switch, idempotency); what the steps decide is pure (core/monitor/actions.ts).
 *
 * Every cycle is recorded (MonitorStore → `monitor_cycles`) with each step's status, reason, error,
 * duration, note and actions, published as one `monitor_cycle` event (the aggregated report, or the
 * success summary), and its order actions are node_events under the cycle's execution id (Events
 * page). A session error in step 1 puts the account in `session_needed`: its cycles wait for the
 * re-authentication (one click on the Monitor page), the user is notified, automation stops. A step
 * failing three cycles in a row is notified once per streak.
 */
import type { Account } from '../../../core/model/account';
import type { Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { AlertDraft } from '../../../core/alerts/types';
import type { KillSwitchLevel } from '../../../core/risk/kill-switch';
import type { ExecutionPort } from '../../../core/ports/execution';
import { VenueError, type OrderUpdate, type VenueOrder, type VenuePosition } from '../../../core/ports/venue';
import { CYCLE_PLAN, runCycle, SessionExpiredError, type CycleOutcome, type StepName, type StepNo } from '../../../core/monitor/cycle-plan';
import { MonitorScheduler, type ScheduleEvent } from '../../../core/monitor/schedule';
import { defaultEarliest, exchangeDay, type Exchange } from '../../../core/monitor/session-hours';
import {
  dayFifoPnl,
  fairMid,
  fairPriceModification,
  protectiveOrders,
  regenerationCandidates,
  type BookOrder,
  type ProtectiveRule,
} from '../../../core/monitor/actions';
import { isTerminal } from '../../../core/orders/lifecycle';
import type { PositionSnapshot } from '../../../core/pnl/fifo';
import { divRound, MONEY_DP, MULT_DP, numberToScaled, parseScaled, pow10, PRICE_DP, QTY_DP, scaledToFixed, scaledToString } from '../../../core/model/money';
import type {
  MonitorAccountWire,
  MonitorActionWire,
  MonitorCycleEventBody,
  MonitorCycleWire,
  MonitorSettingsPatch,
  MonitorSettingsWire,
  MonitorStateEventBody,
  MonitorStateKind,
  MonitorStepWire,
} from '../../../shared/monitor';
import type { OrderOutcomeWire, OrderWire } from '../../../shared/trading';
import type { VenueRun } from '../../compose';
import type { AccountLifecycle, ReconciliationGate } from '../trading/ports';
import type { MonitorOrders } from './ports';
import type { AppNode } from '../app-node';
import type { MonitorStore, PositionSyncRow } from './store';

/** A node_event as the desk records it (the desk gives it an execution id and returns it). */
export type MonitorNode = AppNode;

/** A quote as the steps read it from the quote cache. */
export interface MonitorQuote {
  bid: number | null;
  ask: number | null;
  fresh: boolean;
  ageMs: number | null;
}

export interface MonitorServiceDeps {
  clock: Clock & Scheduler;
  logger: Logger;
  orders: () => MonitorOrders | null;
  reconciliation: () => ReconciliationGate | null;
  /** The account's FIFO positions from its venue fills (every re-entry). */
  snapshots: (account: string) => PositionSnapshot[];
  /** The symbol's quote at the account's venue, null when not quoted. */
  quote: (account: string, symbol: string) => MonitorQuote | null;
  /** Asks for a REST refresh of the symbol (the quote cache's fallback); resolves when it answered. */
  refresh: (account: string, symbol: string) => Promise<void>;
  /** Keeps the symbols quoted for `consumer` (null: release). */
  subscribe: (consumer: string, account: string, symbols: string[] | null) => void;
  killSwitchLevel: (account: string) => KillSwitchLevel;
  store: MonitorStore;
  publish: (event: (MonitorStateEventBody | MonitorCycleEventBody) & { serverTime: number }) => void;
  node: (n: MonitorNode) => string;
  alert: (draft: AlertDraft) => void;
  /** The accounts the desk holds. */
  accounts: () => readonly Account[];
  /** The account's session_needed state changed (the trading state's automation gate reads it). */
  onSessionChange?: (account: string) => void;
  /** Settings every account starts from (the desk's config: e.g. a short interval for tests). */
  defaults?: Partial<MonitorSettingsWire>;
}

/** Recent cycles kept in memory per account (the snapshot and the page); the store keeps them all. */
const RECENT = 20;
const POLL_MS = 100;
const STREAK_NOTIFY = 3;
/** Rejections of one protective order (symbol and role) in a day after which step 4 stops re-sending it. */
const PROTECTIVE_REJECTIONS = 3;

/** Orders per page of the day's order book (Alpaca's maximum). */
const ORDER_PAGE = 500;
/** Pages read at most per cycle (10,000 orders); a busier day is read up to there and said in the step's note. */
const ORDER_PAGES_MAX = 20;

/**
 * The day's order book, oldest first, page by page: each next page asks for the orders submitted
 * after the last one read (from 1 ms before it, as `after` is exclusive and two orders may share a
 * millisecond; repeats are dropped by id), until a short page, a page with nothing new, or the cap.
 */
export async function dayOrders(exec: Pick<ExecutionPort, 'orders'>, dayStart: number): Promise<VenueOrder[]> {
  const seen = new Map<string, VenueOrder>();
  let after = dayStart - 1;
  for (let page = 0; page < ORDER_PAGES_MAX; page++) {
    const got = await exec.orders({ status: 'all', after: new Date(after).toISOString(), limit: ORDER_PAGE, direction: 'asc' });
    let added = 0;
    let last = after;
    for (const o of got) {
      if (!seen.has(o.id)) {
        seen.set(o.id, o);
        added++;
      }
      const t = Date.parse(o.createdAt ?? '');
      if (Number.isFinite(t) && t > last) last = t;
    }
    if (got.length < ORDER_PAGE || added === 0 || last <= after + 1) break;
    after = last - 1;
  }
  return [...seen.values()];
}

/** Which exchange's hours gate an account: the simulated venue trades around the clock. */
export function exchangeOfAccount(account: Account): Exchange {
  // The simulated venue's faces (Alpaca's, NSE's, Delta's) trade around the clock.
  if (account.mode === 'SIM') return 'SIM';
  switch (account.venue) {
    case 'alpaca':
      return 'NYSE';
    case 'smartapi':
      return 'NSE';
    case 'delta':
      return 'DELTA';
    case 'sim':
      return 'SIM';
  }
}

export function defaultMonitorSettings(exchange: Exchange, over: Partial<MonitorSettingsWire> = {}): MonitorSettingsWire {
  return {
    enabled: true,
    interval_ms: 60_000,
    earliest: defaultEarliest(exchange),
    sl_tp: { stop_loss: null, take_profit: null, by_strategy: {} },
    regenerate: { permitted: false, strategies: [], max_attempts: 1 },
    fresh_quote_wait_ms: 5_000,
    ...over,
  };
}

/** A step failed: its message, plus the actions it did carry out (kept on the record). */
class StepFailure extends Error {}

interface AccountRun {
  account: Account;
  exchange: Exchange;
  execution: ExecutionPort | null;
  unlisten: (() => void) | null;
  settings: MonitorSettingsWire;
  paused: boolean;
  sessionNeeded: { since: number; error: string } | null;
  running: boolean;
  /** The chain every cycle of the account runs on (scheduled and run-now never overlap). */
  lock: Promise<unknown>;
  failing: Map<StepName, number>;
  recent: MonitorCycleWire[];
  lastDelayMs: number | null;
  gateReason: string | null;
}

/** What one cycle carries from step to step. */
interface CycleContext {
  id: string;
  account: AccountRun;
  execNode: string;
  dayStart: number;
  tradeDate: string;
  brokerOrders: VenueOrder[];
  brokerPositions: VenuePosition[];
  actions: Map<StepNo, MonitorActionWire[]>;
  notes: Map<StepNo, string>;
  seq: number;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const isSessionError = (e: unknown): boolean =>
  e instanceof VenueError && (e.kind === 'session' || e.status === 401 || e.status === 403 || e.status === 404);

export class MonitorService implements AccountLifecycle {
  private readonly runs = new Map<string, AccountRun>();
  private readonly scheduler: MonitorScheduler;
  private cycleSeq = 0;
  private disposed = false;

  constructor(private readonly d: MonitorServiceDeps) {
    this.scheduler = new MonitorScheduler({
      clock: d.clock,
      scheduler: d.clock,
      run: (id) => this.scheduled(id),
      onEvent: (e) => this.onSchedule(e),
    });
  }

  // ---------------------------------------------------------------- lifecycle

  accountStarted(account: Account, venue: VenueRun): void {
    if (this.disposed) return;
    const run = this.runOf(account);
    run.execution = venue.execution;
    // A (re)start authenticates: the session state is the venue's as it is now.
    if (venue.execution.sessionState() === 'session_needed') {
      if (!run.sessionNeeded) run.sessionNeeded = { since: this.d.clock.now(), error: 'the venue refused the session at start' };
    } else if (run.sessionNeeded) {
      run.sessionNeeded = null;
      this.d.onSessionChange?.(account.id);
    }
    run.unlisten?.();
    run.unlisten = venue.execution.listen({
      session: (state, reason) => {
        if (state === 'session_needed') this.enterSessionNeeded(run, reason ?? 'the venue refused the session');
        else if (state === 'active' && run.sessionNeeded) this.leaveSessionNeeded(run, 'the venue session is active again');
      },
    });
    this.reschedule(run);
  }

  accountStopping(account: Account): void {
    const run = this.runs.get(account.id);
    if (!run) return;
    this.scheduler.stop(account.id);
    run.unlisten?.();
    run.unlisten = null;
    run.execution = null;
    this.d.subscribe(`monitor:${account.id}`, account.id, null);
    this.announce(run);
  }

  /**
   * One-cancels-other for the protective orders: when an SL or TP fill leaves the position flat, the
   * other protective orders of the symbol are cancelled at once (a TP resting after the SL filled would
   * open a new position if it filled too). Participants run in order, so the fill is already in the
   * account's positions here.
   */
  orderUpdate(account: Account, update: OrderUpdate): void {
    if (update.event !== 'fill' || this.disposed) return;
    const orders = this.d.orders();
    if (!orders) return;
    const journal = orders.list({ account: account.id, scope: 'all', limit: 5_000 });
    const symbol = update.order.symbol;
    const own = journal.find((o) => o.venue_client_order_id === update.order.clientOrderId || o.client_order_id === update.order.clientOrderId);
    const filled = own ?? { client_order_id: update.order.clientOrderId, role: null, symbol };
    // Any fill that leaves the symbol flat (an SL, a TP, an exit, a manual order) ends its protective orders.
    const open = this.d.snapshots(account.id).some((p) => p.symbol === symbol && p.status !== 'CLOSED' && p.quantity_remaining > 0n);
    if (open) return;
    const siblings = journal.filter((o) => o.symbol === symbol && (o.role === 'sl' || o.role === 'tp') && o.client_order_id !== filled.client_order_id && !isTerminal(o.status) && o.status !== 'pending_cancel');
    for (const o of siblings) {
      void orders.cancel(account.id, o.client_order_id).then(
        (out) =>
          this.node(account.id, null, {
            action: 'cancel_protective',
            status: out.kind === 'accepted' ? 'completed' : 'failed',
            message: `${filled.role ? filled.role.toUpperCase() : 'order'} ${filled.client_order_id} filled and ${symbol} is flat: cancel ${o.role!.toUpperCase()} ${o.client_order_id} — ${out.kind}${out.kind === 'accepted' ? '' : `: ${out.reason}`}`,
            details: { account: account.id, symbol, client_order_id: o.client_order_id, linked_client_order_id: filled.client_order_id, outcome: out.kind },
          }),
        (err: unknown) => this.d.logger.error('monitor: cancel of a protective order failed', { account: account.id, order: o.client_order_id, error: messageOf(err) }),
      );
    }
  }

  dispose(): void {
    this.disposed = true;
    this.scheduler.stopAll();
    for (const r of this.runs.values()) {
      r.unlisten?.();
      r.unlisten = null;
      r.execution = null;
    }
  }

  // ---------------------------------------------------------------- reading

  accounts(): MonitorAccountWire[] {
    const out: MonitorAccountWire[] = [];
    for (const a of this.d.accounts()) out.push(this.wire(this.runOf(a)));
    return out;
  }

  cycles(account: string, opts: { limit?: number | undefined; before?: number | undefined } = {}): MonitorCycleWire[] {
    return this.d.store.cycles(account, opts.limit ?? 50, opts.before);
  }

  /** Recent cycles of every account, newest first (the snapshot's `monitor_cycles`). */
  recentCycles(): MonitorCycleWire[] {
    return [...this.runs.values()].flatMap((r) => r.recent).sort((a, b) => b.started_at - a.started_at);
  }

  snapshotParts(): { monitor: MonitorAccountWire[]; monitor_cycles: MonitorCycleWire[] } {
    return { monitor: this.accounts(), monitor_cycles: this.recentCycles() };
  }

  /** Re-announces every account's state (e.g. after a kill switch change: `halted` shows at once). */
  announceAll(): void {
    for (const r of this.runs.values()) this.announce(r);
  }

  /** Why automation must not act on the account because of its session, null when it may. */
  sessionBlocked(account: string): string | null {
    const s = this.runs.get(account)?.sessionNeeded;
    return s ? `session needed since ${new Date(s.since).toISOString()}: ${s.error}` : null;
  }

  // ---------------------------------------------------------------- commands

  async runNow(accountId: string): Promise<MonitorCycleWire> {
    const run = this.requireRun(accountId);
    if (!run.execution) throw new Error(`account ${accountId} is not running: press Start first`);
    return this.locked(run, () => this.cycle(run, 'run_now', null));
  }

  pause(accountId: string, paused: boolean): MonitorAccountWire {
    const run = this.requireRun(accountId);
    if (run.paused !== paused) {
      run.paused = paused;
      // kept across restarts: a paused account's automation does not come back by itself
      this.d.store.saveSettings(accountId, { ...run.settings, paused }, this.d.clock.now());
      this.node(accountId, null, {
        action: paused ? 'pause' : 'resume',
        status: 'info',
        message: paused ? `monitoring cycles of ${accountId} paused by the user` : `monitoring cycles of ${accountId} resumed by the user`,
        details: { account: accountId },
      });
      this.reschedule(run);
    }
    return this.wire(run);
  }

  async reauthenticate(accountId: string): Promise<{ account: MonitorAccountWire; ok: boolean; error: string | null }> {
    const run = this.requireRun(accountId);
    if (!run.execution) throw new Error(`account ${accountId} is not running: press Start first (Start authenticates)`);
    this.node(accountId, null, {
      action: 'reauthenticate',
      status: 'started',
      message: `re-authentication of ${accountId} requested on the Monitor page`,
      details: { account: accountId },
    });
    try {
      await run.execution.reauthenticate();
    } catch (err) {
      const error = `re-authentication failed: ${messageOf(err)}`;
      return { account: this.wire(run), ok: false, error };
    }
    // Proof that the session works: one cycle, whose step 1 reads the books with it.
    const cycle = await this.locked(run, () => this.cycle(run, 'run_now', null));
    if (cycle.status === 'session_needed') {
      return { account: this.wire(run), ok: false, error: cycle.errors[0]?.message ?? 'the venue still refuses the session' };
    }
    if (run.sessionNeeded) this.leaveSessionNeeded(run, 're-authenticated');
    return { account: this.wire(run), ok: true, error: null };
  }

  configure(accountId: string, patch: MonitorSettingsPatch): MonitorAccountWire {
    const run = this.requireRun(accountId);
    const s = run.settings;
    const next: MonitorSettingsWire = {
      enabled: patch.enabled ?? s.enabled,
      interval_ms: patch.interval_ms ?? s.interval_ms,
      earliest: patch.earliest === undefined ? s.earliest : patch.earliest,
      sl_tp: {
        stop_loss: patch.sl_tp?.stop_loss === undefined ? s.sl_tp.stop_loss : patch.sl_tp.stop_loss,
        take_profit: patch.sl_tp?.take_profit === undefined ? s.sl_tp.take_profit : patch.sl_tp.take_profit,
        by_strategy: patch.sl_tp?.by_strategy ?? s.sl_tp.by_strategy,
      },
      regenerate: {
        permitted: patch.regenerate?.permitted ?? s.regenerate.permitted,
        strategies: patch.regenerate?.strategies ?? s.regenerate.strategies,
        max_attempts: patch.regenerate?.max_attempts ?? s.regenerate.max_attempts,
      },
      fresh_quote_wait_ms: patch.fresh_quote_wait_ms ?? s.fresh_quote_wait_ms,
    };
    this.d.store.saveSettings(accountId, { ...next, paused: run.paused }, this.d.clock.now());
    const scheduleChanged = next.enabled !== s.enabled || next.interval_ms !== s.interval_ms || next.earliest !== s.earliest;
    run.settings = next;
    this.node(accountId, null, {
      action: 'configure',
      status: 'info',
      message: `monitoring settings of ${accountId} changed: ${Object.keys(patch).join(', ')}`,
      details: { account: accountId, settings: JSON.stringify(patch) },
    });
    if (scheduleChanged) this.reschedule(run, true);
    else this.announce(run);
    return this.wire(run);
  }

  // ---------------------------------------------------------------- scheduling

  private runOf(account: Account): AccountRun {
    let run = this.runs.get(account.id);
    if (!run) {
      const exchange = exchangeOfAccount(account);
      const { paused: storedPaused, ...stored } = this.d.store.settings(account.id) ?? {};
      run = {
        account,
        exchange,
        execution: null,
        unlisten: null,
        settings: { ...defaultMonitorSettings(exchange, this.d.defaults), ...stored },
        paused: storedPaused === true,
        sessionNeeded: null,
        running: false,
        lock: Promise.resolve(),
        failing: new Map(),
        recent: this.d.store.cycles(account.id, RECENT),
        lastDelayMs: null,
        gateReason: null,
      };
      this.runs.set(account.id, run);
    } else {
      run.account = account;
    }
    return run;
  }

  private requireRun(accountId: string): AccountRun {
    const account = this.d.accounts().find((a) => a.id === accountId);
    if (!account) throw new Error(`the desk holds no account "${accountId}"`);
    return this.runOf(account);
  }

  /** Starts or stops the account's schedule to match its state; `restart` re-reads interval and gate. */
  private reschedule(run: AccountRun, restart = false): void {
    const id = run.account.id;
    const want = !this.disposed && run.execution !== null && run.settings.enabled && !run.paused && run.sessionNeeded === null;
    const active = this.scheduler.state(id)?.active ?? false;
    if (active && (!want || restart)) this.scheduler.stop(id);
    if (want && (!active || restart)) {
      this.scheduler.start({ accountId: id, exchange: run.exchange, intervalMs: run.settings.interval_ms, earliest: run.settings.earliest });
    }
    this.announce(run);
  }

  private scheduled(accountId: string): Promise<unknown> {
    const run = this.runs.get(accountId);
    if (!run || !run.execution) return Promise.resolve();
    const delayed = run.lastDelayMs;
    run.lastDelayMs = null;
    return this.locked(run, () => this.cycle(run, 'schedule', delayed));
  }

  private onSchedule(e: ScheduleEvent): void {
    const run = this.runs.get(e.accountId);
    if (!run) return;
    switch (e.kind) {
      case 'delayed':
        run.lastDelayMs = e.delayMs;
        this.node(e.accountId, null, {
          action: 'cycle_delayed',
          status: 'info',
          message: `the cycle due at ${new Date(e.dueAt).toISOString()} starts ${Math.round(e.delayMs)} ms late: ${e.cause}`,
          details: { account: e.accountId, delay_ms: e.delayMs },
        });
        break;
      case 'gated':
        run.gateReason = e.reason;
        this.announce(run);
        break;
      case 'ungated':
        run.gateReason = null;
        this.announce(run);
        break;
      case 'cycle_finished':
        if (!e.ok) this.d.logger.error('monitor cycle failed to run', { account: e.accountId, error: e.error });
        // the scheduler sets the next due time right after this event: tell the page then
        queueMicrotask(() => this.announce(run));
        break;
      default:
        break;
    }
  }

  /** A node_event of the account's monitor (Events page); returns its execution id. */
  private node(account: string, parent: string | null, n: Omit<MonitorNode, 'parent' | 'node_type' | 'node_id' | 'node_name'>): string {
    return this.d.node({ parent, node_type: 'MonitorNode', node_id: `monitor:${account}`, node_name: `Monitor ${account}`, ...n });
  }

  private locked<T>(run: AccountRun, f: () => Promise<T>): Promise<T> {
    const next = run.lock.then(f, f);
    run.lock = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------- session

  private enterSessionNeeded(run: AccountRun, error: string): void {
    if (run.sessionNeeded) return;
    run.sessionNeeded = { since: this.d.clock.now(), error };
    this.d.onSessionChange?.(run.account.id);
    this.d.alert({
      severity: 'critical',
      kind: 'session_needed',
      subject: run.account.id,
      title: `Session needed: ${run.account.id}`,
      body: `${run.account.id}: the venue refused the session (${error}). Monitoring and new entries are stopped until you re-authenticate on the Monitor page.`,
    });
    this.reschedule(run);
  }

  private leaveSessionNeeded(run: AccountRun, why: string): void {
    run.sessionNeeded = null;
    this.d.onSessionChange?.(run.account.id);
    this.node(run.account.id, null, {
      action: 'session_restored',
      status: 'completed',
      message: `${run.account.id}: ${why}; monitoring resumes`,
      details: { account: run.account.id },
    });
    this.reschedule(run);
  }

  // ---------------------------------------------------------------- state

  private stateOf(run: AccountRun): { state: MonitorStateKind; reason: string | null } {
    if (!run.execution) return { state: 'stopped', reason: 'the account is not running: press Start' };
    if (!run.settings.enabled) return { state: 'disabled', reason: 'monitoring is off in this account’s settings' };
    if (run.sessionNeeded) return { state: 'session_needed', reason: run.sessionNeeded.error };
    if (run.paused) return { state: 'paused', reason: 'paused by the user' };
    if (run.running) return { state: 'running', reason: null };
    if (this.d.killSwitchLevel(run.account.id) === 'halted') return { state: 'halted', reason: 'kill switch Halted: cycles run, order actions are blocked' };
    if (run.gateReason) return { state: 'outside_hours', reason: run.gateReason };
    return { state: 'active', reason: null };
  }

  private wire(run: AccountRun): MonitorAccountWire {
    const { state, reason } = this.stateOf(run);
    const sched = this.scheduler.state(run.account.id);
    const failing: MonitorAccountWire['failing_steps'] = {};
    for (const [name, n] of run.failing) failing[name] = n;
    return {
      account: run.account.id,
      venue_mode: run.account.mode,
      exchange: run.exchange,
      state,
      reason,
      paused: run.paused,
      // outside the hours gate the reason says when it opens; the tick a minute away would mislead
      next_run_at: sched?.active && !run.running && state !== 'outside_hours' ? sched.nextDueAt : null,
      interval_ms: run.settings.interval_ms,
      session_needed: run.sessionNeeded ? { ...run.sessionNeeded } : null,
      session_expires_at: run.sessionNeeded ? null : (run.execution?.sessionExpiresAt?.() ?? null),
      failing_steps: failing,
      last_cycle: run.recent[0] ?? null,
      settings: run.settings,
    };
  }

  private announce(run: AccountRun): void {
    this.d.publish({ type: 'monitor_state', serverTime: this.d.clock.now(), account: this.wire(run) });
  }

  // ---------------------------------------------------------------- the cycle

  private async cycle(run: AccountRun, trigger: 'schedule' | 'run_now', delayedMs: number | null): Promise<MonitorCycleWire> {
    const now = this.d.clock.now();
    const day = exchangeDay(run.exchange, now);
    const id = `mc-${run.account.id}-${now}-${++this.cycleSeq}`;
    run.running = true;
    this.announce(run);
    const execNode = this.node(run.account.id, null, {
      action: 'cycle',
      status: 'started',
      message: `monitoring cycle ${id} (${trigger})`,
      details: { account: run.account.id, cycle: id, trigger },
    });
    const ctx: CycleContext = {
      id,
      account: run,
      execNode,
      dayStart: day.start,
      tradeDate: day.date,
      brokerOrders: [],
      brokerPositions: [],
      actions: new Map(),
      notes: new Map(),
      seq: 0,
    };
    let outcome: CycleOutcome;
    try {
      outcome = await runCycle((step, name, c) => this.step(ctx, step, name, c.errors), this.d.clock, { regeneratePermitted: run.settings.regenerate.permitted });
    } finally {
      run.running = false;
    }
    const cycle = this.cycleWire(ctx, trigger, delayedMs, outcome);
    try {
      this.d.store.recordCycle(cycle);
    } catch (err) {
      // Not silently: the cycle is still shown and published, and the user is told the ledger missed it.
      this.d.logger.error('monitor cycle not recorded', { account: run.account.id, cycle: id, error: messageOf(err) });
      this.d.alert({ severity: 'critical', kind: 'ledger_error', subject: `monitor:${run.account.id}`, title: 'Monitoring cycle not recorded', body: `cycle ${id} of ${run.account.id} could not be written to the ledger: ${messageOf(err)}` });
    }
    run.recent.unshift(cycle);
    if (run.recent.length > RECENT) run.recent.length = RECENT;
    this.streaks(run, cycle);
    this.node(run.account.id, execNode, {
      action: 'cycle',
      status: cycle.status === 'ok' ? 'completed' : 'failed',
      message: cycle.summary,
      details: { account: run.account.id, cycle: id, duration_ms: cycle.duration_ms, errors: cycle.errors.length },
    });
    this.d.publish({ type: 'monitor_cycle', serverTime: this.d.clock.now(), cycle });
    if (outcome.sessionNeeded) this.enterSessionNeeded(run, cycle.errors[0]?.message ?? 'session refused');
    else if (run.sessionNeeded && cycle.steps[0]?.status === 'ok') this.leaveSessionNeeded(run, 'step 1 read the books again');
    else this.announce(run);
    return cycle;
  }

  private cycleWire(ctx: CycleContext, trigger: 'schedule' | 'run_now', delayedMs: number | null, o: CycleOutcome): MonitorCycleWire {
    const steps: MonitorStepWire[] = o.steps.map((s) => ({
      step: s.step,
      name: s.name,
      status: s.status,
      reason: s.reason ?? null,
      error: s.error ?? null,
      duration_ms: s.durationMs,
      note: ctx.notes.get(s.step) ?? null,
      actions: ctx.actions.get(s.step) ?? [],
    }));
    const status: MonitorCycleWire['status'] = o.sessionNeeded ? 'session_needed' : o.stoppedAt !== null ? 'stopped' : o.errors.length > 0 ? 'errors' : 'ok';
    const actions = steps.reduce((n, s) => n + s.actions.filter((a) => a.outcome === 'done').length, 0);
    const summary =
      o.summary.kind === 'success'
        ? `ok: ${o.summary.stepsOk} steps ok, ${o.summary.stepsSkipped} skipped, ${actions} order action(s), ${Math.round(o.durationMs)} ms`
        : `${status === 'session_needed' ? 'session needed' : status === 'stopped' ? `stopped at step ${o.stoppedAt}` : 'errors'}: ${o.errors.length} error(s) — ${o.errors
            .map((e) => `step ${e.step} ${e.name}: ${e.message}`)
            .join(' | ')}`;
    return {
      id: ctx.id,
      account: ctx.account.account.id,
      trigger,
      started_at: o.startedAt,
      finished_at: o.startedAt + o.durationMs,
      duration_ms: o.durationMs,
      status,
      stopped_at: o.stoppedAt,
      steps,
      errors: o.errors.map((e) => ({ step: e.step, name: e.name, message: e.message })),
      summary,
      delayed_ms: delayedMs,
    };
  }

  /** Consecutive failures per step; the third in a row is notified (once per streak). */
  private streaks(run: AccountRun, cycle: MonitorCycleWire): void {
    for (const s of cycle.steps) {
      if (s.status === 'ok') run.failing.delete(s.name);
      else if (s.status === 'failed') {
        const n = (run.failing.get(s.name) ?? 0) + 1;
        run.failing.set(s.name, n);
        if (n === STREAK_NOTIFY) {
          this.d.alert({
            severity: 'warning',
            kind: 'monitor_step_failing',
            subject: `${run.account.id}:${s.name}`,
            title: `Monitor ${run.account.id}: step ${s.step} failing`,
            body: `step ${s.step} (${s.name}) failed ${n} cycles in a row: ${s.error ?? 'no message'}`,
          });
        }
      }
    }
  }

  private action(ctx: CycleContext, step: StepNo, a: Omit<MonitorActionWire, 'execution_id' | 'step' | 'at'>): MonitorActionWire {
    const status = a.outcome === 'done' || a.outcome === 'waited' ? 'completed' : a.outcome === 'blocked' ? 'info' : 'failed';
    const execution_id = this.node(ctx.account.account.id, ctx.execNode, {
      action: a.kind,
      status,
      message: `step ${step}: ${a.detail}`,
      details: {
        account: ctx.account.account.id,
        cycle: ctx.id,
        step,
        symbol: a.symbol,
        client_order_id: a.client_order_id,
        linked_client_order_id: a.linked_client_order_id,
        outcome: a.outcome,
      },
    });
    const full: MonitorActionWire = { ...a, execution_id, step, at: this.d.clock.now() };
    const list = ctx.actions.get(step) ?? [];
    list.push(full);
    ctx.actions.set(step, list);
    return full;
  }

  private async step(ctx: CycleContext, step: StepNo, name: StepName, errors: readonly { step: number; name: string; message: string }[]): Promise<void> {
    switch (name) {
      case 'fetch':
        return this.fetch(ctx);
      case 'fifo_pnl':
        return this.fifoPnl(ctx);
      case 'sync':
        return this.sync(ctx);
      case 'sl_tp':
        return this.slTp(ctx);
      case 'modify_entries':
        return this.modify(ctx, 5, 'entry');
      case 'modify_sl':
        return this.modify(ctx, 6, 'sl');
      case 'archive_rejected':
        return this.archive(ctx);
      case 'regenerate':
        return this.regenerate(ctx);
      case 'replace_regenerated':
        return this.placeRegenerated(ctx);
      case 'report':
        return this.report(ctx, errors);
      default: {
        const never: never = name;
        throw new Error(`unknown step ${step} ${String(never)}`);
      }
    }
  }

  // step 1: the order book and positions, concurrently; every failure captured.
  private async fetch(ctx: CycleContext): Promise<void> {
    const exec = ctx.account.execution;
    if (!exec) throw new Error(`account ${ctx.account.account.id} is not running`);
    const [orders, positions] = await Promise.allSettled([
      dayOrders(exec, ctx.dayStart),
      exec.positions(),
    ]);
    const failures: string[] = [];
    let session = false;
    if (orders.status === 'rejected') {
      failures.push(`order book: ${messageOf(orders.reason)}`);
      session ||= isSessionError(orders.reason);
    } else ctx.brokerOrders = orders.value;
    if (positions.status === 'rejected') {
      failures.push(`positions: ${messageOf(positions.reason)}`);
      session ||= isSessionError(positions.reason);
    } else ctx.brokerPositions = positions.value;
    if (failures.length > 0) {
      const msg = failures.join('; ');
      throw session ? new SessionExpiredError(`session refused — ${msg}`) : new Error(msg);
    }
    ctx.notes.set(1, `${ctx.brokerOrders.length} order(s) today, ${ctx.brokerPositions.length} position(s)`);
  }

  // step 2: FIFO P&L of the day's order book into the ledger (one transaction per account).
  private fifoPnl(ctx: CycleContext): Promise<void> {
    const book: BookOrder[] = [];
    const add = (o: VenueOrder) => {
      if (o.side !== 'buy' && o.side !== 'sell') return;
      const t = Date.parse(o.updatedAt ?? o.createdAt ?? '');
      book.push({ id: o.id, symbol: o.symbol, side: o.side, filledQty: o.filledQty, filledAvgPrice: o.filledAvgPrice, time: Number.isFinite(t) ? t : ctx.dayStart });
    };
    for (const o of ctx.brokerOrders) {
      if (o.legs.length > 0) o.legs.forEach(add);
      else add(o);
    }
    const { rows, problems } = dayFifoPnl(book);
    this.d.store.replaceDayPnl(ctx.account.account.id, ctx.tradeDate, rows, ctx.id, this.d.clock.now());
    const realized = rows.reduce((s, r) => s + parseScaled(r.realizedPnl, MONEY_DP), 0n);
    ctx.notes.set(2, `${rows.length} symbol(s) traded today, realized ${scaledToFixed(realized, MONEY_DP, 2)}${problems.length ? `; ${problems.join('; ')}` : ''}`);
    return Promise.resolve();
  }

  // step 3: reconciliation with the broker, then positions and their analytics in one transaction.
  private async sync(ctx: CycleContext): Promise<void> {
    const account = ctx.account.account.id;
    const gate = this.d.reconciliation();
    if (!gate) throw new Error('reconciliation is not available');
    const r = await gate.run(account, 'monitor');
    if (r.status === 'unavailable' || r.status === 'pending') throw new Error(`reconciliation ${r.status}: ${r.error ?? 'the broker could not be compared'}`);
    const open = r.lines.filter((l) => l.kind !== 'matched' && l.resolution === null);
    if (r.status === 'diff') {
      throw new Error(
        `reconciliation: ${open.length} difference(s) wait for the user on the Orders page (${open
          .slice(0, 5)
          .map((l) => `${l.subject} ${l.symbol} ${l.kind}`)
          .join(', ')}): SL/TP not placed`,
      );
    }
    const at = this.d.clock.now();
    const rows = this.d.snapshots(account).map((p) => this.positionRow(account, p));
    this.d.store.syncPositions(account, rows, at);
    const unknown = rows.filter((p) => p.status !== 'CLOSED' && p.markPrice === null).length;
    ctx.notes.set(3, `reconciled (${r.lines.length} line(s)); ${rows.length} position(s) synced${unknown ? `, ${unknown} without a fresh mark` : ''}`);
  }

  private positionRow(account: string, p: PositionSnapshot): PositionSyncRow {
    const qty = (q: bigint) => scaledToString(q, QTY_DP);
    const unitsAbs = (q: bigint) => q * p.multiplier; // QTY_DP + MULT_DP
    const avgOf = (value: bigint, q: bigint) => (q === 0n ? null : scaledToString(divRound(value, unitsAbs(q) * pow10(MONEY_DP - PRICE_DP - QTY_DP - MULT_DP)), PRICE_DP));
    const base = {
      positionId: p.position_id,
      reEntryNum: p.re_entry_num,
      symbol: p.symbol,
      side: p.side === 'LONG' ? ('long' as const) : ('short' as const),
      status: p.status,
      quantityTotal: qty(p.quantity_total),
      quantityClosed: qty(p.quantity_closed),
      quantityOpen: qty(p.quantity_remaining),
      avgEntryPrice: avgOf(p.entry_value, p.quantity_total),
      avgExitPrice: avgOf(p.exit_value, p.quantity_closed),
      realizedPnl: scaledToString(p.realized_net, MONEY_DP),
      fees: scaledToString(p.fees, MONEY_DP),
      openedAt: p.opened_at,
      closedAt: p.closed_at,
    };
    const pct = (pnl: bigint) => (p.entry_value === 0n ? null : scaledToFixed(divRound(pnl * 100n * pow10(4), p.entry_value), 4, 4));
    if (p.status === 'CLOSED') {
      return { ...base, markPrice: null, pnlAbs: base.realizedPnl, pnlPct: pct(p.realized_net), reason: 'closed: no mark needed' };
    }
    const q = this.d.quote(account, p.symbol);
    const mid = q && q.fresh ? fairMid(numText(q.bid), numText(q.ask)) : null;
    if (mid === null) {
      const why = !q ? 'not quoted' : !q.fresh ? `quote stale (${q.ageMs === null ? 'age unknown' : `${Math.round(q.ageMs / 1000)} s old`})` : 'one-sided or crossed quote';
      return { ...base, markPrice: null, pnlAbs: null, pnlPct: null, reason: `no fresh mark: ${why}` };
    }
    // unrealized = mark × signed_units − signed_open_cost (MONEY_DP); pnl = realized + unrealized.
    const mark = parseScaled(mid, PRICE_DP);
    const unrealized = mark * p.signed_units * pow10(MONEY_DP - PRICE_DP - QTY_DP - MULT_DP) - p.signed_open_cost;
    const pnl = p.realized_net + unrealized;
    return { ...base, markPrice: mid, pnlAbs: scaledToString(pnl, MONEY_DP), pnlPct: pct(pnl), reason: null };
  }

  // step 4: SL / TP for running positions lacking them (and protective orders left without a position cancelled).
  private async slTp(ctx: CycleContext): Promise<void> {
    const account = ctx.account.account.id;
    const orders = this.requireOrders();
    const s = ctx.account.settings.sl_tp;
    const journal = orders.list({ account, scope: 'all', limit: 5_000 });
    const working = journal.filter((o) => !isTerminal(o.status));
    const open = this.openPositions(account);
    const failures: string[] = [];
    let placed = 0;
    const bySymbol = new Map(open.map((p) => [p.symbol, p]));
    const cancel = async (o: OrderWire, why: string) => {
      const blocked = orders.automationBlocked(account);
      if (blocked) {
        this.action(ctx, 4, { kind: 'cancel_protective', symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: o.linked_client_order_id, outcome: 'blocked', detail: `${why}; not cancelled: ${blocked}` });
        return;
      }
      const out = await orders.cancel(account, o.client_order_id);
      const a = this.outcomeAction(ctx, 4, 'cancel_protective', o.symbol, o.client_order_id, o.linked_client_order_id, out, why);
      if (a.outcome !== 'done' && a.outcome !== 'blocked') failures.push(a.detail);
    };
    // A protective order that no longer fits its position — the position is gone, changed side or
    // size — would flip it if it filled: cancel it (the next cycle places one that fits, once the
    // cancel is final: two working at once could together close more than is held).
    for (const o of working) {
      if ((o.role !== 'sl' && o.role !== 'tp') || o.pending || o.status === 'pending_cancel') continue;
      const p = bySymbol.get(o.symbol);
      const role = o.role.toUpperCase();
      if (!p) await cancel(o, `cancel ${role} ${o.client_order_id}: its position is flat`);
      else if (o.side !== p.closingSide || o.quantity !== p.quantity) {
        await cancel(o, `cancel ${role} ${o.client_order_id} (${o.side} ${o.quantity}): the position is now ${p.signed} — a ${p.closingSide} ${p.quantity} fits it`);
      }
    }
    for (const p of open) {
      const entry = lastEntry(journal, p.symbol);
      const strategy = entry?.strategy ?? null;
      const rules = strategy !== null && s.by_strategy[strategy] ? s.by_strategy[strategy] : { stop_loss: s.stop_loss, take_profit: s.take_profit };
      if (!rules.stop_loss && !rules.take_profit) continue;
      // An exit at work on the symbol owns its closing: nothing is placed beside it.
      const exiting = working.filter((o) => o.symbol === p.symbol && (o.role === 'exit' || o.origin === 'exit'));
      if (exiting.length > 0) {
        ctx.notes.set(4, `${p.symbol}: an exit is working (${exiting.map((o) => o.client_order_id).join(', ')}): no SL/TP placed beside it`);
        continue;
      }
      const has = { sl: working.some((o) => o.symbol === p.symbol && o.role === 'sl'), tp: working.some((o) => o.symbol === p.symbol && o.role === 'tp') };
      const decisions = protectiveOrders({ symbol: p.symbol, quantity: p.signed, avgPrice: p.avgPrice }, { sl: rules.stop_loss as ProtectiveRule | null, tp: rules.take_profit as ProtectiveRule | null }, has);
      for (const dcs of decisions) {
        const kind = dcs.kind === 'place' ? (dcs.order.role === 'sl' ? 'place_sl' : 'place_tp') : dcs.role === 'sl' ? 'place_sl' : 'place_tp';
        if (dcs.kind === 'cannot') {
          this.action(ctx, 4, { kind, symbol: p.symbol, client_order_id: null, linked_client_order_id: entry?.client_order_id ?? null, outcome: 'failed', detail: dcs.reason });
          failures.push(dcs.reason);
          continue;
        }
        // The venue refused this protective order again and again today: stop re-sending it every
        // cycle (the step reports it until the user acts), instead of one rejection a minute.
        const rejected = journal.filter((o) => o.symbol === p.symbol && o.role === dcs.order.role && o.status === 'rejected' && o.created_at >= ctx.dayStart);
        if (rejected.length >= PROTECTIVE_REJECTIONS) {
          const why = `${dcs.order.role.toUpperCase()} for ${p.symbol} not placed again: the venue rejected it ${rejected.length} times today (last: ${rejected[0]!.reason ?? 'no reason given'})`;
          this.action(ctx, 4, { kind, symbol: p.symbol, client_order_id: null, linked_client_order_id: entry?.client_order_id ?? null, outcome: 'failed', detail: why });
          failures.push(why);
          continue;
        }
        const blocked = orders.automationBlocked(account);
        if (blocked) {
          this.action(ctx, 4, { kind, symbol: p.symbol, client_order_id: null, linked_client_order_id: entry?.client_order_id ?? null, outcome: 'blocked', detail: `${dcs.order.why}; not sent: ${blocked}` });
          continue;
        }
        // The position as it is now (a fill may have landed while this step ran).
        const now = this.openPositions(account).find((x) => x.symbol === p.symbol);
        if (!now || now.signed !== p.signed) {
          ctx.notes.set(4, `${p.symbol} changed while the step ran (now ${now?.signed ?? 'flat'}): left for the next cycle`);
          break;
        }
        const out = await orders.place(
          {
            account,
            symbol: p.symbol,
            side: dcs.order.side,
            quantity: dcs.order.quantity,
            order_type: dcs.order.orderType,
            limit_price: dcs.order.limitPrice,
            ...(dcs.order.stopPrice !== null ? { stop_price: dcs.order.stopPrice } : {}),
            time_in_force: 'day',
            role: dcs.order.role,
            ...(strategy !== null ? { strategy } : {}),
            ...(entry ? { linked_client_order_id: entry.client_order_id } : {}),
          },
          'monitor',
        );
        const a = this.outcomeAction(ctx, 4, kind, p.symbol, out.order?.client_order_id ?? null, entry?.client_order_id ?? null, out, dcs.order.why);
        if (a.outcome === 'done') placed++;
        else if (a.outcome !== 'blocked') failures.push(a.detail);
      }
    }
    if (!ctx.notes.has(4)) ctx.notes.set(4, `${open.length} running position(s); ${placed} protective order(s) placed`);
    if (failures.length) throw new StepFailure(failures.join(' | '));
  }

  /** The account's open positions (one per symbol: the open re-entry), with what closes them. */
  private openPositions(account: string): { symbol: string; signed: string; quantity: string; closingSide: 'buy' | 'sell'; avgPrice: string | null }[] {
    return this.d
      .snapshots(account)
      .filter((p) => p.status !== 'CLOSED' && p.quantity_remaining > 0n)
      .map((p) => ({
        symbol: p.symbol,
        signed: scaledToString(p.side === 'LONG' ? p.quantity_remaining : -p.quantity_remaining, QTY_DP),
        quantity: scaledToString(p.quantity_remaining, QTY_DP),
        closingSide: p.side === 'LONG' ? ('sell' as const) : ('buy' as const),
        avgPrice: p.open_cost === 0n ? null : scaledToString(divRound(p.open_cost, p.quantity_remaining * p.multiplier * pow10(MONEY_DP - PRICE_DP - QTY_DP - MULT_DP)), PRICE_DP),
      }));
  }

  // steps 5 and 6: a crossed stop_limit entry / SL order moves its limit to the fresh fair price.
  private async modify(ctx: CycleContext, step: 5 | 6, role: 'entry' | 'sl'): Promise<void> {
    const account = ctx.account.account.id;
    const orders = this.requireOrders();
    const candidates = orders
      .list({ account, scope: 'open', limit: 5_000 })
      .filter((o) => o.role === role && o.order_type === 'stop_limit' && !o.pending && !isTerminal(o.status) && o.archived_at === null);
    if (candidates.length === 0) {
      ctx.notes.set(step, `no working ${role === 'entry' ? 'entry' : 'SL'} stop order`);
      return;
    }
    this.d.subscribe(`monitor:${account}`, account, [...new Set(orders.list({ account, scope: 'open' }).filter((o) => o.order_type === 'stop_limit').map((o) => o.symbol))]);
    const failures: string[] = [];
    let modified = 0;
    const kind = step === 5 ? 'modify_entry' : 'modify_sl';
    const fairs = await this.freshFairs(ctx, step, account, [...new Set(candidates.map((o) => o.symbol))]);
    for (const o of candidates) {
      const fair = fairs.get(o.symbol)!;
      if (fair.fair === null) {
        this.action(ctx, step, { kind, symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: o.linked_client_order_id, outcome: 'failed', detail: fair.why });
        failures.push(`${o.client_order_id}: ${fair.why}`);
        continue;
      }
      // Decided on the quote as it is right now (an earlier replace may have taken long enough for it to go stale).
      const current = this.freshMid(account, o.symbol);
      if (current === null) {
        const why = `${o.symbol}: the quote went stale while the step ran: not modified`;
        this.action(ctx, step, { kind, symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: o.linked_client_order_id, outcome: 'failed', detail: why });
        failures.push(`${o.client_order_id}: ${why}`);
        continue;
      }
      const dcs = fairPriceModification({ symbol: o.symbol, side: o.side, stopPrice: o.stop_price, limitPrice: o.limit_price }, current);
      if (dcs.kind === 'none') continue;
      const blocked = orders.automationBlocked(account);
      if (blocked) {
        this.action(ctx, step, { kind, symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: o.linked_client_order_id, outcome: 'blocked', detail: `${dcs.why}; not sent: ${blocked}` });
        continue;
      }
      const out = await orders.replace(account, o.client_order_id, { limit_price: dcs.limitPrice });
      const a = this.outcomeAction(ctx, step, kind, o.symbol, o.client_order_id, o.linked_client_order_id, out, dcs.why);
      if (a.outcome === 'done') modified++;
      else if (a.outcome !== 'blocked') failures.push(a.detail);
    }
    ctx.notes.set(step, `${candidates.length} working ${role === 'entry' ? 'entry' : 'SL'} stop order(s); ${modified} modified`);
    if (failures.length) throw new StepFailure(failures.join(' | '));
  }

  /** The fair price of a fresh two-sided quote now, else null. */
  private freshMid(account: string, symbol: string): string | null {
    const q = this.d.quote(account, symbol);
    return q && q.fresh ? fairMid(numText(q.bid), numText(q.ask)) : null;
  }

  /**
   * The symbols' fair prices from fresh quotes. Stale or missing ones get a REST refresh and are waited
   * for together, up to the setting; the wait is recorded as an action. A symbol still without a fresh
   * two-sided quote gets the reason instead of a price — it is never modified on a stale one.
   */
  private async freshFairs(ctx: CycleContext, step: StepNo, account: string, symbols: string[]): Promise<Map<string, { fair: string; why: null } | { fair: null; why: string }>> {
    const read = (symbol: string) => {
      const q = this.d.quote(account, symbol);
      return { q, mid: q && q.fresh ? fairMid(numText(q.bid), numText(q.ask)) : null };
    };
    const out = new Map<string, { fair: string; why: null } | { fair: null; why: string }>();
    let waiting = symbols.filter((s) => {
      const r = read(s);
      if (r.mid !== null) out.set(s, { fair: r.mid, why: null });
      return r.mid === null;
    });
    if (waiting.length === 0) return out;
    const wait = ctx.account.settings.fresh_quote_wait_ms;
    const t0 = this.d.clock.now();
    for (const s of waiting) void this.d.refresh(account, s).catch((err: unknown) => this.d.logger.warn('monitor: REST refresh failed', { account, symbol: s, error: messageOf(err) }));
    while (waiting.length > 0) {
      waiting = waiting.filter((s) => {
        const r = read(s);
        if (r.mid === null) return true;
        const waited = this.d.clock.now() - t0;
        this.action(ctx, step, { kind: 'wait_quote', symbol: s, client_order_id: null, linked_client_order_id: null, outcome: 'waited', detail: `waited ${Math.round(waited)} ms for a fresh quote of ${s}: fair ${r.mid}` });
        out.set(s, { fair: r.mid, why: null });
        return false;
      });
      if (waiting.length === 0 || this.d.clock.now() - t0 >= wait) break;
      await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, POLL_MS));
    }
    for (const s of waiting) {
      const q = read(s).q;
      const age = q?.ageMs ?? null;
      out.set(s, { fair: null, why: `no fresh quote of ${s} within ${wait} ms (${!q ? 'not quoted' : `last quote ${age === null ? 'of unknown age' : `${Math.round(age / 1000)} s old`}${q.fresh ? ', one-sided' : ''}`}): not modified` });
    }
    return out;
  }

  // step 7: rejected orders archived (never deleted).
  private archive(ctx: CycleContext): Promise<void> {
    const account = ctx.account.account.id;
    const orders = this.requireOrders();
    const rejected = orders.list({ account, scope: 'all', limit: 5_000 }).filter((o) => o.status === 'rejected' && o.archived_at === null);
    const failures: string[] = [];
    for (const o of rejected) {
      try {
        orders.archive(account, o.client_order_id, { cycleId: ctx.id, reason: `rejected${o.reason ? `: ${o.reason}` : ''}` });
        this.action(ctx, 7, { kind: 'archive', symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: null, outcome: 'done', detail: `archived rejected ${o.side} ${o.quantity} ${o.symbol} (${o.reason ?? 'no reason given'})` });
      } catch (err) {
        const why = `archive ${o.client_order_id}: ${messageOf(err)}`;
        this.action(ctx, 7, { kind: 'archive', symbol: o.symbol, client_order_id: o.client_order_id, linked_client_order_id: null, outcome: 'failed', detail: why });
        failures.push(why);
      }
    }
    ctx.notes.set(7, rejected.length ? `${rejected.length - failures.length} rejected order(s) archived` : 'no rejected order to archive');
    if (failures.length) throw new StepFailure(failures.join(' | '));
    return Promise.resolve();
  }

  // step 8: rejected entries regenerated (new client ids linked to the rejected ones), where permitted.
  private regenerate(ctx: CycleContext): Promise<void> {
    const account = ctx.account.account.id;
    const orders = this.requireOrders();
    const s = ctx.account.settings.regenerate;
    // Nothing is regenerated while automation may not act: it would wait, and be placed late.
    const blocked = orders.automationBlocked(account);
    if (blocked) {
      ctx.notes.set(8, `not regenerating: ${blocked}`);
      return Promise.resolve();
    }
    const journal = orders.list({ account, scope: 'all', limit: 5_000 });
    const existing = this.d.store.regenerations(account);
    const decisions = regenerationCandidates(
      journal.map((o) => ({ clientOrderId: o.client_order_id, role: o.role, strategy: o.strategy, status: o.status, createdAt: o.created_at })),
      existing.map((r) => ({ rejectedClientOrderId: r.rejectedClientOrderId, newClientOrderId: r.newClientOrderId, attempt: r.attempt })),
      { strategies: s.strategies, maxAttempts: s.max_attempts },
      ctx.dayStart,
    );
    let n = 0;
    const held: string[] = [];
    for (const dcs of decisions) {
      if (dcs.kind === 'not') {
        held.push(`${dcs.rejectedClientOrderId}: ${dcs.why}`);
        continue;
      }
      const o = journal.find((j) => j.client_order_id === dcs.rejectedClientOrderId)!;
      this.d.store.addRegeneration({
        rejectedClientOrderId: dcs.rejectedClientOrderId,
        account,
        newClientOrderId: dcs.newClientOrderId,
        strategy: o.strategy,
        attempt: dcs.attempt,
        cycleId: ctx.id,
        createdAt: this.d.clock.now(),
        status: null,
        reason: null,
        placedAt: null,
      });
      n++;
      this.action(ctx, 8, {
        kind: 'regenerate',
        symbol: o.symbol,
        client_order_id: dcs.newClientOrderId,
        linked_client_order_id: dcs.rejectedClientOrderId,
        outcome: 'done',
        detail: `entry ${dcs.rejectedClientOrderId} (${o.side} ${o.quantity} ${o.symbol}) rejected (${o.reason ?? 'no reason'}): regenerated as ${dcs.newClientOrderId}, attempt ${dcs.attempt} of ${s.max_attempts}`,
      });
    }
    ctx.notes.set(8, `${n} rejected entr${n === 1 ? 'y' : 'ies'} regenerated${held.length ? `; not regenerated: ${held.join('; ')}` : ''}`);
    return Promise.resolve();
  }

  // step 9: the regenerated entries placed (same order, the new client id, linked to the rejected one).
  private async placeRegenerated(ctx: CycleContext): Promise<void> {
    const account = ctx.account.account.id;
    const orders = this.requireOrders();
    const pending = this.d.store.regenerations(account).filter((r) => r.status === null);
    const journal = orders.list({ account, scope: 'all', limit: 5_000 });
    const failures: string[] = [];
    let placed = 0;
    for (const r of pending) {
      if (r.createdAt < ctx.dayStart) {
        // a regeneration of an earlier day never goes out late
        this.d.store.settleRegeneration(r.rejectedClientOrderId, 'failed', `expired: regenerated on an earlier day (${new Date(r.createdAt).toISOString()}), never placed`, this.d.clock.now());
        continue;
      }
      const original = journal.find((o) => o.client_order_id === r.rejectedClientOrderId);
      const already = journal.find((o) => o.client_order_id === r.newClientOrderId);
      if (already) {
        // placed before a crash, not yet settled: the journal holds it, so it is never placed twice
        this.d.store.settleRegeneration(r.rejectedClientOrderId, 'placed', 'found in the journal (placed by an earlier cycle)', this.d.clock.now());
        continue;
      }
      if (!original) {
        const why = `regenerated ${r.newClientOrderId}: the rejected order ${r.rejectedClientOrderId} is not in the journal`;
        this.d.store.settleRegeneration(r.rejectedClientOrderId, 'failed', why, this.d.clock.now());
        failures.push(why);
        continue;
      }
      const blocked = orders.automationBlocked(account);
      if (blocked) {
        this.action(ctx, 9, { kind: 'place_regenerated', symbol: original.symbol, client_order_id: r.newClientOrderId, linked_client_order_id: r.rejectedClientOrderId, outcome: 'blocked', detail: `not sent (next cycle retries): ${blocked}` });
        continue;
      }
      const out = await orders.place(
        {
          account,
          symbol: original.symbol,
          side: original.side,
          quantity: original.quantity,
          order_type: original.order_type,
          ...(original.limit_price !== null ? { limit_price: original.limit_price } : {}),
          ...(original.stop_price !== null ? { stop_price: original.stop_price } : {}),
          role: 'entry',
          ...(original.strategy !== null ? { strategy: original.strategy } : {}),
          linked_client_order_id: r.rejectedClientOrderId,
          client_order_id: r.newClientOrderId,
        },
        'monitor',
      );
      const a = this.outcomeAction(ctx, 9, 'place_regenerated', original.symbol, r.newClientOrderId, r.rejectedClientOrderId, out, `re-place ${original.side} ${original.quantity} ${original.symbol} as ${r.newClientOrderId}`);
      const status = out.kind === 'accepted' ? 'placed' : out.kind;
      if (a.outcome !== 'blocked') this.d.store.settleRegeneration(r.rejectedClientOrderId, status, out.kind === 'accepted' ? null : out.reason, this.d.clock.now());
      if (a.outcome === 'done') placed++;
      else if (a.outcome !== 'blocked') failures.push(a.detail);
    }
    ctx.notes.set(9, `${placed} of ${pending.length} regenerated entr${pending.length === 1 ? 'y' : 'ies'} placed`);
    if (failures.length) throw new StepFailure(failures.join(' | '));
  }

  // step 10: one aggregated report with every error (the monitor_cycle event follows the cycle).
  private report(ctx: CycleContext, errors: readonly { step: number; name: string; message: string }[]): Promise<void> {
    this.node(ctx.account.account.id, ctx.execNode, {
      action: 'monitor_errors',
      status: 'failed',
      message: `${errors.length} error(s): ${errors.map((e) => `step ${e.step} ${e.name}: ${e.message}`).join(' | ')}`,
      details: { account: ctx.account.account.id, cycle: ctx.id, errors: errors.map((e) => `step ${e.step} ${e.name}: ${e.message}`) },
    });
    ctx.notes.set(10, `${errors.length} error(s) reported`);
    return Promise.resolve();
  }

  /** Records a gateway outcome as an action: accepted → done; refused for mode / kill switch / reconciliation → blocked; else as it came. */
  private outcomeAction(
    ctx: CycleContext,
    step: StepNo,
    kind: MonitorActionWire['kind'],
    symbol: string,
    clientOrderId: string | null,
    linked: string | null,
    out: OrderOutcomeWire,
    what: string,
  ): MonitorActionWire {
    switch (out.kind) {
      case 'accepted':
        return this.action(ctx, step, { kind, symbol, client_order_id: out.order.client_order_id, linked_client_order_id: linked, outcome: 'done', detail: what });
      case 'refused': {
        const blocked = out.cause === 'mode' || out.cause === 'kill_switch' || out.cause === 'not_reconciled';
        return this.action(ctx, step, { kind, symbol, client_order_id: out.order?.client_order_id ?? clientOrderId, linked_client_order_id: linked, outcome: blocked ? 'blocked' : 'refused', detail: `${what}; refused (${out.cause}): ${out.reason}` });
      }
      case 'rejected':
        return this.action(ctx, step, { kind, symbol, client_order_id: out.order.client_order_id, linked_client_order_id: linked, outcome: 'rejected', detail: `${what}; rejected by the venue: ${out.reason}` });
      case 'unknown':
        return this.action(ctx, step, { kind, symbol, client_order_id: out.order.client_order_id, linked_client_order_id: linked, outcome: 'unknown', detail: `${what}; outcome unknown (asking the venue): ${out.reason}` });
    }
  }

  private requireOrders(): MonitorOrders {
    const o = this.d.orders();
    if (!o) throw new Error('the order path is not available');
    return o;
  }
}

/** The latest entry order of the symbol (it names the position's strategy and is what SL/TP link to). */
function lastEntry(journal: readonly OrderWire[], symbol: string): OrderWire | null {
  let best: OrderWire | null = null;
  for (const o of journal) {
    if (o.symbol !== symbol || o.role !== 'entry') continue;
    if (o.filled_quantity === '0') continue;
    if (!best || o.created_at > best.created_at) best = o;
  }
  return best;
}

function numText(x: number | null): string | null {
  if (x === null || !Number.isFinite(x)) return null;
  return scaledToString(numberToScaled(x, PRICE_DP), PRICE_DP);
}

/** Every step's name in plan order (for the UI's legend and the docs). */
export const STEP_NAMES: readonly StepName[] = CYCLE_PLAN.map((r) => r.name);
