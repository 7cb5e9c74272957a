import { PortfolioBook } from '../../src/core/pnl/book';
import { FifoLedger, makeFill } from '../../src/core/pnl/fifo';
import { QuoteCache } from '../../src/core/market/quote-cache';
import { ManualClock } from '../../src/core/ports/clock';
import { deltaInstrument } from '../../src/core/model/delta-symbols';
import { toDecimalString } from '../../src/core/model/money';
import { SeededRandom } from '../../src/core/model/random';
import { DeltaPublicProtocol } from '../../src/node/venues/delta/protocols';
import { DeltaVenue } from '../../src/node/venues/delta/venue';
import type { ProtocolContext } from '../../src/node/stream/stream-manager';
import type { BenchReporter } from '../harness';

/**
 * Delta's market-data path per CPU-second: compact `ticker` frames (a whole BTC daily chain per
 * frame, as a chain-key subscription `BTC-DDMMYY` delivers it: 34 strikes × 2 rights) → the frame
 * parser → the venue's greeks/mark state and per-pass quote coalescing → the quote cache → the
 * P&L book holding a short BTC strangle plus the rest of the chain (68 positions, contract value
 * 0.001 BTC, P&L in USD). CPU time is process.cpuUsage (user + system), not wall time.
 */
const STRIKES = 34;
const FRAMES = 2_000;

function chainFrames(rng: SeededRandom, expiry: string): { frames: Buffer[]; symbols: string[] } {
  const symbols: string[] = [];
  for (let k = 0; k < STRIKES; k++) for (const r of ['C', 'P']) symbols.push(`${r}-BTC-${74_000 + k * 1000}-${expiry}`);
  const frames: Buffer[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const spot = 90_000 + rng.normal() * 500;
    const d = symbols.map((s, i) => {
      const mark = 50 + rng.next() * 3000;
      return { s, i: i + 1, m: mark.toFixed(4), q: [(mark + 5).toFixed(1), '120', (mark - 5).toFixed(1), '95', null], g: [(s[0] === 'C' ? 0.5 : -0.5).toFixed(4), '0.00003', '1.2', '-45.2', '30.1'], qiv: ['0.52', '0.48', '0.5'], oi: ['1000', '0'] };
    });
    frames.push(Buffer.from(JSON.stringify({ type: 'ticker', sy: `BTC-${expiry}`, sp: spot.toFixed(2), ts: (1_800_000_000_000 + f * 5000) * 1000, d })));
  }
  return { frames, symbols };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function run(report: BenchReporter): void {
  const rng = new SeededRandom(20);
  const expiry = '310126';
  const { frames, symbols } = chainFrames(rng, expiry);
  const clock = new ManualClock(1_800_000_000_000);
  const venue = new DeltaVenue({ name: 'delta', mode: 'SIM', credentials: null, urls: { rest: 'http://127.0.0.1:9', socket: 'ws://127.0.0.1:9', publicSocket: 'ws://127.0.0.1:9' }, streams: { market: false, private: false } }, { clock });
  const cache = new QuoteCache(clock, { staleAfterMs: 60_000 });
  const instruments = new Map(symbols.map((s) => [s, deltaInstrument(s)]));
  const ledger = new FifoLedger({ multiplierOf: (s) => instruments.get(s)!.multiplier, keepMatches: false });
  // The short strangle (call 94000 / put 86000, 10 contracts each) and a long/short book on the rest.
  symbols.forEach((symbol, i) => {
    const strangle = symbol === `C-BTC-94000-${expiry}` || symbol === `P-BTC-86000-${expiry}`;
    const r = ledger.apply(makeFill({ fill_id: `f${i}`, position_id: `p${i}`, symbol, side: strangle || i % 2 ? 'SELL' : 'BUY', quantity: strangle ? 10 : rng.int(1, 20), price: (100 + i).toFixed(1), fee: '0', time: i }));
    if (!r.ok) throw new Error(r.rejection.reason);
  });
  const book = new PortfolioBook({ staleAfterMs: 60_000, symbols: cache.symbols });
  for (const p of ledger.positions()) book.setPosition(venue.instruments.of(p.symbol), p);
  cache.onQuote((q) => book.onQuote(q));
  venue.listen({ quote: (t) => cache.applyQuote(t) });
  const protocol = new DeltaPublicProtocol({ url: 'ws://x', legacyUrl: null, onTickers: (t, at) => venue.onTickers(t, at), onMark: () => {}, flush: () => venue.flushQuotes() });
  const ctx: ProtocolContext = { conn: 1, send: () => {}, ready: () => {}, registry: () => [], tick: () => {}, malformed: () => {}, confirmed: () => {}, refused: () => {}, note: () => {}, fail: () => {} };
  protocol.open(ctx);

  let now = clock.now();
  const pass = () => {
    for (const data of frames) {
      now += 5;
      protocol.frame({ data, isBinary: false, receivedAt: now, conn: 1 }, ctx);
      protocol.endOfBatch();
    }
  };
  pass(); // warm up
  let n = 0;
  const c0 = cpuMs();
  const w0 = performance.now();
  while (cpuMs() - c0 < 1500) {
    pass();
    n += frames.length;
  }
  const cpuS = (cpuMs() - c0) / 1000;
  const wallS = (performance.now() - w0) / 1000;
  const tickers = n * symbols.length;
  report.figure('ticker frames (68-contract chain) → cache → P&L', n / cpuS, 'frames/CPU-s');
  report.figure('contract tickers → cache → P&L', tickers / cpuS, 'tickers/CPU-s', { op: '>=', value: 100_000 });
  report.figure('cost per contract ticker', (cpuS * 1e9) / tickers, 'ns CPU');
  report.note(`${n.toLocaleString('en-US')} frames in ${cpuS.toFixed(2)} CPU-s (${wallS.toFixed(2)} s wall); Delta publishes a ticker per contract every 5 s, so one CPU-second covers ${Math.round((tickers / cpuS) * 5).toLocaleString('en-US')} subscribed contracts`);
  const totals = book.totals(now);
  const usd = totals.currencies.find((c) => c.currency === 'USD');
  report.note(`book after the run: unrealized ${usd?.unrealized != null ? toDecimalString(usd.unrealized) : "unknown"} USD over ${symbols.length} positions; greeks kept for ${venue.market.size} contracts`);
  if (!usd || venue.market.size !== symbols.length) throw new Error('delta bench: the pipeline did not reach the book');
}
