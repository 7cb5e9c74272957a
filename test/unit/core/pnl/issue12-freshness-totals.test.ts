/**
 * Issue 12 items 1 and 2: totals that include every structure, and a mark's age that is the age
 * of what it was computed from (the book for mid/conservative, the last trade for last).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { markTimeOf } from '../../../../src/core/market/mark';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { PortfolioBook } from '../../../../src/core/pnl/book';
import { makeFill, FifoLedger } from '../../../../src/core/pnl/fifo';
import { positionView } from '../../../../src/core/pnl/metrics';
import { valueStructure } from '../../../../src/core/pnl/structure';
import { modelDelta } from '../../../../src/core/greeks/model-delta';
import { occInstrument } from '../../../../src/core/model/occ';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { qty, multiplier, money } from '../../../../src/core/model/money';
import { withStructureTotals, totalsOf, type PnlSnapshotWire } from '../../../../src/core/pnl/revalue';
import { toQuoteWire } from '../../../../src/node/live-portfolio';
import { sim } from '../../../helpers/ids';

const T0 = Date.UTC(2026, 10, 20, 15);

/** A cache holding SPY with a book received at `bookAt` and a trade at `tradeAt`. */
function cacheWith(bookAt: number, tradeAt: number, now: number) {
  const clock = new ManualClock(Math.min(bookAt, tradeAt));
  const cache = new QuoteCache(clock);
  const first = bookAt <= tradeAt ? 'book' : 'trade';
  const book = () => cache.applyQuote({ instrument: sim('SPY'), symbol: 'SPY', bid: 580, ask: 581, bidSize: 1, askSize: 1, exchangeTime: bookAt, receivedAt: bookAt });
  const trade = () => cache.applyTrade({ instrument: sim('SPY'), symbol: 'SPY', price: 580.7, size: 1, exchangeTime: tradeAt, receivedAt: tradeAt });
  if (first === 'book') {
    book();
    trade();
  } else {
    trade();
    book();
  }
  return { cache, clock, now };
}

function longSpy() {
  const l = new FifoLedger({ multiplierOf: () => multiplier(1) });
  const r = l.apply(makeFill({ fill_id: 'f1', position_id: 'p1', symbol: 'SPY', side: 'BUY', quantity: 10, price: 580, time: T0 }));
  if (!r.ok) throw new Error('fill');
  return r.changes[0]!.position;
}

describe('a trade print never makes an old book fresh, nor a fresh book an old trade (item 2)', () => {
  // book 61 s old, trade 1 s old
  const now = T0 + 61_000;
  const oldBook = () => cacheWith(T0, now - 1000, now);
  // trade two hours old, book 1 s old
  const oldTrade = () => cacheWith(now - 1000, now - 2 * 3600_000, now);

  it('QuoteCache: age and staleness follow the mark policy, not the latest update', () => {
    const { cache } = oldBook();
    const clock = new ManualClock(now);
    const c2 = new QuoteCache(clock);
    c2.put(cache.get(sim('SPY'))!);
    expect(c2.ageMs(sim('SPY'))).toBe(61_000);
    expect(c2.isStale(sim('SPY'))).toBe(true);
    expect(c2.mark(sim('SPY')).stale).toBe(true);
    c2.markPolicy = 'last';
    expect(c2.ageMs(sim('SPY'))).toBe(1000);
    expect(c2.isStale(sim('SPY'))).toBe(false);
  });

  it('the P&L book: mid from an old book is stale despite a fresh trade; last from an old trade is stale despite a fresh book', () => {
    const a = oldBook();
    const book = new PortfolioBook({ markPolicy: 'mid', quoteOf: (s) => a.cache.get(s) });
    book.setPosition(sim('SPY'), longSpy());
    expect(book.value('p1#0', now)!.reason).toBe('stale_quote');
    expect(book.totals(now).currencies[0]!.unrealized).toBeNull();
    const b = oldTrade();
    const last = new PortfolioBook({ markPolicy: 'last', quoteOf: (s) => b.cache.get(s) });
    last.setPosition(sim('SPY'), longSpy());
    expect(last.value('p1#0', now)!.reason).toBe('stale_quote');
    expect(last.totals(now).currencies[0]!.unrealized).toBeNull();
    // …and a quote arriving through onQuote keeps the same rule
    const fresh = new PortfolioBook({ markPolicy: 'mid' });
    fresh.setPosition(sim('SPY'), longSpy());
    fresh.onQuote(a.cache.get(sim('SPY'))!);
    expect(fresh.value('p1#0', now)!.reason).toBe('stale_quote');
    expect(fresh.totals(now).as_of).toBeNull();
  });

  it('positionView (the row and the renderer): reason, age and received-at are the mark inputs\'', () => {
    const { cache } = oldBook();
    const v = positionView({ position: longSpy(), quote: cache.get(sim('SPY')), now, config: { markPolicy: 'mid' } });
    expect(v.unknown_reason).toBe('stale_quote');
    expect(v.unrealized_value).toBeNull();
    expect(v.quote_age_sec).toBe(61);
    expect(v.quote_received_at).toBe(T0);
    const b = oldTrade();
    const l = positionView({ position: longSpy(), quote: b.cache.get(sim('SPY')), now, config: { markPolicy: 'last' } });
    expect(l.unknown_reason).toBe('stale_quote');
    expect(l.quote_age_sec).toBe(7200);
    // the same quote over the wire keeps both times apart
    const w = toQuoteWire(cache.get(sim('SPY'))!);
    expect(w).toMatchObject({ receivedAt: now - 1000, bookReceivedAt: T0 });
    expect(w.lastReceivedAt).toBeUndefined(); // equal to receivedAt: left out ("absent means receivedAt")
    expect(positionView({ position: longSpy(), quote: w, now, config: { markPolicy: 'mid' } }).unknown_reason).toBe('stale_quote');
    expect(markTimeOf(w, 'mid')).toBe(T0);
  });

  it('structures and the model delta judge a mid by its book', () => {
    const { cache } = oldBook();
    const v = valueStructure(
      { id: 's', name: 's', legs: [{ symbol: 'SPY', quantity: qty(1), multiplier: multiplier(1), entryPrice: null }], netDebit: money('500') },
      { now, quoteOf: (s) => cache.get(sim(s)) },
    );
    expect(v.net_pnl).toBeNull();
    expect(v.legs[0]!.unknown_reason).toBe('stale_quote');
    expect(v.legs[0]!.quote_age_sec).toBe(61);
    const inst = occInstrument('SPY261218C00600000');
    const opt = { bid: 5, ask: 5.2, receivedAt: now - 1000, bookReceivedAt: T0, lastReceivedAt: now - 1000 };
    const und = { bid: 580, ask: 581, receivedAt: now - 1000 };
    const r = modelDelta({ instrument: inst, optionQuote: opt, underlyingQuote: und, now, settings: { staleAfterMs: 5000, riskFreeRate: 0.04, dividendYield: 0 } });
    expect(r).toMatchObject({ ok: false, reason: 'stale_option_quote' });
  });
});

const STRADDLE = JSON.stringify({
  version: 1,
  positions: [
    { id: 'spy', type: 'stock', symbol: 'SPY', side: 'long', quantity: '10', cost_basis: '580', opened_at: '2026-11-01T15:00:00Z' },
    {
      id: 'aapl-straddle',
      type: 'multi_leg',
      name: 'AAPL Dec 230 straddle',
      net_debit: '3120.00',
      opened_at: '2026-11-06T15:20:00Z',
      legs: [
        { underlying: 'AAPL', expiry: '2026-12-18', strike: '230', right: 'call', side: 'long', contracts: '1' },
        { underlying: 'AAPL', expiry: '2026-12-18', strike: '230', right: 'put', side: 'long', contracts: '1' },
      ],
    },
  ],
});

describe('totals include every structure (item 1)', () => {
  it('a structure defined only by net_debit is in the tracker totals, counted as a structure', () => {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock);
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache });
    const p = parsePortfolio(STRADDLE);
    if (!p.ok) throw new Error(JSON.stringify(p.errors));
    tracker.setPortfolio(p.portfolio, null);
    tracker.start();
    const put = (symbol: string, bid: number, ask: number) => cache.put({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
    put('SPY', 581, 581); // +10
    // the straddle's legs are unknown: the totals say so rather than leave it out
    let t = tracker.pnlSnapshot().totals[0]!;
    expect(t.open_positions).toBe(1);
    expect(t.open_structures).toBe(1);
    expect(t.unrealized_pnl).toBeNull();
    expect(t.unknown_count).toBe(1);
    put('AAPL261218C00230000', 10, 10.2); // 10.1 × 100
    put('AAPL261218P00230000', 9, 9.2); // 9.1 × 100 → net mark 1920, net P&L −1200
    t = tracker.pnlSnapshot().totals[0]!;
    expect(t.unrealized_pnl).toBe('-1190');
    expect(t.total_pnl).toBe('-1190');
    expect(tracker.snapshot().pnl.totals[0]!.total_pnl).toBe('-1190');
    // the straddle's legs are needed (subscribed, and named when stale)
    expect(tracker.neededSymbols()).toEqual(expect.arrayContaining(['AAPL261218C00230000', 'AAPL261218P00230000']));
  });

  it('withStructureTotals adds a whole structure once and never one whose legs are positions', () => {
    const base: PnlSnapshotWire = totalsOf([]);
    const legs = [{ symbol: 'X', quantity: '1', multiplier: '100', entry_price: null, instrument: null }];
    const view = { id: 'w', currency: 'USD', currency_decimals: 2, net_pnl: '-5', as_of: 7 } as never;
    const t = withStructureTotals(base, [{ id: 'w', name: 'w', net_debit: '10', currency: 'USD', currency_decimals: 2, legs }], () => view);
    expect(t).toMatchObject({ as_of: 7, currency: 'USD', unrealized: '-5', total: '-5' });
    expect(t.totals[0]!.open_structures).toBe(1);
    const priced = [{ ...legs[0]!, entry_price: '1' }];
    expect(withStructureTotals(base, [{ id: 'w', name: 'w', net_debit: null, currency: 'USD', currency_decimals: 2, legs: priced }], () => view)).toBe(base);
  });
});
