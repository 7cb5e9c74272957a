/**
 * Market-data ingest (spec §14): quotes/s through decode → validate → quote cache → a per-symbol
 * consumer, in process for JSON (stocks v2) and msgpack (options v1beta1) separately, and end to end
 * over a real loopback WebSocket from the simulated venue through the stream manager's bounded
 * queue. The consumer is the P&L step itself: a PortfolioBook holding one open position per
 * symbol, sharing the cache's symbol ids, as the desk's tracker does.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SystemClock } from '../../src/node/system-clock';
import { QuoteCache } from '../../src/core/market/quote-cache';
import type { Quote } from '../../src/core/market/quote';
import { PortfolioBook } from '../../src/core/pnl/book';
import { FifoLedger, makeFill } from '../../src/core/pnl/fifo';
import { multiplier } from '../../src/core/model/money';
import { MarketFrameParser } from '../../src/node/venues/alpaca/market-parser';
import { ExchangeTime, encodeMsgpack } from '../../src/node/venues/alpaca/codec';
import { SimVenueServer, SIM_CREDENTIALS } from '../../src/node/venues/sim/server';
import { AlpacaVenue } from '../../src/node/venues/alpaca/venue';
import { MarketDataProtocol } from '../../src/node/venues/alpaca/protocols';
import type { BenchReporter } from '../harness';
import { VenueInstruments } from '../../src/core/market/instruments';
import { instrumentId } from '../../src/core/model/ids';

const SYMBOLS = 500;
const BATCH = 100;

/**
 * The P&L step: a book with one open position per symbol (long and short alternating), fed by
 * the cache with its symbol ids; counts the quotes that revalued a position.
 */
function consumer(cache: QuoteCache, symbols: string[], venue = 'sim'): { count: () => number } {
  const ledger = new FifoLedger({ multiplierOf: (s) => multiplier(s.length > 6 ? 100 : 1) });
  symbols.forEach((symbol, i) => {
    ledger.apply(makeFill({ fill_id: `f${i}`, position_id: `p${i}`, symbol, side: i % 2 ? 'SELL' : 'BUY', quantity: 1 + (i % 5), price: 10 + (i % 50) / 10, time: 0 }));
  });
  const book = new PortfolioBook({ symbols: cache.symbols, quoteOf: (s) => cache.get(s) });
  for (const p of ledger.positions()) book.setPosition(instrumentId(venue, p.symbol), p);
  let count = 0;
  cache.onQuote((q: Quote) => {
    if (book.onQuote(q)) count++;
  });
  return { count: () => count };
}

function stockSymbols(): string[] {
  return Array.from({ length: SYMBOLS }, (_, i) => `S${i.toString(36).toUpperCase().padStart(3, 'A')}`);
}

function optionSymbols(): string[] {
  return Array.from({ length: SYMBOLS }, (_, i) => `SPY261218${i % 2 ? 'C' : 'P'}${String(400_000 + i * 1000).padStart(8, '0')}`);
}

function frames(kind: 'json' | 'msgpack'): Buffer[] {
  const symbols = kind === 'json' ? stockSymbols() : optionSymbols();
  const out: Buffer[] = [];
  const t0 = Date.UTC(2026, 10, 20, 15);
  for (let f = 0; f < 200; f++) {
    const msgs = [];
    for (let i = 0; i < BATCH; i++) {
      const s = symbols[(f * BATCH + i) % symbols.length]!;
      // venue prices are short decimals: computed in cents (bid + 0.02 in floating point is not one)
      const cents = 1000 + ((f * 7 + i) % 500);
      const bid = cents / 100;
      const ask = (cents + 2) / 100;
      const ms = t0 + f * 10 + i;
      msgs.push(
        kind === 'json'
          ? { T: 'q', S: s, bx: 'V', bp: bid, bs: 3, ax: 'V', ap: ask, as: 5, t: `${new Date(ms).toISOString().slice(0, 23)}123456Z`, c: ['R'], z: 'C' }
          : { T: 'q', S: s, t: new ExchangeTime(ms, (ms % 1000) * 1e6 + 123_456), bx: 'C', bp: bid, bs: 3, ax: 'C', ap: ask, as: 5, c: 'A' },
      );
    }
    out.push(Buffer.from(kind === 'json' ? JSON.stringify(msgs) : encodeMsgpack(msgs)));
  }
  return out;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

function inProcess(kind: 'json' | 'msgpack', seconds: number): { rate: number; cpuRate: number; bytesPerQuote: number } {
  const clock = new SystemClock();
  const cache = new QuoteCache(clock);
  const c = consumer(cache, kind === 'json' ? stockSymbols() : optionSymbols());
  const parser = new MarketFrameParser({
    quote: (t) => cache.applyQuote(t),
    trade: (t) => cache.applyTrade(t),
    control: () => {},
    malformed: () => {
      throw new Error('bench frame rejected');
    },
  }, { instruments: new VenueInstruments('sim') });
  const fs = frames(kind);
  const binary = kind === 'msgpack';
  // warm up (JIT), then measure
  for (let i = 0; i < 400; i++) parser.frame(fs[i % fs.length]!, binary, 0);
  const start = c.count();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let i = 0;
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 50; k++) parser.frame(fs[i++ % fs.length]!, binary, clock.now());
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const bytes = fs.reduce((n, b) => n + b.length, 0) / (fs.length * BATCH);
  const n = c.count() - start;
  return { rate: n / secs, cpuRate: n / cpu, bytesPerQuote: bytes };
}

async function overSocket(
  stream: 'stocks' | 'options',
  coalesce: boolean,
  totalFrames: number,
): Promise<{ rate: number; cpuRate: number; decodedRate: number; dropped: number; delivered: number; sent: number }> {
  const clock = new SystemClock();
  const sim = new SimVenueServer({ seed: 1, clock, intervalMs: 60_000 });
  const urls = await sim.start();
  const venue = new AlpacaVenue(
    {
      mode: 'SIM',
      credentials: SIM_CREDENTIALS,
      urls,
      stockFeed: 'iex',
      optionFeed: 'indicative',
      streams: { stocks: stream === 'stocks', options: stream === 'options', tradeUpdates: false },
      coalesce,
      tuning: { dataTimeoutMs: 0, pingIntervalMs: 0, queueCapacity: 100_000, drainBatch: 256 },
    },
    { clock },
  );
  const cache = new QuoteCache(clock);
  const c = consumer(cache, stream === 'stocks' ? stockSymbols() : optionSymbols(), venue.name);
  venue.listen({ quote: (t) => cache.applyQuote(t), trade: (t) => cache.applyTrade(t) });
  venue.subscribe(stream === 'stocks' ? stockSymbols() : optionSymbols());
  await venue.start();
  const manager = venue.stream(stream)!;
  while (manager.snapshot().state !== 'running') await new Promise((r) => setTimeout(r, 5));
  const protocol = (manager as unknown as { o: { protocol: MarketDataProtocol } }).o.protocol;
  const decodedBefore = protocol.parserStats.messages;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const sent = (await sim.floodStream(stream, totalFrames, BATCH)) * BATCH;
  const expected = decodedBefore + sent;
  const deadline = performance.now() + 60_000;
  while (protocol.parserStats.messages + manager.snapshot().droppedEvents * BATCH < expected && performance.now() < deadline) await new Promise((r) => setImmediate(r));
  // let the last drain pass flush coalesced quotes
  await new Promise((r) => setTimeout(r, 5));
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const decoded = protocol.parserStats.messages - decodedBefore;
  const dropped = manager.snapshot().droppedEvents * BATCH;
  const delivered = c.count();
  await venue.dispose();
  await sim.stop();
  return { rate: delivered / secs, cpuRate: delivered / cpu, decodedRate: decoded / secs, dropped, delivered, sent };
}

/** Event-loop delay while the sim streams ~20,000 quotes/s through the adapter into the cache. */
async function loopDelayUnderStream(seconds: number): Promise<{ p99: number; max: number; rate: number }> {
  const clock = new SystemClock();
  // 200 symbols every 10 ms = 20,000 quotes/s
  const sim = new SimVenueServer({ seed: 1, clock, intervalMs: 10, tradeProbability: 0 });
  const urls = await sim.start();
  const venue = new AlpacaVenue(
    { mode: 'SIM', credentials: SIM_CREDENTIALS, urls, stockFeed: 'iex', optionFeed: 'indicative', streams: { stocks: true, options: false, tradeUpdates: false } },
    { clock },
  );
  const cache = new QuoteCache(clock);
  const c = consumer(cache, stockSymbols().slice(0, 200), venue.name);
  venue.listen({ quote: (t) => cache.applyQuote(t), trade: (t) => cache.applyTrade(t) });
  venue.subscribe(stockSymbols().slice(0, 200));
  await venue.start();
  while (venue.stream('stocks')!.snapshot().state !== 'running') await new Promise((r) => setTimeout(r, 5));
  const h = monitorEventLoopDelay({ resolution: 1 });
  const n0 = c.count();
  const t0 = performance.now();
  h.enable();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  h.disable();
  const rate = (c.count() - n0) / ((performance.now() - t0) / 1000);
  await venue.dispose();
  await sim.stop();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6, rate };
}

export async function run(report: BenchReporter): Promise<void> {
  const [load1] = loadavg();
  report.note(`batches of ${BATCH} quotes over ${SYMBOLS} symbols; consumer = the P&L book (one open position per symbol, exact incremental totals)`);
  report.note(`load average ${load1!.toFixed(2)} on ${cpus().length} cores: "per CPU-second" divides by the CPU time this process got (the one-core figure); "wall" by elapsed time`);
  for (const kind of ['json', 'msgpack'] as const) {
    const r = inProcess(kind, 2);
    const label = kind === 'json' ? 'JSON (stocks v2)' : 'msgpack (options v1beta1, timestamp ext)';
    report.figure(`in process, ${label}: decode → validate → cache → P&L, per CPU-second`, r.cpuRate, 'quotes/s', { op: '>=', value: 500_000 }, `${r.bytesPerQuote.toFixed(0)} B/quote`);
    report.figure(`in process, ${label}: wall clock`, r.rate, 'quotes/s');
  }
  // The ceiling for the JSON path: V8's JSON.parse alone on the same frames.
  {
    const fs = frames('json');
    for (let i = 0; i < 400; i++) JSON.parse(fs[i % fs.length]!.toString('utf8'));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1000) for (let k = 0; k < 50; k++) JSON.parse(fs[n++ % fs.length]!.toString('utf8'));
    report.figure('ceiling: Buffer → string → JSON.parse alone on the same JSON frames, per CPU-second', (n * BATCH) / cpuSeconds(cpu0), 'quotes/s');
  }
  const frames_ = 4000;
  for (const stream of ['stocks', 'options'] as const) {
    const r = await overSocket(stream, false, frames_);
    const label = stream === 'stocks' ? 'JSON' : 'msgpack';
    report.figure(
      `loopback ${label} from the sim server: socket → queue → decode → cache → P&L, per CPU-second (sim + client in one process)`,
      r.cpuRate,
      'quotes/s',
      { op: '>=', value: 100_000 },
      `${r.delivered.toLocaleString('en-US')} of ${r.sent.toLocaleString('en-US')} quotes applied, ${r.dropped} dropped`,
    );
    report.figure(`loopback ${label}: wall clock`, r.rate, 'quotes/s');
  }
  const lag = await loopDelayUnderStream(3);
  report.figure(
    'event-loop delay p99 while streaming from the sim (sim + adapter + cache + P&L in one process)',
    lag.p99,
    'ms',
    { op: '<=', value: 10 },
    `at ${Math.round(lag.rate).toLocaleString('en-US')} quotes/s applied (coalesced per drain pass); max ${lag.max.toFixed(1)} ms`,
  );
  const co = await overSocket('stocks', true, frames_);
  report.figure(
    'loopback JSON with per-pass coalescing (production default): quotes decoded/s, wall clock',
    co.decodedRate,
    'quotes/s',
    undefined,
    `${co.delivered.toLocaleString('en-US')} cache writes for ${co.sent.toLocaleString('en-US')} quotes (latest per symbol per drain pass)`,
  );
}
