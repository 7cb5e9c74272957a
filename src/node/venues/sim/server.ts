/**
 * The simulated venue: a real HTTP + WebSocket server on 127.0.0.1 speaking Alpaca's protocol
 * (alpaca.md), so the default run exercises the real Alpaca adapter over real sockets.
 *
 * - `/v2/{iex|sip|delayed_sip|test}`: stock stream, JSON text frames (msgpack if the client's
 *   upgrade says `Content-Type: application/msgpack`, as alpaca-py does);
 * - `/v1beta1/{indicative|opra}`: option stream, msgpack only (412 without the header);
 * - `/stream`: trade_updates, JSON in *binary* frames (as paper does), both auth message forms;
 * - REST: latest quotes, latest trades and snapshots (stocks, options), account, positions, orders;
 * - `POST /__sim/fault {kind, ...}`, `POST /__sim/position {symbol, qty, avg_price, key?}` (a position held
 *   outside the app, for reconciliation tests) and `GET /__sim/state`: the admin API for e2e tests.
 *
 * Several accounts, one per key (addAccount; keys: simCredentials): the market model and the data
 * streams are shared, each key has its own book (SimBroker: orders, positions, fills, account), its
 * own trade_updates, REST rate window, connection allowance and session. REST and the streams pick
 * the book by the key sent (APCA headers / the auth message); an unknown key is refused. Admin
 * faults that act on a book take `key` (default: the default key, `credentials`).
 *
 * Deterministic given a seed (see model.ts). Fault injection: drop, stall, refuse 406, slow,
 * slow consumer (407), flood, expire session, reject next order, raw frames — and on the order
 * path (`order_fault`, docs/orders.md): the next order commands (place / replace / cancel) are
 * carried out and stored, then their reply is dropped (socket destroyed), delayed, turned into a
 * 5xx, or followed by a session expiry (the reply is sent; the next call answers 401).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { z } from 'zod';
import type { Cancel, Clock, Scheduler } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import { silentLogger } from '../../../core/ports/logger';
import type { QuoteValues } from '../../../core/market/quote';
import { isStockSymbol, symbolKind } from '../../../core/market/symbols';
import { parseOcc } from '../../../core/model/occ';
import { SimMarketModel } from './model';
import { SimBroker, BrokerError, type TradeUpdateEvent } from './broker';
import { ExchangeTime, createMsgpackDecoder, encodeMsgpack } from '../alpaca/codec';
import type { AlpacaUrls } from '../alpaca/venue';

export type SimStream = 'stocks' | 'options' | 'trade_updates';

export interface SimServerOptions {
  seed: number;
  clock: Clock & Scheduler;
  logger?: Logger;
  host?: string;
  port?: number;
  /** Quote batches every `intervalMs` (default 250). */
  intervalMs?: number;
  credentials?: { keyId: string; secretKey: string };
  /** Feeds the simulated account may open (others answer 409). Default: all. */
  entitlements?: { sip?: boolean; opra?: boolean };
  /** Option quote symbol limit per connection (405 beyond; default 1000 like OPRA plans). */
  maxOptionQuotes?: number;
  /** Stock symbol limit per connection (default unlimited). */
  maxStockSymbols?: number;
  /** Connections per stream at once, like Alpaca's one-per-endpoint rule (default 1). */
  maxConnectionsPerStream?: number;
  /** Auth must arrive within this after connecting (404 auth timeout; default 10 s). */
  authTimeoutMs?: number;
  /** Send the 0x01 trade_updates heartbeat this often (default 0: never; UNCONFIRMED Alpaca behaviour). */
  heartbeatMs?: number;
  partialFills?: boolean;
  /** Executions take at most the size displayed at the touch (orders fill in parts against the quotes). */
  depthFills?: boolean;
  /** Probability that a subscribed symbol prints a trade on a step (default 0.3). */
  tradeProbability?: number;
  /** REST requests per window before 429 (default 10,000 per minute). */
  restRequestsPerMinute?: number;
  /** The rate-limit window (default 60,000 ms; tests shorten it). */
  restWindowMs?: number;
  /** Largest number of messages per data frame (default 1000). */
  maxBatch?: number;
  /**
   * Underlyings whose option chains the sim lists (default: any stock symbol). Options on others,
   * and contracts past their expiry, are unknown to it: never quoted, 404 / inactive from
   * GET /v2/options/contracts/{symbol}, as Alpaca answers for contracts it does not list.
   */
  optionUnderlyings?: readonly string[] | null;
}

/** The part of a ServerResponse the REST handlers write to (so a reply can be held back by a fault). */
interface ReplySink {
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}

/** A reply written into memory, to be sent later (or never). */
class CapturedReply {
  status = 0;
  headers: Record<string, string> = {};
  body = '';

  writeHead(status: number, headers?: Record<string, string>): this {
    this.status = status;
    this.headers = { ...headers };
    return this;
  }

  end(body?: string): this {
    this.body = body ?? '';
    return this;
  }

  replay(res: ServerResponse): void {
    res.writeHead(this.status, this.headers);
    res.end(this.body);
  }
}

export const SIM_CREDENTIALS = { keyId: 'SIMKEY', secretKey: 'SIMSECRET' };

/**
 * An account's key on a simulated venue: the default account keeps SIMKEY / SIMSECRET; another
 * account `acc7` has `SIMKEY-acc7` / `SIMSECRET-acc7`. Each key is one book on the server (its own
 * orders, positions, fills, trade_updates stream, account and session).
 */
export function simCredentials(accountId: string, isDefault: boolean): { keyId: string; secretKey: string } {
  return isDefault ? { ...SIM_CREDENTIALS } : { keyId: `SIMKEY-${accountId}`, secretKey: `SIMSECRET-${accountId}` };
}

/** The monitoring cycle's steps that call the venue (spec §8), for `step_fault`. */
export type SimStep = 1 | 3 | 4 | 5 | 6 | 9;
export const SIM_STEPS: readonly SimStep[] = [1, 3, 4, 5, 6, 9];

export type SimFault =
  | { kind: 'drop'; stream?: SimStream }
  | { kind: 'stall'; stream?: SimStream }
  | { kind: 'refuse406'; stream?: SimStream; forMs: number }
  | { kind: 'slow'; intervalMs: number }
  | { kind: 'slow_consumer'; stream?: SimStream }
  | { kind: 'flood'; stream?: SimStream; frames: number; batch?: number }
  /** The key's session ends (default: the default key): its REST calls answer 401, its streams are closed and refused. */
  | { kind: 'expire_session'; key?: string }
  | { kind: 'renew_session'; key?: string }
  | { kind: 'reject_next_order'; count?: number; key?: string }
  /** The key's next `count` (default 1) LIMIT orders are rejected (market orders pass): a ladder's refused attempts. */
  | { kind: 'reject_limit_orders'; count?: number; key?: string }
  /** Freezes an underlying's price (its walk stops) or an option's mid at `price` until `release_price`. */
  | { kind: 'hold_price'; symbol: string; price: number }
  /** Ends the hold of `symbol` (of every symbol without one). */
  | { kind: 'release_price'; symbol?: string }
  /** With `enabled: false` the chain endpoint sends no greeks nor implied volatility (as Alpaca's indicative feed); true again restores them. */
  | { kind: 'chain_greeks'; enabled: boolean }
  | { kind: 'raw'; stream: SimStream; frames: (string | Uint8Array)[]; binary?: boolean }
  /** Market-data REST answers 503 until `resume` (with a stall: REST fails too, so P&L turns unknown). */
  | { kind: 'fail_data_rest' }
  /**
   * The next `count` order commands (of `commands`) are carried out — or, with `carriedOut: false`,
   * lost before the venue acts on them — and the client then hears what `fault` says.
   */
  | { kind: 'order_fault'; fault: OrderFaultKind; count?: number; delayMs?: number; status?: number; commands?: OrderCommand[]; carriedOut?: boolean; key?: string }
  /** Fill behaviour of one key's book, or (no key) of every book and the books added later. */
  | { kind: 'fills'; partial?: boolean; depth?: boolean; key?: string }
  /**
   * The routes a monitoring-cycle step calls (SIM_STEP_ROUTES) answer `status` (default 500) before
   * the venue acts on them, for the key's next `count` matching requests (default: until cleared).
   */
  | { kind: 'step_fault'; step: SimStep; key?: string; count?: number; status?: number; message?: string; client_order_id_prefix?: string }
  | { kind: 'clear_step_fault'; step?: SimStep; key?: string }
  | { kind: 'resume' };

/** What happens to the reply of an order command that the sim carried out (and stored). */
export type OrderFaultKind = 'drop_reply' | 'delay_reply' | 'http_5xx' | 'expire_session';
export type OrderCommand = 'place' | 'replace' | 'cancel';

/**
 * Which requests each step's fault hits (docs/venues-and-accounts.md, "Faults"). Steps 1 and 3 both
 * read orders: step 1's is the day's order book (`status=all`), step 3's (the reconciliation) the open
 * orders; GET /v2/positions belongs to step 1. Steps 4 and 9 both place, 5 and 6 both replace:
 * `client_order_id_prefix` narrows a fault to the orders whose client order id starts with it.
 */
export const SIM_STEP_ROUTES: Readonly<Record<SimStep, string>> = {
  1: 'GET /v2/orders?status=all, GET /v2/positions',
  3: 'GET /v2/orders?status=open (also the default status)',
  4: 'POST /v2/orders',
  5: 'PATCH /v2/orders/{id}',
  6: 'PATCH /v2/orders/{id}',
  9: 'POST /v2/orders',
};

interface PendingStepFault {
  step: SimStep;
  /** null: until cleared. */
  remaining: number | null;
  status: number;
  message: string | null;
  prefix: string | null;
}

/** One key's book on the server: its broker (orders, positions, fills, account), session and faults. */
export interface SimBook {
  readonly keyId: string;
  readonly secretKey: string;
  readonly broker: SimBroker;
  sessionExpired: boolean;
  orderFaults: PendingOrderFault[];
  stepFaults: PendingStepFault[];
}

interface PendingOrderFault {
  fault: OrderFaultKind;
  remaining: number;
  delayMs: number;
  status: number;
  commands: readonly OrderCommand[];
  carriedOut: boolean;
}

/** `POST /__sim/position`: quantities are whole (the sim trades whole shares and contracts), prices whole cents. */
const plantSchema = z
  .object({
    symbol: z.string().trim().min(1, 'must name a symbol').max(32),
    qty: z.union([z.string(), z.number()]).transform((v, ctx) => {
      const n = typeof v === 'number' ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) ctx.addIssue({ code: 'custom', message: `must be a whole number of shares or contracts (signed: short < 0), got ${JSON.stringify(v)}` });
      return n;
    }),
    avg_price: z.union([z.string(), z.number()]).transform((v, ctx) => {
      const t = String(v).trim();
      if (!/^\d+(\.\d{1,2})?$/.test(t) || !(Number(t) > 0)) ctx.addIssue({ code: 'custom', message: `must be a positive price with at most 2 decimals (the sim keeps whole cents), got ${JSON.stringify(v)}` });
      return t;
    }),
    /** Whose book (default: the default key). */
    key: z.string().min(1).max(200).optional(),
  })
  .strict();

const keySchema = z.string().min(1).max(200);
const stepSchema = z.union([z.literal(1), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(9)]);

const faultSchema: z.ZodType<SimFault> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('drop'), stream: z.enum(['stocks', 'options', 'trade_updates']).optional() }),
  z.object({ kind: z.literal('stall'), stream: z.enum(['stocks', 'options', 'trade_updates']).optional() }),
  z.object({ kind: z.literal('refuse406'), stream: z.enum(['stocks', 'options', 'trade_updates']).optional(), forMs: z.number().int().min(0).max(3_600_000) }),
  z.object({ kind: z.literal('slow'), intervalMs: z.number().int().min(1).max(60_000) }),
  z.object({ kind: z.literal('slow_consumer'), stream: z.enum(['stocks', 'options', 'trade_updates']).optional() }),
  z.object({ kind: z.literal('flood'), stream: z.enum(['stocks', 'options', 'trade_updates']).optional(), frames: z.number().int().min(1).max(1_000_000), batch: z.number().int().min(1).max(10_000).optional() }),
  z.object({ kind: z.literal('expire_session'), key: keySchema.optional() }),
  z.object({ kind: z.literal('renew_session'), key: keySchema.optional() }),
  z.object({ kind: z.literal('reject_next_order'), count: z.number().int().min(1).max(1000).optional(), key: keySchema.optional() }),
  z.object({ kind: z.literal('reject_limit_orders'), count: z.number().int().min(1).max(1000).optional(), key: keySchema.optional() }),
  z.object({ kind: z.literal('hold_price'), symbol: z.string().trim().min(1).max(32), price: z.number().positive().max(1_000_000).multipleOf(0.01, 'must be whole cents') }),
  z.object({ kind: z.literal('release_price'), symbol: z.string().trim().min(1).max(32).optional() }),
  z.object({ kind: z.literal('chain_greeks'), enabled: z.boolean() }),
  z.object({ kind: z.literal('raw'), stream: z.enum(['stocks', 'options', 'trade_updates']), frames: z.array(z.string()).max(100_000), binary: z.boolean().optional() }),
  z.object({ kind: z.literal('fail_data_rest') }),
  z.object({
    kind: z.literal('order_fault'),
    fault: z.enum(['drop_reply', 'delay_reply', 'http_5xx', 'expire_session']),
    count: z.number().int().min(1).max(100_000).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    status: z.number().int().min(500).max(599).optional(),
    commands: z.array(z.enum(['place', 'replace', 'cancel'])).min(1).max(3).optional(),
    carriedOut: z.boolean().optional(),
    key: keySchema.optional(),
  }),
  z.object({ kind: z.literal('fills'), partial: z.boolean().optional(), depth: z.boolean().optional(), key: keySchema.optional() }),
  z.object({
    kind: z.literal('step_fault'),
    step: stepSchema,
    key: keySchema.optional(),
    count: z.number().int().min(1).max(1_000_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().max(500).optional(),
    client_order_id_prefix: z.string().min(1).max(128).optional(),
  }),
  z.object({ kind: z.literal('clear_step_fault'), step: stepSchema.optional(), key: keySchema.optional() }),
  z.object({ kind: z.literal('resume') }),
]) as unknown as z.ZodType<SimFault>;

interface Conn {
  id: number;
  ws: WebSocket;
  stream: SimStream;
  feed: string;
  msgpack: boolean;
  authed: boolean;
  listening: boolean;
  quotes: Set<string>;
  trades: Set<string>;
  stalled: boolean;
  authTimer: Cancel | null;
  /** The key it authenticated with (null until then): whose trade_updates it hears, whose session it is. */
  key: string | null;
}

const STOCK_FEEDS = new Set(['iex', 'sip', 'delayed_sip', 'test']);
const OPTION_FEEDS = new Set(['indicative', 'opra']);
const STOCK_SUB_KEYS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'corrections', 'cancelErrors'];

/** The client_order_id of an order placement's body, if it names one. */
function clientOrderIdOf(bodyText: string): string | null {
  try {
    const body = JSON.parse(bodyText || '{}') as unknown;
    const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).client_order_id : undefined;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** RFC 3339 with nanoseconds, as Alpaca's JSON streams send. */
function rfc3339Nanos(ms: number, nanos: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(nanos % 1_000_000).padStart(6, '0')}Z`;
}

export class SimVenueServer {
  readonly model: SimMarketModel;
  /** The default key's broker (the server's first book: `credentials`, default SIMKEY). */
  readonly broker: SimBroker;
  /** One book per key (addAccount); the market model and the streams' prices are shared. */
  private readonly books = new Map<string, SimBook>();
  private readonly defaultKey: string;
  private readonly o: Required<Omit<SimServerOptions, 'logger' | 'entitlements'>> & { logger: Logger; entitlements: { sip: boolean; opra: boolean } };
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly conns = new Set<Conn>();
  private connSeq = 0;
  private tickTimer: Cancel | null = null;
  private heartbeatTimer: Cancel | null = null;
  private intervalMs: number;
  private refuseUntil: Partial<Record<SimStream | 'all', number>> = {};
  private dataRestDown = false;
  /** Whether the chain endpoint sends greeks (fault `chain_greeks`). */
  private chainGreeks = true;
  /** The REST rate limit's window per key (Alpaca limits each account). */
  private readonly restWindows = new Map<string, { start: number; count: number }>();
  private nanos = 0;
  private readonly decoder = createMsgpackDecoder();
  private floods = new Set<{ cancelled: boolean }>();
  private readonly delayedReplies = new Set<Cancel>();
  /** Counters for tests and the admin state endpoint. */
  readonly stats = { connections: 0, quotesSent: 0, tradesSent: 0, framesSent: 0, restRequests: 0, refused406: 0, orderFaults: 0, stepFaults: 0 };
  port = 0;

  constructor(opts: SimServerOptions) {
    this.o = {
      host: '127.0.0.1',
      port: 0,
      intervalMs: 250,
      credentials: SIM_CREDENTIALS,
      maxOptionQuotes: 1000,
      maxStockSymbols: Number.POSITIVE_INFINITY,
      maxConnectionsPerStream: 1,
      authTimeoutMs: 10_000,
      heartbeatMs: 0,
      partialFills: false,
      depthFills: false,
      tradeProbability: 0.3,
      restRequestsPerMinute: 10_000,
      restWindowMs: 60_000,
      optionUnderlyings: null,
      maxBatch: 1000,
      ...opts,
      entitlements: { sip: true, opra: true, ...opts.entitlements },
      logger: opts.logger ?? silentLogger,
    };
    this.intervalMs = this.o.intervalMs;
    this.model = new SimMarketModel(opts.seed, opts.clock.now(), { defaultUniverse: false, optionUnderlyings: opts.optionUnderlyings ?? null });
    this.defaultKey = this.o.credentials.keyId;
    this.broker = this.addAccount(this.o.credentials).broker;
  }

  /**
   * Opens a book for a key (an account of this venue): its own orders, positions, fills, account,
   * trade_updates and session, on the shared market. Idempotent for the same key and secret; a key
   * already held with another secret is refused.
   */
  addAccount(credentials: { keyId: string; secretKey: string }): SimBook {
    const held = this.books.get(credentials.keyId);
    if (held) {
      if (held.secretKey !== credentials.secretKey) throw new Error(`sim: key ${credentials.keyId} is already held with another secret`);
      return held;
    }
    const keyId = credentials.keyId;
    const broker = new SimBroker(
      (e) => this.publishTradeUpdate(keyId, e),
      () => rfc3339Nanos(this.o.clock.now(), this.nextNanos()),
    );
    broker.partialFills = this.o.partialFills;
    broker.depthFills = this.o.depthFills;
    const book: SimBook = { keyId, secretKey: credentials.secretKey, broker, sessionExpired: false, orderFaults: [], stepFaults: [] };
    this.books.set(keyId, book);
    return book;
  }

  /** The book of a key (default: the default key), or null for a key the server does not hold. */
  book(keyId: string = this.defaultKey): SimBook | null {
    return this.books.get(keyId) ?? null;
  }

  /** The keys the server holds (the default key first). */
  keys(): string[] {
    return [...this.books.keys()];
  }

  /**
   * The venue's login for a key: renews its session (after expire_session). The registry's sim
   * wiring calls it from the account's ExecutionPort.reauthenticate(), as a venue whose session is
   * renewed by logging in (SmartAPI) would be.
   */
  renewSession(keyId: string = this.defaultKey): void {
    this.mustBook(keyId).sessionExpired = false;
  }

  private mustBook(keyId: string | undefined): SimBook {
    const book = this.books.get(keyId ?? this.defaultKey);
    if (!book) throw new Error(`sim: no account holds key ${keyId} (keys: ${this.keys().join(', ')})`);
    return book;
  }

  /** Listens on 127.0.0.1 (ephemeral port by default) and starts the market clock. */
  async start(): Promise<AlpacaUrls> {
    if (this.server) return this.urls();
    const server = createServer((req, res) => this.http(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
    server.on('upgrade', (req, socket, head) => {
      const route = this.route(req.url ?? '/');
      if (!route) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, route.stream, route.feed, req));
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
    this.scheduleTicks();
    if (this.o.heartbeatMs > 0) {
      this.heartbeatTimer = this.o.clock.setInterval(() => {
        for (const c of this.conns) if (c.stream === 'trade_updates' && c.authed && !c.stalled) this.sendRaw(c, Buffer.from([0x01]), true);
      }, this.o.heartbeatMs);
    }
    return this.urls();
  }

  urls(): AlpacaUrls {
    const base = `${this.o.host}:${this.port}`;
    return { dataStream: `ws://${base}`, tradingStream: `ws://${base}/stream`, dataRest: `http://${base}`, tradingRest: `http://${base}` };
  }

  /** Closes every socket, timer and the listener. Idempotent. */
  async stop(): Promise<void> {
    this.tickTimer?.();
    this.heartbeatTimer?.();
    this.tickTimer = this.heartbeatTimer = null;
    for (const f of this.floods) f.cancelled = true;
    this.floods.clear();
    for (const cancel of this.delayedReplies) cancel();
    this.delayedReplies.clear();
    for (const b of this.books.values()) b.orderFaults = [];
    for (const c of this.conns) {
      c.authTimer?.();
      c.ws.terminate();
    }
    this.conns.clear();
    const server = this.server;
    this.server = null;
    this.wss?.close();
    this.wss = null;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of this.sockets) s.destroy();
      });
    }
  }

  /** Open connections per stream (authenticated or not). */
  connections(stream?: SimStream): number {
    return [...this.conns].filter((c) => stream === undefined || c.stream === stream).length;
  }

  /** Symbols a stream's connections are subscribed to (quotes channel). */
  subscriptions(stream: SimStream): string[] {
    const out = new Set<string>();
    for (const c of this.conns) if (c.stream === stream) for (const s of c.quotes) out.add(s);
    return [...out];
  }

  // ---------- fault injection ----------

  fault(f: SimFault): void {
    this.o.logger.info('sim fault', { kind: f.kind });
    const matches = (c: Conn, stream?: SimStream) => stream === undefined || c.stream === stream;
    switch (f.kind) {
      case 'drop':
        for (const c of [...this.conns]) if (matches(c, f.stream)) c.ws.terminate();
        return;
      case 'stall':
        for (const c of this.conns) if (matches(c, f.stream)) c.stalled = true;
        return;
      case 'refuse406':
        this.refuseUntil[f.stream ?? 'all'] = this.o.clock.now() + f.forMs;
        return;
      case 'slow':
        this.intervalMs = f.intervalMs;
        this.scheduleTicks();
        return;
      case 'slow_consumer':
        for (const c of [...this.conns]) {
          if (!matches(c, f.stream) || c.stream === 'trade_updates') continue;
          this.sendControl(c, { T: 'error', code: 407, msg: 'slow client' });
          c.ws.close(1008, 'slow client');
        }
        return;
      case 'flood':
        for (const c of this.conns) if (matches(c, f.stream) && c.authed && c.stream !== 'trade_updates') void this.flood(c, f.frames, f.batch ?? 100);
        return;
      case 'expire_session': {
        const book = this.mustBook(f.key);
        book.sessionExpired = true;
        for (const c of [...this.conns]) if (c.key === book.keyId) c.ws.close(1008, 'session expired');
        return;
      }
      case 'renew_session':
        this.mustBook(f.key).sessionExpired = false;
        return;
      case 'reject_next_order':
        this.mustBook(f.key).broker.rejectNext += f.count ?? 1;
        return;
      case 'reject_limit_orders':
        this.mustBook(f.key).broker.rejectNextLimit += f.count ?? 1;
        return;
      case 'hold_price':
        if (!this.model.holdPrice(f.symbol, f.price, this.o.clock.now())) throw new Error(`symbol: the sim cannot quote ${f.symbol}`);
        return;
      case 'release_price':
        this.model.releasePrice(f.symbol);
        return;
      case 'chain_greeks':
        this.chainGreeks = f.enabled;
        return;
      case 'raw':
        for (const c of this.conns) {
          if (c.stream !== f.stream) continue;
          // Binary frames given as strings are byte strings (latin1), so the admin API can carry any bytes.
          for (const frame of f.frames) this.sendRaw(c, typeof frame === 'string' && f.binary ? Buffer.from(frame, 'latin1') : frame, f.binary ?? typeof frame !== 'string');
        }
        return;
      case 'fail_data_rest':
        this.dataRestDown = true;
        return;
      case 'order_fault':
        this.mustBook(f.key).orderFaults.push({
          fault: f.fault,
          remaining: f.count ?? 1,
          delayMs: f.delayMs ?? 0,
          status: f.status ?? 500,
          commands: f.commands ?? ['place', 'replace', 'cancel'],
          carriedOut: f.carriedOut ?? true,
        });
        return;
      case 'fills': {
        if (f.key === undefined) {
          if (f.partial !== undefined) this.o.partialFills = f.partial;
          if (f.depth !== undefined) this.o.depthFills = f.depth;
        }
        for (const b of f.key === undefined ? this.books.values() : [this.mustBook(f.key)]) {
          if (f.partial !== undefined) b.broker.partialFills = f.partial;
          if (f.depth !== undefined) b.broker.depthFills = f.depth;
        }
        return;
      }
      case 'step_fault':
        this.mustBook(f.key).stepFaults.push({ step: f.step, remaining: f.count ?? null, status: f.status ?? 500, message: f.message ?? null, prefix: f.client_order_id_prefix ?? null });
        return;
      case 'clear_step_fault': {
        const book = this.mustBook(f.key);
        book.stepFaults = f.step === undefined ? [] : book.stepFaults.filter((x) => x.step !== f.step);
        return;
      }
      case 'resume':
        this.dataRestDown = false;
        for (const c of this.conns) c.stalled = false;
        this.refuseUntil = {};
        for (const b of this.books.values()) {
          b.orderFaults = [];
          b.stepFaults = [];
          b.sessionExpired = false;
          b.broker.rejectNext = 0;
          b.broker.rejectNextLimit = 0;
        }
        this.model.releasePrice();
        this.chainGreeks = true;
        if (this.intervalMs !== this.o.intervalMs) {
          this.intervalMs = this.o.intervalMs;
          this.scheduleTicks();
        }
    }
  }

  /**
   * Sends `frames` data frames of `batch` quotes each to a connection as fast as its socket drains
   * (benchmarks and queue-overflow tests). Resolves when all are handed to the socket.
   */
  async flood(c: Conn, frames: number, batch: number): Promise<number> {
    const token = { cancelled: false };
    this.floods.add(token);
    const symbols = c.quotes.size > 0 ? [...c.quotes] : ['FLOOD'];
    const now = this.o.clock.now();
    this.model.advance(now);
    // A pool of pre-encoded frames with distinct prices: the sim must not be the bottleneck.
    const pool: (string | Uint8Array)[] = [];
    for (let p = 0; p < 16; p++) {
      const msgs: Record<string, unknown>[] = [];
      for (let i = 0; i < batch; i++) {
        const s = symbols[(p * batch + i) % symbols.length]!;
        const q = this.model.quote(s, now) ?? { bid: 10, ask: 10.01, bidSize: 1, askSize: 1 };
        const bump = (p % 8) / 100;
        msgs.push(this.quoteMessage(c, s, (q.bid ?? 10) + bump, (q.ask ?? 10.01) + bump, q.bidSize ?? 1, q.askSize ?? 1, now));
      }
      pool.push(c.msgpack ? encodeMsgpack(msgs) : JSON.stringify(msgs));
    }
    let sent = 0;
    while (sent < frames && !token.cancelled && c.ws.readyState === WebSocket.OPEN) {
      if (c.ws.bufferedAmount > 4 * 1024 * 1024) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const frame = pool[sent % pool.length]!;
      c.ws.send(frame, { binary: c.msgpack });
      this.stats.framesSent++;
      this.stats.quotesSent += batch;
      sent++;
      if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    this.floods.delete(token);
    return sent;
  }

  /** Floods the first authenticated connection of `stream` (bench helper). */
  floodStream(stream: SimStream, frames: number, batch: number): Promise<number> {
    const c = [...this.conns].find((x) => x.stream === stream && x.authed);
    if (!c) return Promise.reject(new Error(`no authenticated ${stream} connection`));
    return this.flood(c, frames, batch);
  }

  // ---------- market clock ----------

  private scheduleTicks(): void {
    this.tickTimer?.();
    this.tickTimer = this.o.clock.setInterval(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    const now = this.o.clock.now();
    this.model.advance(now);
    const cache = new Map<string, QuoteValues | null>();
    const quoteOf = (s: string) => {
      if (!cache.has(s)) cache.set(s, this.model.quote(s, now));
      return cache.get(s)!;
    };
    for (const c of this.conns) {
      if (!c.authed || c.stalled || c.stream === 'trade_updates') continue;
      const msgs: Record<string, unknown>[] = [];
      for (const s of c.trades) {
        const q = quoteOf(s);
        if (q && q.last !== null && this.model.tradePrints(this.o.tradeProbability)) msgs.push(this.tradeMessage(c, s, q.last, now));
      }
      for (const s of c.quotes) {
        const q = quoteOf(s);
        if (q) msgs.push(this.quoteMessage(c, s, q.bid ?? 0, q.ask ?? 0, q.bidSize ?? 0, q.askSize ?? 0, now));
      }
      for (let i = 0; i < msgs.length; i += this.o.maxBatch) this.sendData(c, msgs.slice(i, i + this.o.maxBatch));
    }
    for (const b of this.books.values()) {
      b.broker.onQuotes((s) => {
        this.model.ensure(s);
        return quoteOf(s);
      });
    }
  }

  private nextNanos(): number {
    this.nanos = (this.nanos + 1) % 1_000_000;
    return this.nanos;
  }

  private quoteMessage(c: Conn, symbol: string, bid: number, ask: number, bs: number, as: number, now: number): Record<string, unknown> {
    const t = this.timeValue(c, now);
    if (c.stream === 'options') return { T: 'q', S: symbol, t, bx: 'C', bp: bid, bs, ax: 'C', ap: ask, as, c: 'A' };
    return { T: 'q', S: symbol, bx: 'V', bp: bid, bs, ax: 'V', ap: ask, as, c: ['R'], z: 'C', t };
  }

  private tradeMessage(c: Conn, symbol: string, price: number, now: number): Record<string, unknown> {
    const t = this.timeValue(c, now);
    this.stats.tradesSent++;
    if (c.stream === 'options') return { T: 't', S: symbol, t, p: price, s: 1, x: 'C', c: 'I' };
    return { T: 't', S: symbol, i: this.stats.tradesSent, x: 'V', p: price, s: 100, c: ['@'], z: 'C', t };
  }

  private timeValue(c: Conn, now: number): unknown {
    const nanos = this.nextNanos();
    return c.msgpack ? new ExchangeTime(now, (now % 1000) * 1_000_000 + (nanos % 1_000_000)) : rfc3339Nanos(now, nanos);
  }

  // ---------- websocket streams ----------

  private route(url: string): { stream: SimStream; feed: string } | null {
    const path = new URL(url, 'http://sim').pathname;
    const m = /^\/(v2|v1beta1)\/([a-z_]+)$/.exec(path);
    if (m && m[1] === 'v2' && STOCK_FEEDS.has(m[2]!)) return { stream: 'stocks', feed: m[2]! };
    if (m && m[1] === 'v1beta1' && OPTION_FEEDS.has(m[2]!)) return { stream: 'options', feed: m[2]! };
    if (path === '/stream') return { stream: 'trade_updates', feed: '' };
    return null;
  }

  private attach(ws: WebSocket, stream: SimStream, feed: string, req: IncomingMessage): void {
    const msgpack = /application\/msgpack/i.test(String(req.headers['content-type'] ?? ''));
    const c: Conn = { id: ++this.connSeq, ws, stream, feed, msgpack: stream === 'trade_updates' ? false : msgpack, authed: false, listening: false, quotes: new Set(), trades: new Set(), stalled: false, authTimer: null, key: null };
    this.conns.add(c);
    this.stats.connections++;
    ws.on('close', () => {
      c.authTimer?.();
      this.conns.delete(c);
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => this.onClientMessage(c, data as Buffer, isBinary));
    if (stream === 'options' && !msgpack) {
      // Alpaca: the option stream is msgpack only (alpaca.md §2.1).
      this.sendControl({ ...c, msgpack: false }, { T: 'error', code: 412, msg: 'option messages are only available in MsgPack format' });
      ws.close(1003, 'msgpack required');
      return;
    }
    if (stream !== 'trade_updates') this.sendControl(c, { T: 'success', msg: 'connected' });
    c.authTimer = this.o.clock.setTimeout(() => {
      c.authTimer = null;
      if (c.authed) return;
      if (stream === 'trade_updates') ws.close(1008, 'auth timeout');
      else {
        this.sendControl(c, { T: 'error', code: 404, msg: 'auth timeout' });
        ws.close(1008, 'auth timeout');
      }
    }, this.o.authTimeoutMs);
  }

  private onClientMessage(c: Conn, data: Buffer, isBinary: boolean): void {
    let msg: unknown;
    try {
      msg = isBinary && c.msgpack ? this.decoder.decode(data) : JSON.parse(data.toString('utf8'));
    } catch {
      if (c.stream === 'trade_updates') this.sendTrading(c, { action: 'error', data: { error_message: 'invalid syntax' } });
      else this.sendControl(c, { T: 'error', code: 400, msg: 'invalid syntax' });
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      if (c.stream !== 'trade_updates') this.sendControl(c, { T: 'error', code: 400, msg: 'invalid syntax' });
      return;
    }
    const m = msg as Record<string, unknown>;
    if (c.stream === 'trade_updates') this.onTradingMessage(c, m);
    else this.onDataMessage(c, m);
  }

  private refused(stream: SimStream): boolean {
    const now = this.o.clock.now();
    return (this.refuseUntil.all ?? 0) > now || (this.refuseUntil[stream] ?? 0) > now;
  }

  private onDataMessage(c: Conn, m: Record<string, unknown>): void {
    if (m.action === 'auth') {
      if (c.authed) return this.sendControl(c, { T: 'error', code: 403, msg: 'already authenticated' });
      const book = typeof m.key === 'string' ? this.books.get(m.key) : undefined;
      if (!book || m.secret !== book.secretKey || book.sessionExpired) {
        this.sendControl(c, { T: 'error', code: 402, msg: 'auth failed' });
        c.ws.close(1008, 'auth failed');
        return;
      }
      // Alpaca's one connection per endpoint is per account: each key has its own allowance.
      const others = [...this.conns].filter((x) => x !== c && x.stream === c.stream && x.authed && x.key === book.keyId).length;
      if (this.refused(c.stream) || others >= this.o.maxConnectionsPerStream) {
        this.stats.refused406++;
        this.sendControl(c, { T: 'error', code: 406, msg: 'connection limit exceeded' });
        c.ws.close(1008, 'connection limit exceeded');
        return;
      }
      if ((c.feed === 'sip' && !this.o.entitlements.sip) || (c.feed === 'opra' && !this.o.entitlements.opra)) {
        this.sendControl(c, { T: 'error', code: 409, msg: 'insufficient subscription' });
        c.ws.close(1008, 'insufficient subscription');
        return;
      }
      c.authed = true;
      c.key = book.keyId;
      c.authTimer?.();
      c.authTimer = null;
      this.sendControl(c, { T: 'success', msg: 'authenticated' });
      return;
    }
    if (m.action !== 'subscribe' && m.action !== 'unsubscribe') return this.sendControl(c, { T: 'error', code: 400, msg: 'invalid syntax' });
    if (!c.authed) return this.sendControl(c, { T: 'error', code: 401, msg: 'not authenticated' });
    const lists: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(m)) {
      if (k === 'action') continue;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return this.sendControl(c, { T: 'error', code: 400, msg: 'invalid syntax' });
      lists[k] = v as string[];
    }
    if (c.stream === 'options') {
      if (Object.keys(lists).some((k) => k !== 'quotes' && k !== 'trades')) return this.sendControl(c, { T: 'error', code: 410, msg: 'invalid subscribe action for this feed' });
      if ((lists.quotes ?? []).includes('*')) return this.sendControl(c, { T: 'error', code: 413, msg: 'star subscription is not allowed for option quotes' });
    }
    const valid = (s: string) => {
      if (c.stream === 'options') {
        if (symbolKind(s) !== 'option') return false;
        try {
          parseOcc(s);
          return true;
        } catch {
          return false;
        }
      }
      return s === '*' || isStockSymbol(s);
    };
    const all = [...(lists.quotes ?? []), ...(lists.trades ?? [])];
    if (!all.every(valid)) return this.sendControl(c, { T: 'error', code: 400, msg: 'invalid syntax' });
    if (m.action === 'subscribe') {
      const nextQuotes = new Set([...c.quotes, ...(lists.quotes ?? [])]);
      const limit = c.stream === 'options' ? this.o.maxOptionQuotes : this.o.maxStockSymbols;
      if (nextQuotes.size > limit) return this.sendControl(c, { T: 'error', code: 405, msg: 'symbol limit exceeded' });
      // A contract the venue does not list is subscribed but never quoted (Alpaca answers 400 only
      // for a malformed symbol); GET /v2/options/contracts/{symbol} tells it apart.
      for (const s of all) this.model.ensure(s, this.o.clock.now());
      for (const s of lists.quotes ?? []) c.quotes.add(s);
      for (const s of lists.trades ?? []) c.trades.add(s);
    } else {
      for (const s of lists.quotes ?? []) c.quotes.delete(s);
      for (const s of lists.trades ?? []) c.trades.delete(s);
    }
    const ack: Record<string, unknown> = { T: 'subscription', trades: [...c.trades], quotes: [...c.quotes] };
    if (c.stream === 'stocks') for (const k of STOCK_SUB_KEYS) if (!(k in ack)) ack[k] = k === 'corrections' || k === 'cancelErrors' ? [...c.trades] : [];
    this.sendControl(c, ack);
  }

  private onTradingMessage(c: Conn, m: Record<string, unknown>): void {
    const data = (m.data ?? {}) as Record<string, unknown>;
    if (m.action === 'auth' || m.action === 'authenticate') {
      // Both forms appear in Alpaca's material (alpaca.md §3.2): accept either.
      const key = m.action === 'auth' ? m.key : data.key_id;
      const secret = m.action === 'auth' ? m.secret : data.secret_key;
      const book = typeof key === 'string' ? this.books.get(key) : undefined;
      const ok = book !== undefined && secret === book.secretKey && !book.sessionExpired;
      if (!ok) {
        this.sendTrading(c, { stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate', message: 'access key verification failed' } });
        c.ws.close(1008, 'unauthorized');
        return;
      }
      if (this.refused('trade_updates')) {
        this.stats.refused406++;
        c.ws.close(1008, 'connection limit exceeded');
        return;
      }
      c.authed = true;
      c.key = book.keyId;
      c.authTimer?.();
      c.authTimer = null;
      this.sendTrading(c, { stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } });
      return;
    }
    if (m.action === 'listen') {
      if (!c.authed) return this.sendTrading(c, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
      const streams = Array.isArray(data.streams) ? data.streams.filter((s): s is string => s === 'trade_updates') : [];
      c.listening = streams.length > 0;
      this.sendTrading(c, { stream: 'listening', data: { streams } });
      return;
    }
    this.sendTrading(c, { action: 'error', data: { error_message: 'invalid syntax' } });
  }

  /** A book's order events go to the trade_updates connections authenticated with its key only. */
  private publishTradeUpdate(keyId: string, e: TradeUpdateEvent): void {
    for (const c of this.conns) if (c.stream === 'trade_updates' && c.listening && !c.stalled && c.key === keyId) this.sendTrading(c, { stream: 'trade_updates', data: e });
  }

  private sendControl(c: Conn, msg: Record<string, unknown>): void {
    this.sendRaw(c, c.msgpack ? encodeMsgpack([msg]) : JSON.stringify([msg]), c.msgpack);
  }

  private sendData(c: Conn, msgs: Record<string, unknown>[]): void {
    if (msgs.length === 0) return;
    for (const m of msgs) if (m.T === 'q') this.stats.quotesSent++;
    this.sendRaw(c, c.msgpack ? encodeMsgpack(msgs) : JSON.stringify(msgs), c.msgpack);
  }

  /** Paper's trading stream sends JSON in binary frames (alpaca.md §3.1). */
  private sendTrading(c: Conn, msg: Record<string, unknown>): void {
    this.sendRaw(c, Buffer.from(JSON.stringify(msg)), true);
  }

  private sendRaw(c: Conn, data: string | Uint8Array, binary: boolean): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    this.stats.framesSent++;
    c.ws.send(data, { binary });
  }

  // ---------- REST ----------

  private http(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1024 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        this.handleRest(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        this.json(res, 500, { message: err instanceof Error ? err.message : 'internal error' });
      }
    });
  }

  private json(res: ReplySink, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(text);
  }

  private handleRest(req: IncomingMessage, res: ServerResponse, bodyText: string): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path.startsWith('/__sim/')) return this.admin(method, path, bodyText, res);
    this.stats.restRequests++;
    // Rate limit (per minute window, per key as Alpaca counts per account), with Alpaca's headers.
    const now = this.o.clock.now();
    const keyHeader = req.headers['apca-api-key-id'];
    const keyId = typeof keyHeader === 'string' ? keyHeader : '';
    let w = this.restWindows.get(keyId);
    if (!w) {
      // Unknown keys share one window, so a flood of made-up keys cannot grow the map.
      w = { start: now, count: 0 };
      if (this.books.has(keyId)) this.restWindows.set(keyId, w);
      else {
        w = this.restWindows.get('') ?? w;
        this.restWindows.set('', w);
      }
    }
    if (now - w.start >= this.o.restWindowMs) {
      w.start = now;
      w.count = 0;
    }
    w.count++;
    const limit = this.o.restRequestsPerMinute;
    const rate = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - w.count)),
      'X-RateLimit-Reset': String(Math.ceil((w.start + this.o.restWindowMs) / 1000)),
    };
    if (w.count > limit) return this.json(res, 429, { code: 42910000, message: 'rate limit exceeded' }, rate);
    const book = this.books.get(keyId);
    if (!book || req.headers['apca-api-secret-key'] !== book.secretKey) {
      return this.json(res, 401, { code: 40110000, message: 'request is not authorized' }, rate);
    }
    // An expired session answers as Alpaca does when a key stops working.
    if (book.sessionExpired) return this.json(res, 401, { code: 40110000, message: 'access key verification failed' }, rate);
    const broker = book.broker;
    const symbols = (url.searchParams.get('symbols') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const quoteNow = (s: string) => {
      if (!this.model.ensure(s, now)) return null;
      this.model.advance(now);
      return this.model.quote(s, now);
    };
    const restQuote = (q: QuoteValues, options: boolean) => {
      const t = rfc3339Nanos(now, this.nextNanos());
      return options ? { ap: q.ask, as: q.askSize, ax: 'C', bp: q.bid, bs: q.bidSize, bx: 'C', c: 'A', t } : { ap: q.ask, as: q.askSize, ax: 'V', bp: q.bid, bs: q.bidSize, bx: 'V', c: ['R'], t, z: 'C' };
    };
    const restTrade = (q: QuoteValues) => ({ p: q.last, s: 1, t: rfc3339Nanos(now, this.nextNanos()), x: 'V' });
    const dataRoute = (options: boolean, kind: 'latest' | 'trades' | 'snapshots') => {
      if (this.dataRestDown) return this.json(res, 503, { message: 'market data temporarily unavailable (sim fault fail_data_rest)' }, rate);
      if (symbols.length === 0) return this.json(res, 400, { message: 'symbols is required' }, rate);
      if (options && symbols.length > 100) return this.json(res, 400, { message: 'too many symbols (max 100)' }, rate);
      const wrongKind = symbols.find((s) => (symbolKind(s) === 'option') !== options);
      if (wrongKind) return this.json(res, 400, { message: `invalid symbol: ${wrongKind}` }, rate);
      const map: Record<string, unknown> = {};
      for (const s of symbols) {
        const q = quoteNow(s);
        if (!q) continue;
        if (kind === 'trades' && q.last === null) continue; // no trade yet: Alpaca leaves the symbol out
        map[s] = kind === 'latest' ? restQuote(q, options) : kind === 'trades' ? restTrade(q) : { latestQuote: restQuote(q, options), latestTrade: restTrade(q) };
      }
      if (kind === 'latest') return this.json(res, 200, { quotes: map }, rate);
      if (kind === 'trades') return this.json(res, 200, { trades: map }, rate);
      return this.json(res, 200, options ? { snapshots: map, next_page_token: null } : map, rate);
    };
    const contractPath = /^\/v2\/options\/contracts\/([^/]+)$/.exec(path);
    if (method === 'GET' && contractPath) {
      const symbol = decodeURIComponent(contractPath[1]!);
      const status = this.model.contractStatus(symbol, now);
      if (status === 'unknown') return this.json(res, 404, { code: 40410000, message: `option contract not found: ${symbol}` }, rate);
      const c = parseOcc(symbol);
      return this.json(res, 200, {
        id: `sim-${symbol}`,
        symbol,
        name: symbol,
        status: status === 'active' ? 'active' : 'inactive',
        tradable: status === 'active',
        expiration_date: c.expiry,
        root_symbol: c.root,
        underlying_symbol: c.root,
        type: c.right,
        style: 'american',
        strike_price: String(c.strikeMilli / 1000),
        multiplier: '100',
        size: '100',
      }, rate);
    }
    if (method === 'GET' && path === '/v2/stocks/quotes/latest') return dataRoute(false, 'latest');
    if (method === 'GET' && path === '/v2/stocks/snapshots') return dataRoute(false, 'snapshots');
    if (method === 'GET' && path === '/v1beta1/options/quotes/latest') return dataRoute(true, 'latest');
    if (method === 'GET' && path === '/v2/stocks/trades/latest') return dataRoute(false, 'trades');
    if (method === 'GET' && path === '/v1beta1/options/trades/latest') return dataRoute(true, 'trades');
    if (method === 'GET' && path === '/v1beta1/options/snapshots') return dataRoute(true, 'snapshots');
    const chainPath = /^\/v1beta1\/options\/snapshots\/([^/]+)$/.exec(path);
    if (method === 'GET' && chainPath) return this.chainRoute(decodeURIComponent(chainPath[1]!), url, now, res, rate, restQuote, restTrade);
    const quoteOf = (s: string) => quoteNow(s);
    const stepFault = this.takeStepFault(book, method, path, url, bodyText);
    if (stepFault) {
      this.stats.stepFaults++;
      const message = stepFault.message ?? `sim step_fault: step ${stepFault.step} (${SIM_STEP_ROUTES[stepFault.step]}) failed before the venue acted`;
      return this.json(res, stepFault.status, { code: stepFault.status * 100_000, message }, rate);
    }
    if (method === 'GET' && path === '/v2/account') return this.json(res, 200, broker.account(quoteOf), rate);
    if (method === 'GET' && path === '/v2/positions') return this.json(res, 200, broker.positionList(quoteOf), rate);
    if (method === 'GET' && path === '/v2/orders') {
      const status = url.searchParams.get('status') ?? 'open';
      if (status !== 'open' && status !== 'closed' && status !== 'all') return this.json(res, 422, { code: 40010001, message: 'invalid status' }, rate);
      const limitN = Math.min(500, Number(url.searchParams.get('limit') ?? 50) || 50);
      // Alpaca (alpaca.md §4.2): `after` / `until` are exclusive bounds on the submission time, `direction` asc|desc (default desc).
      const bound = (name: string): number | null => {
        const v = url.searchParams.get(name);
        if (v === null) return null;
        const ms = Date.parse(v);
        return Number.isFinite(ms) ? ms : Number.NaN;
      };
      const after = bound('after');
      const until = bound('until');
      const direction = url.searchParams.get('direction') ?? 'desc';
      if (Number.isNaN(after) || Number.isNaN(until) || (direction !== 'asc' && direction !== 'desc')) return this.json(res, 422, { code: 40010001, message: 'invalid after, until or direction' }, rate);
      let list = broker.list(status).filter((o) => {
        const t = Date.parse(o.submitted_at);
        return (after === null || t > after) && (until === null || t < until);
      });
      if (direction === 'asc') list = list.reverse();
      return this.json(res, 200, list.slice(0, limitN), rate);
    }
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const o = broker.byClientOrderId(url.searchParams.get('client_order_id') ?? '');
      return o ? this.json(res, 200, o, rate) : this.json(res, 404, { code: 40410000, message: 'order not found' }, rate);
    }
    const orderPath = /^\/v2\/orders\/([^/]+)$/.exec(path);
    const command: OrderCommand | null = method === 'POST' && path === '/v2/orders' ? 'place' : orderPath && method === 'PATCH' ? 'replace' : orderPath && method === 'DELETE' ? 'cancel' : null;
    if (command !== null) {
      // An order command is carried out first; a pending order fault then decides what the client hears.
      const fault = this.takeOrderFault(book, command);
      if (fault) {
        this.stats.orderFaults++;
        const capture = new CapturedReply();
        if (fault.carriedOut) this.orderCommand(broker, command, orderPath, bodyText, quoteOf, capture, rate);
        else capture.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'lost before the venue acted on it (sim order_fault, carriedOut: false)' }));
        return this.faultReply(book, fault, req, res, capture, rate);
      }
      return this.orderCommand(broker, command, orderPath, bodyText, quoteOf, res, rate);
    }
    try {
      if (orderPath && method === 'GET') {
        const o = broker.get(decodeURIComponent(orderPath[1]!));
        return o ? this.json(res, 200, o, rate) : this.json(res, 404, { code: 40410000, message: 'order not found' }, rate);
      }
    } catch (err) {
      if (err instanceof BrokerError) return this.json(res, err.status, { code: err.code, message: err.message }, rate);
      throw err;
    }
    this.json(res, 404, { code: 40410000, message: 'endpoint not found' }, rate);
  }

  /**
   * GET /v1beta1/options/snapshots/{underlying}: the underlying's listed chain (model.chain) as
   * Alpaca's snapshots, with the filters `type`, `strike_price_gte/lte`, `expiration_date[_gte/_lte]`
   * and paging (`limit` 1–1000, default 100; `page_token` → `next_page_token`, null on the last page).
   * An underlying without a chain answers an empty map. Greeks and `impliedVolatility` are the sim's
   * Black-Scholes (left out with the fault `chain_greeks {enabled:false}`).
   */
  private chainRoute(
    underlying: string,
    url: URL,
    now: number,
    res: ReplySink,
    rate: Record<string, string>,
    restQuote: (q: QuoteValues, options: boolean) => Record<string, unknown>,
    restTrade: (q: QuoteValues) => Record<string, unknown>,
  ): void {
    if (this.dataRestDown) return this.json(res, 503, { message: 'market data temporarily unavailable (sim fault fail_data_rest)' }, rate);
    const p = url.searchParams;
    const bad = (message: string) => this.json(res, 400, { code: 40010001, message }, rate);
    const date = (name: string): string | undefined | null => {
      const v = p.get(name);
      if (v === null) return undefined;
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
    };
    const strike = (name: string): number | undefined | null => {
      const v = p.get(name);
      if (v === null) return undefined;
      const n = Number(v);
      return Number.isFinite(n) && n >= 0 ? n : null;
    };
    const type = p.get('type');
    if (type !== null && type !== 'call' && type !== 'put') return bad(`invalid type: ${type}`);
    const filter = { expiration: date('expiration_date'), expirationGte: date('expiration_date_gte'), expirationLte: date('expiration_date_lte'), strikeGte: strike('strike_price_gte'), strikeLte: strike('strike_price_lte') };
    for (const [k, v] of Object.entries(filter)) if (v === null) return bad(`invalid ${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`);
    const limitText = p.get('limit');
    const limit = limitText === null ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return bad('invalid limit (1 to 1000)');
    const tokenText = p.get('page_token');
    const offset = tokenText === null ? 0 : Number(Buffer.from(tokenText, 'base64url').toString('utf8').replace(/^chain:/, ''));
    if (!Number.isInteger(offset) || offset < 0) return bad('invalid page_token');
    this.model.advance(now);
    // Validated above: no value is null any more.
    const f = filter as { expiration?: string; expirationGte?: string; expirationLte?: string; strikeGte?: number; strikeLte?: number };
    const { entries: page, total } = this.model.chainPage(underlying, now, { ...(type !== null ? { right: type } : {}), ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) }, offset, limit);
    const snapshots: Record<string, unknown> = {};
    for (const e of page) {
      snapshots[e.option.symbol] = {
        latestQuote: restQuote(e.quote, true),
        latestTrade: restTrade(e.quote),
        ...(this.chainGreeks && e.greeks ? { greeks: { delta: e.greeks.delta, gamma: e.greeks.gamma, theta: e.greeks.theta, vega: e.greeks.vega, rho: e.greeks.rho }, impliedVolatility: e.greeks.iv } : {}),
      };
    }
    const next = offset + limit < total ? Buffer.from(`chain:${offset + limit}`, 'utf8').toString('base64url') : null;
    return this.json(res, 200, { snapshots, next_page_token: next }, rate);
  }

  private takeOrderFault(book: SimBook, command: OrderCommand): PendingOrderFault | null {
    const i = book.orderFaults.findIndex((f) => f.commands.includes(command));
    if (i < 0) return null;
    const f = book.orderFaults[i]!;
    if (--f.remaining <= 0) book.orderFaults.splice(i, 1);
    return f;
  }

  /** The first pending step fault of the key that this request falls under (SIM_STEP_ROUTES), consumed once. */
  private takeStepFault(book: SimBook, method: string, path: string, url: URL, bodyText: string): PendingStepFault | null {
    if (book.stepFaults.length === 0) return null;
    const orderPath = /^\/v2\/orders\/([^/]+)$/.exec(path);
    let steps: SimStep[];
    let clientOrderId: string | null = null;
    if (method === 'GET' && path === '/v2/positions') steps = [1];
    else if (method === 'GET' && path === '/v2/orders') {
      const status = url.searchParams.get('status') ?? 'open';
      steps = status === 'all' ? [1] : status === 'open' ? [3] : [];
    } else if (method === 'POST' && path === '/v2/orders') {
      steps = [4, 9];
      clientOrderId = clientOrderIdOf(bodyText);
    } else if (method === 'PATCH' && orderPath) {
      steps = [5, 6];
      clientOrderId = book.broker.get(decodeURIComponent(orderPath[1]!))?.client_order_id ?? null;
    } else return null;
    const i = book.stepFaults.findIndex((f) => steps.includes(f.step) && (f.prefix === null || (clientOrderId !== null && clientOrderId.startsWith(f.prefix))));
    if (i < 0) return null;
    const f = book.stepFaults[i]!;
    if (f.remaining !== null && --f.remaining <= 0) book.stepFaults.splice(i, 1);
    return f;
  }

  /** What the client hears after the sim carried out (and stored) an order command under a fault. */
  private faultReply(book: SimBook, f: PendingOrderFault, req: IncomingMessage, res: ServerResponse, reply: CapturedReply, rate: Record<string, string>): void {
    switch (f.fault) {
      case 'drop_reply':
        // The order is stored; the connection dies before a byte of the answer is written.
        req.socket.destroy();
        return;
      case 'delay_reply': {
        const cancel = this.o.clock.setTimeout(() => {
          this.delayedReplies.delete(cancel);
          if (!res.destroyed && !res.writableEnded && !req.socket.destroyed) reply.replay(res);
        }, f.delayMs);
        this.delayedReplies.add(cancel);
        return;
      }
      case 'http_5xx':
        return this.json(res, f.status, { message: `internal server error (sim order_fault http_5xx, after the command was carried out)` }, rate);
      case 'expire_session':
        reply.replay(res);
        this.fault({ kind: 'expire_session', key: book.keyId });
    }
  }

  private orderCommand(
    broker: SimBroker,
    command: OrderCommand,
    orderPath: RegExpExecArray | null,
    bodyText: string,
    quoteOf: (s: string) => QuoteValues | null,
    res: ReplySink,
    rate: Record<string, string>,
  ): void {
    try {
      if (command === 'place') return this.json(res, 200, this.placeOrder(broker, bodyText, quoteOf), rate);
      if (command === 'replace' && orderPath) {
        const body = JSON.parse(bodyText || '{}') as Record<string, unknown>;
        const id = decodeURIComponent(orderPath[1]!);
        const current = broker.get(id);
        if (current) this.model.ensure(current.symbol);
        const patch: { qty?: number; limitCents?: number | null; stopCents?: number; clientOrderId?: string } = {};
        if (body.qty !== undefined) patch.qty = Number(body.qty);
        if (body.limit_price !== undefined) patch.limitCents = Math.round(Number(body.limit_price) * 100);
        if (body.stop_price !== undefined) patch.stopCents = Math.round(Number(body.stop_price) * 100);
        if (body.client_order_id !== undefined) {
          if (typeof body.client_order_id !== 'string' || body.client_order_id.length === 0 || body.client_order_id.length > 128) {
            throw new BrokerError(422, 40010001, 'client_order_id must be a string of 1 to 128 characters');
          }
          patch.clientOrderId = body.client_order_id;
        }
        return this.json(res, 200, broker.replace(id, patch, current ? quoteOf(current.symbol) : null), rate);
      }
      if (command === 'cancel' && orderPath) {
        broker.cancel(decodeURIComponent(orderPath[1]!));
        res.writeHead(204, rate);
        res.end();
        return;
      }
    } catch (err) {
      if (err instanceof BrokerError) return this.json(res, err.status, { code: err.code, message: err.message }, rate);
      if (err instanceof SyntaxError) return this.json(res, 400, { code: 40010000, message: 'request body format is invalid' }, rate);
      throw err;
    }
    this.json(res, 404, { code: 40410000, message: 'endpoint not found' }, rate);
  }

  private placeOrder(broker: SimBroker, bodyText: string, quoteOf: (s: string) => QuoteValues | null): unknown {
    const schema = z.object({
      symbol: z.string().min(1).max(32),
      qty: z.union([z.string(), z.number()]).transform(Number).pipe(z.number().int().positive()),
      side: z.enum(['buy', 'sell']),
      type: z.enum(['market', 'limit', 'stop_limit']),
      time_in_force: z.enum(['day', 'gtc', 'ioc', 'fok', 'opg', 'cls']),
      limit_price: z.union([z.string(), z.number()]).transform(Number).pipe(z.number().positive()).optional(),
      stop_price: z.union([z.string(), z.number()]).transform(Number).pipe(z.number().positive()).optional(),
      client_order_id: z.string().min(1).max(128).optional(),
      order_class: z.enum(['simple', '']).optional(),
    });
    const parsed = schema.safeParse(JSON.parse(bodyText || '{}'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BrokerError(422, 40010001, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const b = parsed.data;
    if (b.type === 'limit' && b.limit_price === undefined) throw new BrokerError(422, 40010001, 'limit_price is required for limit orders');
    // Unknown assets: a malformed stock symbol, an option contract the sim does not list or one past its expiry.
    const known = symbolKind(b.symbol) === 'option' || isStockSymbol(b.symbol);
    if (!known || !this.model.ensure(b.symbol, this.o.clock.now())) throw new BrokerError(422, 40010001, `asset ${b.symbol} not found`);
    return broker.place(
      {
        symbol: b.symbol,
        qty: b.qty,
        side: b.side,
        type: b.type,
        time_in_force: b.time_in_force,
        limitCents: b.limit_price === undefined ? null : Math.round(b.limit_price * 100),
        stopCents: b.stop_price === undefined ? null : Math.round(b.stop_price * 100),
        client_order_id: b.client_order_id ?? `sim-coid-${this.connSeq}-${this.stats.restRequests}`,
      },
      quoteOf(b.symbol),
    );
  }

  private admin(method: string, path: string, bodyText: string, res: ServerResponse): void {
    if (method === 'GET' && path === '/__sim/state') {
      return this.json(res, 200, {
        port: this.port,
        connections: { stocks: this.connections('stocks'), options: this.connections('options'), trade_updates: this.connections('trade_updates') },
        stats: this.stats,
        intervalMs: this.intervalMs,
        sessionExpired: this.mustBook(undefined).sessionExpired,
        heldPrices: this.model.heldPrices(),
        chainGreeks: this.chainGreeks,
        books: [...this.books.values()].map((b) => ({
          key: b.keyId,
          sessionExpired: b.sessionExpired,
          orders: b.broker.list('all').length,
          openOrders: b.broker.list('open').length,
          positions: b.broker.positionList(() => null).length,
          stepFaults: b.stepFaults.map((f) => ({ step: f.step, remaining: f.remaining, status: f.status, client_order_id_prefix: f.prefix })),
          rejectNextOrders: b.broker.rejectNext,
          rejectNextLimitOrders: b.broker.rejectNextLimit,
        })),
      });
    }
    if (method === 'POST' && path === '/__sim/fault') {
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return this.json(res, 400, { ok: false, error: 'body is not valid JSON' });
      }
      const parsed = faultSchema.safeParse(body);
      if (!parsed.success) {
        return this.json(res, 400, { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
      }
      const f = parsed.data;
      if ('key' in f && f.key !== undefined && !this.books.has(f.key)) return this.json(res, 400, { ok: false, error: `key: no account holds key ${f.key} (keys: ${this.keys().join(', ')})` });
      try {
        this.fault(f);
      } catch (err) {
        return this.json(res, 400, { ok: false, error: err instanceof Error ? err.message : String(err) });
      }
      return this.json(res, 200, { ok: true });
    }
    if (method === 'POST' && path === '/__sim/position') {
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return this.json(res, 400, { ok: false, error: 'body is not valid JSON' });
      }
      const r = this.plantPosition(body);
      return r.ok ? this.json(res, 200, { ok: true, position: r.position }) : this.json(res, 400, { ok: false, error: r.error });
    }
    this.json(res, 404, { ok: false, error: 'unknown admin endpoint' });
  }

  /**
   * Test admin: the broker holds a position the desk never traded (`POST /__sim/position` with
   * `{symbol, qty, avg_price, key?}`, key default the default key's book; qty signed, short < 0, 0 = flat; avg_price in whole cents, as the sim
   * keeps money). It appears in GET /v2/positions with avg_entry_price, market_value, cost_basis and
   * unrealized_pl exactly as a traded one; no order or trade_update is made. Refused with errors
   * naming the field: a quantity that is not a whole number, a price that is not positive or has more
   * than 2 decimals, an asset the sim does not list.
   */
  plantPosition(body: unknown): { ok: true; position: Record<string, string> | null } | { ok: false; error: string } {
    const parsed = plantSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
    const { symbol, qty, avg_price, key } = parsed.data;
    const book = this.books.get(key ?? this.defaultKey);
    if (!book) return { ok: false, error: `key: no account holds key ${key} (keys: ${this.keys().join(', ')})` };
    const now = this.o.clock.now();
    const known = symbolKind(symbol) === 'option' || isStockSymbol(symbol);
    if (!known || !this.model.ensure(symbol, now)) return { ok: false, error: `symbol: asset ${symbol} not found (the sim lists its stocks and their unexpired option contracts)` };
    const quoteOf = (s: string) => {
      if (!this.model.ensure(s, now)) return null;
      this.model.advance(now);
      return this.model.quote(s, now);
    };
    const position = book.broker.plantPosition(symbol, qty, Math.round(Number(avg_price) * 100), quoteOf);
    this.o.logger.info('sim: position planted', { key: book.keyId, symbol, qty, avg_price });
    return { ok: true, position };
  }
}
