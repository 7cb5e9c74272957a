import { PortfolioBook } from '../../src/core/pnl/book';
import { FifoLedger, makeFill, type Fill } from '../../src/core/pnl/fifo';
import { multiplier } from '../../src/core/model/money';
import { SeededRandom } from '../../src/core/model/random';
import type { Quote } from '../../src/core/market/quote';
import { SymbolTable } from '../../src/core/market/symbol-table';
import { instrumentId, type InstrumentId } from '../../src/core/model/ids';
import type { BenchReporter } from '../harness';

/**
 * P&L cost per quote for portfolios of 10, 1,000 and 10,000 positions (one quote must not
 * recompute the whole portfolio: the cost stays within 2× across sizes), and FIFO fills/s.
 *
 * Quotes reach the book as they do in the desk: the quote cache has interned the symbol and
 * stamped its id (`sid`), and the book shares the cache's SymbolTable. The same run without the
 * shared table (the book looks each symbol up by string) is reported beside it.
 */
const SIZES = [10, 1_000, 10_000];
const QUOTES = 200_000;

function buildBook(n: number, rng: SeededRandom, table?: SymbolTable<InstrumentId>): { book: PortfolioBook; symbols: InstrumentId[] } {
  const ledger = new FifoLedger({ multiplierOf: () => multiplier(100), keepMatches: false });
  const symbols = Array.from({ length: n }, (_, i) => `SYM${i}`);
  symbols.forEach((symbol, i) => {
    const r = ledger.apply(
      makeFill({ fill_id: `f${i}`, position_id: `p${i}`, symbol, side: rng.next() < 0.5 ? 'BUY' : 'SELL', quantity: rng.int(1, 10), price: rng.int(100, 50_000) / 100, fee: '0.65', time: i }),
    );
    if (!r.ok) throw new Error(r.rejection.reason);
  });
  const book = new PortfolioBook({ staleAfterMs: 5000, symbols: table });
  for (const p of ledger.positions()) book.setPosition(instrumentId('sim', p.symbol), p);
  // Quotes carry their InstrumentId (interned at the venue boundary): the same strings, made once.
  return { book, symbols: symbols.map((s) => instrumentId('sim', s)) };
}

/** Quotes on random symbols; with a table, stamped with the symbol's id as the quote cache does. */
function quotes(symbols: InstrumentId[], rng: SeededRandom, table?: SymbolTable<InstrumentId>): Quote[] {
  const out: Quote[] = [];
  for (let i = 0; i < QUOTES; i++) {
    const bid = rng.int(100, 50_000) / 100;
    const instrument = symbols[rng.int(0, symbols.length - 1)]!;
    out.push({ instrument, symbol: instrument.slice(4), bid, ask: Math.round(bid * 100 + rng.int(1, 20)) / 100, last: bid, bidSize: 1, askSize: 1, exchangeTime: i, receivedAt: i, sid: table?.intern(instrument) });
  }
  return out;
}

function timeQuotes(book: PortfolioBook, qs: Quote[]): { ns: number; t: number } {
  // warm up, then run whole passes for at least ~1 s; receive times keep growing across passes
  let n = 0;
  let t = 1;
  const pass = () => {
    for (const q of qs) {
      q.receivedAt = t;
      book.onQuote(q);
      t += 0.005; // receive times advance as in a 200,000 quotes/s stream
    }
    n += qs.length;
  };
  pass();
  n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) pass();
  return { ns: ((performance.now() - t0) * 1e6) / n, t }; // ns per quote
}

export function run(report: BenchReporter): void {
  const perQuote: number[] = [];
  for (const n of SIZES) {
    const rng = new SeededRandom(n);
    const table = new SymbolTable<InstrumentId>();
    const { book, symbols } = buildBook(n, rng, table);
    const qs = quotes(symbols, rng, table);
    const { ns, t } = timeQuotes(book, qs);
    perQuote.push(ns);
    report.figure(`P&L update per quote, ${n.toLocaleString('en-US')} positions`, ns, 'ns/quote');
    report.figure(`P&L update throughput, ${n.toLocaleString('en-US')} positions`, 1e9 / ns, 'quotes/s', { op: '>=', value: 500_000 });
    const t0 = performance.now();
    let reads = 0;
    while (performance.now() - t0 < 200) {
      book.totals(t);
      reads++;
    }
    report.figure(`totals read, ${n.toLocaleString('en-US')} positions`, ((performance.now() - t0) * 1000) / reads, 'µs/read');
  }
  const ratio = Math.max(...perQuote) / Math.min(...perQuote);
  report.figure('per-quote cost, largest / smallest portfolio', ratio, '×', { op: '<=', value: 2 });
  {
    // Same 10,000-position book, quotes for only 10 of its symbols: isolates the algorithm's
    // cost from the memory hierarchy (10 positions fit in L1; 10,000 do not).
    const rng = new SeededRandom(99);
    const table = new SymbolTable<InstrumentId>();
    const { book, symbols } = buildBook(10_000, rng, table);
    const { ns } = timeQuotes(book, quotes(symbols.slice(0, 10), rng, table));
    report.figure('P&L update per quote, 10,000 positions, 10 hot symbols', ns, 'ns/quote', undefined, 'same work as the 10-position case, warm caches');
  }
  {
    // Without the cache's symbol ids the book hashes each quote's symbol string: one more
    // string-keyed lookup per quote, which is what the shared table saves.
    const by: number[] = [];
    for (const n of [10, 10_000]) {
      const rng = new SeededRandom(n);
      const { book, symbols } = buildBook(n, rng);
      const { ns } = timeQuotes(book, quotes(symbols, rng));
      by.push(ns);
      report.figure(`P&L update per quote by symbol string, ${n.toLocaleString('en-US')} positions`, ns, 'ns/quote');
    }
    report.figure('per-quote cost by symbol string, largest / smallest', by[1]! / by[0]!, '×', undefined, 'for comparison: the desk feeds the book interned ids');
  }

  // Realized P&L: random fills through the FIFO engine (partial closes, flips, fees).
  const rng = new SeededRandom(7);
  const fills: Fill[] = [];
  for (let i = 0; i < 200_000; i++) {
    fills.push(
      makeFill({ fill_id: `f${i}`, position_id: `p${rng.int(0, 99)}`, symbol: 'X', side: rng.next() < 0.5 ? 'BUY' : 'SELL', quantity: rng.int(1, 20), price: rng.int(1, 100_000) / 100, fee: '0.65', time: i }),
    );
  }
  const ledger = new FifoLedger({ multiplierOf: () => multiplier(100), keepMatches: false });
  const t1 = performance.now();
  for (const f of fills) ledger.apply(f);
  const secs = (performance.now() - t1) / 1000;
  report.figure('FIFO realized P&L (apply fill)', fills.length / secs, 'fills/s');
  const t2 = performance.now();
  for (let i = 0; i < 20_000; i++) {
    makeFill({ fill_id: 'x', position_id: 'p', symbol: 'X', side: 'BUY', quantity: 3, price: 181.6, fee: '0.65', time: i });
  }
  report.figure('fill conversion (venue numbers → exact)', 20_000 / ((performance.now() - t2) / 1000), 'fills/s');
}
