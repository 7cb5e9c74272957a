/**
 * The port every broker adapter (and the simulated venue, through the Alpaca adapter) implements.
 * Core code depends on this interface only; concrete venues live in src/node/venues.
 *
 * Decimal quantities and prices on the trading side are strings exactly as the venue sent them
 * (Alpaca sends strings), so nothing is rounded before the exact-money code converts them.
 */
import type { Quote, QuoteTick, TradeTick } from '../market/quote';
import type { StreamHealth } from '../market/stream-health';
import type { VenueMode } from '../model/venue-mode';
import type { OrderSide } from '../orders/types';

export type { OrderSide, VenueMode };

/** `session_needed`: the venue rejected our session/credentials after they had worked (spec §3). */
export type VenueSessionState = 'not_started' | 'active' | 'session_needed';

/** Order types a venue may know (the desk itself places only orders/types.ts OrderType). */
export type VenueOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok' | 'opg' | 'cls';

export interface OrderLegRequest {
  symbol: string;
  ratioQty: string;
  side: OrderSide;
  positionIntent?: 'buy_to_open' | 'buy_to_close' | 'sell_to_open' | 'sell_to_close';
}

export interface OrderRequest {
  /** Idempotency key: written to the ledger before the order is sent (spec §8). */
  clientOrderId: string;
  symbol?: string;
  qty: string;
  side?: OrderSide;
  type: VenueOrderType;
  timeInForce: TimeInForce;
  limitPrice?: string;
  stopPrice?: string;
  orderClass?: 'simple' | 'mleg';
  legs?: OrderLegRequest[];
}

export interface OrderReplace {
  qty?: string;
  limitPrice?: string;
  stopPrice?: string;
  timeInForce?: TimeInForce;
  clientOrderId?: string;
}

/** The status as the venue reports it (Alpaca's spelling, open-ended); the desk's own is orders/types.ts OrderStatus. */
export type VenueOrderStatus =
  | 'new'
  | 'accepted'
  | 'pending_new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'rejected'
  | 'pending_cancel'
  | 'pending_replace'
  | 'done_for_day'
  | 'stopped'
  | 'suspended'
  | 'calculated'
  | string;

export interface VenueOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide | '';
  type: string;
  orderClass: string;
  timeInForce: string;
  qty: string | null;
  filledQty: string;
  filledAvgPrice: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  status: VenueOrderStatus;
  createdAt: string | null;
  updatedAt: string | null;
  legs: VenueOrder[];
}

export interface VenuePosition {
  symbol: string;
  assetClass: string;
  /** Absolute quantity; `side` is authoritative for direction (see alpaca.md pitfall 14). */
  qty: string;
  side: 'long' | 'short';
  avgEntryPrice: string;
  marketValue: string | null;
  costBasis: string | null;
  unrealizedPl: string | null;
  currentPrice: string | null;
}

export interface VenueAccount {
  id: string;
  status: string;
  currency: string;
  cash: string;
  equity: string;
  buyingPower: string;
  optionsBuyingPower: string | null;
  optionsTradingLevel: number | null;
}

/** A trade_updates event normalized: `price`/`qty` are this execution's, not the order average. */
export interface OrderUpdate {
  event: string;
  order: VenueOrder;
  executionId: string | null;
  price: string | null;
  qty: string | null;
  positionQty: string | null;
  /** Venue timestamp (epoch ms) when present. */
  timestamp: number | null;
  receivedAt: number;
}

export interface VenueListeners {
  quote(tick: QuoteTick): void;
  trade(tick: TradeTick): void;
  orderUpdate(update: OrderUpdate): void;
  /** Any stream's health changed (state, error, refused symbols). */
  health(health: StreamHealth): void;
  /** Streams just caught up after a gap (reconnect): consumers resync orders/positions via REST. */
  resync(stream: string): void;
  session(state: VenueSessionState, reason: string | null): void;
}

/** Errors from venue REST calls carry the HTTP status and the venue's own code. */
export class VenueError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: number | null = null,
    readonly kind: 'session' | 'rate_limited' | 'rejected' | 'not_found' | 'network' | 'server' | 'invalid_response' = 'rejected',
  ) {
    super(message);
    this.name = 'VenueError';
  }
}

export interface Venue {
  readonly name: string;
  readonly mode: VenueMode;
  /** Connects and authenticates every stream. Idempotent. Nothing touches the network before this. */
  start(): Promise<void>;
  /** Closes every socket and timer. Idempotent. */
  stop(): Promise<void>;
  /** After `session_needed`: re-authenticate (e.g. with fresh credentials) and restart the streams. */
  reauthenticate(credentials?: { keyId: string; secretKey: string }): Promise<void>;
  /** Subscription deltas; the adapter keeps the registry and replays it after every reconnect. */
  subscribe(symbols: readonly string[]): void;
  unsubscribe(symbols: readonly string[]): void;
  subscribedSymbols(): string[];
  /** Registers event listeners (any subset); returns the unregister function. */
  listen(listeners: Partial<VenueListeners>): () => void;
  health(): StreamHealth[];
  sessionState(): VenueSessionState;

  /** Latest quotes; with `trades`, the latest trade prices too (`last`; otherwise null = not asked). */
  latestQuotes(symbols: readonly string[], opts?: { trades?: boolean }): Promise<Quote[]>;
  positions(): Promise<VenuePosition[]>;
  orders(query?: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string }): Promise<VenueOrder[]>;
  account(): Promise<VenueAccount>;
  placeOrder(order: OrderRequest): Promise<VenueOrder>;
  replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder>;
  cancelOrder(orderId: string): Promise<void>;
}
