/**
 * The market-data port (NautilusTrader's "data client"): one per market-data source, shared by
 * every account that reads that source. Quotes and trades in, subscriptions out, latest quotes over
 * REST, option chains when the venue has them, and the health of the data channels.
 *
 * `name` is the venue *instance* name: the venue part of every InstrumentId this source produces
 * (two simulated venues are 'sim' and 'sim2'), not merely its kind.
 *
 * Execution (orders, positions, account, session) is the other port: ./execution.ts.
 */
import type { Quote, QuoteTick, TradeTick } from '../market/quote';
import type { StreamHealth } from '../market/stream-health';
import type { Instrument } from '../model/instrument';
import type { VenueKind } from './venue';

export interface MarketDataListeners {
  quote(tick: QuoteTick): void;
  trade(tick: TradeTick): void;
  /** A data channel's health changed (state, error, refused symbols). */
  health(health: StreamHealth): void;
  /** A data channel caught up after a gap (reconnect). */
  resync(stream: string): void;
}

/** Where a greek came from and how old it is: the venue's own figure, or none (unknown is never zero). */
export interface GreeksSource {
  source: 'venue';
  /** When the venue computed / sent them (epoch ms); null when it does not say. */
  asOf: number | null;
}

export interface OptionChainContract {
  /** The venue's symbol of the contract. */
  symbol: string;
  /** Expiry date in the exchange's zone (YYYY-MM-DD). */
  expiry: string;
  /** The exact expiry instant (epoch ms). */
  expiresAt: number;
  strike: number;
  right: 'call' | 'put';
  /** Decimal strings of the venue's numbers; null = the venue gave none (or an implausible one: delta outside [-1, 1], a negative IV). */
  delta: string | null;
  gamma: string | null;
  theta: string | null;
  vega: string | null;
  rho: string | null;
  impliedVolatility: string | null;
  /** null when the venue sent no delta. */
  greeks: GreeksSource | null;
  quote: Quote | null;
}

export interface OptionChain {
  underlying: string;
  contracts: OptionChainContract[];
  receivedAt: number;
}

/** Narrows a chain request (the venue's filters; all optional). Dates YYYY-MM-DD. */
export interface OptionChainFilter {
  right?: 'call' | 'put';
  expiration?: string;
  expirationGte?: string;
  expirationLte?: string;
  strikeGte?: number;
  strikeLte?: number;
}

/** The venue (or this adapter) does not offer the asked capability; `capability` names it. */
export class NotSupportedError extends Error {
  constructor(
    readonly venue: string,
    readonly capability: string,
    detail: string,
  ) {
    super(`venue ${venue} does not support ${capability}: ${detail}`);
    this.name = 'NotSupportedError';
  }
}

export interface MarketDataPort {
  /** The venue instance name (the venue part of its InstrumentIds). */
  readonly name: string;
  readonly kind: VenueKind;
  /** Connects the data channels. Idempotent. Nothing touches the network before this. */
  start(): Promise<void>;
  /** Closes the data channels. Idempotent. */
  stop(): Promise<void>;
  /** Subscription deltas (venue symbols); the adapter keeps the registry and replays it after every reconnect. */
  subscribe(symbols: readonly string[]): void;
  unsubscribe(symbols: readonly string[]): void;
  subscribedSymbols(): string[];
  /** Registers listeners (any subset); returns the unregister function. */
  listen(listeners: Partial<MarketDataListeners>): () => void;
  /** Latest quotes over REST; with `trades`, the latest trade prices too (`last`; otherwise null = not asked). */
  latestQuotes(symbols: readonly string[], opts?: { trades?: boolean }): Promise<Quote[]>;
  /** Which option contracts the venue lists (active / inactive) or does not know (unknown). */
  optionContractStatus(symbols: readonly string[]): Promise<Map<string, 'active' | 'inactive' | 'unknown'>>;
  /** The option chain of `underlying` (narrowed by `filter`) with greeks and their source/age; rejects with NotSupportedError where the venue has none. */
  optionChain(underlying: string, filter?: OptionChainFilter): Promise<OptionChain>;
  /** The data channels' health (stocks, options…). */
  health(): StreamHealth[];
  /**
   * The venue's own instrument for one of its symbols — multiplier (100 for US options, the lot size
   * for NSE where quantities are lots, the contract value for Delta), tick size, currency — from what
   * the adapter already holds (Alpaca: the OCC reading of the symbol; SmartAPI: its instrument master;
   * Delta: its products). Synchronous; null when the venue does not know the symbol (never a guess).
   */
  instrument(symbol: string): Instrument | null;
}
