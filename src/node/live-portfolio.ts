/**
 * The desk's live-portfolio plane: the active P&L tracker, the portfolio file (load, reload,
 * watch), fills and order updates, desk settings, the event history and the day's P&L curve.
 * Kept out of desk.ts so the desk stays a thin composition root (the market plane rewires the
 * venue side of it); the desk calls these hooks and forwards events through its sequencer.
 */
import { resolve } from 'node:path';
import type { Instrument } from '../core/model/instrument';
import type { Clock, Scheduler } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import type { PnlSampleSink } from '../core/ports/pnl-sample-sink';
import { PortfolioSource, parsePortfolio, parsePortfolioSteps, type PortfolioError, type PortfolioParseResult } from '../core/model/portfolio-file';
import { checkPortfolioPath, MAX_PORTFOLIO_BYTES, readPortfolioFile, readPortfolioFileSync } from './portfolio-reader';
import { makeFill, FillError, type Fill, type FillInput } from '../core/pnl/fifo';
import {
  ActivePnlTracker,
  type FillMeta,
  type StreamerProbe,
  type TrackerQuoteSource,
  type TrackerRestRefresh,
  type TrackerSubscriptions,
} from '../core/pnl/active-pnl-tracker';
import type { PnlSnapshotWire, ValuationSettings } from '../core/pnl/revalue';
import { PnlSampleRing, teeSinks } from '../core/events/pnl-sample-ring';
import { ExecutionIds } from '../core/events/execution-ids';
import { TickCoalescer } from '../core/events/tick-coalescer';
import type { Quote } from '../core/market/quote';
import { bookTimeOf, lastTimeOf } from '../core/market/mark';
import type { FillWire, JsonValue, NodeStatus, OrderUpdateWire, PortfolioStatusWire, PositionEventBody } from '../core/events/types';
import {
  isHistoryEvent,
  type CommandError,
  type DeskEvent,
  type DeskSettings,
  type DeskSettingsPatch,
  type DeskSnapshot,
  type HistoryEvent,
  type QuoteWire,
  type SettingsResult,
  type TickUpdateEvent,
  type UnsequencedEvent,
} from '../shared/contract';
import { MemoryDeskSettingsStore, type DeskSettingsStore } from './state/desk-settings-file';
import type { FileWatchFactory } from './portfolio-watcher';
import type { DeskEventPort } from './app/event-bus';

export interface LivePortfolioDeps {
  clock: Clock & Scheduler;
  logger: Logger;
  quotes: TrackerQuoteSource;
  /** The venue instance the portfolio's positions belong to (the desk's configured venue). */
  venue: string;
  /** The instrument of a symbol not in the portfolio (the running venues' records); default: Alpaca's symbol rules. */
  instrumentOf?: (symbol: string) => Instrument | null;
  subscriptions?: TrackerSubscriptions;
  /** The desk's stream state (for `streamer` diagnostics and P&L gap markers). */
  streamer: () => StreamerProbe;
  /** The desk's event bus: events go out through it (it assigns `seq`), and the history subscribes to it. */
  events: DeskEventPort;
  settings?: DeskSettingsStore;
  /** The settings in force at start (default: read from `settings`). */
  initialSettings?: DeskSettings;
  /** The valuation in force at start (default: from the settings). */
  valuation?: ValuationSettings;
  /** The file loaded when settings name none (the bundled sample in the default run). */
  defaultPortfolioPath?: string | null;
  /** Largest portfolio file read (default MAX_PORTFOLIO_BYTES). */
  maxPortfolioBytes?: number;
  /** How the file is watched (default: none; the composition roots pass fs.watch). */
  watch?: FileWatchFactory | null;
  /** Minimum spacing of tick_update events (50 ms → at most 20 per second). */
  tickCoalesceMs?: number;
  /** Another sink for P&L samples (the SQLite ledger); the in-memory ring is always kept. */
  sampleSink?: PnlSampleSink;
  limits?: Partial<{ history: number; fills: number; orders: number; samples: number }>;
  /** The shared REST refresh the tracker falls back to when its quotes go stale (the desk's LTP provider). */
  restRefresh?: () => TrackerRestRefresh | null;
  /** What every tick_update carries besides quotes and totals: the strategy runtime's active nodes, a replay's progress (absent live). */
  tickContext?: () => Pick<TickUpdateEvent, 'active_nodes' | 'progress'>;
}

/** Where a fill came from and why (the flow it belongs to, its trigger or exit reason). */
/** `venue` (with `account`): another held account's fill, its own position valued at that venue (FillMeta.venue). */
export interface FillContext extends Pick<FillMeta, 'executionId' | 'trigger' | 'reason' | 'account' | 'venue'> {
  order_id?: string | null;
  origin?: FillWire['source'];
}

/** A command failed in a way the caller should see as a typed error (not a crash). */
export class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
    this.name = 'CommandFailure';
  }
}

/** What makes two pnl_snapshots different for clients (the figures and the times they are as of). */
function totalsKey(p: PnlSnapshotWire): string {
  return JSON.stringify([p.as_of, p.last_good_as_of ?? null, p.totals]);
}

export function valuationOf(s: DeskSettings): ValuationSettings {
  return {
    markPolicy: s.mark_policy,
    staleAfterMs: Math.round(s.stale_after_sec * 1000),
    wideSpreadPct: s.wide_spread_pct,
    riskFreeRate: s.risk_free_rate_pct / 100,
    dividendYield: s.dividend_yield_pct / 100,
  };
}

/** Keys that change how positions are valued (applied live through the tracker). */
const VALUATION_KEYS = new Set<keyof DeskSettings>(['stale_after_sec', 'mark_policy', 'wide_spread_pct', 'risk_free_rate_pct', 'dividend_yield_pct']);

/** Keys whose change needs a stream restart to apply. */
const RESTART_KEYS = new Set<keyof DeskSettings>(['venue', 'alpaca', 'max_option_contracts']);

class Ring<T> {
  private items: T[] = [];
  constructor(private readonly limit: number) {}
  push(x: T): void {
    this.items.push(x);
    if (this.items.length > this.limit * 1.2) this.items = this.items.slice(this.items.length - this.limit);
  }
  all(): T[] {
    return this.items.length > this.limit ? this.items.slice(this.items.length - this.limit) : this.items.slice();
  }
}

export class LivePortfolio {
  readonly tracker: ActivePnlTracker;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly emit: (event: UnsequencedEvent) => void;
  private readonly settingsStore: DeskSettingsStore;
  private settingsValue: DeskSettings;
  private readonly source = new PortfolioSource();
  private readonly defaultPath: string | null;
  private readonly watchFactory: FileWatchFactory | null;
  private watcher: { close(): void } | null = null;
  private watchedPath: string | null = null;
  private currentPath: string | null = null;
  private readonly ids = new ExecutionIds();
  private readonly samples: PnlSampleRing;
  private readonly history: Ring<HistoryEvent>;
  private readonly fills: Ring<FillWire>;
  private readonly orders = new Map<string, OrderUpdateWire>();
  private readonly orderLimit: number;
  private lastTickPnl: string | null = null;
  /** Text of the file in force, so a watch event for an unchanged file reloads nothing. */
  private lastText: string | null = null;
  private readonly offs: (() => void)[] = [];
  private disposed = false;
  private readonly maxPortfolioBytes: number;
  /** Loads from commands and the watcher run one at a time, in order (each off the event loop / in slices). */
  private loading: Promise<unknown> = Promise.resolve();
  private readonly coalescer: TickCoalescer<QuoteWire>;

  private readonly tickExtras: (() => Pick<TickUpdateEvent, 'active_nodes' | 'progress'>) | null;

  constructor(deps: LivePortfolioDeps) {
    this.tickExtras = deps.tickContext ?? null;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.emit = (event) => {
      deps.events.publish(event);
    };
    this.settingsStore = deps.settings ?? new MemoryDeskSettingsStore();
    this.settingsValue = deps.initialSettings ?? this.settingsStore.load();
    this.defaultPath = deps.defaultPortfolioPath ?? null;
    this.maxPortfolioBytes = deps.maxPortfolioBytes ?? MAX_PORTFOLIO_BYTES;
    this.watchFactory = deps.watch ?? null;
    this.samples = new PnlSampleRing(deps.limits?.samples ?? 50_000);
    this.history = new Ring(deps.limits?.history ?? 2000);
    this.fills = new Ring(deps.limits?.fills ?? 1000);
    this.orderLimit = deps.limits?.orders ?? 1000;
    this.tracker = new ActivePnlTracker({
      clock: deps.clock,
      quotes: deps.quotes,
      venue: deps.venue,
      ...(deps.subscriptions ? { subscriptions: deps.subscriptions } : {}),
      streamer: deps.streamer,
      valuation: deps.valuation ?? valuationOf(this.settingsValue),
      refreshSeconds: this.settingsValue.pnl_refresh_seconds,
      sampleSink: teeSinks(deps.sampleSink ? [this.samples, deps.sampleSink] : [this.samples], (err) =>
        this.logger.error('P&L sample sink failed', { message: err instanceof Error ? err.message : String(err) }),
      ),
      logger: deps.logger,
      ...(deps.restRefresh ? { restRefresh: deps.restRefresh } : {}),
      ...(deps.instrumentOf ? { instrumentOf: deps.instrumentOf } : {}),
    });
    this.coalescer = new TickCoalescer<QuoteWire>(deps.clock, deps.tickCoalesceMs ?? 50, (changed) => this.flushTick(changed));
    this.offs.push(
      this.tracker.onSample((samples) => this.emit({ type: 'pnl_sample', serverTime: this.clock.now(), samples })),
      this.tracker.onRefresh(() => this.sendTotalsIfChanged()),
      // Last, so nothing emitted while constructing is recorded (as before); `init()` on is.
      deps.events.subscribe((e) => this.observe(e), { internal: true }),
    );
  }

  /** Loads the configured portfolio file (not network I/O: done at construction, before Start). */
  init(): void {
    const path = this.settingsValue.portfolio_path ?? this.defaultPath;
    if (path) this.tryLoad(path, 'load', null);
  }

  get settings(): DeskSettings {
    return this.settingsValue;
  }

  // ---------- streaming lifecycle ----------

  startStreaming(parent: string | null = null): void {
    this.tracker.start();
    const needed = this.tracker.neededSymbols();
    this.node({
      parent,
      node_type: 'SubscriptionPlanNode',
      node_id: 'pnl-subscriptions',
      node_name: 'P&L tracker subscriptions',
      action: 'subscribe',
      status: 'completed',
      message: `${needed.length} symbols needed by open positions and structures`,
      details: { needed: needed.length, missing: this.tracker.streamerDiagnostics().subscriptions.missing.slice(0, 50) },
    });
  }

  stopStreaming(): void {
    this.tracker.stop();
    // Quotes already in the window still go out (the UI should see the last prices), then nothing.
    this.coalescer.flushNow();
  }

  /**
   * A quote entered the cache: coalesced into the next tick_update (latest per symbol), which
   * carries the tracker's totals at flush time. The tracker itself listens to the cache.
   */
  quote(q: Quote): void {
    this.coalescer.push(q.instrument, toQuoteWire(q));
  }

  private tickContext(): Pick<TickUpdateEvent, 'active_nodes' | 'progress'> {
    return this.tickExtras?.() ?? { active_nodes: [] };
  }

  private flushTick(changed: QuoteWire[]): void {
    const now = this.clock.now();
    this.emit({ type: 'tick_update', serverTime: now, timestamp: new Date(now).toISOString(), ...this.tickContext(), ltp_updates: changed, pnl_snapshot: this.pnlSnapshot() });
  }

  /** Closes the watcher and detaches everything (tracker included). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tracker.stop();
    this.coalescer.stop();
    this.unwatch();
    for (const off of this.offs.splice(0)) off();
  }

  /**
   * Outside resources still held (leak checks): the tracker's quote listener and refresh timer
   * (while streaming), the file watcher, a pending tick timer, and — until dispose — the internal
   * subscriptions to the tracker.
   */
  get resourceCount(): number {
    return (this.tracker.running ? 1 + this.tracker.timerCount : 0) + (this.watcher ? 1 : 0) + (this.coalescer.pendingCount > 0 ? 1 : 0) + (this.disposed ? this.tracker.listenerCount : 0);
  }

  // ---------- events ----------

  /** Records history-worthy events (subscribed to the desk's event bus). */
  observe(event: DeskEvent): void {
    if (!isHistoryEvent(event)) return;
    // A load's position list is the state of that moment (the broadcast event carries it for the
    // renderer to apply); kept in the history it would cost a copy of the portfolio per load in
    // memory and in every snapshot. The current positions are the snapshot's `positions`; the
    // status keeps the counts.
    this.history.push(event.type === 'portfolio_event' && event.positions.length > 0 ? { ...event, positions: [] } : event);
  }

  /** Totals for a tick_update (cheap: the incremental book). */
  pnlSnapshot(): PnlSnapshotWire {
    const p = this.tracker.pnlSnapshot();
    this.lastTickPnl = totalsKey(p);
    return p;
  }

  /** Emits a node_event and returns its execution id (to link children to it). */
  node(n: {
    parent: string | null;
    node_type: string;
    node_id: string;
    node_name: string;
    action: string;
    status: NodeStatus;
    message?: string | null;
    details?: { [k: string]: JsonValue };
  }): string {
    const now = this.clock.now();
    const execution_id = this.ids.next(n.node_id, now);
    this.emit({
      type: 'node_event',
      serverTime: now,
      execution_id,
      parent_execution_id: n.parent,
      timestamp: new Date(now).toISOString(),
      node_type: n.node_type,
      node_id: n.node_id,
      node_name: n.node_name,
      action: n.action,
      status: n.status,
      message: n.message ?? null,
      details: n.details ?? {},
    });
    return execution_id;
  }

  /**
   * A fill from the venue (trade_updates) or another source: fill_event, a node_event for the flow,
   * then position_event(s). A fill the FIFO engine refuses is reported (fill_event.rejected) and
   * changes nothing.
   */
  applyFill(input: FillInput, meta: FillContext = {}): { ok: boolean; reason?: string } {
    let fill;
    try {
      fill = makeFill(input);
    } catch (err) {
      const reason = err instanceof FillError ? err.message : String(err);
      this.logger.warn('fill refused', { fill: input.fill_id, reason });
      return { ok: false, reason };
    }
    const now = this.clock.now();
    const exec = this.node({
      parent: meta.executionId ?? null,
      node_type: 'FillNode',
      node_id: 'fill',
      node_name: `Fill ${fill.side} ${String(input.quantity)} ${fill.symbol}`,
      action: 'fill',
      status: 'completed',
      message: `${fill.fill_id} @ ${String(input.price)}`,
      details: { fill_id: fill.fill_id, order_id: meta.order_id ?? null, position_id: fill.position_id },
    });
    const r = this.tracker.applyFill(fill, {
      executionId: exec,
      trigger: meta.trigger ?? null,
      reason: meta.reason ?? null,
      source: 'fills',
      ...(meta.venue !== undefined ? { venue: meta.venue, account: meta.account ?? null } : {}),
    });
    return this.publishFill(fill, input, fill.re_entry_num ?? null, meta, r, now);
  }

  /** The fill_event of an applied (or refused) fill, then its position_event(s) and the totals. */
  private publishFill(
    fill: Fill,
    input: Pick<FillInput, 'quantity' | 'price' | 'fee'>,
    reEntry: number | null,
    meta: FillContext,
    r: { ok: true; events: readonly PositionEventBody[] } | { ok: false; rejection: { reason: string } },
    now: number,
  ): { ok: boolean; reason?: string } {
    const wire: FillWire = {
      fill_id: fill.fill_id,
      order_id: meta.order_id ?? null,
      position_id: fill.position_id,
      re_entry_num: reEntry,
      symbol: fill.symbol,
      side: fill.side,
      quantity: String(input.quantity),
      price: String(input.price),
      fee: String(input.fee ?? 0),
      time: fill.time,
      source: meta.origin ?? 'venue',
      rejected: r.ok ? null : r.rejection.reason,
    };
    this.fills.push(wire);
    this.emit({ type: 'fill_event', serverTime: now, fill: wire });
    if (!r.ok) {
      this.logger.warn('fill rejected by the FIFO engine', { fill: fill.fill_id, reason: r.rejection.reason });
      return { ok: false, reason: r.rejection.reason };
    }
    for (const body of r.events) this.emit({ type: 'position_event', serverTime: now, ...body });
    this.sendTotalsIfChanged();
    return { ok: true };
  }

  /**
   * A fill already recorded (the ledger's, loaded at an account's start): through the FIFO engine as
   * `applyFill` routes it, with position_event(s) — no fill_event or node_event (it is not news).
   */
  loadFill(input: FillInput, meta: FillContext = {}): { ok: boolean; reason?: string } {
    let fill;
    try {
      fill = makeFill(input);
    } catch (err) {
      return { ok: false, reason: err instanceof FillError ? err.message : String(err) };
    }
    const r = this.tracker.applyFill(fill, { executionId: null, trigger: meta.trigger ?? null, reason: meta.reason ?? null, source: 'fills', ...(meta.venue !== undefined ? { venue: meta.venue, account: meta.account ?? null } : {}) });
    if (!r.ok) return { ok: false, reason: r.rejection.reason };
    const now = this.clock.now();
    for (const body of r.events) this.emit({ type: 'position_event', serverTime: now, ...body });
    this.sendTotalsIfChanged();
    return { ok: true };
  }

  /**
   * A late fill (executed before fills already applied to its position): fill_event and node_event
   * for it, then the position's fills re-applied in execution-time order (`fills`, the late one
   * included) and a position_event per re-entry as it now stands. A position merged into the
   * portfolio file's (the tracker holds no fill position of that id) takes the fill in arrival
   * order instead (`applyFill`): the file's positions are the file's.
   */
  applyLateFill(late: FillInput, fills: readonly Fill[], meta: FillContext = {}): { ok: boolean; reason?: string; removed?: string[] } {
    if (!this.tracker.holdsFillPosition(late.position_id)) return this.applyFill(late, meta);
    let fill;
    const all = fills;
    try {
      fill = makeFill(late);
    } catch (err) {
      return { ok: false, reason: err instanceof FillError ? err.message : String(err) };
    }
    const now = this.clock.now();
    const exec = this.node({
      parent: meta.executionId ?? null,
      node_type: 'FillNode',
      node_id: 'fill',
      node_name: `Fill ${fill.side} ${String(late.quantity)} ${fill.symbol}`,
      action: 'fill',
      status: 'completed',
      message: `${fill.fill_id} @ ${String(late.price)} (late: executed ${new Date(fill.time).toISOString()}, before fills already applied; ${fill.position_id} re-applied from then)`,
      details: { fill_id: fill.fill_id, order_id: meta.order_id ?? null, position_id: fill.position_id, late: true },
    });
    const r = this.tracker.replaceFillPosition(fill.position_id, all, {
      executionId: exec,
      trigger: meta.trigger ?? null,
      source: 'fills',
      ...(meta.venue !== undefined ? { venue: meta.venue, account: meta.account ?? null } : {}),
    });
    const out = this.publishFill(fill, late, null, meta, r, now);
    return r.ok ? { ...out, removed: r.removed } : out;
  }

  /** An order update from the venue (for the orders/fills table). */
  applyOrderUpdate(order: OrderUpdateWire): void {
    this.orders.delete(order.order_id);
    this.orders.set(order.order_id, order);
    if (this.orders.size > this.orderLimit) this.orders.delete(this.orders.keys().next().value!);
    this.emit({ type: 'order_event', serverTime: this.clock.now(), order });
  }

  // ---------- snapshot ----------

  snapshotParts(): Pick<
    DeskSnapshot,
    'valuation' | 'positions' | 'structures' | 'pnl' | 'pnl_snapshot' | 'fills' | 'orders' | 'history' | 'pnl_samples' | 'portfolio' | 'settings' | 'active_nodes'
  > {
    const pnl = this.tracker.snapshot();
    return {
      valuation: this.tracker.valuationSettings,
      positions: this.tracker.records(),
      structures: this.tracker.structures(),
      pnl,
      pnl_snapshot: pnl.pnl,
      fills: this.fills.all(),
      orders: [...this.orders.values()],
      history: this.history.all(),
      pnl_samples: this.samples.all(),
      portfolio: this.portfolioStatus(),
      settings: this.settingsValue,
      active_nodes: [],
    };
  }

  portfolioStatus(): PortfolioStatusWire {
    const p = this.source.current;
    const err = this.source.lastError;
    return {
      path: this.currentPath,
      watching: this.watcher !== null,
      loaded_at: this.source.loadedAt,
      account: p?.account ?? null,
      positions: p ? p.positions.length : 0,
      structures: this.tracker.structures().length,
      error: err ? { at: err.at, path: err.source, errors: err.errors } : null,
    };
  }

  // ---------- commands ----------

  /**
   * Loads a portfolio file now, synchronously (construction time and in-process tests): the same
   * checks as the command (regular file, size limit), in one bounded pass. Throws CommandFailure.
   */
  loadPortfolio(path: string): PortfolioStatusWire {
    const r = this.tryLoad(resolve(path), 'load', null);
    if (!r.ok) throw new CommandFailure(r.error);
    return this.portfolioStatus();
  }

  /**
   * portfolio.load: read off the event loop, validated in bounded slices (the desk keeps serving
   * and honours SIGTERM meanwhile); rejects with CommandFailure (typed); old positions stay.
   */
  loadPortfolioCommand(path: string): Promise<PortfolioStatusWire> {
    return this.enqueueLoad(resolve(path), 'load');
  }

  reloadPortfolio(): Promise<PortfolioStatusWire> {
    const path = this.currentPath ?? this.settingsValue.portfolio_path ?? this.defaultPath;
    if (!path) return Promise.reject(new CommandFailure({ code: 'failed', message: 'no portfolio file is loaded (use portfolio.load {path})' }));
    return this.enqueueLoad(path, 'reload');
  }

  private enqueueLoad(path: string, how: 'load' | 'reload' | 'watch'): Promise<PortfolioStatusWire> {
    const run = this.loading.then(async () => {
      const r = await this.tryLoadAsync(path, how, null);
      if (!r.ok) throw new CommandFailure(r.error);
      return this.portfolioStatus();
    });
    this.loading = run.catch(() => {});
    return run;
  }

  getSettings(): SettingsResult {
    return { settings: this.settingsValue, applied: [], restarting: false, persisted: true };
  }

  /**
   * settings.set: merges, validates (already done at the edge), persists, applies live what can
   * be; `restarting` tells the desk to restart a running stream for venue settings.
   */
  /**
   * settings.set from a transport: a new portfolio path is first read (bounded, off the event loop)
   * and validated as a portfolio, so a file that is not one (/etc/passwd) is refused on the Settings
   * page rather than saved for the next start. The reason names the place, never the content.
   */
  async setSettingsChecked(patch: DeskSettingsPatch, streaming: boolean): Promise<SettingsResult> {
    if (typeof patch.portfolio_path === 'string' && patch.portfolio_path.trim() !== '' && patch.portfolio_path !== this.settingsValue.portfolio_path) {
      const path = resolve(patch.portfolio_path);
      const problem = await this.portfolioProblem(path);
      if (problem) throw new CommandFailure({ code: 'invalid_payload', message: `portfolio_path: ${problem}; nothing was saved`, issues: [{ path: 'portfolio_path', message: problem }] });
    }
    return this.setSettings(patch, streaming);
  }

  /** Why the file at `path` is not a loadable portfolio (read and validated in bounded slices), or null. */
  private async portfolioProblem(path: string): Promise<string | null> {
    const read = await readPortfolioFile(path, this.maxPortfolioBytes);
    if (!read.ok) return read.message;
    const result = await this.parseSliced(read.text);
    if (result === null) return 'the desk is stopping';
    if (result.ok) return null;
    const [first] = result.errors;
    const more = result.errors.length - 1;
    // The parser's messages name a JSON path and what is wrong; for a file that is not shaped like a
    // portfolio (or not JSON) they never quote the file's text.
    return `${path} is not a valid portfolio: ${first!.path === '$' ? '' : `${first!.path}: `}${first!.message}${more > 0 ? ` (and ${more} more ${more === 1 ? 'problem' : 'problems'}; Load it to see them all)` : ''}`;
  }

  setSettings(patch: DeskSettingsPatch, streaming: boolean): SettingsResult {
    // A portfolio path that names no readable file is refused before anything is saved, with the
    // reason on the field (the Settings page shows it there), not only later on the Events page.
    // Checked before it is saved: a FIFO, a device or a huge file must not reach the next start either.
    if (typeof patch.portfolio_path === 'string' && patch.portfolio_path.trim() !== '' && patch.portfolio_path !== this.settingsValue.portfolio_path) {
      const problem = checkPortfolioPath(resolve(patch.portfolio_path), this.maxPortfolioBytes);
      if (problem) throw new CommandFailure({ code: 'invalid_payload', message: `portfolio_path: ${problem}; nothing was saved`, issues: [{ path: 'portfolio_path', message: problem }] });
    }
    const prev = this.settingsValue;
    const next: DeskSettings = { ...prev, ...patch, alpaca: { ...prev.alpaca, ...(patch.alpaca ?? {}) } } as DeskSettings;
    const changed = (Object.keys(next) as (keyof DeskSettings)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(prev[k]));
    this.settingsValue = next;
    const persisted = changed.length === 0 ? true : this.settingsStore.save(next);
    const applied: string[] = [];
    const valuationKeys = changed.filter((k) => VALUATION_KEYS.has(k));
    if (valuationKeys.length > 0) {
      this.tracker.setValuation(valuationOf(next));
      applied.push(...valuationKeys);
    }
    if (changed.includes('pnl_refresh_seconds')) {
      this.tracker.setRefreshSeconds(next.pnl_refresh_seconds);
      applied.push('pnl_refresh_seconds');
    }
    if (changed.includes('portfolio_path')) {
      const path = next.portfolio_path ?? this.defaultPath;
      if (path) void this.enqueueLoad(path, 'load').catch(() => {}); // a rejected file is reported by its portfolio_event
      applied.push('portfolio_path');
    }
    if (changed.includes('watch_portfolio')) {
      if (next.watch_portfolio && this.currentPath) this.watchPath(this.currentPath);
      else if (!next.watch_portfolio) this.unwatch();
      applied.push('watch_portfolio');
    }
    const restarting = streaming && changed.some((k) => RESTART_KEYS.has(k));
    if (changed.length > 0) {
      this.emit({ type: 'settings_event', serverTime: this.clock.now(), settings: next, valuation: this.tracker.valuationSettings, restarting });
      this.sendTotalsIfChanged();
    }
    return { settings: next, applied, restarting, persisted };
  }

  // ---------- internals ----------

  /**
   * The renderer shows the desk's totals as sent (it computes none), so whenever they move without
   * a quote — a quote went stale (periodic refresh), a fill, a portfolio load, a valuation change —
   * clients are told with an empty tick carrying them.
   */
  private sendTotalsIfChanged(): void {
    const p = this.tracker.pnlSnapshot();
    const key = totalsKey(p);
    if (key === this.lastTickPnl) return;
    this.lastTickPnl = key;
    const now = this.clock.now();
    this.emit({ type: 'tick_update', serverTime: now, timestamp: new Date(now).toISOString(), ...this.tickContext(), ltp_updates: [], pnl_snapshot: p });
  }

  private tryLoad(path: string, how: 'load' | 'reload' | 'watch', parent: string | null): { ok: true } | { ok: false; error: CommandError } {
    const read = readPortfolioFileSync(path, this.maxPortfolioBytes);
    if (!read.ok) return this.rejected(path, [{ path: '$', message: read.message }], how, parent, this.clock.now(), 'failed');
    if (how === 'watch' && read.text === this.lastText && path === this.currentPath) return { ok: true };
    return this.applyParsed(path, read.text, parsePortfolio(read.text), how, parent);
  }

  private async tryLoadAsync(path: string, how: 'load' | 'reload' | 'watch', parent: string | null): Promise<{ ok: true } | { ok: false; error: CommandError }> {
    const read = await readPortfolioFile(path, this.maxPortfolioBytes);
    if (this.disposed) return { ok: false, error: { code: 'failed', message: 'the desk is stopping' } };
    if (!read.ok) return this.rejected(path, [{ path: '$', message: read.message }], how, parent, this.clock.now(), 'failed');
    if (how === 'watch' && read.text === this.lastText && path === this.currentPath) return { ok: true };
    const result = await this.parseSliced(read.text);
    if (result === null) return { ok: false, error: { code: 'failed', message: 'the desk is stopping' } };
    return this.applyParsed(path, read.text, result, how, parent);
  }

  /** Parses and validates in bounded slices, yielding to the event loop between them; null once the desk is stopping. */
  private async parseSliced(text: string): Promise<PortfolioParseResult | null> {
    const steps = parsePortfolioSteps(text);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await new Promise<void>((r) => setImmediate(r)); // one bounded slice at a time: timers, sockets and signals run between
      if (this.disposed) return null;
    }
  }

  private applyParsed(path: string, text: string, parsed: PortfolioParseResult, how: 'load' | 'reload' | 'watch', parent: string | null): { ok: true } | { ok: false; error: CommandError } {
    const now = this.clock.now();
    const r = this.source.accept(parsed, now, path);
    if (!r.ok) return this.rejected(path, r.errors, how, parent, now, 'invalid_portfolio');
    const exec = this.node({
      parent,
      node_type: 'PortfolioNode',
      node_id: 'portfolio',
      node_name: 'Portfolio file',
      action: how === 'load' ? 'portfolio_load' : 'portfolio_reload',
      status: 'completed',
      message: `${r.portfolio.positions.length} positions from ${path}`,
      details: { path, positions: r.portfolio.positions.length },
    });
    const { positions, structures } = this.tracker.setPortfolio(r.portfolio, exec);
    this.currentPath = path;
    this.lastText = text;
    if (this.settingsValue.watch_portfolio) this.watchPath(path);
    this.emit({
      type: 'portfolio_event',
      serverTime: now,
      action: r.replaced ? 'reloaded' : 'loaded',
      path,
      status: this.portfolioStatus(),
      errors: [],
      positions,
      structures,
      execution_id: exec,
    });
    this.logger.info('portfolio loaded', { path, positions: positions.length, structures: structures.length });
    this.sendTotalsIfChanged();
    return { ok: true };
  }

  private rejected(
    path: string,
    errors: PortfolioError[],
    how: 'load' | 'reload' | 'watch',
    parent: string | null,
    now: number,
    code: 'failed' | 'invalid_portfolio',
  ): { ok: false; error: CommandError } {
    const exec = this.node({
      parent,
      node_type: 'PortfolioNode',
      node_id: 'portfolio',
      node_name: 'Portfolio file',
      action: how === 'load' ? 'portfolio_load' : 'portfolio_reload',
      status: 'failed',
      message: `${path}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`.slice(0, 2000),
      details: { path, errors: errors.length },
    });
    this.emit({ type: 'portfolio_event', serverTime: now, action: 'rejected', path, status: this.portfolioStatus(), errors, positions: [], structures: [], execution_id: exec });
    this.logger.warn('portfolio file rejected; the previous positions stay', { path, errors: errors.length });
    return {
      ok: false,
      error: {
        code,
        message: `portfolio file ${path} was not loaded (the previous positions stay): ${errors
          .slice(0, 5)
          .map((e) => `${e.path}: ${e.message}`)
          .join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`,
        issues: errors.map((e) => ({ path: e.path, message: e.message })),
      },
    };
  }

  private watchPath(path: string): void {
    if (!this.watchFactory || this.disposed) return;
    if (this.watcher && this.watchedPath === path) return;
    this.unwatch();
    this.watcher = this.watchFactory(path, () => {
      if (!this.disposed) void this.enqueueLoad(path, 'watch').catch(() => {}); // reported by its portfolio_event
    });
    this.watchedPath = path;
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
    this.watchedPath = null;
  }
}

/**
 * The wire shape only (cache bookkeeping fields stay in the backend). The book's and the last
 * trade's receive times go along when they differ from `receivedAt` ("absent means receivedAt"),
 * so a tick costs at most one extra field: after a book update only the trade's time differs.
 * `source` only for a REST quote (absent = the stream: no bytes on every tick).
 */
export function toQuoteWire(q: Quote): QuoteWire {
  const w: QuoteWire = { instrument: q.instrument, symbol: q.symbol, bid: q.bid, ask: q.ask, last: q.last, bidSize: q.bidSize, askSize: q.askSize, exchangeTime: q.exchangeTime, receivedAt: q.receivedAt };
  const book = bookTimeOf(q);
  if (book !== q.receivedAt) w.bookReceivedAt = book;
  const last = lastTimeOf(q);
  if (last !== q.receivedAt) w.lastReceivedAt = last;
  if (q.source === 'rest') w.source = 'rest';
  return w;
}
