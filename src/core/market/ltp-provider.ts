import type { Cancel, Clock, Scheduler } from '../ports/clock';
import type { Quote } from './quote';
import { bookTimeOf, lastTimeOf } from './mark';
import type { QuoteCache } from './quote-cache';
import type { InstrumentId } from '../model/ids';

/** What a consumer gets back: the quote, and an honest statement of how fresh it is. */
export interface FreshQuote {
  instrument: InstrumentId;
  /** The best quote known (possibly stale), or null when none exists at all. */
  quote: Quote | null;
  /** True when `quote` is within the venue's stale threshold. */
  fresh: boolean;
  /** `cache`: answered from the stream-fed cache; `rest`: after a REST refresh. */
  source: 'cache' | 'rest';
  /** Why the quote is not fresh (rate limited, REST failed, venue had none...), null when fresh. */
  reason: string | null;
}

/** One REST call for these instruments; each quote returned carries its `instrument` (the venue adapter maps ids to its symbols). */
export type FetchLatest = (instruments: InstrumentId[]) => Promise<Quote[]>;

export interface LtpProviderOptions {
  cache: QuoteCache;
  clock: Clock & Scheduler;
  /** One REST call for a batch of symbols (the venue adapter chunks to its own per-request limit). */
  fetchLatest: FetchLatest;
  /** Token bucket: sustained refresh calls per minute (default 60, well under Alpaca's 200/min). */
  refreshesPerMinute?: number;
  /** Token bucket capacity (default 5). */
  burst?: number;
  /** Requests arriving within this window share one REST call (default 25 ms). */
  batchWindowMs?: number;
  /** A symbol is not refreshed again within this interval even if still stale (default 2000 ms); a function is read at each request (e.g. tied to a live stale threshold). */
  minSymbolIntervalMs?: number | (() => number);
}

interface Waiter {
  resolve: (r: FreshQuote) => void;
}

/**
 * The LTP provider monitors and strategies call: cache first; when the cached quote is stale or
 * missing, one shared, rate-limited REST refresh (never one per consumer), recorded on the cache.
 */
export class LtpProvider {
  private readonly cache: QuoteCache;
  private readonly clock: Clock & Scheduler;
  private readonly fetchLatest: FetchLatest;
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly batchWindowMs: number;
  private readonly minSymbolInterval: () => number;
  private tokens: number;
  private tokensAt: number;
  /** Symbols waiting for the next batch, with their callers. */
  private pending = new Map<InstrumentId, Waiter[]>();
  /** Symbols whose refresh is on the wire, with callers who joined it. */
  private inFlight = new Map<InstrumentId, Waiter[]>();
  private readonly lastRefreshAt = new Map<InstrumentId, number>();
  private timer: Cancel | null = null;
  private disposed = false;

  constructor(opts: LtpProviderOptions) {
    this.cache = opts.cache;
    this.clock = opts.clock;
    this.fetchLatest = opts.fetchLatest;
    this.ratePerMs = (opts.refreshesPerMinute ?? 60) / 60_000;
    this.burst = opts.burst ?? 5;
    this.batchWindowMs = opts.batchWindowMs ?? 25;
    const min = opts.minSymbolIntervalMs ?? 2000;
    this.minSymbolInterval = typeof min === 'function' ? min : () => min;
    this.tokens = this.burst;
    this.tokensAt = this.clock.now();
  }

  /**
   * The freshest quote for `symbol`: from the cache when fresh, otherwise after a shared REST refresh.
   * `maxAgeMs` (default: the cache's stale threshold) lets a caller refresh a quote that is about to
   * go stale, so the REST price lands before the threshold rather than after it.
   */
  getFresh(symbol: InstrumentId, maxAgeMs: number = this.cache.staleAfterMs): Promise<FreshQuote> {
    const cached = this.cache.get(symbol) ?? null;
    const age = this.cache.ageMs(symbol);
    if (cached && age !== null && age <= Math.min(maxAgeMs, this.cache.staleAfterMs)) {
      this.cache.stats.freshHits++;
      return Promise.resolve({ instrument: symbol, quote: cached, fresh: true, source: 'cache', reason: null });
    }
    if (this.disposed) return Promise.resolve(this.stale(symbol, 'the LTP provider is stopped'));
    const joined = this.inFlight.get(symbol) ?? this.pending.get(symbol);
    if (joined) {
      this.cache.stats.joinedRefreshes++;
      return new Promise((resolve) => joined.push({ resolve }));
    }
    const last = this.lastRefreshAt.get(symbol);
    const minInterval = this.minSymbolInterval();
    if (last !== undefined && this.clock.now() - last < minInterval) {
      // The venue was asked moments ago and had nothing fresher: asking again would only burn quota.
      this.cache.stats.rateLimited++;
      return Promise.resolve(this.stale(symbol, `refreshed ${this.clock.now() - last} ms ago; next refresh after ${minInterval} ms`));
    }
    return new Promise((resolve) => {
      this.pending.set(symbol, [{ resolve }]);
      this.schedule();
    });
  }

  /** Symbols queued or on the wire (for health displays and tests). */
  get outstanding(): number {
    return this.pending.size + this.inFlight.size;
  }

  /** Cancels the batch timer and answers every waiting caller with its stale quote. */
  dispose(): void {
    this.disposed = true;
    this.timer?.();
    this.timer = null;
    for (const map of [this.pending, this.inFlight]) {
      for (const [symbol, waiters] of map) for (const w of waiters) w.resolve(this.stale(symbol, 'the LTP provider is stopped'));
      map.clear();
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.disposed) return;
    this.refill();
    const waitForToken = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.ratePerMs);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, Math.max(this.batchWindowMs, waitForToken));
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.tokensAt) * this.ratePerMs);
    this.tokensAt = now;
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0 || this.disposed) return;
    this.refill();
    if (this.tokens < 1) {
      this.cache.stats.rateLimited++;
      this.schedule();
      return;
    }
    this.tokens -= 1;
    const batch = this.pending;
    this.pending = new Map();
    for (const [s, w] of batch) this.inFlight.set(s, w);
    const symbols = [...batch.keys()];
    const startedAt = this.clock.now();
    let error: string | null = null;
    let received = 0;
    try {
      const quotes = await this.fetchLatest(symbols);
      if (this.disposed) return;
      const now = this.clock.now();
      for (const q of quotes) {
        if (!batch.has(q.instrument)) continue;
        const current = this.cache.get(q.instrument);
        // Never overwrite a stream quote that arrived while the REST call was on the wire.
        if (current && current.receivedAt > startedAt) continue;
        this.cache.put(mergeRest(current, q, now));
        received++;
      }
    } catch (err) {
      if (this.disposed) return;
      error = err instanceof Error ? err.message : String(err);
    }
    const now = this.clock.now();
    for (const s of symbols) this.lastRefreshAt.set(s, now);
    this.cache.record(
      error === null
        ? { kind: 'rest_refresh', at: now, symbols, received, ok: true, durationMs: now - startedAt }
        : { kind: 'rest_refresh', at: now, symbols, received: 0, ok: false, durationMs: now - startedAt, error },
    );
    for (const s of symbols) {
      const waiters = this.inFlight.get(s) ?? [];
      this.inFlight.delete(s);
      const quote = this.cache.get(s) ?? null;
      const fresh = quote !== null && !this.cache.isStale(s);
      const reason = fresh ? null : error !== null ? `REST refresh failed: ${error}` : quote === null ? 'the venue has no quote for this symbol' : 'the venue had nothing fresher';
      for (const w of waiters) w.resolve({ instrument: s, quote, fresh, source: 'rest', reason });
    }
    if (this.pending.size > 0) this.schedule();
  }

  private stale(symbol: InstrumentId, reason: string): FreshQuote {
    return { instrument: symbol, quote: this.cache.get(symbol) ?? null, fresh: false, source: 'cache', reason };
  }
}

/**
 * A REST quote merged over the cached one. What REST did not give is unknown, not gone: a quote
 * without a last trade (the latest-quotes call has none unless trades were asked for) keeps the
 * cached last and its own receive time, and one without a book keeps the cached book and its time —
 * so under the `last` policy a refresh never turns a known price into `no_last`, and a stale part
 * stays as old as it is (never made fresh by the part REST did give).
 */
export function mergeRest(current: Quote | undefined, q: Quote, now: number): Quote {
  const hasBook = q.bid !== null || q.ask !== null;
  const hasLast = q.last !== null;
  return {
    instrument: q.instrument,
    symbol: q.symbol,
    bid: hasBook ? q.bid : (current?.bid ?? null),
    ask: hasBook ? q.ask : (current?.ask ?? null),
    last: hasLast ? q.last : (current?.last ?? null),
    bidSize: hasBook ? q.bidSize : (current?.bidSize ?? null),
    askSize: hasBook ? q.askSize : (current?.askSize ?? null),
    exchangeTime: q.exchangeTime ?? current?.exchangeTime ?? null,
    receivedAt: now,
    bookReceivedAt: hasBook ? now : current ? bookTimeOf(current) : null,
    lastReceivedAt: hasLast ? now : current ? lastTimeOf(current) : null,
    source: 'rest',
  };
}
