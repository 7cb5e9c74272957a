/**
 * One venue connection serving both ports (market data and execution), as Alpaca's, SmartAPI's and
 * Delta's adapters do: started with its first user, stopped with its last; and each port's view of the
 * connection's listeners (the data channels' health and resyncs to market data, the others to execution).
 */
import type { ExecutionListeners } from '../../core/ports/execution';
import type { MarketDataListeners } from '../../core/ports/market-data';
import type { StreamHealth } from '../../core/market/stream-health';

/** Starts the shared connection with its first user, stops it with its last. */
export class SharedConnection<V extends { start(): Promise<void>; stop(): Promise<void> }> {
  private readonly users = new Set<string>();
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(readonly venue: V) {}

  start(user: string): Promise<void> {
    const first = this.users.size === 0;
    this.users.add(user);
    if (first) this.lifecycle = this.lifecycle.catch(() => undefined).then(() => this.venue.start());
    return this.lifecycle;
  }

  stop(user: string): Promise<void> {
    if (!this.users.delete(user) || this.users.size > 0) return this.lifecycle;
    // a start that failed still stops (releases what it opened)
    this.lifecycle = this.lifecycle.catch(() => undefined).then(() => this.venue.stop());
    return this.lifecycle;
  }
}

/** The market-data port's share of the connection's listeners: quotes, trades, the data channels' health and resyncs. */
export function marketDataShare(l: Partial<MarketDataListeners>, isDataChannel: (name: string) => boolean): Partial<MarketDataListeners> {
  return {
    ...(l.quote ? { quote: l.quote } : {}),
    ...(l.trade ? { trade: l.trade } : {}),
    ...(l.health ? { health: (h: StreamHealth) => (isDataChannel(h.name) ? l.health!(h) : undefined) } : {}),
    ...(l.resync ? { resync: (stream: string) => (isDataChannel(stream) ? l.resync!(stream) : undefined) } : {}),
  };
}

/** The execution port's share: order updates, the session, the other channels' health and resyncs. */
export function executionShare(l: Partial<ExecutionListeners>, isDataChannel: (name: string) => boolean): Partial<ExecutionListeners> {
  return {
    ...(l.orderUpdate ? { orderUpdate: l.orderUpdate } : {}),
    ...(l.session ? { session: l.session } : {}),
    ...(l.health ? { health: (h: StreamHealth) => (isDataChannel(h.name) ? undefined : l.health!(h)) } : {}),
    ...(l.resync ? { resync: (stream: string) => (isDataChannel(stream) ? undefined : l.resync!(stream)) } : {}),
  };
}
