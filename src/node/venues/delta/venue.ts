/**
 * The Delta Exchange venue connection: two sockets (public market data; private orders, positions
 * and fills), each kept alive by a StreamManager, plus the signed REST client and the product cache.
 * ./ports.ts splits it into the MarketDataPort and the ExecutionPort of an account.
 *
 * Quantities are integer CONTRACTS everywhere (the desk's quantity is Delta's size); an instrument's
 * multiplier is the product's contract value, its currency the product's quoting currency (USD on
 * Delta's BTC/ETH options, which also settle in USD). Venue greeks and IV come with every ticker and
 * are kept with their source and age for the option chain (contract selection uses them when fresh).
 */
import { createHash } from 'node:crypto';
import type { Clock, Scheduler, Cancel } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import type { Quote, QuoteTick } from '../../../core/market/quote';
import type { StreamHealth } from '../../../core/market/stream-health';
import { VenueInstruments } from '../../../core/market/instruments';
import type { Instrument } from '../../../core/model/instrument';
import { deltaInstrument, parseDeltaSymbol } from '../../../core/model/delta-symbols';
import type { OptionChain, OptionChainContract, OptionChainFilter } from '../../../core/ports/market-data';
import type { InstrumentRow, VenueId } from '../../../core/ports/ledger-store';
import { multiplierToString, priceToString } from '../../../core/model/money';
import {
  VenueError,
  type OrderReplace,
  type OrderRequest,
  type OrderUpdate,
  type VenueAccount,
  type VenueListeners,
  type VenueMode,
  type VenueOrder,
  type VenuePosition,
  type VenueSessionState,
} from '../../../core/ports/venue';
import { StreamManager, type StreamManagerOptions } from '../../stream/stream-manager';
import type { SocketFactory } from '../../stream/socket';
import { wsSocketFactory } from '../../stream/ws-socket';
import { DeltaPrivateProtocol, DeltaPublicProtocol, type TickerFormat } from './protocols';
import { DeltaRestClient, type DeltaProductRecord } from './rest';
import type { DeltaBookL1, DeltaFill, DeltaGreeks, DeltaIv, DeltaOrderEvent, DeltaOrderRecord, DeltaPositionRecord, DeltaTicker } from './parsers';
import type { DeltaCredentials } from './signing';

export type StreamTuning = Pick<StreamManagerOptions, 'backoff' | 'dataTimeoutMs' | 'handshakeTimeoutMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'connectionLimitWindowMs' | 'queueCapacity' | 'drainBatch' | 'stableAfterMs' | 'closeTimeoutMs'>;

export interface DeltaUrls {
  rest: string;
  /** Private socket (and the legacy public channels). */
  socket: string;
  /** The new public market-data socket. */
  publicSocket: string;
}

/** Delta's hosts (docs §1). Global's new public host is UNCONFIRMED (the docs repeat India's). */
export const DELTA_URLS: Record<'india' | 'india-testnet' | 'global' | 'global-testnet', DeltaUrls> = {
  india: { rest: 'https://api.india.delta.exchange', socket: 'wss://socket.india.delta.exchange', publicSocket: 'wss://public-socket.india.delta.exchange' },
  'india-testnet': { rest: 'https://cdn-ind.testnet.deltaex.org', socket: 'wss://socket-ind.testnet.deltaex.org', publicSocket: 'wss://socket-ind-pub.testnet.deltaex.org' },
  global: { rest: 'https://api.delta.exchange', socket: 'wss://socket.delta.exchange', publicSocket: 'wss://public-socket.india.delta.exchange' },
  'global-testnet': { rest: 'https://testnet-api.delta.exchange', socket: 'wss://testnet-socket.delta.exchange', publicSocket: 'wss://socket-ind-pub.testnet.deltaex.org' },
};

export interface DeltaVenueConfig {
  name?: string;
  mode: VenueMode;
  credentials: DeltaCredentials | null;
  urls: DeltaUrls;
  /** Start on `v2/ticker` (legacy host) instead of the new `ticker` channel. */
  tickerFormat?: TickerFormat;
  fillsChannel?: 'v2/user_trades' | 'user_trades';
  /** Public socket tuning; its data timeout measures DATA silence (tickers every 5 s, marks every 2 s). */
  tuning?: StreamTuning;
  /** Private socket tuning; default a 35 s frame timeout (the 30 s heartbeat's timer, §3.3). */
  privateTuning?: StreamTuning;
  streams?: { market?: boolean; private?: boolean };
  /** Venue greeks older than this are not offered as fresh in the chain's source (they still carry their age). */
  restTimeoutMs?: number;
  unitsPerWindow?: number;
  /** Product refresh period (default 10 min: dailies list every day). */
  productRefreshMs?: number;
  /**
   * The ledger's `instruments` table (v1): every product's instrument is written there, and a symbol
   * the live products do not (yet) list is looked up there — so a restart while Delta's REST is down
   * still knows the contracts it traded. `storeVenue`: `delta` (LIVE/PAPER) or `sim` (the sim face).
   */
  instrumentStore?: { upsertInstrument(row: InstrumentRow): void; getInstrument(venue: VenueId, symbol: string): InstrumentRow | null } | null;
  storeVenue?: VenueId;
}

export interface DeltaVenueDeps {
  clock: Clock & Scheduler;
  logger?: Logger;
  random?: () => number;
  socketFactory?: SocketFactory;
}

/** The latest venue figures of one contract: quotes go to the cache; these stay here. */
/** ob_l1 sends a book at least every 5 s: within this its books are the quote, the ticker's are not. */
const L1_ALIVE_MS = 6_000;

export interface DeltaMarketState {
  mark: string | null;
  markAt: number | null;
  spot: string | null;
  greeks: DeltaGreeks | null;
  iv: DeltaIv | null;
  /** When the greeks were computed by the venue (exchange time) or else received, epoch ms. */
  greeksAsOf: number | null;
  receivedAt: number;
}

interface ProductEntry {
  product: DeltaProductRecord;
  instrument: Instrument;
}

export class DeltaVenue {
  readonly name: string;
  readonly instruments: VenueInstruments;
  readonly mode: VenueMode;
  private config: DeltaVenueConfig;
  private readonly clock: Clock & Scheduler;
  private readonly logger: Logger;
  private readonly listeners = new Set<Partial<VenueListeners>>();
  private readonly managers = new Map<'options' | 'trade_updates', StreamManager>();
  readonly publicProtocol: DeltaPublicProtocol | null = null;
  readonly rest: DeltaRestClient;
  private readonly products = new Map<string, ProductEntry>();
  private readonly productsById = new Map<number, ProductEntry>();
  private productsLoadedAt: number | null = null;
  /** Instruments read back from the ledger (symbol → instrument, null = not there), for symbols the products lack. */
  private readonly stored = new Map<string, Instrument | null>();
  /** What was last written to the ledger per symbol (written again only when it changes). */
  private readonly written = new Map<string, string>();
  private productTimer: Cancel | null = null;
  /** Latest mark / greeks / IV per symbol. */
  readonly market = new Map<string, DeltaMarketState>();
  private readonly orders = new Map<string, DeltaOrderRecord>();
  /** Cumulative contracts filled per order id, from the fills seen (the order frame may come later). */
  private readonly filledByOrder = new Map<string, number>();
  private readonly seenFills = new Set<string>();
  private readonly livePositions = new Map<string, DeltaPositionRecord>();
  /** Delta's client order id holds ≤ 32 characters: longer desk ids go as a digest; digest → the desk's id. */
  private readonly longClientIds = new Map<string, string>();
  private session: VenueSessionState = 'not_started';
  lastRestError: string | null = null;
  lastRestErrorAt: number | null = null;
  lastRestOkAt: number | null = null;
  private restRefused = false;
  private authenticatedOnce = false;
  private started = false;
  /** Quotes of one drain pass, latest per symbol. */
  private pendingQuotes = new Map<string, QuoteTick>();
  readonly counters = { tickers: 0, marks: 0, books: 0, quotes: 0, fills: 0, orderEvents: 0 };
  /** When each symbol's last `ob_l1` book arrived (epoch ms). */
  private readonly l1At = new Map<string, number>();

  constructor(config: DeltaVenueConfig, deps: DeltaVenueDeps) {
    this.config = config;
    this.name = config.name ?? 'delta';
    this.instruments = new VenueInstruments(this.name);
    this.mode = config.mode;
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    const socketFactory = deps.socketFactory ?? wsSocketFactory();
    const random = deps.random ?? Math.random;
    const streams = { market: true, private: true, ...config.streams };
    const common = { clock: this.clock, logger: this.logger, random, socketFactory };
    if (streams.market) {
      const protocol = new DeltaPublicProtocol({
        url: config.urls.publicSocket,
        legacyUrl: config.urls.socket,
        format: config.tickerFormat ?? 'ticker',
        onTickers: (t, at) => this.onTickers(t, at),
        onMark: (m, at) => {
          this.counters.marks++;
          const s = this.stateOf(m.symbol, at);
          s.mark = m.price;
          s.markAt = m.exchangeTime ?? at;
        },
        onBook: (b, at) => this.onBook(b, at),
        flush: () => this.flushQuotes(),
      });
      this.publicProtocol = protocol;
      this.addManager('options', new StreamManager({ ...common, dataTimeoutMs: 15_000, ...config.tuning, dataTimeoutBasis: 'data', protocol }));
    }
    if (streams.private) {
      this.addManager(
        'trade_updates',
        new StreamManager({
          ...common,
          ...config.tuning,
          dataTimeoutMs: 35_000,
          ...config.privateTuning,
          liveness: 'heartbeat',
          dataTimeoutBasis: 'frame',
          protocol: new DeltaPrivateProtocol({
            url: config.urls.socket,
            clock: this.clock,
            credentials: () => this.config.credentials,
            ...(config.fillsChannel ? { fillsChannel: config.fillsChannel } : {}),
            authenticatedBefore: () => this.authenticatedOnce,
            onAuthenticated: () => {
              this.authenticatedOnce = true;
              if (this.session !== 'active') this.setSession('active', null);
            },
            onOrders: (events, action) => this.onOrders(events, action),
            onPositions: (p, action) => this.onPositions(p, action),
            onFills: (f, at) => this.onFills(f, at),
          }),
        }),
      );
    }
    this.rest = new DeltaRestClient({
      baseUrl: config.urls.rest,
      credentials: () => this.config.credentials,
      clock: this.clock,
      logger: this.logger,
      ...(config.restTimeoutMs ? { timeoutMs: config.restTimeoutMs } : {}),
      ...(config.unitsPerWindow ? { unitsPerWindow: config.unitsPerWindow } : {}),
      onSessionRefused: (status, message) => {
        this.restRefused = true;
        this.setSession('session_needed', `REST HTTP ${status}: ${message}`);
      },
      onError: (m) => {
        this.lastRestError = m;
        this.lastRestErrorAt = this.clock.now();
      },
      onSuccess: (at) => {
        this.lastRestOkAt = at;
      },
    });
  }

  /** The endpoints this connection uses. */
  get urls(): DeltaUrls {
    return this.config.urls;
  }

  /** The API key in use (never the secret), null when none. */
  get apiKey(): string | null {
    return this.config.credentials?.apiKey ?? null;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Products first (instruments, ids for orders); a failure is retried, the streams start anyway.
    await this.refreshProducts().catch((err: unknown) => this.logger.warn('delta products not loaded; retrying', { venue: this.name, error: err instanceof Error ? err.message : String(err) }));
    if (!this.started) return;
    this.scheduleProductRefresh();
    for (const m of this.managers.values()) m.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.productTimer?.();
    this.productTimer = null;
    await Promise.all([...this.managers.values()].map((m) => m.stop()));
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.rest.close();
    this.listeners.clear();
  }

  async reauthenticate(credentials?: DeltaCredentials): Promise<void> {
    if (credentials) this.config = { ...this.config, credentials };
    this.authenticatedOnce = false;
    this.restRefused = false;
    this.lastRestError = null;
    this.lastRestErrorAt = null;
    this.setSession('not_started', null);
    if (this.started) await Promise.all([...this.managers.values()].map((m) => m.restart()));
  }

  // ---------------------------------------------------------------- products

  async refreshProducts(): Promise<number> {
    const { products, rejected } = await this.rest.products();
    if (rejected.length > 0) this.logger.warn('delta products refused', { venue: this.name, count: rejected.length, first: rejected.slice(0, 5) });
    let bad = 0;
    for (const p of products) {
      try {
        const entry = { product: p, instrument: deltaInstrument(p.symbol, p) };
        this.products.set(p.symbol, entry);
        this.productsById.set(p.id, entry);
      } catch (err) {
        bad++;
        if (bad <= 5) this.logger.warn('delta product not usable', { venue: this.name, symbol: p.symbol, error: err instanceof Error ? err.message : String(err) });
      }
    }
    this.productsLoadedAt = this.clock.now();
    this.stored.clear();
    this.persist();
    return this.products.size;
  }

  private persist(): void {
    const store = this.config.instrumentStore;
    if (!store) return;
    const venue = this.config.storeVenue ?? 'delta';
    const now = this.clock.now();
    let failed = 0;
    for (const { instrument: i } of this.products.values()) {
      const row: InstrumentRow = {
        venue,
        symbol: i.symbol,
        kind: i.kind === 'option' || i.kind === 'perpetual' || i.kind === 'future' ? i.kind : 'other',
        underlying: i.underlying,
        expiry: i.expiry?.date ?? null,
        strike: i.strike === null ? null : priceToString(i.strike),
        right: i.right,
        multiplier: multiplierToString(i.multiplier),
        tickSize: priceToString(i.tickSize),
        lotSize: null,
        token: i.token ?? null,
        currency: i.currency.code,
        updatedAt: now,
      };
      const key = `${row.expiry}|${row.strike}|${row.multiplier}|${row.tickSize}|${row.token}|${row.currency}|${row.underlying}`;
      if (this.written.get(i.symbol) === key) continue;
      try {
        store.upsertInstrument(row);
        this.written.set(i.symbol, key);
      } catch (err) {
        if (++failed <= 3) this.logger.warn('delta instrument not written to the ledger', { venue: this.name, symbol: i.symbol, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** A symbol's instrument from the ledger (Delta settles at 12:00 UTC: the row keeps only the date). */
  private storedInstrument(symbol: string): Instrument | null {
    const store = this.config.instrumentStore;
    if (!store) return null;
    if (this.stored.has(symbol)) return this.stored.get(symbol)!;
    let out: Instrument | null = null;
    try {
      const row = store.getInstrument(this.config.storeVenue ?? 'delta', symbol);
      if (row) out = deltaInstrumentOfRow(symbol, row);
    } catch (err) {
      this.logger.warn('delta instrument in the ledger not usable', { venue: this.name, symbol, error: err instanceof Error ? err.message : String(err) });
    }
    this.stored.set(symbol, out);
    return out;
  }

  private scheduleProductRefresh(): void {
    const every = this.config.productRefreshMs ?? 10 * 60_000;
    if (every <= 0) return;
    this.productTimer = this.clock.setTimeout(() => {
      this.productTimer = null;
      if (!this.started) return;
      void this.refreshProducts()
        .catch((err: unknown) => this.logger.warn('delta products refresh failed', { venue: this.name, error: err instanceof Error ? err.message : String(err) }))
        .finally(() => {
          if (this.started) this.scheduleProductRefresh();
        });
    }, this.productsLoadedAt === null ? Math.min(every, 30_000) : every);
  }

  /** The product's instrument (contract value = multiplier), or null when the products do not list it. */
  instrument(symbol: string): Instrument | null {
    return this.products.get(symbol)?.instrument ?? this.storedInstrument(symbol);
  }

  product(symbol: string): DeltaProductRecord | null {
    return this.products.get(symbol)?.product ?? null;
  }

  productSymbols(): string[] {
    return [...this.products.keys()];
  }

  // ---------------------------------------------------------------- subscriptions, events

  subscribe(symbols: readonly string[]): void {
    this.managers.get('options')?.subscribe(symbols);
  }

  unsubscribe(symbols: readonly string[]): void {
    this.managers.get('options')?.unsubscribe(symbols);
  }

  subscribedSymbols(): string[] {
    return this.managers.get('options')?.symbols() ?? [];
  }

  listen(l: Partial<VenueListeners>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  health(): StreamHealth[] {
    return [...this.managers.values()].map((m) => m.snapshot());
  }

  stream(name: 'options' | 'trade_updates'): StreamManager | undefined {
    return this.managers.get(name);
  }

  sessionState(): VenueSessionState {
    return this.session;
  }

  get restSessionRefused(): boolean {
    return this.restRefused;
  }

  private stateOf(symbol: string, at: number): DeltaMarketState {
    let s = this.market.get(symbol);
    if (!s) {
      s = { mark: null, markAt: null, spot: null, greeks: null, iv: null, greeksAsOf: null, receivedAt: at };
      this.market.set(symbol, s);
    }
    s.receivedAt = at;
    return s;
  }

  /**
   * An `ob_l1` top of book (every 100 ms on change, at least every 5 s): the symbol's quote comes from
   * these while they flow; the 5 s ticker then brings only the venue's figures (mark, greeks, IV).
   */
  onBook(b: DeltaBookL1, receivedAt: number): void {
    this.counters.books++;
    const instrument = this.instruments.tryOf(b.symbol);
    if (instrument === null) return;
    this.l1At.set(b.symbol, receivedAt);
    this.pendingQuotes.set(b.symbol, { instrument, symbol: b.symbol, bid: b.bid, ask: b.ask, bidSize: b.bidSize, askSize: b.askSize, exchangeTime: b.exchangeTime, receivedAt });
  }

  /** Applies a batch of tickers (stream or REST): venue figures kept, quotes coalesced per pass. */
  onTickers(tickers: readonly DeltaTicker[], receivedAt: number): void {
    for (const t of tickers) {
      this.counters.tickers++;
      const s = this.stateOf(t.symbol, receivedAt);
      if (t.mark !== null) {
        s.mark = t.mark;
        s.markAt = t.exchangeTime ?? receivedAt;
      }
      if (t.spot !== null) s.spot = t.spot;
      if (t.greeks !== null) {
        s.greeks = t.greeks;
        s.greeksAsOf = t.exchangeTime ?? receivedAt;
      }
      if (t.iv !== null) s.iv = t.iv;
      const instrument = this.instruments.tryOf(t.symbol);
      if (instrument === null) continue;
      // while ob_l1 books flow for it (one at least every 5 s), the ticker's book (5 s old at worst) is not the quote
      const l1 = this.l1At.get(t.symbol);
      if (l1 !== undefined && receivedAt - l1 < L1_ALIVE_MS) continue;
      this.pendingQuotes.set(t.symbol, { instrument, symbol: t.symbol, bid: t.bid, ask: t.ask, bidSize: t.bidSize, askSize: t.askSize, exchangeTime: t.exchangeTime, receivedAt });
    }
  }

  flushQuotes(): void {
    if (this.pendingQuotes.size === 0) return;
    const quotes = this.pendingQuotes;
    this.pendingQuotes = new Map();
    for (const q of quotes.values()) {
      this.counters.quotes++;
      for (const l of this.listeners) l.quote?.(q);
    }
  }

  // ---------------------------------------------------------------- REST market data

  async latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    // Only listed products are asked (one unknown symbol would fail its whole ≤ 10-symbol call); before
    // the products load, everything is asked.
    const asked = this.productsLoadedAt === null ? [...symbols] : symbols.filter((s) => this.products.has(s));
    if (asked.length === 0) return [];
    const { tickers } = await this.rest.tickers(asked);
    const now = this.clock.now();
    this.onTickers(tickers, now);
    this.pendingQuotes.clear(); // REST answers go to the caller, not the stream listeners
    const out: Quote[] = [];
    for (const t of tickers) {
      const instrument = this.instruments.tryOf(t.symbol);
      if (instrument === null) continue;
      out.push({ instrument, symbol: t.symbol, bid: t.bid, ask: t.ask, last: null, bidSize: t.bidSize, askSize: t.askSize, exchangeTime: t.exchangeTime, receivedAt: now, source: 'rest' });
    }
    return out;
  }

  async optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    if (this.productsLoadedAt === null) await this.refreshProducts().catch(() => 0);
    const now = this.clock.now();
    const out = new Map<string, 'active' | 'inactive' | 'unknown'>();
    for (const s of symbols) {
      if (this.products.has(s)) {
        out.set(s, 'active');
        continue;
      }
      let status: 'inactive' | 'unknown' = 'unknown';
      try {
        const inst = deltaInstrument(s);
        if (this.productsLoadedAt !== null && inst.expiry && inst.expiry.epochMs <= now) status = 'inactive';
      } catch {
        status = 'unknown';
      }
      out.set(s, status);
    }
    return out;
  }

  /**
   * The option chain of `underlying` from the products, each contract with the freshest venue greeks
   * it has: the stream's (ticker, every 5 s) or a REST /v2/tickers answer, whichever is newer; the
   * source is `venue` and `asOf` the venue's timestamp of those greeks.
   */
  async optionChain(underlying: string, filter: OptionChainFilter = {}): Promise<OptionChain> {
    if (this.productsLoadedAt === null) await this.refreshProducts();
    const ul = underlying.toUpperCase();
    const rest = await this.rest.optionTickers(ul).catch((err: unknown) => {
      this.logger.warn('delta REST option tickers failed; the stream greeks only', { venue: this.name, underlying: ul, error: err instanceof Error ? err.message : String(err) });
      return { tickers: [] as DeltaTicker[], rejected: [] };
    });
    const now = this.clock.now();
    const restBy = new Map(rest.tickers.map((t) => [t.symbol, t]));
    const contracts: OptionChainContract[] = [];
    for (const { product, instrument } of this.products.values()) {
      if (instrument.kind !== 'option' || instrument.underlying !== ul || !instrument.expiry || !instrument.right || instrument.strike === null) continue;
      const strike = Number(product.strike_price ?? parseDeltaSymbol(product.symbol).strike);
      const date = instrument.expiry.date;
      if (filter.right && filter.right !== instrument.right) continue;
      if (filter.expiration && filter.expiration !== date) continue;
      if (filter.expirationGte && date < filter.expirationGte) continue;
      if (filter.expirationLte && date > filter.expirationLte) continue;
      if (filter.strikeGte !== undefined && strike < filter.strikeGte) continue;
      if (filter.strikeLte !== undefined && strike > filter.strikeLte) continue;
      const stream = this.market.get(product.symbol);
      const r = restBy.get(product.symbol);
      const restAsOf = r ? (r.exchangeTime ?? now) : null;
      const useRest = r !== undefined && r.greeks !== null && (stream?.greeks == null || (restAsOf ?? 0) > (stream.greeksAsOf ?? 0));
      const greeks = useRest ? r.greeks : (stream?.greeks ?? null);
      const asOf = useRest ? restAsOf : (stream?.greeksAsOf ?? null);
      const iv = useRest ? r.iv : (stream?.iv ?? r?.iv ?? null);
      const instrumentId = this.instruments.tryOf(product.symbol);
      const quote: Quote | null =
        r && instrumentId ? { instrument: instrumentId, symbol: product.symbol, bid: r.bid, ask: r.ask, last: null, bidSize: r.bidSize, askSize: r.askSize, exchangeTime: r.exchangeTime, receivedAt: now, source: 'rest' } : null;
      contracts.push({
        symbol: product.symbol,
        expiry: date,
        expiresAt: instrument.expiry.epochMs,
        strike,
        right: instrument.right,
        delta: greeks?.delta ?? null,
        gamma: greeks?.gamma ?? null,
        theta: greeks?.theta ?? null,
        vega: greeks?.vega ?? null,
        rho: greeks?.rho ?? null,
        impliedVolatility: iv?.mark ?? null,
        greeks: greeks?.delta != null ? { source: 'venue', asOf } : null,
        quote,
      });
    }
    contracts.sort((a, b) => a.expiresAt - b.expiresAt || a.strike - b.strike || (a.right < b.right ? -1 : 1));
    return { underlying: ul, contracts, receivedAt: now };
  }

  // ---------------------------------------------------------------- private events

  private onOrders(events: DeltaOrderEvent[], action: string): void {
    for (const e of events) {
      this.counters.orderEvents++;
      const prev = this.orders.get(e.order.id);
      const merged: DeltaOrderRecord = { ...e.order, symbol: e.order.symbol || prev?.symbol || '', clientOrderId: e.order.clientOrderId || prev?.clientOrderId || '' };
      this.orders.set(merged.id, merged);
      if (action === 'snapshot') continue; // the REST resync reads the state; a snapshot is not an event
      // Fills come from the fills channel (with their price); the orders channel says new / cancelled.
      const event = e.action === 'create' ? 'new' : merged.state === 'cancelled' ? 'canceled' : e.action === 'delete' && merged.state !== 'closed' ? 'canceled' : null;
      if (event === null) continue;
      const now = this.clock.now();
      this.emitOrderUpdate({ event, order: this.toVenueOrder(merged), executionId: null, price: null, qty: null, positionQty: null, timestamp: merged.updatedAt, receivedAt: now });
    }
  }

  private onPositions(positions: DeltaPositionRecord[], action: string): void {
    if (action === 'snapshot') this.livePositions.clear();
    for (const p of positions) {
      const symbol = p.symbol || (p.productId !== null ? (this.productsById.get(p.productId)?.product.symbol ?? '') : '');
      if (!symbol) continue;
      if (p.size === 0) this.livePositions.delete(symbol);
      else this.livePositions.set(symbol, { ...p, symbol });
    }
  }

  private onFills(fills: DeltaFill[], receivedAt: number): void {
    for (const f of fills) {
      if (this.seenFills.has(f.fillId)) continue;
      this.seenFills.add(f.fillId);
      this.counters.fills++;
      const cum = (this.filledByOrder.get(f.orderId) ?? 0) + f.size;
      this.filledByOrder.set(f.orderId, cum);
      const known = this.orders.get(f.orderId);
      const record: DeltaOrderRecord = known ?? {
        id: f.orderId,
        clientOrderId: f.clientOrderId,
        symbol: f.symbol,
        productId: null,
        side: f.side,
        orderType: '',
        size: null,
        unfilledSize: null,
        limitPrice: null,
        stopPrice: null,
        averageFillPrice: null,
        state: 'open',
        timeInForce: 'gtc',
        createdAt: null,
        updatedAt: f.time,
      };
      const order = this.toVenueOrder(record);
      const filled = Math.max(cum, Number(order.filledQty));
      order.filledQty = String(filled);
      if (!order.clientOrderId) order.clientOrderId = this.longClientIds.get(f.clientOrderId) ?? f.clientOrderId;
      if (!order.symbol) order.symbol = f.symbol;
      if (order.side === '') order.side = f.side;
      const complete = record.size !== null && filled >= record.size;
      if (complete) order.status = 'filled';
      this.emitOrderUpdate({
        event: complete ? 'fill' : 'partial_fill',
        order,
        executionId: f.fillId,
        price: f.price,
        qty: String(f.size),
        positionQty: f.positionAfter === null ? null : String(f.positionAfter),
        timestamp: f.time,
        receivedAt,
      });
    }
  }

  toVenueOrder(r: DeltaOrderRecord): VenueOrder {
    const size = r.size;
    const filled = size !== null && r.unfilledSize !== null ? size - r.unfilledSize : 0;
    const seen = this.filledByOrder.get(r.id) ?? 0;
    const filledQty = Math.max(filled, seen);
    let status: string;
    switch (r.state) {
      case 'open':
        status = filledQty > 0 ? 'partially_filled' : 'new';
        break;
      case 'pending':
        status = 'accepted';
        break;
      case 'closed':
        status = size !== null && filledQty >= size ? 'filled' : filledQty > 0 ? 'filled' : 'canceled';
        break;
      case 'cancelled':
        status = 'canceled';
        break;
      default:
        status = r.state;
    }
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: r.id,
      clientOrderId: this.longClientIds.get(r.clientOrderId) ?? r.clientOrderId,
      symbol: r.symbol || (r.productId !== null ? (this.productsById.get(r.productId)?.product.symbol ?? '') : ''),
      side: r.side,
      type: r.orderType === 'market_order' ? 'market' : r.orderType === 'limit_order' ? 'limit' : r.orderType,
      orderClass: 'simple',
      timeInForce: r.timeInForce === 'ioc' ? 'ioc' : 'gtc',
      qty: size === null ? null : String(size),
      filledQty: String(filledQty),
      filledAvgPrice: r.averageFillPrice,
      limitPrice: r.limitPrice,
      stopPrice: r.stopPrice,
      status,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
      legs: [],
    };
  }

  // ---------------------------------------------------------------- trading REST

  private productOrThrow(symbol: string, where: string): DeltaProductRecord {
    const p = this.products.get(symbol)?.product;
    if (!p) throw new VenueError(`${where}: ${symbol} is not a live Delta product (products loaded ${this.productsLoadedAt === null ? 'never' : `${this.products.size}`})`, null, null, 'rejected');
    return p;
  }

  async placeOrder(order: OrderRequest): Promise<VenueOrder> {
    if (order.orderClass === 'mleg' || (order.legs && order.legs.length > 0)) throw new VenueError('place order: Delta has no multi-leg orders (place each leg)', null, null, 'rejected');
    if (!order.symbol || !order.side) throw new VenueError('place order: symbol and side are required', null, null, 'rejected');
    if (!/^[1-9]\d{0,11}$/.test(order.qty)) throw new VenueError(`place order ${order.symbol}: quantity ${JSON.stringify(order.qty)} is not a whole number of contracts`, null, null, 'rejected');
    if (order.type !== 'market' && order.type !== 'limit') throw new VenueError(`place order ${order.symbol}: order type ${order.type} is not supported on Delta here (market, limit)`, null, null, 'rejected');
    if (order.type === 'limit' && (!order.limitPrice || !(Number(order.limitPrice) > 0))) throw new VenueError(`place order ${order.symbol}: a limit order needs a positive limit price`, null, null, 'rejected');
    const p = this.productOrThrow(order.symbol, 'place order');
    const rec = await this.rest.placeOrder({
      product_id: p.id,
      size: Number(order.qty),
      side: order.side,
      order_type: order.type === 'market' ? 'market_order' : 'limit_order',
      ...(order.type === 'limit' ? { limit_price: order.limitPrice! } : {}),
      time_in_force: order.timeInForce === 'ioc' ? 'ioc' : 'gtc',
      client_order_id: this.wireClientId(order.clientOrderId),
    });
    const merged = { ...rec, symbol: rec.symbol || order.symbol, clientOrderId: rec.clientOrderId || this.wireClientId(order.clientOrderId) };
    this.orders.set(merged.id, merged);
    return this.toVenueOrder(merged);
  }

  async replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    const known = this.orders.get(orderId) ?? (await this.findOrder(orderId));
    if (!known) throw new VenueError(`replace order ${orderId}: not a known open order`, 404, null, 'not_found');
    const p = this.productOrThrow(known.symbol, 'replace order');
    if (patch.qty !== undefined && !/^[1-9]\d{0,11}$/.test(patch.qty)) throw new VenueError(`replace order ${orderId}: quantity ${patch.qty} is not a whole number of contracts`, null, null, 'rejected');
    const rec = await this.rest.editOrder({ id: Number(orderId), product_id: p.id, ...(patch.limitPrice ? { limit_price: patch.limitPrice } : {}), ...(patch.qty ? { size: Number(patch.qty) } : {}) });
    const merged = { ...rec, symbol: rec.symbol || known.symbol, clientOrderId: rec.clientOrderId || known.clientOrderId };
    this.orders.set(merged.id, merged);
    return this.toVenueOrder(merged);
  }

  async cancelOrder(orderId: string): Promise<void> {
    const known = this.orders.get(orderId) ?? (await this.findOrder(orderId));
    if (!known) throw new VenueError(`cancel order ${orderId}: not a known open order`, 404, null, 'not_found');
    const productId = known.productId ?? this.productOrThrow(known.symbol, 'cancel order').id;
    const rec = await this.rest.cancelOrder(Number(orderId), productId);
    if (rec) this.orders.set(rec.id, { ...rec, symbol: rec.symbol || known.symbol, clientOrderId: rec.clientOrderId || known.clientOrderId });
  }

  private async findOrder(orderId: string): Promise<DeltaOrderRecord | null> {
    const open = await this.rest.openOrders();
    for (const o of open) this.orders.set(o.id, o);
    return open.find((o) => o.id === orderId) ?? null;
  }

  /**
   * The client order id as sent to Delta (≤ 32 characters): the desk's own when it fits, else "ld" +
   * 30 hex of its SHA-256 — deterministic, so a lookup after a restart finds the order; the mapping
   * back to the desk's id is kept for the orders this run placed or looked up.
   */
  wireClientId(clientOrderId: string): string {
    if (clientOrderId.length <= 32) return clientOrderId;
    const short = `ld${createHash('sha256').update(clientOrderId).digest('hex').slice(0, 30)}`;
    this.longClientIds.set(short, clientOrderId);
    return short;
  }

  async orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    const r = await this.rest.orderByClientId(this.wireClientId(clientOrderId));
    if (!r) return null;
    this.orders.set(r.id, r);
    return this.toVenueOrder(r);
  }

  async ordersQuery(query: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' } = {}): Promise<VenueOrder[]> {
    const status = query.status ?? 'open';
    const records: DeltaOrderRecord[] = [];
    if (status === 'open' || status === 'all') records.push(...(await this.rest.openOrders()));
    if (status === 'closed' || status === 'all') records.push(...(await this.rest.orderHistory(50)));
    const afterMs = query.after ? Date.parse(query.after) : null;
    let out = records
      .filter((r) => afterMs === null || !Number.isFinite(afterMs) || (r.createdAt ?? 0) > afterMs)
      .map((r) => {
        this.orders.set(r.id, r);
        return this.toVenueOrder(r);
      });
    out.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
    if ((query.direction ?? 'desc') === 'desc') out.reverse();
    out = out.slice(0, query.limit ?? 500);
    return out;
  }

  async positions(): Promise<VenuePosition[]> {
    const list = await this.rest.positions();
    const out: VenuePosition[] = [];
    for (const p of list) {
      if (p.size === 0) continue;
      const symbol = p.symbol || (p.productId !== null ? (this.productsById.get(p.productId)?.product.symbol ?? '') : '');
      if (!symbol) continue;
      const state = this.market.get(symbol);
      out.push({
        symbol,
        assetClass: this.products.get(symbol)?.product.contract_type ?? 'delta',
        qty: String(Math.abs(p.size)),
        side: p.size < 0 ? 'short' : 'long',
        avgEntryPrice: p.entryPrice ?? '0',
        marketValue: null,
        costBasis: null,
        unrealizedPl: null,
        currentPrice: state?.mark ?? null,
      });
    }
    return out;
  }

  /** The live positions the private channel last reported (signed contracts). */
  streamPositions(): DeltaPositionRecord[] {
    return [...this.livePositions.values()];
  }

  async account(): Promise<VenueAccount> {
    const balances = await this.rest.balances();
    const usd = balances.find((b) => b.asset === 'USD' || b.asset === 'USDT') ?? balances[0];
    return {
      id: this.name,
      status: 'ACTIVE',
      currency: usd?.asset === 'USDT' ? 'USD' : (usd?.asset ?? 'USD'),
      cash: usd?.balance ?? '0',
      equity: usd?.balance ?? '0',
      buyingPower: usd?.available ?? '0',
      optionsBuyingPower: usd?.available ?? null,
      optionsTradingLevel: null,
    };
  }

  // ---------------------------------------------------------------- internals

  private addManager(name: 'options' | 'trade_updates', m: StreamManager): void {
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

  private emitOrderUpdate(u: OrderUpdate): void {
    this.emit('orderUpdate', u);
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

/** A Delta product kept in the ledger's `instruments` table as an Instrument (the row keeps only the settlement date: 12:00 UTC). */
export function deltaInstrumentOfRow(symbol: string, row: InstrumentRow): Instrument {
  return deltaInstrument(symbol, {
    symbol,
    contract_value: row.multiplier,
    tick_size: row.tickSize ?? '0.1',
    settlement_time: row.expiry ? `${row.expiry}T12:00:00Z` : null,
    strike_price: row.strike,
    ...(row.underlying ? { underlying_asset: { symbol: row.underlying } } : {}),
    quoting_asset: { symbol: row.currency },
    ...(row.token !== null && /^\d+$/.test(row.token) ? { id: Number(row.token) } : {}),
  });
}
