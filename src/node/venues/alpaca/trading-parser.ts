/**
 * Validates `trade_updates` stream frames at the trust edge. Alpaca's paper endpoint sends JSON in
 * *binary* frames (alpaca.md §3.1), so every frame is decoded as UTF-8 JSON whatever its opcode;
 * a msgpack session (binary, not JSON) is decoded as msgpack. A lone 0x01 byte is the heartbeat the
 * official JS SDK drops (UNCONFIRMED that the server still sends it): counted as activity only.
 */
import { z } from 'zod';
import type { OrderUpdate, VenueOrder } from '../../../core/ports/venue';
import { parseRfc3339Ms } from './codec';
import { FastMsgpackDecoder } from './msgpack-fast';
import { clip, describeValue } from '../../../shared/bounded';

/** Deepest nesting a trade-update frame may have (an order with legs is 5 levels deep). */
export const MAX_TRADING_FRAME_DEPTH = 16;
/** Largest trade-update frame accepted (bytes). */
export const MAX_TRADING_FRAME_BYTES = 1024 * 1024;

/**
 * Whether a decoded value nests deeper than `max` (arrays and objects), checked iteratively so a
 * hostile frame cannot overflow the stack here; stops at the first level past the limit.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  let visited = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) continue;
    if (d >= max) return true;
    if (++visited > 1_000_000) return true; // absurd breadth: treat as too complex
    if (Array.isArray(v)) for (const x of v) stack.push([x, d + 1]);
    else for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) stack.push([(v as Record<string, unknown>)[k], d + 1]);
  }
  return false;
}

export type TradingControl =
  | { kind: 'authorization'; authorized: boolean; action: string; message: string | null }
  | { kind: 'listening'; streams: string[] }
  | { kind: 'error'; message: string };

export interface TradingSink {
  control(msg: TradingControl): void;
  orderUpdate(update: OrderUpdate): void;
  heartbeat(): void;
  malformed(reason: string): void;
}

const str = z.string().max(10_000);
const numStr = z.union([z.string().max(64), z.number()]).transform(String);
const optNumStr = numStr.nullable().optional().transform((v) => v ?? null);

const orderSchema: z.ZodType<VenueOrder> = z.lazy(() =>
  z
    .object({
      id: str,
      client_order_id: str.optional().default(''),
      symbol: str.nullable().optional(),
      side: z.string().nullable().optional(),
      type: z.string().nullable().optional(),
      order_type: z.string().nullable().optional(),
      order_class: z.string().nullable().optional(),
      time_in_force: z.string().nullable().optional(),
      qty: optNumStr,
      filled_qty: optNumStr,
      filled_avg_price: optNumStr,
      limit_price: optNumStr,
      stop_price: optNumStr,
      status: str,
      created_at: z.string().nullable().optional(),
      updated_at: z.string().nullable().optional(),
      legs: z.array(orderSchema).max(8).nullable().optional(),
    })
    .transform((o): VenueOrder => ({
      id: o.id,
      clientOrderId: o.client_order_id,
      symbol: o.symbol ?? '',
      side: o.side === 'buy' || o.side === 'sell' ? o.side : '',
      type: o.type ?? o.order_type ?? '',
      orderClass: o.order_class ?? '',
      timeInForce: o.time_in_force ?? '',
      qty: o.qty,
      filledQty: o.filled_qty ?? '0',
      filledAvgPrice: o.filled_avg_price,
      limitPrice: o.limit_price,
      stopPrice: o.stop_price,
      status: o.status,
      createdAt: o.created_at ?? null,
      updatedAt: o.updated_at ?? null,
      legs: o.legs ?? [],
    })),
);

export { orderSchema as alpacaOrderSchema };

const authorizationSchema = z.object({
  stream: z.literal('authorization'),
  data: z.object({ status: z.string(), action: z.string().optional().default('authenticate'), message: z.string().max(1000).optional() }),
});
const listeningSchema = z.object({ stream: z.literal('listening'), data: z.object({ streams: z.array(z.string().max(64)).max(16) }) });
const tradeUpdateSchema = z.object({
  stream: z.literal('trade_updates'),
  data: z.object({
    event: z.string().max(64),
    execution_id: z.string().max(200).nullable().optional(),
    timestamp: z.string().max(64).nullable().optional(),
    price: optNumStr,
    qty: optNumStr,
    position_qty: optNumStr,
    order: orderSchema,
  }),
});
const errorSchema = z.object({ action: z.literal('error'), data: z.object({ error_message: z.string().max(1000) }) });

/** Picks the schema by the frame's `stream` (or `action: "error"`), so errors name the exact path. */
function schemaFor(raw: unknown): z.ZodType | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'frame is not a JSON object';
  const r = raw as Record<string, unknown>;
  if (r.stream === 'authorization') return authorizationSchema;
  if (r.stream === 'listening') return listeningSchema;
  if (r.stream === 'trade_updates') return tradeUpdateSchema;
  if (r.action === 'error') return errorSchema;
  const stream = typeof r.stream === 'string' ? JSON.stringify(clip(r.stream, 40)) : describeValue(r.stream ?? null);
  return `unknown frame (stream ${stream})`;
}

type Frame = z.infer<typeof authorizationSchema> | z.infer<typeof listeningSchema> | z.infer<typeof tradeUpdateSchema> | z.infer<typeof errorSchema>;

export class TradingFrameParser {
  private readonly decoder = new FastMsgpackDecoder();

  constructor(
    private readonly sink: TradingSink,
    /** True when the session asked for msgpack (Content-Type header); binary frames are then msgpack. */
    private readonly msgpack = false,
  ) {}

  frame(data: Buffer | string, isBinary: boolean, receivedAt: number): void {
    if (typeof data !== 'string' && data.length === 1 && data[0] === 0x01) {
      this.sink.heartbeat();
      return;
    }
    if (data.length > MAX_TRADING_FRAME_BYTES) {
      this.sink.malformed(`trade_updates frame of ${data.length} bytes refused (limit ${MAX_TRADING_FRAME_BYTES})`);
      return;
    }
    let raw: unknown;
    try {
      if (isBinary && this.msgpack && typeof data !== 'string') raw = this.decoder.decode(data);
      else raw = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch (err) {
      this.sink.malformed(`undecodable trade_updates frame: ${err instanceof Error ? err.message.slice(0, 120) : 'error'}`);
      return;
    }
    if (nestsDeeperThan(raw, MAX_TRADING_FRAME_DEPTH)) {
      this.sink.malformed(`trade_updates frame nests deeper than ${MAX_TRADING_FRAME_DEPTH} levels; refused`);
      return;
    }
    const schema = schemaFor(raw);
    if (typeof schema === 'string') {
      this.sink.malformed(`trade_updates frame: ${schema}`);
      return;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.sink.malformed(`trade_updates frame: ${issue ? `${clip(issue.path.join('.'), 80) || '(root)'} ${clip(issue.message, 200)}` : 'invalid'}`);
      return;
    }
    const f = parsed.data as Frame;
    if ('action' in f) {
      this.sink.control({ kind: 'error', message: f.data.error_message });
      return;
    }
    switch (f.stream) {
      case 'authorization':
        this.sink.control({ kind: 'authorization', authorized: f.data.status === 'authorized', action: f.data.action, message: f.data.message ?? null });
        return;
      case 'listening':
        this.sink.control({ kind: 'listening', streams: f.data.streams });
        return;
      case 'trade_updates': {
        const d = f.data;
        const ts = d.timestamp ? parseRfc3339Ms(d.timestamp) : Number.NaN;
        this.sink.orderUpdate({
          event: d.event,
          order: d.order,
          executionId: d.execution_id ?? null,
          price: d.price,
          qty: d.qty,
          positionQty: d.position_qty,
          timestamp: Number.isFinite(ts) ? ts : null,
          receivedAt,
        });
      }
    }
  }
}
