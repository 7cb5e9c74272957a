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
import type { AccountLedger, QuoteRecorder, TradingMode } from '../core/ports/ledger-store';
import { QuoteRecording } from './ledger/quote-recording';
import { LtpProvider } from '../core/market/ltp-provider';
import { planSubscriptions, type SubscriptionPlan } from '../core/market/subscription-planner';
import { VenueInstruments } from '../core/market/instruments';
import { instrumentSymbol, type AccountId, type InstrumentId } from '../core/model/ids';
import type { Quote } from '../core/market/quote';
import type { OrderUpdate, VenueSessionState } from '../core/ports/venue';
import type { FillInput } from '../core/pnl/fifo';
import type { StreamerProbe } from '../core/pnl/active-pnl-tracker';
import type { PnlSampleSink } from '../core/ports/pnl-sample-sink';
import type { OrderUpdateStatus as WireOrderStatus, OrderUpdateWire } from '../core/events/types';
import { CommandFailure, LivePortfolio, toQuoteWire, valuationOf, type FillContext } from './live-portfolio';
import { MemoryDeskSettingsStore, type DeskSettingsStore } from './state/desk-settings-file';
import type { FileWatchFactory } from './portfolio-watcher';
import { SimMarketModel, accountSimSeed } from './venues/sim/model';
import { KillSwitch, ALL_ACCOUNTS, type KillSwitchChange, type KillSwitchLevel } from '../core/risk/kill-switch';
import { MemoryKillSwitchStore, type KillSwitchStore } from '../core/ports/kill-switch-store';
import type { AlertMonitor, AlertMonitorConfig } from '../core/alerts/alert-monitor';
import { alertsOnBus } from './app/alert-wiring';
import { SubscriptionDemand } from './app/subscription-demand';
import type { CredentialVault } from '../core/ports/credential-vault';
import type { SimVenueServer } from './venues/sim/server';
import type { AlpacaUrls } from './venues/alpaca/venue';
import { AccountRuntime } from './app/account-runtime';
import type { ExecutionPort } from '../core/ports/execution';
import type { MarketDataPort } from '../core/ports/market-data';
import { loadMarketConfig, describeMarketConfig, resolveAlpacaEndpoints, ALPACA_DEFAULT_ENDPOINTS, type CredentialOrigin, type EndpointKey } from './config/market-config';
import { configFromSettings, defaultDeskConfig, stripUndefined, type DeskConfig } from './config/desk-config';

export { configFromSettings, defaultDeskConfig, type DeskConfig, type DeskStreamSettings } from './config/desk-config';
import type {
  AccountWire,
  CommandOutcome,
  DeskEvent,
  DeskSettings,
  DeskSnapshot,
  StreamHealthWire,
  SubscriptionPlanWire,
  UnsequencedEvent,
  VenueEndpointsWire,
  VenueMode,
} from '../shared/contract';
import { parseCommand, PROTOCOL_VERSION } from '../shared/contract';
import { DeskEventBus } from './app/event-bus';
import { createVenue, type VenueFactory, type VenueRun } from './compose';
import { DEFAULT_ACCOUNT_ID, defaultAccount, type Account } from '../core/model/account';
import { buildCommandMap, runCommand, type CommandHandlers } from './app/commands';
import type { ActiveCredentials } from './app/handlers/credentials';


/** The slice of the snapshot a status display reads (see `Desk.status`). */
export type DeskStatus = Pick<DeskSnapshot, 'serverTime' | 'mode' | 'streaming' | 'streams' | 'killSwitch' | 'pnl_snapshot'>;
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
  /** Builds the venue adapter at Start (default: compose.ts `createVenue`, the sim or Alpaca). */
  venues?: VenueFactory;
  /** Where quotes go while the `record_quotes` setting is on (the ledger's `recorded_quotes`). */
  quoteRecorder?: QuoteRecorder;
  /** Accounts held besides the default one (the accounts file: node/config/accounts-file.ts). */
  accounts?: readonly Account[];
  /** Where the held accounts are persisted (the ledger's `accounts` table). */
  accountLedger?: Pick<AccountLedger, 'upsertAccount'>;
}

export type DeskListener = (event: DeskEvent) => void;

/** The desk subscribes one plan: the open positions' symbols first, then the watchlist. */
const PLAN_CONSUMER = 'desk.plan';

export class Desk {
  /** The configuration in force (change it with `applyConfig`). */
  config: DeskConfig;
  /** The one quote cache every consumer shares (P&L tracker, monitors, UI). */
  readonly cache: QuoteCache;
  /** Quote recording for replay (`record_quotes`); null without a ledger. */
  private readonly recording: QuoteRecording | null;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly venues: VenueFactory;
  /** The one event bus: assigns `seq`; the history and the transports subscribe to it. */
  private readonly bus: DeskEventBus;
  /** The default account's runtime: its venue (market-data + execution ports) while running, its start error and health records. */
  private readonly main = new AccountRuntime(DEFAULT_ACCOUNT_ID);
  /** Every held account's runtime, the default account's first (docs/venues-and-accounts.md). */
  private readonly runtimes = new Map<AccountId, AccountRuntime>([[DEFAULT_ACCOUNT_ID, this.main]]);
  /**
   * While streaming, the market-data source of each venue instance name (the venue part of its
   * InstrumentIds): one port per name, the first running account's on it. The quote cache's
   * subscription deltas and the REST refresh go to the source owning each instrument.
   */
  private readonly sources = new Map<string, MarketSource>();
  /** The last plan subscribed for each other source (by name): unchanged plans are not re-subscribed. */
  private readonly otherPlans = new Map<string, string>();
  /** What the venue said about each option contract (GET /v2/options/contracts/{symbol}). */
  private readonly contractStatus = new Map<string, 'active' | 'inactive' | 'unknown'>();
  private readonly contractsChecking = new Set<string>();
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
  private venueIds: VenueInstruments | null = null;
  /** Positions, P&L tracker, portfolio file, settings, history (live-portfolio.ts). */
  readonly live: LivePortfolio;
  /** Symbols the P&L tracker needs (planned together with the watchlist). */
  private readonly demand: SubscriptionDemand;
  /** The node_event of the current stream start: the parent of what streaming does. */
  private streamExec: string | null = null;
  /** Accounts held besides the default one (configured). */
  private readonly configuredAccounts: readonly Account[];
  private readonly accountLedger: Pick<AccountLedger, 'upsertAccount'> | null;

  constructor(deps: DeskDeps) {
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.random = deps.random ?? Math.random;
    this.venues = deps.venues ?? createVenue;
    this.bus = new DeskEventBus(this.logger);
    const fromEnv = deps.env ? loadMarketConfig(deps.env) : null;
    const settingsStore = deps.settings ?? new MemoryDeskSettingsStore();
    const stored = settingsStore.load();
    const explicitAlpaca = deps.config?.alpaca ?? fromEnv?.alpaca;
    // Explicit config (deps.config) wins over the environment, so it is also what is reported.
    this.alpacaKeysFrom = deps.config?.alpaca ? { kind: 'environment', detail: 'the desk configuration given at start' } : fromEnv?.alpacaKeysFrom;
    this.config = {
      ...defaultDeskConfig,
      ...stripUndefined(configFromSettings(stored, explicitAlpaca)),
      ...(fromEnv ? stripUndefined({ ...fromEnv, ...(fromEnv.alpaca ? { alpaca: { ...fromEnv.alpaca, ...configFromSettings(stored, fromEnv.alpaca).alpaca } } : {}) }) : {}),
      ...(deps.config ? stripUndefined(deps.config) : {}),
    } as DeskConfig;
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
    this.recording = deps.quoteRecorder ? new QuoteRecording(deps.quoteRecorder, () => this.config.venue, this.logger) : null;
    this.recording?.setEnabled(initialSettings.record_quotes);
    this.cache.onQuote((q) => {
      if (this.streaming) this.live.quote(q);
      this.recording?.record(q);
    });
    // The shared REST refresh (LTP provider) is a step of the stream's flow on the Events page.
    // The tracker's fallback refreshes every few seconds during a stall: a success is recorded at
    // most once a minute (with how many were folded in), every failure and the first success after
    // one always — so a long stall cannot flush the event history.
    let lastOkNodeAt = Number.NEGATIVE_INFINITY;
    let folded = 0;
    let lastFailed = false;
    this.cache.onEvent((e) => {
      if (e.kind !== 'rest_refresh') return;
      if (e.ok && !lastFailed && e.at - lastOkNodeAt < 60_000) {
        folded++;
        return;
      }
      lastFailed = !e.ok;
      if (e.ok) lastOkNodeAt = e.at;
      const since = folded;
      folded = 0;
      this.live.node({
        parent: this.streamExec,
        node_type: 'RestRefreshNode',
        node_id: 'rest-refresh',
        node_name: 'REST quote refresh',
        action: 'rest_refresh',
        status: e.ok ? 'completed' : 'failed',
        message: e.ok ? `${e.received} of ${e.symbols.length} quotes in ${e.durationMs} ms${since > 0 ? ` (+${since} more refreshes in the last minute)` : ''}` : e.error,
        details: { symbols: e.symbols.slice(0, 50), requested: e.symbols.length, received: e.received, duration_ms: e.durationMs, folded: since },
      });
    });
    // One venue subscription per symbol, however many consumers ask (the cache counts references).
    if (!deps.killSwitchStore) this.logger.info('kill switch state is kept in memory only (no state directory)');
    this.killSwitch = new KillSwitch({ store: deps.killSwitchStore ?? new MemoryKillSwitchStore(), clock: this.clock, logger: this.logger });
    this.killSwitch.onChange((change) => this.onKillSwitchChange(change));
    // The alert monitor reads health from the bus's health_events and publishes its alerts there.
    this.alerts = alertsOnBus(this.bus, this.clock, deps.alerts).monitor;
    this.credentials = deps.credentials ?? null;
    // Each instrument's subscription goes to the market-data source of its venue (by instance name).
    this.cache.onSubscriptionChange((d) => {
      for (const src of this.sources.values()) {
        if (d.removed.length) src.port.unsubscribe(ownSymbols(src.ids, d.removed));
        if (d.added.length) src.port.subscribe(ownSymbols(src.ids, d.added));
      }
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
      streamer: () => this.streamerProbe(),
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
      ...(deps.pnlSampleSink ? { sampleSink: deps.pnlSampleSink } : {}),
    });
    this.live.init();
    this.configuredAccounts = deps.accounts ?? [];
    for (const a of this.configuredAccounts) this.runtimes.set(a.id, new AccountRuntime(a.id));
    this.accountLedger = deps.accountLedger ?? null;
    this.persistAccounts();
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
      killSwitch: this.killSwitch,
      credentials: {
        vault: this.credentials,
        alpacaInPlay: () => this.config.venue === 'alpaca' || this.config.alpaca !== undefined,
        activeAlpacaCredentials: () => this.activeAlpacaCredentials(),
      },
      session: {
        logger: this.logger,
        venue: () => this.config.venue,
        accountVenue: (id) => this.configuredAccounts.find((a) => a.id === id)?.venue ?? null,
        hasRunningVenue: (id) => this.streaming && (this.runtimes.get(id)?.venue ?? null) !== null,
        noteReauthenticateRequested: (id) => {
          const whose = id === DEFAULT_ACCOUNT_ID ? '' : ` of account ${id}`;
          this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: 'venue', node_name: `Venue ${this.config.venue}`, action: 'reauthenticate', status: 'started', message: `the user asked to re-authenticate${whose}` });
        },
        reauthenticate: (id) => this.reauthenticate(undefined, id),
      },
      accounts: { list: () => this.accountsWire() },
    });
  }

  /**
   * A fill from the venue's trade updates (or a test): FIFO → fill_event, node_event, position_event(s).
   * `account`: another held account's fill — its own position, valued from its venue's quotes.
   */
  applyFill(input: FillInput, meta: Omit<FillContext, 'account' | 'venue'> & { account?: AccountId } = {}): { ok: boolean; reason?: string } {
    const { account, ...context } = meta;
    if (account === undefined || account === DEFAULT_ACCOUNT_ID) return this.live.applyFill(input, context);
    const held = this.configuredAccounts.find((a) => a.id === account);
    if (!held) return { ok: false, reason: `fill ${input.fill_id}: the desk holds no account ${account}` };
    return this.live.applyFill(input, { ...context, account, venue: venueNameOf(held) });
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
    return this.main.venue?.execution ?? null;
  }

  /** The running market-data port (null before Start / after Stop). */
  get activeMarketData(): MarketDataPort | null {
    return this.main.venue?.marketData ?? null;
  }

  /** The embedded simulated venue while streaming with venue `sim` (tests inject faults through it). */
  get simServer(): SimVenueServer | null {
    return this.main.venue?.sim ?? null;
  }

  /** A held account's running venue (its ports and, for `sim`, its server); null when not running. */
  accountVenue(id: AccountId): VenueRun | null {
    return this.runtimes.get(id)?.venue ?? null;
  }

  /** Symbol → InstrumentId at the configured venue (the venue instance name; interned once per symbol). */
  private ids(): VenueInstruments {
    if (this.venueIds?.venue !== this.config.venue) this.venueIds = new VenueInstruments(this.config.venue);
    return this.venueIds;
  }

  /** The running venue's own symbols of these instruments (another venue's instruments are not its to subscribe). */
  private venueSymbols(instruments: readonly InstrumentId[]): string[] {
    const own = this.ids();
    return instruments.filter((i) => own.owns(i)).map(instrumentSymbol);
  }

  /** The symbols at this desk's venue the P&L tracker needs (planned together with the watchlist). */
  private trackerSymbols(): string[] {
    return this.venueSymbols(this.demand.instruments);
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
    if (accountNow.venue !== accountBefore.venue || accountNow.mode !== accountBefore.mode) this.persistAccounts(accountNow);
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
    await this.runtimes.get(account)?.venue?.execution.reauthenticate(credentials);
    this.emitHealth();
  }

  /** Starts streaming. Idempotent. Nothing touches the network before this. */
  start(): Promise<void> {
    if (this.disposed) throw new Error('desk is disposed');
    if (this.streaming) return this.lifecycle;
    this.streaming = true;
    for (const r of this.runtimes.values()) r.clearError();
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

  /** Stops everything and drops listeners; the desk cannot be restarted afterwards. */
  dispose(): Promise<void> {
    const done = this.stop();
    this.live.dispose();
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
    const keys: EndpointKey[] = ['tradingRest', 'tradingStream', 'dataRest', 'dataStream'];
    if (this.config.venue === 'sim') {
      const urls = this.main.venue?.sim?.urls() ?? null;
      return {
        venue: 'sim',
        env: null,
        env_source: null,
        endpoints: keys.map((key) => ({ key, url: urls ? urls[key] : null, source: urls ? 'the embedded simulated venue on 127.0.0.1' : 'the embedded simulated venue (port chosen at Start)' })),
        error: null,
      };
    }
    const a = this.config.alpaca;
    if (!a) return { venue: 'alpaca', env: null, env_source: null, endpoints: keys.map((key) => ({ key, url: null, source: 'no Alpaca credentials configured' })), error: null };
    let urls: AlpacaUrls = ALPACA_DEFAULT_ENDPOINTS[a.env];
    let error: string | null = null;
    try {
      urls = resolveAlpacaEndpoints(a);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    return {
      venue: 'alpaca',
      env: a.env,
      env_source: a.envSource ?? 'default',
      endpoints: keys.map((key) => ({ key, url: urls[key], source: a.urlSources?.[key] ?? `Alpaca's ${a.env} default` })),
      error,
    };
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

  private onKillSwitchChange(change: KillSwitchChange): void {
    this.emit({
      type: 'killswitch_event',
      serverTime: change.at,
      killSwitch: this.killSwitch.view(),
      change: { account: change.account, from: change.from, to: change.to, reason: change.reason, rearm: change.rearm },
    });
    const scope = change.account === ALL_ACCOUNTS ? 'all accounts' : `account ${change.account}`;
    const what: Record<KillSwitchLevel, string> = { halted: 'halted', reducing: 'reducing only', active: 'active' };
    this.alerts.raise({
      severity: change.to === 'halted' ? 'critical' : 'warning',
      kind: 'kill_switch',
      subject: change.account,
      title: change.rearm ? `Automation re-armed: ${scope} ${what[change.to]}` : `Automation ${what[change.to]}: ${scope}`,
      body: change.reason,
    });
  }

  /**
   * The accounts the desk holds: the default account (derived from the configured venue) first,
   * then the configured ones. Every one runs while streaming.
   */
  accounts(): readonly Account[] {
    return [this.defaultAccount(), ...this.configuredAccounts];
  }

  /** Each held account with its session (execution port) and kill switch level: `accounts.list`. */
  private accountsWire(): AccountWire[] {
    return this.accounts().map((a) => {
      const rt = this.runtimes.get(a.id);
      const running = rt && rt.venue !== null ? rt : null;
      return {
        id: a.id,
        label: a.label,
        venue: a.venue,
        venue_name: a.venueName ?? a.venue,
        mode: a.mode,
        credentials: a.credentialsRef?.venue ?? null,
        is_default: a.id === DEFAULT_ACCOUNT_ID,
        running: running !== null,
        session: running ? running.session() : null,
        kill_switch: this.killSwitch.levelOf(a.id),
      };
    });
  }

  /** Writes the held accounts to the ledger's `accounts` table (a failure is logged; the ledger reports its own health). */
  private persistAccounts(only?: Account): void {
    if (!this.accountLedger) return;
    for (const a of only ? [only] : this.accounts()) {
      try {
        this.accountLedger.upsertAccount({ accountId: a.id, venue: a.venue, label: a.label, mode: ledgerMode(a.mode) }, this.clock.now());
      } catch (err) {
        this.logger.warn('account not recorded in the ledger', { account: a.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private defaultAccount(): Account {
    return defaultAccount(this.config.venue, this.config.alpaca?.env ?? null);
  }

  private mode(): VenueMode {
    return this.defaultAccount().mode;
  }

  private async doStart(): Promise<void> {
    if (!this.streaming) return; // stopped again before we got here
    // The alpaca branch needs the keys in use; the sim has its own (asked only for alpaca, as before).
    const active = this.config.venue === 'sim' ? null : this.activeAlpacaCredentials();
    const account = this.defaultAccount();
    const runtime = await this.venues({ account, config: this.config, mode: account.mode, alpacaCredentials: active, clock: this.clock, logger: this.logger, random: this.random });
    this.main.attach(runtime);
    const { marketData, execution } = runtime;
    this.listenVenue(account, runtime);
    // The per-symbol minimum interval stays under the stale threshold, or a REST-fed quote would go
    // stale before it may be refreshed again (the tracker's fallback asks before the threshold).
    this.ltpProvider = new LtpProvider({
      cache: this.cache,
      clock: this.clock,
      // Under the `last` policy the mark is the last trade: the refresh asks for latest trades too.
      fetchLatest: (instruments) => this.latestQuotes(instruments),
      minSymbolIntervalMs: () => Math.min(2000, Math.floor(this.config.staleAfterMs / 2)),
    });
    this.replan();
    marketData.subscribe(this.venueSymbols(this.cache.subscribedInstruments()));
    await marketData.start();
    await execution.start();
    // Every other held account runs alongside: its own venue from the registry; one failing to start
    // is that account's error row, the others stream on.
    await Promise.all(this.configuredAccounts.map((a) => this.startAccount(a)));
    this.replanOthers();
    const quietSince = this.clock.now();
    this.healthTimer = this.clock.setInterval(() => {
      // Contracts still without any quote a stale-threshold after Start are asked about (one REST
      // call each, only for those: a healthy portfolio costs no calls).
      if (this.lastPlan && this.clock.now() - quietSince > this.cache.staleAfterMs) this.checkContracts(this.lastPlan.options.filter((s) => { const id = this.ids().tryOf(s); return id === null || this.cache.get(id) === undefined; }));
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
    this.sources.clear();
    const now = this.clock.now();
    const venues = [...this.runtimes.values()].map((r) => r.detach(now));
    await Promise.all(venues.map((v) => v?.dispose()));
    this.logger.info('streaming stopped');
    if (!this.disposed) this.emitHealth();
  }

  private async onStartFailed(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.main.failed(message, this.clock.now());
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
    if (this.sources.size > 1) this.replanOthers();
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
   * Asks the venue once per option contract whether it lists it (a contract it does not know gets
   * no quotes: the desk flags it as unlisted instead of stale). Called for contracts that received
   * no quote at all; off the quote path; a failed check is logged and retried at the next round.
   */
  private checkContracts(options: readonly string[]): void {
    const marketData = this.main.venue?.marketData;
    const todo = options.filter((s) => !this.contractStatus.has(s) && !this.contractsChecking.has(s));
    if (!marketData || todo.length === 0) return;
    for (const s of todo) this.contractsChecking.add(s);
    marketData
      .optionContractStatus(todo)
      .then((m) => {
        for (const [s, st] of m) this.contractStatus.set(s, st);
        const unlisted = [...this.contractStatus].filter(([, st]) => st !== 'active').map(([s]) => s);
        if (unlisted.length > 0) this.logger.warn('option contracts the venue does not list', { symbols: unlisted.slice(0, 20) });
        this.live.tracker.setUnlistedContracts(unlisted);
        this.emitHealth();
      })
      .catch((err: unknown) => this.logger.warn('option contract check failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        for (const s of todo) this.contractsChecking.delete(s);
      });
  }

  /** trade_updates: the order table always; a fill (or partial fill) goes through the FIFO engine. */
  private onOrderUpdate(account: Account, u: OrderUpdate): void {
    const o = u.order;
    const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
    const time = u.timestamp ?? u.receivedAt;
    // Order and execution ids are the venue's: another account's are prefixed with its id, so two
    // venues numbering alike (two simulators) cannot collide in the orders table or the fill ids.
    const own = account.id === DEFAULT_ACCOUNT_ID;
    const orderId = own ? o.id : `${account.id}:${o.id}`;
    if (side) {
      this.live.applyOrderUpdate({
        order_id: orderId,
        client_order_id: o.clientOrderId || null,
        symbol: o.symbol,
        side,
        event: u.event,
        status: wireOrderStatus(o.status),
        quantity: o.qty ?? '0',
        filled_quantity: o.filledQty,
        limit_price: o.limitPrice,
        avg_fill_price: o.filledAvgPrice,
        time,
      });
    }
    if ((u.event === 'fill' || u.event === 'partial_fill') && side && u.price !== null && u.qty !== null) {
      // Venue positions are per account and symbol: one position id per symbol (`venue:<symbol>` for the
      // default account, `<account>:<symbol>` for another, valued from its venue's quotes), re-entries
      // numbered by the FIFO engine.
      const venueFillId = u.executionId ?? `${o.id}:${o.filledQty}`;
      const r = this.live.applyFill(
        { fill_id: own ? venueFillId : `${account.id}:${venueFillId}`, position_id: own ? `venue:${o.symbol}` : `${account.id}:${o.symbol}`, symbol: o.symbol, side, quantity: u.qty, price: u.price, time },
        {
          order_id: orderId,
          origin: 'venue',
          executionId: this.streamExec,
          trigger: o.clientOrderId ? `order ${o.clientOrderId}` : `order ${o.id}`,
          ...(own ? {} : { account: account.id, venue: venueNameOf(account) }),
        },
      );
      if (!r.ok) this.logger.warn('venue fill not applied', { account: account.id, order: o.id, reason: r.reason });
    }
  }

  /**
   * Listens to an account's venue: its execution port always (order updates are this account's), its
   * market data when it is the first source of its venue name (one port per name feeds the cache).
   */
  private listenVenue(account: Account, venue: VenueRun): void {
    const { marketData, execution } = venue;
    if (!this.sources.has(marketData.name)) {
      const ids = marketData.name === this.config.venue ? this.ids() : new VenueInstruments(marketData.name);
      this.sources.set(marketData.name, { port: marketData, ids, account });
      marketData.listen({
        quote: (t) => this.cache.applyQuote(t),
        trade: (t) => this.cache.applyTrade(t),
        health: () => this.emitHealth(),
      });
    }
    execution.listen({
      orderUpdate: (u) => this.onOrderUpdate(account, u),
      health: () => this.emitHealth(),
      session: (state: VenueSessionState, reason) => {
        if (state === 'session_needed') this.logger.warn('venue session needed', { account: account.id, reason });
        this.emitHealth();
      },
    });
  }

  /** Builds (through the registry), attaches and starts another held account's venue; a failure is that account's error. */
  private async startAccount(account: Account): Promise<void> {
    const runtime = this.runtimes.get(account.id);
    if (!runtime || !this.streaming) return;
    let venue: VenueRun | null = null;
    try {
      const keys = account.venue === 'alpaca' ? this.activeAlpacaCredentials() : null;
      venue = await this.venues({ account, config: this.config, mode: account.mode, alpacaCredentials: keys, clock: this.clock, logger: this.logger, random: this.random });
      runtime.attach(venue);
      const source = !this.sources.has(venue.marketData.name);
      this.listenVenue(account, venue);
      if (source) {
        venue.marketData.subscribe(ownSymbols(this.sources.get(venue.marketData.name)!.ids, this.cache.subscribedInstruments()));
        await venue.marketData.start();
      }
      await venue.execution.start();
      this.logger.info('account streaming', { account: account.id, venue: venue.marketData.name });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error('account failed to start', { account: account.id, message });
      this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: `venue:${account.id}`, node_name: `Venue ${venueNameOf(account)} (account ${account.id})`, action: 'venue_connect', status: 'failed', message });
      if (venue) {
        if (this.sources.get(venue.marketData.name)?.port === venue.marketData) this.sources.delete(venue.marketData.name);
        runtime.detach(this.clock.now());
        await venue.dispose().catch((e: unknown) => this.logger.warn('account venue did not stop cleanly', { account: account.id, error: e instanceof Error ? e.message : String(e) }));
      }
      runtime.failed(message, this.clock.now());
    }
  }

  /**
   * The plan of every source besides the default account's venue: its watchlist (the configured one,
   * else the venue's default) with the instruments of its venue the P&L tracker needs first.
   */
  private replanOthers(): void {
    if (!this.streaming) return;
    for (const [name, src] of this.sources) {
      if (name === this.config.venue) continue;
      const watchlist = this.config.watchlist ?? this.watchlistOf(src.account);
      const plan = planSubscriptions(
        [...ownSymbols(src.ids, this.demand.instruments), ...watchlist].map((symbol) => ({ symbol })),
        { maxOptionContracts: this.config.maxOptionContracts, includeUnderlyings: false },
      );
      const symbols = [...plan.stocks, ...plan.options];
      const key = symbols.join(',');
      if (this.otherPlans.get(name) === key) continue;
      this.otherPlans.set(name, key);
      for (const w of plan.warnings) this.logger.warn('subscription plan', { venue: name, warning: w });
      this.cache.replaceSubscriptions(`${PLAN_CONSUMER}:${name}`, symbols.map((s) => src.ids.tryOf(s)).filter((i): i is InstrumentId => i !== null));
    }
  }

  /** The latest quotes of these instruments, each asked of its venue's source (one request per source). */
  private async latestQuotes(instruments: readonly InstrumentId[]): Promise<Quote[]> {
    const trades = this.cache.markPolicy === 'last';
    const asks: Promise<Quote[]>[] = [];
    for (const src of this.sources.values()) {
      const symbols = ownSymbols(src.ids, instruments);
      if (symbols.length > 0 || this.sources.size === 1) asks.push(src.port.latestQuotes(symbols, { trades }));
    }
    if (asks.length === 1) return asks[0]!;
    const settled = await Promise.allSettled(asks);
    const got = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // One venue's failure leaves its quotes unrefreshed; only when every venue failed is the refresh a failure.
    if (failed && got.length === 0) throw failed.reason;
    return got;
  }

  private streamerProbe(): StreamerProbe {
    if (!this.streaming) return { state: 'stopped', streaming: false };
    // The default account's channels and those of every other account running (one that failed to start streams nothing to value).
    const now = this.clock.now();
    const rows = [...this.runtimes.values()].flatMap((r) => (r === this.main || r.venue !== null ? r.rows(now) : []));
    const data = rows.filter((s) => s.name === 'stocks' || s.name === 'options' || s.name === 'rest');
    const has = (st: StreamHealthWire['state']) => data.some((s) => s.state === st);
    const state = has('session_needed')
      ? 'session_needed'
      : has('error')
        ? 'error'
        : data.every((s) => s.state === 'running')
          ? 'running'
          : has('reconnecting')
            ? 'degraded'
            : 'connecting';
    return { state, streaming: true };
  }

  private defaultWatchlist(): string[] {
    if (this.config.venue === 'sim') return new SimMarketModel(this.config.seed, this.clock.now()).symbols;
    return ['SPY', 'AAPL', 'QQQ'];
  }

  /** Another account's default watchlist: its simulated venue's universe (its own seed), else the stock trio. */
  private watchlistOf(account: Account): string[] {
    if (account.venue === 'sim') return new SimMarketModel(accountSimSeed(account.id, account.id === DEFAULT_ACCOUNT_ID, this.config.seed), this.clock.now()).symbols;
    return ['SPY', 'AAPL', 'QQQ'];
  }

  private streams(): StreamHealthWire[] {
    const now = this.clock.now();
    const streams = [...this.runtimes.values()].flatMap((r) => r.rows(now));
    // The local ledger is a channel too: while it cannot write, it is a row saying what is not recorded.
    if (this.ledgerProblem !== null) {
      streams.push({ name: 'ledger', state: 'error', lastError: this.ledgerProblem, reconnectAttempts: 0, lastEventAt: null, queueDepth: 0, droppedEvents: 0, subscriptions: 0, liveness: 'heartbeat' });
    }
    return streams;
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

const ORDER_STATUSES: readonly WireOrderStatus[] = ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired', 'replaced'];

/** The venue's order status on the wire; pending_* and venue-specific states are `unknown`. */
function wireOrderStatus(status: string): WireOrderStatus {
  if (status === 'pending_new') return 'new';
  return (ORDER_STATUSES as readonly string[]).includes(status) ? (status as WireOrderStatus) : 'unknown';
}

/** A market-data source: the port of one venue instance name, its symbol interning, the account it came with. */
interface MarketSource {
  port: MarketDataPort;
  ids: VenueInstruments;
  account: Account;
}

/** The venue instance name of an account's market data (the venue part of its InstrumentIds). */
function venueNameOf(account: Account): string {
  return account.venueName ?? account.venue;
}

/** The source's own symbols of these instruments (another venue's instruments are not its to subscribe). */
function ownSymbols(ids: VenueInstruments, instruments: readonly InstrumentId[]): string[] {
  return instruments.filter((i) => ids.owns(i)).map(instrumentSymbol);
}

/** The ledger's spelling of an account's mode. */
function ledgerMode(mode: VenueMode): TradingMode {
  return mode === 'SIM' ? 'sim' : mode === 'PAPER' ? 'paper' : 'live';
}

export function createDesk(deps: DeskDeps): Desk {
  return new Desk(deps);
}
