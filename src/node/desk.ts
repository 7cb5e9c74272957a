/**
 * The running desk: core + adapters wired from configuration. Both composition roots (Electron
 * main and the headless server) build it through `createDesk`, so they run the same code.
 *
 * Default run (venue `sim`): Start launches the simulated venue server on 127.0.0.1 (ephemeral
 * port) → the real Alpaca adapter connects to it over real sockets → stream managers → the shared
 * quote cache → coalesced `tick_update` events to the UI. Nothing touches the network before Start;
 * Stop closes every socket and timer.
 *
 * The live-portfolio plane (node/live-portfolio.ts) hangs off the same cache: the active P&L
 * tracker (positions from portfolio.json and the venue's fills), the event history, the P&L curve
 * and the desk settings. Loading the portfolio file is not network I/O: it happens at construction.
 */
import type { Clock, Scheduler, Cancel } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import { QuoteCache } from '../core/market/quote-cache';
import type { MarkPolicy } from '../core/market/mark';
import { LtpProvider } from '../core/market/ltp-provider';
import { planSubscriptions, type SubscriptionPlan } from '../core/market/subscription-planner';
import { lastTickAgeMs, type StreamHealth } from '../core/market/stream-health';
import type { OrderUpdate, VenueSessionState } from '../core/ports/venue';
import type { FillInput } from '../core/pnl/fifo';
import type { StreamerProbe } from '../core/pnl/active-pnl-tracker';
import type { PnlSampleSink } from '../core/ports/pnl-sample-sink';
import type { OrderUpdateStatus as WireOrderStatus, OrderUpdateWire } from '../core/events/types';
import { CommandFailure, LivePortfolio, toQuoteWire, valuationOf, type FillContext } from './live-portfolio';
import { MemoryDeskSettingsStore, type DeskSettingsStore } from './state/desk-settings-file';
import type { FileWatchFactory } from './portfolio-watcher';
import { SimMarketModel } from './venues/sim/model';
import { KillSwitch, ALL_ACCOUNTS, type KillSwitchChange, type KillSwitchLevel } from '../core/risk/kill-switch';
import { MemoryKillSwitchStore, type KillSwitchStore } from '../core/ports/kill-switch-store';
import { AlertMonitor, type AlertMonitorConfig } from '../core/alerts/alert-monitor';
import type { Alert } from '../core/alerts/types';
import { CredentialError, type CredentialVault } from '../core/ports/credential-vault';
import { CREDENTIAL_VENUES, type CredentialsStatus } from '../core/model/credentials';
import { Secret } from '../core/model/secret';
import { SimVenueServer, SIM_CREDENTIALS } from './venues/sim/server';
import { AlpacaVenue, type AlpacaUrls, type StreamTuning } from './venues/alpaca/venue';
import { loadMarketConfig, describeMarketConfig, resolveAlpacaEndpoints, ALPACA_DEFAULT_ENDPOINTS, type AlpacaSettings, type CredentialOrigin, type EndpointKey } from './config/market-config';
import type {
  CommandName,
  CommandOutcome,
  CommandPayload,
  CommandResult,
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


/** The slice of the snapshot a status display reads (see `Desk.status`). */
export type DeskStatus = Pick<DeskSnapshot, 'serverTime' | 'mode' | 'streaming' | 'streams' | 'killSwitch' | 'pnl_snapshot'>;
export interface DeskStreamSettings {
  dataTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  connectionLimitWindowMs?: number;
  queueCapacity?: number;
  pingIntervalMs?: number;
}

export interface DeskConfig {
  venue: 'sim' | 'alpaca';
  seed: number;
  /** How often the simulated venue publishes a batch of quotes. */
  simIntervalMs: number;
  /** Port of the embedded sim venue on 127.0.0.1 (0 = ephemeral, the default). */
  simPort?: number;
  /** Minimum spacing of tick_update events to the UI (50 ms → at most 20 per second). */
  tickCoalesceMs: number;
  /** Quotes older than this are stale (per venue; spec default 5 s). */
  staleAfterMs: number;
  markPolicy: MarkPolicy;
  /** Planner limit on option contracts (spec default 250). */
  maxOptionContracts: number;
  /** Symbols streamed from Start (until a portfolio consumer subscribes its own). Default: the sim's universe. */
  watchlist?: string[];
  /** How often a health_event refreshes ages and counters while streaming. */
  healthIntervalMs: number;
  alpaca?: AlpacaSettings;
  streams?: DeskStreamSettings;
}

export const defaultDeskConfig: DeskConfig = {
  venue: 'sim',
  seed: 42,
  simIntervalMs: 250,
  tickCoalesceMs: 50,
  staleAfterMs: 5000,
  markPolicy: 'mid',
  maxOptionContracts: 250,
  healthIntervalMs: 1000,
};

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
}

export type DeskListener = (event: DeskEvent) => void;

const STREAM_NAMES = ['stocks', 'options', 'trade_updates'] as const;
/** The desk subscribes one plan: the open positions' symbols first, then the watchlist. */
const PLAN_CONSUMER = 'desk.plan';

/** The desk settings as configuration (venue credentials stay where they came from: env or vault). */
function configFromSettings(s: DeskSettings, alpaca: AlpacaSettings | undefined): Partial<DeskConfig> {
  return {
    venue: s.venue,
    staleAfterMs: Math.round(s.stale_after_sec * 1000),
    markPolicy: s.mark_policy,
    maxOptionContracts: s.max_option_contracts,
    ...(alpaca ? { alpaca: { ...alpaca, env: s.alpaca.env, stockFeed: s.alpaca.stock_feed, optionFeed: s.alpaca.option_feed } } : {}),
  };
}

export class Desk {
  /** The configuration in force (change it with `applyConfig`). */
  config: DeskConfig;
  /** The one quote cache every consumer shares (P&L tracker, monitors, UI). */
  readonly cache: QuoteCache;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly listeners = new Set<DeskListener>();
  private venue: AlpacaVenue | null = null;
  /** What the venue said about each option contract (GET /v2/options/contracts/{symbol}). */
  private readonly contractStatus = new Map<string, 'active' | 'inactive' | 'unknown'>();
  private readonly contractsChecking = new Set<string>();
  private sim: SimVenueServer | null = null;
  private ltpProvider: LtpProvider | null = null;
  private healthTimer: Cancel | null = null;
  private ledgerProblem: string | null = null;
  private readonly alpacaKeysFrom: CredentialOrigin | undefined;
  private lifecycle: Promise<void> = Promise.resolve();
  private seq = 0;
  private streaming = false;
  private disposed = false;
  /** The graded kill switch (spec §2); the strategy runtime will ask it before every order. */
  readonly killSwitch: KillSwitch;
  /** Critical-transition alerts, and hooks for the strategy runtime (entrySucceeded, forcedExit, …). */
  readonly alerts: AlertMonitor;
  private readonly credentials: CredentialVault | null;
  private startError: string | null = null;
  private startErrorAt: number | null = null;
  /** The last known health of each stream, kept across Stop (state aside). */
  private readonly lastKnown = new Map<string, StreamHealthWire>();
  /** Reconnects of earlier runs today, per stream (cumulative for the day). */
  private reconnectDay: { day: string; base: Map<string, number> } = { day: '', base: new Map() };
  private lastPlan: SubscriptionPlan | null = null;
  /** Positions, P&L tracker, portfolio file, settings, history (live-portfolio.ts). */
  readonly live: LivePortfolio;
  /** Symbols the P&L tracker needs (planned together with the watchlist). */
  private trackerSymbols: readonly string[] = [];
  /** The node_event of the current stream start: the parent of what streaming does. */
  private streamExec: string | null = null;

  constructor(deps: DeskDeps) {
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.random = deps.random ?? Math.random;
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
    this.cache.onQuote((q) => {
      if (this.streaming) this.live.quote(q);
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
    // Feed alerts watch the venue's channels only (the ledger row raises its own alert).
    this.alerts = new AlertMonitor(this.clock, () => ({ streaming: this.streaming, streams: this.streams().filter((x) => x.name !== 'ledger') }), (a) => this.emitAlert(a), deps.alerts);
    this.credentials = deps.credentials ?? null;
    this.cache.onSubscriptionChange((d) => {
      if (d.removed.length) this.venue?.unsubscribe(d.removed);
      if (d.added.length) this.venue?.subscribe(d.added);
    });
    this.live = new LivePortfolio({
      clock: this.clock,
      logger: this.logger,
      quotes: this.cache,
      subscriptions: {
        replaceSubscriptions: (_consumer, symbols) => {
          this.trackerSymbols = [...symbols];
          this.replan();
        },
        release: () => {
          this.trackerSymbols = [];
        },
        subscribedSymbols: () => this.cache.subscribedSymbols(),
      },
      streamer: () => this.streamerProbe(),
      emit: (e) => this.emit(e),
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
  }

  /** A fill from the venue's trade updates (or a test): FIFO → fill_event, node_event, position_event(s). */
  applyFill(input: FillInput, meta: FillContext = {}): { ok: boolean; reason?: string } {
    return this.live.applyFill(input, meta);
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

  /** The running venue adapter (null before Start / after Stop). */
  get activeVenue(): AlpacaVenue | null {
    return this.venue;
  }

  /** The embedded simulated venue while streaming with venue `sim` (tests inject faults through it). */
  get simServer(): SimVenueServer | null {
    return this.sim;
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
    this.config = next;
    this.cache.staleAfterMs = next.staleAfterMs;
    this.cache.markPolicy = next.markPolicy;
    this.live.tracker.setValuation({ staleAfterMs: next.staleAfterMs, markPolicy: next.markPolicy });
    if (!changed || !this.streaming) return { restarted: false };
    await this.stop();
    await this.start();
    return { restarted: true };
  }

  /**
   * After `session_needed`: re-authenticate the running venue (optionally with new credentials) and
   * restart its streams — the "one click" of spec §3. A no-op when not streaming.
   */
  async reauthenticate(credentials?: { keyId: string; secretKey: string }): Promise<void> {
    if (credentials && this.config.alpaca) this.config = { ...this.config, alpaca: { ...this.config.alpaca, ...credentials } };
    await this.venue?.reauthenticate(credentials);
    this.emitHealth();
  }

  /** Starts streaming. Idempotent. Nothing touches the network before this. */
  start(): Promise<void> {
    if (this.disposed) throw new Error('desk is disposed');
    if (this.streaming) return this.lifecycle;
    this.streaming = true;
    this.startError = null;
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
    this.alerts.start();
    this.live.startStreaming(this.streamExec);
    this.emitHealth();
    this.lifecycle = this.lifecycle.then(() => this.doStart()).catch((err: unknown) => this.onStartFailed(err));
    return this.lifecycle;
  }

  /** Stops streaming: every socket and timer is closed when the returned promise resolves. Idempotent. */
  stop(): Promise<void> {
    if (!this.streaming) return this.lifecycle;
    this.streaming = false;
    this.alerts.stop();
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
    this.listeners.clear();
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
      const urls = this.sim?.urls() ?? null;
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
    const snapshot = this.snapshot();
    return { type: 'snapshot', seq: this.seq, serverTime: snapshot.serverTime, snapshot };
  }

  /** The seq of the last event emitted: a snapshot taken now reflects every event up to it. */
  get lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: DeskListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Validates and runs a command from a transport. Never throws. */
  async handle(name: unknown, payload: unknown): Promise<CommandOutcome> {
    const parsed = parseCommand(name, payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      return { ok: true, result: await this.run(parsed.name, parsed.payload) };
    } catch (err) {
      if (err instanceof CommandFailure) return { ok: false, error: err.error };
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error('command failed', { name: parsed.name, message });
      return { ok: false, error: { code: 'failed', message } };
    }
  }

  private run(name: CommandName, payload: unknown): CommandResult<CommandName> | Promise<CommandResult<CommandName>> {
    switch (name) {
      case 'snapshot.get':
        return this.snapshot();
      case 'stream.start':
        void this.start();
        return { streaming: this.streaming };
      case 'stream.stop':
        void this.stop();
        return { streaming: this.streaming };
      case 'killswitch.get':
        return this.killSwitch.view();
      case 'killswitch.set': {
        const p = payload as CommandPayload<'killswitch.set'>;
        const r = this.killSwitch.set(p.account, p.level, { reason: p.reason, rearm: p.rearm });
        return { killSwitch: r.view, changed: r.change !== null, persisted: r.persisted };
      }
      case 'credentials.status':
        return this.credentialsStatus();
      case 'credentials.save': {
        const p = payload as CommandPayload<'credentials.save'>;
        // Wrapped at once: from here on the values only exist as Secrets (never logged or echoed).
        const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, new Secret(v as string)]));
        return this.vault().save(p.venue, fields, { allowPlaintext: p.allowPlaintext === true });
      }
      case 'credentials.clear':
        return this.vault().clear((payload as CommandPayload<'credentials.clear'>).venue);
      case 'session.reauthenticate': {
        const p = payload as CommandPayload<'session.reauthenticate'>;
        if (p.venue !== undefined && p.venue !== this.config.venue) {
          throw new CommandFailure({ code: 'failed', message: `cannot re-authenticate ${p.venue}: the desk streams from ${this.config.venue}` });
        }
        if (!this.streaming || !this.venue) return { reauthenticating: false, venue: this.config.venue };
        this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: 'venue', node_name: `Venue ${this.config.venue}`, action: 'reauthenticate', status: 'started', message: 'the user asked to re-authenticate' });
        void this.reauthenticate().catch((err: unknown) => this.logger.error('re-authentication failed', { message: err instanceof Error ? err.message : String(err) }));
        return { reauthenticating: true, venue: this.config.venue };
      }
      case 'stream.restart':
        if (this.streaming) void this.stop();
        void this.start();
        return { streaming: this.streaming };
      case 'portfolio.load':
        return this.live.loadPortfolioCommand((payload as CommandPayload<'portfolio.load'>).path);
      case 'portfolio.reload':
        return this.live.reloadPortfolio();
      case 'settings.get':
        return this.live.getSettings();
      case 'settings.set': {
        const r = this.live.setSettings(payload as CommandPayload<'settings.set'>, this.streaming);
        // Venue settings restart a running stream (applyConfig decides; thresholds apply at once).
        void this.applyConfig(configFromSettings(r.settings, this.config.alpaca));
        return r;
      }
    }
  }

  /**
   * The one answer to "which Alpaca keys are in use, and from where": the configuration's keys
   * (APCA_* environment variables or the LIVE_DESK_CONFIG file) win; otherwise the vault's.
   * Used both to start the venue and to report the credentials status, so the two cannot disagree.
   */
  private activeAlpacaCredentials(): { keyId: string; secretKey: string; from: { kind: 'environment' | 'file' | 'vault'; detail: string } } | null {
    const a = this.config.alpaca;
    if (a) return { keyId: a.keyId, secretKey: a.secretKey, from: this.alpacaKeysFrom ?? { kind: 'environment', detail: 'the desk configuration given at start' } };
    const stored = this.credentials?.get('alpaca') ?? null;
    if (stored) return { keyId: stored.keyId.reveal(), secretKey: stored.secretKey.reveal(), from: { kind: 'vault', detail: 'the credential store' } };
    return null;
  }

  private credentialsStatus(): CredentialsStatus {
    const active = this.config.venue === 'alpaca' || this.config.alpaca ? this.activeAlpacaCredentials() : null;
    if (!this.credentials && !active) return this.vault().status(); // says there is no credential store
    const base: CredentialsStatus = this.credentials
      ? this.credentials.status()
      : { source: 'none', writable: false, keychainAvailable: false, detail: 'no credential store is configured for this desk', venues: CREDENTIAL_VENUES.map((venue) => ({ venue, stored: false, protection: null, savedAt: null })) };
    if (!active || active.from.kind === 'vault') return base;
    const kind = active.from.kind;
    return {
      ...base,
      source: base.source === 'none' ? kind : base.source,
      detail: `Alpaca keys in use: ${active.from.detail}${base.source === 'none' ? '' : ` (they take precedence; also configured: ${base.detail})`}`,
      venues: base.venues.map((v) => (v.venue === 'alpaca' ? { ...v, stored: true, protection: kind } : v)),
    };
  }

  private vault(): CredentialVault {
    if (!this.credentials) throw new CredentialError('no credential store is configured for this desk');
    return this.credentials;
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

  private emitAlert(a: Alert): void {
    this.emit({ type: 'alert', serverTime: a.serverTime, id: a.id, severity: a.severity, kind: a.kind, title: a.title, body: a.body, subject: a.subject });
  }

  private mode(): VenueMode {
    if (this.config.venue === 'sim') return 'SIM';
    return this.config.alpaca?.env === 'live' ? 'LIVE' : 'PAPER';
  }

  private async doStart(): Promise<void> {
    if (!this.streaming) return; // stopped again before we got here
    let urls: AlpacaUrls;
    let credentials = SIM_CREDENTIALS;
    if (this.config.venue === 'sim') {
      this.sim = new SimVenueServer({ seed: this.config.seed, clock: this.clock, logger: this.logger, intervalMs: this.config.simIntervalMs, port: this.config.simPort ?? 0 });
      urls = await this.sim.start();
      this.logger.info('simulated venue listening', { url: urls.tradingRest, admin: `${urls.tradingRest}/__sim/fault` });
    } else {
      const a = this.config.alpaca;
      const active = this.activeAlpacaCredentials();
      if (!a || !active) throw new Error('venue "alpaca" is selected but has no credentials (set APCA_API_KEY_ID and APCA_API_SECRET_KEY)');
      urls = resolveAlpacaEndpoints(a);
      credentials = { keyId: active.keyId, secretKey: active.secretKey };
    }
    const s = this.config.streams ?? {};
    const tuning: StreamTuning = {
      backoff: { baseMs: s.backoffBaseMs ?? 1000, capMs: s.backoffCapMs ?? 30_000 },
      dataTimeoutMs: s.dataTimeoutMs ?? (this.config.venue === 'sim' ? 15_000 : 60_000),
      ...(s.connectionLimitWindowMs !== undefined ? { connectionLimitWindowMs: s.connectionLimitWindowMs } : {}),
      ...(s.queueCapacity !== undefined ? { queueCapacity: s.queueCapacity } : {}),
      ...(s.pingIntervalMs !== undefined ? { pingIntervalMs: s.pingIntervalMs } : {}),
    };
    const venue = new AlpacaVenue(
      {
        name: this.config.venue,
        mode: this.mode(),
        credentials,
        urls,
        stockFeed: this.config.alpaca?.stockFeed ?? 'iex',
        optionFeed: this.config.alpaca?.optionFeed ?? 'indicative',
        tradeUpdatesAuth: this.config.alpaca?.tradeUpdatesAuth ?? 'legacy',
        stockEncoding: this.config.alpaca?.stockEncoding ?? 'json',
        // The sim prints option trades too, so `last` is shown; Alpaca's option trade limits are UNCONFIRMED.
        optionChannels: this.config.venue === 'sim' ? ['quotes', 'trades'] : ['quotes'],
        tuning,
        tradeUpdatesTuning: { ...tuning, dataTimeoutMs: 0 },
        ...(this.config.alpaca?.restRequestsPerMinute ? { restRequestsPerMinute: this.config.alpaca.restRequestsPerMinute } : {}),
      },
      { clock: this.clock, logger: this.logger, random: this.random },
    );
    this.venue = venue;
    venue.listen({
      quote: (t) => this.cache.applyQuote(t),
      trade: (t) => this.cache.applyTrade(t),
      orderUpdate: (u) => this.onOrderUpdate(u),
      health: () => this.emitHealth(),
      session: (state: VenueSessionState, reason) => {
        if (state === 'session_needed') this.logger.warn('venue session needed', { reason });
        this.emitHealth();
      },
    });
    // The per-symbol minimum interval stays under the stale threshold, or a REST-fed quote would go
    // stale before it may be refreshed again (the tracker's fallback asks before the threshold).
    this.ltpProvider = new LtpProvider({
      cache: this.cache,
      clock: this.clock,
      // Under the `last` policy the mark is the last trade: the refresh asks for latest trades too.
      fetchLatest: (symbols) => venue.latestQuotes(symbols, { trades: this.cache.markPolicy === 'last' }),
      minSymbolIntervalMs: () => Math.min(2000, Math.floor(this.config.staleAfterMs / 2)),
    });
    this.replan();
    venue.subscribe(this.cache.subscribedSymbols());
    await venue.start();
    const quietSince = this.clock.now();
    this.healthTimer = this.clock.setInterval(() => {
      // Contracts still without any quote a stale-threshold after Start are asked about (one REST
      // call each, only for those: a healthy portfolio costs no calls).
      if (this.lastPlan && this.clock.now() - quietSince > this.cache.staleAfterMs) this.checkContracts(this.lastPlan.options.filter((s) => this.cache.get(s) === undefined));
      this.emitHealth();
    }, this.config.healthIntervalMs);
    this.logger.info('streaming started', { venue: this.config.venue, symbols: this.cache.subscribedSymbols().length });
    this.live.node({
      parent: this.streamExec,
      node_type: 'VenueNode',
      node_id: 'venue',
      node_name: `Venue ${this.config.venue}`,
      action: 'venue_connect',
      status: 'completed',
      message: `connected; ${this.cache.subscribedSymbols().length} symbols subscribed`,
      details: { venue: this.config.venue, symbols: this.cache.subscribedSymbols().length },
    });
    this.emitHealth();
  }

  private async doStop(): Promise<void> {
    this.healthTimer?.();
    this.healthTimer = null;
    this.ltpProvider?.dispose();
    this.ltpProvider = null;
    const venue = this.venue;
    const sim = this.sim;
    this.venue = null;
    this.sim = null;
    if (venue) this.rememberHealth(venue);
    await venue?.dispose();
    await sim?.stop();
    this.logger.info('streaming stopped');
    if (!this.disposed) this.emitHealth();
  }

  private async onStartFailed(err: unknown): Promise<void> {
    this.startError = err instanceof Error ? err.message : String(err);
    this.startErrorAt = this.clock.now();
    this.logger.error('streaming failed to start', { message: this.startError });
    this.live.node({ parent: this.streamExec, node_type: 'VenueNode', node_id: 'venue', node_name: `Venue ${this.config.venue}`, action: 'venue_connect', status: 'failed', message: this.startError });
    // Not streaming after all: release what start() took (tracker listener/timer, alert checks).
    this.live.stopStreaming();
    this.alerts.stop();
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
      [...this.trackerSymbols, ...watchlist].map((symbol) => ({ symbol })),
      { maxOptionContracts: this.config.maxOptionContracts, includeUnderlyings: false },
    );
    const symbols = [...plan.stocks, ...plan.options];
    const before = this.lastPlan ? [...this.lastPlan.stocks, ...this.lastPlan.options] : null;
    this.lastPlan = plan;
    if (before && before.length === symbols.length && before.every((s, i) => s === symbols[i])) return;
    for (const w of plan.warnings) this.logger.warn('subscription plan', { warning: w });
    this.cache.replaceSubscriptions(PLAN_CONSUMER, symbols);
    this.live.node({
      parent: this.streamExec,
      node_type: 'SubscriptionPlanNode',
      node_id: 'subscription-plan',
      node_name: 'Subscription plan',
      action: 'subscription_plan',
      status: plan.warnings.length > 0 ? 'info' : 'completed',
      message: plan.warnings.length > 0 ? plan.warnings.join('; ') : `${plan.stocks.length} stocks, ${plan.options.length} option contracts`,
      details: { stocks: plan.stocks.length, options: plan.options.length, positions: this.trackerSymbols.length, watchlist: watchlist.length, warnings: plan.warnings },
    });
  }

  /**
   * Asks the venue once per option contract whether it lists it (a contract it does not know gets
   * no quotes: the desk flags it as unlisted instead of stale). Called for contracts that received
   * no quote at all; off the quote path; a failed check is logged and retried at the next round.
   */
  private checkContracts(options: readonly string[]): void {
    const venue = this.venue;
    const todo = options.filter((s) => !this.contractStatus.has(s) && !this.contractsChecking.has(s));
    if (!venue || todo.length === 0) return;
    for (const s of todo) this.contractsChecking.add(s);
    venue
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
  private onOrderUpdate(u: OrderUpdate): void {
    const o = u.order;
    const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
    const time = u.timestamp ?? u.receivedAt;
    if (side) {
      this.live.applyOrderUpdate({
        order_id: o.id,
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
      // Venue positions are per symbol: one position id per symbol, re-entries numbered by the FIFO engine.
      const r = this.live.applyFill(
        { fill_id: u.executionId ?? `${o.id}:${o.filledQty}`, position_id: `venue:${o.symbol}`, symbol: o.symbol, side, quantity: u.qty, price: u.price, time },
        { order_id: o.id, origin: 'venue', executionId: this.streamExec, trigger: o.clientOrderId ? `order ${o.clientOrderId}` : `order ${o.id}` },
      );
      if (!r.ok) this.logger.warn('venue fill not applied', { order: o.id, reason: r.reason });
    }
  }

  private streamerProbe(): StreamerProbe {
    if (!this.streaming) return { state: 'stopped', streaming: false };
    const data = this.streams().filter((s) => s.name === 'stocks' || s.name === 'options' || s.name === 'rest');
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

  /** UTC day of `at` ("2026-12-06"): reconnect counts are per day. */
  private static dayOf(at: number): string {
    return new Date(at).toISOString().slice(0, 10);
  }

  /** Reconnects of stopped venues today, per stream (the running venue's own count is added on top). */
  private reconnectsBase(now: number): Map<string, number> {
    const day = Desk.dayOf(now);
    if (this.reconnectDay.day !== day) this.reconnectDay = { day, base: new Map() };
    return this.reconnectDay.base;
  }

  /** Stop keeps what was last known of each stream (last event, last error and its time, counts). */
  private rememberHealth(venue: AlpacaVenue): void {
    const now = this.clock.now();
    const base = this.reconnectsBase(now);
    for (const h of venue.health()) {
      this.lastKnown.set(h.name, this.wireOf(h, now));
      base.set(h.name, (base.get(h.name) ?? 0) + h.reconnects);
    }
    const rest = this.restRow(venue);
    this.lastKnown.set('rest', rest);
  }

  private wireOf(h: StreamHealth, now: number): StreamHealthWire {
    return {
      name: h.name,
      state: h.state,
      lastError: h.lastError,
      lastErrorAt: h.lastErrorAt,
      reconnectAttempts: h.reconnectAttempts,
      reconnects: (this.reconnectsBase(now).get(h.name) ?? 0) + h.reconnects,
      lastEventAt: h.lastEventAt,
      queueDepth: h.queueDepth,
      droppedEvents: h.droppedEvents,
      subscriptions: h.subscriptions,
      subscriptionsConfirmed: h.subscriptionsConfirmed,
      lastTickAt: h.lastTickAt,
      lastTickAgeMs: lastTickAgeMs(h, now),
      malformedFrames: h.malformedFrames,
      nextRetryAt: h.nextRetryAt,
      connectedAt: h.connectedAt,
      liveness: h.liveness,
      lastHeartbeatAt: h.lastHeartbeatAt,
    };
  }

  /**
   * REST is a channel too: `session_needed` only when a REST call itself was refused (HTTP 401, or
   * 403 on a trading read) — streams refused at auth do not make it so. It is quiet by nature (no
   * calls, no events): its liveness is not judged by data.
   */
  private restRow(venue: AlpacaVenue): StreamHealthWire {
    return {
      name: 'rest',
      state: venue.restSessionRefused ? 'session_needed' : 'running',
      lastError: venue.lastRestError,
      lastErrorAt: venue.lastRestErrorAt,
      reconnectAttempts: 0,
      // Every successful REST call (the tracker's fallback refreshes included) is an event of this channel.
      lastEventAt: venue.lastRestOkAt,
      queueDepth: 0,
      droppedEvents: 0,
      subscriptions: 0,
      liveness: 'heartbeat',
    };
  }

  private streams(): StreamHealthWire[] {
    const now = this.clock.now();
    const health: StreamHealth[] = this.venue?.health() ?? [];
    const streams = STREAM_NAMES.map((name): StreamHealthWire => {
      const h = health.find((x) => x.name === name);
      if (h) return this.wireOf(h, now);
      const known = this.lastKnown.get(name);
      if (known) {
        // Stopped: the last known figures stay (what happened before Stop is still true).
        return {
          ...known,
          state: this.startError ? 'error' : 'not_started',
          lastError: this.startError ?? known.lastError,
          lastErrorAt: this.startError ? (this.startErrorAt ?? known.lastErrorAt ?? null) : (known.lastErrorAt ?? null),
          reconnects: this.reconnectsBase(now).get(name) ?? 0,
          reconnectAttempts: 0,
          queueDepth: 0,
          nextRetryAt: null,
          connectedAt: null,
          lastTickAgeMs: known.lastTickAt === null || known.lastTickAt === undefined ? null : now - known.lastTickAt,
        };
      }
      return {
        name,
        state: this.startError ? 'error' : 'not_started',
        lastError: this.startError,
        lastErrorAt: this.startError ? this.startErrorAt : null,
        reconnectAttempts: 0,
        reconnects: this.reconnectsBase(now).get(name) ?? 0,
        lastEventAt: null,
        queueDepth: 0,
        droppedEvents: 0,
        subscriptions: 0,
        liveness: name === 'trade_updates' ? 'heartbeat' : 'data',
      };
    });
    if (this.venue) streams.push(this.restRow(this.venue));
    else {
      const rest = this.lastKnown.get('rest');
      if (rest) streams.push({ ...rest, state: 'not_started' });
    }
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
    this.emit({ type: 'health_event', serverTime: this.clock.now(), streaming: this.streaming, streams: this.streams(), streamer: this.live.tracker.streamerDiagnostics(), plan: this.planWire() });
    this.alerts.check();
  }

  private emit(event: UnsequencedEvent): void {
    this.seq += 1;
    const sequenced = { ...event, seq: this.seq } as DeskEvent;
    // `live` is undefined only while it is being built (its constructor may emit).
    (this.live as LivePortfolio | undefined)?.observe(sequenced);
    for (const listener of this.listeners) {
      try {
        listener(sequenced);
      } catch (err) {
        this.logger.error('event listener failed', { message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

const ORDER_STATUSES: readonly WireOrderStatus[] = ['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired', 'replaced'];

/** The venue's order status on the wire; pending_* and venue-specific states are `unknown`. */
function wireOrderStatus(status: string): WireOrderStatus {
  if (status === 'pending_new') return 'new';
  return (ORDER_STATUSES as readonly string[]).includes(status) ? (status as WireOrderStatus) : 'unknown';
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createDesk(deps: DeskDeps): Desk {
  return new Desk(deps);
}
