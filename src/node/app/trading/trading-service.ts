/**
 * The trading service (issue 16 items 1, 2, 7): per held account, the trading mode and LIVE arming,
 * one OrderGateway while the account's venue runs, the manual exits, and what the `trading.*` /
 * `orders.*` commands and the snapshot read.
 *
 * - Mode: Monitor at every start (and again whenever the account's venue stops); Trade by one switch
 *   for a SIM or PAPER account; a LIVE account needs the typed phrase `LIVE <account id>` each time
 *   it is switched to Trade (never persisted). Monitor disarms. Every change is a `node_event` (the
 *   Events page: who, why) and a `trading_event` (every account's state and the exits).
 * - Gateways: built at `accountStarted` with the account's execution port, the desk's journal (the
 *   ledger's SqliteOrderJournal; memory without a ledger), the kill switch, the positions of the
 *   account fills (AccountPositions; unknown when absent) and the mode; `recover()` at start,
 *   `resolveAll()` on the venue's resync, order updates into `onOrderUpdate`. Every journal event is
 *   an `order_event` carrying the journal row and the history row.
 * - Unknown outcomes resolve on their own: while any order of a running account has an unknown
 *   outcome, the service asks the venue about every unresolved order (`resolveAll`) on the injected
 *   scheduler — first after 3 s, then backing off (×2) up to 30 s; the timer stops with the account.
 * - Automation gate: a command from the monitoring cycle or a strategy is refused (`not_reconciled`
 *   / `mode`) while `automation_blocked` says why (Monitor, an order with an unknown outcome, the
 *   reconciliation not clean); manual commands pass the mode and kill switch only.
 */
import type { Account } from '../../../core/model/account';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { OrderUpdate } from '../../../core/ports/venue';
import type { JournalEvent, JournalOrder, NewJournalEvent, OrderJournal } from '../../../core/ports/order-journal';
import { OrderGateway, type GatewayOutcome } from '../../../core/orders/gateway';
import type { OrderStatus } from '../../../core/orders/types';
import { isTerminal } from '../../../core/orders/lifecycle';
import type { KillSwitchLevel } from '../../../core/risk/kill-switch';
import { DEFAULT_EXIT_CONFIG, newExitRun, type ExitConfig, type ExitPosition, type ExitQuote } from '../../../core/orders/exit-run';
import { QTY_DP, absBig, scaledToString, tryParseScaled } from '../../../core/model/money';
import type { OrderUpdateStatus, OrderUpdateWire, JsonValue } from '../../../core/events/types';
import type { StructureDefWire } from '../../../core/pnl/revalue';
import type { UnsequencedEvent } from '../../../shared/contract';
import {
  liveArmPhrase,
  type ExitRunWire,
  type ExitTargetWire,
  type OrderHistoryWire,
  type OrderOrigin,
  type OrderOutcomeWire,
  type OrderWire,
  type TradingMode,
  type TradingStateWire,
} from '../../../shared/trading';
import type { VenueRun } from '../../compose';
import type { AccountLifecycle, AccountPositions, ReconciliationGate, TradingPort } from './ports';
import type { MonitorOrders, MonitorPlaceInput } from '../monitor/ports';
import { ExitRunner } from './exit-runner';

/** A command the service refuses as a whole (unknown account, not running, wrong arming phrase): the message says why. */
export class TradingRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TradingRefusal';
  }
}

export interface TradingServiceDeps {
  /** Why the account's venue session stops automation (the monitoring cycle's session_needed), null when it does not. */
  sessionBlocked?: (account: string) => string | null;
  clock: Clock & Scheduler;
  logger: Logger;
  journal: OrderJournal;
  killSwitch: { levelOf(account: string): KillSwitchLevel };
  /** The held accounts (the default one first). */
  accounts: () => readonly Account[];
  /** The account fills' positions (null until that part is wired: every position is then unknown). */
  positions: () => AccountPositions | null;
  /** The reconciler's gate (null: not blocking). */
  reconciliation: () => ReconciliationGate | null;
  /** The desk's event bus. */
  publish: (event: UnsequencedEvent) => void;
  /** A node_event (the Events page); returns its execution id. */
  node: (n: { parent: string | null; node_type: string; node_id: string; node_name: string; action: string; status: 'started' | 'completed' | 'failed' | 'info'; message?: string | null; details?: { [k: string]: JsonValue } }) => string;
  /** The symbol's quote at the account's venue for exits (null: not quoted). */
  quote: (account: Account, symbol: string) => ExitQuote | null;
  /** Keeps an exit's instruments subscribed (null: release). */
  subscribe: (consumer: string, account: Account, symbols: readonly string[] | null) => void;
  /** The portfolio's structures (their legs make a structure exit). */
  structures: () => readonly StructureDefWire[];
  /** Randomness for client order ids (tests pass a seeded one). */
  random?: () => number;
  exitConfig?: Partial<ExitConfig>;
  exitTickMs?: number;
  /** Orders in the snapshot (open first, then the most recent). */
  snapshotOrders?: number;
  /** The first delay before unknown outcomes are asked about, and the backoff's bound (ms; default 3 s and 30 s). */
  resolveDelayMs?: number;
  resolveMaxDelayMs?: number;
}

interface AccountTrading {
  mode: TradingMode;
  since: number | null;
  liveArmed: boolean;
}

interface Running {
  account: Account;
  gateway: OrderGateway;
  off: () => void;
  /** Orders of the account whose outcome is unknown (client order ids), kept from the journal events. */
  unknown: Set<string>;
  /** The pending ask-the-venue timer (null: none). */
  timer: Cancel | null;
  /** The next delay before asking (backs off while the venue cannot settle them). */
  delay: number;
  resolving: boolean;
}

/** An order whose outcome is not known: it may or may not be at the venue as asked. */
const isUnknown = (o: JournalOrder): boolean => o.status === 'unknown' || o.pending?.state === 'unknown';

/** How long an exit waits for the position's protective orders to be cancelled before it gives up. */
const PROTECTIVE_CANCEL_WAIT_MS = 5_000;

const ORIGINS: readonly OrderOrigin[] = ['manual', 'exit', 'monitor', 'strategy', 'reconcile'];

export class TradingService implements AccountLifecycle, TradingPort, MonitorOrders {
  private readonly state = new Map<string, AccountTrading>();
  private readonly running = new Map<string, Running>();
  private readonly origins = new Map<string, OrderOrigin>();
  private readonly exits: ExitRunner;
  private counter = 0;
  private readonly session: string;
  private exitSeq = 0;
  private readonly exitsEnded = new Set<string>();

  constructor(private readonly d: TradingServiceDeps) {
    const rnd = d.random ?? Math.random;
    // A per-process tag: two processes started in the same millisecond still number apart.
    this.session = Math.floor(rnd() * 36 ** 4).toString(36).padStart(4, '0');
    this.exits = new ExitRunner({
      clock: d.clock,
      logger: d.logger,
      gateway: (account) => this.gateway(account),
      quote: (account, symbol) => {
        const a = this.held(account);
        return a ? d.quote(a, symbol) : null;
      },
      subscribe: (runId, account, symbols) => {
        const a = this.held(account);
        if (a) d.subscribe(`exit:${runId}`, a, symbols);
      },
      changed: (run) => this.exitChanged(run),
      ...(d.exitTickMs !== undefined ? { tickMs: d.exitTickMs } : {}),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // modes

  mode(account: string): TradingMode {
    return this.state.get(account)?.mode ?? 'monitor';
  }

  states(): TradingStateWire[] {
    return this.d.accounts().map((a) => this.stateOf(a));
  }

  stateOf(a: Account): TradingStateWire {
    const s = this.state.get(a.id) ?? { mode: 'monitor' as const, since: null, liveArmed: false };
    return {
      account: a.id,
      mode: s.mode,
      venue_mode: a.mode,
      live_armed: a.mode === 'LIVE' && s.liveArmed,
      since: s.since,
      kill_switch: this.d.killSwitch.levelOf(a.id),
      automation_blocked: this.automationBlocked(a.id),
    };
  }

  /** Why automation may not act on the account now (null: it may). */
  automationBlocked(account: string): string | null {
    if (this.mode(account) !== 'trade') return 'Monitor mode: read-only (switch the account to Trade)';
    const unknown = this.running.get(account)?.unknown.size ?? 0;
    if (unknown > 0) return `${unknown} order${unknown === 1 ? '' : 's'} with an unknown outcome: asking the venue`;
    const session = this.d.sessionBlocked?.(account) ?? null;
    if (session) return `${session}: re-authenticate on the Monitor page`;
    const gate = this.d.reconciliation();
    if (gate && !gate.clean(account)) {
      const s = gate.state(account);
      return `reconciliation with the broker is not clean (${s.status}${s.error ? `: ${s.error}` : ''}): resolve its lines first`;
    }
    return null;
  }

  /** Switches an account between Monitor and Trade (a LIVE account needs `confirm` = `LIVE <id>`). */
  setMode(accountId: string, mode: TradingMode, confirm: string | undefined, who = 'user'): TradingStateWire {
    const a = this.requireHeld(accountId);
    const before = this.state.get(a.id) ?? { mode: 'monitor' as const, since: null, liveArmed: false };
    if (mode === 'trade' && a.mode === 'LIVE') {
      const phrase = liveArmPhrase(a.id);
      if (confirm !== phrase) {
        throw new TradingRefusal(
          `account ${a.id} is LIVE (real money): to switch it to Trade, type exactly "${phrase}"${confirm === undefined ? '' : ` (got "${confirm}")`}; it stays in ${before.mode === 'trade' ? 'Trade' : 'Monitor'}`,
        );
      }
    }
    if (before.mode === mode) return this.stateOf(a);
    const now = this.d.clock.now();
    this.state.set(a.id, mode === 'trade' ? { mode, since: now, liveArmed: a.mode === 'LIVE' } : { mode, since: null, liveArmed: false });
    this.announce(a, before.mode, mode, who, mode === 'trade' ? (a.mode === 'LIVE' ? 'LIVE armed with the typed phrase' : `${a.mode} account: one switch`) : 'switched back to Monitor (disarmed)');
    return this.stateOf(a);
  }

  private announce(a: Account, from: TradingMode, to: TradingMode, who: string, why: string): void {
    const name = (m: TradingMode) => (m === 'trade' ? 'Trade' : 'Monitor');
    this.d.node({
      parent: null,
      node_type: 'TradingNode',
      node_id: `trading:${a.id}`,
      node_name: `Trading ${a.id}`,
      action: 'trading_mode',
      status: 'info',
      message: `account ${a.id} (${a.mode}): ${name(from)} → ${name(to)} by ${who}: ${why}`,
      details: { account: a.id, venue_mode: a.mode, from, to, who, why, live_armed: to === 'trade' && a.mode === 'LIVE' },
    });
    this.publishTrading();
  }

  /** Announces every account's trading state again (the kill switch or the reconciliation changed). */
  refresh(): void {
    this.publishTrading();
  }

  private publishTrading(): void {
    this.d.publish({ type: 'trading_event', serverTime: this.d.clock.now(), accounts: this.states(), exits: this.exits.list() });
  }

  // ---------------------------------------------------------------------------------------------
  // account lifecycle

  accountStarted(account: Account, venue: VenueRun): Promise<void> {
    this.running.get(account.id)?.off();
    const gateway = new OrderGateway({
      clock: this.d.clock,
      execution: venue.execution,
      journal: this.d.journal,
      mode: () => this.mode(account.id),
      killSwitch: this.d.killSwitch,
      position: (acct, symbol) => this.d.positions()?.signedQuantity(acct, symbol) ?? null,
      newClientOrderId: () => this.newClientOrderId(account.id),
    });
    const unknown = new Set(this.d.journal.list({ accountId: account.id }).filter(isUnknown).map((o) => o.clientOrderId));
    const run: Running = { account, gateway, off: () => undefined, unknown, timer: null, delay: this.resolveDelay(), resolving: false };
    run.off = gateway.onEvent((order, event) => this.onJournalEvent(account, order, event));
    this.running.set(account.id, run);
    this.publishTrading();
    return gateway.recover().then(
      (r) => {
        if (r.resolved + r.unknown > 0) this.d.logger.info('order gateway recovered', { account: account.id, ...r });
        this.armResolver(run);
      },
      (err: unknown) => {
        this.d.logger.error('order gateway recovery failed', { account: account.id, error: err instanceof Error ? err.message : String(err) });
        this.armResolver(run);
      },
    );
  }

  private resolveDelay(): number {
    return this.d.resolveDelayMs ?? 3_000;
  }

  /** Asks the venue about the account's unresolved orders after the current delay, while any outcome is unknown. */
  private armResolver(r: Running): void {
    if (r.timer !== null || r.resolving || r.unknown.size === 0 || this.running.get(r.account.id) !== r) return;
    r.timer = this.d.clock.setTimeout(() => {
      r.timer = null;
      void this.resolveUnknown(r);
    }, r.delay);
  }

  private async resolveUnknown(r: Running): Promise<void> {
    if (this.running.get(r.account.id) !== r) return;
    r.resolving = true;
    try {
      const out = await r.gateway.resolveAll();
      if (out.resolved > 0) this.d.logger.info('unknown order outcomes resolved by asking the venue', { account: r.account.id, ...out });
    } catch (err) {
      this.d.logger.error('asking the venue about unknown orders failed', { account: r.account.id, error: err instanceof Error ? err.message : String(err) });
    } finally {
      r.resolving = false;
    }
    if (r.unknown.size === 0) {
      r.delay = this.resolveDelay();
      return;
    }
    r.delay = Math.min(r.delay * 2, this.d.resolveMaxDelayMs ?? 30_000);
    this.armResolver(r);
  }

  private stopResolver(r: Running): void {
    r.timer?.();
    r.timer = null;
  }

  accountStopping(account: Account): void {
    const r = this.running.get(account.id);
    r?.off();
    if (r) this.stopResolver(r);
    this.running.delete(account.id);
    this.exits.accountStopped(account.id);
    const before = this.mode(account.id);
    if (before === 'trade') {
      this.state.set(account.id, { mode: 'monitor', since: null, liveArmed: false });
      this.announce(account, 'trade', 'monitor', 'desk', 'the account stopped: every start is in Monitor');
    } else this.publishTrading();
  }

  async resync(account: Account): Promise<void> {
    const g = this.gateway(account.id);
    if (g) await g.resolveAll();
  }

  orderUpdate(account: Account, update: OrderUpdate): void {
    this.running.get(account.id)?.gateway.onOrderUpdate(update);
  }

  dispose(): void {
    this.exits.dispose();
    for (const r of this.running.values()) {
      r.off();
      this.stopResolver(r);
    }
    this.running.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // orders

  gateway(account: string): OrderGateway | null {
    return this.running.get(account)?.gateway ?? null;
  }

  workingOrders(account: string): OrderWire[] {
    return this.d.journal
      .list({ accountId: account })
      .filter((o) => !isTerminal(o.status))
      .map((o) => this.orderWire(o));
  }

  /**
   * Places through the account's gateway. A manual order (`orders.place`) gives no link or client
   * order id; the monitoring cycle may give both (MonitorOrders). An order without a role is an
   * entry when it adds exposure, an exit when it reduces it (the gateway decides, on the positions it
   * weighs for the kill switch; an unknown position: entry).
   */
  async place(input: MonitorPlaceInput, origin: OrderOrigin = 'manual'): Promise<OrderOutcomeWire> {
    const g = this.requireGateway(input.account);
    const blocked = origin === 'monitor' || origin === 'strategy' ? this.automationBlocked(input.account) : null;
    if (blocked) return { kind: 'refused', cause: this.mode(input.account) === 'trade' ? 'not_reconciled' : 'mode', reason: `${origin}: ${blocked}`, order: null };
    const out = await g.place({
      accountId: input.account,
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      orderType: input.order_type,
      limitPrice: input.limit_price ?? null,
      stopPrice: input.stop_price ?? null,
      role: input.role ?? null,
      strategy: input.strategy ?? null,
      linkedClientOrderId: input.linked_client_order_id ?? null,
      ...(input.retry_count !== undefined ? { retryCount: input.retry_count } : {}),
      ...(input.client_order_id !== undefined ? { clientOrderId: input.client_order_id } : {}),
      ...(input.time_in_force ? { timeInForce: input.time_in_force } : {}),
      origin,
    });
    return this.outcome(out);
  }

  /**
   * Archives a final order of the account (spec §8 step 7): an order_archive row, the order keeps its
   * status and history; announced as an order_event with the journal row (its last history row).
   * Idempotent: an order already archived is returned as it is, not announced again. Refused
   * (TradingRefusal, naming the order and its status) for an order that is not final.
   */
  archive(account: string, clientOrderId: string, why: { cycleId: string | null; reason: string }): OrderWire {
    const a = this.requireHeld(account);
    const o = this.d.journal.get(clientOrderId);
    if (!o || o.accountId !== a.id) throw new TradingRefusal(`order ${clientOrderId} is not in the journal of account ${a.id}: nothing to archive`);
    if (o.archivedAt != null) return this.orderWire(o);
    if (!isTerminal(o.status) || o.pending !== null) {
      throw new TradingRefusal(
        `order ${clientOrderId} (${o.side} ${o.quantity} ${o.symbol}) is ${o.status}${o.pending ? ` with a ${o.pending.kind} pending` : ''}: only a final order (filled, cancelled, rejected, expired) is archived`,
      );
    }
    const archived = this.d.journal.archive(clientOrderId, { at: this.d.clock.now(), cycleId: why.cycleId, reason: why.reason });
    const wire = this.orderWire(archived);
    const events = this.d.journal.events(clientOrderId);
    const last = events[events.length - 1];
    if (last) {
      const at = archived.archivedAt ?? this.d.clock.now();
      this.d.publish({ type: 'order_event', serverTime: this.d.clock.now(), order: { ...updateWire(wire, { ...last, kind: 'update', at }), event: 'archived' }, journal: { order: wire, history: historyWire(last) } });
    }
    return wire;
  }

  async replace(account: string, clientOrderId: string, patch: { quantity?: string | undefined; limit_price?: string | undefined }): Promise<OrderOutcomeWire> {
    const g = this.requireGateway(account);
    return this.outcome(await g.replace(clientOrderId, { ...(patch.quantity !== undefined ? { quantity: patch.quantity } : {}), ...(patch.limit_price !== undefined ? { limitPrice: patch.limit_price } : {}) }));
  }

  async cancel(account: string, clientOrderId: string): Promise<OrderOutcomeWire> {
    return this.outcome(await this.requireGateway(account).cancel(clientOrderId));
  }

  async resolve(account: string, clientOrderId: string): Promise<OrderOutcomeWire> {
    return this.outcome(await this.requireGateway(account).resolve(clientOrderId));
  }

  /** Orders newest first (open ones only with scope `open`), optionally of one account. */
  list(opts: { account?: string | undefined; scope?: 'open' | 'all' | undefined; limit?: number | undefined } = {}): OrderWire[] {
    if (opts.account !== undefined) this.requireHeld(opts.account);
    const rows = this.d.journal.list(opts.account !== undefined ? { accountId: opts.account } : {});
    const chosen = (opts.scope === 'open' ? rows.filter((o) => !isTerminal(o.status)) : rows).sort((a, b) => b.createdAt - a.createdAt || (a.clientOrderId < b.clientOrderId ? 1 : -1));
    return chosen.slice(0, opts.limit ?? 500).map((o) => this.orderWire(o));
  }

  /** The journal's order with this client order id on the account (any state), or null (the strategy service reads its orders here). */
  order(account: string, clientOrderId: string): OrderWire | null {
    const o = this.d.journal.get(clientOrderId);
    return o && o.accountId === account ? this.orderWire(o) : null;
  }

  history(account: string, clientOrderId: string): { order: OrderWire; history: OrderHistoryWire[] } {
    this.requireHeld(account);
    const o = this.d.journal.get(clientOrderId);
    if (!o || o.accountId !== account) throw new TradingRefusal(`order ${clientOrderId} is not in the journal of account ${account}`);
    return { order: this.orderWire(o), history: this.d.journal.events(clientOrderId).map(historyWire) };
  }

  // ---------------------------------------------------------------------------------------------
  // exits

  async exit(account: string, target: ExitTargetWire): Promise<ExitRunWire> {
    const a = this.requireHeld(account);
    this.requireGateway(a.id);
    if (this.mode(a.id) !== 'trade') throw new TradingRefusal(`account ${a.id} is in Monitor mode: an exit sends orders (switch it to Trade first)`);
    const positions = this.exitPositions(a.id, target);
    await this.cancelProtective(a.id, target, positions);
    this.exitConflicts(a.id, target, positions);
    const id = `exit-${a.id}-${this.d.clock.now().toString(36)}-${(++this.exitSeq).toString(36)}`;
    const run = newExitRun(id, a.id, target, positions, this.d.clock.now(), { ...DEFAULT_EXIT_CONFIG, ...this.d.exitConfig });
    this.d.node({
      parent: null,
      node_type: 'ExitNode',
      node_id: `exit:${id}`,
      node_name: `Exit ${a.id}`,
      action: 'exit_start',
      status: 'started',
      message: `manual exit of ${target.kind === 'position' ? target.symbol : target.kind === 'structure' ? `structure ${target.structure_id}` : 'every open position'} on account ${a.id} (${a.mode}): ${run.legs.length} legs`,
      details: { account: a.id, exit: id, legs: run.legs.map((l) => `${l.side} ${l.symbol}`) },
    });
    return this.exits.start(run);
  }

  /**
   * The protective orders (the monitoring cycle's SL / TP) of the positions an exit closes are the
   * exit's to cancel: left working they could fill beside it and flip the position. Each is
   * cancelled through the gateway and waited for (bounded) until final; one that does not end in
   * time leaves the exit refused by `exitConflicts`, naming it.
   */
  private async cancelProtective(account: string, target: ExitTargetWire, positions: readonly ExitPosition[]): Promise<void> {
    const symbols = new Set(positions.filter((p) => p.quantity !== 0n).map((p) => p.symbol));
    if (target.kind === 'position') symbols.add(target.symbol);
    const g = this.gateway(account);
    const protective = () => this.d.journal.list({ accountId: account }).filter((o) => symbols.has(o.symbol) && (o.role === 'sl' || o.role === 'tp') && !isTerminal(o.status));
    const found = protective();
    if (!g || found.length === 0) return;
    for (const o of found) {
      if (o.status === 'pending_cancel' || o.pending?.kind === 'cancel') continue;
      const out = await g.cancel(o.clientOrderId);
      this.d.node({
        parent: null,
        node_type: 'ExitNode',
        node_id: `exit:${account}`,
        node_name: `Exit ${account}`,
        action: 'cancel_protective',
        status: out.kind === 'accepted' ? 'completed' : 'failed',
        message: `exit of ${o.symbol}: cancel its ${o.role!.toUpperCase()} ${o.clientOrderId} first — ${out.kind}${out.kind === 'accepted' ? '' : `: ${out.reason}`}`,
        details: { account, symbol: o.symbol, client_order_id: o.clientOrderId },
      });
    }
    const until = this.d.clock.now() + PROTECTIVE_CANCEL_WAIT_MS;
    while (protective().length > 0 && this.d.clock.now() < until) {
      await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, 50));
    }
  }

  /**
   * Two exits on one position, or an exit beside a working order on its symbol, could together
   * sell (or buy) more than is held and flip it: an exit is refused while another working exit of
   * the account covers any of its symbols, or while the account has working orders on them.
   */
  private exitConflicts(account: string, target: ExitTargetWire, positions: readonly ExitPosition[]): void {
    const symbols = new Set(positions.filter((p) => p.quantity !== 0n).map((p) => p.symbol));
    if (target.kind === 'position') symbols.add(target.symbol);
    const what = target.kind === 'position' ? `of ${target.symbol}` : target.kind === 'structure' ? `of structure ${target.structure_id}` : 'of every position';
    const list = (xs: Iterable<string>) => [...new Set(xs)].sort().join(', ');
    for (const run of this.exits.list()) {
      if (run.account !== account || run.status !== 'working') continue;
      const shared = run.legs.map((l) => l.symbol).filter((sym) => symbols.has(sym));
      if (shared.length > 0) {
        throw new TradingRefusal(`exit ${what} on account ${account} refused: exit ${run.id} is already working on ${list(shared)} (two exits could flip the position); stop it first or wait for it to end`);
      }
    }
    const working = this.d.journal.list({ accountId: account }).filter((o) => symbols.has(o.symbol) && !isTerminal(o.status));
    if (working.length > 0) {
      const on = list(working.map((o) => o.symbol));
      throw new TradingRefusal(
        `exit ${what} on account ${account} refused: ${working.length} working order${working.length === 1 ? '' : 's'} on ${on} (${working.map((o) => `${o.side} ${o.quantity} ${o.symbol} ${o.status}`).join('; ')}) could fill beside it and flip the position: cancel the working orders on ${on} first`,
      );
    }
  }

  async exitCancel(id: string): Promise<ExitRunWire> {
    const run = this.exits.get(id);
    if (!run) throw new TradingRefusal(`exit ${id} is not known (exits of this session only)`);
    const r = await this.exits.cancel(id, 'stopped by the user');
    return r!;
  }

  /** An exit changed: the trading_event; when it ends, a node_event (the Events page) with how. */
  private exitChanged(run: ExitRunWire): void {
    if (run.status !== 'working' && !this.exitsEnded.has(run.id)) {
      this.exitsEnded.add(run.id);
      const legs = run.legs.map((l) => `${l.side} ${l.filled_quantity}/${l.quantity} ${l.symbol} ${l.status}${l.method === 'market' ? ' (market)' : ''}`).join('; ');
      this.d.node({
        parent: null,
        node_type: 'ExitNode',
        node_id: `exit:${run.id}`,
        node_name: `Exit ${run.account}`,
        action: 'exit_end',
        status: run.status === 'done' ? 'completed' : run.status === 'failed' ? 'failed' : 'info',
        message: `exit ${run.status}${run.reason ? `: ${run.reason}` : ''}${legs ? ` — ${legs}` : ''}`,
        details: { account: run.account, exit: run.id, status: run.status },
      });
    }
    this.publishTrading();
  }

  exitList(): ExitRunWire[] {
    return this.exits.list();
  }

  /** The signed positions an exit closes. */
  private exitPositions(account: string, target: ExitTargetWire): ExitPosition[] {
    const port = this.d.positions();
    if (!port) throw new TradingRefusal(`the positions of account ${account} are not known (the account's fills are not loaded): nothing can be closed safely`);
    const known = (symbol: string): bigint => {
      const q = port.signedQuantity(account, symbol);
      if (q === null) throw new TradingRefusal(`the position of ${symbol} on account ${account} is not known: nothing can be closed safely`);
      return q;
    };
    if (target.kind === 'position') return [{ symbol: target.symbol, quantity: known(target.symbol) }];
    if (target.kind === 'all') {
      // Each position sized as the single-position exit sizes it: refused while its quantity is not
      // trusted (the account's reconciliation pending or unavailable, or an open line on the symbol).
      return port.positions(account).map((p) => ({ symbol: p.symbol, quantity: known(p.symbol) }));
    }
    const s = this.d.structures().find((x) => x.id === target.structure_id);
    if (!s) throw new TradingRefusal(`structure ${target.structure_id} is not in the portfolio (structures: ${this.d.structures().map((x) => x.id).join(', ') || 'none'})`);
    // Each leg's quantity, bounded by what the account holds of it (same direction): never more than is open.
    return s.legs.map((l) => {
      const want = tryParseScaled(l.quantity, QTY_DP) ?? 0n;
      const have = known(l.symbol);
      const same = (want > 0n && have > 0n) || (want < 0n && have < 0n);
      const q = same ? (absBig(want) < absBig(have) ? want : have) : 0n;
      return { symbol: l.symbol, quantity: q };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // snapshot

  snapshotParts(): { trading: TradingStateWire[]; journal_orders: OrderWire[]; exits: ExitRunWire[] } {
    const limit = this.d.snapshotOrders ?? 200;
    const rows = this.d.journal.list().sort((a, b) => b.updatedAt - a.updatedAt);
    const open = rows.filter((o) => !isTerminal(o.status));
    const done = rows.filter((o) => isTerminal(o.status));
    return { trading: this.states(), journal_orders: [...open, ...done].slice(0, Math.max(limit, open.length)).map((o) => this.orderWire(o)), exits: this.exits.list() };
  }

  // ---------------------------------------------------------------------------------------------
  // plumbing

  /** `ld-<account>-<ms base 36>-<process tag><counter>`: unique across restarts, ≤ 48 characters. */
  newClientOrderId(account: string): string {
    const acct = account.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 16);
    return `ld-${acct}-${this.d.clock.now().toString(36)}-${this.session}${(++this.counter).toString(36)}`;
  }

  private held(account: string): Account | null {
    return this.d.accounts().find((a) => a.id === account) ?? null;
  }

  private requireHeld(account: string): Account {
    const a = this.held(account);
    if (!a) throw new TradingRefusal(`the desk holds no account "${account}" (it holds ${this.d.accounts().map((x) => `"${x.id}"`).join(', ')})`);
    return a;
  }

  private requireGateway(account: string): OrderGateway {
    const a = this.requireHeld(account);
    const g = this.gateway(a.id);
    if (!g) throw new TradingRefusal(`account ${a.id} is not running: press Start`);
    return g;
  }

  private onJournalEvent(account: Account, order: JournalOrder, e: NewJournalEvent): void {
    if (e.kind === 'created') {
      const o = e.detail?.['origin'];
      this.origins.set(order.clientOrderId, typeof o === 'string' && (ORIGINS as readonly string[]).includes(o) ? (o as OrderOrigin) : 'manual');
    }
    // The event just written is the last of the order's history (its seq from the journal).
    const events = this.d.journal.events(order.clientOrderId);
    const last = events[events.length - 1];
    const history: OrderHistoryWire = last ? historyWire(last) : historyWire({ ...e, seq: 0 });
    const wire = this.orderWire(order);
    this.d.publish({ type: 'order_event', serverTime: this.d.clock.now(), order: updateWire(wire, e), journal: { order: wire, history } });
    const r = this.running.get(account.id);
    if (r) {
      const before = r.unknown.size;
      if (isUnknown(order)) r.unknown.add(order.clientOrderId);
      else r.unknown.delete(order.clientOrderId);
      if (r.unknown.size === 0) r.delay = this.resolveDelay();
      else this.armResolver(r);
      if (r.unknown.size !== before) this.publishTrading(); // automation_blocked changed
    }
    this.exits.orderChanged(account.id);
  }

  private originOf(clientOrderId: string): OrderOrigin {
    const known = this.origins.get(clientOrderId);
    if (known) return known;
    const created = this.d.journal.events(clientOrderId)[0];
    const o = created?.detail?.['origin'];
    const origin = typeof o === 'string' && (ORIGINS as readonly string[]).includes(o) ? (o as OrderOrigin) : 'manual';
    this.origins.set(clientOrderId, origin);
    return origin;
  }

  orderWire(o: JournalOrder): OrderWire {
    const filled = (tryParseScaled(o.priorFilledQuantity, QTY_DP) ?? 0n) + (tryParseScaled(o.filledQuantity, QTY_DP) ?? 0n);
    return {
      client_order_id: o.clientOrderId,
      account: o.accountId,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      order_type: o.orderType,
      limit_price: o.limitPrice,
      stop_price: o.stopPrice ?? null,
      role: o.role ?? null,
      strategy: o.strategy ?? null,
      linked_client_order_id: o.linkedClientOrderId ?? null,
      archived_at: o.archivedAt ?? null,
      status: o.status,
      venue_order_id: o.venueOrderId,
      venue_client_order_id: o.venueClientOrderId,
      filled_quantity: scaledToString(filled, QTY_DP),
      replace_count: o.replaceCount,
      pending: o.pending ? { kind: o.pending.kind, state: o.pending.state, since: o.pending.since, attempts: o.pending.attempts } : null,
      reason: o.reason,
      origin: this.originOf(o.clientOrderId),
      created_at: o.createdAt,
      updated_at: o.updatedAt,
    };
  }

  outcome(out: GatewayOutcome): OrderOutcomeWire {
    switch (out.kind) {
      case 'refused':
        return { kind: 'refused', cause: out.cause, reason: out.reason, order: out.order ? this.orderWire(out.order) : null };
      case 'accepted':
        return { kind: 'accepted', order: this.orderWire(out.order) };
      case 'rejected':
        return { kind: 'rejected', reason: out.reason, http_status: out.httpStatus, order: this.orderWire(out.order) };
      case 'unknown':
        return { kind: 'unknown', reason: out.reason, order: this.orderWire(out.order) };
    }
  }
}

function historyWire(e: JournalEvent): OrderHistoryWire {
  return { seq: e.seq, client_order_id: e.clientOrderId, at: e.at, kind: e.kind, command: e.command, from_status: e.fromStatus, to_status: e.toStatus, reason: e.reason, detail: e.detail };
}

/** The journal's status in the venue-update spelling (core/events/types.ts OrderUpdateStatus). */
export function wireStatusOf(status: OrderStatus, filled: boolean): OrderUpdateStatus {
  switch (status) {
    case 'pending_submit':
    case 'submitted':
      return 'new';
    case 'accepted':
      return 'accepted';
    case 'partially_filled':
      return 'partially_filled';
    case 'pending_cancel':
      return filled ? 'partially_filled' : 'accepted'; // still working until the venue confirms
    case 'filled':
      return 'filled';
    case 'cancelled':
    case 'archived':
      return 'canceled';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return 'expired';
    case 'unknown':
      return 'unknown';
  }
}

/**
 * The journal order as an order update (every reader of order updates sees it): `order_id` is the
 * intended order's client order id (stable across replaces and known before the venue answers),
 * `client_order_id` the current venue order's, `event` the journal event's kind.
 */
function updateWire(o: OrderWire, e: NewJournalEvent): OrderUpdateWire {
  return {
    order_id: o.client_order_id,
    client_order_id: o.venue_client_order_id,
    symbol: o.symbol,
    side: o.side === 'buy' ? 'BUY' : 'SELL',
    event: e.kind,
    status: wireStatusOf(o.status, o.filled_quantity !== '0'),
    quantity: o.quantity,
    filled_quantity: o.filled_quantity,
    limit_price: o.limit_price,
    avg_fill_price: null,
    time: e.at,
  };
}
