/**
 * The two venue ports over one Alpaca connection (AlpacaVenue): the market-data port reads the
 * stocks/options streams and the data REST; the execution port of the account owns trade_updates
 * and the trading REST. They share the connection (its sockets and REST client); the connection
 * starts when the first port starts and stops when both have stopped.
 *
 * The simulated venue speaks Alpaca's protocol, so `sim` accounts use these ports too.
 */
import type { StreamHealth } from '../../../core/market/stream-health';
import type { AccountId } from '../../../core/model/ids';
import type { ExecutionListeners, ExecutionPort, ReauthCredentials, RestChannelHealth } from '../../../core/ports/execution';
import type { MarketDataListeners, MarketDataPort, OptionChain, OptionChainFilter } from '../../../core/ports/market-data';
import type { Quote } from '../../../core/market/quote';
import type { OrderReplace, OrderRequest, VenueAccount, VenueKind, VenueMode, VenueOrder, VenuePosition, VenueSessionState } from '../../../core/ports/venue';
import type { AlpacaVenue } from './venue';
import { SharedConnection, executionShare, marketDataShare } from '../../stream/shared-connection';
import type { Instrument } from '../../../core/model/instrument';
import { alpacaInstrument } from '../../../core/model/alpaca-symbols';

const DATA_STREAMS: ReadonlySet<string> = new Set(['stocks', 'options']);
const isData = (h: { name: string }) => DATA_STREAMS.has(h.name);
const isDataChannel = (name: string) => DATA_STREAMS.has(name);
type SharedAlpaca = SharedConnection<AlpacaVenue>;

export class AlpacaMarketData implements MarketDataPort {
  readonly name: string;

  constructor(
    private readonly shared: SharedAlpaca,
    readonly kind: VenueKind,
  ) {
    this.name = shared.venue.name;
  }

  private get venue(): AlpacaVenue {
    return this.shared.venue;
  }

  /** Alpaca's symbols say what they are: a compact OCC option (multiplier 100), a stock, a crypto pair. */
  instrument(symbol: string): Instrument | null {
    try {
      return alpacaInstrument(symbol);
    } catch {
      return null;
    }
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

  latestQuotes(symbols: readonly string[], opts?: { trades?: boolean }): Promise<Quote[]> {
    return this.venue.latestQuotes(symbols, opts);
  }

  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>> {
    return this.venue.optionContractStatus(symbols);
  }

  /**
   * The chain with the venue's greeks (GET /v1beta1/options/snapshots/{underlying}; alpaca.md §4.1):
   * greeks and implied volatility come on the OPRA feed (the indicative feed may send none — each
   * contract then has `greeks: null`); the simulated venue sends its own Black-Scholes greeks.
   */
  optionChain(underlying: string, filter?: OptionChainFilter): Promise<OptionChain> {
    return this.venue.optionChain(underlying, filter);
  }

  health(): StreamHealth[] {
    return this.venue.health().filter(isData);
  }
}

export class AlpacaExecution implements ExecutionPort {
  readonly venue: string;
  readonly mode: VenueMode;

  constructor(
    private readonly shared: SharedAlpaca,
    readonly accountId: AccountId,
    readonly kind: VenueKind,
  ) {
    this.venue = shared.venue.name;
    this.mode = shared.venue.mode;
  }

  private get conn(): AlpacaVenue {
    return this.shared.venue;
  }

  start(): Promise<void> {
    return this.shared.start('execution');
  }

  stop(): Promise<void> {
    return this.shared.stop('execution');
  }

  /** Alpaca's session is the connection's: re-authentication restarts every stream (data ones too). */
  reauthenticate(credentials?: ReauthCredentials): Promise<void> {
    return this.conn.reauthenticate(credentials);
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
    return this.conn.orders({ status: 'open' });
  }

  orders(query?: { status?: 'open' | 'closed' | 'all'; limit?: number; after?: string; direction?: 'asc' | 'desc' }): Promise<VenueOrder[]> {
    return this.conn.orders(query);
  }

  positions(): Promise<VenuePosition[]> {
    return this.conn.positions();
  }

  account(): Promise<VenueAccount> {
    return this.conn.account();
  }
}

/** Both ports over one connection, and how to release it (sockets, REST client) for good. */
export function alpacaPorts(venue: AlpacaVenue, accountId: AccountId, kind: VenueKind): { marketData: AlpacaMarketData; execution: AlpacaExecution; dispose: () => Promise<void> } {
  const shared = new SharedConnection(venue);
  return { marketData: new AlpacaMarketData(shared, kind), execution: new AlpacaExecution(shared, accountId, kind), dispose: () => venue.dispose() };
}
