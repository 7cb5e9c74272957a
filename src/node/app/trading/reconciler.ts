/**
 * The reconciler (issue 16 items 5 and 6): broker vs ledger per account, the automation gate, and our
 * P&L beside the broker's. An AccountLifecycle participant of the desk and the ReconciliationGate the
 * trading service and the monitoring cycle read (ports.ts).
 *
 * When it runs: at account start (once `AccountPositions.whenSynced` says the fills are caught up),
 * after every resync of the order channel (a reconnect), on `reconcile.run`, after each resolution,
 * and whenever the monitoring cycle calls `run(account, 'monitor')`. Runs of one account are serialized.
 *
 * Each run asks the account's execution port for its positions and open orders (both, concurrently);
 * if either call fails the report is missing and the result is `unavailable` — never "flat", nothing
 * inferred (core/orders/reconcile.ts). The lines are then matched against the resolutions the user
 * gave (persisted: ports/reconciliation-store.ts) and our P&L is set beside the broker's
 * (core/pnl/broker-compare.ts).
 *
 * The gate: `clean(account)` is true only when the last run was `clean` (every line matched, or
 * resolved by the user and unchanged since). The trading service blocks automation in Trade mode
 * while it is false (`automation_blocked`); `onChange` tells it when that may have changed.
 *
 * Resolutions (`resolve`):
 * - `adopt_broker` — a position: our ledger takes the broker's quantity and average entry
 *   (AccountPositions.adoptBroker, an adjustment fill recorded as adopted); an order of our journal:
 *   the gateway asks the venue for it by client order id and takes its word (OrderGateway.resolve
 *   with `resend: false`: a place the venue never got is closed as rejected, never sent);
 *   an order only the broker has: refused — the gateway's journal holds only orders it committed
 *   before sending them and has no way to take in a venue order; the user cancels it (`close`) or
 *   acknowledges it (`keep_local`).
 * - `keep_local` — acknowledged: the line stops blocking while it reads the same.
 * - `close` — sends orders, so refused in Monitor: a position is exited (TradingPort.exit: through the
 *   gateway, kill switch and mode apply) when our ledger and the broker agree on its quantity (else
 *   adopt first: an exit sized on a quantity the broker does not hold would open a new position);
 *   an order of our journal is cancelled through its gateway; a broker-only order is cancelled
 *   through the execution port by its venue id — the gateway cannot address an order it does not
 *   journal; a cancel passes every kill switch level, and the Trade mode check is made here.
 * keep_local and close are recorded (the line's fingerprint, the action); adopt_broker is not — it
 * makes the line agree, and if it did not take the line keeps blocking. Every resolution is followed
 * by a fresh run.
 *
 * Every run and every resolution is a `reconciliation_event` and a `node_event` (Events page).
 */
import type { Account } from '../../../core/model/account';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { ExecutionPort } from '../../../core/ports/execution';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import type { VenueOrder, VenuePosition } from '../../../core/ports/venue';
import type { ReconciliationStore } from '../../../core/ports/reconciliation-store';
import { applyResolutions, lineFingerprint, reconcile, type OurOrder, type OurPosition, type ReconLine, type ReconResolution } from '../../../core/orders/reconcile';
import { compareWithBroker, type OurFill, type OurPnlPosition } from '../../../core/pnl/broker-compare';
import type { PnlCompareWire, ReconciliationWire, ReconciliationEventBody } from '../../../shared/trading';
import type { VenueRun } from '../../compose';
import type { AccountLifecycle, AccountPositions, ReconciliationGate, TradingPort } from './ports';
import type { AppNode } from '../app-node';

type Trigger = NonNullable<ReconciliationWire['trigger']>;

/** A node_event as the desk's history takes it (the desk supplies the parent flow). */
export type ReconNode = Omit<AppNode, 'parent'>;

export interface ReconcilerDeps {
  /** The clock; its timers (when it has them) bound the wait for the fills to be caught up before a run. */
  clock: Clock & Partial<Scheduler>;
  logger?: Logger;
  /** The account fills' view (null while not wired: our ledger's positions are then unknown and the result `unavailable`). */
  positions: () => AccountPositions | null;
  /** The trading service's view (modes, gateways, working orders, exits); null while not wired. */
  trading: () => TradingPort | null;
  store: ReconciliationStore;
  /** Publishes a `reconciliation_event` on the desk's bus. */
  publish: (event: ReconciliationEventBody & { serverTime: number }) => void;
  /** Emits a node_event (Events page). */
  node: (n: ReconNode) => void;
  /** The held accounts (the snapshot carries one reconciliation per account). */
  accounts: () => readonly string[];
  /** Our ledger's fills of the account, oldest first (for the average cost and the missing-fill check), read once per run; absent: not used. */
  fills?: (account: string) => readonly (OurFill & { symbol: string })[];
  /**
   * A symbol's contract multiplier as its venue knows it (decimal text: 100 for a US option, the lot
   * size for NSE, the contract value for Delta); null when unknown. Absent: the broker row's asset
   * class says (us_option → 100, else 1).
   */
  multiplierOf?: (symbol: string) => string | null;
  /** Average entry tolerance per unit (core/orders/reconcile.ts DEFAULT_PRICE_TOLERANCE when absent). */
  priceTolerance?: string;
  /**
   * How long a run waits for the account's fills to be caught up (AccountPositions.whenSynced) before
   * it reports `unavailable` instead of comparing (default 30 s; needs the clock's timers).
   */
  syncWaitMs?: number;
}

export class ReconcilerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcilerError';
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class Reconciler implements AccountLifecycle, ReconciliationGate {
  private readonly d: ReconcilerDeps;
  private readonly logger: Logger;
  private readonly states = new Map<string, ReconciliationWire>();
  private readonly executions = new Map<string, ExecutionPort>();
  /** The broker's open orders of the last report, by client order id (a broker-only order is cancelled by its venue id). */
  private readonly brokerOrders = new Map<string, Map<string, VenueOrder>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<(account: string) => void>();

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Told after every run and resolution (the trading service re-reads the gate). */
  onChange(listener: (account: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ------------------------------------------------------------------ lifecycle

  async accountStarted(account: Account, venue: VenueRun): Promise<void> {
    this.executions.set(account.id, venue.execution);
    await this.afterSync(account.id, 'start');
  }

  accountStopping(account: Account): void {
    this.executions.delete(account.id);
  }

  async resync(account: Account): Promise<void> {
    if (!this.executions.has(account.id)) return;
    await this.afterSync(account.id, 'reconnect');
  }

  private async afterSync(account: string, trigger: Trigger): Promise<void> {
    const positions = this.d.positions();
    if (positions) await positions.whenSynced(account);
    if (!this.executions.has(account)) return; // stopped meanwhile
    await this.run(account, trigger);
  }

  // ------------------------------------------------------------------ the gate

  clean(account: string): boolean {
    return this.states.get(account)?.status === 'clean';
  }

  /** Why automation must wait for this account, or null when its reconciliation is clean. */
  blockReason(account: string): string | null {
    const s = this.state(account);
    switch (s.status) {
      case 'clean':
        return null;
      case 'pending':
        return 'not reconciled with the broker yet';
      case 'unavailable':
        return `reconciliation unavailable: ${s.error ?? 'the broker could not be asked'}`;
      case 'diff': {
        const open = s.lines.filter((l) => l.kind !== 'matched' && l.resolution === null).length;
        return `reconciliation: ${open} line${open === 1 ? '' : 's'} differ from the broker; resolve each (adopt broker / keep local / close)`;
      }
    }
  }

  state(account: string): ReconciliationWire {
    return this.states.get(account) ?? { account, at: null, status: 'pending', error: null, trigger: null, lines: [], pnl: [] };
  }

  /** Every held account's reconciliation (the snapshot part `reconciliation`). */
  all(): ReconciliationWire[] {
    return this.d.accounts().map((a) => this.state(a));
  }

  /**
   * Runs the account's reconciliation once its fills are caught up (every trigger: a comparison before
   * would report fills still on their way as differences, and "adopt broker" would count them twice).
   */
  run(account: string, trigger: Trigger): Promise<ReconciliationWire> {
    return this.serialized(account, async () => {
      const notSynced = await this.waitSynced(account);
      if (notSynced !== null) return this.publishRun({ account, at: this.d.clock.now(), status: 'unavailable', error: notSynced, trigger, lines: [], pnl: [] });
      return this.runNow(account, trigger);
    });
  }

  /** Waits (bounded) for the account's fills to be caught up; null when they are (or the venue is not running: the run says so), else why not. */
  private async waitSynced(account: string): Promise<string | null> {
    const positions = this.d.positions();
    if (!positions || !this.executions.has(account)) return null;
    const ms = this.d.syncWaitMs ?? 30_000;
    const setTimer = this.d.clock.setTimeout?.bind(this.d.clock);
    if (!setTimer) {
      await positions.whenSynced(account);
      return null;
    }
    let cancel: Cancel | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancel = setTimer(() => resolve('timeout'), ms);
    });
    const r = await Promise.race([positions.whenSynced(account).then(() => 'synced' as const), timedOut]);
    (cancel as Cancel | null)?.();
    return r === 'synced'
      ? null
      : `account ${account}'s fills are not caught up yet (the missed fills are still being fetched from the venue after ${ms} ms): comparing now would report fills on their way as differences`;
  }

  private serialized<T>(account: string, task: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(account) ?? Promise.resolve();
    const next = prev.then(task, task);
    this.queues.set(
      account,
      next.catch(() => undefined),
    );
    return next;
  }

  private async runNow(account: string, trigger: Trigger): Promise<ReconciliationWire> {
    return this.publishRun(await this.compare(account, trigger));
  }

  /** Asks the broker and compares with our ledger and journal; the result is not yet the account's state. */
  private async compare(account: string, trigger: Trigger): Promise<ReconciliationWire> {
    const at = this.d.clock.now();
    const execution = this.executions.get(account) ?? null;
    let report: { positions: VenuePosition[]; openOrders: VenueOrder[] } | null = null;
    let brokerError: string | null = null;
    if (!execution) {
      brokerError = `account ${account}'s venue is not running (press Start)`;
    } else {
      const [pos, ord] = await Promise.allSettled([execution.positions(), execution.openOrders()]);
      const failed: string[] = [];
      if (pos.status === 'rejected') failed.push(`positions: ${message(pos.reason)}`);
      if (ord.status === 'rejected') failed.push(`open orders: ${message(ord.reason)}`);
      if (failed.length > 0) brokerError = failed.join('; ');
      else report = { positions: (pos as PromiseFulfilledResult<VenuePosition[]>).value, openOrders: (ord as PromiseFulfilledResult<VenueOrder[]>).value };
    }
    const positionsPort = this.d.positions();
    const ledgerMissing = positionsPort === null ? "our ledger's positions are not available (the account fills are not wired into this desk)" : null;
    let wire: ReconciliationWire;
    try {
      const ours = positionsPort ? positionsPort.positions(account) : [];
      const orders = this.ourOrders(account);
      const compared = reconcile({
        broker: ledgerMissing ? null : report,
        brokerError,
        ledger: { positions: ours.map((p): OurPosition => ({ symbol: p.symbol, quantity: p.quantity, avgPrice: p.avgPrice })), orders },
        ...(this.d.priceTolerance !== undefined ? { priceTolerance: this.d.priceTolerance } : {}),
      });
      const base = ledgerMissing ? { status: 'unavailable' as const, error: `${ledgerMissing}: nothing is compared`, lines: [] } : compared;
      const result = applyResolutions(base, this.d.store.resolutions(account));
      if (report) this.brokerOrders.set(account, new Map(report.openOrders.map((o) => [o.clientOrderId, o])));
      const pnl = report && !ledgerMissing ? this.pnl(account, report.positions, ours) : [];
      wire = { account, at, status: result.status, error: result.error, trigger, lines: result.lines, pnl };
    } catch (err) {
      wire = { account, at, status: 'unavailable', error: `reconciliation failed: ${message(err)}`, trigger, lines: [], pnl: [] };
    }
    return wire;
  }

  /** Keeps a run's result as the account's state, and tells everyone (node_event, reconciliation_event, listeners). */
  private publishRun(wire: ReconciliationWire): ReconciliationWire {
    const { account, trigger } = wire;
    this.states.set(account, wire);
    const differ = wire.lines.filter((l) => l.kind !== 'matched');
    const open = differ.filter((l) => l.resolution === null);
    this.d.node({
      node_type: 'ReconciliationNode',
      node_id: `reconcile:${account}`,
      node_name: `Reconciliation (account ${account})`,
      action: 'reconcile',
      status: wire.status === 'unavailable' ? 'failed' : wire.status === 'clean' ? 'completed' : 'info',
      message:
        wire.status === 'unavailable'
          ? (wire.error ?? 'unavailable')
          : wire.status === 'clean'
            ? `clean: ${wire.lines.length - differ.length} matched${differ.length ? `, ${differ.length} resolved` : ''}`
            : `${open.length} of ${wire.lines.length} lines differ from the broker: ${open.map((l) => `${l.id} ${l.kind}`).join(', ')}`,
      details: { account, trigger, status: wire.status, lines: wire.lines.length, differ: differ.length, unresolved: open.length },
    });
    this.announce(wire);
    return wire;
  }

  private announce(wire: ReconciliationWire): void {
    this.d.publish({ type: 'reconciliation_event', serverTime: this.d.clock.now(), reconciliation: wire });
    for (const l of this.listeners) {
      try {
        l(wire.account);
      } catch (err) {
        this.logger.error('reconciliation listener failed', { error: message(err) });
      }
    }
  }

  /** Our journal's working orders, as the diff reads them (the current venue order's own fill from the journal when the gateway has it). */
  private ourOrders(account: string): OurOrder[] {
    const trading = this.d.trading();
    if (!trading) return [];
    const gateway = trading.gateway(account);
    return trading.workingOrders(account).map((o) => {
      const j = gateway?.order(o.client_order_id) ?? null;
      return {
        clientOrderId: o.client_order_id,
        venueClientOrderId: o.venue_client_order_id,
        pendingClientOrderId: j?.pending?.venueClientOrderId ?? null,
        venueOrderId: o.venue_order_id,
        symbol: o.symbol,
        side: o.side,
        quantity: o.quantity,
        // The wire's filled_quantity spans every venue order of a replaced order; the journal has the current one's.
        filledQuantity: j ? j.filledQuantity : o.replace_count === 0 ? o.filled_quantity : '0',
        limitPrice: o.limit_price,
        status: o.status,
      };
    });
  }

  private pnl(account: string, broker: readonly VenuePosition[], ours: ReturnType<AccountPositions['positions']>): PnlCompareWire[] {
    const bySymbol = new Map(broker.map((b) => [b.symbol, b]));
    const mine = new Map(ours.filter((p) => p.quantity !== '0' && p.quantity !== '').map((p) => [p.symbol, p]));
    const working = this.d.trading()?.workingOrders(account) ?? null;
    const symbols = [...new Set([...bySymbol.keys(), ...mine.keys()])].sort();
    const fillsBySymbol = new Map<string, OurFill[]>();
    if (this.d.fills) {
      for (const f of this.d.fills(account)) {
        const list = fillsBySymbol.get(f.symbol) ?? [];
        list.push(f);
        fillsBySymbol.set(f.symbol, list);
      }
    }
    return symbols.map((symbol) => {
      const b = bySymbol.get(symbol) ?? null;
      const o = mine.get(symbol) ?? null;
      const our: OurPnlPosition | null = o ? { symbol, quantity: o.quantity, avgPrice: o.avgPrice, realized: o.realized, unrealized: o.unrealized, fees: o.fees, multiplier: o.multiplier } : null;
      const fills = this.d.fills ? (fillsBySymbol.get(symbol) ?? []) : null;
      const orders = working ? working.filter((w) => w.symbol === symbol).map((w) => ({ clientOrderId: w.client_order_id, side: w.side, filledQuantity: w.filled_quantity })) : null;
      const multiplier = this.d.multiplierOf?.(symbol) ?? (b?.assetClass === 'us_option' ? '100' : '1');
      return compareWithBroker({ symbol, ours: our, broker: b, multiplier, fills, orders });
    });
  }

  // ------------------------------------------------------------------ resolutions

  /** Resolves one line of the account's last reconciliation, then runs it again. Throws ReconcilerError saying why when refused. */
  resolve(account: string, lineId: string, action: ReconResolution): Promise<ReconciliationWire> {
    return this.resolveWithNote(account, lineId, action).then((r) => r.reconciliation);
  }

  /** `resolve`, with what was done (e.g. "adopt_broker: the fills were caught up and the line now matches; nothing adopted"). */
  resolveWithNote(account: string, lineId: string, action: ReconResolution): Promise<{ reconciliation: ReconciliationWire; note: string }> {
    return this.serialized(account, async () => {
      try {
        const note = await this.act(account, lineId, action);
        return { reconciliation: await this.afterResolution(account, lineId, action, note), note };
      } catch (err) {
        this.d.node({
          node_type: 'ReconciliationNode',
          node_id: `reconcile:${account}`,
          node_name: `Reconciliation (account ${account})`,
          action: 'reconcile_resolve',
          status: 'failed',
          message: `${lineId} ${action}: ${message(err)}`,
          details: { account, line: lineId, resolution: action },
        });
        throw err;
      }
    });
  }

  private async afterResolution(account: string, lineId: string, action: ReconResolution, note: string): Promise<ReconciliationWire> {
    this.d.node({
      node_type: 'ReconciliationNode',
      node_id: `reconcile:${account}`,
      node_name: `Reconciliation (account ${account})`,
      action: 'reconcile_resolve',
      status: 'completed',
      message: `${lineId} ${action}: ${note}`,
      details: { account, line: lineId, resolution: action },
    });
    return this.runNow(account, 'resolve');
  }

  /** Carries out the resolution and records it; returns what was done. */
  private async act(account: string, lineId: string, action: ReconResolution): Promise<string> {
    const state = this.state(account);
    if (state.status === 'pending' || state.status === 'unavailable') {
      throw new ReconcilerError(`account ${account} has no reconciliation to resolve (${state.status}${state.error ? `: ${state.error}` : ''}); run it first`);
    }
    const line = state.lines.find((l) => l.id === lineId);
    if (!line) throw new ReconcilerError(`account ${account}'s last reconciliation has no line ${lineId} (its lines: ${state.lines.map((l) => l.id).join(', ') || 'none'})`);
    if (line.kind === 'matched') throw new ReconcilerError(`line ${lineId} matches the broker: nothing to resolve`);
    let note: string;
    switch (action) {
      case 'keep_local':
        note = 'acknowledged: ours is kept; the line stops blocking while it reads the same';
        break;
      case 'adopt_broker':
        note = line.subject === 'position' ? await this.adoptPosition(account, line) : await this.adoptOrder(account, line);
        break;
      case 'close':
        note = line.subject === 'position' ? await this.closePosition(account, line) : await this.closeOrder(account, line);
        break;
    }
    // adopt_broker is not a standing resolution: it makes the line agree (the re-run shows it matched or
    // gone); if it did not take, the line keeps blocking rather than reading "resolved".
    if (action === 'adopt_broker') return note;
    try {
      this.d.store.record(account, { lineId, fingerprint: lineFingerprint(line), action, at: this.d.clock.now(), note });
    } catch (err) {
      throw new ReconcilerError(`${note}; but the resolution could not be recorded (${message(err)}), so the line still blocks`);
    }
    return note;
  }

  /**
   * adopt_broker of a position line. The line may only say that fills are still on their way (the
   * order channel stalled): adopting then, and recording those fills when they arrive, would count
   * them twice. So first the account's fills are caught up now (the REST fetch of missed fills), then
   * the reconciliation runs again; only if the line still differs is the adjustment recorded, with
   * the broker's figures of that fresh report.
   */
  private async adoptPosition(account: string, stale: ReconLine): Promise<string> {
    const positions = this.d.positions();
    if (!positions) throw new ReconcilerError("our ledger's positions are not available (the account fills are not wired into this desk): nothing can be adopted");
    try {
      await positions.catchUp(account);
    } catch (err) {
      throw new ReconcilerError(`${message(err)}; a fill still on its way would be counted twice, so nothing was adopted — try again`);
    }
    // A fresh comparison (not published: the run after the resolution is).
    const fresh = await this.compare(account, 'resolve');
    if (fresh.status === 'unavailable') throw new ReconcilerError(`after catching up the fills, the reconciliation is unavailable (${fresh.error ?? 'no reason given'}): nothing was adopted`);
    const line = fresh.lines.find((l) => l.id === stale.id);
    if (!line || line.kind === 'matched') {
      return `the fills were caught up from the venue and ${stale.symbol} now matches the broker${line ? ` (${line.broker?.quantity ?? '0'})` : ''}: nothing was adopted`;
    }
    const quantity = line.broker?.quantity ?? '0';
    const avg = line.broker?.price ?? null;
    positions.adoptBroker(account, line.symbol, quantity, avg, `reconciliation: adopt the broker's ${line.kind.replace('_', ' ')} (broker ${quantity}${avg ? ` @ ${avg}` : ''}, ledger ${line.ledger?.quantity ?? '0'})`);
    return `our ledger now holds the broker's ${quantity}${avg ? ` @ ${avg}` : ''} ${line.symbol} (an adjustment fill, recorded as adopted)`;
  }

  private async adoptOrder(account: string, line: ReconLine): Promise<string> {
    if (line.ledger === null) {
      throw new ReconcilerError(
        `order ${line.client_order_id} is open at the broker but not in our journal, and the order gateway cannot take it in: its journal holds only orders it committed before sending them (it has no command to adopt a venue order). ` +
          'Choose close to cancel it at the broker, or keep_local to leave it working there untracked.',
      );
    }
    const gateway = this.gatewayOf(account);
    // The user takes the broker's word: an order the venue never got is closed, never sent now (no confirmation was asked for a send).
    const out = await gateway.resolve(line.client_order_id!, { resend: false, why: "the user took the broker's word that it has no such order (adopt broker)" });
    if (out.kind === 'refused') throw new ReconcilerError(`the gateway did not ask the venue about ${line.client_order_id}: ${out.reason}`);
    if (out.kind === 'unknown') throw new ReconcilerError(`the venue could not settle ${line.client_order_id} (${out.reason}); the line still blocks — try again, or keep_local`);
    if (out.kind === 'rejected') return `asked the venue for ${line.client_order_id} by client order id: ${out.reason}; our journal now has it ${out.order.status}`;
    return `asked the venue for ${line.client_order_id} by client order id: our journal now has it ${out.order.status}`;
  }

  private async closePosition(account: string, line: ReconLine): Promise<string> {
    const trading = this.requireTrade(account);
    if (line.broker === null) throw new ReconcilerError(`the broker holds no ${line.symbol}: there is nothing to close there. adopt_broker sets our ledger flat; keep_local keeps ours`);
    if (line.ledger === null || line.ledger.quantity !== line.broker.quantity) {
      throw new ReconcilerError(
        `our ledger (${line.ledger?.quantity ?? '0'}) and the broker (${line.broker.quantity}) disagree on the ${line.symbol} quantity: an exit is sized on our ledger, so it could open a new position. Adopt the broker's quantity first (adopt_broker), then close`,
      );
    }
    const run = await trading.exit(account, { kind: 'position', symbol: line.symbol });
    if (run.status === 'failed') throw new ReconcilerError(`the exit of ${line.symbol} failed: ${run.reason ?? 'no reason given'}`);
    return `exit ${run.id} of ${line.symbol} started (${run.status}): its orders go through the gateway`;
  }

  private async closeOrder(account: string, line: ReconLine): Promise<string> {
    this.requireTrade(account);
    if (line.ledger !== null) {
      const out = await this.gatewayOf(account).cancel(line.client_order_id!);
      if (out.kind === 'refused' || out.kind === 'rejected') throw new ReconcilerError(`cancel of ${line.client_order_id} ${out.kind}: ${out.reason}`);
      return `cancel of ${line.client_order_id} sent through the gateway (${out.kind}${out.kind === 'unknown' ? `: ${out.reason}` : ''})`;
    }
    const venueOrder = this.brokerOrders.get(account)?.get(line.client_order_id ?? '');
    const execution = this.executions.get(account);
    if (!venueOrder || !execution) throw new ReconcilerError(`order ${line.client_order_id} is not in the broker's last report or the venue is not running: run the reconciliation again`);
    try {
      await execution.cancelOrder(venueOrder.id);
    } catch (err) {
      throw new ReconcilerError(`cancel of the broker's order ${line.client_order_id} (venue id ${venueOrder.id}) failed: ${message(err)}`);
    }
    return `cancel of the broker's order ${line.client_order_id} (venue id ${venueOrder.id}) accepted by the venue; the order gateway does not journal it`;
  }

  private requireTrade(account: string): TradingPort {
    const trading = this.d.trading();
    if (!trading) throw new ReconcilerError('the trading service is not wired into this desk: close sends orders and cannot be done');
    if (trading.mode(account) !== 'trade') {
      throw new ReconcilerError(`account ${account} is in Monitor mode (read-only): close sends orders. Switch it to Trade first, or choose adopt_broker / keep_local`);
    }
    return trading;
  }

  private gatewayOf(account: string) {
    const g = this.d.trading()?.gateway(account) ?? null;
    if (!g) throw new ReconcilerError(`account ${account} has no running order gateway (is its venue started?)`);
    return g;
  }
}
