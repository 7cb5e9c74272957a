/**
 * The running desk: core + adapters wired from configuration. Both composition roots (Electron
 * main and the headless server) build it through `createDesk`, so they run the same code.
 *
 * Default run (venue `sim`): Start launches the simulated venue server on 127.0.0.1 (ephemeral
 * port) → the real Alpaca adapter connects to it over real sockets → stream managers → the shared
 * quote cache → coalesced `tick_update` events to the UI. Nothing touches the network before Start;
 * Stop closes every socket and timer. Every held account runs at once: one AccountRuntime each
 * (the default account's first), market data shared by venue instance name (one source per name
 * feeding the one quote cache), execution per account (docs/venues-and-accounts.md).
 *
 * The live-portfolio plane (node/live-portfolio.ts) hangs off the same cache: the active P&L
 * tracker (positions from portfolio.json and the venue's fills), the event history, the P&L curve
 * and the desk settings. Loading the portfolio file is not network I/O: it happens at construction.
 *
 * Commands run through the application layer's typed map (node/app/commands.ts, one handler module
 * per domain); every event goes through the one bus that assigns `seq` (node/app/event-bus.ts) and
 * its consumers subscribe there. Venue adapters are constructed in node/compose.ts.
 */
import type { Clock, Scheduler, Cancel } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import { QuoteCache } from '../core/market/quote-cache';
import type { AccountLedger, OrderLedger, QuoteRecorder } from '../core/ports/ledger-store';
import { QuoteRecording } from './ledger/quote-recording';
import { LtpProvider } from '../core/market/ltp-provider';
import { planSubscriptions, type SubscriptionPlan } from '../core/market/subscription-planner';
import { VenueInstruments } from '../core/market/instruments';
import type { AccountId, InstrumentId } from '../core/model/ids';
import type { FillInput } from '../core/pnl/fifo';
import type { PnlSampleSink } from '../core/ports/pnl-sample-sink';
import type { OrderUpdateWire } from '../core/events/types';
import { CommandFailure, LivePortfolio, toQuoteWire, valuationOf, type FillContext } from './live-portfolio';
import { MemoryDeskSettingsStore, type DeskSettingsStore } from './state/desk-settings-file';
import type { FileWatchFactory } from './portfolio-watcher';
import { defaultWatchlistOf, instrumentFromRecords, type VenueBuildRequest } from './venues/registry';
import { KillSwitch } from '../core/risk/kill-switch';
import { MemoryKillSwitchStore, type KillSwitchStore } from '../core/ports/kill-switch-store';
import type { AlertMonitor, AlertMonitorConfig } from '../core/alerts/alert-monitor';
import { alertsOnBus } from './app/alert-wiring';
import { announceKillSwitchChanges, mirrorKillSwitchToLedger } from './app/kill-switch-wiring';
import { ContractChecks } from './app/contract-checks';
import { SubscriptionDemand } from './app/subscription-demand';
import type { Instrument } from '../core/model/instrument';
import { alpacaInstrument } from '../core/model/alpaca-symbols';
import { multiplierToString } from '../core/model/money';
import type { CredentialVault } from '../core/ports/credential-vault';
import type { SimVenueServer } from './venues/sim/server';
import { AccountSupervisor, PLAN_CONSUMER, ownSymbols, venueNameOf } from './app/account-supervisor';
import { applyVenueOrderUpdate } from './app/venue-order-updates';
import type { AccountLifecycle, AccountPositions, ReconciliationGate, TradingPort } from './app/trading/ports';
import { Reconciler } from './app/trading/reconciler';
import { MemoryReconciliationStore, type ReconciliationStore } from '../core/ports/reconciliation-store';
import { TradingService } from './app/trading/trading-service';
import { MemoryOrderJournal, type OrderJournal } from '../core/ports/order-journal';
import { instrumentId } from '../core/model/ids';
import { AccountFills } from './app/trading/account-fills';
import { ReconciledPositions } from './app/trading/reconciled-positions';
import { exchangeOfAccount, MonitorService } from './app/monitor/monitor-service';
import { StrategyService } from './app/strategy/strategy-service';
import { MemoryStrategyStore, type StrategyStore } from './app/strategy/store';
import { strategyEngine, type RunState } from '../core/strategy/engine';
import { chainFilterFor, chainSnapshotOf, DEFAULT_SELECTION_SETTINGS, selectContracts, underlyingPriceOf } from '../core/strategy/select';
import type { StrategyDefinition } from '../core/strategy/definition';
import type { SelectedContract } from '../core/strategy/engine-api';
import { bookTimeOf } from '../core/market/mark';
import { MemoryMonitorStore, type MonitorStore } from './app/monitor/store';
import type { MonitorSettingsWire } from '../shared/monitor';
import { recordRestRefreshes } from './app/rest-refresh-nodes';
import type { ExecutionPort } from '../core/ports/execution';
import type { MarketDataPort } from '../core/ports/market-data';
import { loadMarketConfig, describeMarketConfig, type CredentialOrigin } from './config/market-config';
import { configFromSettings, endpointsWire, resolveDeskConfig, stripUndefined, type DeskConfig } from './config/desk-config';

export { configFromSettings, defaultDeskConfig, type DeskConfig, type DeskStreamSettings } from './config/desk-config';
import type {
  CommandOutcome,
  DeskEvent,
  DeskSettings,
  DeskSnapshot,
  StreamHealthWire,
  SubscriptionPlanWire,
  ReplayProgress,
  UnsequencedEvent,
  VenueEndpointsWire,
  VenueMode,
} from '../shared/contract';
import { parseCommand, PROTOCOL_VERSION } from '../shared/contract';
import { DeskEventBus } from './app/event-bus';
import { createVenueFactory, type VenueFactory, type VenueRun } from './compose';
import { DEFAULT_ACCOUNT_ID, type Account } from '../core/model/account';
import { buildCommandMap, runCommand, type CommandHandlers } from './app/commands';
import { ReplayService, type ReplayLedger } from './app/replay/service';
import type { ActiveCredentials } from './app/handlers/credentials';


/** The slice of the snapshot a status display reads (see `Desk.status`). */
export type DeskStatus = Pick<DeskSnapshot, 'serverTime' | 'mode' | 'streaming' | 'streams' | 'killSwitch' | 'pnl_snapshot' | 'trading'>;
export interface DeskDeps {
  clock: Clock & Scheduler;
  logger?: Logger;
  config?: Partial<DeskConfig>;
  /** Where the kill switch persists (default: memory only). */
  killSwitchStore?: KillSwitchStore;
  /** Broker credentials (safeStorage on the desktop, env/0600 file headless). */
  credentials?: CredentialVault;
  /** Feed-stale threshold and check cadence of the alert monitor. */
  alerts?: Partial<AlertMonitorConfig>;
  /** When given, venue settings are read from it (LIVE_DESK_*, APCA_*; see config/market-config.ts); `config` still wins. */
  env?: Record<string, string | undefined>;
  /** Jitter source for reconnect backoff (tests pass a seeded one). */
  random?: () => number;
  /** Desk settings persistence (default: memory only). Precedence: defaults < settings < env < config. */
  settings?: DeskSettingsStore;
  /** Portfolio file loaded at construction when the settings name none (the default run: the bundled sample). */
  portfolioPath?: string | null;
  /** Largest portfolio file read (default 2 MiB, MAX_PORTFOLIO_BYTES). */
  maxPortfolioBytes?: number;
  /** How the portfolio file is watched for changes (default: not watched). */
  watchPortfolio?: FileWatchFactory | null;
  /** Where P&L samples go besides the in-memory curve (the SQLite ledger). */
  pnlSampleSink?: PnlSampleSink;
  /** Builds the venue adapter at Start (default: compose.ts `createVenueFactory()`, the sim or Alpaca; the desk's own sim servers). */
  venues?: VenueFactory;
  /** Where quotes go while the `record_quotes` setting is on (the ledger's `recorded_quotes`). */
  quoteRecorder?: QuoteRecorder;
  /** Accounts held besides the default one (the accounts file: node/config/accounts-file.ts). */
  accounts?: readonly Account[];
  /** Where the held accounts are persisted (the ledger's `accounts` table). */
  accountLedger?: Pick<AccountLedger, 'upsertAccount'> & Partial<Pick<AccountLedger, 'setKillSwitch' | 'upsertInstrument' | 'getInstrument'>>;
  /** Where the user's resolutions of reconciliation lines persist (the ledger's `reconciliation_resolutions`; default: memory only). */
  reconciliationStore?: ReconciliationStore;
  /** Where the monitoring cycle records cycles, its day P&L, positions with analytics, regenerations and settings (the ledger's `monitor`); default: memory. */
  monitorStore?: MonitorStore;
  /** Where strategy definitions, runs (with the engine's state) and their audit log are kept (the ledger's `strategy`); default: memory. */
  strategyStore?: StrategyStore;
  /** The SmartAPI instrument master cache (the ledger's `smartapiMaster`): one download per IST day; default: downloaded at every start. */
  smartApiMasterCache?: NonNullable<VenueBuildRequest['smartApiMasterCache']>;
  /** Monitoring settings every account starts from before its own are saved (e.g. `{ enabled: false }` where a test looks at something else). */
  monitorDefaults?: Partial<MonitorSettingsWire>;
  /** The ledger's fills, read by the reconciler's P&L compare (average cost from our own fills, missing fills). */
  ledgerFills?: Pick<OrderLedger, 'fillsForRebuild'>;
  /**
   * The order path's ports given from outside (tests); without them the desk uses its own trading
   * service and account fills once they are composed here, and the reconciler reports `unavailable`
   * while our positions are not known.
   */
  orderPath?: { positions?: AccountPositions; trading?: TradingPort };
  /** The order gateway's journal (the ledger's SqliteOrderJournal); memory only without a ledger. */
  orderJournal?: OrderJournal;
  /**
   * Where venue fills are committed (the ledger's `fills`, synchronous=FULL) and loaded from at each
   * account's start (app/trading/account-fills.ts). Without it fills are kept in memory only.
   */
  fillLedger?: Pick<OrderLedger, 'recordFill' | 'fillsForRebuild'>;
  /** A replay's progress, carried by every tick_update of a replay desk (node/app/replay); absent live. */
  replayProgress?: () => ReplayProgress;
  /** The Replay page (issue 21): the ledger's recorded days and saved results (default: none / memory), and the shipped sample day. */
  replay?: { ledger?: ReplayLedger | null; samplePath?: string | null };
}

export type DeskListener = (event: DeskEvent) => void;

export class Desk {
  /** The configuration in force (change it with `applyConfig`). */
  config: DeskConfig;
  /** The one quote cache every consumer shares (P&L tracker, monitors, UI). */
  readonly cache: QuoteCache;
  /** Quote recording for replay (`record_quotes`); null without a ledger. */
  private readonly recording: QuoteRecording | null;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  /** The one event bus: assigns `seq`; the history and the transports subscribe to it. */
  private readonly bus: DeskEventBus;
  /** Which option contracts the venue lists (asked for those without any quote). */
  private readonly contracts: ContractChecks;
  private ltpProvider: LtpProvider | null = null;
  private healthTimer: Cancel | null = null;
  private ledgerProblem: string | null = null;
  private readonly alpacaKeysFrom: CredentialOrigin | undefined;
  private lifecycle: Promise<void> = Promise.resolve();
  /** One handler per command, by domain (src/node/app/handlers). */
  private readonly commands: CommandHandlers;
  private streaming = false;
  private disposed = false;
  /** The graded kill switch (spec §2); the strategy runtime will ask it before every order. */
  readonly killSwitch: KillSwitch;
  /** Critical-transition alerts, and hooks for the strategy runtime (entrySucceeded, forcedExit, …). */
  readonly alerts: AlertMonitor;
  private readonly credentials: CredentialVault | null;
  private lastPlan: SubscriptionPlan | null = null;
  /** Positions, P&L tracker, portfolio file, settings, history (live-portfolio.ts). */
  readonly live: LivePortfolio;
  /** Symbols the P&L tracker needs (planned together with the watchlist). */
  private readonly demand: SubscriptionDemand;
  /** Every held account's venue lifecycle: runtimes, market-data sources, routing, health rows (app/account-supervisor.ts). */
  private readonly supervisor: AccountSupervisor;
  /** What the desk keeps of the venues' records (SmartAPI master cache, Delta products in the ledger), for symbols no running venue knows. */
  private readonly venueRecords: Parameters<typeof instrumentFromRecords>[1];
  /** The node_event of the current stream start: the parent of what streaming does. */
  private streamExec: string | null = null;
  /** The order path's parts (trading service, account fills, reconciler): each hears every account's venue events, in this order. */
  private readonly participants: AccountLifecycle[] = [];
  /** Trading modes, the order gateways, manual exits, the `trading.*` / `orders.*` commands (app/trading/trading-service.ts). */
  readonly trading: TradingService;
  /** Broker vs ledger per account, the automation gate, our P&L beside the broker's (app/trading/reconciler.ts). */
  readonly reconciler: Reconciler;
  /** The per-account monitoring cycle (spec §8, issue 17): scheduler, the ten steps, the Monitor page's commands. */
  readonly monitor: MonitorService;
  /** Strategy runs (spec §9, issue 18): the engine fed and carried out, definitions, the Live Control page's commands. */
  readonly strategy: StrategyService<RunState>;
  /** The trading service's port, as the reconciler reads it. */
  private tradingPort: TradingPort | null = null;
  /** The account fills' positions; null: every position unknown to the gateway, exits and reconciliation. */
  private accountPositions: AccountPositions | null = null;
  /**
   * The positions the trading service weighs (kill switch Reducing, exits): the account positions where
   * the last reconciliation does not contradict them, else unknown (app/trading/reconciled-positions.ts).
   */
  private tradingPositions: ReconciledPositions | null = null;
  /** The reconciler's automation gate. */
  private reconciliationGate: ReconciliationGate | null = null;
  /** Our FIFO positions from venue fills, per account (the fills part of the order path). */
  readonly accountFills: AccountFills;
  /** The Replay page: days, one replay run at a time on a separate desk (app/replay; issue 21). */
  readonly replay: ReplayService;

  constructor(deps: DeskDeps) {
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.bus = new DeskEventBus(this.logger);
    this.contracts = new ContractChecks(this.logger, (unlisted) => {
      this.live.tracker.setUnlistedContracts(unlisted);
      this.emitHealth();
    });
    const fromEnv = deps.env ? loadMarketConfig(deps.env) : null;
    const settingsStore = deps.settings ?? new MemoryDeskSettingsStore();
    const stored = settingsStore.load();
    const resolved = resolveDeskConfig(stored, fromEnv, deps.config);
    this.config = resolved.config;
    this.alpacaKeysFrom = resolved.alpacaKeysFrom;
    // What is shown is what is in force (env or explicit config may override the stored file).
    const initialSettings: DeskSettings = {
      ...stored,
      venue: this.config.venue,
      stale_after_sec: this.config.staleAfterMs / 1000,
      mark_policy: this.config.markPolicy,
      max_option_contracts: this.config.maxOptionContracts,
    };
    if (fromEnv) this.logger.info('market configuration', describeMarketConfig(fromEnv));
    this.cache = new QuoteCache(this.clock, { staleAfterMs: this.config.staleAfterMs, markPolicy: this.config.markPolicy });
    // Every quote into the cache goes to the UI coalesced (live-portfolio.ts) while streaming.
    this.recording = deps.quoteRecorder ? new QuoteRecording(deps.quoteRecorder, this.logger) : null;
    this.recording?.setEnabled(initialSettings.record_quotes);
    this.cache.onQuote((q) => {
      if (this.streaming) this.live.quote(q);
      this.recording?.record(q);
    });
    // The shared REST refresh (LTP provider) is a step of the stream's flow on the Events page (folded: app/rest-refresh-nodes.ts).
    recordRestRefreshes(this.cache, (node) => this.live.node({ parent: this.streamExec, ...node }));
    // One venue subscription per symbol, however many consumers ask (the cache counts references).
    if (!deps.killSwitchStore) this.logger.info('kill switch state is kept in memory only (no state directory)');
    this.killSwitch = new KillSwitch({ store: deps.killSwitchStore ?? new MemoryKillSwitchStore(), clock: this.clock, logger: this.logger });
    announceKillSwitchChanges(this.killSwitch, this.bus, () => this.alerts);
    // The alert monitor reads health from the bus's health_events and publishes its alerts there.
    this.alerts = alertsOnBus(this.bus, this.clock, deps.alerts).monitor;
    this.credentials = deps.credentials ?? null;
    // Every held account's venue, started and stopped with streaming; it reports through these listeners.
    this.venueRecords = { masterCache: deps.smartApiMasterCache ?? null, instrumentStore: deskInstrumentStore(deps.accountLedger) };
    this.supervisor = new AccountSupervisor({
      clock: this.clock,
      logger: this.logger,
      random: deps.random ?? Math.random,
      venues: deps.venues ?? createVenueFactory(),
      cache: this.cache,
      config: () => this.config,
      isStreaming: () => this.streaming,
      alpacaCredentials: () => this.activeAlpacaCredentials(),
      venueCredentials: (venue) => this.credentials?.get(venue) ?? null,
      instrumentStore: deskInstrumentStore(deps.accountLedger),
      smartApiMasterCache: deps.smartApiMasterCache ?? null,
      needed: () => this.demand.instruments,
      watchlistOf: (account) => this.watchlistOf(account),
      killSwitchLevel: (id) => this.killSwitch.levelOf(id),
      ...(deps.accounts ? { accounts: deps.accounts } : {}),
      accountLedger: deps.accountLedger ?? null,
      listeners: {
        orderUpdate: (account, u) => {
          // The orders table here; a fill goes to the account fills (a participant): ledger first, then the UI.
          applyVenueOrderUpdate(this.live, account, u);
          for (const p of this.participants) p.orderUpdate?.(account, u);
        },
        accountStarted: (account, venue) => this.toParticipants('accountStarted', account, (p) => p.accountStarted?.(account, venue)),
        accountStopping: (account) => this.toParticipants('accountStopping', account, (p) => p.accountStopping?.(account)),
        resync: (account, stream) => this.toParticipants('resync', account, (p) => p.resync?.(account, stream)),
        health: () => this.emitHealth(),
        accountFailed: (account, message) =>
          this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: `venue:${account.id}`, node_name: `Venue ${venueNameOf(account)} (account ${account.id})`, action: 'venue_connect', status: 'failed', message }),
      },
    });
    // The tracker states what it needs on a narrow port; the planner (replan) listens to it.
    this.demand = new SubscriptionDemand(() => this.cache.subscribedInstruments());
    this.demand.onChange(() => this.replan());
    this.live = new LivePortfolio({
      clock: this.clock,
      logger: this.logger,
      quotes: this.cache,
      venue: this.config.venue,
      subscriptions: this.demand,
      streamer: () => this.supervisor.streamerProbe(this.streaming),
      events: this.bus,
      settings: settingsStore,
      initialSettings,
      valuation: { ...valuationOf(initialSettings), staleAfterMs: this.config.staleAfterMs, markPolicy: this.config.markPolicy },
      defaultPortfolioPath: deps.portfolioPath ?? null,
      ...(deps.maxPortfolioBytes !== undefined ? { maxPortfolioBytes: deps.maxPortfolioBytes } : {}),
      watch: deps.watchPortfolio ?? null,
      tickCoalesceMs: this.config.tickCoalesceMs,
      // The tracker's REST fallback: the one shared, rate-limited LTP provider (exists while streaming).
      restRefresh: () => this.ltpProvider,
      // Every tick_update says which strategy nodes are working, and a replay's progress (issue 21).
      tickContext: () => {
        const active_nodes = this.strategy ? this.strategy.activeNodes() : [];
        return deps.replayProgress ? { active_nodes, progress: deps.replayProgress() } : { active_nodes };
      },
      ...(deps.pnlSampleSink ? { sampleSink: deps.pnlSampleSink } : {}),
      instrumentOf: (symbol) => this.instrumentOfSymbol(symbol),
    });
    this.live.init();
    this.supervisor.persistAccounts();
    // Order path, fills part (issue 16): venue fills into the ledger durably and idempotently, our
    // FIFO positions per account, missed fills fetched at start and on resync, late fills re-applied.
    this.accountFills = new AccountFills({
      clock: this.clock,
      logger: this.logger,
      ledger: deps.fillLedger ?? null,
      display: this.live,
      quotes: this.cache,
      parentExecution: () => this.streamExec,
      multiplierOf: (symbol) => this.instrumentOfSymbol(symbol)?.multiplier ?? null,
    });
    // The ledger's accounts rows carry the kill switch level in force (the switch's store is the truth).
    const ledger = deps.accountLedger;
    if (ledger?.setKillSwitch) {
      const setKillSwitch = ledger.setKillSwitch.bind(ledger);
      mirrorKillSwitchToLedger(this.killSwitch, { setKillSwitch }, () => this.supervisor.accounts().map((a) => a.id), () => this.clock.now(), this.logger);
    }
    // Order path, trading part (issue 16): modes, one gateway per running account, manual exits.
    if (!deps.orderJournal) this.logger.info('order journal kept in memory only (no ledger)');
    this.trading = new TradingService({
      // New entries stop while the account's session is needed (the monitoring cycle knows it).
      sessionBlocked: (account) => this.monitor.sessionBlocked(account),
      clock: this.clock,
      logger: this.logger,
      journal: deps.orderJournal ?? new MemoryOrderJournal(),
      killSwitch: this.killSwitch,
      accounts: () => this.supervisor.accounts(),
      // Our ledger's positions where the broker has not contradicted them (else unknown: Reducing refuses).
      positions: () => this.tradingPositions,
      reconciliation: () => this.reconciliationGate,
      publish: (e) => this.bus.publish(e),
      node: (n) => this.live.node(n),
      quote: (account, symbol) => {
        const id = instrumentId(venueNameOf(account), symbol);
        const q = this.cache.get(id);
        return q ? { bid: q.bid, ask: q.ask, fresh: !this.cache.isStale(id) } : null;
      },
      subscribe: (consumer, account, symbols) => {
        if (symbols === null) this.cache.release(consumer);
        else this.cache.ensureSubscribed(consumer, symbols.map((s) => instrumentId(venueNameOf(account), s)));
      },
      structures: () => this.live.tracker.structures(),
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.participants.push(this.trading);
    // Order path, fills part: after the trading service (its gateway adopts an order update first), before the reconciler.
    this.participants.push(this.accountFills);
    // The trading state carries the kill switch level and the reconciliation gate: their changes re-announce it.
    this.bus.subscribe((e) => {
      if (e.type === 'killswitch_event' || e.type === 'reconciliation_event') this.trading.refresh();
      // the Monitor page shows `halted` as soon as the kill switch says so
      if (e.type === 'killswitch_event') this.monitor.announceAll();
    }, { internal: true });
    // Order path, recon part (issue 16 items 5, 6): the reconciler hears every account's start, resync
    // and stop after the trading service and the account fills (participants run in that order).
    this.tradingPort = deps.orderPath?.trading ?? this.trading;
    this.accountPositions = deps.orderPath?.positions ?? this.accountFills;
    this.tradingPositions = new ReconciledPositions(this.accountPositions, () => this.reconciliationGate);
    const ledgerFills = deps.ledgerFills;
    this.reconciler = new Reconciler({
      clock: this.clock,
      logger: this.logger,
      positions: () => this.accountPositions,
      trading: () => this.tradingPort,
      store: deps.reconciliationStore ?? new MemoryReconciliationStore(),
      publish: (event) => this.bus.publish(event),
      node: (n) => this.live.node({ parent: this.streamExec, ...n }),
      accounts: () => this.supervisor.accounts().map((a) => a.id),
      multiplierOf: (symbol) => {
        const i = this.instrumentOfSymbol(symbol);
        return i ? multiplierToString(i.multiplier) : null;
      },
      ...(ledgerFills
        ? {
            fills: (account: string) =>
              ledgerFills.fillsForRebuild({ accountId: account }).map((f) => ({ symbol: f.symbol, clientOrderId: f.clientOrderId, side: f.side, quantity: f.quantity, price: f.price, time: f.filledAt })),
          }
        : {}),
    });
    this.participants.push(this.reconciler);
    this.reconciliationGate = this.reconciler;
    // Monitoring cycle (issue 17): hears each account's start and stop after the order path's parts;
    // its order actions go through the trading service's gateways.
    this.monitor = new MonitorService({
      clock: this.clock,
      logger: this.logger,
      orders: () => this.trading,
      reconciliation: () => this.reconciliationGate,
      snapshots: (account) => this.accountFills.snapshots(account),
      quote: (account, symbol) => this.bookQuote(account, symbol),
      refresh: (account, symbol) => this.refreshQuote(account, symbol),
      subscribe: (consumer, account, symbols) => this.subscribeFor(consumer, account, symbols),
      killSwitchLevel: (account) => this.killSwitch.levelOf(account),
      store: deps.monitorStore ?? new MemoryMonitorStore(),
      publish: (event) => this.bus.publish(event),
      node: (n) => this.live.node({ ...n, parent: n.parent ?? this.streamExec, details: { ...n.details } }),
      alert: (draft) => {
        this.alerts.raise(draft);
      },
      accounts: () => this.supervisor.accounts(),
      ...(deps.monitorDefaults ? { defaults: deps.monitorDefaults } : {}),
      onSessionChange: () => this.trading.refresh(),
    });
    this.participants.push(this.monitor);
    // Strategy runs (issue 18): every order through the trading service's gateways (origin `strategy`).
    const ledgerFillsForAvg = deps.ledgerFills;
    this.strategy = new StrategyService<RunState>({
      clock: this.clock,
      logger: this.logger,
      engine: strategyEngine,
      select: (account, definition, now) => this.selectContracts(account, definition, now),
      orders: () => this.trading,
      quote: (account, symbol) => this.bookQuote(account, symbol),
      refresh: (account, symbol) => this.refreshQuote(account, symbol),
      subscribe: (consumer, account, symbols) => this.subscribeFor(consumer, account, symbols),
      exchangeOf: (account) => exchangeOfAccount(account),
      reconciled: (account) => this.reconciliationGate?.clean(account) ?? false,
      store: deps.strategyStore ?? new MemoryStrategyStore(),
      publish: (event) => this.bus.publish(event),
      node: (n) => this.live.node({ ...n, parent: n.parent ?? this.streamExec, details: { ...n.details } }),
      alert: (draft) => {
        this.alerts.raise(draft);
      },
      accounts: () => this.supervisor.accounts(),
      ...(ledgerFillsForAvg
        ? {
            avgFillOf: (account: string, clientOrderId: string) => {
              let qty = 0;
              let value = 0;
              for (const f of ledgerFillsForAvg.fillsForRebuild({ accountId: account })) {
                if (f.clientOrderId !== clientOrderId) continue;
                qty += Number(f.quantity);
                value += Number(f.quantity) * Number(f.price);
              }
              return qty > 0 ? value / qty : null;
            },
          }
        : {}),
    });
    this.participants.push(this.strategy);
    // The kill switch at Halted stops the account's strategy runs too: they would otherwise keep
    // asking for orders the gateway refuses (spec §2: Halted allows only cancels).
    // (The switch lives and dies with the desk: no unsubscribe.)
    this.killSwitch.onChange((change) => {
      if (change.to !== 'halted' || change.from === 'halted') return;
      void this.strategy.haltAccount(change.account, change.reason).catch((err: unknown) =>
        this.logger.error('strategy runs could not be halted with the kill switch', { account: change.account, error: err instanceof Error ? err.message : String(err) }),
      );
    });
    // Replay (issue 21): each run is a separate desk built here with the replay venue and clock; this desk only lends its definitions.
    this.replay = new ReplayService({
      createDesk: (d) => new Desk(d),
      clock: this.clock,
      logger: this.logger,
      ledger: deps.replay?.ledger ?? null,
      samplePath: deps.replay?.samplePath ?? null,
      strategies: () => this.strategy.definitions(),
      // a replayed day's contracts valued as live: lot sizes, contract values (the venues' records)
      instrumentOf: (symbol) => this.instrumentOfSymbol(symbol),
    });
    this.commands = this.buildCommands();
  }

  /** The application layer's ports onto this desk, and the command map built from them (src/node/app). */
  private buildCommands(): CommandHandlers {
    const live = this.live;
    return buildCommandMap({
      snapshot: { snapshot: () => this.snapshot() },
      streaming: {
        isStreaming: () => this.streaming,
        start: () => this.start(),
        stop: () => this.stop(),
      },
      portfolio: { loadPortfolioCommand: (path) => live.loadPortfolioCommand(path), reloadPortfolio: () => live.reloadPortfolio() },
      settings: {
        isStreaming: () => this.streaming,
        getSettings: () => live.getSettings(),
        setSettings: async (patch, streaming) => {
          // A new portfolio path is read and validated first: a file that is not a portfolio is refused, nothing saved.
          const r = await live.setSettingsChecked(patch, streaming);
          // Quote recording for replay follows its setting at once.
          if (this.recording && this.recording.enabled !== r.settings.record_quotes) {
            this.recording.setEnabled(r.settings.record_quotes);
            r.applied.push('record_quotes');
          }
          return r;
        },
        applyVenueSettings: (settings) => this.applyConfig(configFromSettings(settings, this.config.alpaca)),
      },
      killSwitch: {
        view: () => this.killSwitch.view(),
        set: (account, level, opts) => this.killSwitch.set(account, level, opts),
        heldAccounts: () => this.supervisor.accounts().map((a) => a.id),
      },
      credentials: {
        vault: this.credentials,
        alpacaInPlay: () => this.config.venue === 'alpaca' || this.config.alpaca !== undefined,
        activeAlpacaCredentials: () => this.activeAlpacaCredentials(),
      },
      session: {
        logger: this.logger,
        venue: () => this.config.venue,
        accountVenue: (id) => this.supervisor.held(id)?.venue ?? null,
        hasRunningVenue: (id) => this.streaming && this.supervisor.venueOf(id) !== null,
        noteReauthenticateRequested: (id) => {
          const whose = id === DEFAULT_ACCOUNT_ID ? '' : ` of account ${id}`;
          this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: 'venue', node_name: `Venue ${this.config.venue}`, action: 'reauthenticate', status: 'started', message: `the user asked to re-authenticate${whose}` });
        },
        reauthenticate: (id) => this.reauthenticate(undefined, id),
      },
      accounts: { list: () => this.supervisor.accountsWire() },
      reconcile: {
        run: (account, trigger) => this.reconciler.run(account, trigger),
        resolve: (account, lineId, action) => this.reconciler.resolveWithNote(account, lineId, action),
        heldAccounts: () => this.supervisor.accounts().map((a) => a.id),
      },
      orders: this.trading,
      monitor: {
        heldAccounts: () => this.supervisor.accounts().map((a) => a.id),
        accounts: () => this.monitor.accounts(),
        cycles: (account, opts) => this.monitor.cycles(account, opts),
        runNow: (account) => this.monitor.runNow(account),
        pause: (account, paused) => this.monitor.pause(account, paused),
        reauthenticate: (account) => this.monitor.reauthenticate(account),
        configure: (account, patch) => this.monitor.configure(account, patch),
      },
      strategy: {
        definitions: () => this.strategy.definitions(),
        runs: () => this.strategy.payloads(),
        save: (d) => this.strategy.save(d),
        remove: (id) => this.strategy.remove(id),
        importJson: (json) => this.strategy.importJson(json),
        exportJson: (ids) => this.strategy.exportJson(ids),
        start: (id, now) => this.strategy.start(id, now),
        pause: (run, paused) => this.strategy.pause(run, paused),
        halt: (run, reason) => this.strategy.halt(run, reason),
        exit: (run, leg) => this.strategy.exit(run, leg),
        audit: (run, after, limit) => this.strategy.audit(run, after, limit),
      },
      replay: this.replay,
    });
  }

  /**
   * A fill from outside the venue path (tests, manual entry): FIFO → fill_event, node_event,
   * position_event(s) — not recorded in the ledger. Venue fills go through `accountFills` (ledger first).
   * `account`: another held account's fill — its own position, valued from its venue's quotes.
   */
  applyFill(input: FillInput, meta: Omit<FillContext, 'account' | 'venue'> & { account?: AccountId } = {}): { ok: boolean; reason?: string } {
    const { account, ...context } = meta;
    if (account === undefined || account === DEFAULT_ACCOUNT_ID) return this.live.applyFill(input, context);
    const held = this.supervisor.held(account);
    if (!held) return { ok: false, reason: `fill ${input.fill_id}: the desk holds no account ${account}` };
    return this.live.applyFill(input, { ...context, account, venue: venueNameOf(held) });
  }

  /** Our ledger's positions per account (the AccountPositions port the trading service and the reconciler use). */
  get positions(): AccountPositions {
    return this.accountFills;
  }

  /** An order update (for the orders table). */
  applyOrderUpdate(order: OrderUpdateWire): void {
    this.live.applyOrderUpdate(order);
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /** The LTP provider monitors call (cache first, one shared REST refresh when stale); null before Start. */
  get ltp(): LtpProvider | null {
    return this.ltpProvider;
  }

  /** The running account's execution port (null before Start / after Stop). */
  get activeExecution(): ExecutionPort | null {
    return this.supervisor.main.venue?.execution ?? null;
  }

  /** The running market-data port (null before Start / after Stop). */
  get activeMarketData(): MarketDataPort | null {
    return this.supervisor.main.venue?.marketData ?? null;
  }

  /** The embedded simulated venue while streaming with venue `sim` (tests inject faults through it). */
  get simServer(): SimVenueServer | null {
    return this.supervisor.main.venue?.sim ?? null;
  }

  /** A held account's running venue (its ports and, for `sim`, its server); null when not running. */
  accountVenue(id: AccountId): VenueRun | null {
    return this.supervisor.venueOf(id);
  }

  /** Symbol → InstrumentId at the configured venue (the venue instance name; interned once per symbol). */
  private ids(): VenueInstruments {
    return this.supervisor.defaultIds();
  }

  /** The symbols at this desk's venue the P&L tracker needs (planned together with the watchlist). */
  private trackerSymbols(): string[] {
    return ownSymbols(this.ids(), this.demand.instruments);
  }

  /** The last subscription plan (with its warnings) made at Start. */
  get subscriptionPlan(): SubscriptionPlan | null {
    return this.lastPlan;
  }

  /**
   * Applies a configuration change. Thresholds (stale, mark policy) apply at once; a change to the
   * venue, credentials, feeds, stream tuning, watchlist or limits restarts streaming if it is on
   * (stop, then start with the new settings). `tickCoalesceMs` is fixed at construction.
   */
  async applyConfig(patch: Partial<DeskConfig>): Promise<{ restarted: boolean }> {
    const next = { ...this.config, ...stripUndefined(patch) } as DeskConfig;
    const restartKeys: (keyof DeskConfig)[] = ['venue', 'seed', 'simIntervalMs', 'alpaca', 'streams', 'watchlist', 'maxOptionContracts', 'healthIntervalMs'];
    const changed = restartKeys.some((k) => JSON.stringify(next[k]) !== JSON.stringify(this.config[k]));
    const accountBefore = this.defaultAccount();
    this.config = next;
    const accountNow = this.defaultAccount();
    if (accountNow.venue !== accountBefore.venue || accountNow.mode !== accountBefore.mode) this.supervisor.persistAccounts(accountNow);
    this.cache.staleAfterMs = next.staleAfterMs;
    this.cache.markPolicy = next.markPolicy;
    this.live.tracker.setValuation({ staleAfterMs: next.staleAfterMs, markPolicy: next.markPolicy });
    // The portfolio's positions belong to the configured venue: their quotes are that venue's.
    this.live.tracker.setVenue(next.venue);
    if (!changed || !this.streaming) return { restarted: false };
    await this.stop();
    await this.start();
    return { restarted: true };
  }

  /**
   * After `session_needed`: re-authenticate an account's running venue (default: the default
   * account's; optionally with new credentials) and restart its streams — the "one click" of spec §3.
   * A no-op when not streaming.
   */
  async reauthenticate(credentials?: { keyId: string; secretKey: string }, account: AccountId = DEFAULT_ACCOUNT_ID): Promise<void> {
    if (credentials && this.config.alpaca && account === DEFAULT_ACCOUNT_ID) this.config = { ...this.config, alpaca: { ...this.config.alpaca, ...credentials } };
    await this.supervisor.venueOf(account)?.execution.reauthenticate(credentials);
    this.emitHealth();
  }

  /** Starts streaming. Idempotent. Nothing touches the network before this. */
  start(): Promise<void> {
    if (this.disposed) throw new Error('desk is disposed');
    if (this.streaming) return this.lifecycle;
    this.streaming = true;
    this.supervisor.clearErrors();
    this.streamExec = this.live.node({
      parent: null,
      node_type: 'StreamNode',
      node_id: 'stream',
      node_name: `Stream ${this.config.venue}`,
      action: 'stream_start',
      status: 'started',
      message: `streaming from ${this.config.venue} (${this.mode()})`,
      details: { venue: this.config.venue, mode: this.mode() },
    });
    this.live.startStreaming(this.streamExec);
    this.emitHealth();
    this.lifecycle = this.lifecycle.then(() => this.doStart()).catch((err: unknown) => this.onStartFailed(err));
    return this.lifecycle;
  }

  /** Stops streaming: every socket and timer is closed when the returned promise resolves. Idempotent. */
  stop(): Promise<void> {
    if (!this.streaming) return this.lifecycle;
    this.streaming = false;
    this.live.stopStreaming();
    this.live.node({ parent: this.streamExec, node_type: 'StreamNode', node_id: 'stream', node_name: `Stream ${this.config.venue}`, action: 'stream_stop', status: 'completed' });
    this.streamExec = null;
    this.lifecycle = this.lifecycle.then(() => this.doStop());
    return this.lifecycle;
  }

  /**
   * A symbol's quote at an account's venue as risk logic reads it: bid/ask with the age of the *book*
   * — the fair price is the book's mid, so its freshness is the book's whatever the mark policy (under
   * `last` the cache judges a quote by its last trade, which says nothing of the book). Null: not quoted.
   */
  private bookQuote(account: string, symbol: string): { bid: number | null; ask: number | null; fresh: boolean; ageMs: number | null } | null {
    const id = instrumentId(this.venueNameOfId(account), symbol);
    const q = this.cache.get(id);
    if (!q) return null;
    const book = bookTimeOf(q);
    const ageMs = book === null ? null : Math.max(0, this.clock.now() - book);
    return { bid: q.bid, ask: q.ask, fresh: ageMs !== null && ageMs <= this.cache.staleAfterMs, ageMs };
  }

  /** A REST refresh of a symbol at an account's venue (the quote cache's fallback); resolves when it answered. */
  private async refreshQuote(account: string, symbol: string): Promise<void> {
    await this.ltpProvider?.getFresh(instrumentId(this.venueNameOfId(account), symbol));
  }

  /** Keeps `symbols` quoted at the account's venue for `consumer` (exactly these: replaces its set); null releases them. */
  private subscribeFor(consumer: string, account: string, symbols: readonly string[] | null): void {
    if (symbols === null) this.cache.release(consumer);
    else this.cache.replaceSubscriptions(consumer, symbols.map((s) => instrumentId(this.venueNameOfId(account), s)));
  }

  /** Contract selection for a strategy leg set: the account's venue chain, the cached underlying, the pure selection (fails closed). */
  private async selectContracts(account: Account, definition: StrategyDefinition, now: number): Promise<{ ok: true; contracts: SelectedContract[] } | { ok: false; reason: string }> {
    const venue = this.accountVenue(account.id);
    if (!venue) return { ok: false, reason: `account ${account.id} is not running` };
    const exchange = exchangeOfAccount(account);
    const chain = await venue.marketData.optionChain(definition.underlying, chainFilterFor(definition, now, exchange));
    const underlying = underlyingPriceOf(this.cache.get(instrumentId(venueNameOf(account), definition.underlying)) ?? null);
    return selectContracts(definition, chainSnapshotOf(chain), underlying, now, { ...DEFAULT_SELECTION_SETTINGS, exchange });
  }

  /** The venue instance an account id's market data comes from (its own id when the desk does not hold it). */
  private venueNameOfId(account: string): string {
    const a = this.supervisor.accounts().find((x) => x.id === account);
    return a ? venueNameOf(a) : account;
  }

  /** Stops everything and drops listeners; the desk cannot be restarted afterwards. */
  dispose(): Promise<void> {
    void this.replay.dispose();
    const done = this.stop();
    this.live.dispose();
    this.monitor.dispose();
    this.strategy.dispose();
    this.trading.dispose();
    this.bus.clearClients();
    this.disposed = true;
    return done;
  }

  snapshot(): DeskSnapshot {
    return {
      serverTime: this.clock.now(),
      venue: this.config.venue,
      mode: this.mode(),
      streaming: this.streaming,
      quotes: this.cache.all().map(toQuoteWire),
      streams: this.streams(),
      killSwitch: this.killSwitch.view(),
      protocol: PROTOCOL_VERSION,
      endpoints: this.endpoints(),
      plan: this.planWire(),
      ...this.live.snapshotParts(),
      ...this.trading.snapshotParts(),
      reconciliation: this.reconciler.all(),
      ...this.monitor.snapshotParts(),
      ...this.strategy.snapshotParts(),
    };
  }

  /**
   * What a status display needs (the tray, once a second): mode, streaming, stream health, kill
   * switch and P&L totals — without copying every quote and position as `snapshot()` does.
   */
  status(): DeskStatus {
    return {
      serverTime: this.clock.now(),
      mode: this.mode(),
      streaming: this.streaming,
      streams: this.streams(),
      killSwitch: this.killSwitch.view(),
      pnl_snapshot: this.live.pnlSnapshot(),
      // The tray's tooltip and every notification say whether an account may send orders (TRADE).
      trading: this.trading.states(),
    };
  }

  /** The plan in force while streaming: the limit, what was left out, the planner's warnings. */
  private planWire(): SubscriptionPlanWire | null {
    const p = this.lastPlan;
    if (!this.streaming || !p) return null;
    return { max_option_contracts: this.config.maxOptionContracts, omitted: [...p.omittedOptions, ...p.omittedStocks], warnings: p.warnings };
  }

  /** The endpoints Start connects to, and where each came from (read-only, shown in Settings). */
  endpoints(): VenueEndpointsWire {
    return endpointsWire(this.config, this.supervisor.main.venue?.sim?.urls() ?? null);
  }


  /** The snapshot as the first event a client gets: its seq is the last event it reflects. */
  snapshotEvent(): DeskEvent {
    const full = this.snapshot();
    // The renderer values every position itself from `positions` and `quotes` (revaluePosition),
    // so the tracker's valued copy of each open position (`pnl.trades`, ~1.2 kB a position) is
    // left out of the event a client gets on connect and resync; `snapshot.get` still carries it.
    const snapshot: DeskSnapshot = { ...full, pnl: { ...full.pnl, trades: [] } };
    return { type: 'snapshot', seq: this.bus.lastSeq, serverTime: snapshot.serverTime, snapshot };
  }

  /** The seq of the last event emitted: a snapshot taken now reflects every event up to it. */
  get lastSeq(): number {
    return this.bus.lastSeq;
  }

  subscribe(listener: DeskListener): () => void {
    return this.bus.subscribe(listener);
  }

  /** Transport subscribers (the desk's own state keepers are not counted). */
  get listenerCount(): number {
    return this.bus.clientCount;
  }

  /** Validates and runs a command from a transport. Never throws. */
  async handle(name: unknown, payload: unknown): Promise<CommandOutcome> {
    const parsed = parseCommand(name, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      return { ok: true, result: await runCommand(this.commands, parsed.name, parsed.payload as never) };
    } catch (err) {
      if (err instanceof CommandFailure) return { ok: false, error: err.error };
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error('command failed', { name: parsed.name, message });
      return { ok: false, error: { code: 'failed', message } };
    }
  }

  /**
   * The one answer to "which Alpaca keys are in use, and from where": the configuration's keys
   * (APCA_* environment variables or the LIVE_DESK_CONFIG file) win; otherwise the vault's.
   * Used both to start the venue and to report the credentials status, so the two cannot disagree.
   */
  private activeAlpacaCredentials(): ActiveCredentials | null {
    const a = this.config.alpaca;
    if (a) return { keyId: a.keyId, secretKey: a.secretKey, from: this.alpacaKeysFrom ?? { kind: 'environment', detail: 'the desk configuration given at start' } };
    const stored = this.credentials?.get('alpaca') ?? null;
    if (stored) return { keyId: stored.keyId.reveal(), secretKey: stored.secretKey.reveal(), from: { kind: 'vault', detail: 'the credential store' } };
    return null;
  }

  /**
   * The accounts the desk holds: the default account (derived from the configured venue) first,
   * then the configured ones. Every one runs while streaming.
   */
  accounts(): readonly Account[] {
    return this.supervisor.accounts();
  }

  private defaultAccount(): Account {
    return this.supervisor.defaultAccount();
  }

  private mode(): VenueMode {
    return this.defaultAccount().mode;
  }

  private async doStart(): Promise<void> {
    if (!this.streaming) return; // stopped again before we got here
    await this.supervisor.attachDefault();
    // The per-symbol minimum interval stays under the stale threshold, or a REST-fed quote would go
    // stale before it may be refreshed again (the tracker's fallback asks before the threshold).
    this.ltpProvider = new LtpProvider({
      cache: this.cache,
      clock: this.clock,
      // Under the `last` policy the mark is the last trade: the refresh asks for latest trades too.
      fetchLatest: (instruments) => this.supervisor.latestQuotes(instruments),
      minSymbolIntervalMs: () => Math.min(2000, Math.floor(this.config.staleAfterMs / 2)),
    });
    this.replan();
    // The default account's venue starts first (its failure is the desk's start failure), then every
    // other held account's alongside: one failing to start is that account's error row.
    await this.supervisor.startAll();
    const quietSince = this.clock.now();
    this.healthTimer = this.clock.setInterval(() => {
      // Contracts still without any quote a stale-threshold after Start are asked about (one REST
      // call each, only for those: a healthy portfolio costs no calls).
      if (this.lastPlan && this.clock.now() - quietSince > this.cache.staleAfterMs) this.contracts.check(this.supervisor.main.venue?.marketData, this.lastPlan.options.filter((s) => { const id = this.ids().tryOf(s); return id === null || this.cache.get(id) === undefined; }));
      this.emitHealth();
    }, this.config.healthIntervalMs);
    this.logger.info('streaming started', { venue: this.config.venue, symbols: this.cache.subscribedInstruments().length });
    this.live.node({
      parent: this.streamExec,
      node_type: 'VenueNode',
      node_id: 'venue',
      node_name: `Venue ${this.config.venue}`,
      action: 'venue_connect',
      status: 'completed',
      message: `connected; ${this.cache.subscribedInstruments().length} symbols subscribed`,
      details: { venue: this.config.venue, symbols: this.cache.subscribedInstruments().length },
    });
    this.emitHealth();
  }

  private async doStop(): Promise<void> {
    this.healthTimer?.();
    this.healthTimer = null;
    this.ltpProvider?.dispose();
    this.ltpProvider = null;
    await this.supervisor.stopAll();
    this.logger.info('streaming stopped');
    if (!this.disposed) this.emitHealth();
  }

  private async onStartFailed(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.supervisor.defaultFailed(message);
    this.logger.error('streaming failed to start', { message });
    this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: 'venue', node_name: `Venue ${this.config.venue}`, action: 'venue_connect', status: 'failed', message });
    // Not streaming after all: release what start() took (tracker listener/timer, alert checks).
    this.live.stopStreaming();
    this.streamExec = null;
    await this.doStop();
    this.streaming = false;
    this.emitHealth();
  }

  /**
   * One subscription plan for the open positions (first: they matter most) and the watchlist,
   * within the venue's option-contract limit; what was left out is named in a warning and in the
   * plan's node_event.
   */
  private replan(): void {
    if (!this.streaming) return;
    const watchlist = this.config.watchlist ?? this.defaultWatchlist();
    const plan = planSubscriptions(
      [...this.trackerSymbols(), ...watchlist].map((symbol) => ({ symbol })),
      { maxOptionContracts: this.config.maxOptionContracts, includeUnderlyings: false },
    );
    const symbols = [...plan.stocks, ...plan.options];
    const before = this.lastPlan ? [...this.lastPlan.stocks, ...this.lastPlan.options] : null;
    this.lastPlan = plan;
    if (this.supervisor.sourceCount > 1) this.supervisor.replanOthers();
    if (before && before.length === symbols.length && before.every((s, i) => s === symbols[i])) return;
    for (const w of plan.warnings) this.logger.warn('subscription plan', { warning: w });
    const ids = this.ids();
    this.cache.replaceSubscriptions(
      PLAN_CONSUMER,
      symbols.map((s) => ids.tryOf(s)).filter((i): i is InstrumentId => i !== null),
    );
    this.live.node({
      parent: this.streamExec,
      node_type: 'SubscriptionPlanNode',
      node_id: 'subscription-plan',
      node_name: 'Subscription plan',
      action: 'subscription_plan',
      status: plan.warnings.length > 0 ? 'info' : 'completed',
      message: plan.warnings.length > 0 ? plan.warnings.join('; ') : `${plan.stocks.length} stocks, ${plan.options.length} option contracts`,
      details: { stocks: plan.stocks.length, options: plan.options.length, positions: this.demand.instruments.length, watchlist: watchlist.length, warnings: plan.warnings },
    });
  }

  /**
   * The instrument behind a venue symbol: the running venues' records first (lot sizes, contract
   * values), else Alpaca's symbol rules (the OCC reading), else unknown.
   */
  private instrumentOfSymbol(symbol: string): Instrument | null {
    const known = this.supervisor.instrumentOf(symbol) ?? instrumentFromRecords(symbol, this.venueRecords);
    if (known) return known;
    try {
      return alpacaInstrument(symbol);
    } catch {
      return null;
    }
  }

  private defaultWatchlist(): string[] {
    return defaultWatchlistOf(this.defaultAccount(), this.config, this.clock.now());
  }

  /** Another account's default watchlist: its venue's own (venues/registry.ts defaultWatchlistOf). */
  private watchlistOf(account: Account): string[] {
    return defaultWatchlistOf(account, this.config, this.clock.now());
  }

  private streams(): StreamHealthWire[] {
    const now = this.clock.now();
    const streams = this.supervisor.rows(now);
    // The local ledger is a channel too: while it cannot write, it is a row saying what is not recorded.
    if (this.ledgerProblem !== null) {
      streams.push({ name: 'ledger', state: 'error', lastError: this.ledgerProblem, reconnectAttempts: 0, lastEventAt: null, queueDepth: 0, droppedEvents: 0, subscriptions: 0, liveness: 'heartbeat' });
    }
    return streams;
  }

  /** Tells every order-path participant an account event; one's failure is logged and never stops the others. */
  private toParticipants(what: string, account: Account, call: (p: AccountLifecycle) => void | Promise<void>): void {
    for (const p of this.participants) {
      try {
        void Promise.resolve(call(p)).catch((err: unknown) => this.logger.error('order path: account event failed', { what, account: account.id, error: err instanceof Error ? err.message : String(err) }));
      } catch (err) {
        this.logger.error('order path: account event failed', { what, account: account.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /**
   * The ledger's writes started failing (read-only, disk full…: `problem` says what is not being
   * recorded) or work again (null). Shown as a `ledger` health row and a notification, not only logged.
   */
  reportLedgerProblem(problem: string | null): void {
    if (problem === this.ledgerProblem || this.disposed) return;
    const was = this.ledgerProblem;
    this.ledgerProblem = problem;
    if (problem !== null) {
      this.logger.error('ledger is not recording', { problem });
      this.alerts.raise({ severity: 'critical', kind: 'ledger_error', subject: 'ledger', title: 'Ledger not recording', body: problem });
    } else if (was !== null) {
      this.alerts.raise({ severity: 'info', kind: 'ledger_error', subject: 'ledger', title: 'Ledger recording again', body: 'the rows kept in memory were written' });
    }
    this.emitHealth();
  }

  private emitHealth(): void {
    if (this.disposed) return;
    // The alert monitor hears it on the bus (app/alert-wiring.ts).
    this.emit({ type: 'health_event', serverTime: this.clock.now(), streaming: this.streaming, streams: this.streams(), streamer: this.live.tracker.streamerDiagnostics(), plan: this.planWire() });
  }

  private emit(event: UnsequencedEvent): void {
    this.bus.publish(event);
  }
}

export function createDesk(deps: DeskDeps): Desk {
  return new Desk(deps);
}

/** The ledger's instruments table when the given ledger has one (a venue keeps its instrument records there). */
function deskInstrumentStore(l: DeskDeps['accountLedger']): Pick<AccountLedger, 'upsertInstrument' | 'getInstrument'> | null {
  if (!l?.upsertInstrument || !l.getInstrument) return null;
  return { upsertInstrument: l.upsertInstrument.bind(l), getInstrument: l.getInstrument.bind(l) };
}
