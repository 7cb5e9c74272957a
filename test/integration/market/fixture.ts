import { SimVenueServer, SIM_CREDENTIALS, type SimServerOptions } from '../../../src/node/venues/sim/server';
import { AlpacaVenue, type AlpacaVenueConfig } from '../../../src/node/venues/alpaca/venue';
import { SystemClock } from '../../../src/node/system-clock';
import { SeededRandom } from '../../../src/core/model/random';
import type { QuoteTick, TradeTick } from '../../../src/core/market/quote';
import type { OrderUpdate } from '../../../src/core/ports/venue';
import type { StreamHealth } from '../../../src/core/market/stream-health';

/** Polls `pred` until true; fails naming `what` after `timeoutMs`. (A bounded wait for a condition, not a sleep.) */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - t0;
}

/** Fast timings so fault tests run in milliseconds, not minutes. */
export const FAST = {
  backoff: { baseMs: 20, capMs: 200 },
  dataTimeoutMs: 400,
  handshakeTimeoutMs: 2000,
  pingIntervalMs: 0,
  connectionLimitWindowMs: 600,
  closeTimeoutMs: 200,
} as const;

export interface Rig {
  sim: SimVenueServer;
  venue: AlpacaVenue;
  quotes: QuoteTick[];
  trades: TradeTick[];
  orders: OrderUpdate[];
  health: StreamHealth[];
  resyncs: string[];
  sessions: string[];
  /** Quotes received after `since` for `symbol`. */
  fresh(symbol: string, since: number): boolean;
  stream(name: 'stocks' | 'options' | 'trade_updates'): StreamHealth;
  close(): Promise<void>;
}

export async function rig(opts: { sim?: Partial<SimServerOptions>; venue?: Partial<AlpacaVenueConfig>; symbols?: string[] } = {}): Promise<Rig> {
  const clock = new SystemClock();
  const sim = new SimVenueServer({ seed: 7, clock, intervalMs: 25, ...opts.sim });
  const urls = await sim.start();
  const rng = new SeededRandom(99);
  const venue = new AlpacaVenue(
    {
      mode: 'SIM',
      credentials: SIM_CREDENTIALS,
      urls,
      stockFeed: 'iex',
      optionFeed: 'indicative',
      tuning: FAST,
      tradeUpdatesTuning: { ...FAST, dataTimeoutMs: 0 },
      ...opts.venue,
    },
    { clock, random: () => rng.next() },
  );
  const r: Rig = {
    sim,
    venue,
    quotes: [],
    trades: [],
    orders: [],
    health: [],
    resyncs: [],
    sessions: [],
    fresh: (symbol, since) => r.quotes.some((q) => q.symbol === symbol && q.receivedAt > since),
    stream: (name) => venue.health().find((h) => h.name === name)!,
    close: async () => {
      await venue.dispose();
      await sim.stop();
    },
  };
  venue.listen({
    quote: (q) => r.quotes.push(q),
    trade: (t) => r.trades.push(t),
    orderUpdate: (u) => r.orders.push(u),
    health: (h) => r.health.push(h),
    resync: (s) => r.resyncs.push(s),
    session: (s) => r.sessions.push(s),
  });
  venue.subscribe(opts.symbols ?? ['SPY', 'AAPL', 'SPY261218C00600000', 'AAPL261218P00220000']);
  await venue.start();
  return r;
}

/** Resources that would keep a process alive (sockets, servers, timers), by type. */
export function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of process.getActiveResourcesInfo()) if (/TCP|Timeout|Immediate/.test(t)) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}

export function handleTotal(): number {
  return Object.values(liveHandles()).reduce((a, b) => a + b, 0);
}
