/**
 * The backend's live-portfolio plane wired exactly as the desk wires it (quote cache → tracker and
 * coalesced ticks; events stamped with a seq), without a venue: tests put quotes and fills in by
 * hand under a ManualClock.
 */
import { ManualClock } from '../../src/core/ports/clock';
import { silentLogger } from '../../src/core/ports/logger';
import { QuoteCache } from '../../src/core/market/quote-cache';
import type { Quote } from '../../src/core/market/quote';
import { LivePortfolio, toQuoteWire, type LivePortfolioDeps } from '../../src/node/live-portfolio';
import { PROTOCOL_VERSION, type DeskEvent, type DeskSnapshot } from '../../src/shared/contract';
import { DeskEventBus } from '../../src/node/app/event-bus';
import { sim } from './ids';

export class LiveHarness {
  readonly clock: ManualClock;
  readonly cache: QuoteCache;
  readonly live: LivePortfolio;
  readonly events: DeskEvent[] = [];
  streaming = true;
  readonly bus = new DeskEventBus(silentLogger);

  constructor(startMs = Date.UTC(2026, 10, 20, 15), over: Partial<LivePortfolioDeps> = {}) {
    this.clock = new ManualClock(startMs);
    this.cache = new QuoteCache(this.clock);
    this.bus.subscribe((e) => this.events.push(e));
    this.live = new LivePortfolio({
      clock: this.clock,
      logger: silentLogger,
      quotes: this.cache,
      venue: 'sim',
      streamer: () => ({ state: this.streaming ? 'running' : 'stopped', streaming: this.streaming }),
      events: this.bus,
      tickCoalesceMs: 50,
      ...over,
    });
    this.cache.onQuote((q) => {
      if (this.streaming) this.live.quote(q);
    });
  }

  /** A quote at the harness's venue (`sim`) unless it names its instrument. */
  quote(q: Omit<Quote, 'instrument' | 'receivedAt' | 'bidSize' | 'askSize' | 'exchangeTime'> & Partial<Quote>): void {
    this.cache.put({ instrument: sim(q.symbol), bidSize: 1, askSize: 1, exchangeTime: this.clock.now(), receivedAt: this.clock.now(), ...q });
  }

  snapshot(): DeskSnapshot {
    return {
      serverTime: this.clock.now(),
      protocol: PROTOCOL_VERSION,
      venue: 'sim',
      mode: 'SIM',
      streaming: this.streaming,
      quotes: this.cache.all().map(toQuoteWire),
      streams: [],
      ...this.live.snapshotParts(),
    };
  }

  snapshotEvent(): DeskEvent {
    return { type: 'snapshot', seq: this.bus.lastSeq, serverTime: this.clock.now(), snapshot: this.snapshot() };
  }

  get lastSeq(): number {
    return this.bus.lastSeq;
  }
}
