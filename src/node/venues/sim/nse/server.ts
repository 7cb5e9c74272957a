/**
 * The simulated venue's NSE face: speaks Angel One SmartAPI (docs/protocols/smartapi.md) on
 * 127.0.0.1, so `sim-nse` runs the real SmartAPI adapter over real sockets:
 *
 * - REST: loginByPassword (client code + MPIN + TOTP from a fixed secret), generateTokens,
 *   getProfile, logout, market/v1/quote (FULL), placeOrder / modifyOrder / cancelOrder,
 *   getOrderBook, getTradeBook, getPosition, getRMS; the scrip master at
 *   /OpenAPI_File/files/OpenAPIScripMaster.json; session errors as AG8001 / AB8051.
 * - WebSocket 2.0 at /smart-stream: header auth (401 otherwise), subscribe/unsubscribe JSON, the
 *   binary little-endian tick packets of each subscribed mode every `intervalMs`, text ping → pong,
 *   at most 3 connections per client code (a 4th upgrade answers 429) and 1,000 tokens per
 *   connection (E1002 beyond).
 * - The order-update socket at /smart-order-update (AB00 ack, then order events).
 * - Faults (`fault()` or POST /__sim/fault): drop, stall, expire_session, hold_connections (slots
 *   held by "another app": the next upgrades answer 429), reject_orders, clear.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Cancel, Clock, Scheduler } from '../../../../core/ports/clock';
import type { Logger } from '../../../../core/ports/logger';
import { silentLogger } from '../../../../core/ports/logger';
import { encodeTickPacket, SEGMENT_EXCHANGE_TYPE, type SmartMode } from '../../smartapi/tick-parser';
import { totpCode, type SmartCredentials } from '../../smartapi/session';
import type { SmartApiUrls } from '../../smartapi/venue';
import { NseSimModel, type NseSimInstrument } from './model';

/** The fixed TOTP secret of every simulated NSE account (base32). */
export const SIM_NSE_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The simulated account of a desk account id (the default account: SIMNSE01). */
export function simNseCredentials(accountId: string, isDefault: boolean): SmartCredentials {
  return { apiKey: 'SIMNSEKEY', clientCode: isDefault ? 'SIMNSE01' : `SIMNSE-${accountId}`.slice(0, 40), pin: '1234', totpSecret: SIM_NSE_TOTP_SECRET };
}

export type NseSimFault =
  | { kind: 'drop'; stream?: 'feed' | 'order' }
  | { kind: 'stall'; stream?: 'feed' | 'order' }
  | { kind: 'expire_session'; clientCode?: string }
  | { kind: 'hold_connections'; count: number }
  | { kind: 'reject_orders'; count?: number; reason?: string }
  | { kind: 'clear' };

const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('drop'), stream: z.enum(['feed', 'order']).optional() }),
  z.object({ kind: z.literal('stall'), stream: z.enum(['feed', 'order']).optional() }),
  z.object({ kind: z.literal('expire_session'), clientCode: z.string().optional() }),
  z.object({ kind: z.literal('hold_connections'), count: z.number().int().min(0).max(3) }),
  z.object({ kind: z.literal('reject_orders'), count: z.number().int().min(1).optional(), reason: z.string().optional() }),
  z.object({ kind: z.literal('clear') }),
]);

export interface NseSimOptions {
  seed?: number;
  clock: Clock & Scheduler;
  logger?: Logger;
  intervalMs?: number;
  port?: number;
  host?: string;
  /** JWT lifetime (default 24 h). */
  sessionMs?: number;
  /** Connections per client code per socket kind (default 3). */
  maxConnections?: number;
  tokensPerConnection?: number;
}

interface Session {
  clientCode: string;
  jwt: string;
  refresh: string;
  feed: string;
  expiresAt: number;
  valid: boolean;
}

interface SimOrder {
  orderid: string;
  variety: string;
  ordertype: string;
  producttype: string;
  duration: string;
  price: number;
  triggerprice: number;
  quantity: number;
  filled: number;
  averageprice: number;
  tradingsymbol: string;
  symboltoken: string;
  exchange: string;
  transactiontype: 'BUY' | 'SELL';
  ordertag: string;
  status: string;
  text: string;
  updatetime: string;
}

interface Account {
  creds: SmartCredentials;
  orders: Map<string, SimOrder>;
  trades: { orderid: string; fillid: string; symbol: string; side: string; price: number; qty: number; time: string; exchange: string }[];
  /** symbol → { buyQty, buyValue (paise·units), sellQty, sellValue }. */
  positions: Map<string, { token: string; exchange: string; buyQty: number; buyValue: number; sellQty: number; sellValue: number }>;
  rejectNext: number;
  rejectReason: string;
}

interface Conn {
  ws: WebSocket;
  kind: 'feed' | 'order';
  clientCode: string;
  stalled: boolean;
  /** mode → keys "exchangeType:token". */
  subs: Map<SmartMode, Set<string>>;
  tokens: number;
}

export interface NseSimUrls extends SmartApiUrls {
  admin: string;
}

export class NseSimServer {
  readonly model: NseSimModel;
  private readonly o: Required<Omit<NseSimOptions, 'logger'>> & { logger: Logger };
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly conns = new Set<Conn>();
  private readonly accounts = new Map<string, Account>();
  private readonly sessions = new Map<string, Session>();
  private tickTimer: Cancel | null = null;
  private port = 0;
  private seq = 0;
  private orderSeq = 0;
  private held = 0;
  /** Counters the tests read: upgrades attempted / refused per reason. */
  readonly stats = { upgrades: 0, refused401: 0, refused429: 0, logins: 0, refreshes: 0, packets: 0 };

  constructor(opts: NseSimOptions) {
    this.o = { seed: 7, intervalMs: 250, port: 0, host: '127.0.0.1', sessionMs: 24 * 3600_000, maxConnections: 3, tokensPerConnection: 1000, ...opts, logger: opts.logger ?? silentLogger };
    this.model = new NseSimModel(this.o.seed, this.o.clock.now());
  }

  addAccount(creds: SmartCredentials): void {
    if (this.accounts.has(creds.clientCode)) return;
    this.accounts.set(creds.clientCode, { creds, orders: new Map(), trades: [], positions: new Map(), rejectNext: 0, rejectReason: '' });
  }

  async start(): Promise<NseSimUrls> {
    if (this.server) return this.urls();
    const server = createServer((req, res) => this.http(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    server.on('upgrade', (req, socket, head) => {
      this.stats.upgrades++;
      const path = (req.url ?? '/').split('?')[0];
      const kind = path === '/smart-stream' ? 'feed' : path === '/smart-order-update' ? 'order' : null;
      if (!kind) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      const session = this.sessionOf(req.headers.authorization);
      if (!session || (kind === 'feed' && (req.headers['x-feed-token'] !== session.feed || req.headers['x-client-code'] !== session.clientCode))) {
        this.stats.refused401++;
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const open = [...this.conns].filter((c) => c.kind === kind && c.clientCode === session.clientCode).length + (kind === 'feed' ? this.held : 0);
      if (open >= this.o.maxConnections) {
        this.stats.refused429++;
        socket.end('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, kind, session.clientCode));
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
    this.tickTimer = this.o.clock.setInterval(() => this.tick(), this.o.intervalMs);
    return this.urls();
  }

  urls(): NseSimUrls {
    const base = `${this.o.host}:${this.port}`;
    return { rest: `http://${base}`, feed: `ws://${base}/smart-stream`, orderFeed: `ws://${base}/smart-order-update`, master: `http://${base}/OpenAPI_File/files/OpenAPIScripMaster.json`, admin: `http://${base}/__sim` };
  }

  async stop(): Promise<void> {
    this.tickTimer?.();
    this.tickTimer = null;
    for (const c of this.conns) c.ws.terminate();
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

  connections(kind?: 'feed' | 'order', clientCode?: string): number {
    return [...this.conns].filter((c) => (kind === undefined || c.kind === kind) && (clientCode === undefined || c.clientCode === clientCode)).length;
  }

  subscribedTokens(clientCode?: string): number {
    let n = 0;
    for (const c of this.conns) if (c.kind === 'feed' && (clientCode === undefined || c.clientCode === clientCode)) n += c.tokens;
    return n;
  }

  /** Ends every session (the daily expiry) and renews nothing: a new login is needed. */
  fault(f: NseSimFault): void {
    this.o.logger.info('sim-nse fault', { kind: f.kind });
    switch (f.kind) {
      case 'drop':
        for (const c of this.conns) if (!f.stream || c.kind === f.stream) c.ws.terminate();
        break;
      case 'stall':
        for (const c of this.conns) if (!f.stream || c.kind === f.stream) c.stalled = true;
        break;
      case 'expire_session':
        for (const s of this.sessions.values()) if (!f.clientCode || s.clientCode === f.clientCode) s.valid = false;
        for (const c of this.conns) if (!f.clientCode || c.clientCode === f.clientCode) c.ws.close(1008, 'session expired');
        break;
      case 'hold_connections':
        this.held = f.count;
        break;
      case 'reject_orders':
        for (const a of this.accounts.values()) {
          a.rejectNext = f.count ?? 1;
          a.rejectReason = f.reason ?? 'RMS:Rule: simulated rejection';
        }
        break;
      case 'clear':
        this.held = 0;
        for (const c of this.conns) c.stalled = false;
        for (const a of this.accounts.values()) a.rejectNext = 0;
        break;
    }
  }

  // ---------- sockets ----------

  private attach(ws: WebSocket, kind: 'feed' | 'order', clientCode: string): void {
    const c: Conn = { ws, kind, clientCode, stalled: false, subs: new Map(), tokens: 0 };
    this.conns.add(c);
    ws.on('close', () => this.conns.delete(c));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (c.stalled || isBinary) return;
      const text = (data as Buffer).toString('utf8');
      if (text === 'ping') {
        ws.send('pong');
        return;
      }
      if (kind === 'feed') this.onFeedMessage(c, text);
    });
    if (kind === 'order') ws.send(JSON.stringify({ 'user-id': clientCode, 'status-code': '200', 'order-status': 'AB00', 'error-message': '', orderData: {} }));
  }

  private onFeedMessage(c: Conn, text: string): void {
    let m: { correlationID?: string; action?: number; params?: { mode?: number; tokenList?: { exchangeType?: number; tokens?: string[] }[] } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      c.ws.send(JSON.stringify({ correlationID: '', errorCode: 'E1001', errorMessage: 'Invalid Request Payload' }));
      return;
    }
    const mode = m.params?.mode as SmartMode | undefined;
    if ((m.action !== 0 && m.action !== 1) || !mode || mode < 1 || mode > 4 || !Array.isArray(m.params?.tokenList)) {
      c.ws.send(JSON.stringify({ correlationID: m.correlationID ?? '', errorCode: 'E1001', errorMessage: 'Invalid Request Payload' }));
      return;
    }
    let set = c.subs.get(mode);
    if (!set) c.subs.set(mode, (set = new Set()));
    for (const g of m.params.tokenList) {
      for (const t of g.tokens ?? []) {
        const key = `${g.exchangeType}:${t}`;
        if (m.action === 1) {
          if (set.has(key)) continue;
          if (c.tokens >= this.o.tokensPerConnection) {
            c.ws.send(JSON.stringify({ correlationID: m.correlationID ?? '', errorCode: 'E1002', errorMessage: 'Invalid Request. Subscription Limit Exceeded' }));
            return;
          }
          set.add(key);
          c.tokens++;
        } else if (set.delete(key)) c.tokens--;
      }
    }
  }

  private tick(): void {
    const now = this.o.clock.now();
    this.model.advance(now);
    const books = new Map<string, ReturnType<NseSimModel['book']>>();
    const bookOf = (i: NseSimInstrument) => {
      let b = books.get(i.symbol);
      if (!b) books.set(i.symbol, (b = this.model.book(i, now)));
      return b;
    };
    for (const c of this.conns) {
      if (c.kind !== 'feed' || c.stalled) continue;
      for (const [mode, keys] of c.subs) {
        for (const key of keys) {
          const [ex, token] = key.split(':') as [string, string];
          const segment = Object.entries(SEGMENT_EXCHANGE_TYPE).find(([, v]) => String(v) === ex)?.[0] ?? '';
          const inst = this.model.instrument(segment, token);
          if (!inst) continue;
          const b = bookOf(inst);
          const pkt = encodeTickPacket({
            mode,
            exchangeType: Number(ex),
            token,
            sequence: ++this.seq,
            exchangeTimeMs: now,
            ltpPaise: b.ltp,
            ltq: inst.lot,
            volume: b.volume,
            totalBuyQty: b.bidQty * 3,
            totalSellQty: b.askQty * 3,
            openPaise: b.open,
            highPaise: b.high,
            lowPaise: b.low,
            closePaise: b.close,
            lastTradedTimeSec: Math.floor(now / 1000),
            bids: b.bid > 0 ? [0, 1, 2, 3, 4].map((k) => ({ pricePaise: Math.max(5, b.bid - k * 5), qty: b.bidQty, orders: 3 })) : [],
            asks: b.ask > 0 ? [0, 1, 2, 3, 4].map((k) => ({ pricePaise: b.ask + k * 5, qty: b.askQty, orders: 4 })) : [],
            upperPaise: b.upper,
            lowerPaise: b.lower,
          });
          c.ws.send(pkt, { binary: true });
          this.stats.packets++;
        }
      }
    }
    // resting limit orders
    for (const a of this.accounts.values()) {
      for (const o of a.orders.values()) if (o.status === 'open') this.tryFill(a, o, now);
    }
  }

  // ---------- REST ----------

  private http(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(d);
    });
    req.on('end', () => {
      try {
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        this.json(res, 500, { status: false, message: err instanceof Error ? err.message : String(err), errorcode: 'AB2001', data: null });
      }
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private ok(res: ServerResponse, data: unknown): void {
    this.json(res, 200, { status: true, message: 'SUCCESS', errorcode: '', data });
  }

  private err(res: ServerResponse, code: string, message: string, http = 200): void {
    this.json(res, http, { status: false, message, errorcode: code, data: null });
  }

  private sessionOf(auth: string | undefined): Session | null {
    const jwt = auth?.replace(/^Bearer\s+/i, '');
    if (!jwt) return null;
    const s = this.sessions.get(jwt);
    if (!s || !s.valid || s.expiresAt <= this.o.clock.now()) return null;
    return s;
  }

  private newSession(clientCode: string): Session {
    const now = this.o.clock.now();
    const exp = now + this.o.sessionMs;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'HS512' })}.${b64({ username: clientCode, iat: Math.floor(now / 1000), exp: Math.floor(exp / 1000), sid: randomBytes(6).toString('hex') })}.${randomBytes(16).toString('base64url')}`;
    const s: Session = { clientCode, jwt, refresh: randomBytes(16).toString('hex'), feed: randomBytes(12).toString('hex'), expiresAt: exp, valid: true };
    this.sessions.set(jwt, s);
    return s;
  }

  private route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path.startsWith('/__sim/')) return this.admin(method, path, body, res);
    if (path === '/OpenAPI_File/files/OpenAPIScripMaster.json') return this.json(res, 200, this.model.master());
    const parsed = (() => {
      try {
        return body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return null;
      }
    })();
    if (parsed === null) return this.err(res, 'AB1004', 'Invalid JSON body', 400);
    if (path === '/rest/auth/angelbroking/user/v1/loginByPassword') {
      const a = this.accounts.get(String(parsed.clientcode ?? ''));
      if (!a || req.headers['x-privatekey'] !== a.creds.apiKey) return this.err(res, 'AB1007', 'Invalid client code or API key');
      if (parsed.password !== a.creds.pin) return this.err(res, 'AB1007', 'Invalid MPIN');
      const now = this.o.clock.now();
      const ok = [now, now - 30_000, now + 30_000].some((t) => totpCode(a.creds.totpSecret, t) === parsed.totp);
      if (!ok) return this.err(res, 'AB1050', 'Invalid totp');
      this.stats.logins++;
      const s = this.newSession(a.creds.clientCode);
      return this.ok(res, { jwtToken: s.jwt, refreshToken: s.refresh, feedToken: s.feed, state: null });
    }
    if (path === '/rest/auth/angelbroking/jwt/v1/generateTokens') {
      const old = [...this.sessions.values()].find((s) => s.refresh === parsed.refreshToken);
      if (!old || !old.valid) return this.err(res, 'AB8051', 'Invalid refresh token');
      old.valid = false;
      this.stats.refreshes++;
      const s = this.newSession(old.clientCode);
      return this.ok(res, { jwtToken: s.jwt, refreshToken: s.refresh, feedToken: s.feed });
    }
    const session = this.sessionOf(req.headers.authorization);
    if (!session) return this.json(res, 401, { success: false, message: 'Invalid Token', errorCode: 'AG8001', data: '' });
    const acct = this.accounts.get(session.clientCode)!;
    const now = this.o.clock.now();
    switch (path) {
      case '/rest/secure/angelbroking/user/v1/getProfile':
        return this.ok(res, { clientcode: session.clientCode, name: 'Simulated NSE', exchanges: ['NSE', 'NFO'] });
      case '/rest/secure/angelbroking/user/v1/logout':
        session.valid = false;
        return this.ok(res, null);
      case '/rest/secure/angelbroking/user/v1/getRMS':
        return this.ok(res, { net: '10000000.00', availablecash: '10000000.00', utiliseddebits: '0.00' });
      case '/rest/secure/angelbroking/market/v1/quote/': {
        const ex = (parsed.exchangeTokens ?? {}) as Record<string, string[]>;
        const fetched: unknown[] = [];
        const unfetched: unknown[] = [];
        let n = 0;
        for (const [seg, tokens] of Object.entries(ex)) {
          for (const t of tokens) {
            if (++n > 50) return this.err(res, 'AB1019', 'Too many tokens (max 50)');
            const i = this.model.instrument(seg, String(t));
            if (!i) {
              unfetched.push({ exchange: seg, symbolToken: t, message: 'not found', errorCode: 'AB1009' });
              continue;
            }
            const b = this.model.book(i, now);
            fetched.push({
              exchange: seg,
              tradingSymbol: i.symbol,
              symbolToken: i.token,
              ltp: b.ltp / 100,
              open: b.open / 100,
              high: b.high / 100,
              low: b.low / 100,
              close: b.close / 100,
              lastTradeQty: i.lot,
              avgPrice: b.ltp / 100,
              tradeVolume: b.volume,
              opnInterest: 0,
              lowerCircuit: b.lower / 100,
              upperCircuit: b.upper / 100,
              depth: {
                buy: b.bid > 0 ? [{ price: b.bid / 100, quantity: b.bidQty, orders: 3 }] : [],
                sell: b.ask > 0 ? [{ price: b.ask / 100, quantity: b.askQty, orders: 4 }] : [],
              },
            });
          }
        }
        return this.ok(res, { fetched, unfetched });
      }
      case '/rest/secure/angelbroking/order/v1/placeOrder':
        return this.placeOrder(acct, parsed, res, now);
      case '/rest/secure/angelbroking/order/v1/modifyOrder': {
        const o = acct.orders.get(String(parsed.orderid));
        if (!o) return this.err(res, 'AB1013', 'Order not found');
        if (o.status !== 'open') return this.err(res, 'AB4010', `Order is ${o.status}: cannot modify`);
        const i = this.model.bySymbol(o.tradingsymbol)!;
        const q = Number(parsed.quantity ?? o.quantity);
        if (!Number.isInteger(q) || q <= 0 || q % i.lot !== 0) return this.err(res, 'AB4012', `Quantity must be a multiple of the lot size ${i.lot}`);
        o.quantity = q;
        o.price = Number(parsed.price ?? o.price);
        o.updatetime = istTime(now);
        this.publish(acct, 'AB04', o);
        this.tryFill(acct, o, now);
        return this.ok(res, { orderid: o.orderid });
      }
      case '/rest/secure/angelbroking/order/v1/cancelOrder': {
        const o = acct.orders.get(String(parsed.orderid));
        if (!o) return this.err(res, 'AB1013', 'Order not found');
        if (o.status !== 'open') return this.err(res, 'AB4011', `Order is ${o.status}: cannot cancel`);
        o.status = 'cancelled';
        o.updatetime = istTime(now);
        this.publish(acct, 'AB02', o);
        return this.ok(res, { orderid: o.orderid });
      }
      case '/rest/secure/angelbroking/order/v1/getOrderBook':
        return this.ok(res, acct.orders.size ? [...acct.orders.values()].map((o) => orderData(o)) : null);
      case '/rest/secure/angelbroking/order/v1/getTradeBook':
        return this.ok(
          res,
          acct.trades.length ? acct.trades.map((t) => ({ exchange: t.exchange, producttype: 'CARRYFORWARD', tradingsymbol: t.symbol, instrumenttype: 'OPTIDX', transactiontype: t.side, fillprice: (t.price / 100).toFixed(2), fillsize: String(t.qty), fillid: t.fillid, filltime: t.time, orderid: t.orderid })) : null,
        );
      case '/rest/secure/angelbroking/order/v1/getPosition': {
        const rows = [...acct.positions.entries()].map(([symbol, p]) => {
          const i = this.model.bySymbol(symbol)!;
          const net = p.buyQty - p.sellQty;
          const b = this.model.book(i, now);
          return {
            exchange: p.exchange,
            symboltoken: p.token,
            tradingsymbol: symbol,
            symbolname: i.name,
            instrumenttype: 'OPTIDX',
            producttype: 'CARRYFORWARD',
            lotsize: String(i.lot),
            buyqty: String(p.buyQty),
            sellqty: String(p.sellQty),
            buyavgprice: p.buyQty ? (p.buyValue / p.buyQty / 100).toFixed(2) : '0.00',
            sellavgprice: p.sellQty ? (p.sellValue / p.sellQty / 100).toFixed(2) : '0.00',
            netqty: String(net),
            ltp: (b.ltp / 100).toFixed(2),
          };
        });
        return this.ok(res, rows.length ? rows : null);
      }
      default:
        return this.err(res, 'AB1004', `unknown path ${path}`, 404);
    }
  }

  private placeOrder(acct: Account, p: Record<string, unknown>, res: ServerResponse, now: number): void {
    const i = this.model.instrument(String(p.exchange ?? ''), String(p.symboltoken ?? ''));
    if (!i || i.symbol !== p.tradingsymbol) return this.err(res, 'AB1009', 'Symbol not found');
    if (!['NORMAL', 'STOPLOSS', 'AMO', 'ROBO'].includes(String(p.variety))) return this.err(res, 'AB1008', 'Invalid order variety');
    if (!['DELIVERY', 'CARRYFORWARD', 'MARGIN', 'INTRADAY', 'BO'].includes(String(p.producttype))) return this.err(res, 'AB1012', 'Invalid product type');
    if (!['MARKET', 'LIMIT', 'STOPLOSS_LIMIT', 'STOPLOSS_MARKET'].includes(String(p.ordertype))) return this.err(res, 'AB1005', 'Invalid order type');
    if (String(p.ordertag ?? '').length >= 20) return this.err(res, 'AB4008', 'ordertag length should be less than 20 characters');
    const q = Number(p.quantity);
    if (!Number.isInteger(q) || q <= 0 || q % i.lot !== 0) return this.err(res, 'AB4012', `Quantity must be a multiple of the lot size ${i.lot}`);
    const price = Math.round(Number(p.price ?? 0) * 100);
    if (p.ordertype === 'LIMIT' && (price <= 0 || price % 5 !== 0)) return this.err(res, 'AB4013', 'Price is not a multiple of the tick size');
    const o: SimOrder = {
      orderid: `${istDayCompact(now)}${String(++this.orderSeq).padStart(9, '0')}`,
      variety: String(p.variety),
      ordertype: String(p.ordertype),
      producttype: String(p.producttype),
      duration: String(p.duration ?? 'DAY'),
      price: price / 100,
      triggerprice: Number(p.triggerprice ?? 0),
      quantity: q,
      filled: 0,
      averageprice: 0,
      tradingsymbol: i.symbol,
      symboltoken: i.token,
      exchange: i.segment,
      transactiontype: p.transactiontype === 'SELL' ? 'SELL' : 'BUY',
      ordertag: String(p.ordertag ?? ''),
      status: 'open',
      text: '',
      updatetime: istTime(now),
    };
    acct.orders.set(o.orderid, o);
    if (acct.rejectNext > 0) {
      acct.rejectNext--;
      o.status = 'rejected';
      o.text = acct.rejectReason;
      this.ok(res, { script: i.symbol, orderid: o.orderid, uniqueorderid: randomBytes(8).toString('hex') });
      this.publish(acct, 'AB03', o);
      return;
    }
    this.ok(res, { script: i.symbol, orderid: o.orderid, uniqueorderid: randomBytes(8).toString('hex') });
    this.publish(acct, 'AB01', o);
    this.tryFill(acct, o, now);
  }

  private tryFill(acct: Account, o: SimOrder, now: number): void {
    if (o.status !== 'open') return;
    const i = this.model.bySymbol(o.tradingsymbol)!;
    const b = this.model.book(i, now);
    const buy = o.transactiontype === 'BUY';
    const px = buy ? b.ask : b.bid;
    if (px <= 0) return;
    const limit = Math.round(o.price * 100);
    if (o.ordertype === 'LIMIT' && (buy ? limit < px : limit > px)) return;
    const qty = o.quantity - o.filled;
    o.averageprice = px / 100;
    o.filled = o.quantity;
    o.status = 'complete';
    o.updatetime = istTime(now);
    const fillid = `F${o.orderid}`;
    acct.trades.push({ orderid: o.orderid, fillid, symbol: o.tradingsymbol, side: o.transactiontype, price: px, qty, time: o.updatetime, exchange: o.exchange });
    let p = acct.positions.get(o.tradingsymbol);
    if (!p) acct.positions.set(o.tradingsymbol, (p = { token: o.symboltoken, exchange: o.exchange, buyQty: 0, buyValue: 0, sellQty: 0, sellValue: 0 }));
    if (buy) {
      p.buyQty += qty;
      p.buyValue += qty * px;
    } else {
      p.sellQty += qty;
      p.sellValue += qty * px;
    }
    this.publish(acct, 'AB05', o, fillid);
  }

  private publish(acct: Account, code: string, o: SimOrder, fillid = ''): void {
    const msg = JSON.stringify({ 'user-id': acct.creds.clientCode, 'status-code': '200', 'order-status': code, 'error-message': '', orderData: { ...orderData(o), fillid } });
    for (const c of this.conns) if (c.kind === 'order' && c.clientCode === acct.creds.clientCode && !c.stalled) c.ws.send(msg);
  }

  private admin(method: string, path: string, body: string, res: ServerResponse): void {
    if (method === 'POST' && path === '/__sim/fault') {
      let j: unknown;
      try {
        j = JSON.parse(body);
      } catch {
        return this.json(res, 400, { error: 'body is not JSON' });
      }
      const p = FaultSchema.safeParse(j);
      if (!p.success) return this.json(res, 400, { error: p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      this.fault(p.data);
      return this.json(res, 200, { ok: true });
    }
    if (method === 'GET' && path === '/__sim/state') {
      return this.json(res, 200, { connections: { feed: this.connections('feed'), order: this.connections('order') }, held: this.held, stats: this.stats, spot: Object.fromEntries(this.model.specs.map((u) => [u.name, this.model.spotOf(u.name)])) });
    }
    return this.json(res, 404, { error: `unknown admin route ${method} ${path}` });
  }
}

function orderData(o: SimOrder): Record<string, unknown> {
  return {
    variety: o.variety,
    ordertype: o.ordertype,
    ordertag: o.ordertag,
    producttype: o.producttype,
    price: o.price,
    triggerprice: o.triggerprice,
    quantity: String(o.quantity),
    disclosedquantity: '0',
    duration: o.duration,
    squareoff: 0,
    stoploss: 0,
    trailingstoploss: 0,
    tradingsymbol: o.tradingsymbol,
    transactiontype: o.transactiontype,
    exchange: o.exchange,
    symboltoken: o.symboltoken,
    averageprice: o.averageprice,
    filledshares: String(o.filled),
    unfilledshares: String(o.quantity - o.filled),
    orderid: o.orderid,
    text: o.text,
    status: o.status,
    orderstatus: o.status,
    updatetime: o.updatetime,
    exchtime: o.updatetime,
    exchorderupdatetime: o.updatetime,
    fillid: '',
    filltime: '',
    parentorderid: '',
  };
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function istTime(ms: number): string {
  const d = new Date(ms + 5.5 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}-${MON[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
function istDayCompact(ms: number): string {
  return new Date(ms + 5.5 * 3600_000).toISOString().slice(2, 10).replace(/-/g, '');
}
