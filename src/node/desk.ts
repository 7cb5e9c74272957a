/**
 * The running desk: core + adapters wired from configuration. Both composition roots (Electron
 * main and the headless server) build it through `createDesk`, so they run the same code.
 */
import type { Clock, Scheduler, Cancel } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import { QuoteCache } from '../core/market/quote-cache';
import { SimMarketModel } from './venues/sim/model';
import { KillSwitch, ALL_ACCOUNTS, type KillSwitchChange, type KillSwitchLevel } from '../core/risk/kill-switch';
import { MemoryKillSwitchStore, type KillSwitchStore } from '../core/ports/kill-switch-store';
import { AlertMonitor, type AlertMonitorConfig } from '../core/alerts/alert-monitor';
import type { Alert } from '../core/alerts/types';
import { CredentialError, type CredentialVault } from '../core/ports/credential-vault';
import { Secret } from '../core/model/secret';
import type {
  CommandName,
  CommandOutcome,
  CommandPayload,
  CommandResult,
  DeskEvent,
  DeskSnapshot,
  StreamHealthWire,
  UnsequencedEvent,
} from '../shared/contract';
import { parseCommand, PROTOCOL_VERSION } from '../shared/contract';
import type { FillInput } from '../core/pnl/fifo';
import type { StreamerProbe } from '../core/pnl/active-pnl-tracker';
import type { PnlSampleSink } from '../core/ports/pnl-sample-sink';
import type { OrderUpdateWire } from '../core/events/types';
import { CommandFailure, LivePortfolio, type FillContext } from './live-portfolio';
import type { DeskSettingsStore } from './state/desk-settings-file';
import type { FileWatchFactory } from './portfolio-watcher';

export interface DeskConfig {
  venue: 'sim';
  seed: number;
  /** How often the simulated venue publishes a batch of quotes. */
  simIntervalMs: number;
  /** Minimum spacing of tick_update events to the UI (50 ms → at most 20 per second). */
  tickCoalesceMs: number;
}

export const defaultDeskConfig: DeskConfig = { venue: 'sim', seed: 42, simIntervalMs: 250, tickCoalesceMs: 50 };

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
  /** Desk settings persistence (default: memory only). */
  settings?: DeskSettingsStore;
  /** Portfolio file loaded at construction when the settings name none (the default run: the bundled sample). */
  portfolioPath?: string | null;
  /** How the portfolio file is watched for changes (default: not watched). */
  watchPortfolio?: FileWatchFactory | null;
  /** Where P&L samples go besides the in-memory curve (the SQLite ledger). */
  pnlSampleSink?: PnlSampleSink;
}

export type DeskListener = (event: DeskEvent) => void;

export class Desk {
  readonly config: DeskConfig;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly cache: QuoteCache;
  private readonly listeners = new Set<DeskListener>();
  private model: SimMarketModel | null = null;
  private simTimer: Cancel | null = null;
  private seq = 0;
  private streaming = false;
  private lastEventAt: number | null = null;
  private disposed = false;
  /** The graded kill switch (spec §2); the strategy runtime will ask it before every order. */
  readonly killSwitch: KillSwitch;
  /** Critical-transition alerts, and hooks for the strategy runtime (entrySucceeded, forcedExit, …). */
  readonly alerts: AlertMonitor;
  private readonly credentials: CredentialVault | null;
  /** Positions, P&L tracker, portfolio file, settings, history (live-portfolio.ts). */
  readonly live: LivePortfolio;
  /** Symbols the P&L tracker asked for (the sim quotes its fixed universe regardless). */
  private trackerSymbols: readonly string[] = [];

  constructor(deps: DeskDeps) {
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.config = { ...defaultDeskConfig, ...deps.config };
    this.cache = new QuoteCache(this.clock);
    // Every quote into the cache goes to the UI coalesced (live-portfolio.ts) while streaming.
    this.cache.onQuote((q) => {
      if (this.streaming) this.live.quote(q);
    });
    if (!deps.killSwitchStore) this.logger.info('kill switch state is kept in memory only (no state directory)');
    this.killSwitch = new KillSwitch({ store: deps.killSwitchStore ?? new MemoryKillSwitchStore(), clock: this.clock, logger: this.logger });
    this.killSwitch.onChange((change) => this.onKillSwitchChange(change));
    this.alerts = new AlertMonitor(this.clock, () => ({ streaming: this.streaming, streams: this.streams() }), (a) => this.emitAlert(a), deps.alerts);
    this.credentials = deps.credentials ?? null;
    this.live = new LivePortfolio({
      clock: this.clock,
      logger: this.logger,
      quotes: this.cache,
      subscriptions: {
        replaceSubscriptions: (_consumer, symbols) => {
          this.trackerSymbols = symbols;
        },
        release: () => {
          this.trackerSymbols = [];
        },
        subscribedSymbols: () => (this.streaming && this.model ? [...this.model.underlyings.map((u) => u.symbol), ...this.model.options.map((o) => o.symbol)] : []),
      },
      streamer: () => this.streamerProbe(),
      emit: (e) => this.emit(e),
      ...(deps.settings ? { settings: deps.settings } : {}),
      defaultPortfolioPath: deps.portfolioPath ?? null,
      tickCoalesceMs: this.config.tickCoalesceMs,
      watch: deps.watchPortfolio ?? null,
      ...(deps.pnlSampleSink ? { sampleSink: deps.pnlSampleSink } : {}),
    });
    // Loading a file is not network I/O: positions show before Start.
    this.live.init();
  }

  /** A fill from the venue's trade updates (or a test): FIFO → position events. */
  applyFill(input: FillInput, meta: FillContext = {}): { ok: boolean; reason?: string } {
    return this.live.applyFill(input, meta);
  }

  /** An order update from the venue's trade updates. */
  applyOrderUpdate(order: OrderUpdateWire): void {
    this.live.applyOrderUpdate(order);
  }

  private streamerProbe(): StreamerProbe {
    return { state: this.streaming ? 'running' : 'stopped', streaming: this.streaming };
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Starts streaming. Idempotent. Nothing touches the network (or the sim) before this. */
  start(): void {
    if (this.disposed) throw new Error('desk is disposed');
    if (this.streaming) return;
    this.streaming = true;
    const exec = this.live.node({
      parent: null,
      node_type: 'StreamNode',
      node_id: 'stream',
      node_name: `Stream ${this.config.venue}`,
      action: 'stream_start',
      status: 'completed',
      message: `streaming from ${this.config.venue}`,
      details: { venue: this.config.venue },
    });
    this.model ??= new SimMarketModel(this.config.seed, this.clock.now());
    const publish = () => {
      const now = this.clock.now();
      this.lastEventAt = now;
      for (const q of this.model!.step(now)) this.cache.put(q);
    };
    publish();
    this.simTimer = this.clock.setInterval(publish, this.config.simIntervalMs);
    this.alerts.start();
    this.live.startStreaming(exec);
    this.logger.info('streaming started', { venue: this.config.venue });
    this.emitHealth();
  }

  /** Stops streaming. Idempotent. */
  stop(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.simTimer?.();
    this.simTimer = null;
    this.alerts.stop();
    this.live.stopStreaming();
    this.live.node({ parent: null, node_type: 'StreamNode', node_id: 'stream', node_name: `Stream ${this.config.venue}`, action: 'stream_stop', status: 'completed' });
    this.logger.info('streaming stopped');
    this.emitHealth();
  }

  /** Stops everything and drops listeners; the desk cannot be restarted afterwards. */
  dispose(): void {
    this.stop();
    this.live.dispose();
    this.listeners.clear();
    this.disposed = true;
  }

  snapshot(): DeskSnapshot {
    return {
      serverTime: this.clock.now(),
      venue: this.config.venue,
      mode: 'SIM',
      streaming: this.streaming,
      quotes: this.cache.all().map((q) => ({ ...q })),
      streams: this.streams(),
      killSwitch: this.killSwitch.view(),
      protocol: PROTOCOL_VERSION,
      ...this.live.snapshotParts(),
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
      return { ok: true, result: this.run(parsed.name, parsed.payload) };
    } catch (err) {
      if (err instanceof CommandFailure) return { ok: false, error: err.error };
      const message = err instanceof Error ? err.message : String(err);
      this.logger.error('command failed', { name: parsed.name, message });
      return { ok: false, error: { code: 'failed', message } };
    }
  }

  private run(name: CommandName, payload: unknown): CommandResult<CommandName> {
    switch (name) {
      case 'snapshot.get':
        return this.snapshot();
      case 'stream.start':
        this.start();
        return { streaming: this.streaming };
      case 'stream.stop':
        this.stop();
        return { streaming: this.streaming };
      case 'killswitch.get':
        return this.killSwitch.view();
      case 'killswitch.set': {
        const p = payload as CommandPayload<'killswitch.set'>;
        const r = this.killSwitch.set(p.account, p.level, { reason: p.reason, rearm: p.rearm });
        return { killSwitch: r.view, changed: r.change !== null, persisted: r.persisted };
      }
      case 'credentials.status':
        return this.vault().status();
      case 'credentials.save': {
        const p = payload as CommandPayload<'credentials.save'>;
        // Wrapped at once: from here on the values only exist as Secrets (never logged or echoed).
        const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, new Secret(v as string)]));
        return this.vault().save(p.venue, fields, { allowPlaintext: p.allowPlaintext === true });
      }
      case 'credentials.clear':
        return this.vault().clear((payload as CommandPayload<'credentials.clear'>).venue);
      case 'stream.restart':
        this.stop();
        this.start();
        return { streaming: this.streaming };
      case 'portfolio.load':
        return this.live.loadPortfolio((payload as CommandPayload<'portfolio.load'>).path);
      case 'portfolio.reload':
        return this.live.reloadPortfolio();
      case 'settings.get':
        return this.live.getSettings();
      case 'settings.set': {
        const r = this.live.setSettings(payload as CommandPayload<'settings.set'>, this.streaming);
        if (r.restarting) {
          this.stop();
          this.start();
        }
        return r;
      }
    }
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

  private streams(): StreamHealthWire[] {
    return [
      {
        name: 'sim',
        state: this.streaming ? 'running' : 'not_started',
        lastError: null,
        reconnectAttempts: 0,
        lastEventAt: this.lastEventAt,
        queueDepth: 0,
        droppedEvents: 0,
        subscriptions: this.model ? this.model.underlyings.length + this.model.options.length : 0,
      },
    ];
  }

  private emitHealth(): void {
    this.emit({ type: 'health_event', serverTime: this.clock.now(), streaming: this.streaming, streams: this.streams(), streamer: this.live.tracker.streamerDiagnostics() });
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

export function createDesk(deps: DeskDeps): Desk {
  return new Desk(deps);
}
