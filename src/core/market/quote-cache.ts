import type { Clock } from '../ports/clock';
import type { Quote, QuoteTick, TradeTick } from './quote';
import { bookTimeOf, lastTimeOf, markTimeOf, quoteMark, type MarkPolicy, type MarkSide, type QuoteMark } from './mark';
import { SubscriptionRefs, type SubscriptionDelta } from './subscriptions';
import { SymbolTable } from './symbol-table';
import type { InstrumentId } from '../model/ids';

export type QuoteListener = (quote: Quote) => void;
export type SubscriptionListener = (delta: SubscriptionDelta) => void;

/** Something the cache did that a reader may need to know about (shown in health and the event log). */
export type CacheEvent =
  | { kind: 'rest_refresh'; at: number; symbols: InstrumentId[]; received: number; ok: true; durationMs: number }
  | { kind: 'rest_refresh'; at: number; symbols: InstrumentId[]; received: 0; ok: false; durationMs: number; error: string };

export type CacheEventListener = (event: CacheEvent) => void;

export interface QuoteCacheStats {
  /** Stream updates applied (book and trade). */
  streamUpdates: number;
  /** Quotes written from REST refreshes. */
  restQuotes: number;
  /** REST refresh calls made (one per batch, however many consumers asked). */
  restRefreshes: number;
  restFailures: number;
  /** getFresh() answered from the cache without a REST call. */
  freshHits: number;
  /** getFresh() callers that joined a refresh another caller had already asked for. */
  joinedRefreshes: number;
  /** Refreshes not made because of the rate limit or the per-symbol minimum interval. */
  rateLimited: number;
  /** Quote listeners that threw (the quote was stored and the other listeners still ran). */
  listenerErrors: number;
}

export interface QuoteCacheOptions {
  /** Quotes older than this (by receive time) are stale. Default 5000 ms; set per venue. */
  staleAfterMs?: number;
  /** How positions are marked by `mark()`. Default `mid`. */
  markPolicy?: MarkPolicy;
  /** Instrument interning shared with consumers that index by `Quote.sid` (default: the cache's own). */
  symbols?: SymbolTable<InstrumentId>;
}

/**
 * The single source of prices: the latest quote per instrument (`InstrumentId`, venue + venue
 * symbol: the same symbol at two venues is two quotes), written before anything is published.
 * One cache is shared by every consumer (P&L, UI, monitor, strategy runtime); consumers ask for
 * instruments with `ensureSubscribed` and the venue sees one subscription per instrument.
 */
export class QuoteCache {
  /** Latest quote per interned instrument id (the one string lookup a quote costs on its way in). */
  private readonly byId: (Quote | undefined)[] = [];
  private count = 0;
  /** Interning of every instrument the cache has seen; quotes it stores carry their id as `sid`. */
  readonly symbols: SymbolTable<InstrumentId>;
  private readonly listeners = new Set<QuoteListener>();
  private readonly subListeners = new Set<SubscriptionListener>();
  private readonly eventListeners = new Set<CacheEventListener>();
  private readonly refs = new SubscriptionRefs<InstrumentId>();
  staleAfterMs: number;
  markPolicy: MarkPolicy;
  readonly stats: QuoteCacheStats = {
    streamUpdates: 0,
    restQuotes: 0,
    restRefreshes: 0,
    restFailures: 0,
    freshHits: 0,
    joinedRefreshes: 0,
    rateLimited: 0,
    listenerErrors: 0,
  };
  /** The message of the last listener error, for diagnostics. */
  lastListenerError: string | null = null;

  constructor(
    private readonly clock: Clock,
    options: QuoteCacheOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 5000;
    this.markPolicy = options.markPolicy ?? 'mid';
    this.symbols = options.symbols ?? new SymbolTable<InstrumentId>();
  }

  /**
   * Stores a whole quote (replacing what was there), then notifies listeners. The cache takes the
   * object as given (no copy) and stamps the instrument's id on it as `sid`.
   */
  put(quote: Quote): void {
    const id = this.symbols.intern(quote.instrument);
    if (quote.sid !== id) quote.sid = id;
    this.store(id, quote);
    if (quote.source === 'rest') this.stats.restQuotes++;
    this.notify(quote);
  }

  /** Merges a book update (keeps the last trade), then notifies listeners. */
  applyQuote(tick: QuoteTick): Quote {
    const id = this.symbols.intern(tick.instrument);
    const prev = this.byId[id];
    const q: Quote = {
      instrument: tick.instrument,
      symbol: tick.symbol,
      bid: tick.bid,
      ask: tick.ask,
      last: prev ? prev.last : null,
      bidSize: tick.bidSize,
      askSize: tick.askSize,
      exchangeTime: tick.exchangeTime,
      receivedAt: tick.receivedAt,
      bookReceivedAt: tick.receivedAt,
      lastReceivedAt: prev ? lastTimeOf(prev) : null,
      source: 'stream',
      sid: id,
    };
    this.store(id, q);
    this.stats.streamUpdates++;
    this.notify(q);
    return q;
  }

  /** Merges a trade print (keeps the book), then notifies listeners. */
  applyTrade(tick: TradeTick): Quote {
    const id = this.symbols.intern(tick.instrument);
    const prev = this.byId[id];
    const q: Quote = {
      instrument: tick.instrument,
      symbol: tick.symbol,
      bid: prev ? prev.bid : null,
      ask: prev ? prev.ask : null,
      last: tick.price,
      bidSize: prev ? prev.bidSize : null,
      askSize: prev ? prev.askSize : null,
      exchangeTime: tick.exchangeTime,
      receivedAt: tick.receivedAt,
      bookReceivedAt: prev ? bookTimeOf(prev) : null,
      lastReceivedAt: tick.receivedAt,
      source: 'stream',
      sid: id,
    };
    this.store(id, q);
    this.stats.streamUpdates++;
    this.notify(q);
    return q;
  }

  get(instrument: InstrumentId): Quote | undefined {
    const id = this.symbols.idOf(instrument);
    return id === undefined ? undefined : this.byId[id];
  }

  /**
   * Age in ms of what the symbol's mark is computed from under the cache's policy (the book for
   * mid/conservative, the last trade for last), or null when there is none. A trade print does not
   * make an old book young (spec §5).
   */
  ageMs(instrument: InstrumentId): number | null {
    const q = this.get(instrument);
    if (!q) return null;
    const at = markTimeOf(q, this.markPolicy);
    return at === null ? null : this.clock.now() - at;
  }

  /** True when there is no quote, or the part the mark needs is missing or older than the venue's threshold. */
  isStale(instrument: InstrumentId): boolean {
    const age = this.ageMs(instrument);
    return age === null || age > this.staleAfterMs;
  }

  /** The mark of a position in `instrument` under the cache's policy (or an explicit one). */
  mark(instrument: InstrumentId, side: MarkSide = 'LONG', policy: MarkPolicy = this.markPolicy): QuoteMark {
    return quoteMark(this.get(instrument), policy, side, this.clock.now(), this.staleAfterMs);
  }

  all(): Quote[] {
    const out: Quote[] = [];
    for (const q of this.byId) if (q) out.push(q);
    return out;
  }

  get size(): number {
    return this.count;
  }

  onQuote(listener: QuoteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size + this.subListeners.size + this.eventListeners.size;
  }

  /** Forgets every quote (instrument ids stay: they are never reused). */
  clear(): void {
    this.byId.fill(undefined);
    this.count = 0;
  }

  // ---------- subscriptions (one venue subscription per instrument, however many consumers) ----------

  /** `consumerId` needs these instruments; the venue is asked only for instruments nobody held before. */
  ensureSubscribed(consumerId: string, instruments: readonly InstrumentId[]): SubscriptionDelta {
    return this.publishDelta(this.refs.ensure(consumerId, instruments));
  }

  /** `consumerId` no longer needs these instruments (all of its instruments when omitted). */
  release(consumerId: string, instruments?: readonly InstrumentId[]): SubscriptionDelta {
    return this.publishDelta(this.refs.release(consumerId, instruments));
  }

  /** `consumerId` needs exactly these instruments now. */
  replaceSubscriptions(consumerId: string, instruments: readonly InstrumentId[]): SubscriptionDelta {
    return this.publishDelta(this.refs.replace(consumerId, instruments));
  }

  /** Every instrument some consumer holds (the venue side subscribes its own venue's symbols of them). */
  subscribedInstruments(): InstrumentId[] {
    return this.refs.symbols();
  }

  refCount(instrument: InstrumentId): number {
    return this.refs.refCount(instrument);
  }

  /** The venue side listens here and turns deltas into subscribe/unsubscribe messages. */
  onSubscriptionChange(listener: SubscriptionListener): () => void {
    this.subListeners.add(listener);
    return () => this.subListeners.delete(listener);
  }

  // ---------- cache events ----------

  onEvent(listener: CacheEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Records something the cache did (the LTP provider reports its REST refreshes here). */
  record(event: CacheEvent): void {
    if (event.kind === 'rest_refresh') {
      this.stats.restRefreshes++;
      if (!event.ok) this.stats.restFailures++;
    }
    for (const l of this.eventListeners) l(event);
  }

  private store(id: number, q: Quote): void {
    const byId = this.byId;
    while (byId.length <= id) byId.push(undefined);
    if (byId[id] === undefined) this.count++;
    byId[id] = q;
  }

  private publishDelta(delta: SubscriptionDelta): SubscriptionDelta {
    if (delta.added.length > 0 || delta.removed.length > 0) for (const l of this.subListeners) l(delta);
    return delta;
  }

  /** A throwing listener must not stop the others (or the stream that fed the cache): it is counted. */
  private notify(q: Quote): void {
    for (const listener of this.listeners) {
      try {
        listener(q);
      } catch (err) {
        this.stats.listenerErrors++;
        this.lastListenerError = err instanceof Error ? err.message : String(err);
      }
    }
  }
}
