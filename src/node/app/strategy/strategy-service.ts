/**
 * Strategy runs in the desk (spec §9, issue 18): the pure engine (core/strategy/engine.ts, through
 * the `StrategyEngine` seam) decides; this service feeds it — the injected clock on a short tick,
 * the quote cache's quotes with their freshness, the order journal's view of the run's orders — and
 * carries out its actions: contract selection, orders through the account's order gateway (origin
 * `strategy`, role entry/exit, the engine's deterministic client order ids, `retry_count`), cancels,
 * REST refreshes, notifications. Every change of a run is persisted (`strategy_runs`, the engine's
 * state in its session metadata: a restart resumes it after the account is reconciled, with no
 * duplicate order), audited (`strategy_events` + node_events with execution ids) and pushed as a
 * `strategy_runtime` event with the spec §9 payload.
 */
import type { Account } from '../../../core/model/account';
import type { Clock, Cancel, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { OrderUpdate } from '../../../core/ports/venue';
import type { AlertDraft } from '../../../core/alerts/types';
import { exchangeDay, type Exchange } from '../../../core/monitor/session-hours';
import { parseStrategyDefinition, type StrategyDefinition } from '../../../core/strategy/definition';
import type { RunAction, RunAudit, RunInputs, RunOrderView, RunQuote, RunStep, SelectedContract, StrategyEngine } from '../../../core/strategy/engine-api';
import type { StrategyRuntimeWire } from '../../../core/strategy/runtime-payload';
import type { OrderOutcomeWire, OrderWire } from '../../../shared/trading';
import type { StrategyAuditWire, StrategyDefinitionsEventBody, StrategyRuntimeEventBody } from '../../../shared/strategy';
import type { VenueRun } from '../../compose';
import type { AccountLifecycle } from '../trading/ports';
import type { StrategyStore } from './store';
import type { AppNode } from '../app-node';

/** What the service asks of the order path (the trading service implements it). */
export interface StrategyOrders {
  automationBlocked(account: string): string | null;
  place(
    input: {
      account: string;
      symbol: string;
      side: 'buy' | 'sell';
      quantity: string;
      order_type: 'limit' | 'market';
      limit_price?: string | undefined;
      role?: 'entry' | 'exit' | undefined;
      strategy?: string | undefined;
      client_order_id?: string | undefined;
      retry_count?: number | undefined;
    },
    origin: 'strategy',
  ): Promise<OrderOutcomeWire>;
  cancel(account: string, clientOrderId: string): Promise<OrderOutcomeWire>;
  /** The journal's order with this client order id (any state), or null. */
  order(account: string, clientOrderId: string): OrderWire | null;
}

export type SelectContracts = (account: Account, definition: StrategyDefinition, now: number) => Promise<{ ok: true; contracts: SelectedContract[] } | { ok: false; reason: string }>;

export type StrategyNode = AppNode;

export interface StrategyServiceDeps<S> {
  clock: Clock & Scheduler;
  logger: Logger;
  engine: StrategyEngine<S>;
  select: SelectContracts;
  orders: () => StrategyOrders | null;
  quote: (account: string, symbol: string) => RunQuote | null;
  refresh: (account: string, symbol: string) => Promise<void>;
  subscribe: (consumer: string, account: string, symbols: string[] | null) => void;
  exchangeOf: (account: Account) => Exchange;
  /** True once the account's reconciliation with the broker is clean (a resumed run waits for it). */
  reconciled: (account: string) => boolean;
  store: StrategyStore;
  publish: (event: (StrategyRuntimeEventBody | StrategyDefinitionsEventBody) & { serverTime: number }) => void;
  node: (n: StrategyNode) => string;
  alert: (draft: AlertDraft) => void;
  accounts: () => readonly Account[];
  /**
   * The average fill price of an order from the ledger's fills (after a restart, when the order
   * updates that carried it are gone); null when it has none.
   */
  avgFillOf?: (account: string, clientOrderId: string) => number | null;
  /** The engine's evaluation tick (default 250 ms). */
  tickMs?: number;
}

interface Run<S> {
  runId: string;
  account: Account;
  definition: StrategyDefinition;
  state: S;
  startedAt: number;
  /** Restored from the ledger, waiting for its account (started and reconciled) before `resume`. */
  restored: boolean;
  lastPayload: string;
  lastPersisted: string;
  lastPersistAt: number;
  exec: string;
  /** Actions run one at a time per run. */
  chain: Promise<unknown>;
  ended: boolean;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const PERSIST_EVERY_MS = 1_000;
/** How long a fill whose price is not known yet is held back from the engine (the update carrying it follows). */
const FILL_PRICE_WAIT_MS = 5_000;
/** A place refused by a passing block (reconciliation, an unknown outcome elsewhere) is tried again this often, this many times. */
const TRANSIENT_RETRY_MS = 1_000;
const TRANSIENT_RETRIES = 10;

export class StrategyService<S> implements AccountLifecycle {
  private readonly runs = new Map<string, Run<S>>();
  private readonly started = new Set<string>();
  /** Average fill price per client order id, from the venue's order updates. */
  private readonly avgFill = new Map<string, number>();
  /** When a fill without a known price was first seen, per client order id. */
  private readonly fillSeenAt = new Map<string, number>();
  private tick: Cancel | null = null;
  private seq = 0;
  private disposed = false;

  constructor(private readonly d: StrategyServiceDeps<S>) {
    this.restore();
  }

  // ---------------------------------------------------------------- definitions

  definitions(): StrategyDefinition[] {
    return this.d.store.definitions().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  save(definition: StrategyDefinition): StrategyDefinition {
    const parsed = parseStrategyDefinition(definition);
    if (!parsed.ok) throw new Error(`invalid definition: ${parsed.errors.join('; ')}`);
    this.requireAccount(parsed.definition.account, `definition ${parsed.definition.id}`);
    this.d.store.saveDefinition(parsed.definition, this.d.clock.now());
    this.announceDefinitions();
    return parsed.definition;
  }

  remove(id: string): boolean {
    const gone = this.d.store.removeDefinition(id, this.d.clock.now());
    if (gone) this.announceDefinitions();
    return gone;
  }

  importJson(json: string): { saved: StrategyDefinition[]; errors: { index: number; errors: string[] }[] } {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (err) {
      return { saved: [], errors: [{ index: 0, errors: [`(root): not JSON: ${messageOf(err)}`] }] };
    }
    const list = Array.isArray(raw) ? raw : [raw];
    const errors: { index: number; errors: string[] }[] = [];
    const ok: StrategyDefinition[] = [];
    const held = new Set(this.d.accounts().map((a) => a.id as string));
    list.forEach((item, index) => {
      const p = parseStrategyDefinition(item);
      if (!p.ok) errors.push({ index, errors: p.errors });
      else if (!held.has(p.definition.account)) errors.push({ index, errors: [`account: the desk holds no account "${p.definition.account}"`] });
      else ok.push(p.definition);
    });
    const ids = ok.map((d) => d.id);
    const dup = ids.find((x, i) => ids.indexOf(x) !== i);
    if (dup) errors.push({ index: ids.lastIndexOf(dup), errors: [`id: "${dup}" appears twice in the import`] });
    if (errors.length > 0) return { saved: [], errors };
    const now = this.d.clock.now();
    for (const d of ok) this.d.store.saveDefinition(d, now);
    this.announceDefinitions();
    return { saved: ok, errors: [] };
  }

  exportJson(ids: readonly string[] | undefined): string {
    const all = this.definitions();
    if (ids) {
      const missing = ids.filter((id) => !all.some((d) => d.id === id));
      if (missing.length) throw new Error(`no definition ${missing.map((m) => `"${m}"`).join(', ')}`);
    }
    return JSON.stringify(ids ? all.filter((d) => ids.includes(d.id)) : all, null, 2);
  }

  // ---------------------------------------------------------------- runs

  payloads(): StrategyRuntimeWire[] {
    return [...this.runs.values()].map((r) => this.d.engine.payload(r.state, this.inputs(r))).sort((a, b) => (a.run_id < b.run_id ? 1 : -1));
  }

  /**
   * The runtime's nodes working now (tick_update `active_nodes`): `strategy:<run id>` of every run that
   * has not ended, in run order — the node id its node_events carry.
   */
  activeNodes(): string[] {
    const out: string[] = [];
    for (const r of this.runs.values()) if (!r.ended) out.push(`strategy:${r.runId}`);
    return out;
  }

  snapshotParts(): { strategies: StrategyDefinition[]; strategy_runs: StrategyRuntimeWire[] } {
    return { strategies: this.definitions(), strategy_runs: this.payloads() };
  }

  async start(strategyId: string, now: boolean): Promise<StrategyRuntimeWire> {
    const definition = this.d.store.definitions().find((x) => x.id === strategyId);
    if (!definition) throw new Error(`no strategy definition "${strategyId}"`);
    const account = this.requireAccount(definition.account, `strategy ${strategyId}`);
    if (!this.started.has(account.id)) throw new Error(`account ${account.id} is not running: press Start first`);
    const orders = this.d.orders();
    if (!orders) throw new Error(`account ${account.id}: the order path is not available`);
    const blocked = orders.automationBlocked(account.id);
    if (blocked) throw new Error(`account ${account.id}: ${blocked}`);
    const active = [...this.runs.values()].find((r) => r.definition.id === definition.id && !r.ended);
    if (active) throw new Error(`${definition.name} already has an active run (${active.runId}): halt it first (two runs would double the exposure)`);
    const at = this.d.clock.now();
    const runId = `run-${definition.id}-${at.toString(36)}-${(++this.seq).toString(36)}`;
    const exchange = this.d.exchangeOf(account);
    const step = this.d.engine.newRun(runId, definition, exchange, at, { enterNow: now });
    if (now && definition.exits.forced_exit_time !== null) {
      // "enter now" after today's forced exit would hold the position to another day's (a weekend's) forced exit
      const exitAt = this.d.engine.payload(step.state, { now: at, quote: () => null, order: () => null }).strategy.exit_time;
      if (exitAt !== null && exchangeDay(exchange, Date.parse(exitAt)).date !== exchangeDay(exchange, at).date) {
        throw new Error(`${definition.name}: today's forced exit ${definition.exits.forced_exit_time} has passed; entering now would hold the position until ${exitAt}`);
      }
    }
    const exec = this.d.node({ parent: null, node_type: 'StrategyNode', node_id: `strategy:${runId}`, node_name: `Strategy ${definition.name}`, action: 'run_start', status: 'started', message: `run ${runId} of ${definition.name} on ${account.id} (${account.mode})${now ? ', entering now' : ''}`, details: { run: runId, account: account.id, strategy: definition.id } });
    const run: Run<S> = { runId, account, definition, state: step.state, startedAt: at, restored: false, lastPayload: '', lastPersisted: '', lastPersistAt: 0, exec, chain: Promise.resolve(), ended: false };
    this.d.store.createRun({ runId, account: account.id, strategyId: definition.id, strategyName: definition.name, status: this.status(run), startedAt: at, endedAt: null, engineState: JSON.stringify(step.state), metadata: this.metadata(run) });
    run.lastPersisted = JSON.stringify(step.state);
    this.runs.set(runId, run);
    await this.enqueue(run, () => this.apply(run, step));
    this.ensureTick();
    return this.d.engine.payload(run.state, this.inputs(run));
  }

  pause(runId: string, paused: boolean): StrategyRuntimeWire {
    const run = this.requireRun(runId);
    // the pause itself changes no order: applied at once (a queued step sees it)
    const step = this.d.engine.pause(run.state, paused, this.inputs(run));
    run.state = step.state;
    void this.enqueue(run, () => this.apply(run, { ...step, state: run.state }));
    return this.d.engine.payload(run.state, this.inputs(run));
  }

  async halt(runId: string, reason: string): Promise<StrategyRuntimeWire> {
    const run = this.requireRun(runId);
    await this.enqueue(run, () => this.apply(run, this.d.engine.halt(run.state, `halted by the user: ${reason}`, this.inputs(run))));
    return this.d.engine.payload(run.state, this.inputs(run));
  }

  /**
   * The kill switch went to Halted for `account` (`*`: every account): every open run there is halted
   * as by the user — its working orders cancelled (cancels pass a halted switch), positions kept, no
   * further entry or exit sent — and is not resumed after a re-arm (a new run is started on purpose).
   * Returns the runs halted.
   */
  async haltAccount(account: string, reason: string): Promise<string[]> {
    const runs = [...this.runs.values()].filter((r) => !r.ended && (account === '*' || r.account.id === account) && !this.d.engine.finished(r.state));
    await Promise.all(runs.map((run) => this.enqueue(run, () => this.apply(run, this.d.engine.halt(run.state, `kill switch halted: ${reason}`, this.inputs(run))))));
    return runs.map((r) => r.runId);
  }

  async exit(runId: string, leg: number | undefined): Promise<StrategyRuntimeWire> {
    const run = this.requireRun(runId);
    await this.enqueue(run, () => this.apply(run, this.d.engine.manualExit(run.state, leg, this.inputs(run))));
    return this.d.engine.payload(run.state, this.inputs(run));
  }

  audit(runId: string, afterEventId: number | undefined, limit: number | undefined): StrategyAuditWire[] {
    if (!this.runs.has(runId) && this.d.store.audit(runId, 0, 1).length === 0) throw new Error(`no strategy run "${runId}"`);
    return this.d.store.audit(runId, afterEventId ?? 0, limit ?? 1_000).map((e) => ({ event_id: e.eventId, run_id: e.runId, at: new Date(e.at).toISOString(), kind: e.kind, execution_id: e.executionId, message: e.message }));
  }

  // ---------------------------------------------------------------- lifecycle

  accountStarted(account: Account, _venue: VenueRun): void {
    this.started.add(account.id);
    this.ensureTick();
  }

  accountStopping(account: Account): void {
    this.started.delete(account.id);
    for (const r of this.runs.values()) if (r.account.id === account.id) this.d.subscribe(`strategy:${r.runId}`, account.id, null);
  }

  orderUpdate(account: Account, update: OrderUpdate): void {
    const avg = update.order.filledAvgPrice === null ? NaN : Number(update.order.filledAvgPrice);
    if (Number.isFinite(avg) && avg > 0) this.avgFill.set(update.order.clientOrderId, avg);
    // the run's orders changed: evaluate its runs now rather than at the next tick
    for (const r of this.runs.values()) if (r.account.id === account.id && !r.restored && !r.ended) void this.enqueue(r, () => this.apply(r, this.d.engine.advance(r.state, this.inputs(r))));
  }

  dispose(): void {
    this.disposed = true;
    this.tick?.();
    this.tick = null;
    for (const r of this.runs.values()) this.persist(r, true);
  }

  /** Every run, evaluated now (the tick; tests and the bench call it directly). */
  async evaluateAll(): Promise<void> {
    await Promise.all(
      [...this.runs.values()].map((r) => {
        if (r.ended) return Promise.resolve();
        if (r.restored) return this.tryResume(r);
        if (!this.started.has(r.account.id)) return Promise.resolve();
        return this.enqueue(r, () => this.apply(r, this.d.engine.advance(r.state, this.inputs(r))));
      }),
    );
  }

  // ---------------------------------------------------------------- internals

  private restore(): void {
    for (const stored of this.d.store.openRuns()) {
      const account = this.d.accounts().find((a) => a.id === stored.account);
      let config: unknown;
      try {
        config = JSON.parse(String(stored.metadata.config_json));
      } catch {
        config = null;
      }
      const parsed = parseStrategyDefinition(config);
      if (!account || !parsed.ok) {
        this.d.logger.error('strategy run not resumed', { run: stored.runId, reason: !account ? `the desk holds no account ${stored.account}` : `its config does not read: ${parsed.ok ? '' : parsed.errors.join('; ')}` });
        continue;
      }
      let state: S;
      try {
        state = JSON.parse(stored.engineState) as S;
      } catch (err) {
        this.d.logger.error('strategy run not resumed: its state does not read', { run: stored.runId, error: messageOf(err) });
        continue;
      }
      const exec = this.d.node({ parent: null, node_type: 'StrategyNode', node_id: `strategy:${stored.runId}`, node_name: `Strategy ${parsed.definition.name}`, action: 'run_restored', status: 'info', message: `run ${stored.runId} restored (${stored.status}): it resumes once ${account.id} is started and reconciled`, details: { run: stored.runId, account: account.id } });
      this.runs.set(stored.runId, { runId: stored.runId, account, definition: parsed.definition, state, startedAt: stored.startedAt, restored: true, lastPayload: '', lastPersisted: stored.engineState, lastPersistAt: this.d.clock.now(), exec, chain: Promise.resolve(), ended: false });
    }
    if (this.runs.size > 0) this.ensureTick();
  }

  private async tryResume(run: Run<S>): Promise<void> {
    if (!this.started.has(run.account.id) || !this.d.reconciled(run.account.id)) return;
    run.restored = false;
    await this.enqueue(run, () => this.apply(run, this.d.engine.resume(run.state, this.inputs(run))));
  }

  private ensureTick(): void {
    if (this.tick || this.disposed) return;
    const every = this.d.tickMs ?? 250;
    this.tick = this.d.clock.setInterval(() => {
      void this.evaluateAll().catch((err: unknown) => this.d.logger.error('strategy tick failed', { error: messageOf(err) }));
    }, every);
  }

  private enqueue(run: Run<S>, f: () => Promise<void>): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const next = run.chain.then(f, f);
    run.chain = next.catch((err: unknown) => {
      this.d.logger.error('strategy run step failed', { run: run.runId, error: messageOf(err) });
    });
    return next;
  }

  private inputs(run: Run<S>): RunInputs {
    const account = run.account.id;
    return {
      now: this.d.clock.now(),
      quote: (symbol) => this.d.quote(account, symbol),
      order: (id) => {
        const o = this.d.orders()?.order(account, id) ?? null;
        if (!o) return null;
        let avg = this.avgFill.get(o.venue_client_order_id) ?? this.avgFill.get(id) ?? null;
        if (avg === null && Number(o.filled_quantity) > 0 && this.d.avgFillOf) {
          avg = this.d.avgFillOf(account, id);
          if (avg !== null) this.avgFill.set(id, avg);
        }
        if (avg === null && Number(o.filled_quantity) > 0) {
          // A fill known from the venue's answer before the update that carries its price (a market
          // order filled at once): the engine hears of it once its price is known — within
          // milliseconds — so the leg's entry price is never left unknown; after 5 s, as it is.
          const first = this.fillSeenAt.get(id) ?? this.d.clock.now();
          this.fillSeenAt.set(id, first);
          if (this.d.clock.now() - first < FILL_PRICE_WAIT_MS) return { status: 'accepted', filledQuantity: 0, avgFillPrice: null, reason: o.reason };
        }
        return orderView(o, avg);
      },
    };
  }

  private status(run: Run<S>): StrategyRuntimeWire['status'] {
    return this.d.engine.payload(run.state, this.inputs(run)).status;
  }

  /** The spec's session metadata (config id, scheduled entry, entry method, attempts, selected contracts) from the payload, plus the config. */
  private metadata(run: Run<S>, payload?: StrategyRuntimeWire): Record<string, unknown> {
    const p = payload ?? this.d.engine.payload(run.state, this.inputs(run));
    const deltas = run.definition.legs.flatMap((l) => (l.select.by === 'delta' ? [l.select.min, l.select.max] : []));
    return {
      config_id: run.definition.id,
      config_name: run.definition.name,
      underlying: run.definition.underlying,
      ...(p.scheduled_entry_at ? { scheduled_entry_at: p.scheduled_entry_at } : {}),
      ...(p.strategy.exit_time ? { planned_exit_at: p.strategy.exit_time } : {}),
      entry_method: run.definition.entry.fallback === 'market' ? 'limit_then_market' : 'limit',
      entry_attempts: p.entry.attempts,
      max_retry: run.definition.entry.max_retry,
      retry_delay_sec: run.definition.entry.retry_delay_ms / 1000,
      ...(deltas.length ? { target_delta_range: [Math.min(...deltas), Math.max(...deltas)] } : {}),
      selected_contracts: p.entry.legs
        .filter((l) => l.symbol !== null && l.expiry !== null && l.strike !== null)
        .map((l) => ({ leg: String(l.leg), symbol: l.symbol!, expiry: l.expiry!, strike: l.strike!, delta: l.delta })),
      // as text: the ledger reads JSON keys ending in `_time` as ISO times, and the config's are HH:mm
      config_json: JSON.stringify(run.definition),
    };
  }

  /** Records a step's audit and carries out its actions, then persists and announces. */
  private async apply(run: Run<S>, step: RunStep<S>): Promise<void> {
    run.state = step.state;
    for (const a of step.audit) this.recordAudit(run, a);
    const actions = step.actions;
    // Write-ahead: the state (with the orders it is about to send) is in the ledger before they go out;
    // if it cannot be written, nothing is sent (the engine hears `refused`).
    const saved = actions.some((a) => a.kind === 'place' || a.kind === 'cancel') ? this.persist(run, true) : true;
    for (const action of actions) {
      if (action.kind === 'place' && (!saved || !this.d.engine.placeWanted(run.state, action.clientOrderId))) {
        if (this.disposed) return;
        const reason = saved ? 'not sent: the run no longer wants it (an earlier outcome or a halt changed it)' : 'not sent: the run could not be saved to the ledger first';
        this.node(run, `place_${action.purpose}`, 'info', `${action.clientOrderId}: ${reason}`, { client_order_id: action.clientOrderId, leg: action.leg });
        await this.apply(run, this.d.engine.placeOutcome(run.state, action.clientOrderId, { kind: 'refused', reason }, this.inputs(run)));
        continue;
      }
      await this.act(run, action);
    }
    // one payload for the persistence check and the event
    const payload = this.d.engine.payload(run.state, this.inputs(run));
    this.persist(run, false, payload);
    this.announce(run, payload);
  }

  private async act(run: Run<S>, a: RunAction): Promise<void> {
    // after shutdown nothing more is done: the run resumes from its saved state at the next start
    if (this.disposed) return;
    const account = run.account.id;
    switch (a.kind) {
      case 'select_contracts': {
        // the underlying's price: the desk's own delta and ATM strike offsets need it fresh
        this.d.subscribe(`strategy:${run.runId}`, account, [run.definition.underlying]);
        await this.d.refresh(account, run.definition.underlying).catch((err: unknown) => this.d.logger.warn('strategy: underlying refresh failed', { run: run.runId, error: messageOf(err) }));
        let result: { ok: true; contracts: SelectedContract[] } | { ok: false; reason: string };
        try {
          result = await this.d.select(run.account, run.definition, this.d.clock.now());
        } catch (err) {
          result = { ok: false, reason: `contract selection failed: ${messageOf(err)}` };
        }
        if (result.ok) this.d.subscribe(`strategy:${run.runId}`, account, [run.definition.underlying, ...result.contracts.map((c) => c.symbol)]);
        return this.apply(run, this.d.engine.contractsSelected(run.state, result, this.inputs(run)));
      }
      case 'place': {
        const orders = this.d.orders();
        if (!orders) return this.apply(run, this.d.engine.placeOutcome(run.state, a.clientOrderId, { kind: 'refused', reason: 'the order path is not available' }, this.inputs(run)));
        // A restart may find the order already journaled: it is never sent twice.
        if (orders.order(account, a.clientOrderId)) return this.apply(run, this.d.engine.placeOutcome(run.state, a.clientOrderId, { kind: 'accepted' }, this.inputs(run)));
        const send = async (): Promise<OrderOutcomeWire> => {
          try {
            return await orders.place(
              {
                account,
                symbol: a.symbol,
                side: a.side,
                quantity: String(a.quantity),
                order_type: a.orderType,
                ...(a.orderType === 'limit' && a.limitPrice !== null ? { limit_price: priceText(a.limitPrice) } : {}),
                role: a.purpose,
                strategy: run.definition.id,
                client_order_id: a.clientOrderId,
                retry_count: a.retryCount,
              },
              'strategy',
            );
          } catch (err) {
            return { kind: 'refused', cause: 'validation', reason: messageOf(err), order: null };
          }
        };
        let out = await send();
        // A passing block (the account's reconciliation re-running, another order's outcome being
        // asked) is waited out briefly rather than failing the entry for good; Monitor mode, the kill
        // switch or a validation refusal are not.
        for (let i = 0; i < TRANSIENT_RETRIES && out.kind === 'refused' && (out.cause === 'not_reconciled' || out.cause === 'busy') && !this.disposed; i++) {
          await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, TRANSIENT_RETRY_MS));
          if (!this.d.engine.placeWanted(run.state, a.clientOrderId)) break;
          out = await send();
        }
        this.node(run, `place_${a.purpose}`, out.kind === 'accepted' ? 'completed' : 'failed', `${a.purpose} leg ${a.leg}: ${a.side} ${a.quantity} ${a.symbol} ${a.orderType}${a.limitPrice !== null ? ` ${priceText(a.limitPrice)}` : ''} (attempt ${a.retryCount + 1}) — ${out.kind}${out.kind === 'accepted' ? '' : `: ${out.reason}`}`, { client_order_id: a.clientOrderId, leg: a.leg });
        const outcome = out.kind === 'accepted' ? ({ kind: 'accepted' } as const) : ({ kind: out.kind, reason: out.reason } as const);
        return this.apply(run, this.d.engine.placeOutcome(run.state, a.clientOrderId, outcome, this.inputs(run)));
      }
      case 'cancel': {
        const orders = this.d.orders();
        if (!orders) return;
        const out = await orders.cancel(account, a.clientOrderId).catch((err: unknown): OrderOutcomeWire => ({ kind: 'refused', cause: 'validation', reason: messageOf(err), order: null }));
        this.node(run, 'cancel', out.kind === 'accepted' ? 'completed' : 'failed', `cancel ${a.clientOrderId}: ${a.reason} — ${out.kind}${out.kind === 'accepted' ? '' : `: ${out.reason}`}`, { client_order_id: a.clientOrderId });
        return;
      }
      case 'refresh_quote':
        void this.d.refresh(account, a.symbol).catch((err: unknown) => this.d.logger.warn('strategy: REST refresh failed', { run: run.runId, symbol: a.symbol, error: messageOf(err) }));
        return;
      case 'notify':
        this.d.alert({ severity: a.alert === 'entry_failed' || a.alert === 'forced_exit' ? 'critical' : 'warning', kind: a.alert, subject: `${run.runId}:${a.alert}`, title: a.title, body: a.body });
        return;
    }
  }

  private recordAudit(run: Run<S>, a: RunAudit): void {
    const execution = this.node(run, a.kind, 'info', a.message, {});
    this.d.store.appendAudit({ runId: run.runId, at: this.d.clock.now(), kind: a.kind, executionId: execution, message: a.message });
  }

  private node(run: Run<S>, action: string, status: StrategyNode['status'], message: string, details: StrategyNode['details']): string {
    return this.d.node({ parent: run.exec, node_type: 'StrategyNode', node_id: `strategy:${run.runId}`, node_name: `Strategy ${run.definition.name}`, action, status, message, details: { run: run.runId, account: run.account.id, ...details } });
  }

  /** Saves the run's state (forced, or at most once a second); false when it could not be written. */
  private persist(run: Run<S>, force: boolean, payload?: StrategyRuntimeWire): boolean {
    const now = this.d.clock.now();
    if (!force && now - run.lastPersistAt < PERSIST_EVERY_MS) return true;
    const text = JSON.stringify(run.state);
    if (text === run.lastPersisted) return true;
    const p = payload ?? this.d.engine.payload(run.state, this.inputs(run));
    const finished = this.d.engine.finished(run.state);
    try {
      this.d.store.updateRun(run.runId, { status: p.status, endedAt: finished ? now : null, engineState: text, metadata: this.metadata(run, p), at: now });
      run.lastPersisted = text;
      run.lastPersistAt = now;
      if (finished) run.ended = true;
      return true;
    } catch (err) {
      this.d.logger.error('strategy run not persisted', { run: run.runId, error: messageOf(err) });
      this.d.alert({ severity: 'critical', kind: 'ledger_error', subject: `strategy:${run.runId}`, title: 'Strategy run not recorded', body: `run ${run.runId} could not be written to the ledger: ${messageOf(err)}` });
      return false;
    }
  }

  private announce(run: Run<S>, payload: StrategyRuntimeWire): void {
    // `time_to_*` and `updated_at` move every tick: the event goes out when anything else changed, or at most once a second
    const { updated_at: _u, time_to_entry: _e, ...rest } = payload;
    const key = JSON.stringify({ ...rest, positions: rest.positions.map((x) => ({ ...x, quote_age_ms: null })), strategy: { ...rest.strategy, time_to_exit: null } });
    if (key === run.lastPayload) return;
    run.lastPayload = key;
    this.d.publish({ type: 'strategy_runtime', serverTime: this.d.clock.now(), run: payload });
    this.d.subscribe(`strategy:${run.runId}`, run.account.id, [run.definition.underlying, ...this.d.engine.symbols(run.state)]);
  }

  private announceDefinitions(): void {
    this.d.publish({ type: 'strategy_definitions', serverTime: this.d.clock.now(), definitions: this.definitions() });
  }

  private requireRun(runId: string): Run<S> {
    const r = this.runs.get(runId);
    if (!r) throw new Error(`no strategy run "${runId}" (runs of this desk: ${[...this.runs.keys()].join(', ') || 'none'})`);
    return r;
  }

  private requireAccount(id: string, what: string): Account {
    const a = this.d.accounts().find((x) => x.id === id);
    if (!a) throw new Error(`${what}: the desk holds no account "${id}" (it holds ${this.d.accounts().map((x) => `"${x.id}"`).join(', ')})`);
    return a;
  }
}

function orderView(o: OrderWire, avgFillPrice: number | null): RunOrderView {
  const filled = Number(o.filled_quantity);
  return { status: o.status, filledQuantity: Number.isFinite(filled) ? filled : 0, avgFillPrice, reason: o.reason };
}

/** A limit price as exact decimal text (the engine prices on ticks: at most 8 decimals). */
function priceText(p: number): string {
  return p.toFixed(8).replace(/\.?0+$/, '');
}
