import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { LtpProvider } from '../../../../src/core/market/ltp-provider';
import type { Quote } from '../../../../src/core/market/quote';
import { sim, sims } from '../../../helpers/ids';
import { instrumentSymbol, type InstrumentId } from '../../../../src/core/model/ids';

const quote = (instrument: InstrumentId, bid: number, at: number): Quote => ({
  instrument, symbol: instrumentSymbol(instrument), bid, ask: bid + 0.1, last: null, bidSize: 1, askSize: 1, exchangeTime: at, receivedAt: at,
});

/** Lets pending promise callbacks run (the fake REST call resolves on a microtask). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(opts: { fail?: boolean; missing?: string[] } = {}) {
  const clock = new ManualClock(100_000);
  const cache = new QuoteCache(clock, { staleAfterMs: 5000 });
  const calls: string[][] = [];
  const ltp = new LtpProvider({
    cache,
    clock,
    batchWindowMs: 10,
    refreshesPerMinute: 60,
    burst: 2,
    minSymbolIntervalMs: 2000,
    fetchLatest: (symbols) => {
      calls.push([...symbols]);
      if (opts.fail) return Promise.reject(new Error('HTTP 500 internal error'));
      return Promise.resolve(symbols.filter((s) => !opts.missing?.includes(instrumentSymbol(s))).map((s) => quote(s, 50, clock.now() - 1)));
    },
  });
  return { clock, cache, calls, ltp };
}

describe('LtpProvider', () => {
  it('answers from the cache when fresh, without any REST call', async () => {
    const { cache, calls, ltp } = setup();
    cache.put(quote(sim('SPY'), 500, 100_000));
    const r = await ltp.getFresh(sim('SPY'));
    expect(r).toMatchObject({ fresh: true, source: 'cache', reason: null });
    expect(calls).toEqual([]);
    expect(cache.stats.freshHits).toBe(1);
  });

  it('makes one shared REST refresh for many consumers of stale symbols, and records it', async () => {
    const { clock, cache, calls, ltp } = setup();
    cache.put(quote(sim('SPY'), 500, 90_000)); // 10 s old: stale
    const events: unknown[] = [];
    cache.onEvent((e) => events.push(e));
    const answers = Promise.all([ltp.getFresh(sim('SPY')), ltp.getFresh(sim('SPY')), ltp.getFresh(sim('AAPL')), ltp.getFresh(sim('SPY'))]);
    clock.advance(10);
    await settle();
    const results = await answers;
    expect(calls).toEqual([sims('SPY', 'AAPL')]);
    for (const r of results) expect(r).toMatchObject({ fresh: true, source: 'rest' });
    expect(cache.get(sim('SPY'))!.source).toBe('rest');
    expect(cache.stats.restRefreshes).toBe(1);
    expect(cache.stats.joinedRefreshes).toBe(2);
    expect(events).toEqual([expect.objectContaining({ kind: 'rest_refresh', ok: true, symbols: sims('SPY', 'AAPL'), received: 2 })]);
  });

  it('does not refresh the same symbol again within the minimum interval, and says so', async () => {
    const { clock, calls, ltp } = setup({ missing: ['ZZZ'] });
    const first = ltp.getFresh(sim('ZZZ'));
    clock.advance(10);
    await settle();
    expect(await first).toMatchObject({ fresh: false, quote: null, reason: 'the venue has no quote for this symbol' });
    const second = await ltp.getFresh(sim('ZZZ'));
    expect(second.fresh).toBe(false);
    expect(second.reason).toContain('refreshed');
    expect(calls.length).toBe(1);
    clock.advance(2000);
    const third = ltp.getFresh(sim('ZZZ'));
    clock.advance(10);
    await settle();
    await third;
    expect(calls.length).toBe(2);
  });

  it('respects the token bucket: a third batch waits for a token instead of calling at once', async () => {
    const { clock, calls, ltp } = setup();
    for (const s of ['A', 'B']) {
      const p = ltp.getFresh(sim(s));
      clock.advance(10);
      await settle();
      await p;
    }
    expect(calls.length).toBe(2); // burst of 2 spent
    const p = ltp.getFresh(sim('C'));
    clock.advance(10);
    await settle();
    expect(calls.length).toBe(2); // no token yet
    clock.advance(1000); // 60/min → one token per second
    await settle();
    expect((await p).source).toBe('rest');
    expect(calls.length).toBe(3);
  });

  it('reports a failed refresh with the stale quote and the error, never a fake fresh one', async () => {
    const { clock, cache, ltp } = setup({ fail: true });
    cache.put(quote(sim('SPY'), 500, 90_000));
    const p = ltp.getFresh(sim('SPY'));
    clock.advance(10);
    await settle();
    const r = await p;
    expect(r).toMatchObject({ fresh: false, source: 'rest' });
    expect(r.quote!.bid).toBe(500);
    expect(r.reason).toContain('HTTP 500');
    expect(cache.stats.restFailures).toBe(1);
  });

  it('dispose answers waiting callers and leaves no timer behind', async () => {
    const { clock, ltp } = setup();
    const p = ltp.getFresh(sim('SPY'));
    expect(clock.pendingTimers()).toBe(1);
    ltp.dispose();
    expect(clock.pendingTimers()).toBe(0);
    expect(await p).toMatchObject({ fresh: false, reason: 'the LTP provider is stopped' });
    expect((await ltp.getFresh(sim('QQQ'))).fresh).toBe(false);
  });

  it('a REST quote without a last trade keeps the cached last and its own time (mid: last not wiped)', async () => {
    const { clock, cache, ltp } = setup();
    cache.applyTrade({ instrument: sim('SPY'), symbol: 'SPY', price: 501.25, size: 1, exchangeTime: 90_000, receivedAt: 90_000 });
    cache.applyQuote({ instrument: sim('SPY'), symbol: 'SPY', bid: 500, ask: 500.1, bidSize: 1, askSize: 1, exchangeTime: 91_000, receivedAt: 91_000 });
    const p = ltp.getFresh(sim('SPY'));
    clock.advance(10);
    await settle();
    expect((await p).fresh).toBe(true);
    const q = cache.get(sim('SPY'))!;
    expect(q.bid).toBe(50); // the REST book
    expect(q.bookReceivedAt).toBe(100_010);
    expect(q.last).toBe(501.25); // was null: the refresh wiped the last trade
    expect(q.lastReceivedAt).toBe(90_000); // the trade's own time, not the refresh's
  });

  it('under the last policy a REST quote with trades keeps the mark known and fresh; without, it stays as old as it is', async () => {
    const clock = new ManualClock(100_000);
    const cache = new QuoteCache(clock, { staleAfterMs: 5000, markPolicy: 'last' });
    let withTrade = true;
    const ltp = new LtpProvider({
      cache,
      clock,
      batchWindowMs: 10,
      minSymbolIntervalMs: 0,
      fetchLatest: (symbols) => Promise.resolve(symbols.map((s) => ({ ...quote(s, 50, clock.now()), last: withTrade ? 50.05 : null }))),
    });
    cache.applyTrade({ instrument: sim('AAPL'), symbol: 'AAPL', price: 228, size: 1, exchangeTime: 90_000, receivedAt: 90_000 });
    const p = ltp.getFresh(sim('AAPL'));
    clock.advance(10);
    await settle();
    expect(await p).toMatchObject({ fresh: true, source: 'rest' });
    expect(cache.mark(sim('AAPL'))).toMatchObject({ value: 50.05, basis: 'last', stale: false });
    withTrade = false;
    clock.advance(6000);
    const p2 = ltp.getFresh(sim('AAPL'));
    clock.advance(10);
    await settle();
    expect(await p2).toMatchObject({ fresh: false, source: 'rest' });
    // Stale (the last trade is 6 s old), never "no last trade": the price is known, just old.
    expect(cache.get(sim('AAPL'))!.last).toBe(50.05);
    expect(cache.mark(sim('AAPL'))).toMatchObject({ value: 50.05, stale: true });
  });
});
