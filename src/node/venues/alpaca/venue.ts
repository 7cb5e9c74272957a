/**
 * The Alpaca venue connection: three streams (stocks, options, trade_updates), each kept alive by a
 * StreamManager, plus the REST client. The simulated venue speaks the same protocol, so the default
 * run exercises exactly this code against 127.0.0.1.
 *
 * The desk does not use this class directly: ./ports.ts splits it into the two venue ports (a
 * MarketDataPort over the data streams, an ExecutionPort over trade_updates and trading REST) that
 * share this one connection, and src/node/venues/registry.ts builds them.
 */
import type { Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import type { QuoteTick, TradeTick, Quote } from '../../../core/market/quote';
import type { InstrumentId } from '../../../core/model/ids';
import type { StreamHealth } from '../../../core/market/stream-health';
import type { OptionChain, OptionChainFilter } from '../../../core/ports/market-data';
import { symbolKind } from '../../../core/market/symbols';
import { VenueInstruments } from '../../../core/market/instruments';
import type {
  OrderReplace,
  OrderRequest,
  OrderUpdate,
  VenueAccount,
  VenueListeners,
  VenueMode,
  VenueOrder,
  VenuePosition,
  VenueSessionState,
} from '../../../core/ports/venue';
import { StreamManager, type StreamManagerOptions } from '../../stream/stream-manager';
import type { SocketFactory } from '../../stream/socket';
import { wsSocketFactory } from '../../stream/ws-socket';
import { MarketDataProtocol, TradingProtocol, type Credentials, type TickSink } from './protocols';
import { AlpacaRestClient } from './rest';
import { ALPACA_DEFAULT_ENDPOINTS } from '../../config/market-config';

export type StockFeed = 'iex' | 'sip' | 'delayed_sip' | 'test';
export type OptionFeed = 'indicative' | 'opra';

export interface AlpacaUrls {
  /** e.g. wss://stream.data.alpaca.markets (the feed path is appended). */
  dataStream: string;
  /** e.g. wss://paper-api.alpaca.markets/stream */
  tradingStream: string;
  /** e.g. https://data.alpaca.markets */
  dataRest: string;
  /** e.g. https://paper-api.alpaca.markets */
  tradingRest: string;
}

/** Alpaca's own endpoints per environment (the defaults; env and the config file may override them). */
export const ALPACA_URLS: Record<'paper' | 'live', AlpacaUrls> = ALPACA_DEFAULT_ENDPOINTS;

export type StreamTuning = Pick<
  StreamManagerOptions,
  'backoff' | 'dataTimeoutMs' | 'handshakeTimeoutMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'connectionLimitWindowMs' | 'queueCapacity' | 'drainBatch' | 'stableAfterMs' | 'closeTimeoutMs'
>;

export interface AlpacaVenueConfig {
  name?: string;
  mode: VenueMode;
  credentials: Credentials;
  urls: AlpacaUrls;
  stockFeed: StockFeed;
  optionFeed: OptionFeed;
  /** The stock stream's encoding: JSON (spec default) or msgpack (as alpaca-py asks; ~1.7× cheaper to decode here). */
  stockEncoding?: 'json' | 'msgpack';
  streams?: { stocks?: boolean; options?: boolean; tradeUpdates?: boolean };
  tradeUpdatesAuth?: 'legacy' | 'current';
  /** Option channels (default quotes only: Alpaca's option trade limits are UNCONFIRMED). */
  optionChannels?: ('quotes' | 'trades')[];
  /** Tuning shared by the data streams. */
  tuning?: StreamTuning;
  /** trade_updates is silent for hours: its data timeout is off by default (pings detect dead sockets). */
  tradeUpdatesTuning?: StreamTuning;
  /** Coalesce quotes per symbol within one drain pass (default true). */
  coalesce?: boolean;
  restRequestsPerMinute?: number;
  /** A REST call with no answer within this fails (default 10 s): for orders its outcome is then unknown. */
  restTimeoutMs?: number;
}

export interface AlpacaVenueDeps {
  clock: Clock & Scheduler;
  logger?: Logger;
  random?: () => number;
  socketFactory?: SocketFactory;
}

/** Latest quote per instrument within one drain pass; trades keep their order. */
class CoalescingSink implements TickSink {
  private quotes = new Map<InstrumentId, QuoteTick>();
  private trades = new Map<InstrumentId, TradeTick>();
  coalesced = 0;

  constructor(
    private readonly onQuote: (t: QuoteTick) => void,
    private readonly onTrade: (t: TradeTick) => void,
  ) {}

  quote(t: QuoteTick): void {
    const size = this.quotes.size;
    this.quotes.set(t.instrument, t);
    if (this.quotes.size === size) this.coalesced++;
  }

  trade(t: TradeTick): void {
    const size = this.trades.size;
    this.trades.set(t.instrument, t);
    if (this.trades.size === size) this.coalesced++;
  }

  flush(): void {
    if (this.trades.size > 0) {
      const trades = this.trades;
      this.trades = new Map();
      for (const t of trades.values()) this.onTrade(t);
    }
    if (this.quotes.size > 0) {
      const quotes = this.quotes;
      this.quotes = new Map();
      for (const q of quotes.values()) this.onQuote(q);
    }
  }
}

export class AlpacaVenue {
  /** The venue instance's name: the venue part of the InstrumentId of every quote it produces. */
  readonly name: string;
  /** Symbol → InstrumentId, once per symbol (streams and REST share it). */
  readonly instruments: VenueInstruments;
  readonly mode: VenueMode;
  private config: AlpacaVenueConfig;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly listeners = new Set<Partial<VenueListeners>>();
  private readonly managers = new Map<'stocks' | 'options' | 'trade_updates', StreamManager>();
  private readonly rest: AlpacaRestClient;
  private session: VenueSessionState = 'not_started';
  /** The last REST error (shown in health), null when none yet. */
  lastRestError: string | null = null;
  /** When `lastRestError` happened (epoch ms). */
  lastRestErrorAt: number | null = null;
  /** When a REST call last succeeded (epoch ms): the `rest` health row's last event. */
  lastRestOkAt: number | null = null;
  /** The REST channel's own verdict: refused only when a REST call was refused (401, or 403 on a trading read). */
  private restRefused = false;
  private authenticatedOnce = false;
  private started = false;
  private readonly sinks: CoalescingSink[] = [];

  constructor(config: AlpacaVenueConfig, deps: AlpacaVenueDeps) {
    this.config = config;
    this.name = config.name ?? 'alpaca';
    this.instruments = new VenueInstruments(this.name);
    this.mode = config.mode;
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    const socketFactory = deps.socketFactory ?? wsSocketFactory();
    const random = deps.random ?? Math.random;
    const streams = { stocks: true, options: true, tradeUpdates: true, ...config.streams };
    const creds = () => this.config.credentials;
    const authenticatedBefore = () => this.authenticatedOnce;
    const onAuthenticated = () => {
      this.authenticatedOnce = true;
      if (this.session !== 'active') this.setSession('active', null);
    };
    const common = { clock: this.clock, logger: this.logger, random, socketFactory };
    const tickSink = (): TickSink => {
      const direct = { quote: (t: QuoteTick) => this.emitQuote(t), trade: (t: TradeTick) => this.emitTrade(t) };
      if (config.coalesce === false) return direct;
      const sink = new CoalescingSink(direct.quote, direct.trade);
      this.sinks.push(sink);
      return sink;
    };
    if (streams.stocks) {
      this.addManager(
        'stocks',
        new StreamManager({
          ...common,
          ...config.tuning,
          protocol: new MarketDataProtocol({
            name: 'stocks',
            url: `${config.urls.dataStream}/v2/${config.stockFeed}`,
            encoding: config.stockEncoding ?? 'json',
            channels: ['quotes', 'trades'],
            credentials: creds,
            authenticatedBefore,
            onAuthenticated,
            sink: tickSink(),
            instruments: this.instruments,
          }),
        }),
      );
    }
    if (streams.options) {
      this.addManager(
        'options',
        new StreamManager({
          ...common,
          ...config.tuning,
          protocol: new MarketDataProtocol({
            name: 'options',
            url: `${config.urls.dataStream}/v1beta1/${config.optionFeed}`,
            encoding: 'msgpack',
            channels: config.optionChannels ?? ['quotes'],
            credentials: creds,
            authenticatedBefore,
            onAuthenticated,
            sink: tickSink(),
            instruments: this.instruments,
          }),
        }),
      );
    }
    if (streams.tradeUpdates) {
      this.addManager(
        'trade_updates',
        new StreamManager({
          ...common,
          dataTimeoutMs: 0,
          ...config.tradeUpdatesTuning,
          // No orders, no messages: pings prove it alive, and "listening" resets its backoff.
          liveness: 'heartbeat',
          protocol: new TradingProtocol({
            url: config.urls.tradingStream,
            credentials: creds,
            authForm: config.tradeUpdatesAuth ?? 'legacy',
            authenticatedBefore,
            onAuthenticated,
            onOrderUpdate: (u) => this.emit('orderUpdate', u),
          }),
        }),
      );
    }
    this.rest = new AlpacaRestClient({
      tradingBaseUrl: config.urls.tradingRest,
      dataBaseUrl: config.urls.dataRest,
      credentials: creds,
      clock: this.clock,
      logger: this.logger,
      stockFeed: config.stockFeed === 'test' ? 'iex' : config.stockFeed,
      optionFeed: config.optionFeed,
      instruments: this.instruments,
      ...(config.restRequestsPerMinute ? { requestsPerMinute: config.restRequestsPerMinute } : {}),
      ...(config.restTimeoutMs ? { timeoutMs: config.restTimeoutMs } : {}),
      onSessionRefused: (status, message) => {
        this.restRefused = true;
        this.setSession('session_needed', `REST HTTP ${status}: ${message}`);
      },
      onError: (message) => {
        this.lastRestError = message;
        this.lastRestErrorAt = this.clock.now();
      },
      onSuccess: (at) => {
        this.lastRestOkAt = at;
      },
    });
  }

  // ---------- lifecycle ----------

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const m of this.managers.values()) m.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([...this.managers.values()].map((m) => m.stop()));
  }

  /** Releases the REST client's sockets too; the venue cannot be used afterwards. */
  async dispose(): Promise<void> {
    await this.stop();
    this.rest.close();
    this.listeners.clear();
  }

  async reauthenticate(credentials?: Credentials): Promise<void> {
    if (credentials) this.config = { ...this.config, credentials };
    this.authenticatedOnce = false;
    this.restRefused = false;
    this.lastRestError = null;
    this.lastRestErrorAt = null;
    this.setSession('not_started', null);
    if (this.started) await Promise.all([...this.managers.values()].map((m) => m.restart()));
  }

  // ---------- subscriptions ----------

  /** Routes each symbol to its stream; the stream managers keep the registry (and drop refused symbols). */
  subscribe(symbols: readonly string[]): void {
    const { stocks, options } = split(symbols);
    if (stocks.length) this.managers.get('stocks')?.subscribe(stocks);
    if (options.length) this.managers.get('options')?.subscribe(options);
  }

  unsubscribe(symbols: readonly string[]): void {
    const { stocks, options } = split(symbols);
    if (stocks.length) this.managers.get('stocks')?.unsubscribe(stocks);
    if (options.length) this.managers.get('options')?.unsubscribe(options);
  }

  /** What the enabled streams hold (symbols the venue refused are not included). */
  subscribedSymbols(): string[] {
    return [...(this.managers.get('stocks')?.symbols() ?? []), ...(this.managers.get('options')?.symbols() ?? [])];
  }

  // ---------- events and health ----------

  listen(listeners: Partial<VenueListeners>): () => void {
    this.listeners.add(listeners);
    return () => this.listeners.delete(listeners);
  }

  health(): StreamHealth[] {
    return [...this.managers.values()].map((m) => m.snapshot());
  }

  /** The venue's session: refused by any stream or by REST. */
  sessionState(): VenueSessionState {
    return this.session;
  }

  /** Whether REST itself refused the session (a stream refusal does not make REST `session_needed`). */
  get restSessionRefused(): boolean {
    return this.restRefused;
  }

  /** Quotes merged away by per-pass coalescing (reported, not lost: the latest always wins). */
  get coalescedQuotes(): number {
    return this.sinks.reduce((n, s) => n + s.coalesced, 0);
  }

  stream(name: 'stocks' | 'options' | 'trade_updates'): StreamManager | undefined {
    return this.managers.get(name);
  }

  get restCounters() {
    return this.rest.counters;
  }

  // ---------- REST ----------

  latestQuotes(symbols: readonly string[], opts: { trades?: boolean } = {}): Promise<Quote[]> {
    return this.rest.latestQuotes(symbols, opts);
  }

  snapshots(symbols: readonly string[]): Promise<Quote[]> {
    return this.rest.snapshots(symbols);
  }

  /** Which option contracts the venue lists (active / inactive) or does not know (unknown). */
  /** An underlying's option chain snapshot with greeks (REST, paged). */
  optionChain(underlying: string, filter?: OptionChainFilter): Promise<OptionChain> {
    return this.rest.optionChain(underlying, filter);
  }

  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    return this.rest.optionContractStatus(symbols);
  }

  positions(): Promise<VenuePosition[]> {
    return this.rest.positions();
  }

  orders(query?: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' }): Promise<VenueOrder[]> {
    return this.rest.orders(query);
  }

  account(): Promise<VenueAccount> {
    return this.rest.account();
  }

  orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    return this.rest.orderByClientId(clientOrderId);
  }

  placeOrder(order: OrderRequest): Promise<VenueOrder> {
    return this.rest.placeOrder(order);
  }

  replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    return this.rest.replaceOrder(orderId, patch);
  }

  cancelOrder(orderId: string): Promise<void> {
    return this.rest.cancelOrder(orderId);
  }

  // ---------- internals ----------

  private addManager(name: 'stocks' | 'options' | 'trade_updates', m: StreamManager): void {
    this.managers.set(name, m);
    m.onHealth((h) => {
      if (h.state === 'session_needed') this.setSession('session_needed', h.lastError);
      this.emit('health', h);
    });
    m.onReady((reconnected) => {
      if (reconnected) this.emit('resync', name);
    });
  }

  private setSession(state: VenueSessionState, reason: string | null): void {
    if (this.session === state) return;
    this.session = state;
    (state === 'session_needed' ? this.logger.warn : this.logger.info).call(this.logger, 'venue session state', { venue: this.name, state, reason });
    this.emit('session', state, reason);
  }

  private emitQuote(t: QuoteTick): void {
    for (const l of this.listeners) l.quote?.(t);
  }

  private emitTrade(t: TradeTick): void {
    for (const l of this.listeners) l.trade?.(t);
  }

  private emit<K extends keyof VenueListeners>(kind: K, ...args: Parameters<VenueListeners[K]>): void {
    for (const l of this.listeners) {
      const fn = l[kind] as ((...a: Parameters<VenueListeners[K]>) => void) | undefined;
      try {
        fn?.(...args);
      } catch (err) {
        this.logger.error('venue listener failed', { kind, message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

function split(symbols: readonly string[]): { stocks: string[]; options: string[] } {
  const stocks: string[] = [];
  const options: string[] = [];
  for (const s of symbols) (symbolKind(s) === 'option' ? options : stocks).push(s);
  return { stocks, options };
}

export type { OrderUpdate };
