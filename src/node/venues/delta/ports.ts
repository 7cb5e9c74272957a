/**
 * The two venue ports over one Delta connection (DeltaVenue): the market-data port reads the public
 * socket, the REST tickers and the products; the execution port owns the private socket and the
 * signed REST. The connection starts with the first port and stops with the last.
 */
import type { StreamHealth } from '../../../core/market/stream-health';
import type { Quote } from '../../../core/market/quote';
import type { Instrument } from '../../../core/model/instrument';
import type { AccountId } from '../../../core/model/ids';
import type { ExecutionListeners, ExecutionPort, ReauthCredentials, RestChannelHealth } from '../../../core/ports/execution';
import type { MarketDataListeners, MarketDataPort, OptionChain, OptionChainFilter } from '../../../core/ports/market-data';
import type { OrderReplace, OrderRequest, VenueAccount, VenueKind, VenueMode, VenueOrder, VenuePosition, VenueSessionState } from '../../../core/ports/venue';
import type { DeltaVenue } from './venue';
import { SharedConnection, executionShare, marketDataShare } from '../../stream/shared-connection';

const isData = (h: { name: string }) => h.name === 'options';
const isDataChannel = (name: string) => name === 'options';
type SharedDelta = SharedConnection<DeltaVenue>;

export class DeltaMarketData implements MarketDataPort {
  readonly name: string;

  constructor(
    private readonly shared: SharedDelta,
    readonly kind: VenueKind,
  ) {
    this.name = shared.venue.name;
  }

  get venue(): DeltaVenue {
    return this.shared.venue;
  }

  start(): Promise<void> {
    return this.shared.start('market-data');
  }

  stop(): Promise<void> {
    return this.shared.stop('market-data');
  }

  subscribe(symbols: readonly string[]): void {
    this.venue.subscribe(symbols);
  }

  unsubscribe(symbols: readonly string[]): void {
    this.venue.unsubscribe(symbols);
  }

  subscribedSymbols(): string[] {
    return this.venue.subscribedSymbols();
  }

  listen(l: Partial<MarketDataListeners>): () => void {
    return this.venue.listen(marketDataShare(l, isDataChannel));
  }

  /** Delta's REST tickers (no trade price in them: `last` stays null = unknown). */
  latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    return this.venue.latestQuotes(symbols);
  }

  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    return this.venue.optionContractStatus(symbols);
  }

  optionChain(underlying: string, filter?: OptionChainFilter): Promise<OptionChain> {
    return this.venue.optionChain(underlying, filter);
  }

  /** The product's instrument (multiplier = contract value; quantities are contracts), or null when not listed. */
  instrument(symbol: string): Instrument | null {
    return this.venue.instrument(symbol);
  }

  health(): StreamHealth[] {
    return this.venue.health().filter(isData);
  }
}

export class DeltaExecution implements ExecutionPort {
  readonly venue: string;
  readonly mode: VenueMode;

  constructor(
    private readonly shared: SharedDelta,
    readonly accountId: AccountId,
    readonly kind: VenueKind,
  ) {
    this.venue = shared.venue.name;
    this.mode = shared.venue.mode;
  }

  get conn(): DeltaVenue {
    return this.shared.venue;
  }

  start(): Promise<void> {
    return this.shared.start('execution');
  }

  stop(): Promise<void> {
    return this.shared.stop('execution');
  }

  /** `keyId`/`secretKey` of the shared form are Delta's API key and secret. */
  reauthenticate(credentials?: ReauthCredentials): Promise<void> {
    return this.conn.reauthenticate(credentials ? { apiKey: credentials.keyId, apiSecret: credentials.secretKey } : undefined);
  }

  sessionState(): VenueSessionState {
    return this.conn.sessionState();
  }

  listen(l: Partial<ExecutionListeners>): () => void {
    return this.conn.listen(executionShare(l, isDataChannel));
  }

  health(): StreamHealth[] {
    return this.conn.health().filter((h) => !isData(h));
  }

  restHealth(): RestChannelHealth {
    const c = this.conn;
    return { sessionRefused: c.restSessionRefused, lastError: c.lastRestError, lastErrorAt: c.lastRestErrorAt, lastOkAt: c.lastRestOkAt };
  }

  placeOrder(order: OrderRequest): Promise<VenueOrder> {
    return this.conn.placeOrder(order);
  }

  replaceOrder(orderId: string, patch: OrderReplace): Promise<VenueOrder> {
    return this.conn.replaceOrder(orderId, patch);
  }

  cancelOrder(orderId: string): Promise<void> {
    return this.conn.cancelOrder(orderId);
  }

  orderByClientId(clientOrderId: string): Promise<VenueOrder | null> {
    return this.conn.orderByClientId(clientOrderId);
  }

  openOrders(): Promise<VenueOrder[]> {
    return this.conn.ordersQuery({ status: 'open' });
  }

  orders(query?: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' }): Promise<VenueOrder[]> {
    return this.conn.ordersQuery(query);
  }

  positions(): Promise<VenuePosition[]> {
    return this.conn.positions();
  }

  account(): Promise<VenueAccount> {
    return this.conn.account();
  }
}

export function deltaPorts(venue: DeltaVenue, accountId: AccountId, kind: VenueKind): { marketData: DeltaMarketData; execution: DeltaExecution; dispose: () => Promise<void> } {
  const shared = new SharedConnection(venue);
  return { marketData: new DeltaMarketData(shared, kind), execution: new DeltaExecution(shared, accountId, kind), dispose: () => venue.dispose() };
}
