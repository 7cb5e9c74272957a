/**
 * The vocabulary both venue ports share: order requests, venue orders/positions/account, order
 * updates, session state and VenueError. The ports themselves are split the way trading engines
 * split them (NautilusTrader's data client / execution client):
 * - ./market-data.ts `MarketDataPort`: one per market-data source (shared by the accounts reading it);
 * - ./execution.ts `ExecutionPort`: one per account.
 * Core code depends on these interfaces only; concrete venues live in src/node/venues and are built
 * by src/node/venues/registry.ts from an account's configuration.
 *
 * Decimal quantities and prices on the trading side are strings exactly as the venue sent them
 * (Alpaca sends strings), so nothing is rounded before the exact-money code converts them.
 */
import type { VenueMode } from '../model/venue-mode';
import type { OrderSide } from '../orders/types';
import type { ExecutionListeners } from './execution';
import type { MarketDataListeners } from './market-data';

export type { OrderSide, VenueMode };

/**
 * Venue kinds an account can be on: one builder each in the registry. `smartapi` and `delta` accounts
 * of mode SIM talk to the embedded simulated venue's NSE / Delta face (spec §3).
 */
export type VenueKind = 'sim' | 'alpaca' | 'smartapi' | 'delta';

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

/** A connection that serves both ports (e.g. Alpaca's three streams) takes both kinds of listener. */
export type VenueListeners = MarketDataListeners & ExecutionListeners;

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
