/**
 * SmartAPI binary ticks → quote cache → P&L, per CPU-second, side by side in one run:
 *
 * - ours: the adapter's FeedProtocol (TickReader straight from the bytes, numeric token key →
 *   subscribed symbol) → QuoteTick → QuoteCache → PortfolioBook (one open short position per
 *   symbol, multiplier = lot size 65);
 * - the official `smartapi-javascript` package (1.0.27) parser (`setResponse` in
 *   lib/websocket2.0.js, binary-parser) on the same bytes, then the same mapping, cache and book.
 *
 * Isolation of the SDK parser: `setResponse` is not exported and the module's constructor opens a
 * socket, so the file's source is evaluated in this process (vm.runInThisContext, same JIT and heap)
 * with its own `require` and one line appended that exports `setResponse`; nothing else of the
 * module runs (requiring it only defines functions; `ws` and the constants are loaded, no socket).
 * The SDK returns every number as a string and the token JSON-quoted (`"43650"`): the mapping
 * after it converts them (Number(x) / 100), as any user of it must.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { SystemClock } from '../../src/node/system-clock';
import { QuoteCache } from '../../src/core/market/quote-cache';
import type { Quote, QuoteTick } from '../../src/core/market/quote';
import { PortfolioBook } from '../../src/core/pnl/book';
import { FifoLedger, makeFill } from '../../src/core/pnl/fifo';
import { multiplier } from '../../src/core/model/money';
import { VenueInstruments } from '../../src/core/market/instruments';
import { FeedProtocol } from '../../src/node/venues/smartapi/protocols';
import { encodeTickPacket, tokenKey } from '../../src/node/venues/smartapi/tick-parser';
import type { ProtocolContext } from '../../src/node/stream/stream-manager';
import type { InstrumentId } from '../../src/core/model/ids';
import type { BenchReporter } from '../harness';

const SYMBOLS = 500;
const PACKETS = 5000;

type SdkSetResponse = (buf: Buffer, raw: unknown) => Record<string, unknown>;

function loadSdkParser(): SdkSetResponse {
  const req = createRequire(import.meta.url);
  const file = req.resolve('smartapi-javascript/lib/websocket2.0.js');
  const src = `${readFileSync(file, 'utf8')}\nmodule.exports.__setResponse = setResponse;`;
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  const fn = vm.runInThisContext(`(function (require, module, exports) {${src}\n})`, { filename: file }) as (r: NodeJS.Require, m: typeof mod, e: unknown) => void;
  fn(createRequire(file), mod, mod.exports);
  return mod.exports.__setResponse as SdkSetResponse;
}

interface Sub {
  symbol: string;
  id: InstrumentId;
}

function universe(): { symbols: string[]; tokens: number[]; packets: Buffer[] } {
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `NIFTY08DEC26${22000 + 50 * (i >> 1)}${i % 2 ? 'PE' : 'CE'}`);
  const tokens = symbols.map((_, i) => 40_000 + i);
  const packets: Buffer[] = [];
  for (let p = 0; p < PACKETS; p++) {
    const i = p % SYMBOLS;
    const mid = 10_000 + ((p * 37) % 20_000); // paise
    packets.push(
      encodeTickPacket({
        mode: 3,
        exchangeType: 2,
        token: String(tokens[i]),
        sequence: p,
        exchangeTimeMs: 1_796_000_000_000 + p,
        ltpPaise: mid,
        ltq: 65,
        volume: p,
        bids: [0, 1, 2, 3, 4].map((k) => ({ pricePaise: mid - 5 - 5 * k, qty: 650 })),
        asks: [0, 1, 2, 3, 4].map((k) => ({ pricePaise: mid + 5 + 5 * k, qty: 780 })),
        upperPaise: mid * 3,
        lowerPaise: 5,
      }),
    );
  }
  return { symbols, tokens, packets };
}

function pnlConsumer(cache: QuoteCache, symbols: string[], venue: string): { count: () => number } {
  const ledger = new FifoLedger({ multiplierOf: () => multiplier(65) });
  symbols.forEach((symbol, i) => ledger.apply(makeFill({ fill_id: `f${i}`, position_id: `p${i}`, symbol, side: 'SELL', quantity: 1 + (i % 3), price: 100 + (i % 50), time: 0 })));
  const book = new PortfolioBook({ symbols: cache.symbols, quoteOf: (s) => cache.get(s), currencyOf: () => 'INR' });
  const ids = new VenueInstruments(venue);
  for (const p of ledger.positions()) book.setPosition(ids.of(p.symbol), p);
  let count = 0;
  cache.onQuote((q: Quote) => {
    if (book.onQuote(q)) count++;
  });
  return { count: () => count };
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

function measure(seconds: number, step: () => void, counted: () => number): { cpuRate: number; wallRate: number } {
  for (let i = 0; i < 20_000; i++) step(); // warm-up (JIT)
  const n0 = counted();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) for (let k = 0; k < 500; k++) step();
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0);
  const n = counted() - n0;
  return { cpuRate: n / cpu, wallRate: n / wall };
}

function ours(seconds: number): { cpuRate: number; wallRate: number } {
  const { symbols, tokens, packets } = universe();
  const clock = new SystemClock();
  const cache = new QuoteCache(clock);
  const c = pnlConsumer(cache, symbols, 'smartapi');
  const ids = new VenueInstruments('smartapi');
  const byKey = new Map<number, Sub>();
  symbols.forEach((s, i) => byKey.set(tokenKey(2, tokens[i]!), { symbol: s, id: ids.of(s) }));
  const protocol = new FeedProtocol({
    name: 'feed-1',
    url: () => '',
    headers: () => ({}),
    resolve: () => null,
    onTick: (key, t, at) => {
      const sub = byKey.get(key);
      if (sub === undefined) return false;
      const q: QuoteTick = { instrument: sub.id, symbol: sub.symbol, bid: t.bid, ask: t.ask, bidSize: t.bidSize, askSize: t.askSize, exchangeTime: t.exchangeTimeMs, receivedAt: at };
      cache.applyQuote(q);
      return true;
    },
  });
  const ctx = { tick: () => undefined, malformed: (r: string) => { throw new Error(`bench packet rejected: ${r}`); } } as unknown as ProtocolContext;
  let i = 0;
  const frame = { data: packets[0]!, isBinary: true, receivedAt: 0, conn: 1 };
  return measure(
    seconds,
    () => {
      frame.data = packets[i++ % PACKETS]!;
      frame.receivedAt = clock.now();
      protocol.frame(frame, ctx);
    },
    c.count,
  );
}

function sdk(seconds: number, setResponse: SdkSetResponse): { cpuRate: number; wallRate: number } {
  const { symbols, tokens, packets } = universe();
  const clock = new SystemClock();
  const cache = new QuoteCache(clock);
  const c = pnlConsumer(cache, symbols, 'smartapi');
  const ids = new VenueInstruments('smartapi');
  const byToken = new Map<string, Sub>();
  // the SDK hands the token back JSON-quoted: "\"40000\""
  symbols.forEach((s, i) => byToken.set(`2:${JSON.stringify(String(tokens[i]))}`, { symbol: s, id: ids.of(s) }));
  let i = 0;
  return measure(
    seconds,
    () => {
      const buf = packets[i++ % PACKETS]!;
      const t = setResponse(buf, buf) as { exchange_type: string; token: string; exchange_timestamp: string; best_5_buy_data: { price: string; quantity: string; flag: string }[]; best_5_sell_data: { price: string; quantity: string }[] };
      const sub = byToken.get(`${t.exchange_type}:${t.token}`);
      if (sub === undefined) throw new Error(`bench: SDK token ${t.token} not mapped`);
      const b = t.best_5_buy_data[0]!;
      const a = t.best_5_sell_data[0]!;
      const q: QuoteTick = { instrument: sub.id, symbol: sub.symbol, bid: Number(b.price) / 100, ask: Number(a.price) / 100, bidSize: Number(b.quantity), askSize: Number(a.quantity), exchangeTime: Number(t.exchange_timestamp), receivedAt: clock.now() };
      cache.applyQuote(q);
    },
    c.count,
  );
}

export async function run(report: BenchReporter): Promise<void> {
  const setResponse = loadSdkParser();
  // both read the same bytes the same way (sanity)
  const { packets } = universe();
  const probe = setResponse(packets[1]!, packets[1]!) as { best_5_buy_data: { price: string }[] };
  if (Number(probe.best_5_buy_data[0]!.price) !== 10_000 + 37 - 5) throw new Error('bench: SDK parser disagrees with the fixture');
  report.note(`${PACKETS} SnapQuote packets (379 B) over ${SYMBOLS} NFO tokens; consumer = the P&L book (one open short per symbol, multiplier = lot size 65, INR)`);
  report.note('SDK parser isolated: lib/websocket2.0.js evaluated in-process with setResponse exported (no socket opened)');
  const a = ours(2);
  const b = sdk(2, setResponse);
  report.figure('ours: binary SnapQuote → cache → P&L, per CPU-second', a.cpuRate, 'quotes/s', { op: '>=', value: 500_000 });
  report.figure('smartapi-javascript 1.0.27 parser → same cache → P&L, per CPU-second', b.cpuRate, 'quotes/s');
  report.figure('ours ÷ smartapi-javascript (per CPU-second)', a.cpuRate / b.cpuRate, '×', { op: '>=', value: 2 });
  report.figure('ours: wall clock', a.wallRate, 'quotes/s');
  report.figure('smartapi-javascript: wall clock', b.wallRate, 'quotes/s');
}
