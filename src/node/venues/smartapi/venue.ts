/**
 * The Angel One SmartAPI venue: session (session.ts), instrument master (master.ts), up to three
 * feed sockets planned by core/market/smartapi-planner.ts (3 connections × 1,000 tokens, planned
 * before anything is subscribed), the order-update socket, and REST (rest.ts) — split into the
 * two ports (SmartApiMarketData, SmartApiExecution) over one connection.
 *
 * Quantities the desk sees are LOTS: the adapter converts to SmartAPI's units (lots × lot size)
 * at this edge, exactly (core/model/nse.ts lotsFromUnits / unitsFromLots); a unit count that is not
 * whole lots is an error naming the symbol.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock, Scheduler, Cancel } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import type { Quote, QuoteTick, TradeTick } from '../../../core/market/quote';
import type { InstrumentId } from '../../../core/model/ids';
import type { StreamHealth } from '../../../core/market/stream-health';
import type { Instrument } from '../../../core/model/instrument';
import type { AccountId } from '../../../core/model/ids';
import { VenueInstruments } from '../../../core/market/instruments';
import { planSmartFeed, SMARTAPI_FEED_LIMITS, type SmartFeedLimits } from '../../../core/market/smartapi-planner';
import { lotsFromUnits, unitsFromLots } from '../../../core/model/nse';
import { PRICE_DP, QTY_DP, QTY_ONE, parseScaled, price as toPrice, qty as toQty, scaledToString, type Price } from '../../../core/model/money';
import type { ExecutionListeners, ExecutionPort, RestChannelHealth } from '../../../core/ports/execution';
import { NotSupportedError, type MarketDataListeners, type MarketDataPort, type OptionChain, type OptionChainContract, type OptionChainFilter } from '../../../core/ports/market-data';
import { VenueError, type OrderReplace, type OrderRequest, type OrderUpdate, type VenueAccount, type VenueKind, type VenueMode, type VenueOrder, type VenuePosition, type VenueSessionState } from '../../../core/ports/venue';
import { StreamManager, type StreamManagerOptions } from '../../stream/stream-manager';
import { SharedConnection, executionShare, marketDataShare } from '../../stream/shared-connection';
import type { SocketFactory } from '../../stream/socket';
import { wsSocketFactory } from '../../stream/ws-socket';
import { loadMaster, type InstrumentMaster, type MasterCache, type MasterEntry } from './master';
import { FeedProtocol, OrderDataSchema, OrderUpdateProtocol, type FeedEntry, type OrderData } from './protocols';
import { PATHS, SmartApiError, SmartApiRest } from './rest';
import { SmartSession, type SmartCredentials } from './session';
import { MODE_LTP, MODE_SNAP, type SmartMode, type TickScratch } from './tick-parser';

export interface SmartApiUrls {
  rest: string;
  feed: string;
  orderFeed: string;
  master: string;
}

export const SMARTAPI_URLS: SmartApiUrls = {
  rest: 'https://apiconnect.angelone.in',
  feed: 'wss://smartapisocket.angelone.in/smart-stream',
  orderFeed: 'wss://tns.angelone.in/smart-order-update',
  master: 'https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json',
};

export type StreamTuning = Pick<StreamManagerOptions, 'backoff' | 'dataTimeoutMs' | 'handshakeTimeoutMs' | 'connectionLimitWindowMs' | 'queueCapacity' | 'stableAfterMs' | 'closeTimeoutMs'>;

export interface SmartApiVenueConfig {
  name?: string;
  mode: VenueMode;
  credentials: SmartCredentials;
  urls: SmartApiUrls;
  /** Product type for orders (default CARRYFORWARD: NRML for F&O). */
  productType?: 'CARRYFORWARD' | 'INTRADAY' | 'DELIVERY' | 'MARGIN';
  /** Feed mode for options/futures (default SnapQuote: bid/ask) and for indices (LTP). */
  optionMode?: SmartMode;
  limits?: SmartFeedLimits;
  tuning?: StreamTuning;
  /** Text heartbeat interval (default 10 s, as the JS SDK). */
  heartbeatMs?: number;
  masterCache?: MasterCache | null;
  restTimeoutMs?: number;
  bidFlag?: 0 | 1;
}

export interface SmartApiVenueDeps {
  clock: Clock & Scheduler;
  logger?: Logger;
  random?: () => number;
  socketFactory?: SocketFactory;
  fetch?: typeof fetch;
}

interface FeedSub {
  symbol: string;
  id: InstrumentId;
  entry: MasterEntry;
  /** The last trade print passed on (price, volume, time): a packet repeating it is not a new trade. */
  printLtp: number;
  printVolume: number;
  printTime: number;
}

/** The order tag sent for a client order id (< 20 chars, AB4008): deterministic, so it survives a restart. */
export function orderTag(clientOrderId: string): string {
  return `LD${createHash('sha1').update(clientOrderId).digest('hex').slice(0, 16)}`;
}

const STATUS: Record<string, string> = {
  open: 'new',
  complete: 'filled',
  rejected: 'rejected',
  cancelled: 'canceled',
  'trigger pending': 'accepted',
  'open pending': 'pending_new',
  'validation pending': 'pending_new',
  'put order req received': 'pending_new',
  'modify pending': 'pending_replace',
  'cancel pending': 'pending_cancel',
  modified: 'new',
  'after market order req received': 'accepted',
};

const UPDATE_EVENT: Record<string, string> = { AB01: 'new', AB02: 'canceled', AB03: 'rejected', AB04: 'replaced', AB05: 'fill', AB06: 'new', AB07: 'canceled', AB08: 'replaced', AB09: 'pending_new', AB10: 'new', AB11: 'pending_replace' };

export class SmartApiVenue {
  readonly name: string;
  readonly mode: VenueMode;
  readonly instruments: VenueInstruments;
  readonly rest: SmartApiRest;
  readonly session: SmartSession;
  master: InstrumentMaster | null = null;
  private readonly config: SmartApiVenueConfig;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly deps: SmartApiVenueDeps;
  private readonly feeds: { manager: StreamManager; protocol: FeedProtocol; started: boolean }[] = [];
  private readonly orderFeed: { manager: StreamManager; protocol: OrderUpdateProtocol };
  private readonly listeners = new Set<Partial<MarketDataListeners & ExecutionListeners>>();
  /** Wanted symbols in order; assignment symbol → connection. */
  private readonly wanted = new Set<string>();
  private assignment = new Map<string, number>();
  /** tokenKey → subscribed symbol (the binary feed's lookup). */
  private readonly byKey = new Map<number, FeedSub>();
  leftOut: string[] = [];
  feedWarning: string | null = null;
  private pendingQuotes = new Map<InstrumentId, QuoteTick>();
  private pendingTrades = new Map<InstrumentId, TradeTick>();
  private heartbeat: Cancel | null = null;
  private started = false;
  private streamsStarted = false;
  private starting: Promise<void> | null = null;
  private state: VenueSessionState = 'not_started';
  private sessionReason: string | null = null;
  private lastRestError: string | null = null;
  private lastRestErrorAt: number | null = null;
  private lastRestOkAt: number | null = null;
  private restRefused = false;
  /** Per order: last cumulative fill (units) and average, to turn cumulative updates into fills. */
  private readonly fillState = new Map<string, { units: bigint; avg: Price }>();
  private readonly tags = new Map<string, string>();
  private readonly circuits = new Map<string, { lower: Price; upper: Price }>();
  private readonly orderCache = new Map<string, OrderData>();

  constructor(config: SmartApiVenueConfig, deps: SmartApiVenueDeps) {
    this.config = config;
    this.deps = deps;
    this.name = config.name ?? 'smartapi';
    this.mode = config.mode;
    this.instruments = new VenueInstruments(this.name);
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.rest = new SmartApiRest({
      baseUrl: config.urls.rest,
      apiKey: () => this.session.creds.apiKey,
      jwt: () => this.session.current?.jwt ?? null,
      clock: this.clock,
      ...(config.restTimeoutMs ? { timeoutMs: config.restTimeoutMs } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      onSuccess: (at) => (this.lastRestOkAt = at),
      onError: (message, err) => {
        this.lastRestError = message;
        this.lastRestErrorAt = this.clock.now();
        if (err.kind === 'session' && this.session.sessionState() === 'active') void this.onSessionError(message);
      },
    });
    this.session = new SmartSession(this.rest, config.credentials, this.clock, this.logger);
    this.session.onChange((s, reason) => this.setSession(s, reason));
    const limits = config.limits ?? SMARTAPI_FEED_LIMITS;
    const common = { clock: this.clock, logger: this.logger, random: deps.random ?? Math.random, socketFactory: deps.socketFactory ?? wsSocketFactory({ perMessageDeflate: false }), pingIntervalMs: 0, dataTimeoutMs: 25_000, ...config.tuning };
    const feedHeaders = () => {
      const t = this.session.current;
      const c = this.session.creds;
      return { Authorization: `Bearer ${t?.jwt ?? ''}`, 'x-api-key': c.apiKey, 'x-client-code': c.clientCode, 'x-feed-token': t?.feedToken ?? '' };
    };
    for (let i = 0; i < limits.connections; i++) {
      const protocol = new FeedProtocol({
        name: `feed-${i + 1}`,
        url: () => config.urls.feed,
        headers: feedHeaders,
        resolve: (s) => this.feedEntry(s),
        onTick: (key, t, at) => this.onTick(key, t, at),
        onEndOfBatch: () => this.flush(),
        ...(config.bidFlag !== undefined ? { bidFlag: config.bidFlag } : {}),
      });
      const manager = new StreamManager({ ...common, protocol });
      this.watch(manager);
      this.feeds.push({ manager, protocol, started: false });
    }
    const orderProtocol = new OrderUpdateProtocol({ url: () => config.urls.orderFeed, headers: feedHeaders, onUpdate: (status, od, at) => this.onOrderUpdate(status, od, at) });
    const orderManager = new StreamManager({ ...common, dataTimeoutMs: 0, liveness: 'heartbeat', protocol: orderProtocol });
    this.watch(orderManager);
    this.orderFeed = { manager: orderManager, protocol: orderProtocol };
  }

  // ---------- lifecycle ----------

  /**
   * Loads the master (public: no session needed), logs in and starts the sockets. A refused login
   * leaves the venue `session_needed` (start resolves: the desk shows the re-login); a network
   * failure is retried with backoff while started.
   */
  start(): Promise<void> {
    if (this.started) return this.starting ?? Promise.resolve();
    this.started = true;
    this.starting = (async () => {
      if (this.master === null) {
        this.master = await loadMaster({
          url: this.config.urls.master,
          now: this.clock.now(),
          cache: this.config.masterCache ?? null,
          fetchJson: (url) => this.fetchJson(url),
          onWarning: (m) => this.logger.warn(m),
        });
        this.logger.info('SmartAPI instrument master', { venue: this.name, instruments: this.master.size, skipped: this.master.skipped, day: this.master.fetchedDay });
      }
      if (!this.started) return;
      this.replan();
      if (this.session.current === null && !(await this.tryLogin())) return;
      if (!this.started) return;
      this.startStreams();
    })();
    return this.starting;
  }

  private loginRetry: Cancel | null = null;
  private loginAttempt = 0;

  /** One login; true when the session is active. Network/server failures retry later (1 s … 60 s). */
  private async tryLogin(): Promise<boolean> {
    try {
      await this.session.login();
      this.loginAttempt = 0;
      return true;
    } catch (err) {
      const transient = err instanceof SmartApiError && (err.kind === 'network' || err.kind === 'server' || err.kind === 'rate_limited');
      if (transient && this.started) {
        const delay = Math.min(60_000, 1000 * 2 ** this.loginAttempt++);
        this.loginRetry = this.clock.setTimeout(() => {
          this.loginRetry = null;
          void this.tryLogin().then((ok) => {
            if (ok && this.started) this.startStreams();
          });
        }, delay);
      }
      this.logger.warn('SmartAPI login failed', { venue: this.name, error: err instanceof Error ? err.message : String(err), retry: transient });
      return false;
    }
  }

  /** When the current session's JWT expires (epoch ms; the desk's countdown), null without a session. */
  sessionExpiresAt(): number | null {
    return this.session.current?.expiresAt ?? null;
  }

  private startStreams(): void {
    this.feeds[0]!.started = true;
    this.streamsStarted = true;
    for (const f of this.feeds) if (f.started) f.manager.start();
    this.orderFeed.manager.start();
    this.heartbeat?.();
    this.heartbeat = this.clock.setInterval(() => {
      for (const f of this.feeds) if (f.started) f.protocol.ping();
      this.orderFeed.protocol.ping();
    }, this.config.heartbeatMs ?? 10_000);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.starting?.catch(() => undefined);
    this.heartbeat?.();
    this.heartbeat = null;
    this.loginRetry?.();
    this.loginRetry = null;
    this.streamsStarted = false;
    await Promise.all([...this.feeds.map((f) => f.manager.stop()), this.orderFeed.manager.stop()]);
    for (const f of this.feeds) f.started = false;
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.session.stop();
    this.listeners.clear();
  }

  /** One-click re-login: a fresh TOTP login, then every socket restarts. */
  async reauthenticate(credentials?: SmartCredentials): Promise<void> {
    this.restRefused = false;
    this.lastRestError = null;
    this.lastRestErrorAt = null;
    await this.session.login(credentials);
    if (this.started && !this.streamsStarted) {
      await this.starting?.catch(() => undefined);
      if (this.master !== null && !this.streamsStarted) this.startStreams();
    } else if (this.started) {
      await Promise.all([...this.feeds.filter((f) => f.started).map((f) => f.manager.restart()), this.orderFeed.manager.restart()]);
    }
  }

  private async onSessionError(reason: string): Promise<void> {
    // One refresh attempt (tokens renewed with the refresh token); a refused refresh is `session_needed`.
    const ok = await this.session.refresh();
    if (!ok && this.session.sessionState() !== 'active') this.restRefused = true;
    if (ok) this.logger.info('SmartAPI tokens renewed after a refused call', { reason });
  }

  // ---------- subscriptions (planned before subscribing) ----------

  subscribe(symbols: readonly string[]): void {
    let changed = false;
    for (const s of symbols) {
      if (!this.wanted.has(s)) {
        this.wanted.add(s);
        changed = true;
      }
    }
    if (changed && this.master) this.replan();
  }

  unsubscribe(symbols: readonly string[]): void {
    let changed = false;
    for (const s of symbols) changed = this.wanted.delete(s) || changed;
    if (changed && this.master) this.replan();
  }

  subscribedSymbols(): string[] {
    return [...this.assignment.keys()];
  }

  private replan(): void {
    const known: string[] = [];
    const unknown: string[] = [];
    for (const s of this.wanted) (this.master?.bySymbol(s) ? known : unknown).push(s);
    const plan = planSmartFeed(known, this.assignment, this.config.limits ?? SMARTAPI_FEED_LIMITS);
    if (unknown.length) this.logger.warn('symbols not in the SmartAPI instrument master: not subscribed', { venue: this.name, symbols: unknown.slice(0, 20) });
    if (plan.warning && plan.warning !== this.feedWarning) this.logger.warn(plan.warning, { venue: this.name });
    this.feedWarning = plan.warning;
    this.leftOut = plan.leftOut;
    const next = new Map<string, number>();
    plan.connections.forEach((list, c) => list.forEach((s) => next.set(s, c)));
    plan.connections.forEach((list, c) => {
      const feed = this.feeds[c]!;
      const before = feed.manager.symbols();
      const had = new Set(before);
      const removed = before.filter((s) => next.get(s) !== c);
      const added = list.filter((s) => this.assignment.get(s) !== c || !had.has(s));
      for (const s of added) {
        const entry = this.master!.bySymbol(s)!;
        this.byKey.set(entry.key, { symbol: s, id: this.instruments.of(s), entry, printLtp: -1, printVolume: -1, printTime: -1 });
      }
      if (removed.length) feed.manager.unsubscribe(removed);
      if (added.length) feed.manager.subscribe(added);
      if (list.length > 0 && !feed.started && this.streamsStarted) {
        feed.started = true;
        feed.manager.start();
      }
    });
    for (const s of this.assignment.keys()) {
      if (!next.has(s)) {
        const e = this.master?.bySymbol(s);
        if (e) this.byKey.delete(e.key);
      }
    }
    this.assignment = next;
  }

  private feedEntry(symbol: string): FeedEntry | null {
    const e = this.master?.bySymbol(symbol);
    if (!e) return null;
    const mode: SmartMode = e.instrument.kind === 'index' ? MODE_LTP : (this.config.optionMode ?? MODE_SNAP);
    return { symbol, exchangeType: e.exchangeType, token: e.record.token, mode };
  }

  instrument(symbol: string): Instrument | null {
    return this.master?.instrument(symbol) ?? null;
  }

  // ---------- ticks ----------

  private onTick(key: number, t: TickScratch, at: number): boolean {
    const sub = this.byKey.get(key);
    if (sub === undefined) return false;
    if (t.mode === MODE_SNAP || t.mode === 4) {
      this.pendingQuotes.set(sub.id, { instrument: sub.id, symbol: sub.symbol, bid: t.bid, ask: t.ask, bidSize: t.bidSize, askSize: t.askSize, exchangeTime: t.exchangeTimeMs || null, receivedAt: at });
    }
    // Spec §5: the last trade carries its own time. Every packet repeats the last price; only a new
    // print (a new last-traded time, more volume, or — LTP mode — another price) is a trade, stamped
    // with its own time where the packet has it, so an old print never looks fresh again.
    if (t.ltp !== null && t.ltp > 0) {
      const fresh = t.lastTradedTimeMs > 0 ? t.lastTradedTimeMs !== sub.printTime || t.volume !== sub.printVolume : t.volume >= 0 ? t.volume !== sub.printVolume : t.ltp !== sub.printLtp;
      if (fresh) {
        sub.printLtp = t.ltp;
        sub.printVolume = t.volume;
        sub.printTime = t.lastTradedTimeMs;
        this.pendingTrades.set(sub.id, { instrument: sub.id, symbol: sub.symbol, price: t.ltp, size: null, exchangeTime: t.lastTradedTimeMs || t.exchangeTimeMs || null, receivedAt: at });
      }
    }
    return true;
  }

  /** Per drain pass: the latest quote/trade per instrument. */
  private flush(): void {
    if (this.pendingTrades.size) {
      const trades = this.pendingTrades;
      this.pendingTrades = new Map();
      for (const t of trades.values()) for (const l of this.listeners) l.trade?.(t);
    }
    if (this.pendingQuotes.size) {
      const quotes = this.pendingQuotes;
      this.pendingQuotes = new Map();
      for (const q of quotes.values()) for (const l of this.listeners) l.quote?.(q);
    }
  }

  // ---------- health, listeners ----------

  listen(l: Partial<MarketDataListeners & ExecutionListeners>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  feedHealth(): StreamHealth[] {
    return this.feeds
      .filter((f, i) => f.started || i === 0)
      .map((f, i) => {
        const h = this.sessionView(f.manager.snapshot());
        return i === 0 && this.leftOut.length ? { ...h, refusedSymbols: [...h.refusedSymbols, ...this.leftOut.slice(0, 100)], lastError: h.lastError ?? this.feedWarning } : h;
      });
  }

  orderHealth(): StreamHealth[] {
    return [this.sessionView(this.orderFeed.manager.snapshot())];
  }

  /** While the session is needed every channel is stopped because of it: each says so (not "not started"). */
  private sessionView(h: StreamHealth): StreamHealth {
    if (this.state !== 'session_needed' || h.state === 'running') return h;
    return { ...h, state: 'session_needed', lastError: h.state === 'session_needed' && h.lastError ? h.lastError : (this.sessionReason ?? 'the SmartAPI session was refused') };
  }

  feedManager(i: number): StreamManager {
    return this.feeds[i]!.manager;
  }

  get orderManager(): StreamManager {
    return this.orderFeed.manager;
  }

  sessionState(): VenueSessionState {
    return this.state;
  }

  restHealth(): RestChannelHealth {
    return { sessionRefused: this.restRefused, lastError: this.lastRestError, lastErrorAt: this.lastRestErrorAt, lastOkAt: this.lastRestOkAt };
  }

  private watch(m: StreamManager): void {
    m.onHealth((h) => {
      if (h.state === 'session_needed' && this.session.sessionState() === 'active') {
        // the feed refused our token: try one refresh; only a refused refresh ends the session
        void this.session.refresh().then((ok) => {
          if (ok && this.started) void m.restart();
        });
      }
      for (const l of this.listeners) l.health?.(h);
    });
    m.onReady((reconnected) => {
      if (reconnected) for (const l of this.listeners) l.resync?.(m.name);
    });
  }

  private setSession(state: VenueSessionState, reason: string | null): void {
    if (this.state === state) return;
    this.state = state;
    this.sessionReason = reason;
    if (state === 'session_needed') {
      // a dead token: stop every socket (no reconnect storm) until re-login
      for (const f of this.feeds) void f.manager.stop();
      void this.orderFeed.manager.stop();
    }
    for (const l of this.listeners) l.session?.(state, reason);
  }

  // ---------- REST: market data ----------

  private async fetchJson(url: string): Promise<unknown> {
    const res = await (this.deps.fetch ?? fetch)(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    return res.json();
  }

  /** REST quotes (FULL mode, ≤ 50 tokens per request, the quote endpoint's rate gate). */
  async latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    const entries = symbols.map((s) => this.master?.bySymbol(s)).filter((e): e is MasterEntry => !!e);
    const out: Quote[] = [];
    for (let i = 0; i < entries.length; i += 50) {
      const chunk = entries.slice(i, i + 50);
      const exchangeTokens: Record<string, string[]> = {};
      for (const e of chunk) (exchangeTokens[e.record.exch_seg] ??= []).push(e.record.token);
      const data = (await this.rest.call('quote', 'POST', PATHS.quote, { mode: 'FULL', exchangeTokens })) as { fetched?: unknown[] } | null;
      const at = this.clock.now();
      for (const row of Array.isArray(data?.fetched) ? data.fetched : []) {
        const parsed = QuoteRowSchema.safeParse(row);
        if (!parsed.success) {
          this.logger.warn('SmartAPI quote row skipped', { issue: `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}` });
          continue;
        }
        const r = parsed.data;
        const e = chunk.find((c) => c.record.token === String(r.symbolToken) && c.record.exch_seg === r.exchange);
        if (!e) continue;
        const bid = r.depth?.buy?.find((l) => l.price > 0);
        const ask = r.depth?.sell?.find((l) => l.price > 0);
        if (typeof r.lowerCircuit === 'number' && typeof r.upperCircuit === 'number' && r.upperCircuit > 0) this.circuits.set(e.record.symbol, { lower: toPrice(r.lowerCircuit), upper: toPrice(r.upperCircuit) });
        out.push({
          instrument: this.instruments.of(e.record.symbol),
          symbol: e.record.symbol,
          bid: bid?.price ?? null,
          ask: ask?.price ?? null,
          last: typeof r.ltp === 'number' && r.ltp > 0 ? r.ltp : null,
          bidSize: bid?.quantity ?? null,
          askSize: ask?.quantity ?? null,
          exchangeTime: istFeedTime(r.exchFeedTime),
          receivedAt: at,
          bookReceivedAt: bid || ask ? at : null,
          lastReceivedAt: typeof r.ltp === 'number' && r.ltp > 0 ? at : null,
          source: 'rest',
        });
      }
    }
    return out;
  }

  async optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    const now = this.clock.now();
    return new Map(
      symbols.map((s) => {
        const i = this.instrument(s);
        if (!i || i.kind !== 'option') return [s, 'unknown'] as const;
        return [s, i.expiry && i.expiry.epochMs < now ? 'inactive' : 'active'] as const;
      }),
    );
  }

  /** The chain from the master + REST quotes. SmartAPI sends no greeks here: they are null (the desk computes its own). */
  async optionChain(underlying: string, filter: OptionChainFilter = {}): Promise<OptionChain> {
    if (!this.master) throw new NotSupportedError(this.name, 'optionChain', 'the instrument master is not loaded yet');
    const list = this.master
      .search({ name: underlying, kind: 'option' })
      .filter((i) => (filter.right ? i.right === filter.right : true))
      .filter((i) => (filter.expiration ? i.expiry!.date === filter.expiration : true))
      .filter((i) => (filter.expirationGte ? i.expiry!.date >= filter.expirationGte : true))
      .filter((i) => (filter.expirationLte ? i.expiry!.date <= filter.expirationLte : true))
      .filter((i) => i.expiry!.epochMs >= this.clock.now());
    const strike = (i: Instrument) => Number(scaledToString(i.strike!, PRICE_DP));
    const chosen = list.filter((i) => (filter.strikeGte === undefined || strike(i) >= filter.strikeGte) && (filter.strikeLte === undefined || strike(i) <= filter.strikeLte));
    const quotes = new Map((await this.latestQuotes(chosen.map((i) => i.symbol))).map((q) => [q.symbol, q]));
    const contracts: OptionChainContract[] = chosen.map((i) => ({
      symbol: i.symbol,
      expiry: i.expiry!.date,
      expiresAt: i.expiry!.epochMs,
      strike: strike(i),
      right: i.right!,
      delta: null,
      gamma: null,
      theta: null,
      vega: null,
      rho: null,
      impliedVolatility: null,
      greeks: null,
      quote: quotes.get(i.symbol) ?? null,
    }));
    return { underlying, contracts, receivedAt: this.clock.now() };
  }

  // ---------- execution ----------

  private requireInstrument(symbol: string | undefined): MasterEntry {
    if (!symbol) throw new VenueError('SmartAPI order: a symbol is required (multi-leg orders are not supported)', null, null, 'rejected');
    const e = this.master?.bySymbol(symbol);
    if (!e) throw new VenueError(`SmartAPI order: ${symbol} is not in the instrument master`, null, null, 'rejected');
    return e;
  }

  /** Lots → units, whole lots only (clear error otherwise). */
  private units(e: MasterEntry, lots: string): string {
    const q = toQty(lots);
    if (q <= 0n || q % QTY_ONE !== 0n) throw new VenueError(`SmartAPI order ${e.record.symbol}: quantity ${lots} must be a whole, positive number of lots (lot size ${e.instrument.lotSize})`, null, null, 'rejected');
    return unitsFromLots(e.instrument, q);
  }

  private checkPrice(e: MasterEntry, what: string, text: string): string {
    let p: Price;
    try {
      p = toPrice(text);
    } catch {
      throw new VenueError(`SmartAPI order ${e.record.symbol}: ${what} ${text} is not a decimal price`, null, null, 'rejected');
    }
    if (p <= 0n) throw new VenueError(`SmartAPI order ${e.record.symbol}: ${what} ${text} must be positive`, null, null, 'rejected');
    const tick = e.instrument.tickSize;
    if (p % tick !== 0n) throw new VenueError(`SmartAPI order ${e.record.symbol}: ${what} ${text} is not on the tick size ${scaledToString(tick, PRICE_DP)}`, null, null, 'rejected');
    const band = this.circuits.get(e.record.symbol);
    if (band && (p < band.lower || p > band.upper)) {
      throw new VenueError(`SmartAPI order ${e.record.symbol}: ${what} ${text} is outside the price band ${scaledToString(band.lower, PRICE_DP)}–${scaledToString(band.upper, PRICE_DP)}`, null, null, 'rejected');
    }
    return scaledToString(p, PRICE_DP);
  }

  async placeOrder(o: OrderRequest): Promise<VenueOrder> {
    if (o.orderClass === 'mleg' || (o.legs && o.legs.length)) throw new NotSupportedError(this.name, 'multi-leg orders', 'SmartAPI places one leg per order');
    const e = this.requireInstrument(o.symbol);
    if (!o.side) throw new VenueError(`SmartAPI order ${e.record.symbol}: a side is required`, null, null, 'rejected');
    const quantity = this.units(e, o.qty);
    const duration = o.timeInForce === 'day' ? 'DAY' : o.timeInForce === 'ioc' ? 'IOC' : null;
    if (!duration) throw new VenueError(`SmartAPI order ${e.record.symbol}: time in force ${o.timeInForce} is not supported (day, ioc)`, null, null, 'rejected');
    const ordertype = { market: 'MARKET', limit: 'LIMIT', stop: 'STOPLOSS_MARKET', stop_limit: 'STOPLOSS_LIMIT' }[o.type];
    const variety = o.type === 'stop' || o.type === 'stop_limit' ? 'STOPLOSS' : 'NORMAL';
    const priceText = o.type === 'limit' || o.type === 'stop_limit' ? this.checkPrice(e, 'limit price', o.limitPrice ?? '') : '0';
    const trigger = o.type === 'stop' || o.type === 'stop_limit' ? this.checkPrice(e, 'stop price', o.stopPrice ?? '') : '0';
    const tag = orderTag(o.clientOrderId);
    this.tags.set(tag, o.clientOrderId);
    const body = {
      variety,
      tradingsymbol: e.record.symbol,
      symboltoken: e.record.token,
      transactiontype: o.side === 'buy' ? 'BUY' : 'SELL',
      exchange: e.record.exch_seg,
      ordertype,
      producttype: this.config.productType ?? 'CARRYFORWARD',
      duration,
      price: priceText,
      triggerprice: trigger,
      squareoff: '0',
      stoploss: '0',
      quantity,
      ordertag: tag,
    };
    const data = (await this.rest.call('order', 'POST', PATHS.placeOrder, body)) as { orderid?: unknown } | null;
    const id = data && (typeof data.orderid === 'string' || typeof data.orderid === 'number') ? String(data.orderid) : null;
    if (!id) throw new SmartApiError(`SmartAPI placeOrder ${e.record.symbol}: the answer has no orderid (outcome unknown)`, null, null, 'invalid_response');
    const od = OrderDataSchema.parse({ ...body, orderid: id, status: 'open pending', orderstatus: 'open pending', filledshares: '0', unfilledshares: quantity });
    this.orderCache.set(id, od);
    return this.venueOrder(od);
  }

  async replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    const cur = this.orderCache.get(orderId) ?? (await this.orderBook()).find((o) => o.orderid === orderId);
    if (!cur) throw new SmartApiError(`SmartAPI modifyOrder: order ${orderId} is not known`, null, 'AB1013', 'not_found');
    const e = this.requireInstrument(cur.tradingsymbol);
    const body = {
      variety: cur.variety,
      orderid: orderId,
      ordertype: cur.ordertype,
      producttype: cur.producttype,
      duration: patch.timeInForce === 'ioc' ? 'IOC' : cur.duration,
      price: patch.limitPrice !== undefined ? this.checkPrice(e, 'limit price', patch.limitPrice) : String(cur.price),
      quantity: patch.qty !== undefined ? this.units(e, patch.qty) : cur.quantity,
      tradingsymbol: cur.tradingsymbol,
      symboltoken: cur.symboltoken,
      exchange: cur.exchange,
      // smartapi.md §4.4: a stop-loss order's modify carries its trigger price (the current one when unchanged)
      ...(patch.stopPrice !== undefined
        ? { triggerprice: this.checkPrice(e, 'stop price', patch.stopPrice) }
        : cur.variety === 'STOPLOSS' && cur.triggerprice !== undefined && cur.triggerprice !== null
          ? { triggerprice: String(cur.triggerprice) }
          : {}),
    };
    await this.rest.call('order', 'POST', PATHS.modifyOrder, body);
    const next = { ...cur, price: body.price, quantity: body.quantity, duration: body.duration, ...('triggerprice' in body ? { triggerprice: body.triggerprice } : {}) };
    this.orderCache.set(orderId, next);
    return this.venueOrder(next);
  }

  async cancelOrder(orderId: string): Promise<void> {
    // the variety must be the order's own (a STOPLOSS order cancelled as NORMAL is refused): read the book when not cached
    const cur = this.orderCache.get(orderId) ?? (await this.orderBook()).find((o) => o.orderid === orderId);
    const variety = cur?.variety ?? 'NORMAL';
    await this.rest.call('order', 'POST', PATHS.cancelOrder, { variety, orderid: orderId });
  }

  async orderBook(): Promise<OrderData[]> {
    const data = await this.rest.call('orderBook', 'GET', PATHS.orderBook);
    if (data === null) return [];
    if (!Array.isArray(data)) throw new SmartApiError('SmartAPI getOrderBook: data is not an array', null, null, 'invalid_response');
    const out: OrderData[] = [];
    for (const row of data) {
      const p = OrderDataSchema.safeParse(row);
      if (p.success) {
        out.push(p.data);
        this.orderCache.set(p.data.orderid, p.data);
      } else this.logger.warn('SmartAPI order book row skipped', { issue: p.error.issues[0]?.message });
    }
    return out;
  }

  async tradeBook(): Promise<{ orderId: string; fillId: string; symbol: string; side: string; price: string; lots: string; time: string }[]> {
    const data = await this.rest.call('tradeBook', 'GET', PATHS.tradeBook);
    if (data === null) return [];
    if (!Array.isArray(data)) throw new SmartApiError('SmartAPI getTradeBook: data is not an array', null, null, 'invalid_response');
    return data.map((r: Record<string, unknown>) => {
      const symbol = String(r.tradingsymbol ?? '');
      const e = this.master?.bySymbol(symbol);
      const units = String(r.fillsize ?? '0');
      return { orderId: String(r.orderid ?? ''), fillId: String(r.fillid ?? ''), symbol, side: String(r.transactiontype ?? '').toLowerCase(), price: String(r.fillprice ?? ''), lots: e ? scaledToString(lotsFromUnits(e.instrument, units), QTY_DP) : units, time: String(r.filltime ?? '') };
    });
  }

  async orders(query: { status?: 'open' | 'closed' | 'all'; limit?: number } = {}): Promise<VenueOrder[]> {
    const status = query.status ?? 'open';
    const all = (await this.orderBook()).filter((o) => this.supported(o.tradingsymbol, 'order')).map((o) => this.venueOrder(o));
    const open = new Set(['new', 'accepted', 'pending_new', 'partially_filled', 'pending_replace', 'pending_cancel']);
    const list = all.filter((o) => status === 'all' || (status === 'open') === open.has(o.status));
    return list.slice(0, query.limit ?? 500);
  }

  async orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    const tag = orderTag(clientOrderId);
    this.tags.set(tag, clientOrderId);
    const o = (await this.orderBook()).find((r) => r.ordertag === tag);
    return o ? this.venueOrder(o) : null;
  }

  async positions(): Promise<VenuePosition[]> {
    const data = await this.rest.call('positions', 'GET', PATHS.positions);
    if (data === null) return [];
    if (!Array.isArray(data)) throw new SmartApiError('SmartAPI getPosition: data is not an array', null, null, 'invalid_response');
    const out: VenuePosition[] = [];
    for (const r of data as Record<string, unknown>[]) {
      const symbol = String(r.tradingsymbol ?? '');
      const e = this.master?.bySymbol(symbol);
      if (!e) {
        // a segment or instrument this adapter does not support (MCX, CDS…): its lot size is unknown, so it is not reported in lots
        this.unsupported(`position ${symbol}`);
        continue;
      }
      const net = toQty(String(r.netqty ?? '0'));
      if (net === 0n) continue;
      const lots = lotsFromUnits(e.instrument, scaledToString(net < 0n ? -net : net, QTY_DP));
      const avg = String(net > 0n ? (r.buyavgprice ?? r.avgnetprice ?? '') : (r.sellavgprice ?? r.avgnetprice ?? ''));
      out.push({ symbol, assetClass: e.instrument.kind === 'option' ? 'nse_option' : e.instrument.kind === 'future' ? 'nse_future' : 'nse_equity', qty: scaledToString(lots, QTY_DP), side: net > 0n ? 'long' : 'short', avgEntryPrice: avg, marketValue: null, costBasis: null, unrealizedPl: r.unrealised !== undefined ? String(r.unrealised) : null, currentPrice: r.ltp !== undefined ? String(r.ltp) : null });
    }
    return out;
  }

  async account(): Promise<VenueAccount> {
    const d = ((await this.rest.call('rms', 'GET', PATHS.rms)) ?? {}) as Record<string, unknown>;
    const cash = String(d.availablecash ?? d.net ?? '0');
    return { id: this.session.creds.clientCode, status: 'ACTIVE', currency: 'INR', cash, equity: String(d.net ?? cash), buyingPower: cash, optionsBuyingPower: cash, optionsTradingLevel: null };
  }

  /** Symbols outside the master (segments the adapter does not take) are left out: their lot size is unknown. */
  private supported(symbol: string, what: string): boolean {
    if (this.master?.bySymbol(symbol)) return true;
    this.unsupported(`${what} ${symbol}`);
    return false;
  }

  private readonly unsupportedSeen = new Set<string>();
  /** Counted and logged once each. */
  unsupportedCount = 0;
  private unsupported(what: string): void {
    this.unsupportedCount++;
    if (this.unsupportedSeen.size < 1000 && !this.unsupportedSeen.has(what)) {
      this.unsupportedSeen.add(what);
      this.logger.warn('SmartAPI: left out (not in the instrument master: segment or instrument not supported)', { venue: this.name, what });
    }
  }

  private venueOrder(o: OrderData): VenueOrder {
    const e = this.master?.bySymbol(o.tradingsymbol) ?? null;
    const lots = (units: string): string => (e ? scaledToString(lotsFromUnits(e.instrument, units), QTY_DP) : units);
    const filled = lots(o.filledshares || '0');
    let status = STATUS[(o.orderstatus || o.status).toLowerCase()] ?? (o.orderstatus || o.status || 'new');
    if (status === 'new' && filled !== '0') status = 'partially_filled';
    const type = { MARKET: 'market', LIMIT: 'limit', STOPLOSS_MARKET: 'stop', STOPLOSS_LIMIT: 'stop_limit' }[o.ordertype] ?? o.ordertype.toLowerCase();
    const price = parseScaled(String(o.price || '0'), PRICE_DP);
    const avg = parseScaled(String(o.averageprice || '0'), PRICE_DP);
    return {
      id: o.orderid,
      clientOrderId: this.tags.get(o.ordertag) ?? o.ordertag,
      symbol: o.tradingsymbol,
      side: o.transactiontype === 'BUY' ? 'buy' : o.transactiontype === 'SELL' ? 'sell' : '',
      type,
      orderClass: 'simple',
      timeInForce: o.duration.toLowerCase(),
      qty: lots(o.quantity),
      filledQty: filled,
      filledAvgPrice: avg > 0n ? scaledToString(avg, PRICE_DP) : null,
      limitPrice: price > 0n ? scaledToString(price, PRICE_DP) : null,
      stopPrice: null,
      status,
      createdAt: null,
      updatedAt: o.updatetime || null,
      legs: [],
    };
  }

  /** Cumulative order updates → per-execution fills (qty in lots, price exact from the averages). */
  private onOrderUpdate(code: string, od: OrderData, at: number): void {
    if (!this.supported(od.tradingsymbol, 'order update')) return;
    this.orderCache.set(od.orderid, od);
    const order = this.venueOrder(od);
    let event = UPDATE_EVENT[code] ?? order.status;
    const e = this.master?.bySymbol(od.tradingsymbol);
    let execQty: string | null = null;
    let execPrice: string | null = null;
    let executionId: string | null = null;
    const filledUnits = toQty(od.filledshares || '0');
    const prev = this.fillState.get(od.orderid) ?? { units: 0n, avg: 0n as Price };
    if (filledUnits > prev.units && e) {
      const avg = toPrice(String(od.averageprice || '0'));
      const delta = filledUnits - prev.units;
      // exact: (avg·filled − prevAvg·prevFilled) / delta, on the tick grid by construction
      const px = (avg * filledUnits - prev.avg * prev.units) / delta;
      this.fillState.set(od.orderid, { units: filledUnits, avg });
      execQty = scaledToString(lotsFromUnits(e.instrument, scaledToString(delta, QTY_DP)), QTY_DP);
      execPrice = scaledToString(px, PRICE_DP);
      executionId = od.fillid || `${od.orderid}:${scaledToString(filledUnits, QTY_DP)}`;
      event = order.status === 'filled' ? 'fill' : 'partial_fill';
    } else if (event === 'fill' && filledUnits <= prev.units) {
      event = 'filled_repeat';
    }
    const update: OrderUpdate = { event, order, executionId, price: execPrice, qty: execQty, positionQty: null, timestamp: null, receivedAt: at };
    for (const l of this.listeners) {
      try {
        l.orderUpdate?.(update);
      } catch (err) {
        this.logger.error('order update listener failed', { message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

const isFeedChannel = (name: string) => name.startsWith('feed-');
type Shared = SharedConnection<SmartApiVenue>;

export class SmartApiMarketData implements MarketDataPort {
  readonly name: string;
  constructor(
    readonly venue: SmartApiVenue,
    readonly kind: VenueKind,
    private readonly shared: Shared,
  ) {
    this.name = venue.name;
  }
  start(): Promise<void> {
    return this.shared.start('md');
  }
  stop(): Promise<void> {
    return this.shared.stop('md');
  }
  subscribe(symbols: readonly string[]): void {
    this.venue.subscribe(symbols);
  }
  unsubscribe(symbols: readonly string[]): void {
    this.venue.unsubscribe(symbols);
  }
  subscribedSymbols(): string[] {
    return this.venue.subscribedSymbols();
  }
  listen(l: Partial<MarketDataListeners>): () => void {
    return this.venue.listen(marketDataShare(l, isFeedChannel));
  }
  latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    return this.venue.latestQuotes(symbols);
  }
  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    return this.venue.optionContractStatus(symbols);
  }
  optionChain(underlying: string, filter?: OptionChainFilter): Promise<OptionChain> {
    return this.venue.optionChain(underlying, filter);
  }
  /** The master's instrument (lot size = multiplier, tick size, INR), null when unknown. */
  instrument(symbol: string): Instrument | null {
    return this.venue.instrument(symbol);
  }
  health(): StreamHealth[] {
    return this.venue.feedHealth();
  }
}

export class SmartApiExecution implements ExecutionPort {
  readonly venue: string;
  readonly mode: VenueMode;
  constructor(
    readonly conn: SmartApiVenue,
    readonly accountId: AccountId,
    readonly kind: VenueKind,
    private readonly shared: Shared,
  ) {
    this.venue = conn.name;
    this.mode = conn.mode;
  }
  start(): Promise<void> {
    return this.shared.start('ex');
  }
  stop(): Promise<void> {
    return this.shared.stop('ex');
  }
  reauthenticate(): Promise<void> {
    return this.conn.reauthenticate();
  }
  sessionExpiresAt(): number | null {
    return this.conn.sessionExpiresAt();
  }

  sessionState(): VenueSessionState {
    return this.conn.sessionState();
  }
  listen(l: Partial<ExecutionListeners>): () => void {
    return this.conn.listen(executionShare(l, isFeedChannel));
  }
  health(): StreamHealth[] {
    return this.conn.orderHealth();
  }
  restHealth(): RestChannelHealth {
    return this.conn.restHealth();
  }
  placeOrder(o: OrderRequest): Promise<VenueOrder> {
    return this.conn.placeOrder(o);
  }
  replaceOrder(id: string, patch: OrderReplace): Promise<VenueOrder> {
    return this.conn.replaceOrder(id, patch);
  }
  cancelOrder(id: string): Promise<void> {
    return this.conn.cancelOrder(id);
  }
  orderByClientId(id: string): Promise<VenueOrder | null> {
    return this.conn.orderByClientId(id);
  }
  openOrders(): Promise<VenueOrder[]> {
    return this.conn.orders({ status: 'open' });
  }
  orders(q?: { status?: 'open' | 'closed' | 'all'; limit?: number }): Promise<VenueOrder[]> {
    return this.conn.orders(q);
  }
  positions(): Promise<VenuePosition[]> {
    return this.conn.positions();
  }
  account(): Promise<VenueAccount> {
    return this.conn.account();
  }
}

export function smartApiPorts(venue: SmartApiVenue, accountId: AccountId, kind: VenueKind): { marketData: SmartApiMarketData; execution: SmartApiExecution; dispose: () => Promise<void> } {
  const shared = new SharedConnection(venue);
  return { marketData: new SmartApiMarketData(venue, kind, shared), execution: new SmartApiExecution(venue, accountId, kind, shared), dispose: () => venue.dispose() };
}

/** A plausible price (rupees) or size from the quote API: a finite non-negative number below a crore of rupees per unit. */
const quoteNumber = z.number().finite().nonnegative().max(1e7);
const depthLevel = z.object({ price: quoteNumber, quantity: quoteNumber.int().or(quoteNumber) }).passthrough();

/** One row of the quote API's `fetched` (smartapi.md §4.3), validated at this edge: a string where a number belongs is refused. */
export const QuoteRowSchema = z
  .object({
    exchange: z.string(),
    symbolToken: z.union([z.string(), z.number()]),
    ltp: quoteNumber.optional(),
    depth: z.object({ buy: z.array(depthLevel).max(20).optional(), sell: z.array(depthLevel).max(20).optional() }).passthrough().optional(),
    lowerCircuit: quoteNumber.optional(),
    upperCircuit: quoteNumber.optional(),
    exchFeedTime: z.string().optional(),
  })
  .passthrough();

const MONTHS: Readonly<Record<string, number>> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** The quote API's exchange time "19-Jul-2023 11:20:51" (IST, UTC+05:30) as epoch ms; null when absent or unreadable. */
export function istFeedTime(text: string | undefined): number | null {
  const m = text ? /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim()) : null;
  if (!m) return null;
  const month = MONTHS[m[2]!];
  if (month === undefined) return null;
  const ms = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - 5.5 * 3600_000;
  return Number.isFinite(ms) ? ms : null;
}
