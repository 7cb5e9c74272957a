/**
 * The two SmartAPI sockets as StreamProtocols (the StreamManager keeps them alive, backs off,
 * times out silent sockets and replays the registry):
 *
 * - FeedProtocol: WebSocket 2.0 (docs/protocols/smartapi.md §2). Auth is the upgrade's headers
 *   (Authorization: Bearer <jwt>, x-api-key, x-client-code, x-feed-token); there is no auth ack, so
 *   the connection is ready once open, and the registry is sent then (one request per mode and
 *   ≤ 1,000 tokens, grouped by exchange type). Binary frames are tick packets (tick-parser.ts); the
 *   text `pong` is a heartbeat; any other text frame is a JSON control/error message (shape
 *   UNCONFIRMED: `errorCode`/`errorMessage` read defensively, never parsed as a tick).
 * - OrderUpdateProtocol: the order-update socket (§3): JSON text frames, the AB00 ack ignored.
 *
 * Upgrade refusals: 401/403 → the session is dead (`session`: no reconnect storm); 429 → a
 * connection-limit wait (a 4th connection, or too many upgrades).
 */
import { z } from 'zod';
import type { Failure, ProtocolContext, RawFrame, StreamProtocol } from '../../stream/stream-manager';
import { TickReader, tokenKey, type SmartMode, type TickScratch } from './tick-parser';

export interface FeedEntry {
  symbol: string;
  exchangeType: number;
  token: string;
  mode: SmartMode;
}

export interface FeedProtocolOptions {
  name: string;
  url: () => string;
  headers: () => Record<string, string>;
  /** A desk symbol's feed entry (from the instrument master), null when unknown. */
  resolve: (symbol: string) => FeedEntry | null;
  /** One packet read: `key` = tokenKey(exchangeType, numeric token). Must copy what it keeps. */
  onTick: (key: number, tick: TickScratch, receivedAt: number) => boolean;
  onEndOfBatch?: () => void;
  onControl?: (message: string) => void;
  bidFlag?: 0 | 1;
}

const MAX_TOKENS_PER_REQUEST = 1000;

export class FeedProtocol implements StreamProtocol {
  readonly name: string;
  private readonly reader: TickReader;
  private ctx: ProtocolContext | null = null;
  private corr = 0;
  controlMessages = 0;
  unknownTokens = 0;

  constructor(private readonly o: FeedProtocolOptions) {
    this.name = o.name;
    this.reader = new TickReader({ bidFlag: o.bidFlag ?? 1 });
  }

  url(): string {
    return this.o.url();
  }

  headers(): Record<string, string> {
    return this.o.headers();
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    ctx.ready();
    const all = ctx.registry();
    this.send(1, all, ctx);
  }

  /** The JS SDK's heartbeat: a text "ping" (the venue answers with a text "pong"). */
  ping(): void {
    this.ctx?.send('ping');
  }

  delta(added: string[], removed: string[], ctx: ProtocolContext): void {
    if (removed.length) this.send(0, removed, ctx);
    if (added.length) this.send(1, added, ctx);
  }

  /** Subscribe (1) / unsubscribe (0) requests: one per mode, ≤ 1,000 tokens each, grouped by exchange type. */
  private send(action: 0 | 1, symbols: string[], ctx: ProtocolContext): void {
    const byMode = new Map<SmartMode, Map<number, string[]>>();
    const unknown: string[] = [];
    for (const s of symbols) {
      const e = this.o.resolve(s);
      if (!e) {
        unknown.push(s);
        continue;
      }
      let m = byMode.get(e.mode);
      if (!m) byMode.set(e.mode, (m = new Map()));
      let list = m.get(e.exchangeType);
      if (!list) m.set(e.exchangeType, (list = []));
      list.push(e.token);
    }
    if (unknown.length && action === 1) ctx.refused(unknown, 'not in the SmartAPI instrument master');
    let confirmed = 0;
    for (const [mode, groups] of byMode) {
      let batch: { exchangeType: number; tokens: string[] }[] = [];
      let n = 0;
      const flush = () => {
        if (n === 0) return;
        ctx.send(JSON.stringify({ correlationID: `ld${(++this.corr % 1e7).toString(36)}`.slice(0, 10), action, params: { mode, tokenList: batch } }));
        batch = [];
        n = 0;
      };
      for (const [exchangeType, tokens] of groups) {
        for (let i = 0; i < tokens.length; ) {
          const take = Math.min(tokens.length - i, MAX_TOKENS_PER_REQUEST - n);
          batch.push({ exchangeType, tokens: tokens.slice(i, i + take) });
          n += take;
          i += take;
          if (action === 1) confirmed += take;
          if (n >= MAX_TOKENS_PER_REQUEST) flush();
        }
      }
      flush();
    }
    if (action === 1) ctx.confirmed(confirmed);
  }

  frame(f: RawFrame, ctx: ProtocolContext): void {
    if (f.isBinary) {
      const err = this.reader.read(f.data);
      if (err !== null) {
        ctx.malformed(err);
        return;
      }
      const s = this.reader.scratch;
      if (s.tokenNum < 0) {
        this.unknownTokens++;
        return;
      }
      if (this.o.onTick(tokenKey(s.exchangeType, s.tokenNum), s, f.receivedAt)) ctx.tick(f.receivedAt);
      else this.unknownTokens++;
      return;
    }
    const text = f.data.toString('utf8');
    if (text === 'pong') return; // heartbeat: the manager already counted the frame
    this.controlMessages++;
    let msg = text.slice(0, 200);
    try {
      const j = JSON.parse(text) as { errorCode?: unknown; errorMessage?: unknown; correlationID?: unknown };
      if (j && typeof j === 'object' && (j.errorCode !== undefined || j.errorMessage !== undefined)) msg = `${String(j.errorCode ?? '')} ${String(j.errorMessage ?? '')}`.trim();
    } catch {
      /* not JSON: kept as text */
    }
    ctx.note(`SmartAPI feed control message: ${msg}`);
    this.o.onControl?.(msg);
  }

  upgradeFailure(status: number): Failure {
    return upgradeFailure(status);
  }

  endOfBatch(): void {
    this.o.onEndOfBatch?.();
  }
}

export function upgradeFailure(status: number): Failure {
  if (status === 401 || status === 403) return { kind: 'session', reason: `HTTP ${status} on the SmartAPI WebSocket upgrade: the session token was refused` };
  if (status === 429) return { kind: 'connection_limit', reason: 'HTTP 429 on the SmartAPI WebSocket upgrade: too many connections or requests (3 per client code)' };
  return { kind: 'transient', reason: `HTTP ${status} on the SmartAPI WebSocket upgrade` };
}

const str = z.union([z.string(), z.number()]).transform((v) => String(v));
const num = z.union([z.string(), z.number()]).transform((v) => String(v));
export const OrderDataSchema = z.object({
  variety: z.string().default('NORMAL'),
  ordertype: z.string().default(''),
  producttype: z.string().default(''),
  price: num.default('0'),
  triggerprice: num.default('0'),
  quantity: str.default('0'),
  duration: z.string().default('DAY'),
  tradingsymbol: z.string(),
  transactiontype: z.string().default(''),
  exchange: z.string().default(''),
  symboltoken: str.default(''),
  averageprice: num.default('0'),
  filledshares: str.default('0'),
  unfilledshares: str.default('0'),
  orderid: str,
  uniqueorderid: str.optional(),
  ordertag: z.string().optional().default(''),
  text: z.string().optional().default(''),
  status: z.string().optional().default(''),
  orderstatus: z.string().optional().default(''),
  updatetime: z.string().optional().default(''),
  exchtime: z.string().optional().default(''),
  fillid: str.optional().default(''),
  filltime: z.string().optional().default(''),
});
export type OrderData = z.infer<typeof OrderDataSchema>;

const UpdateSchema = z.object({
  'order-status': z.string(),
  'error-message': z.string().optional(),
  orderData: z.unknown(),
});

export interface OrderUpdateProtocolOptions {
  url: () => string;
  headers: () => Record<string, string>;
  onUpdate: (status: string, order: OrderData, receivedAt: number) => void;
}

export class OrderUpdateProtocol implements StreamProtocol {
  readonly name = 'order_updates';
  private ctx: ProtocolContext | null = null;

  constructor(private readonly o: OrderUpdateProtocolOptions) {}

  url(): string {
    return this.o.url();
  }

  headers(): Record<string, string> {
    return this.o.headers();
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    ctx.ready();
  }

  ping(): void {
    this.ctx?.send('ping');
  }

  delta(): void {
    /* no subscriptions: every order event of the user arrives */
  }

  frame(f: RawFrame, ctx: ProtocolContext): void {
    const text = f.data.toString('utf8');
    if (text === 'pong') return;
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch {
      ctx.malformed(`order update is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const p = UpdateSchema.safeParse(j);
    if (!p.success) {
      ctx.malformed('order update lacks order-status / orderData');
      return;
    }
    if (p.data['order-status'] === 'AB00') return; // the connect ack (empty orderData)
    const od = OrderDataSchema.safeParse(p.data.orderData);
    if (!od.success) {
      ctx.malformed(`order update ${p.data['order-status']}: orderData invalid (${od.error.issues[0]?.path.join('.') ?? ''})`);
      return;
    }
    ctx.tick(f.receivedAt);
    this.o.onUpdate(p.data['order-status'], od.data, f.receivedAt);
  }

  upgradeFailure(status: number): Failure {
    return upgradeFailure(status);
  }
}
