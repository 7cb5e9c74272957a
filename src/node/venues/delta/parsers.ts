/**
 * Delta Exchange inbound frames validated at the trust edge (docs/protocols/delta.md §3.5–§3.6).
 *
 * The ticker path is hot (every contract of a chain every 5 s): it is checked by hand, field by
 * field, without zod; the private frames (orders, positions, fills, auth) are rare and go through zod.
 * Nothing here throws on venue input: a frame that cannot be read is `{ kind: 'malformed' }` naming
 * what is wrong. Unknown is never zero: a missing bid is null, greeks on a non-option are null.
 */
import { z } from 'zod';
import { implausiblePrice, implausibleSize } from '../../../core/market/quote';

/** Largest frame accepted (bytes): a whole-chain ticker frame is well below this. */
export const MAX_DELTA_FRAME_BYTES = 4 * 1024 * 1024;
/** Most contracts one ticker frame may carry. */
export const MAX_TICKER_ENTRIES = 5000;

export interface DeltaGreeks {
  delta: string | null;
  gamma: string | null;
  theta: string | null;
  vega: string | null;
  rho: string | null;
}

export interface DeltaIv {
  bid: string | null;
  ask: string | null;
  mark: string | null;
}

/** One contract's ticker, whichever format it came in. Prices are numbers (plausibility-checked); greeks/IV decimal strings. */
export interface DeltaTicker {
  symbol: string;
  productId: number | null;
  bid: number | null;
  ask: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** Mark price as sent (decimal string), null when absent. */
  mark: string | null;
  /** Spot / index price of the frame, null when absent. */
  spot: string | null;
  /** null for non-options (or when none was sent). */
  greeks: DeltaGreeks | null;
  iv: DeltaIv | null;
  /** Venue timestamp, epoch ms (from µs), null when absent. */
  exchangeTime: number | null;
  format: 'ticker' | 'v2/ticker' | 'rest';
}

export interface DeltaMarkPrice {
  symbol: string;
  price: string;
  exchangeTime: number | null;
}

/** An `ob_l1` frame (delta.md §3.5 "Other public channels"): the top of the book, every 100 ms on change. */
export interface DeltaBookL1 {
  symbol: string;
  bid: number | null;
  ask: number | null;
  bidSize: number | null;
  askSize: number | null;
  /** The book's time (`lts`, µs) else the frame's (`ts`), in ms. */
  exchangeTime: number | null;
}

export interface DeltaSubscriptionAck {
  name: string;
  symbols: string[];
  error: string | null;
}

export interface DeltaOrderEvent {
  action: string;
  reason: string;
  order: DeltaOrderRecord;
}

/** An order as Delta reports it (WS `orders` or REST `/v2/orders`). */
export interface DeltaOrderRecord {
  id: string;
  clientOrderId: string;
  symbol: string;
  productId: number | null;
  side: 'buy' | 'sell' | '';
  orderType: string;
  size: number | null;
  unfilledSize: number | null;
  limitPrice: string | null;
  stopPrice: string | null;
  averageFillPrice: string | null;
  state: string;
  timeInForce: string;
  /** epoch ms */
  createdAt: number | null;
  updatedAt: number | null;
}

export interface DeltaPositionRecord {
  symbol: string;
  productId: number | null;
  /** Signed contracts (< 0 short). */
  size: number;
  entryPrice: string | null;
}

/** One execution (WS `v2/user_trades` compact keys or legacy `user_trades`, or REST `/v2/fills`). */
export interface DeltaFill {
  fillId: string;
  symbol: string;
  orderId: string;
  clientOrderId: string;
  side: 'buy' | 'sell';
  size: number;
  price: string;
  role: string;
  /** Position after the fill (compact frames only). */
  positionAfter: number | null;
  commission: string | null;
  /** epoch ms */
  time: number | null;
}

export type DeltaFrame =
  | { kind: 'tickers'; tickers: DeltaTicker[]; rejected: string[] }
  | { kind: 'mark'; mark: DeltaMarkPrice }
  | { kind: 'book'; book: DeltaBookL1 }
  | { kind: 'subscriptions'; channels: DeltaSubscriptionAck[] }
  | { kind: 'heartbeat' }
  | { kind: 'pong' }
  | { kind: 'auth'; success: boolean; statusCode: number | null; status: string; message: string | null }
  | { kind: 'orders'; action: string; events: DeltaOrderEvent[] }
  | { kind: 'positions'; action: string; positions: DeltaPositionRecord[] }
  | { kind: 'fills'; fills: DeltaFill[] }
  | { kind: 'error'; message: string }
  | { kind: 'ignored'; type: string }
  | { kind: 'malformed'; reason: string };

// ---------------------------------------------------------------- small checked readers

const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?([eE][-+]?\d{1,3})?$/;

/** A decimal string (or finite number) as a string; null for null/undefined/""; undefined = malformed. */
function decimalText(v: unknown): string | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  // An exponent can still overflow ("1e999" → Infinity): that is not a decimal anybody sends.
  if (typeof v === 'string' && v.length <= 48 && DECIMAL.test(v) && Number.isFinite(Number(v))) return v;
  return undefined;
}

class Bad extends Error {}

function priceOf(field: string, v: unknown): number | null {
  const t = decimalText(v);
  if (t === undefined) throw new Bad(`"${field}" is not a decimal (${describe(v)})`);
  if (t === null) return null;
  const n = Number(t);
  const why = implausiblePrice(field, n);
  if (why) throw new Bad(why);
  return n;
}

function sizeOf(field: string, v: unknown): number | null {
  const t = decimalText(v);
  if (t === undefined) throw new Bad(`"${field}" is not a decimal (${describe(v)})`);
  if (t === null) return null;
  const n = Number(t);
  const why = implausibleSize(field, n);
  if (why) throw new Bad(why);
  return n;
}

function microsToMs(field: string, v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'string' && /^\d{1,20}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new Bad(`"${field}" is not a timestamp (${describe(v)})`);
  // µs by the docs; a seconds or ms value (the REST sample shows seconds) is recognised by magnitude.
  if (n >= 1e14) return Math.floor(n / 1000);
  if (n >= 1e11) return Math.floor(n);
  return Math.floor(n * 1000);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? `array(${v.length})` : 'object';
}

function isOptionSymbol(s: string): boolean {
  return (s.charCodeAt(0) === 67 /* C */ || s.charCodeAt(0) === 80) /* P */ && s.charCodeAt(1) === 45; /* - */
}

const SYMBOL = /^[A-Za-z0-9_.:-]{1,64}$/;

function symbolOf(field: string, v: unknown): string {
  if (typeof v !== 'string' || !SYMBOL.test(v)) throw new Bad(`"${field}" is not a symbol (${describe(v)})`);
  return v;
}

/** A greek: a decimal string, or null; delta outside [-1, 1] and a negative IV are implausible → null. */
function greekOf(v: unknown, kind: 'delta' | 'iv' | 'other'): string | null {
  const t = decimalText(v);
  if (t === undefined || t === null) return null;
  const n = Number(t);
  if (!Number.isFinite(n)) return null;
  if (kind === 'delta' && (n < -1 || n > 1)) return null;
  if (kind === 'iv' && n < 0) return null;
  return t;
}

function greeksOrNull(g: DeltaGreeks): DeltaGreeks | null {
  return g.delta === null && g.gamma === null && g.theta === null && g.vega === null && g.rho === null ? null : g;
}

function ivOrNull(iv: DeltaIv): DeltaIv | null {
  return iv.bid === null && iv.ask === null && iv.mark === null ? null : iv;
}

// ---------------------------------------------------------------- ticker (new compact format)

function compactEntry(e: unknown, spot: string | null, frameTs: number | null): DeltaTicker {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Bad(`ticker entry is ${describe(e)}, not an object`);
  const r = e as Record<string, unknown>;
  const symbol = symbolOf('d.s', r.s);
  const q = r.q;
  let ask: number | null = null;
  let askSize: number | null = null;
  let bid: number | null = null;
  let bidSize: number | null = null;
  if (q !== undefined && q !== null) {
    if (!Array.isArray(q)) throw new Bad(`${symbol}: "q" is ${describe(q)}, not [ask, ask_size, bid, bid_size, impact_mid]`);
    // Ask comes FIRST (docs §3.5).
    ask = priceOf(`${symbol} q[0] best_ask`, q[0]);
    askSize = sizeOf(`${symbol} q[1] ask_size`, q[1]);
    bid = priceOf(`${symbol} q[2] best_bid`, q[2]);
    bidSize = sizeOf(`${symbol} q[3] bid_size`, q[3]);
  }
  const mark = decimalText(r.m);
  if (mark === undefined) throw new Bad(`${symbol}: "m" (mark) is not a decimal (${describe(r.m)})`);
  let greeks: DeltaGreeks | null = null;
  let iv: DeltaIv | null = null;
  if (isOptionSymbol(symbol)) {
    // g = [delta, gamma, rho, theta, vega]: rho BEFORE theta.
    if (Array.isArray(r.g)) greeks = greeksOrNull({ delta: greekOf(r.g[0], 'delta'), gamma: greekOf(r.g[1], 'other'), rho: greekOf(r.g[2], 'other'), theta: greekOf(r.g[3], 'other'), vega: greekOf(r.g[4], 'other') });
    // qiv = [ask_iv, bid_iv, mark_iv]
    if (Array.isArray(r.qiv)) iv = ivOrNull({ ask: greekOf(r.qiv[0], 'iv'), bid: greekOf(r.qiv[1], 'iv'), mark: greekOf(r.qiv[2], 'iv') });
  }
  const id = r.i;
  return {
    symbol,
    productId: typeof id === 'number' && Number.isSafeInteger(id) ? id : null,
    bid,
    ask,
    bidSize,
    askSize,
    mark,
    spot,
    greeks,
    iv,
    exchangeTime: frameTs,
    format: 'ticker',
  };
}

function parseCompactTicker(o: Record<string, unknown>): DeltaFrame {
  const spotText = decimalText(o.sp);
  const spot = spotText === undefined ? null : spotText;
  const ts = microsToMs('ts', o.ts);
  const d = o.d;
  if (!Array.isArray(d)) throw new Bad(`ticker frame: "d" is ${describe(d)}, not an array`);
  if (d.length > MAX_TICKER_ENTRIES) throw new Bad(`ticker frame: ${d.length} entries (most accepted ${MAX_TICKER_ENTRIES})`);
  const tickers: DeltaTicker[] = [];
  const rejected: string[] = [];
  for (const e of d) {
    try {
      tickers.push(compactEntry(e, spot, ts));
    } catch (err) {
      if (!(err instanceof Bad)) throw err;
      rejected.push(err.message);
    }
  }
  return { kind: 'tickers', tickers, rejected };
}

// ---------------------------------------------------------------- v2/ticker (legacy) and REST tickers

/** The legacy flat ticker (WS `v2/ticker`) and a REST `/v2/tickers` record share their fields. */
export function flatTicker(o: Record<string, unknown>, format: 'v2/ticker' | 'rest'): DeltaTicker {
  const symbol = symbolOf('symbol', o.symbol);
  let bid: number | null = null;
  let ask: number | null = null;
  let bidSize: number | null = null;
  let askSize: number | null = null;
  let iv: DeltaIv | null = null;
  const q = o.quotes;
  if (q !== undefined && q !== null) {
    if (typeof q !== 'object' || Array.isArray(q)) throw new Bad(`${symbol}: "quotes" is ${describe(q)}, not an object`);
    const qq = q as Record<string, unknown>;
    bid = priceOf(`${symbol} best_bid`, qq.best_bid);
    ask = priceOf(`${symbol} best_ask`, qq.best_ask);
    bidSize = sizeOf(`${symbol} bid_size`, qq.bid_size);
    askSize = sizeOf(`${symbol} ask_size`, qq.ask_size);
    if (isOptionSymbol(symbol)) iv = ivOrNull({ bid: greekOf(qq.bid_iv, 'iv'), ask: greekOf(qq.ask_iv, 'iv'), mark: greekOf(qq.mark_iv, 'iv') });
  }
  const mark = decimalText(o.mark_price);
  if (mark === undefined) throw new Bad(`${symbol}: "mark_price" is not a decimal (${describe(o.mark_price)})`);
  const spotText = decimalText(o.spot_price);
  let greeks: DeltaGreeks | null = null;
  const g = o.greeks;
  if (isOptionSymbol(symbol) && g !== null && typeof g === 'object' && !Array.isArray(g)) {
    const gg = g as Record<string, unknown>;
    greeks = greeksOrNull({ delta: greekOf(gg.delta, 'delta'), gamma: greekOf(gg.gamma, 'other'), theta: greekOf(gg.theta, 'other'), vega: greekOf(gg.vega, 'other'), rho: greekOf(gg.rho, 'other') });
  }
  // REST's mark_vol: mark IV by the community's reading (UNCONFIRMED, §6); used only when quotes carry none.
  if (format === 'rest' && isOptionSymbol(symbol) && (iv === null || iv.mark === null)) {
    const mv = greekOf(o.mark_vol, 'iv');
    if (mv !== null) iv = { bid: iv?.bid ?? null, ask: iv?.ask ?? null, mark: mv };
  }
  const id = o.product_id;
  return {
    symbol,
    productId: typeof id === 'number' && Number.isSafeInteger(id) ? id : null,
    bid,
    ask,
    bidSize,
    askSize,
    mark,
    spot: spotText === undefined ? null : spotText,
    greeks,
    iv,
    exchangeTime: microsToMs('timestamp', o.timestamp),
    format,
  };
}

// ---------------------------------------------------------------- private frames (zod)

const idText = z.union([z.string().max(64), z.number().int()]).transform(String);
const dec = z
  .union([z.string().max(48), z.number()])
  .nullable()
  .optional()
  .transform((v, ctx) => {
    const t = decimalText(v);
    if (t === undefined) {
      ctx.addIssue({ code: 'custom', message: `not a decimal (${describe(v)})` });
      return z.NEVER;
    }
    return t;
  });
const intSize = z.union([z.number().int().min(-1e12).max(1e12), z.string().regex(/^-?\d{1,12}$/).transform(Number)]);
const sym = z.string().regex(SYMBOL);
const timeField = z.union([z.string().max(64), z.number()]).nullable().optional();

/** µs numbers or strings, or ISO-8601 (REST created_at): epoch ms, null when absent or unreadable. */
export function timeOf(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number' || /^\d+$/.test(String(v))) {
    try {
      return microsToMs('time', v);
    } catch {
      return null;
    }
  }
  const ms = Date.parse(String(v));
  return Number.isFinite(ms) ? ms : null;
}

export const orderRecordSchema = z
  .object({
    id: idText,
    client_order_id: z.string().max(64).nullable().optional(),
    symbol: sym.optional(),
    product_symbol: sym.optional(),
    product_id: z.number().int().nullable().optional(),
    side: z.string().max(8).nullable().optional(),
    order_type: z.string().max(32).nullable().optional(),
    size: intSize.nullable().optional(),
    unfilled_size: intSize.nullable().optional(),
    limit_price: dec,
    stop_price: dec,
    average_fill_price: dec,
    state: z.string().max(32),
    time_in_force: z.string().max(8).nullable().optional(),
    created_at: timeField,
    updated_at: timeField,
    timestamp: timeField,
  })
  .transform(
    (o): DeltaOrderRecord => ({
      id: o.id,
      clientOrderId: o.client_order_id ?? '',
      symbol: o.symbol ?? o.product_symbol ?? '',
      productId: o.product_id ?? null,
      side: o.side === 'buy' || o.side === 'sell' ? o.side : '',
      orderType: o.order_type ?? '',
      size: o.size ?? null,
      unfilledSize: o.unfilled_size ?? null,
      limitPrice: o.limit_price ?? null,
      stopPrice: o.stop_price ?? null,
      averageFillPrice: o.average_fill_price ?? null,
      state: o.state,
      timeInForce: o.time_in_force ?? 'gtc',
      createdAt: timeOf(o.created_at),
      updatedAt: timeOf(o.updated_at) ?? timeOf(o.timestamp),
    }),
  );

export const positionRecordSchema = z
  .object({
    symbol: sym.optional(),
    product_symbol: sym.optional(),
    product_id: z.number().int().nullable().optional(),
    size: intSize,
    entry_price: dec,
  })
  .transform(
    (p): DeltaPositionRecord => ({ symbol: p.symbol ?? p.product_symbol ?? '', productId: p.product_id ?? null, size: p.size, entryPrice: p.entry_price ?? null }),
  );

const side = z.enum(['buy', 'sell']);
const positiveSize = z.union([z.number().int().positive().max(1e12), z.string().regex(/^\d{1,12}$/).transform(Number)]);
const fillPrice = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const t = decimalText(v);
  if (t === undefined || t === null || implausiblePrice('price', Number(t)) !== null) {
    ctx.addIssue({ code: 'custom', message: `fill price ${describe(v)} is not a plausible decimal` });
    return z.NEVER;
  }
  return t;
});

/** `v2/user_trades` (compact keys). */
const compactFillSchema = z
  .object({ sy: sym, f: idText, o: idText, S: side, s: positiveSize, p: fillPrice, po: intSize.nullable().optional(), r: z.string().max(16).optional(), c: z.string().max(64).nullable().optional(), t: timeField })
  .transform((f): DeltaFill => ({ fillId: f.f, symbol: f.sy, orderId: f.o, clientOrderId: f.c ?? '', side: f.S, size: f.s, price: f.p, role: f.r ?? '', positionAfter: f.po ?? null, commission: null, time: timeOf(f.t) }));

/** Legacy `user_trades` and REST `/v2/fills` records. */
export const fillRecordSchema = z
  .object({
    symbol: sym.optional(),
    product_symbol: sym.optional(),
    fill_id: idText.optional(),
    id: idText.optional(),
    order_id: idText,
    client_order_id: z.string().max(64).nullable().optional(),
    side,
    size: positiveSize,
    price: fillPrice,
    role: z.string().max(16).nullable().optional(),
    commission: dec,
    timestamp: timeField,
    created_at: timeField,
  })
  .refine((f) => (f.symbol ?? f.product_symbol) !== undefined && (f.fill_id ?? f.id) !== undefined, { message: 'a fill needs a symbol and a fill id' })
  .transform(
    (f): DeltaFill => ({
      fillId: (f.fill_id ?? f.id)!,
      symbol: (f.symbol ?? f.product_symbol)!,
      orderId: f.order_id,
      clientOrderId: f.client_order_id ?? '',
      side: f.side,
      size: f.size,
      price: f.price,
      role: f.role ?? '',
      positionAfter: null,
      commission: f.commission ?? null,
      time: timeOf(f.timestamp) ?? timeOf(f.created_at),
    }),
  );

const ackSchema = z.object({
  channels: z
    .array(z.object({ name: z.string().max(64), symbols: z.array(z.string().max(64)).max(10_000).optional(), error: z.string().max(1000).optional() }))
    .max(100),
});

const authSchema = z.object({ success: z.boolean(), status_code: z.number().optional(), status: z.string().max(200).optional(), message: z.string().max(1000).optional(), error: z.unknown().optional() });

function zodReason(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(frame)'}: ${i.message}` : 'invalid';
}

// ---------------------------------------------------------------- the frame dispatcher

/** Parses one inbound text frame of either socket. Never throws on venue input. */
export function parseDeltaFrame(text: string): DeltaFrame {
  if (text.length > MAX_DELTA_FRAME_BYTES) return { kind: 'malformed', reason: `frame of ${text.length} bytes (largest accepted ${MAX_DELTA_FRAME_BYTES})` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: `not JSON: ${describe(text)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'malformed', reason: `frame is ${describe(v)}, not an object` };
  const o = v as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string') return { kind: 'malformed', reason: 'frame has no "type"' };
  try {
    switch (type) {
      case 'ticker':
        return parseCompactTicker(o);
      case 'v2/ticker':
        try {
          return { kind: 'tickers', tickers: [flatTicker(o, 'v2/ticker')], rejected: [] };
        } catch (err) {
          if (err instanceof Bad) return { kind: 'tickers', tickers: [], rejected: [err.message] };
          throw err;
        }
      case 'mark_price': {
        const raw = o.sy ?? o.symbol;
        const symbol = symbolOf('sy', raw);
        const p = decimalText(o.p ?? o.price);
        if (p === undefined || p === null) throw new Bad(`mark_price ${symbol}: "p" is not a decimal (${describe(o.p ?? o.price)})`);
        const why = implausiblePrice('p', Number(p));
        if (why) throw new Bad(`mark_price ${symbol}: ${why}`);
        return { kind: 'mark', mark: { symbol: symbol.startsWith('MARK:') ? symbol.slice(5) : symbol, price: p, exchangeTime: microsToMs('ts', o.ts ?? o.timestamp) } };
      }
      case 'ob_l1': {
        const symbol = symbolOf('sy', o.sy);
        const book: DeltaBookL1 = {
          symbol,
          bid: priceOf('bp', o.bp),
          ask: priceOf('ap', o.ap),
          bidSize: sizeOf('bs', o.bs),
          askSize: sizeOf('as', o.as),
          exchangeTime: microsToMs('lts', o.lts ?? o.ts),
        };
        if (book.bid !== null && book.ask !== null && book.bid > book.ask) throw new Bad(`ob_l1 ${symbol}: bid ${book.bid} above ask ${book.ask}`);
        return { kind: 'book', book };
      }
      case 'subscriptions': {
        const r = ackSchema.safeParse(o);
        if (!r.success) return { kind: 'malformed', reason: `subscriptions: ${zodReason(r.error)}` };
        return { kind: 'subscriptions', channels: r.data.channels.map((c) => ({ name: c.name, symbols: c.symbols ?? [], error: c.error ?? null })) };
      }
      case 'heartbeat':
        return { kind: 'heartbeat' };
      case 'pong':
        return { kind: 'pong' };
      case 'key-auth':
      case 'auth': {
        const r = authSchema.safeParse(o);
        if (!r.success) return { kind: 'malformed', reason: `${type}: ${zodReason(r.error)}` };
        const err = r.data.error;
        const errText = typeof err === 'string' ? err : err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : null;
        return { kind: 'auth', success: r.data.success, statusCode: r.data.status_code ?? null, status: r.data.status ?? errText ?? '', message: r.data.message ?? errText };
      }
      case 'orders': {
        const action = typeof o.action === 'string' ? o.action.slice(0, 32) : '';
        const reason = typeof o.reason === 'string' ? o.reason.slice(0, 64) : '';
        if (action === 'snapshot') {
          const list = z.array(orderRecordSchema).max(10_000).safeParse(o.result ?? []);
          if (!list.success) return { kind: 'malformed', reason: `orders snapshot: ${zodReason(list.error)}` };
          return { kind: 'orders', action, events: list.data.map((order) => ({ action, reason: '', order })) };
        }
        const r = orderRecordSchema.safeParse({ ...o, id: o.order_id ?? o.id });
        if (!r.success) return { kind: 'malformed', reason: `orders: ${zodReason(r.error)}` };
        return { kind: 'orders', action, events: [{ action, reason, order: r.data }] };
      }
      case 'positions': {
        const action = typeof o.action === 'string' ? o.action.slice(0, 32) : '';
        const list = action === 'snapshot' ? z.array(positionRecordSchema).max(10_000).safeParse(o.result ?? []) : positionRecordSchema.transform((p) => [p]).safeParse(o);
        if (!list.success) return { kind: 'malformed', reason: `positions: ${zodReason(list.error)}` };
        return { kind: 'positions', action, positions: list.data };
      }
      case 'v2/user_trades': {
        const r = compactFillSchema.safeParse(o);
        if (!r.success) return { kind: 'malformed', reason: `v2/user_trades: ${zodReason(r.error)}` };
        return { kind: 'fills', fills: [r.data] };
      }
      case 'user_trades': {
        const r = fillRecordSchema.safeParse(o);
        if (!r.success) return { kind: 'malformed', reason: `user_trades: ${zodReason(r.error)}` };
        return { kind: 'fills', fills: [r.data] };
      }
      case 'error': {
        const m = o.message ?? o.error;
        return { kind: 'error', message: typeof m === 'string' ? m.slice(0, 500) : 'venue error' };
      }
      default:
        return { kind: 'ignored', type: type.slice(0, 64) };
    }
  } catch (err) {
    if (err instanceof Bad) return { kind: 'malformed', reason: err.message };
    throw err;
  }
}

/** Reads a REST ticker record; null + reason when it cannot be read. */
export function parseRestTicker(v: unknown): { ticker: DeltaTicker } | { error: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: `ticker is ${describe(v)}, not an object` };
  try {
    return { ticker: flatTicker(v as Record<string, unknown>, 'rest') };
  } catch (err) {
    if (err instanceof Bad) return { error: err.message };
    throw err;
  }
}
