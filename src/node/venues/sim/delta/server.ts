/**
 * The simulated venue's Delta face: a real network peer on 127.0.0.1 speaking Delta Exchange's
 * protocol (docs/protocols/delta.md), so the Delta adapter runs end to end with no credentials.
 *
 * - Market: BTC and ETH on seeded random walks; daily option chains (today's expiry while before
 *   12:00 UTC settlement, and the next days), strikes around the spot; options priced with
 *   Black-Scholes plus a spread, venue greeks and IV in every ticker.
 * - REST: /v2/products (cursor-paged), /v2/tickers, and signed /v2/orders, /v2/orders/history,
 *   /v2/positions/margined, /v2/fills, /v2/wallet/balances — every signed call is checked (api-key,
 *   5 s timestamp window, HMAC of METHOD+timestamp+path+query+body) and answered in Delta's envelope.
 * - Sockets: `/public` is the new public endpoint (`ticker` compact format, `mark_price`);
 *   `/ws` is the private endpoint (key-auth, orders, positions, v2/user_trades, user_trades,
 *   heartbeat) which also serves the legacy `v2/ticker`.
 * - Faults: drop (terminate every socket), stall (data stops; sockets stay open, pings answered,
 *   heartbeats continue: the silent stall), expire a key (REST 401 InvalidApiKey, key-auth 404, the
 *   key's private sockets closed), reject the next orders, rate-limit REST (429 with
 *   X-RATE-LIMIT-RESET), refuse the new `ticker` channel or the /public upgrade (legacy fallback).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Cancel, Clock, Scheduler } from '../../../../core/ports/clock';
import type { Logger } from '../../../../core/ports/logger';
import { silentLogger } from '../../../../core/ports/logger';
import { SeededRandom } from '../../../../core/model/random';
import { blackScholes } from '../../../../core/greeks/black-scholes';
import { verifySignature } from '../../delta/signing';
import type { DeltaUrls } from '../../delta/venue';

export interface SimDeltaOptions {
  seed: number;
  clock: Clock & Scheduler;
  logger?: Logger;
  host?: string;
  port?: number;
  /** Ticker publication period (Delta: 5 s; the sim default 1 s). */
  tickerIntervalMs?: number;
  /** mark_price period (Delta: 2 s; the sim default 1 s). */
  markIntervalMs?: number;
  /** Heartbeat period after enable_heartbeat (Delta: 30 s). */
  heartbeatMs?: number;
  /** Expiry days listed (default 3: today's if before settlement, then the next days). */
  expiryDays?: number;
  /** Strikes each side of the at-the-money strike (default 8). */
  strikesEachSide?: number;
  /** Products per page of /v2/products (default 100, so paging is exercised). */
  productPageSize?: number;
  /** Omit greeks from the tickers (fault `greeks`). */
  greeks?: boolean;
}

export interface SimDeltaAccount {
  apiKey: string;
  apiSecret: string;
}

export const SIM_DELTA_CREDENTIALS: SimDeltaAccount = { apiKey: 'SIMDELTAKEY', apiSecret: 'SIMDELTASECRET' };

/** The fixed credentials of an account on the Delta face (the default account: SIMDELTAKEY). */
export function simDeltaCredentials(accountId: string, isDefault: boolean): SimDeltaAccount {
  return isDefault ? SIM_DELTA_CREDENTIALS : { apiKey: `SIMDELTAKEY-${accountId}`, apiSecret: `SIMDELTASECRET-${accountId}` };
}

export type SimDeltaFault =
  | { kind: 'drop' }
  | { kind: 'stall'; enabled: boolean }
  | { kind: 'expire_key'; apiKey?: string }
  | { kind: 'reject_orders'; count: number; code?: string }
  | { kind: 'rate_limit'; count: number; resetMs?: number }
  | { kind: 'refuse_ticker_channel'; enabled: boolean }
  | { kind: 'refuse_public_endpoint'; enabled: boolean }
  | { kind: 'greeks'; enabled: boolean }
  /** The private endpoint goes down: its sockets are dropped and upgrades answered 503 until disabled. */
  | { kind: 'private_down'; enabled: boolean };

interface Underlying {
  symbol: 'BTC' | 'ETH';
  spot: number;
  vol: number;
  rng: SeededRandom;
  contractValue: string;
  strikeStep: number;
}

interface Product {
  id: number;
  symbol: string;
  underlying: Underlying;
  right: 'call' | 'put';
  strike: number;
  expiryMs: number;
  settlementTime: string;
}

interface Order {
  id: number;
  clientOrderId: string;
  product: Product;
  side: 'buy' | 'sell';
  type: 'limit_order' | 'market_order';
  size: number;
  unfilled: number;
  limitPrice: string | null;
  timeInForce: 'gtc' | 'ioc';
  state: 'open' | 'closed' | 'cancelled';
  fillNotional: number;
  createdAt: number;
  updatedAt: number;
}

interface Fill {
  id: string;
  order: Order;
  size: number;
  price: string;
  role: 'taker' | 'maker';
  at: number;
  positionAfter: number;
}

interface Book {
  account: SimDeltaAccount;
  expired: boolean;
  orders: Map<number, Order>;
  fills: Fill[];
  positions: Map<string, { size: number; entry: number }>;
  rejectNext: { count: number; code: string };
}

interface Conn {
  ws: WebSocket;
  kind: 'public' | 'private';
  subs: Map<string, Set<string>>;
  apiKey: string | null;
  heartbeat: Cancel | null;
}

const CHAIN_KEY = /^(BTC|ETH)-(\d{6})$/;

export class SimDeltaServer {
  private readonly o: Required<Omit<SimDeltaOptions, 'logger'>> & { logger: Logger };
  private readonly underlyings: Underlying[];
  private readonly products: Product[] = [];
  private readonly bySymbol = new Map<string, Product>();
  private readonly books = new Map<string, Book>();
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly conns = new Set<Conn>();
  private tickerTimer: Cancel | null = null;
  private markTimer: Cancel | null = null;
  private stalled = false;
  private refuseTicker = false;
  private refusePublic = false;
  private privateDown = false;
  private rateLimit = { count: 0, resetMs: 2000 };
  private orderSeq = 1000;
  private fillSeq = 0;
  private lastStepAt: number;
  readonly stats = { tickerFrames: 0, markFrames: 0, bookFrames: 0, restRequests: 0, authFailures: 0, connections: 0, rejectedSignatures: 0 };
  port = 0;

  constructor(opts: SimDeltaOptions) {
    this.o = {
      host: '127.0.0.1',
      port: 0,
      tickerIntervalMs: 1000,
      markIntervalMs: 1000,
      heartbeatMs: 30_000,
      expiryDays: 3,
      strikesEachSide: 8,
      productPageSize: 100,
      greeks: true,
      ...opts,
      logger: opts.logger ?? silentLogger,
    };
    this.underlyings = [
      { symbol: 'BTC', spot: 90_000, vol: 0.5, rng: new SeededRandom(opts.seed ^ 0x42544300), contractValue: '0.001', strikeStep: 1000 },
      { symbol: 'ETH', spot: 3_000, vol: 0.65, rng: new SeededRandom(opts.seed ^ 0x45544800), contractValue: '0.01', strikeStep: 50 },
    ];
    this.lastStepAt = opts.clock.now();
    this.listProducts(opts.clock.now());
    this.addAccount(SIM_DELTA_CREDENTIALS);
  }

  // ---------------------------------------------------------------- accounts and faults

  addAccount(account: SimDeltaAccount): void {
    const held = this.books.get(account.apiKey);
    if (held) {
      if (held.account.apiSecret !== account.apiSecret) throw new Error(`sim-delta: key ${account.apiKey} is already held with another secret`);
      return;
    }
    this.books.set(account.apiKey, { account, expired: false, orders: new Map(), fills: [], positions: new Map(), rejectNext: { count: 0, code: 'insufficient_margin' } });
  }

  /** The venue's key renewal (after expire_key): the key works again. */
  renewKey(apiKey: string = SIM_DELTA_CREDENTIALS.apiKey): void {
    const b = this.books.get(apiKey);
    if (b) b.expired = false;
  }

  fault(f: SimDeltaFault): void {
    switch (f.kind) {
      case 'drop':
        for (const c of this.conns) c.ws.terminate();
        return;
      case 'stall':
        this.stalled = f.enabled;
        return;
      case 'expire_key': {
        const key = f.apiKey ?? SIM_DELTA_CREDENTIALS.apiKey;
        const b = this.books.get(key);
        if (!b) throw new Error(`sim-delta: no account holds key ${key}`);
        b.expired = true;
        // The key's private sockets are closed: their reconnect's key-auth is refused.
        for (const c of this.conns) if (c.apiKey === key) c.ws.close(4001, 'api key expired');
        return;
      }
      case 'reject_orders': {
        for (const b of this.books.values()) b.rejectNext = { count: f.count, code: f.code ?? 'insufficient_margin' };
        return;
      }
      case 'rate_limit':
        this.rateLimit = { count: f.count, resetMs: f.resetMs ?? 2000 };
        return;
      case 'refuse_ticker_channel':
        this.refuseTicker = f.enabled;
        return;
      case 'refuse_public_endpoint':
        this.refusePublic = f.enabled;
        return;
      case 'greeks':
        this.o.greeks = f.enabled;
        return;
      case 'private_down':
        this.privateDown = f.enabled;
        if (f.enabled) for (const c of this.conns) if (c.kind === 'private') c.ws.terminate();
        return;
    }
  }

  // ---------------------------------------------------------------- the market

  private listProducts(now: number): void {
    let id = 1;
    const day0 = Math.floor(now / 86_400_000) * 86_400_000;
    const dates: number[] = [];
    for (let d = 0; dates.length < this.o.expiryDays; d++) {
      const settle = day0 + d * 86_400_000 + 12 * 3_600_000;
      if (settle > now + 60_000) dates.push(settle);
    }
    for (const u of this.underlyings) {
      const atm = Math.round(u.spot / u.strikeStep) * u.strikeStep;
      for (const settle of dates) {
        const dt = new Date(settle);
        const ddmmyy = `${String(dt.getUTCDate()).padStart(2, '0')}${String(dt.getUTCMonth() + 1).padStart(2, '0')}${String(dt.getUTCFullYear() % 100).padStart(2, '0')}`;
        for (let k = -this.o.strikesEachSide; k <= this.o.strikesEachSide; k++) {
          const strike = atm + k * u.strikeStep;
          for (const right of ['call', 'put'] as const) {
            const symbol = `${right === 'call' ? 'C' : 'P'}-${u.symbol}-${strike}-${ddmmyy}`;
            const p: Product = { id: id++, symbol, underlying: u, right, strike, expiryMs: settle, settlementTime: dt.toISOString().replace('.000Z', 'Z') };
            this.products.push(p);
            this.bySymbol.set(symbol, p);
          }
        }
      }
    }
  }

  /** The option's theoretical value, greeks and a quote around it (prices rounded to the 0.1 tick). */
  price(p: Product): { mark: number; bid: number; ask: number; delta: number; gamma: number; theta: number; vega: number; rho: number; iv: number } {
    const now = this.o.clock.now();
    const years = Math.max(1 / (365 * 24 * 60), (p.expiryMs - now) / (365 * 86_400_000));
    const vol = p.underlying.vol * (1 + 0.15 * Math.abs(Math.log(p.strike / p.underlying.spot)) * 10);
    const g = blackScholes({ right: p.right, spot: p.underlying.spot, strike: p.strike, years, rate: 0, vol });
    const tick = (x: number) => Math.round(x * 10) / 10;
    const mark = Math.max(0.1, tick(g.price));
    const half = Math.max(0.5, tick(mark * 0.02));
    return { mark, bid: Math.max(0.1, tick(mark - half)), ask: tick(mark + half), delta: g.delta, gamma: g.gamma, theta: g.thetaPerDay, vega: g.vega, rho: g.rho, iv: vol };
  }

  private step(): void {
    const now = this.o.clock.now();
    const dt = Math.max(0, now - this.lastStepAt) / (365 * 86_400_000);
    this.lastStepAt = now;
    for (const u of this.underlyings) u.spot *= Math.exp(-0.5 * u.vol * u.vol * dt + u.vol * Math.sqrt(dt) * u.rng.normal());
  }

  spot(underlying: 'BTC' | 'ETH'): number {
    return this.underlyings.find((u) => u.symbol === underlying)!.spot;
  }

  productSymbols(): string[] {
    return this.products.map((p) => p.symbol);
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<DeltaUrls> {
    if (this.server) return this.urls();
    const server = createServer((req, res) => {
      void this.http(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, { success: false, error: { code: 'internal_server_error', context: { message: err instanceof Error ? err.message : String(err) } } });
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '/').split('?')[0];
      const kind = path === '/public' ? 'public' : path === '/ws' ? 'private' : null;
      if (kind === null || (kind === 'public' && this.refusePublic)) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      if (kind === 'private' && this.privateDown) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, kind));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as AddressInfo).port;
    this.tickerTimer = this.o.clock.setInterval(() => this.publishTickers(), this.o.tickerIntervalMs);
    this.markTimer = this.o.clock.setInterval(() => this.publishMarks(), this.o.markIntervalMs);
    return this.urls();
  }

  urls(): DeltaUrls {
    const base = `${this.o.host}:${this.port}`;
    return { rest: `http://${base}`, socket: `ws://${base}/ws`, publicSocket: `ws://${base}/public` };
  }

  async stop(): Promise<void> {
    this.tickerTimer?.();
    this.markTimer?.();
    this.tickerTimer = this.markTimer = null;
    for (const c of this.conns) {
      c.heartbeat?.();
      c.ws.terminate();
    }
    this.conns.clear();
    const server = this.server;
    this.server = null;
    this.wss?.close();
    this.wss = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- sockets

  private attach(ws: WebSocket, kind: 'public' | 'private'): void {
    this.stats.connections++;
    const conn: Conn = { ws, kind, subs: new Map(), apiKey: null, heartbeat: null };
    this.conns.add(conn);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(conn, Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
    });
    ws.on('close', () => {
      conn.heartbeat?.();
      this.conns.delete(conn);
    });
    ws.on('error', () => {});
  }

  private send(conn: Conn, msg: object): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(msg));
  }

  private onMessage(conn: Conn, text: string): void {
    let m: { type?: unknown; payload?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(conn, { type: 'error', message: 'invalid JSON' });
      return;
    }
    switch (m.type) {
      case 'key-auth':
      case 'auth':
        this.keyAuth(conn, m.type, m.payload);
        return;
      case 'enable_heartbeat':
        conn.heartbeat?.();
        conn.heartbeat = this.o.clock.setInterval(() => this.send(conn, { type: 'heartbeat' }), this.o.heartbeatMs);
        return;
      case 'disable_heartbeat':
        conn.heartbeat?.();
        conn.heartbeat = null;
        return;
      case 'ping':
        this.send(conn, { type: 'pong' });
        return;
      case 'subscribe':
      case 'unsubscribe':
        this.subscription(conn, m.type, m.payload);
        return;
      default:
        this.send(conn, { type: 'error', message: `unknown type ${JSON.stringify(m.type)}` });
    }
  }

  private keyAuth(conn: Conn, type: string, payload: unknown): void {
    if (conn.kind === 'public') {
      this.send(conn, { type, success: false, status_code: 400, status: 'auth not supported on the public endpoint' });
      return;
    }
    if (type === 'auth') {
      this.send(conn, { type, success: false, status_code: 400, status: 'auth_method_deprecated', message: 'use key-auth' });
      return;
    }
    const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    const key = p['api-key'];
    const fail = (status_code: number, status: string) => {
      this.stats.authFailures++;
      this.send(conn, { type, success: false, status_code, status });
    };
    if (typeof key !== 'string') return fail(400, 'incomplete_payload');
    const book = this.books.get(key);
    if (!book || book.expired) return fail(404, 'api_key_not_found');
    const verdict = verifySignature(book.account.apiSecret, this.o.clock.now(), p.timestamp, p.signature, 'GET', '/live');
    if (verdict === 'incomplete_payload') return fail(400, verdict);
    if (verdict === 'request_expired') return fail(408, verdict);
    if (verdict === 'invalid_signature') return fail(401, verdict);
    conn.apiKey = key;
    this.send(conn, { type, success: true, status_code: 200, status: 'authenticated' });
  }

  private subscription(conn: Conn, type: 'subscribe' | 'unsubscribe', payload: unknown): void {
    const channels = (payload as { channels?: unknown } | null)?.channels;
    if (!Array.isArray(channels)) {
      this.send(conn, { type: 'error', message: 'payload.channels is required' });
      return;
    }
    const ack: { name: string; symbols?: string[]; error?: string }[] = [];
    for (const ch of channels as { name?: unknown; symbols?: unknown }[]) {
      const name = typeof ch.name === 'string' ? ch.name : '';
      const symbols = Array.isArray(ch.symbols) ? ch.symbols.filter((s): s is string => typeof s === 'string') : null;
      const privateChannel = name === 'orders' || name === 'positions' || name === 'v2/user_trades' || name === 'user_trades';
      const allowed = conn.kind === 'public' ? name === 'ticker' || name === 'mark_price' || name === 'ob_l1' : privateChannel || name === 'v2/ticker' || name === 'mark_price';
      if (!allowed) {
        ack.push({ name, error: `subscription forbidden on ${name} on this endpoint` });
        continue;
      }
      if (name === 'ticker' && this.refuseTicker) {
        ack.push({ name, error: 'channel ticker is not available' });
        continue;
      }
      if (privateChannel && conn.apiKey === null) {
        ack.push({ name, error: `subscription forbidden on ${name}. Unauthorized user` });
        continue;
      }
      const set = conn.subs.get(name) ?? new Set<string>();
      if (type === 'unsubscribe') {
        if (symbols === null) set.clear();
        else for (const s of symbols) set.delete(s);
      } else if (symbols) {
        for (const s of symbols) set.add(s);
      }
      conn.subs.set(name, set);
      ack.push({ name, symbols: [...set] });
      if (type === 'subscribe' && privateChannel && conn.apiKey) this.snapshot(conn, name);
    }
    if (type === 'subscribe') this.send(conn, { type: 'subscriptions', channels: ack });
  }

  private snapshot(conn: Conn, channel: string): void {
    const book = this.books.get(conn.apiKey!);
    if (!book) return;
    if (channel === 'orders') this.send(conn, { type: 'orders', action: 'snapshot', result: [...book.orders.values()].filter((o) => o.state === 'open').map((o) => this.orderJson(o)), meta: { seq_no: 0 } });
    if (channel === 'positions') this.send(conn, { type: 'positions', action: 'snapshot', result: [...book.positions.entries()].filter(([, p]) => p.size !== 0).map(([s, p]) => this.positionJson(s, p)) });
  }

  /** Contracts a subscription set names (explicit symbols, chain keys like BTC-310126, "all"). */
  private matches(set: Set<string>, symbol: string, p: Product): boolean {
    if (set.has(symbol) || set.has('all')) return true;
    for (const s of set) {
      const m = CHAIN_KEY.exec(s);
      if (m && m[1] === p.underlying.symbol && symbol.endsWith(`-${m[2]}`)) return true;
      if ((s === 'call_options' && p.right === 'call') || (s === 'put_options' && p.right === 'put')) return true;
    }
    return false;
  }

  private tickerEntry(p: Product): Record<string, unknown> {
    const x = this.price(p);
    const f = (n: number, dp: number) => n.toFixed(dp);
    return {
      s: p.symbol,
      i: p.id,
      m: f(x.mark, 4),
      q: [f(x.ask, 1), '120', f(x.bid, 1), '95', f(x.mark, 4)],
      g: this.o.greeks ? [f(x.delta, 6), f(x.gamma, 8), f(x.rho, 6), f(x.theta, 6), f(x.vega, 6)] : null,
      qiv: [f(x.iv * 1.02, 4), f(x.iv * 0.98, 4), f(x.iv, 4)],
      oi: ['1000', '0'],
    };
  }

  private legacyTicker(p: Product, ts: number): Record<string, unknown> {
    const x = this.price(p);
    const f = (n: number, dp: number) => n.toFixed(dp);
    return {
      symbol: p.symbol,
      product_id: p.id,
      timestamp: ts,
      mark_price: f(x.mark, 4),
      spot_price: f(p.underlying.spot, 2),
      contract_value: p.underlying.contractValue,
      oi: '1000',
      quotes: { best_bid: f(x.bid, 1), bid_size: '95', bid_iv: f(x.iv * 0.98, 4), best_ask: f(x.ask, 1), ask_size: '120', ask_iv: f(x.iv * 1.02, 4), mark_iv: f(x.iv, 4), impact_mid_price: null },
      greeks: this.o.greeks ? { delta: f(x.delta, 6), gamma: f(x.gamma, 8), theta: f(x.theta, 6), vega: f(x.vega, 6), rho: f(x.rho, 6), spot: f(p.underlying.spot, 2) } : null,
    };
  }

  private publishTickers(): void {
    this.step();
    this.matchResting();
    if (this.stalled) return;
    const ts = this.o.clock.now() * 1000;
    for (const c of this.conns) {
      const compact = c.subs.get('ticker');
      if (compact && compact.size > 0) {
        // One frame per subscribed key (a chain key groups its contracts, as Delta does).
        for (const key of compact) {
          const ps = this.bySymbol.has(key) ? [this.bySymbol.get(key)!] : this.products.filter((p) => this.matches(new Set([key]), p.symbol, p));
          if (ps.length === 0) continue;
          this.send(c, { type: 'ticker', sy: key, sp: ps[0]!.underlying.spot.toFixed(2), ts, d: ps.map((p) => this.tickerEntry(p)) });
          this.stats.tickerFrames++;
        }
      }
      // ob_l1: the top of book of each explicitly subscribed contract, at every step of the model
      const books = c.subs.get('ob_l1');
      if (books && books.size > 0) {
        for (const key of books) {
          const p = this.bySymbol.get(key);
          if (!p) continue;
          const x = this.price(p);
          this.send(c, { type: 'ob_l1', sy: key, bp: x.bid.toFixed(1), bs: '95', ap: x.ask.toFixed(1), as: '120', lts: ts, ts });
          this.stats.bookFrames++;
        }
      }
      const legacy = c.subs.get('v2/ticker');
      if (legacy && legacy.size > 0) {
        for (const p of this.products) {
          if (!this.matches(legacy, p.symbol, p)) continue;
          this.send(c, { type: 'v2/ticker', ...this.legacyTicker(p, ts) });
          this.stats.tickerFrames++;
        }
      }
    }
  }

  private publishMarks(): void {
    if (this.stalled) return;
    const ts = this.o.clock.now() * 1000;
    for (const c of this.conns) {
      const set = c.subs.get('mark_price');
      if (!set || set.size === 0) continue;
      for (const key of set) {
        const p = this.bySymbol.get(key.startsWith('MARK:') ? key.slice(5) : key);
        if (!p) continue;
        this.send(c, { type: 'mark_price', sy: key, p: this.price(p).mark.toFixed(4), ts });
        this.stats.markFrames++;
      }
    }
  }

  // ---------------------------------------------------------------- private events

  private orderJson(o: Order): Record<string, unknown> {
    return {
      id: o.id,
      order_id: o.id,
      client_order_id: o.clientOrderId,
      product_id: o.product.id,
      product_symbol: o.product.symbol,
      symbol: o.product.symbol,
      side: o.side,
      order_type: o.type,
      size: o.size,
      unfilled_size: o.unfilled,
      limit_price: o.limitPrice,
      stop_price: null,
      average_fill_price: o.size - o.unfilled > 0 ? (o.fillNotional / (o.size - o.unfilled)).toFixed(4) : null,
      state: o.state,
      time_in_force: o.timeInForce,
      created_at: o.createdAt * 1000,
      updated_at: o.updatedAt * 1000,
    };
  }

  private positionJson(symbol: string, p: { size: number; entry: number }): Record<string, unknown> {
    const prod = this.bySymbol.get(symbol)!;
    return { symbol, product_symbol: symbol, product_id: prod.id, size: p.size, entry_price: p.entry.toFixed(4), margin: '0', liquidation_price: null, bankruptcy_price: null, commission: '0' };
  }

  private toPrivate(apiKey: string, channel: string, msg: object): void {
    for (const c of this.conns) {
      if (c.kind !== 'private' || c.apiKey !== apiKey) continue;
      const set = c.subs.get(channel);
      if (set && set.size > 0) this.send(c, msg);
    }
  }

  private orderEvent(book: Book, o: Order, action: 'create' | 'update' | 'delete', reason: string): void {
    this.toPrivate(book.account.apiKey, 'orders', { type: 'orders', action, reason, ...this.orderJson(o), seq_no: ++this.fillSeq, timestamp: this.o.clock.now() * 1000 });
  }

  private execute(book: Book, o: Order, size: number, price: number, role: 'taker' | 'maker'): void {
    const now = this.o.clock.now();
    o.unfilled -= size;
    o.fillNotional += size * price;
    o.updatedAt = now;
    if (o.unfilled === 0) o.state = 'closed';
    const signed = o.side === 'buy' ? size : -size;
    const pos = book.positions.get(o.product.symbol) ?? { size: 0, entry: 0 };
    const next = pos.size + signed;
    if (pos.size === 0 || Math.sign(pos.size) === Math.sign(signed)) pos.entry = (Math.abs(pos.size) * pos.entry + size * price) / Math.abs(next);
    else if (Math.sign(next) !== Math.sign(pos.size) && next !== 0) pos.entry = price;
    pos.size = next;
    if (pos.size === 0) pos.entry = 0;
    book.positions.set(o.product.symbol, pos);
    const fill: Fill = { id: `F${++this.fillSeq}`, order: o, size, price: price.toFixed(1), role, at: now, positionAfter: pos.size };
    book.fills.push(fill);
    const key = book.account.apiKey;
    this.toPrivate(key, 'v2/user_trades', { type: 'v2/user_trades', sy: o.product.symbol, f: fill.id, R: 'normal', u: 1, o: o.id, S: o.side, s: size, p: fill.price, po: pos.size, r: role, c: o.clientOrderId, t: now * 1000, se: this.fillSeq });
    this.toPrivate(key, 'user_trades', { type: 'user_trades', symbol: o.product.symbol, fill_id: fill.id, reason: 'normal', product_id: o.product.id, user_id: 1, order_id: o.id, side: o.side, size, price: fill.price, role, client_order_id: o.clientOrderId, timestamp: now * 1000, seq_no: this.fillSeq, commission: '0' });
    this.orderEvent(book, o, 'update', 'fill');
    this.toPrivate(key, 'positions', { type: 'positions', action: 'update', reason: null, ...this.positionJson(o.product.symbol, pos) });
  }

  private matchResting(): void {
    for (const book of this.books.values()) {
      for (const o of book.orders.values()) {
        if (o.state !== 'open' || o.type !== 'limit_order' || o.product.expiryMs <= this.o.clock.now()) continue;
        const x = this.price(o.product);
        const lim = Number(o.limitPrice);
        if (o.side === 'buy' && x.ask <= lim) this.execute(book, o, o.unfilled, x.ask, 'maker');
        else if (o.side === 'sell' && x.bid >= lim) this.execute(book, o, o.unfilled, x.bid, 'maker');
      }
    }
  }

  // ---------------------------------------------------------------- REST

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private ok(res: ServerResponse, result: unknown, meta: Record<string, unknown> = {}): void {
    this.json(res, 200, { success: true, result, meta });
  }

  private err(res: ServerResponse, status: number, code: string, context?: Record<string, unknown>): void {
    this.json(res, status, { success: false, error: { code, ...(context ? { context } : {}) } });
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1024 * 1024) throw new Error('body too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.restRequests++;
    const raw = req.url ?? '/';
    const qi = raw.indexOf('?');
    const path = qi < 0 ? raw : raw.slice(0, qi);
    const query = qi < 0 ? '' : raw.slice(qi);
    const params = new URLSearchParams(query);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await this.body(req);
    if (!req.headers['user-agent']) return this.json(res, 403, { error: 'Forbidden', message: 'Request blocked by CDN' });
    if (this.rateLimit.count > 0) {
      this.rateLimit.count--;
      return this.json(res, 429, { success: false, error: { code: 'rate_limit_exceeded' } }, { 'X-RATE-LIMIT-RESET': String(this.rateLimit.resetMs) });
    }
    if (method === 'POST' && path === '/__sim/fault') {
      try {
        this.fault(JSON.parse(body) as SimDeltaFault);
        return this.ok(res, { applied: true });
      } catch (e) {
        return this.err(res, 400, 'bad_fault', { message: e instanceof Error ? e.message : String(e) });
      }
    }
    // ---- public
    if (method === 'GET' && path === '/v2/products') return this.productsPage(res, params);
    if (method === 'GET' && path === '/v2/tickers') {
      const types = (params.get('contract_types') ?? '').split(',').filter(Boolean);
      const ts = this.o.clock.now() * 1000;
      return this.ok(res, this.products.filter((p) => types.length === 0 || types.includes(`${p.right}_options`)).map((p) => this.restTicker(p, ts)));
    }
    if (method === 'GET' && path.startsWith('/v2/tickers/')) {
      const symbols = decodeURIComponent(path.slice('/v2/tickers/'.length)).split(',');
      const ts = this.o.clock.now() * 1000;
      const found = symbols.map((s) => this.bySymbol.get(s)).filter((p): p is Product => p !== undefined);
      if (found.length === 0) return this.err(res, 404, 'product_not_found');
      return this.ok(res, symbols.length === 1 ? this.restTicker(found[0]!, ts) : found.map((p) => this.restTicker(p, ts)));
    }
    // ---- signed
    const key = req.headers['api-key'];
    if (typeof key !== 'string') return this.json(res, 401, { error: 'UnauthorizedApiAccess', message: 'api-key header missing' });
    const book = this.books.get(key);
    if (!book || book.expired) return this.json(res, 401, { error: 'InvalidApiKey', message: 'api key not found or expired' });
    const verdict = verifySignature(book.account.apiSecret, this.o.clock.now(), req.headers.timestamp, req.headers.signature, method, path, query, body);
    if (verdict === 'request_expired') {
      this.stats.rejectedSignatures++;
      return this.json(res, 401, { error: 'SignatureExpired', message: 'your signature has expired', server_time: Math.floor(this.o.clock.now() / 1000), request_time: req.headers.timestamp });
    }
    if (verdict !== null) {
      this.stats.rejectedSignatures++;
      return this.err(res, 401, 'Signature Mismatch');
    }
    if (path === '/v2/orders' && method === 'POST') return this.placeOrder(res, book, body);
    if (path === '/v2/orders' && method === 'PUT') return this.editOrder(res, book, body);
    if (path === '/v2/orders' && method === 'DELETE') return this.cancelOrder(res, book, body);
    if (path === '/v2/orders' && method === 'GET') {
      const states = (params.get('states') ?? 'open').split(',');
      return this.ok(res, [...book.orders.values()].filter((o) => states.includes(o.state)).map((o) => this.orderJson(o)));
    }
    if (path === '/v2/orders/history' && method === 'GET') {
      const size = Math.min(50, Number(params.get('page_size') ?? 50) || 50);
      return this.ok(res, [...book.orders.values()].filter((o) => o.state !== 'open').sort((a, b) => b.updatedAt - a.updatedAt).slice(0, size).map((o) => this.orderJson(o)));
    }
    if (path.startsWith('/v2/orders/client_order_id/') && method === 'GET') {
      const coid = decodeURIComponent(path.slice('/v2/orders/client_order_id/'.length));
      const o = [...book.orders.values()].find((x) => x.clientOrderId === coid);
      return o ? this.ok(res, this.orderJson(o)) : this.err(res, 404, 'order_not_found');
    }
    if (path === '/v2/positions/margined' && method === 'GET') {
      return this.ok(res, [...book.positions.entries()].filter(([, p]) => p.size !== 0).map(([s, p]) => this.positionJson(s, p)));
    }
    if (path === '/v2/fills' && method === 'GET') {
      const start = Number(params.get('start_time') ?? 0) / 1000;
      return this.ok(
        res,
        book.fills
          .filter((f) => f.at >= start)
          .map((f) => ({ id: f.id, size: f.size, side: f.order.side, price: f.price, role: f.role, commission: '0', fill_type: 'normal', order_id: String(f.order.id), client_order_id: f.order.clientOrderId, product_id: f.order.product.id, product_symbol: f.order.product.symbol, created_at: new Date(f.at).toISOString() })),
      );
    }
    if (path === '/v2/wallet/balances' && method === 'GET') return this.ok(res, [{ asset_symbol: 'USD', balance: '100000.00', available_balance: '100000.00' }]);
    return this.err(res, 404, 'not_found', { path });
  }

  private productsPage(res: ServerResponse, params: URLSearchParams): void {
    const types = (params.get('contract_types') ?? '').split(',').filter(Boolean);
    const list = this.products.filter((p) => types.length === 0 || types.includes(`${p.right}_options`));
    const size = Math.max(1, Math.min(this.o.productPageSize, Number(params.get('page_size') ?? this.o.productPageSize) || this.o.productPageSize));
    const after = Number(params.get('after') ?? 0) || 0;
    const page = list.slice(after, after + size);
    const next = after + size < list.length ? String(after + size) : null;
    this.ok(
      res,
      page.map((p) => ({
        id: p.id,
        symbol: p.symbol,
        description: `${p.underlying.symbol} ${p.right} ${p.strike}`,
        contract_type: `${p.right}_options`,
        state: 'live',
        trading_status: 'operational',
        tick_size: '0.1',
        contract_value: p.underlying.contractValue,
        contract_unit_currency: p.underlying.symbol,
        settlement_time: p.settlementTime,
        strike_price: String(p.strike),
        underlying_asset: { symbol: p.underlying.symbol },
        quoting_asset: { symbol: 'USD' },
        settling_asset: { symbol: 'USD' },
        spot_index: { symbol: `.DE${p.underlying.symbol}USD` },
        product_specs: { min_order_size: 1 },
      })),
      { after: next, before: null },
    );
  }

  private restTicker(p: Product, ts: number): Record<string, unknown> {
    const l = this.legacyTicker(p, ts);
    return { ...l, contract_type: `${p.right}_options`, strike_price: String(p.strike), mark_vol: (l.quotes as { mark_iv: string }).mark_iv, volume: 0, turnover: 0 };
  }

  private placeOrder(res: ServerResponse, book: Book, body: string): void {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return this.err(res, 400, 'invalid_json');
    }
    const product = typeof b.product_id === 'number' ? this.products.find((p) => p.id === b.product_id) : typeof b.product_symbol === 'string' ? this.bySymbol.get(b.product_symbol) : undefined;
    if (!product) return this.err(res, 400, 'invalid_contract');
    const size = b.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) return this.err(res, 400, 'validation_error', { field: 'size' });
    if (b.side !== 'buy' && b.side !== 'sell') return this.err(res, 400, 'validation_error', { field: 'side' });
    const type = b.order_type === 'market_order' ? 'market_order' : b.order_type === 'limit_order' ? 'limit_order' : null;
    if (!type) return this.err(res, 400, 'validation_error', { field: 'order_type' });
    const limit = b.limit_price === undefined || b.limit_price === null ? null : String(b.limit_price);
    if (type === 'limit_order' && (limit === null || !(Number(limit) > 0))) return this.err(res, 400, 'validation_error', { field: 'limit_price' });
    const coid = typeof b.client_order_id === 'string' ? b.client_order_id : '';
    if (coid.length > 32) return this.err(res, 400, 'validation_error', { field: 'client_order_id' });
    if (coid && [...book.orders.values()].some((o) => o.clientOrderId === coid)) return this.err(res, 400, 'duplicate_client_order_id');
    if (book.rejectNext.count > 0) {
      book.rejectNext.count--;
      return this.err(res, 400, book.rejectNext.code, { available_balance: '0' });
    }
    const now = this.o.clock.now();
    const o: Order = { id: ++this.orderSeq, clientOrderId: coid, product, side: b.side, type, size, unfilled: size, limitPrice: limit, timeInForce: b.time_in_force === 'ioc' ? 'ioc' : 'gtc', state: 'open', fillNotional: 0, createdAt: now, updatedAt: now };
    book.orders.set(o.id, o);
    this.orderEvent(book, o, 'create', '');
    const x = this.price(product);
    const touch = o.side === 'buy' ? x.ask : x.bid;
    const marketable = type === 'market_order' || (o.side === 'buy' ? touch <= Number(limit) : touch >= Number(limit));
    if (marketable) this.execute(book, o, o.unfilled, touch, 'taker');
    else if (o.timeInForce === 'ioc') {
      o.state = 'cancelled';
      this.orderEvent(book, o, 'delete', '');
    }
    this.ok(res, this.orderJson(o));
  }

  private editOrder(res: ServerResponse, book: Book, body: string): void {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return this.err(res, 400, 'invalid_json');
    }
    const o = book.orders.get(Number(b.id));
    if (!o || o.state !== 'open') return this.err(res, 404, 'open_order_not_found');
    if (b.limit_price !== undefined) o.limitPrice = String(b.limit_price);
    if (typeof b.size === 'number' && Number.isInteger(b.size) && b.size >= o.size - o.unfilled) {
      o.unfilled = b.size - (o.size - o.unfilled);
      o.size = b.size;
    }
    o.updatedAt = this.o.clock.now();
    this.orderEvent(book, o, 'update', '');
    this.ok(res, this.orderJson(o));
  }

  private cancelOrder(res: ServerResponse, book: Book, body: string): void {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return this.err(res, 400, 'invalid_json');
    }
    const o = book.orders.get(Number(b.id));
    if (!o || o.state !== 'open') return this.err(res, 404, 'open_order_not_found');
    o.state = 'cancelled';
    o.updatedAt = this.o.clock.now();
    this.orderEvent(book, o, 'delete', '');
    this.ok(res, this.orderJson(o));
  }
}
