/**
 * The event stream to the UI (issue 6, spec §7 and §14 "Tick to UI"):
 *
 * 1. Bytes: 500 open positions, 1,000 quotes/s for 60 s of simulated time (ManualClock), one fill
 *    per second. The delta stream (JSON, exactly as the WebSocket sends it) against sending a full
 *    snapshot (every position's view + totals + quotes) on every tick. Target ≥ 90% fewer bytes.
 * 2. Messages per second to the UI over the same run. Target ≤ 60.
 * 3. Tick-to-transport latency, real time in process: a quote put into the cache → the
 *    tick_update carrying it serialized and handed to the socket. It includes the coalescing
 *    window (50 ms, by design: ≤ 20 ticks/s), so it is reported end to end and as the processing
 *    part alone (timer fired → serialized).
 * 4. Ingest through cache → tracker → coalescer for the same 500 positions (the tracker must not
 *    slow the quote path).
 */
import { ManualClock, type Cancel, type Clock, type Scheduler } from '../../src/core/ports/clock';
import { silentLogger } from '../../src/core/ports/logger';
import { QuoteCache } from '../../src/core/market/quote-cache';
import { SeededRandom } from '../../src/core/model/random';
import { instrumentId } from '../../src/core/model/ids';
import { LivePortfolio, toQuoteWire } from '../../src/node/live-portfolio';
import { SystemClock } from '../../src/node/system-clock';
import { DeskEventBus } from '../../src/node/app/event-bus';
import type { DeskEvent, ServerMessage } from '../../src/shared/contract';
import { percentile, type BenchReporter } from '../harness';

const POSITIONS = 500;
const QUOTES_PER_SEC = 1000;
const SECONDS = 60;
const T0 = Date.UTC(2026, 10, 20, 14, 30);

function symbolOf(i: number): string {
  // Half stocks, half OCC options (multiplier 100), all distinct.
  if (i % 2 === 0) return `S${String(i).padStart(4, '0')}`.replace(/\d/g, (d) => 'ABCDEFGHIJ'[Number(d)]!);
  const strike = String(100_000 + i * 500).padStart(8, '0');
  return `SPY261218${i % 4 === 1 ? 'C' : 'P'}${strike}`;
}

function build(clock: Clock & Scheduler) {
  const cache = new QuoteCache(clock);
  const bus = new DeskEventBus(silentLogger);
  const listeners: ((e: DeskEvent) => void)[] = [];
  bus.subscribe((ev) => {
    for (const l of listeners) l(ev);
  });
  const live = new LivePortfolio({
    clock,
    logger: silentLogger,
    quotes: cache,
    venue: 'sim',
    streamer: () => ({ state: 'running', streaming: true }),
    events: bus,
    tickCoalesceMs: 50,
  });
  cache.onQuote((q) => live.quote(q));
  const symbols = Array.from({ length: POSITIONS }, (_, i) => symbolOf(i));
  // Quotes carry their InstrumentId, interned once per symbol at the venue boundary.
  const ids = symbols.map((s) => instrumentId('sim', s));
  const prices = symbols.map((_, i) => (i % 2 === 0 ? 100 + (i % 400) : 2 + (i % 30)));
  symbols.forEach((symbol, i) => {
    live.applyFill({ fill_id: `open-${i}`, position_id: `pos-${i}`, symbol, side: i % 3 === 0 ? 'SELL' : 'BUY', quantity: 1 + (i % 5), price: prices[i]!, time: clock.now() });
  });
  const snapshotEvent = (): DeskEvent => ({
    type: 'snapshot',
    seq: bus.lastSeq,
    serverTime: clock.now(),
    snapshot: { serverTime: clock.now(), protocol: 2, venue: 'sim', mode: 'SIM', streaming: true, quotes: cache.all().map(toQuoteWire), streams: [], ...live.snapshotParts() },
  });
  return { cache, live, symbols, ids, prices, listeners, snapshotEvent };
}

function bytesRun(report: BenchReporter): void {
  const clock = new ManualClock(T0);
  const { cache, live, symbols, ids, prices, listeners } = build(clock);
  const rng = new SeededRandom(7);
  live.startStreaming();
  let eventBytes = 0;
  let messages = 0;
  let ticks = 0;
  let sampledSnapshotBytes = 0;
  let sampled = 0;
  const SAMPLE_EVERY = 10;
  listeners.push((event) => {
    eventBytes += Buffer.byteLength(JSON.stringify({ kind: 'event', event } satisfies ServerMessage));
    messages++;
    if (event.type !== 'tick_update') return;
    ticks++;
    if (ticks % SAMPLE_EVERY !== 1) return;
    // The alternative: the whole picture on every tick (every position valued now, totals, quotes).
    const full = { kind: 'event', event: { type: 'tick_update', seq: event.seq, serverTime: event.serverTime, timestamp: event.timestamp, pnl: live.tracker.snapshot(), quotes: cache.all().map(toQuoteWire) } };
    sampledSnapshotBytes += Buffer.byteLength(JSON.stringify(full));
    sampled++;
  });
  const stepMs = 1000 / QUOTES_PER_SEC;
  let fills = 0;
  for (let i = 0; i < QUOTES_PER_SEC * SECONDS; i++) {
    const k = Math.floor(rng.next() * symbols.length);
    const mid = (prices[k]! *= 1 + (rng.next() - 0.5) * 0.002);
    const half = Math.max(0.01, Math.round(mid * 0.0005 * 100) / 100);
    const bid = Math.round((mid - half) * 100) / 100;
    cache.put({ instrument: ids[k]!, symbol: symbols[k]!, bid, ask: Math.round((bid + 2 * half) * 100) / 100, last: null, bidSize: 1 + (i % 9), askSize: 2, exchangeTime: clock.now(), receivedAt: clock.now() });
    clock.advance(stepMs);
    if (i % QUOTES_PER_SEC === 0) {
      const p = fills++ % POSITIONS;
      live.applyFill({ fill_id: `run-${i}`, position_id: `extra-${p}`, symbol: symbols[p]!, side: 'BUY', quantity: 1, price: Math.round(prices[p]! * 100) / 100, time: clock.now() });
    }
  }
  clock.advance(100);
  live.dispose();
  const snapshotBytes = (sampledSnapshotBytes / sampled) * ticks;
  report.figure('event stream', eventBytes / SECONDS, 'bytes/s', undefined, `${messages} messages, ${ticks} tick_updates in ${SECONDS} s`);
  report.figure('full snapshot per tick', snapshotBytes / SECONDS, 'bytes/s', undefined, `${ticks} snapshots (size averaged over every ${SAMPLE_EVERY}th tick)`);
  report.figure('bytes saved by the delta stream', (1 - eventBytes / snapshotBytes) * 100, '%', { op: '>=', value: 90 }, `${POSITIONS} positions, ${QUOTES_PER_SEC} quotes/s`);
  report.figure('messages to the UI', messages / SECONDS, 'messages/s', { op: '<=', value: 60 });
}

/** A scheduler that notes when a timer callback starts (to split out the coalescing wait). */
class TimedScheduler implements Clock, Scheduler {
  lastFire = 0;
  constructor(private readonly inner: SystemClock) {}
  now(): number {
    return this.inner.now();
  }
  setTimeout(fn: () => void, ms: number): Cancel {
    return this.inner.setTimeout(() => {
      this.lastFire = performance.now();
      fn();
    }, ms);
  }
  setInterval(fn: () => void, ms: number): Cancel {
    return this.inner.setInterval(() => {
      this.lastFire = performance.now();
      fn();
    }, ms);
  }
}

async function latencyRun(report: BenchReporter): Promise<void> {
  const clock = new TimedScheduler(new SystemClock());
  const { cache, live, symbols, ids, prices, listeners } = build(clock);
  live.startStreaming();
  const putAt = new Map<string, number>();
  const endToEnd: number[] = [];
  const processing: number[] = [];
  listeners.push((event) => {
    if (event.type !== 'tick_update' || event.ltp_updates.length === 0) return;
    JSON.stringify({ kind: 'event', event } satisfies ServerMessage); // what the server hands to ws.send
    const done = performance.now();
    processing.push(done - clock.lastFire);
    for (const q of event.ltp_updates) {
      const t = putAt.get(q.symbol);
      if (t !== undefined) endToEnd.push(done - t);
    }
  });
  const rng = new SeededRandom(11);
  const RUN_MS = 5000;
  const BATCH_MS = 5; // 5 quotes every 5 ms ≈ 1,000 quotes/s
  const t0 = performance.now();
  let n = 0;
  await new Promise<void>((resolve) => {
    const pump = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) * QUOTES_PER_SEC) / 1000);
      for (; n < due; n++) {
        const k = Math.floor(rng.next() * symbols.length);
        const mid = (prices[k]! *= 1 + (rng.next() - 0.5) * 0.002);
        const bid = Math.round(mid * 100) / 100;
        putAt.set(symbols[k]!, performance.now());
        cache.put({ instrument: ids[k]!, symbol: symbols[k]!, bid, ask: (Math.round(bid * 100) + 2) / 100, last: null, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
      }
      if (performance.now() - t0 >= RUN_MS) {
        clearInterval(pump);
        resolve();
      }
    }, BATCH_MS);
  });
  live.dispose();
  report.figure('tick-to-transport latency p99', percentile(endToEnd, 99), 'ms', { op: '<=', value: 60 }, `quote into the cache → serialized tick_update; includes the 50 ms coalescing window; p50 ${percentile(endToEnd, 50).toFixed(1)} ms; ${n} quotes in ${RUN_MS / 1000} s real time`);
  report.figure('tick processing p99', percentile(processing, 99), 'ms', undefined, `coalescing timer fired → tick_update with totals serialized; p50 ${percentile(processing, 50).toFixed(2)} ms`);
}

function ingestRun(report: BenchReporter): void {
  const clock = new ManualClock(T0);
  const { cache, live, symbols, ids } = build(clock);
  live.startStreaming();
  const N = 300_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const k = i % symbols.length;
    // venue prices are short decimals (bid + 0.02 in floating point would not be one)
    const cents = 10_000 + (i % 50);
    cache.put({ instrument: ids[k]!, symbol: symbols[k]!, bid: cents / 100, ask: (cents + 2) / 100, last: null, bidSize: 1, askSize: 1, exchangeTime: T0, receivedAt: T0 + (i >> 10) });
  }
  const secs = (performance.now() - t0) / 1000;
  live.dispose();
  report.figure('quotes through cache → tracker → coalescer', N / secs, 'quotes/s', { op: '>=', value: 100_000 }, `${POSITIONS} positions held; tick flushes not included (ManualClock)`);
}

export async function run(report: BenchReporter): Promise<void> {
  bytesRun(report);
  ingestRun(report);
  await latencyRun(report);
}
