import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PortfolioBook } from '../../../../src/core/pnl/book';
import { unrealizedAt } from '../../../../src/core/pnl/book';
import { FifoLedger, makeFill, type PositionSnapshot } from '../../../../src/core/pnl/fifo';
import { markOf, quotePrices, type MarkPolicy } from '../../../../src/core/market/mark';
import { multiplier, toDecimalString, type Money } from '../../../../src/core/model/money';
import type { Quote } from '../../../../src/core/market/quote';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { SymbolTable } from '../../../../src/core/market/symbol-table';
import { instrumentId, instrumentSymbol, type InstrumentId } from '../../../../src/core/model/ids';
import { sim } from '../../../helpers/ids';

const quote = (symbol: string, bid: number | null, ask: number | null, receivedAt: number, last: number | null = null): Quote => ({
  instrument: sim(symbol), symbol, bid, ask, last, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt,
});

function ledgerWith(...fills: [pid: string, symbol: string, side: 'BUY' | 'SELL', qty: string, price: string, fee?: string][]) {
  const l = new FifoLedger({ multiplierOf: (s) => multiplier(s.length > 6 ? 100 : 1) });
  let i = 0;
  for (const [pid, symbol, side, q, p, fee] of fills) {
    const r = l.apply(makeFill({ fill_id: `f${i++}`, position_id: pid, symbol, side, quantity: q, price: p, fee, time: i }));
    if (!r.ok) throw new Error(r.rejection.reason);
  }
  return l;
}
const str = (m: Money | null) => (m === null ? null : toDecimalString(m));

describe('PortfolioBook', () => {
  it('an open position without a quote is unknown, never 0', () => {
    const l = ledgerWith(['A', 'AAPL', 'BUY', '10', '228.40', '1.00']);
    const book = new PortfolioBook();
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    const t = book.totals(0).currencies[0]!;
    expect(t.unrealized).toBeNull();
    expect(t.total).toBeNull();
    expect(str(t.unrealized_known)).toBe('0');
    expect(t.unknown).toEqual([{ key: 'A#0', instrument: sim('AAPL'), symbol: 'AAPL', reason: 'no_quote' }]);
    expect(str(t.realized)).toBe('-1'); // the fee is known
  });

  it('values on the quote, exactly, and updates only the touched symbol', () => {
    const l = ledgerWith(['A', 'AAPL', 'BUY', '10', '228.40'], ['S', 'SPY', 'SELL', '3', '585.20']);
    const book = new PortfolioBook();
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    expect(book.onQuote(quote('AAPL', 229.1, 229.13, 1000))).toBe(true);
    expect(book.onQuote(quote('MSFT', 1, 2, 1000))).toBe(false);
    let t = book.totals(1000).currencies[0]!;
    expect(t.unrealized).toBeNull();
    expect(str(t.unrealized_known)).toBe('7.15'); // (229.115 − 228.40) × 10
    book.onQuote(quote('SPY', 584.99, 585.01, 1500));
    t = book.totals(1500).currencies[0]!;
    expect(str(t.unrealized)).toBe('7.75'); // + (585.20 − 585.00) × 3
    expect(str(t.total)).toBe('7.75');
    expect(book.totals(1500).as_of).toBe(1000);
  });

  it('says why: one-sided, crossed, stale; as_of is the oldest fresh quote', () => {
    const l = ledgerWith(['A', 'AAPL', 'BUY', '1', '1'], ['B', 'MSFT', 'BUY', '1', '1']);
    const book = new PortfolioBook({ staleAfterMs: 5000 });
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    book.onQuote(quote('AAPL', null, 2, 0));
    expect(book.totals(0).currencies[0]!.unknown.map((u) => u.reason).sort()).toEqual(['no_quote', 'one_sided']);
    book.onQuote(quote('AAPL', 2.1, 2, 10));
    expect(book.value('A#0', 10)!.reason).toBe('crossed_quote');
    book.onQuote(quote('AAPL', 2, 2.2, 1000));
    book.onQuote(quote('MSFT', 3, 3.2, 4000));
    let t = book.totals(5000);
    expect(t.currencies[0]!.unrealized).not.toBeNull();
    expect(t.as_of).toBe(1000);
    t = book.totals(6001); // AAPL is now 5.001 s old
    expect(t.currencies[0]!.unrealized).toBeNull();
    expect(t.currencies[0]!.unknown).toEqual([{ key: 'A#0', instrument: sim('AAPL'), symbol: 'AAPL', reason: 'stale_quote' }]);
    expect(str(t.currencies[0]!.unrealized_known)).toBe('2.1');
    expect(t.as_of).toBe(4000);
    expect(book.value('A#0', 6001)).toMatchObject({ unrealized: null, reason: 'stale_quote' });
    book.onQuote(quote('AAPL', 2, 2.2, 6001));
    expect(str(book.totals(6001).currencies[0]!.unrealized)).toBe('3.2');
  });

  it('mark policies: mid, last, conservative (bid for longs, ask for shorts)', () => {
    const l = ledgerWith(['L', 'XYZ', 'BUY', '1', '10'], ['S', 'XYZ', 'SELL', '1', '10'], ['L2', 'XYZ', 'BUY', '1', '10']);
    const q = quote('XYZ', 9, 11, 0, 12);
    const run = (policy: MarkPolicy) => {
      const book = new PortfolioBook({ markPolicy: policy });
      for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
      book.onQuote(q);
      return ['L#0', 'S#0'].map((k) => str(book.value(k, 0)!.unrealized));
    };
    expect(run('mid')).toEqual(['0', '0']);
    expect(run('last')).toEqual(['2', '-2']);
    expect(run('conservative')).toEqual(['-1', '-1']);
    const book = new PortfolioBook({ markPolicy: 'last' });
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    book.onQuote(quote('XYZ', 9, 11, 0, null));
    expect(book.value('L#0', 0)!.reason).toBe('no_last');
  });

  it('follows fills: partial close moves value to realized; a closed position leaves the open set', () => {
    const l = ledgerWith(['A', 'AAPL', 'BUY', '10', '100']);
    const book = new PortfolioBook();
    book.setPosition(sim('AAPL'), l.get('A', 0)!);
    book.onQuote(quote('AAPL', 109.99, 110.01, 0));
    expect(str(book.totals(0).currencies[0]!.unrealized)).toBe('100');
    const apply = (side: 'BUY' | 'SELL', q: string, p: string, id: string) => {
      const r = l.apply(makeFill({ fill_id: id, position_id: 'A', symbol: 'AAPL', side, quantity: q, price: p, time: 5 }));
      if (!r.ok) throw new Error(r.rejection.reason);
      for (const c of r.changes) book.setPosition(sim(c.position.symbol), c.position);
    };
    apply('SELL', '4', '110', 'x1');
    let t = book.totals(0).currencies[0]!;
    expect([str(t.realized), str(t.unrealized), str(t.total), t.open_positions]).toEqual(['40', '60', '100', 1]);
    apply('SELL', '6', '111', 'x2');
    t = book.totals(0).currencies[0]!;
    expect([str(t.realized), str(t.unrealized), t.open_positions, book.size]).toEqual(['106', '0', 0, 0]);
    book.removePosition('A#0');
    expect(str(book.totals(0).currencies[0]!.realized)).toBe('0');
  });

  it('keeps totals per currency', () => {
    const l = ledgerWith(['U', 'AAPL', 'BUY', '1', '1'], ['I', 'NIFTY', 'BUY', '1', '1']);
    const book = new PortfolioBook({ currencyOf: (s) => (instrumentSymbol(s) === 'NIFTY' ? 'INR' : 'USD') });
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    book.onQuote(quote('NIFTY', 2, 2, 0));
    const byCur = Object.fromEntries(book.totals(0).currencies.map((c) => [c.currency, c]));
    expect(str(byCur.INR!.unrealized)).toBe('1');
    expect(byCur.USD!.unrealized).toBeNull();
  });

  it('incremental totals equal a full recomputation (property)', () => {
    const symbols = ['A', 'B', 'C', 'D'];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), pid: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), sym: fc.constantFrom(...symbols), buy: fc.boolean(), q: fc.integer({ min: 1, max: 5 }), p: fc.integer({ min: 1, max: 2000 }) }),
      fc.record({ kind: fc.constant('quote' as const), sym: fc.constantFrom(...symbols), bid: fc.option(fc.integer({ min: 1, max: 2000 })), spread: fc.integer({ min: -2, max: 50 }), dt: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom<MarkPolicy>('mid', 'conservative'), fc.array(step, { maxLength: 120 }), (policy, steps) => {
        const ledger = new FifoLedger({ multiplierOf: () => multiplier(100) });
        const quotes = new Map<string, Quote>();
        const book = new PortfolioBook({ markPolicy: policy, staleAfterMs: 5000, quoteOf: (sym) => quotes.get(instrumentSymbol(sym)) });
        const symOf = new Map<string, string>();
        let now = 0;
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'fill') {
            const sym = symOf.get(s.pid) ?? s.sym;
            symOf.set(s.pid, sym);
            const r = ledger.apply(makeFill({ fill_id: `f${n++}`, position_id: s.pid, symbol: sym, side: s.buy ? 'BUY' : 'SELL', quantity: s.q, price: s.p / 100, time: now }));
            if (r.ok) for (const c of r.changes) book.setPosition(sim(c.position.symbol), c.position);
          } else {
            now += s.dt;
            const bid = s.bid === null ? null : s.bid / 100;
            const q = quote(s.sym, bid, bid === null ? 1 : (s.bid! + s.spread) / 100, now);
            quotes.set(s.sym, q);
            book.onQuote(q);
          }
        }
        // full recomputation
        let known = 0n;
        let unknown = 0;
        for (const p of ledger.positions() as PositionSnapshot[]) {
          if (p.quantity_remaining === 0n) continue;
          const q = quotes.get(p.symbol);
          const m = q ? markOf(quotePrices(q), policy, p.side) : null;
          if (!q || !m || !m.ok || now - q.receivedAt > 5000) unknown++;
          else known += unrealizedAt(p, m.markX2) as bigint;
        }
        const t = book.totals(now).currencies[0];
        if (!t) return steps.every((s) => s.kind === 'quote');
        expect(t.unknown_count).toBe(unknown);
        expect(t.unrealized_known).toBe(known);
        expect(t.realized).toBe(ledger.realizedTotals().net);
        expect(t.unrealized === null).toBe(unknown > 0);
      }),
      { numRuns: 400 },
    );
  });

  it('rows indexed by the cache\'s symbol ids agree with a full recomputation for every policy, quantity size and currency (property)', () => {
    // Quantities include fractional and very large ones: a group's Σunits that does not reduce
    // into 64 bits takes the exact bigint path, and the two paths must agree to the last digit.
    const symbols = ['A', 'B', 'C', 'D'];
    const mult: Record<string, number> = { A: 100, B: 1, C: 0.01, D: 25 };
    const qtyArb = fc.oneof(
      fc.integer({ min: 1, max: 5 }).map(String),
      fc.integer({ min: 1, max: 999_999 }).map((n) => (n / 1e6).toFixed(6)),
      fc.constantFrom('123456789012.123456789', '98765432109.87654321', '7.000000001'),
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), pid: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), sym: fc.constantFrom(...symbols), buy: fc.boolean(), q: qtyArb, p: fc.integer({ min: 1, max: 2000 }) }),
      fc.record({ kind: fc.constant('quote' as const), sym: fc.constantFrom(...symbols), bid: fc.option(fc.integer({ min: 1, max: 2000 })), spread: fc.integer({ min: -2, max: 50 }), last: fc.option(fc.integer({ min: 0, max: 2000 })), dt: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ kind: fc.constant('remove' as const), pid: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6') }),
    );
    fc.assert(
      fc.property(fc.constantFrom<MarkPolicy>('mid', 'conservative', 'last'), fc.array(step, { maxLength: 100 }), (policy, steps) => {
        let now = 0;
        const table = new SymbolTable<InstrumentId>();
        table.intern(sim('UNHELD')); // ids of the book's symbols do not start at 0
        const cache = new QuoteCache({ now: () => now }, { symbols: table });
        const ledger = new FifoLedger({ multiplierOf: (s) => multiplier(mult[s]!) });
        const opts = { markPolicy: policy, staleAfterMs: (s: InstrumentId) => (s === sim('C') ? 2000 : 5000), currencyOf: (s: InstrumentId) => (s === sim('D') ? 'INR' : 'USD'), quoteOf: (s: InstrumentId) => cache.get(s) };
        const shared = new PortfolioBook({ ...opts, symbols: table });
        const own = new PortfolioBook(opts);
        cache.onQuote((q) => {
          shared.onQuote(q);
          own.onQuote({ ...q, sid: undefined });
        });
        const symOf = new Map<string, string>();
        const removed = new Set<string>();
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'fill') {
            const sym = symOf.get(s.pid) ?? s.sym;
            symOf.set(s.pid, sym);
            const r = ledger.apply(makeFill({ fill_id: `f${n++}`, position_id: s.pid, symbol: sym, side: s.buy ? 'BUY' : 'SELL', quantity: s.q, price: s.p / 100, time: now }));
            if (r.ok) {
              for (const c of r.changes) {
                shared.setPosition(sim(c.position.symbol), c.position);
                own.setPosition(sim(c.position.symbol), c.position);
                removed.delete(c.position.key);
              }
            }
          } else if (s.kind === 'remove') {
            for (const p of ledger.positions()) {
              if (p.position_id !== s.pid) continue;
              shared.removePosition(p.key);
              own.removePosition(p.key);
              removed.add(p.key);
            }
          } else {
            now += s.dt;
            const bid = s.bid === null ? null : s.bid / 100;
            cache.put({ ...quote(s.sym, bid, bid === null ? 1 : (s.bid! + s.spread) / 100, now, s.last === null ? null : s.last / 100), source: 'stream' });
          }
        }
        // Full recomputation from the ledger and the cache, per currency.
        const expected = new Map<string, { known: bigint; unknown: string[]; open: number }>();
        for (const p of ledger.positions() as PositionSnapshot[]) {
          if (p.quantity_remaining === 0n || removed.has(p.key)) continue;
          const cur = p.symbol === 'D' ? 'INR' : 'USD';
          const e = expected.get(cur) ?? { known: 0n, unknown: [], open: 0 };
          expected.set(cur, e);
          e.open++;
          const q = cache.get(sim(p.symbol));
          const m = q ? markOf(quotePrices(q), policy, p.side) : null;
          const reason = !q ? 'no_quote' : !m!.ok ? m!.reason : now - q.receivedAt > (p.symbol === 'C' ? 2000 : 5000) ? 'stale_quote' : null;
          if (reason === null) e.known += unrealizedAt(p, (m as { markX2: bigint }).markX2) as bigint;
          else e.unknown.push(`${p.key}:${reason}`);
        }
        for (const book of [shared, own]) {
          for (const t of book.totals(now).currencies) {
            const e = expected.get(t.currency) ?? { known: 0n, unknown: [], open: 0 };
            expect(t.open_positions).toBe(e.open);
            expect(t.unrealized_known).toBe(e.known);
            expect(t.unknown.map((u) => `${u.key}:${u.reason}`).sort()).toEqual([...e.unknown].sort());
            expect(t.unrealized === null).toBe(e.unknown.length > 0);
          }
          for (const k of book.openKeys()) {
            const v = book.value(k, now)!;
            const p = book.position(k)!;
            expect(v.unrealized).toBe(v.reason === null ? unrealizedAt(p, v.markX2!) : null);
          }
        }
        expect(shared.instruments().sort()).toEqual(own.instruments().sort());
      }),
      { numRuns: 300 },
    );
  });

  // Issue 12 item 3: the limit is the plausible maximum price (market/quote.ts, $10 million), the
  // same rule as the row's (quotePrices) — it was the 64-bit mark limit (~$461 million) before.
  it('a price above the plausible maximum is a bad price, not a wrong number', () => {
    const l = ledgerWith(['A', 'X', 'BUY', '1', '10']);
    const book = new PortfolioBook();
    for (const p of l.positions()) book.setPosition(sim(p.symbol), p);
    book.onQuote(quote('X', 500_000_000, 500_000_001, 0));
    expect(book.value('A#0', 0)).toMatchObject({ unrealized: null, reason: 'bad_price' });
    book.onQuote(quote('X', 9_999_999, 10_000_001, 0));
    expect(book.value('A#0', 0)).toMatchObject({ unrealized: null, reason: 'bad_price' });
    book.onQuote(quote('X', 9_999_999, 10_000_000, 1));
    expect(str(book.value('A#0', 1)!.unrealized)).toBe('9999989.5');
  });
});

describe('PortfolioBook keyed by InstrumentId (issue 15)', () => {
  const a = instrumentId('a', 'X');
  const b = instrumentId('b', 'X');
  const tick = (instrument: InstrumentId, bid: number, ask: number, at: number): Quote => ({
    instrument, symbol: 'X', bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: at, receivedAt: at,
  });

  it('values positions on a:X and b:X each from its own venue quote, with exact totals', () => {
    // Two positions in the same venue symbol X, one per venue: 10 long at 100.00 on a, 4 short at 250.10 on b.
    const l = ledgerWith(['PA', 'X', 'BUY', '10', '100.00', '0.50'], ['PB', 'X', 'SELL', '4', '250.10', '0.25']);
    const table = new SymbolTable<InstrumentId>();
    const cache = new QuoteCache({ now: () => 0 }, { symbols: table });
    const book = new PortfolioBook({ symbols: table, quoteOf: (i) => cache.get(i) });
    cache.onQuote((q) => book.onQuote(q));
    book.setPosition(a, l.get('PA', 0)!);
    book.setPosition(b, l.get('PB', 0)!);
    expect(book.instruments().sort()).toEqual([a, b]);
    // Only a's quote: b's position is unknown (a's price never values it).
    cache.put(tick(a, 101.1, 101.3, 1000));
    let t = book.totals(1000).currencies[0]!;
    expect(str(t.unrealized_known)).toBe('12'); // (101.20 − 100.00) × 10
    expect(t.unknown).toEqual([{ key: 'PB#0', instrument: b, symbol: 'X', reason: 'no_quote' }]);
    expect(t.unrealized).toBeNull();
    // b's quote values b only.
    cache.put(tick(b, 249.9, 250.1, 1200));
    t = book.totals(1200).currencies[0]!;
    expect(str(t.unrealized)).toBe('12.4'); // 12 + (250.10 − 250.00) × 4
    expect(str(t.realized)).toBe('-0.75'); // the fees
    expect(str(t.total)).toBe('11.65');
    expect(book.value('PA#0', 1200)).toMatchObject({ instrument: a, symbol: 'X', reason: null });
    expect(str(book.value('PA#0', 1200)!.unrealized)).toBe('12');
    expect(str(book.value('PB#0', 1200)!.unrealized)).toBe('0.4');
    // A new quote on a moves a's position only, and the total by exactly its change.
    cache.put(tick(a, 99.9, 100.1, 1300));
    t = book.totals(1300).currencies[0]!;
    expect(str(book.value('PA#0', 1300)!.unrealized)).toBe('0');
    expect(str(book.value('PB#0', 1300)!.unrealized)).toBe('0.4');
    expect(str(t.unrealized)).toBe('0.4');
    // The same book fed without the shared table (looked up by the quote's instrument) agrees.
    const own = new PortfolioBook();
    own.setPosition(a, l.get('PA', 0)!);
    own.setPosition(b, l.get('PB', 0)!);
    own.onQuote(tick(b, 249.9, 250.1, 1200));
    own.onQuote(tick(a, 99.9, 100.1, 1300));
    expect(own.totals(1300).currencies[0]!.unrealized).toBe(t.unrealized);
  });

  it('cannot be keyed by a bare symbol (type level)', () => {
    const book = new PortfolioBook();
    const l = ledgerWith(['P', 'X', 'BUY', '1', '1']);
    // @ts-expect-error a venue symbol is not an InstrumentId: the position's venue must be named
    book.setPosition('X', l.get('P', 0)!);
    expect(book.size).toBe(1);
  });
});
