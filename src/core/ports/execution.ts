/**
 * The execution port (NautilusTrader's "execution client"): one per account. Orders carry a client
 * order id (the idempotency key the ledger records before sending); order-update events, positions,
 * the account, the session state and venue-specific re-authentication are the account's own.
 *
 * Market data is the other port: ./market-data.ts. A venue registry (src/node/venues/registry.ts)
 * builds both from an account's configuration.
 */
import type { StreamHealth } from '../market/stream-health';
import type { AccountId } from '../model/ids';
import type { OrderReplace, OrderRequest, OrderUpdate, VenueAccount, VenueKind, VenueMode, VenueOrder, VenuePosition, VenueSessionState } from './venue';

export interface ExecutionListeners {
  orderUpdate(update: OrderUpdate): void;
  /** The order channel caught up after a gap: consumers resync orders/positions via REST. */
  resync(stream: string): void;
  /** An order channel's health changed. */
  health(health: StreamHealth): void;
  session(state: VenueSessionState, reason: string | null): void;
}

/** The REST channel's health: quiet by nature, judged by its calls (not by data). */
export interface RestChannelHealth {
  /** A REST call itself was refused (HTTP 401, or 403 on a trading read). */
  sessionRefused: boolean;
  lastError: string | null;
  lastErrorAt: number | null;
  /** When a REST call last succeeded. */
  lastOkAt: number | null;
}

/** Venue-specific credentials for re-authentication (Alpaca: key id + secret). */
export interface ReauthCredentials {
  keyId: string;
  secretKey: string;
}

export interface ExecutionPort {
  readonly accountId: AccountId;
  /** The venue instance name. */
  readonly venue: string;
  readonly kind: VenueKind;
  readonly mode: VenueMode;
  /** Connects the order channel. Idempotent. */
  start(): Promise<void>;
  /** Closes the order channel. Idempotent. */
  stop(): Promise<void>;
  /** After `session_needed`: re-authenticate (optionally with fresh credentials) and restart the channels. */
  reauthenticate(credentials?: ReauthCredentials): Promise<void>;
  sessionState(): VenueSessionState;
  /**
   * When the current session ends by itself (epoch ms; SmartAPI's daily JWT expiry), for the desk's
   * countdown; null without a session. Absent where sessions do not expire on a clock (API keys).
   */
  sessionExpiresAt?(): number | null;
  listen(listeners: Partial<ExecutionListeners>): () => void;
  /** The order channel's health (trade_updates…). */
  health(): StreamHealth[];
  /** The REST channel's health, or null where the venue has no REST channel. */
  restHealth(): RestChannelHealth | null;

  placeOrder(order: OrderRequest): Promise<VenueOrder>;
  replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder>;
  cancelOrder(orderId: string): Promise<void>;
  /** The order with this client order id, or null when the venue does not know it. */
  orderByClientId(clientOrderId: string): Promise<VenueOrder | null>;
  openOrders(): Promise<VenueOrder[]>;
  /**
   * Orders of the account (Alpaca GET /v2/orders): `status` open (default) / closed / all; `after`
   * (RFC 3339, exclusive) keeps orders submitted after it; `direction` by submission time (default
   * desc); `limit` default 500 here (the venue's maximum). Each carries `filledQty` / `filledAvgPrice`
   * (cumulative), which is how missed fills are found after a gap in the order channel.
   */
  orders(query?: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' }): Promise<VenueOrder[]>;
  positions(): Promise<VenuePosition[]>;
  account(): Promise<VenueAccount>;
}
