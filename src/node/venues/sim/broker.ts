/**
 * The simulated broker behind the sim's trading REST and trade_updates stream: market orders fill
 * at the touch (buy at the ask, sell at the bid), limit orders fill when marketable (at the touch,
 * i.e. with price improvement) and otherwise rest until a later quote makes them marketable.
 * Optional partial fills split each fill in two executions one tick apart; with `depthFills` an
 * execution takes at most the size displayed at the touch, so a large order fills in parts against
 * successive quotes. Money is kept in integer cents and quantities are integers, so no binary float
 * noise reaches the wire.
 *
 * Stop-limit orders (alpaca.md §4.3: `type: stop_limit`, `stop_price`, `limit_price`) rest untriggered
 * until the stop trades on the sim's quotes — a buy when the ask reaches the stop or more, a sell when
 * the bid reaches it or less — then work as a limit at their limit price. Their status is `new` while
 * untriggered and `accepted` once triggered (until a fill), as the venue reports them; there is no
 * trade_update for the trigger itself. A replace changes the limit price (and/or qty); the stop, and
 * whether it has triggered, carry over to the successor unless the replace names a new stop.
 *
 * Refusals are Alpaca's (alpaca.md §4.2, §4.5): a duplicate client order id is HTTP 422
 * (code 40010001, "client_order_id must be unique"), a buy the account cannot pay for is HTTP 403
 * (code 40310000, "insufficient buying power"); neither stores an order. A replace takes an
 * optional client order id of its own (PATCH `client_order_id`), refused the same way when taken.
 */
import type { QuoteValues } from '../../../core/market/quote';
import { symbolKind } from '../../../core/market/symbols';
import type { OrderSide } from '../../../core/orders/types';

export interface SimOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  asset_class: 'us_equity' | 'us_option';
  side: OrderSide;
  type: SimOrderType;
  order_type: SimOrderType;
  order_class: 'simple';
  time_in_force: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  legs: null;
  extended_hours: false;
}

export interface TradeUpdateEvent {
  event: string;
  order: SimOrder;
  timestamp: string;
  execution_id?: string;
  price?: string;
  qty?: string;
  position_qty?: string;
}

interface Position {
  qty: number;
  /** Total cost of the open quantity, in cents × contracts/shares (not × multiplier). */
  costCents: number;
}

export type SimOrderType = 'market' | 'limit' | 'stop_limit';

export interface NewOrderInput {
  symbol: string;
  qty: number;
  side: OrderSide;
  type: SimOrderType;
  time_in_force: string;
  limitCents: number | null;
  /** stop_limit: the trigger (required for it; absent or null for the others). */
  stopCents?: number | null;
  client_order_id: string;
}

export class BrokerError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const toCents = (price: number) => Math.round(price * 100);
const fmtCents = (c: number) => (c / 100).toFixed(2);

export class SimBroker {
  private readonly orders = new Map<string, SimOrder>();
  private readonly byClientId = new Map<string, string>();
  private readonly positions = new Map<string, Position>();
  /** Remaining quantity per open order, and per-order filled notional in cents. */
  private readonly remaining = new Map<string, number>();
  private readonly filledNotional = new Map<string, number>();
  /** Stop-limit orders whose stop has not traded yet (ids). */
  private readonly untriggered = new Set<string>();
  private cashCents = 100_000_00;
  private seq = 0;
  private execSeq = 0;
  rejectNext = 0;
  /** The next N limit orders (only limits: market orders pass) are rejected, as `rejectNext`. */
  rejectNextLimit = 0;
  partialFills = false;
  /** Each execution takes at most the size displayed at the touch (limit and market orders alike). */
  depthFills = false;

  constructor(
    private readonly emit: (e: TradeUpdateEvent) => void,
    private readonly iso: () => string,
  ) {}

  place(input: NewOrderInput, quote: QuoteValues | null): SimOrder {
    this.checkStop(input);
    this.checkNewClientId(input.client_order_id);
    this.checkBuyingPower(input, quote);
    return this.store(input, quote);
  }

  private checkStop(input: NewOrderInput): void {
    const stop = input.stopCents ?? null;
    if (input.type === 'stop_limit') {
      if (stop === null || !(stop > 0)) throw new BrokerError(422, 40010001, 'stop_price is required for stop_limit orders');
      if (input.limitCents === null || !(input.limitCents > 0)) throw new BrokerError(422, 40010001, 'limit_price is required for stop_limit orders');
    } else if (stop !== null) throw new BrokerError(422, 40010001, `stop_price is not allowed for ${input.type} orders`);
  }

  private checkNewClientId(clientOrderId: string): void {
    if (this.byClientId.has(clientOrderId)) throw new BrokerError(422, 40010001, 'client_order_id must be unique');
  }

  /**
   * A buy needs buying power for its notional at the limit (or at the ask for a market order): 2×
   * cash for stocks, 1× cash for options (the sim's account: see `account`). Sells are not checked
   * (the sim allows shorting). Unpriced market orders (no quote) pass: the fill decides.
   */
  private checkBuyingPower(input: NewOrderInput, quote: QuoteValues | null): void {
    if (input.side !== 'buy') return;
    const priceCents = input.limitCents ?? (quote?.ask != null && quote.ask > 0 ? toCents(quote.ask) : null);
    if (priceCents === null) return;
    const option = symbolKind(input.symbol) === 'option';
    const notional = input.qty * priceCents * (option ? 100 : 1);
    const power = Math.max(0, option ? this.cashCents : this.cashCents * 2);
    if (notional > power) throw new BrokerError(403, 40310000, 'insufficient buying power');
  }

  private store(input: NewOrderInput, quote: QuoteValues | null, triggered = false): SimOrder {
    const now = this.iso();
    const id = `sim-${(++this.seq).toString().padStart(8, '0')}`;
    const order: SimOrder = {
      id,
      client_order_id: input.client_order_id,
      symbol: input.symbol,
      asset_class: symbolKind(input.symbol) === 'option' ? 'us_option' : 'us_equity',
      side: input.side,
      type: input.type,
      order_type: input.type,
      order_class: 'simple',
      time_in_force: input.time_in_force,
      qty: String(input.qty),
      filled_qty: '0',
      filled_avg_price: null,
      limit_price: input.limitCents === null ? null : fmtCents(input.limitCents),
      stop_price: input.type === 'stop_limit' && input.stopCents != null ? fmtCents(input.stopCents) : null,
      status: 'new',
      created_at: now,
      updated_at: now,
      submitted_at: now,
      filled_at: null,
      canceled_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      legs: null,
      extended_hours: false,
    };
    this.orders.set(id, order);
    this.byClientId.set(input.client_order_id, id);
    const rejectLimit = input.type === 'limit' && this.rejectNextLimit > 0;
    if (this.rejectNext > 0 || rejectLimit) {
      if (rejectLimit) this.rejectNextLimit--;
      else this.rejectNext--;
      order.status = 'rejected';
      order.updated_at = now;
      this.emit({ event: 'rejected', order: { ...order }, timestamp: now });
      return { ...order };
    }
    this.remaining.set(id, input.qty);
    this.filledNotional.set(id, 0);
    if (input.type === 'stop_limit') {
      if (triggered) order.status = 'accepted';
      else this.untriggered.add(id);
    }
    this.emit({ event: 'new', order: { ...order }, timestamp: now });
    this.tryFill(order, quote);
    return { ...order };
  }

  replace(id: string, patch: { qty?: number; limitCents?: number | null; stopCents?: number; clientOrderId?: string }, quote: QuoteValues | null): SimOrder {
    const old = this.openOrder(id);
    if (patch.qty !== undefined && (!Number.isSafeInteger(patch.qty) || patch.qty <= 0)) throw new BrokerError(422, 40010001, 'qty must be a positive whole number');
    if (patch.limitCents !== undefined && patch.limitCents !== null && !(patch.limitCents > 0)) throw new BrokerError(422, 40010001, 'limit_price must be positive');
    if (patch.stopCents !== undefined && (old.type !== 'stop_limit' || !(patch.stopCents > 0))) throw new BrokerError(422, 40010001, old.type !== 'stop_limit' ? `stop_price is not allowed for ${old.type} orders` : 'stop_price must be positive');
    if (old.type === 'stop_limit' && patch.limitCents === null) throw new BrokerError(422, 40010001, 'limit_price is required for stop_limit orders');
    if (patch.clientOrderId !== undefined) this.checkNewClientId(patch.clientOrderId);
    const input: NewOrderInput = {
      symbol: old.symbol,
      qty: patch.qty ?? this.remaining.get(id)!,
      side: old.side,
      type: old.type,
      time_in_force: old.time_in_force,
      limitCents: patch.limitCents !== undefined ? patch.limitCents : old.limit_price === null ? null : toCents(Number(old.limit_price)),
      stopCents: patch.stopCents ?? (old.stop_price === null ? null : toCents(Number(old.stop_price))),
      client_order_id: patch.clientOrderId ?? `${old.client_order_id}-r${this.seq + 1}`,
    };
    // The stop already traded (and is not moved): the successor works as a limit at once.
    const triggered = old.type === 'stop_limit' && !this.untriggered.has(old.id) && patch.stopCents === undefined;
    this.checkNewClientId(input.client_order_id);
    // The old order is replaced before the new one trades (Alpaca: `replaced` on the old order,
    // then the new order's own events); the new id is known before the event goes out.
    this.close(old, 'replaced');
    old.replaced_by = `sim-${(this.seq + 1).toString().padStart(8, '0')}`;
    old.replaced_at = this.iso();
    this.emit({ event: 'replaced', order: { ...old }, timestamp: old.replaced_at });
    const fresh = this.store(input, null, triggered);
    const stored = this.orders.get(fresh.id)!;
    stored.replaces = old.id;
    if (this.remaining.has(stored.id)) this.tryFill(stored, quote);
    return { ...stored };
  }

  cancel(id: string): void {
    const order = this.openOrder(id);
    this.close(order, 'canceled');
    order.canceled_at = this.iso();
    this.emit({ event: 'canceled', order: { ...order }, timestamp: this.iso() });
  }

  /** Called on every market step: resting limit orders and pending partial fills. */
  onQuotes(quoteOf: (symbol: string) => QuoteValues | null): void {
    for (const id of [...this.remaining.keys()]) {
      const order = this.orders.get(id)!;
      this.tryFill(order, quoteOf(order.symbol), true);
    }
  }

  get(id: string): SimOrder | undefined {
    const o = this.orders.get(id);
    return o ? { ...o } : undefined;
  }

  /** The order placed with this client order id (Alpaca's GET /v2/orders:by_client_order_id). */
  byClientOrderId(clientOrderId: string): SimOrder | undefined {
    const id = this.byClientId.get(clientOrderId);
    return id === undefined ? undefined : this.get(id);
  }

  list(status: 'open' | 'closed' | 'all'): SimOrder[] {
    const all = [...this.orders.values()].reverse();
    const open = (o: SimOrder) => this.remaining.has(o.id);
    return all.filter((o) => status === 'all' || (status === 'open' ? open(o) : !open(o))).map((o) => ({ ...o }));
  }

  positionList(quoteOf: (symbol: string) => QuoteValues | null): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    for (const [symbol, p] of this.positions) {
      if (p.qty === 0) continue;
      const mult = symbolKind(symbol) === 'option' ? 100 : 1;
      const q = quoteOf(symbol);
      const markCents = q && q.bid !== null && q.ask !== null ? Math.round((toCents(q.bid) + toCents(q.ask)) / 2) : null;
      const avgCents = p.costCents / p.qty;
      const mv = markCents === null ? null : markCents * p.qty * mult;
      out.push({
        symbol,
        asset_class: mult === 100 ? 'us_option' : 'us_equity',
        qty: String(p.qty),
        qty_available: String(p.qty),
        side: p.qty > 0 ? 'long' : 'short',
        avg_entry_price: (avgCents / 100).toFixed(4).replace(/0{1,2}$/, ''),
        market_value: mv === null ? '0' : fmtCents(mv),
        cost_basis: fmtCents(p.costCents * mult),
        unrealized_pl: mv === null ? '0' : fmtCents(mv - p.costCents * mult),
        current_price: markCents === null ? '0' : fmtCents(markCents),
      });
    }
    return out;
  }

  /**
   * Test admin (`POST /__sim/position`): the broker now holds `qty` (signed: short < 0; 0 = flat) of
   * `symbol` at an average entry of `avgCents`, as if traded outside the app — no order, no
   * trade_update, the desk learns of it only by asking (GET /v2/positions). Cash moves by the cost
   * difference, as an outside trade would move it. Returns the position as GET /v2/positions lists it
   * (null when flat).
   */
  plantPosition(symbol: string, qty: number, avgCents: number, quoteOf: (symbol: string) => QuoteValues | null): Record<string, string> | null {
    const mult = symbolKind(symbol) === 'option' ? 100 : 1;
    const before = this.positions.get(symbol) ?? { qty: 0, costCents: 0 };
    const after: Position = { qty, costCents: qty * avgCents };
    this.cashCents -= (after.costCents - before.costCents) * mult;
    this.positions.set(symbol, after);
    return this.positionList(quoteOf).find((p) => p.symbol === symbol) ?? null;
  }

  account(quoteOf: (symbol: string) => QuoteValues | null): Record<string, unknown> {
    let mvCents = 0;
    for (const p of this.positionList(quoteOf)) mvCents += toCents(Number(p.market_value));
    const equity = this.cashCents + mvCents;
    return {
      id: 'sim-account-0001',
      account_number: 'SIM0001',
      status: 'ACTIVE',
      currency: 'USD',
      cash: fmtCents(this.cashCents),
      equity: fmtCents(equity),
      last_equity: fmtCents(equity),
      portfolio_value: fmtCents(equity),
      buying_power: fmtCents(Math.max(0, this.cashCents * 2)),
      options_buying_power: fmtCents(Math.max(0, this.cashCents)),
      options_approved_level: 3,
      options_trading_level: 3,
      trading_blocked: false,
      pattern_day_trader: false,
    };
  }

  private openOrder(id: string): SimOrder {
    const order = this.orders.get(id);
    if (!order) throw new BrokerError(404, 40410000, 'order not found');
    if (!this.remaining.has(id)) throw new BrokerError(422, 42210000, `order is not open (status ${order.status})`);
    return order;
  }

  private close(order: SimOrder, status: string): void {
    this.remaining.delete(order.id);
    this.untriggered.delete(order.id);
    order.status = status;
    order.updated_at = this.iso();
  }

  private tryFill(order: SimOrder, quote: QuoteValues | null, later = false): void {
    const left = this.remaining.get(order.id);
    if (left === undefined || !quote) return;
    const touch = order.side === 'buy' ? quote.ask : quote.bid;
    if (touch === null || touch <= 0) return;
    const touchCents = toCents(touch);
    if (this.untriggered.has(order.id)) {
      // The stop trades when the touch reaches it: a buy stop on the ask at or above, a sell stop on the bid at or below.
      const stop = toCents(Number(order.stop_price));
      if (order.side === 'buy' ? touchCents < stop : touchCents > stop) return;
      this.untriggered.delete(order.id);
      order.status = 'accepted';
      order.updated_at = this.iso();
    }
    if (order.type === 'limit' || order.type === 'stop_limit') {
      const limit = toCents(Number(order.limit_price));
      if (order.side === 'buy' ? touchCents > limit : touchCents < limit) return; // not marketable
    }
    const total = Number(order.qty);
    // Partial fills: the first execution takes half (at least 1), the rest fills on a later step.
    let fillQty = this.partialFills && !later && left === total && total > 1 ? Math.floor(total / 2) : left;
    // Depth: no more than the size shown at the touch (a size below 1 means none shown: no fill).
    if (this.depthFills) {
      const shown = Math.floor((order.side === 'buy' ? quote.askSize : quote.bidSize) ?? 0);
      if (shown < 1) return;
      fillQty = Math.min(fillQty, shown);
    }
    this.execute(order, fillQty, touchCents);
  }

  private execute(order: SimOrder, qty: number, priceCents: number): void {
    const left = this.remaining.get(order.id)! - qty;
    const notional = this.filledNotional.get(order.id)! + qty * priceCents;
    this.filledNotional.set(order.id, notional);
    const filled = Number(order.qty) - left;
    order.filled_qty = String(filled);
    order.filled_avg_price = (notional / filled / 100).toFixed(4).replace(/0{1,2}$/, '');
    order.updated_at = this.iso();
    const signed = order.side === 'buy' ? qty : -qty;
    const mult = order.asset_class === 'us_option' ? 100 : 1;
    this.cashCents -= signed * priceCents * mult;
    const pos = this.positions.get(order.symbol) ?? { qty: 0, costCents: 0 };
    if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(signed)) {
      pos.costCents += signed * priceCents;
      pos.qty += signed;
    } else if (Math.abs(signed) <= Math.abs(pos.qty)) {
      pos.costCents = Math.round((pos.costCents * (pos.qty + signed)) / pos.qty);
      pos.qty += signed;
    } else {
      const flipped = pos.qty + signed;
      pos.qty = flipped;
      pos.costCents = flipped * priceCents;
    }
    this.positions.set(order.symbol, pos);
    if (left <= 0) {
      this.remaining.delete(order.id);
      order.status = 'filled';
      order.filled_at = order.updated_at;
    } else {
      this.remaining.set(order.id, left);
      order.status = 'partially_filled';
    }
    this.emit({
      event: left <= 0 ? 'fill' : 'partial_fill',
      order: { ...order },
      timestamp: order.updated_at,
      execution_id: `sim-exec-${++this.execSeq}`,
      price: fmtCents(priceCents),
      qty: String(qty),
      position_qty: String(pos.qty),
    });
  }
}
