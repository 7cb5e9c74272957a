import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { midOf, type Quote } from '../../../../src/core/market/quote';

const q = (symbol: string, bid: number | null, ask: number | null, receivedAt: number): Quote => ({
  symbol, bid, ask, last: null, bidSize: null, askSize: null, exchangeTime: null, receivedAt,
});

describe('QuoteCache', () => {
  it('stores the quote before notifying, keeps the latest per symbol, and ages it with the clock', () => {
    const clock = new ManualClock(10_000);
    const cache = new QuoteCache(clock);
    const seenInCache: (number | null)[] = [];
    cache.onQuote((quote) => seenInCache.push(cache.get(quote.symbol)!.bid));
    cache.put(q('SPY', 1.1, 1.2, 10_000));
    cache.put(q('SPY', 1.15, 1.25, 10_000));
    expect(seenInCache).toEqual([1.1, 1.15]);
    expect(cache.size).toBe(1);
    clock.advance(2500);
    expect(cache.ageMs('SPY')).toBe(2500);
    expect(cache.ageMs('QQQ')).toBeNull();
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
