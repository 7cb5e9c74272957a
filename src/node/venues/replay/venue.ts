/**
 * The replay venue (issue 21): both ports of an account over a replayed day.
 *
 * - Market data: the day's quotes, step by step, as the replay engine applies them (`applyStep`):
 *   a book update for each quote whose book changed (or that repeats it), a trade for each new
 *   `last`, stamped with the replay clock's time (the instant they were recorded at). Only
 *   subscribed symbols are sent, as a venue does. `latestQuotes` and the option chain answer from
 *   the quotes replayed so far (the chain carries no venue greeks: the desk computes its own from
 *   the mid, as it does for a venue without them).
 * - Execution: a paper matcher, the simulated venue's own broker (venues/sim/broker.ts: market at the
 *   touch, marketable limits at the touch, resting limits filled by a later quote, stop-limits) against
 *   the replayed quotes. Its order updates are delivered after the answer to the call that caused
 *   them (`flushUpdates`, called by the engine once the desk's pending work has run), as a venue's
 *   stream follows its REST answer.
 *
 * Nothing here reads the wall clock or the network: the same day gives the same calls and events.
 */
import type { Clock } from '../../../core/ports/clock';
import type { Quote, QuoteValues } from '../../../core/market/quote';
import { initialStreamHealth, type StreamHealth } from '../../../core/market/stream-health';
import type { ExecutionListeners, ExecutionPort, RestChannelHealth } from '../../../core/ports/execution';
import type { MarketDataListeners, MarketDataPort, OptionChain, OptionChainContract, OptionChainFilter } from '../../../core/ports/market-data';
import { VenueError, type OrderReplace, type OrderRequest, type OrderUpdate, type VenueAccount, type VenueKind, type VenueMode, type VenueOrder, type VenuePosition, type VenueSessionState } from '../../../core/ports/venue';
import { instrumentId, type AccountId, type InstrumentId } from '../../../core/model/ids';
import { looksLikeOcc, occInstrument, parseOcc } from '../../../core/model/occ';
import { alpacaInstrument } from '../../../core/model/alpaca-symbols';
import type { Instrument } from '../../../core/model/instrument';
import type { ReplayDay, ReplayQuote, ReplayStep } from '../../../core/replay/day';
import { BrokerError, SimBroker, type SimOrder, type SimOrderType, type TradeUpdateEvent } from '../sim/broker';

interface Latest extends ReplayQuote {
  t: number;
  /** When the book (bid/ask/sizes) last changed, and when `last` did. */
  bookAt: number;
  lastAt: number | null;
}

const sameBook = (a: ReplayQuote, b: ReplayQuote) => a.bid === b.bid && a.ask === b.ask && a.bidSize === b.bidSize && a.askSize === b.askSize;

export interface ReplayVenueOptions {
  day: ReplayDay;
  clock: Clock;
  accountId: AccountId;
  /** The venue instance name its instrument ids carry (the account's). */
  venueName: string;
  kind: VenueKind;
  mode: VenueMode;
  /** A replayed symbol's instrument from the venues' records (the live desk's: SmartAPI master, Delta products); default: none. */
  instrumentOf?: (symbol: string) => Instrument | null;
}

/** The day's quotes as a venue: both ports, fed by the replay engine. */
export class ReplayVenue {
  readonly marketData: ReplayMarketData;
  readonly execution: ReplayExecution;
  private readonly latest = new Map<string, Latest>();
  private readonly ids = new Map<string, InstrumentId>();
  stepsApplied = 0;

  constructor(readonly o: ReplayVenueOptions) {
    this.marketData = new ReplayMarketData(this);
    this.execution = new ReplayExecution(this);
  }

  idOf(symbol: string): InstrumentId {
    let id = this.ids.get(symbol);
    if (id === undefined) {
      id = instrumentId(this.o.venueName, symbol);
      this.ids.set(symbol, id);
    }
    return id;
  }

  /** The replayed quote of a symbol now, as the broker and REST reads see it; null before its first. */
  quoteValues(symbol: string): QuoteValues | null {
    const l = this.latest.get(symbol);
    if (!l) return null;
    return { symbol, bid: l.bid, ask: l.ask, last: l.last, bidSize: l.bidSize, askSize: l.askSize, exchangeTime: l.t, receivedAt: l.t, bookReceivedAt: l.bookAt, lastReceivedAt: l.lastAt, source: 'rest' };
  }

  quote(symbol: string): Quote | null {
    const v = this.quoteValues(symbol);
    return v ? { ...v, instrument: this.idOf(symbol) } : null;
  }

  /** Symbols quoted so far. */
  knownSymbols(): string[] {
    return [...this.latest.keys()];
  }

  /** Applies one step: the latest quotes move, subscribed symbols go to the listeners, resting orders are matched. */
  applyStep(step: ReplayStep): void {
    const now = this.o.clock.now();
    const md = this.marketData;
    for (const q of step.quotes) {
      const before = this.latest.get(q.symbol);
      const bookChanged = !before || !sameBook(before, q);
      const lastChanged = q.last !== null && (!before || before.last !== q.last);
      const next: Latest = {
        ...q,
        t: step.t,
        bookAt: bookChanged || !lastChanged ? now : before!.bookAt,
        lastAt: lastChanged ? now : (before?.lastAt ?? null),
      };
      if (q.last === null && before) next.last = before.last;
      this.latest.set(q.symbol, next);
      if (md.isSubscribed(q.symbol)) md.deliver(q, step.t, now, bookChanged || !lastChanged, lastChanged);
    }
    this.stepsApplied++;
    this.execution.match();
  }
}

export class ReplayMarketData implements MarketDataPort {
  readonly name: string;
  readonly kind: VenueKind;
  private readonly subscribed = new Set<string>();
  private readonly listeners = new Set<Partial<MarketDataListeners>>();
  private started = false;
  private lastTickAt: number | null = null;
  private ticks = 0;

  constructor(private readonly v: ReplayVenue) {
    this.name = v.o.venueName;
    this.kind = v.o.kind;
  }

  isSubscribed(symbol: string): boolean {
    return this.started && this.subscribed.has(symbol);
  }

  /**
   * A replayed symbol's instrument as live values it: the venues' records the desk keeps (a SmartAPI
   * contract's lot size from the master cache, a Delta product's contract value from the ledger),
   * else Alpaca's symbol rules (the OCC reading: multiplier 100); null when none knows it.
   */
  instrument(symbol: string): Instrument | null {
    const known = this.v.o.instrumentOf?.(symbol) ?? null;
    if (known) return known;
    try {
      return alpacaInstrument(symbol);
    } catch {
      return null;
    }
  }

  deliver(q: ReplayQuote, exchangeTime: number, now: number, book: boolean, trade: boolean): void {
    const instrument = this.v.idOf(q.symbol);
    this.lastTickAt = now;
    this.ticks++;
    for (const l of this.listeners) {
      if (book) l.quote?.({ instrument, symbol: q.symbol, bid: q.bid, ask: q.ask, bidSize: q.bidSize, askSize: q.askSize, exchangeTime, receivedAt: now });
      if (trade && q.last !== null) l.trade?.({ instrument, symbol: q.symbol, price: q.last, size: null, exchangeTime, receivedAt: now });
    }
  }

  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.emitHealth();
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.started) {
      this.started = false;
      this.emitHealth();
    }
    return Promise.resolve();
  }

  subscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.subscribed.add(s);
  }

  unsubscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.subscribed.delete(s);
  }

  subscribedSymbols(): string[] {
    return [...this.subscribed].sort();
  }

  listen(listeners: Partial<MarketDataListeners>): () => void {
    this.listeners.add(listeners);
    return () => this.listeners.delete(listeners);
  }

  latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    const out: Quote[] = [];
    for (const s of symbols) {
      const q = this.v.quote(s);
      if (q) out.push(q);
    }
    return Promise.resolve(out);
  }

  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    const day = new Set(this.v.o.day.symbols);
    return Promise.resolve(new Map(symbols.map((s) => [s, day.has(s) ? 'active' : 'unknown'] as const)));
  }

  optionChain(underlying: string, filter: OptionChainFilter = {}): Promise<OptionChain> {
    const contracts: OptionChainContract[] = [];
    for (const symbol of this.v.o.day.symbols) {
      if (!looksLikeOcc(symbol)) continue;
      const c = parseOcc(symbol);
      if (c.root !== underlying) continue;
      const strike = c.strikeMilli / 1000;
      if (filter.right && filter.right !== c.right) continue;
      if (filter.expiration && filter.expiration !== c.expiry) continue;
      if (filter.expirationGte && c.expiry < filter.expirationGte) continue;
      if (filter.expirationLte && c.expiry > filter.expirationLte) continue;
      if (filter.strikeGte !== undefined && strike < filter.strikeGte) continue;
      if (filter.strikeLte !== undefined && strike > filter.strikeLte) continue;
      const expiresAt = occInstrument(symbol).expiry?.epochMs ?? Date.parse(`${c.expiry}T21:00:00Z`);
      contracts.push({ symbol, expiry: c.expiry, expiresAt, strike, right: c.right, delta: null, gamma: null, theta: null, vega: null, rho: null, impliedVolatility: null, greeks: null, quote: this.v.quote(symbol) });
    }
    return Promise.resolve({ underlying, contracts, receivedAt: this.v.o.clock.now() });
  }

  health(): StreamHealth[] {
    const h = initialStreamHealth('replay');
    return [{ ...h, state: this.started ? 'running' : 'not_started', lastEventAt: this.lastTickAt, lastTickAt: this.lastTickAt, subscriptions: this.subscribed.size, subscriptionsConfirmed: this.subscribed.size }];
  }

  /** Quotes delivered to listeners so far. */
  get delivered(): number {
    return this.ticks;
  }

  private emitHealth(): void {
    const [h] = this.health();
    for (const l of this.listeners) l.health?.(h!);
  }
}

const toCents = (p: string, field: string): number => {
  const n = Number(p);
  if (!Number.isFinite(n) || n <= 0) throw new VenueError(`${field} must be a positive price, got ${JSON.stringify(p)}`, 422, 40010001, 'rejected');
  return Math.round(n * 100);
};

function venueOrderOf(o: SimOrder): VenueOrder {
  return {
    id: o.id,
    clientOrderId: o.client_order_id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    orderClass: o.order_class,
    timeInForce: o.time_in_force,
    qty: o.qty,
    filledQty: o.filled_qty,
    filledAvgPrice: o.filled_avg_price,
    limitPrice: o.limit_price,
    stopPrice: o.stop_price,
    status: o.status,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    legs: [],
  };
}

/** The paper matcher: the sim's broker against the replayed quotes, one account. */
export class ReplayExecution implements ExecutionPort {
  readonly accountId: AccountId;
  readonly venue: string;
  readonly kind: VenueKind;
  readonly mode: VenueMode;
  private readonly broker: SimBroker;
  private readonly listeners = new Set<Partial<ExecutionListeners>>();
  private readonly pending: TradeUpdateEvent[] = [];
  private started = false;

  constructor(private readonly v: ReplayVenue) {
    this.accountId = v.o.accountId;
    this.venue = v.o.venueName;
    this.kind = v.o.kind;
    this.mode = v.o.mode;
    this.broker = new SimBroker((e) => this.pending.push(e), () => new Date(v.o.clock.now()).toISOString());
  }

  /** Resting orders against the quotes now (each step). */
  match(): void {
    this.broker.onQuotes((s) => this.v.quoteValues(s));
  }

  /** Order updates not yet delivered. */
  get pendingUpdates(): number {
    return this.pending.length;
  }

  /** Delivers the order updates made since the last flush, in order; returns how many. */
  flushUpdates(): number {
    const batch = this.pending.splice(0);
    const now = this.v.o.clock.now();
    for (const e of batch) {
      const update: OrderUpdate = {
        event: e.event,
        order: venueOrderOf(e.order),
        executionId: e.execution_id ?? null,
        price: e.price ?? null,
        qty: e.qty ?? null,
        positionQty: e.position_qty ?? null,
        timestamp: Date.parse(e.timestamp),
        receivedAt: now,
      };
      for (const l of this.listeners) l.orderUpdate?.(update);
    }
    return batch.length;
  }

  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      for (const l of this.listeners) l.session?.('active', null);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }

  reauthenticate(): Promise<void> {
    return Promise.resolve();
  }

  sessionState(): VenueSessionState {
    return this.started ? 'active' : 'not_started';
  }

  listen(listeners: Partial<ExecutionListeners>): () => void {
    this.listeners.add(listeners);
    return () => this.listeners.delete(listeners);
  }

  health(): StreamHealth[] {
    return [{ ...initialStreamHealth('trade_updates', 'heartbeat'), state: this.started ? 'running' : 'not_started' }];
  }

  restHealth(): RestChannelHealth | null {
    return null;
  }

  private call<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (err instanceof BrokerError) return Promise.reject(new VenueError(err.message, err.status, err.code, err.status === 404 ? 'not_found' : 'rejected'));
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  placeOrder(order: OrderRequest): Promise<VenueOrder> {
    return this.call(() => {
      if (!order.symbol || !order.side) throw new VenueError('the replay matcher takes single-leg orders (symbol and side)', 422, 40010001, 'rejected');
      const qty = Number(order.qty);
      if (!Number.isSafeInteger(qty) || qty <= 0) throw new VenueError(`qty must be a positive whole number, got ${JSON.stringify(order.qty)}`, 422, 40010001, 'rejected');
      if (order.type !== 'market' && order.type !== 'limit' && order.type !== 'stop_limit') throw new VenueError(`order type ${order.type} is not supported by the replay matcher`, 422, 40010001, 'rejected');
      const type: SimOrderType = order.type;
      const limitCents = order.limitPrice !== undefined ? toCents(order.limitPrice, 'limit_price') : null;
      const stopCents = order.stopPrice !== undefined ? toCents(order.stopPrice, 'stop_price') : null;
      return venueOrderOf(this.broker.place({ symbol: order.symbol, qty, side: order.side, type, time_in_force: order.timeInForce, limitCents, stopCents, client_order_id: order.clientOrderId }, this.v.quoteValues(order.symbol)));
    });
  }

  replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    return this.call(() => {
      const current = this.broker.get(orderId);
      const p: { qty?: number; limitCents?: number | null; stopCents?: number; clientOrderId?: string } = {};
      if (patch.qty !== undefined) p.qty = Number(patch.qty);
      if (patch.limitPrice !== undefined) p.limitCents = toCents(patch.limitPrice, 'limit_price');
      if (patch.stopPrice !== undefined) p.stopCents = toCents(patch.stopPrice, 'stop_price');
      if (patch.clientOrderId !== undefined) p.clientOrderId = patch.clientOrderId;
      return venueOrderOf(this.broker.replace(orderId, p, current ? this.v.quoteValues(current.symbol) : null));
    });
  }

  cancelOrder(orderId: string): Promise<void> {
    return this.call(() => this.broker.cancel(orderId));
  }

  orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    const o = this.broker.byClientOrderId(clientOrderId);
    return Promise.resolve(o ? venueOrderOf(o) : null);
  }

  openOrders(): Promise<VenueOrder[]> {
    return Promise.resolve(this.broker.list('open').map(venueOrderOf));
  }

  orders(query: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' } = {}): Promise<VenueOrder[]> {
    let list = this.broker.list(query.status ?? 'open');
    if (query.after) {
      const after = Date.parse(query.after);
      list = list.filter((o) => Date.parse(o.submitted_at) > after);
    }
    if (query.direction === 'asc') list = list.reverse();
    return Promise.resolve(list.slice(0, query.limit ?? 500).map(venueOrderOf));
  }

  positions(): Promise<VenuePosition[]> {
    return Promise.resolve(
      this.broker.positionList((s) => this.v.quoteValues(s)).map((p) => ({
        symbol: p.symbol!,
        assetClass: p.asset_class!,
        qty: p.qty!.replace(/^-/, ''),
        side: p.side === 'short' ? 'short' : 'long',
        avgEntryPrice: p.avg_entry_price!.replace(/^-/, ''),
        marketValue: p.market_value ?? null,
        costBasis: p.cost_basis ?? null,
        unrealizedPl: p.unrealized_pl ?? null,
        currentPrice: p.current_price ?? null,
      })),
    );
  }

  account(): Promise<VenueAccount> {
    const a = this.broker.account((s) => this.v.quoteValues(s));
    return Promise.resolve({ id: String(a.id), status: String(a.status), currency: String(a.currency), cash: String(a.cash), equity: String(a.equity), buyingPower: String(a.buying_power), optionsBuyingPower: String(a.options_buying_power), optionsTradingLevel: Number(a.options_trading_level) });
  }
}
