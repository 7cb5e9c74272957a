/**
 * Alpaca REST (alpaca.md §4): `APCA-API-*` headers, JSON bodies, responses validated with zod.
 * Rate-limit aware: a client-side token bucket per host stays under the plan's requests/minute,
 * `X-RateLimit-Remaining: 0` waits until `X-RateLimit-Reset`, and a 429 is retried (bounded) after
 * the reset time. Uses node:http(s) with its own keep-alive agent so `close()` frees every socket.
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import { MAX_PLAUSIBLE_PRICE, MAX_PLAUSIBLE_SIZE, type Quote } from '../../../core/market/quote';
import type { VenueInstruments } from '../../../core/market/instruments';
import { symbolKind } from '../../../core/market/symbols';
import { occInstrument, parseOcc } from '../../../core/model/occ';
import type { OptionChain, OptionChainContract, OptionChainFilter } from '../../../core/ports/market-data';
import {
  VenueError,
  type OrderReplace,
  type OrderRequest,
  type VenueAccount,
  type VenueOrder,
  type VenuePosition,
} from '../../../core/ports/venue';
import { alpacaOrderSchema } from './trading-parser';
import { parseRfc3339Ms } from './codec';
import type { Credentials } from './protocols';

export interface AlpacaRestOptions {
  tradingBaseUrl: string;
  dataBaseUrl: string;
  credentials: () => Credentials;
  clock: Clock & Scheduler;
  logger?: Logger;
  stockFeed: string;
  optionFeed: string;
  /** The venue instance's symbol → InstrumentId interning: every quote returned carries its `instrument`. */
  instruments: VenueInstruments;
  /** Requests per minute per host kept client-side (default 190: under Alpaca's 200). */
  requestsPerMinute?: number;
  timeoutMs?: number;
  /** 429 retries before giving up (default 2). */
  maxRetries?: number;
  /** Longest wait for a rate-limit reset before failing instead (default 60 s). */
  maxWaitMs?: number;
  /** 401 (any call) or 403 on a trading GET: the session is gone. */
  onSessionRefused?: (status: number, message: string) => void;
  /** Every failed call, with its message (for health). */
  onError?: (message: string) => void;
  /** Every call answered with a 2xx (for health: the REST channel's last event). */
  onSuccess?: (at: number) => void;
}

type Host = 'trading' | 'data';

interface Bucket {
  tokens: number;
  at: number;
  /** Server said 0 remaining until this time (epoch ms). */
  blockedUntil: number;
}

const num = z.number().finite();
// Implausible prices and sizes are refused here as on the streams (market/quote.ts limits): the
// response fails validation, naming the field, and never reaches the cache.
const restPrice = num.nonnegative().max(MAX_PLAUSIBLE_PRICE, `above the plausible maximum price ${MAX_PLAUSIBLE_PRICE}`);
const restSize = num.nonnegative().max(MAX_PLAUSIBLE_SIZE, `above the plausible maximum size ${MAX_PLAUSIBLE_SIZE}`);
const restQuoteSchema = z.object({
  bp: restPrice.optional(),
  ap: restPrice.optional(),
  bs: restSize.optional(),
  as: restSize.optional(),
  t: z.string().max(64).optional(),
});
const restTradeSchema = z.object({ p: num.positive().max(MAX_PLAUSIBLE_PRICE, `above the plausible maximum price ${MAX_PLAUSIBLE_PRICE}`).optional(), t: z.string().max(64).optional() });
const optionContractSchema = z.object({ symbol: z.string().max(64), status: z.string().max(32), tradable: z.boolean().optional() });
const latestQuotesSchema = z.object({ quotes: z.record(z.string(), restQuoteSchema) });
const latestTradesSchema = z.object({ trades: z.record(z.string(), restTradeSchema) });
const stockSnapshotsSchema = z.record(z.string(), z.object({ latestQuote: restQuoteSchema.nullable().optional(), latestTrade: restTradeSchema.nullable().optional() }).nullable());
const optionSnapshotsSchema = z.object({
  snapshots: z.record(z.string(), z.object({ latestQuote: restQuoteSchema.nullable().optional(), latestTrade: restTradeSchema.nullable().optional() })),
  next_page_token: z.string().nullable().optional(),
});
/**
 * The chain endpoint's snapshot (alpaca.md §4.1, GET /v1beta1/options/snapshots/{underlying}). Greeks
 * and `impliedVolatility` are optional (absent on the indicative feed; the Go SDK marks them
 * optional); each greek is read on its own. UNCONFIRMED: whether a greek can be null rather than
 * absent (both accepted), and the greeks' own time — the response has none, so the desk dates them
 * by the snapshot's latest quote time `t` (see optionChain). Other fields (minuteBar, dailyBar…) are
 * ignored.
 */
const greekValue = num.nullable().optional();
const chainSnapshotSchema = z.object({
  latestQuote: restQuoteSchema.nullable().optional(),
  latestTrade: restTradeSchema.nullable().optional(),
  greeks: z.object({ delta: greekValue, gamma: greekValue, theta: greekValue, vega: greekValue, rho: greekValue }).nullable().optional(),
  impliedVolatility: greekValue,
});
const optionChainSchema = z.object({
  snapshots: z.record(z.string().max(64), chainSnapshotSchema).nullable().optional(),
  next_page_token: z.string().max(4096).nullable().optional(),
});
/** Pages a chain request may take before it is refused (1000 contracts a page). */
const MAX_CHAIN_PAGES = 50;
const s = z.union([z.string(), z.number()]).transform(String);
const sOpt = s.nullable().optional().transform((v) => v ?? null);
const positionSchema = z.object({
  symbol: z.string(),
  asset_class: z.string().default(''),
  qty: s,
  side: z.enum(['long', 'short']),
  avg_entry_price: s,
  market_value: sOpt,
  cost_basis: sOpt,
  unrealized_pl: sOpt,
  current_price: sOpt,
});
const accountSchema = z.object({
  id: z.string(),
  status: z.string(),
  currency: z.string().default('USD'),
  cash: s,
  equity: s,
  buying_power: s,
  options_buying_power: sOpt,
  options_trading_level: z.number().int().nullable().optional(),
});
const errorBodySchema = z.object({ code: z.number().optional(), message: z.string().optional() });

export class AlpacaRestClient {
  private readonly o: Required<Omit<AlpacaRestOptions, 'logger' | 'onSessionRefused' | 'onError' | 'onSuccess'>> & Pick<AlpacaRestOptions, 'onSessionRefused' | 'onError' | 'onSuccess'> & { logger: Logger };
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly buckets: Record<Host, Bucket>;
  private readonly waits = new Set<{ cancel: Cancel; reject: (e: Error) => void }>();
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;
  /** Calls made (for health and tests). */
  readonly counters = { requests: 0, rateLimited: 0, retries: 0, errors: 0 };

  constructor(opts: AlpacaRestOptions) {
    this.o = { requestsPerMinute: 190, timeoutMs: 10_000, maxRetries: 2, maxWaitMs: 60_000, ...opts, logger: opts.logger ?? silentLogger };
    const now = this.o.clock.now();
    const full = Math.max(1, Math.floor(this.o.requestsPerMinute / 10));
    this.buckets = { trading: { tokens: full, at: now, blockedUntil: 0 }, data: { tokens: full, at: now, blockedUntil: 0 } };
  }

  /** Aborts in-flight requests and waits, and frees every pooled socket. */
  close(): void {
    this.closed = true;
    for (const w of this.waits) {
      w.cancel();
      w.reject(new VenueError('REST client closed', null, null, 'network'));
    }
    this.waits.clear();
    for (const req of this.inflight) req.destroy(new Error('REST client closed'));
    this.inflight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ---------- market data ----------

  /**
   * Latest quotes for stocks and options (options in chunks of 100, Alpaca's per-request limit).
   * With `trades` (the mark policy values positions at the last trade), the latest trades too
   * (`/v2/stocks/trades/latest`, `/v1beta1/options/trades/latest`): each quote then carries `last`,
   * and a symbol with a trade but no quote still comes back. Without it `last` is null (unknown:
   * the cache keeps the last trade it knew).
   */
  async latestQuotes(symbols: readonly string[], opts: { trades?: boolean } = {}): Promise<Quote[]> {
    const stocks = symbols.filter((x) => symbolKind(x) === 'stock');
    const options = symbols.filter((x) => symbolKind(x) === 'option');
    const quotes: Record<string, z.infer<typeof restQuoteSchema>> = {};
    const trades: Record<string, number> = {};
    const chunks: [string, string, string, readonly string[], number][] = [
      ['/v2/stocks/quotes/latest', '/v2/stocks/trades/latest', this.o.stockFeed, stocks, 200],
      ['/v1beta1/options/quotes/latest', '/v1beta1/options/trades/latest', this.o.optionFeed, options, 100],
    ];
    for (const [quotePath, tradePath, feed, list, size] of chunks) {
      for (let i = 0; i < list.length; i += size) {
        const q = { symbols: list.slice(i, i + size).join(','), feed };
        Object.assign(quotes, parseOr(latestQuotesSchema, await this.request('data', 'GET', quotePath, q), `latest ${quotePath.includes('options') ? 'option' : 'stock'} quotes`).quotes);
        if (!opts.trades) continue;
        const t = parseOr(latestTradesSchema, await this.request('data', 'GET', tradePath, q), `latest ${tradePath.includes('options') ? 'option' : 'stock'} trades`).trades;
        for (const [symbol, trade] of Object.entries(t)) {
          if (trade.p === undefined) continue;
          trades[symbol] = trade.p;
          quotes[symbol] ??= {};
        }
      }
    }
    return this.toQuotes(quotes, trades);
  }

  /** Snapshots (latest quote + latest trade) for stocks and options. */
  async snapshots(symbols: readonly string[]): Promise<Quote[]> {
    const stocks = symbols.filter((x) => symbolKind(x) === 'stock');
    const options = symbols.filter((x) => symbolKind(x) === 'option');
    const out: Quote[] = [];
    if (stocks.length > 0) {
      const body = parseOr(stockSnapshotsSchema, await this.request('data', 'GET', '/v2/stocks/snapshots', { symbols: stocks.join(','), feed: this.o.stockFeed }), 'stock snapshots');
      out.push(...this.snapshotQuotes(body));
    }
    for (let i = 0; i < options.length; i += 100) {
      const body = parseOr(optionSnapshotsSchema, await this.request('data', 'GET', '/v1beta1/options/snapshots', { symbols: options.slice(i, i + 100).join(','), feed: this.o.optionFeed }), 'option snapshots');
      out.push(...this.snapshotQuotes(body.snapshots));
    }
    return out;
  }

  /**
   * An underlying's option chain snapshot (GET /v1beta1/options/snapshots/{underlying}, data host,
   * the option feed), narrowed by `filter`, every page (`next_page_token`, 1000 a page, at most
   * MAX_CHAIN_PAGES). Per contract: its OCC fields, the latest quote (source rest), and the venue's
   * greeks as decimal strings — null when absent, a delta outside [-1, 1] or a negative IV is
   * dropped as implausible (unknown, never a guess) and the contract keeps no greeks. The greeks'
   * time (`greeks.asOf`) is the snapshot's latest quote time: Alpaca sends none of its own
   * (UNCONFIRMED that they are computed at that quote); without a quote time it is null (unknown
   * age: a consumer treats them as stale). A key that is not an OCC symbol is left out.
   */
  async optionChain(underlying: string, filter: OptionChainFilter = {}): Promise<OptionChain> {
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(underlying)) throw new VenueError(`option chain: invalid underlying symbol ${JSON.stringify(underlying)}`, null, null, 'rejected');
    const q: Record<string, string> = { feed: this.o.optionFeed, limit: '1000' };
    if (filter.right) q.type = filter.right;
    if (filter.expiration) q.expiration_date = filter.expiration;
    if (filter.expirationGte) q.expiration_date_gte = filter.expirationGte;
    if (filter.expirationLte) q.expiration_date_lte = filter.expirationLte;
    if (filter.strikeGte !== undefined) q.strike_price_gte = String(filter.strikeGte);
    if (filter.strikeLte !== undefined) q.strike_price_lte = String(filter.strikeLte);
    const path = `/v1beta1/options/snapshots/${encodeURIComponent(underlying)}`;
    const snaps: Record<string, z.infer<typeof chainSnapshotSchema>> = {};
    for (let page = 0; ; page++) {
      if (page >= MAX_CHAIN_PAGES) throw new VenueError(`option chain ${underlying}: more than ${MAX_CHAIN_PAGES} pages; narrow the request (expiry, strikes, type)`, null, null, 'invalid_response');
      const body = parseOr(optionChainSchema, await this.request('data', 'GET', path, q), `option chain ${underlying}`);
      Object.assign(snaps, body.snapshots ?? {});
      if (!body.next_page_token) break;
      q.page_token = body.next_page_token;
    }
    const receivedAt = this.o.clock.now();
    const quoteMap: Record<string, z.infer<typeof restQuoteSchema>> = {};
    const trades: Record<string, number> = {};
    for (const [symbol, snap] of Object.entries(snaps)) {
      quoteMap[symbol] = snap.latestQuote ?? {};
      if (snap.latestTrade?.p !== undefined) trades[symbol] = snap.latestTrade.p;
    }
    const quotes = new Map(this.toQuotes(quoteMap, trades).map((x) => [x.symbol, x]));
    const contracts: OptionChainContract[] = [];
    for (const [symbol, snap] of Object.entries(snaps)) {
      let c;
      let expiresAt: number;
      try {
        c = parseOcc(symbol);
        expiresAt = occInstrument(symbol).expiry!.epochMs;
      } catch {
        continue;
      }
      const g = snap.greeks ?? null;
      const text = (v: number | null | undefined) => (v === null || v === undefined ? null : String(v));
      const deltaOk = g?.delta !== null && g?.delta !== undefined && Math.abs(g.delta) <= 1;
      const iv = snap.impliedVolatility;
      const quote = quotes.get(symbol) ?? null;
      contracts.push({
        symbol,
        expiry: c.expiry,
        expiresAt,
        strike: c.strikeMilli / 1000,
        right: c.right,
        delta: deltaOk ? text(g!.delta) : null,
        gamma: deltaOk ? text(g!.gamma) : null,
        theta: deltaOk ? text(g!.theta) : null,
        vega: deltaOk ? text(g!.vega) : null,
        rho: deltaOk ? text(g!.rho) : null,
        impliedVolatility: iv !== null && iv !== undefined && iv >= 0 ? String(iv) : null,
        greeks: deltaOk ? { source: 'venue', asOf: quote?.exchangeTime ?? null } : null,
        quote,
      });
    }
    contracts.sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.strike - b.strike || (a.symbol < b.symbol ? -1 : 1)));
    return { underlying, contracts, receivedAt };
  }

  /**
   * Whether the venue lists each option contract (GET /v2/options/contracts/{symbol}, trading
   * host): `active`, `inactive` (listed but not tradable, e.g. expired) or `unknown` (404: the venue
   * does not know it). One request per symbol, through the rate limiter; other errors throw.
   */
  async optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    const out = new Map<string, 'active' | 'inactive' | 'unknown'>();
    for (const symbol of symbols) {
      try {
        const body = parseOr(optionContractSchema, await this.request('trading', 'GET', `/v2/options/contracts/${encodeURIComponent(symbol)}`), 'option contract');
        out.set(symbol, body.status === 'active' && body.tradable !== false ? 'active' : 'inactive');
      } catch (err) {
        if (err instanceof VenueError && err.kind === 'not_found') out.set(symbol, 'unknown');
        else throw err;
      }
    }
    return out;
  }

  // ---------- trading ----------

  async account(): Promise<VenueAccount> {
    const a = parseOr(accountSchema, await this.request('trading', 'GET', '/v2/account'), 'account');
    return {
      id: a.id,
      status: a.status,
      currency: a.currency,
      cash: a.cash,
      equity: a.equity,
      buyingPower: a.buying_power,
      optionsBuyingPower: a.options_buying_power,
      optionsTradingLevel: a.options_trading_level ?? null,
    };
  }

  async positions(): Promise<VenuePosition[]> {
    const list = parseOr(z.array(positionSchema), await this.request('trading', 'GET', '/v2/positions'), 'positions');
    return list.map((p) => ({
      symbol: p.symbol,
      assetClass: p.asset_class,
      qty: p.qty.replace(/^-/, ''),
      side: p.side,
      avgEntryPrice: p.avg_entry_price,
      marketValue: p.market_value,
      costBasis: p.cost_basis,
      unrealizedPl: p.unrealized_pl,
      currentPrice: p.current_price,
    }));
  }

  async orders(query: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' } = {}): Promise<VenueOrder[]> {
    const q: Record<string, string> = { status: query.status ?? 'open', limit: String(query.limit ?? 500), nested: 'true' };
    if (query.after) q.after = query.after;
    if (query.direction) q.direction = query.direction;
    return parseOr(z.array(alpacaOrderSchema), await this.request('trading', 'GET', '/v2/orders', q), 'orders');
  }

  /** The order placed with `clientOrderId` (GET /v2/orders:by_client_order_id); null when the venue does not know it (404). */
  async orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    try {
      return parseOr(alpacaOrderSchema, await this.request('trading', 'GET', '/v2/orders:by_client_order_id', { client_order_id: clientOrderId }), 'order');
    } catch (err) {
      if (err instanceof VenueError && err.kind === 'not_found') return null;
      throw err;
    }
  }

  async placeOrder(order: OrderRequest): Promise<VenueOrder> {
    const body: Record<string, unknown> = {
      client_order_id: order.clientOrderId,
      qty: order.qty,
      type: order.type,
      time_in_force: order.timeInForce,
    };
    if (order.symbol) body.symbol = order.symbol;
    if (order.side) body.side = order.side;
    if (order.limitPrice !== undefined) body.limit_price = order.limitPrice;
    if (order.stopPrice !== undefined) body.stop_price = order.stopPrice;
    if (order.orderClass) body.order_class = order.orderClass;
    if (order.legs) {
      body.legs = order.legs.map((l) => ({ symbol: l.symbol, ratio_qty: l.ratioQty, side: l.side, ...(l.positionIntent ? { position_intent: l.positionIntent } : {}) }));
    }
    return parseOr(alpacaOrderSchema, await this.request('trading', 'POST', '/v2/orders', undefined, body), 'order');
  }

  async replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    const body: Record<string, unknown> = {};
    if (patch.qty !== undefined) body.qty = patch.qty;
    if (patch.limitPrice !== undefined) body.limit_price = patch.limitPrice;
    if (patch.stopPrice !== undefined) body.stop_price = patch.stopPrice;
    if (patch.timeInForce !== undefined) body.time_in_force = patch.timeInForce;
    if (patch.clientOrderId !== undefined) body.client_order_id = patch.clientOrderId;
    return parseOr(alpacaOrderSchema, await this.request('trading', 'PATCH', `/v2/orders/${encodeURIComponent(orderId)}`, undefined, body), 'order');
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.request('trading', 'DELETE', `/v2/orders/${encodeURIComponent(orderId)}`);
  }

  // ---------- plumbing ----------

  /** One REST call with rate limiting and bounded 429 retries. Resolves with the parsed JSON body (null for 204). */
  async request(host: Host, method: string, path: string, query?: Record<string, string>, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      await this.takeToken(host);
      let res: Awaited<ReturnType<AlpacaRestClient['send']>>;
      try {
        res = await this.send(host, method, path, query, body);
      } catch (err) {
        this.counters.errors++;
        this.o.onError?.(err instanceof Error ? err.message : String(err));
        throw err;
      }
      this.noteRateHeaders(host, res.headers);
      if (res.status === 429 && attempt < this.o.maxRetries) {
        this.counters.rateLimited++;
        this.counters.retries++;
        const reset = this.resetAt(res.headers) ?? this.o.clock.now() + 3000;
        await this.sleep(Math.min(this.o.maxWaitMs, Math.max(0, reset - this.o.clock.now())));
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        this.o.onSuccess?.(this.o.clock.now());
        return res.body;
      }
      throw this.toError(host, method, path, res.status, res.body);
    }
  }

  private toError(host: Host, method: string, path: string, status: number, body: unknown): VenueError {
    this.counters.errors++;
    const parsed = errorBodySchema.safeParse(body);
    const message = parsed.success && parsed.data.message ? parsed.data.message : typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`;
    const code = parsed.success ? (parsed.data.code ?? null) : null;
    const where = `${method} ${path}`;
    // 403 on a trading read means the key no longer works; on order placement it is a business
    // rejection (buying power), and on market data an entitlement problem (alpaca.md §4.1, §4.5).
    const session = status === 401 || (status === 403 && host === 'trading' && method === 'GET');
    if (session) {
      this.o.onSessionRefused?.(status, message);
      const err = new VenueError(`${where}: session refused (HTTP ${status}): ${message}`, status, code, 'session');
      this.o.onError?.(err.message);
      return err;
    }
    const kind = status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : status >= 500 ? 'server' : 'rejected';
    const err = new VenueError(`${where}: HTTP ${status}${code ? ` (code ${code})` : ''}: ${message}`, status, code, kind);
    this.o.onError?.(err.message);
    return err;
  }

  private refill(b: Bucket): void {
    const now = this.o.clock.now();
    const cap = Math.max(1, Math.floor(this.o.requestsPerMinute / 10));
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) * this.o.requestsPerMinute) / 60_000);
    b.at = now;
  }

  private async takeToken(host: Host): Promise<void> {
    const b = this.buckets[host];
    for (;;) {
      if (this.closed) throw new VenueError('REST client closed', null, null, 'network');
      this.refill(b);
      const now = this.o.clock.now();
      if (b.blockedUntil > now) {
        this.counters.rateLimited++;
        if (b.blockedUntil - now > this.o.maxWaitMs) throw new VenueError(`rate limited until ${new Date(b.blockedUntil).toISOString()}`, 429, null, 'rate_limited');
        await this.sleep(b.blockedUntil - now);
        continue;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      this.counters.rateLimited++;
      await this.sleep(Math.ceil(((1 - b.tokens) * 60_000) / this.o.requestsPerMinute));
    }
  }

  private noteRateHeaders(host: Host, headers: http.IncomingHttpHeaders): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = this.resetAt(headers);
    if (headers['x-ratelimit-remaining'] !== undefined && remaining <= 0 && reset !== null) this.buckets[host].blockedUntil = reset;
  }

  private resetAt(headers: http.IncomingHttpHeaders): number | null {
    const v = Number(headers['x-ratelimit-reset']);
    return Number.isFinite(v) && v > 0 ? v * 1000 : null;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        cancel: this.o.clock.setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.waits.add(entry);
    });
  }

  private send(host: Host, method: string, path: string, query?: Record<string, string>, body?: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
    const base = host === 'trading' ? this.o.tradingBaseUrl : this.o.dataBaseUrl;
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const c = this.o.credentials();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const isHttps = url.protocol === 'https:';
    this.counters.requests++;
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(
        url,
        {
          method,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          headers: {
            'APCA-API-KEY-ID': c.keyId,
            'APCA-API-SECRET-KEY': c.secretKey,
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
          timeout: this.o.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > 32 * 1024 * 1024) req.destroy(new Error('response larger than 32 MiB'));
            else chunks.push(c);
          });
          res.on('end', () => {
            this.inflight.delete(req);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            if (text.length > 0) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
          res.on('error', (err) => {
            this.inflight.delete(req);
            reject(new VenueError(`${method} ${path}: ${err.message}`, null, null, 'network'));
          });
        },
      );
      this.inflight.add(req);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', (err) => {
        this.inflight.delete(req);
        reject(new VenueError(`${method} ${path}: ${err.message}`, null, null, 'network'));
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private toQuotes(map: Record<string, z.infer<typeof restQuoteSchema>>, trades: Record<string, number>): Quote[] {
    const now = this.o.clock.now();
    const out: Quote[] = [];
    for (const [symbol, q] of Object.entries(map)) {
      // A key that cannot be an instrument is not a quote of this venue: left out (never keyed by a guess).
      const instrument = this.o.instruments.tryOf(symbol);
      if (instrument === null) continue;
      const t = q.t ? parseRfc3339Ms(q.t) : Number.NaN;
      out.push({
        instrument,
        symbol,
        bid: q.bp ? q.bp : null,
        ask: q.ap ? q.ap : null,
        last: trades[symbol] ?? null,
        bidSize: q.bs ?? null,
        askSize: q.as ?? null,
        exchangeTime: Number.isFinite(t) ? t : null,
        receivedAt: now,
        source: 'rest',
      });
    }
    return out;
  }

  private snapshotQuotes(map: Record<string, { latestQuote?: z.infer<typeof restQuoteSchema> | null; latestTrade?: z.infer<typeof restTradeSchema> | null } | null>): Quote[] {
    const quotes: Record<string, z.infer<typeof restQuoteSchema>> = {};
    const trades: Record<string, number> = {};
    for (const [symbol, snap] of Object.entries(map)) {
      if (!snap) continue;
      quotes[symbol] = snap.latestQuote ?? {};
      if (snap.latestTrade?.p !== undefined) trades[symbol] = snap.latestTrade.p;
    }
    return this.toQuotes(quotes, trades);
  }
}

function parseOr<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VenueError(`invalid ${what} response: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`, null, null, 'invalid_response');
  }
  return r.data;
}
