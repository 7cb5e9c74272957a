import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { midOf, type Quote } from '../../../../src/core/market/quote';
import { SymbolTable } from '../../../../src/core/market/symbol-table';
import { sim, sims } from '../../../helpers/ids';
import { instrumentId, type InstrumentId } from '../../../../src/core/model/ids';

const q = (symbol: string, bid: number | null, ask: number | null, receivedAt: number): Quote => ({
  instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: null, askSize: null, exchangeTime: null, receivedAt,
});

describe('QuoteCache', () => {
  it('stores the quote before notifying, keeps the latest per symbol, and ages it with the clock', () => {
    const clock = new ManualClock(10_000);
    const cache = new QuoteCache(clock);
    const seenInCache: (number | null)[] = [];
    cache.onQuote((quote) => seenInCache.push(cache.get(quote.instrument)!.bid));
    cache.put(q('SPY', 1.1, 1.2, 10_000));
    cache.put(q('SPY', 1.15, 1.25, 10_000));
    expect(seenInCache).toEqual([1.1, 1.15]);
    expect(cache.size).toBe(1);
    clock.advance(2500);
    expect(cache.ageMs(sim('SPY'))).toBe(2500);
    expect(cache.ageMs(sim('QQQ'))).toBeNull();
  });

  it('merges book updates and trades, keeping their receive times apart', () => {
    const clock = new ManualClock(1000);
    const cache = new QuoteCache(clock);
    cache.applyQuote({ instrument: sim('AAPL'), symbol: 'AAPL', bid: 10, ask: 10.2, bidSize: 3, askSize: 4, exchangeTime: 990, receivedAt: 1000 });
    cache.applyTrade({ instrument: sim('AAPL'), symbol: 'AAPL', price: 10.1, size: 5, exchangeTime: 1995, receivedAt: 2000 });
    const merged = cache.get(sim('AAPL'))!;
    expect(merged).toMatchObject({ bid: 10, ask: 10.2, last: 10.1, bidSize: 3, bookReceivedAt: 1000, lastReceivedAt: 2000, receivedAt: 2000 });
    cache.applyQuote({ instrument: sim('AAPL'), symbol: 'AAPL', bid: 10.05, ask: 10.25, bidSize: 1, askSize: 1, exchangeTime: 2990, receivedAt: 3000 });
    expect(cache.get(sim('AAPL'))).toMatchObject({ bid: 10.05, last: 10.1, lastReceivedAt: 2000, bookReceivedAt: 3000 });
    // a trade before any book leaves the book unknown, not zero
    cache.applyTrade({ instrument: sim('MSFT'), symbol: 'MSFT', price: 400, size: null, exchangeTime: null, receivedAt: 3000 });
    expect(cache.get(sim('MSFT'))).toMatchObject({ bid: null, ask: null, last: 400, bookReceivedAt: null });
  });

  it('is stale past the per-venue threshold, and a missing quote is stale', () => {
    const clock = new ManualClock(0);
    const cache = new QuoteCache(clock, { staleAfterMs: 2000 });
    cache.put(q('SPY', 1, 2, 0));
    expect(cache.isStale(sim('SPY'))).toBe(false);
    clock.advance(2000);
    expect(cache.isStale(sim('SPY'))).toBe(false);
    clock.advance(1);
    expect(cache.isStale(sim('SPY'))).toBe(true);
    expect(cache.isStale(sim('NOPE'))).toBe(true);
  });

  it('marks by policy and never invents a price', () => {
    const clock = new ManualClock(0);
    const cache = new QuoteCache(clock, { staleAfterMs: 5000 });
    cache.applyQuote({ instrument: sim('X'), symbol: 'X', bid: 1.0, ask: 1.2, bidSize: 1, askSize: 1, exchangeTime: 0, receivedAt: 0 });
    expect(cache.mark(sim('X'))).toMatchObject({ value: 1.1, basis: 'mid', stale: false, reason: null });
    expect(cache.mark(sim('X'), 'LONG', 'conservative')).toMatchObject({ value: 1.0, basis: 'bid' });
    expect(cache.mark(sim('X'), 'SHORT', 'conservative')).toMatchObject({ value: 1.2, basis: 'ask' });
    expect(cache.mark(sim('X'), 'LONG', 'last')).toMatchObject({ value: null, reason: 'no last trade' });
    expect(cache.mark(sim('NOPE'))).toMatchObject({ value: null, reason: 'no quote' });
    cache.applyQuote({ instrument: sim('Y'), symbol: 'Y', bid: 0, ask: 0.05, bidSize: 0, askSize: 1, exchangeTime: 0, receivedAt: 0 });
    expect(cache.mark(sim('Y'))).toMatchObject({ value: null, reason: 'no two-sided market for a mid' });
    expect(cache.mark(sim('Y'), 'LONG', 'conservative')).toMatchObject({ value: null, reason: 'no bid' });
    clock.advance(6000);
    const stale = cache.mark(sim('X'));
    expect(stale).toMatchObject({ value: 1.1, stale: true, ageMs: 6000 });
    expect(stale.reason).toContain('6000 ms old');
    // a fresh trade does not make an old book's mid fresh
    cache.applyTrade({ instrument: sim('X'), symbol: 'X', price: 1.15, size: 1, exchangeTime: 6000, receivedAt: 6000 });
    expect(cache.mark(sim('X')).stale).toBe(true);
    expect(cache.mark(sim('X'), 'LONG', 'last')).toMatchObject({ value: 1.15, stale: false });
  });

  it('holds one venue subscription per symbol however many consumers ask (ref counts)', () => {
    const cache = new QuoteCache(new ManualClock(0));
    const deltas: { added: InstrumentId[]; removed: InstrumentId[] }[] = [];
    cache.onSubscriptionChange((d) => deltas.push(d));
    expect(cache.ensureSubscribed('pnl', sims('SPY', 'AAPL'))).toEqual({ added: sims('SPY', 'AAPL'), removed: [] });
    expect(cache.ensureSubscribed('ui', sims('SPY', 'QQQ')).added).toEqual(sims('QQQ'));
    expect(cache.ensureSubscribed('ui', sims('SPY')).added).toEqual([]); // idempotent per consumer
    expect(cache.refCount(sim('SPY'))).toBe(2);
    expect(cache.release('pnl', sims('SPY')).removed).toEqual([]);
    expect(cache.release('pnl').removed).toEqual(sims('AAPL'));
    expect(cache.replaceSubscriptions('ui', sims('QQQ', 'IWM'))).toEqual({ added: sims('IWM'), removed: sims('SPY') });
    expect(cache.subscribedInstruments().sort()).toEqual(sims('IWM', 'QQQ'));
    expect(cache.release('nobody').removed).toEqual([]);
    // listeners only hear real changes
    expect(deltas.every((d) => d.added.length + d.removed.length > 0)).toBe(true);
    expect(deltas.length).toBe(4);
  });
});

describe('midOf', () => {
  it('is unknown unless both sides are present and sane', () => {
    expect(midOf({ bid: 1, ask: 1.5 })).toBe(1.25);
    expect(midOf({ bid: null, ask: 1.5 })).toBeNull();
    expect(midOf({ bid: 0, ask: 1.5 })).toBeNull();
    expect(midOf({ bid: 2, ask: 1.5 })).toBeNull();
  });
});

describe('QuoteCache listener isolation', () => {
  it('a throwing listener is counted and does not stop the others', () => {
    const cache = new QuoteCache(new ManualClock(0));
    const seen: string[] = [];
    cache.onQuote(() => {
      throw new Error('consumer bug');
    });
    cache.onQuote((quote) => seen.push(quote.symbol));
    cache.put(q('SPY', 1, 2, 0));
    expect(seen).toEqual(['SPY']);
    expect(cache.get(sim('SPY'))).toBeDefined();
    expect(cache.stats.listenerErrors).toBe(1);
    expect(cache.lastListenerError).toBe('consumer bug');
  });

  it('interns each symbol once and stamps its id on every quote it stores (shared table)', () => {
    const clock = new ManualClock(0);
    const table = new SymbolTable<InstrumentId>();
    table.intern(sim('SPY'));
    const cache = new QuoteCache(clock, { symbols: table });
    expect(cache.symbols).toBe(table);
    const seen: Quote[] = [];
    cache.onQuote((x) => seen.push(x));
    cache.applyQuote({ instrument: sim('AAPL'), symbol: 'AAPL', bid: 1, ask: 2, bidSize: 1, askSize: 1, exchangeTime: null, receivedAt: 0 });
    cache.applyTrade({ instrument: sim('SPY'), symbol: 'SPY', price: 3, size: 1, exchangeTime: null, receivedAt: 1 });
    const foreign = { ...q('QQQ', 1, 2, 2), sid: 0 }; // an id from some other table
    cache.put(foreign);
    expect(seen.map((x) => [x.symbol, x.sid])).toEqual([['AAPL', 1], ['SPY', 0], ['QQQ', 2]]);
    expect(cache.get(sim('QQQ'))).toBe(foreign); // stored as given, with the cache's id stamped on it
    expect(foreign.sid).toBe(2);
    expect(cache.all().map((x) => x.symbol).sort()).toEqual(['AAPL', 'QQQ', 'SPY']);
    cache.clear();
    expect([cache.size, cache.get(sim('AAPL'))]).toEqual([0, undefined]);
    cache.put(q('AAPL', 1, 2, 3));
    expect([cache.size, cache.get(sim('AAPL'))!.sid]).toEqual([1, 1]); // ids survive a clear
  });
});

describe('QuoteCache keyed by InstrumentId (issue 15)', () => {
  it('keeps the same symbol at two venues as two separate quotes', () => {
    const clock = new ManualClock(0);
    const cache = new QuoteCache(clock);
    const a = instrumentId('sim', 'AAPL');
    const b = instrumentId('sim2', 'AAPL');
    cache.applyQuote({ instrument: a, symbol: 'AAPL', bid: 100, ask: 100.2, bidSize: 1, askSize: 1, exchangeTime: null, receivedAt: 0 });
    cache.applyQuote({ instrument: b, symbol: 'AAPL', bid: 200, ask: 200.4, bidSize: 2, askSize: 2, exchangeTime: null, receivedAt: 0 });
    cache.applyTrade({ instrument: b, symbol: 'AAPL', price: 200.1, size: 1, exchangeTime: null, receivedAt: 1 });
    expect(cache.size).toBe(2);
    expect(cache.get(a)).toMatchObject({ instrument: 'sim:AAPL', symbol: 'AAPL', bid: 100, ask: 100.2, last: null });
    expect(cache.get(b)).toMatchObject({ instrument: 'sim2:AAPL', symbol: 'AAPL', bid: 200, ask: 200.4, last: 200.1 });
    expect(cache.get(a)!.sid).not.toBe(cache.get(b)!.sid);
    expect(cache.mark(a).value).toBe(100.1);
    expect(cache.mark(b).value).toBe(200.2);
    // one subscription per instrument: both venues' AAPL are held, releasing one keeps the other
    expect(cache.ensureSubscribed('x', [a, b]).added).toEqual([a, b]);
    expect(cache.release('x', [a]).removed).toEqual([a]);
    expect(cache.subscribedInstruments()).toEqual([b]);
  });

  it('cannot be asked by a bare symbol (type level)', () => {
    const cache = new QuoteCache(new ManualClock(0));
    // @ts-expect-error a venue symbol is not an InstrumentId: the venue must be named
    expect(cache.get('AAPL')).toBeUndefined();
    // @ts-expect-error a tick without its instrument is refused at compile time
    const tick: Parameters<QuoteCache['applyQuote']>[0] = { symbol: 'AAPL', bid: 1, ask: 2, bidSize: 1, askSize: 1, exchangeTime: null, receivedAt: 0 };
    expect(tick.symbol).toBe('AAPL');
  });
});
