import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import type { Quote } from '../../../../src/core/market/quote';
import { ActivePnlTracker, TRACKER_CONSUMER_ID, type TrackerSubscriptions } from '../../../../src/core/pnl/active-pnl-tracker';
import { makeFill } from '../../../../src/core/pnl/fifo';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { PnlSampleRing } from '../../../../src/core/events/pnl-sample-ring';
import { LtpProvider } from '../../../../src/core/market/ltp-provider';
import { sim, sims } from '../../../helpers/ids';
import { instrumentId, instrumentSymbol, type InstrumentId } from '../../../../src/core/model/ids';

const T0 = Date.UTC(2026, 10, 20, 15);

function setup(opts: { refreshSeconds?: number } = {}) {
  const clock = new ManualClock(T0);
  const cache = new QuoteCache(clock);
  const calls: { op: string; symbols?: readonly string[] }[] = [];
  let subscribed: InstrumentId[] = [];
  const subs: TrackerSubscriptions = {
    replaceSubscriptions: (consumer, symbols) => {
      expect(consumer).toBe(TRACKER_CONSUMER_ID);
      calls.push({ op: 'replace', symbols });
      subscribed = [...symbols];
    },
    release: (consumer) => {
      expect(consumer).toBe(TRACKER_CONSUMER_ID);
      calls.push({ op: 'release' });
      subscribed = [];
    },
    subscribedInstruments: () => subscribed,
  };
  let streaming = true;
  const ring = new PnlSampleRing(100);
  const tracker = new ActivePnlTracker({ venue: 'sim',
    clock,
    quotes: cache,
    subscriptions: subs,
    streamer: () => ({ state: streaming ? 'running' : 'stopped', streaming }),
    refreshSeconds: opts.refreshSeconds ?? 5,
    sampleSink: ring,
  });
  const quote = (symbol: string, bid: number, ask: number, at = clock.now()): void =>
    cache.put({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: at, receivedAt: at } satisfies Quote);
  const fill = (id: string, pid: string, symbol: string, side: 'BUY' | 'SELL', quantity: number, price: number) =>
    tracker.applyFill(makeFill({ fill_id: id, position_id: pid, symbol, side, quantity, price, time: clock.now() }), { executionId: `exec-${id}` });
  return { clock, cache, tracker, calls, ring, quote, fill, setStreaming: (s: boolean) => (streaming = s) };
}

describe('ActivePnlTracker', () => {
  it('keeps the spec snapshot: trades with quantity/entry/mark/unrealized/points/age, totals, last_updated, streamer', () => {
    const { tracker, quote, fill, clock } = setup();
    tracker.start();
    fill('f1', 'p1', 'SPY', 'BUY', 10, 580);
    fill('f2', 'p2', 'QQQ', 'SELL', 5, 500);
    quote('SPY', 581, 581.5);
    quote('QQQ', 499, 499.5);
    clock.advance(1500);
    const s = tracker.snapshot();
    expect(s.trades.map((t) => [t.symbol, t.quantity, t.entry, t.mark, t.unrealized_value, t.unrealized_points, t.quote_age_sec])).toEqual([
      ['SPY', 10, 580, 581.25, '12.5', 1.25, 1.5],
      ['QQQ', -5, 500, 499.25, '3.75', 0.75, 1.5],
    ]);
    expect(s.total_unrealized_value).toBe('16.25');
    expect(s.total_unrealized_points).toBe(2);
    expect(s.pnl).toMatchObject({ currency: 'USD', realized: '0', unrealized: '16.25', total: '16.25' });
    expect(s.last_updated).toBe(clock.now());
    expect(s.streamer).toMatchObject({ state: 'running', streaming: true, last_tick_at: T0, last_tick_age_sec: 1.5, subscriptions: { needed: 2, subscribed: 2, missing: [] } });
    tracker.stop();
  });

  it('unknown is not zero: a stale or missing quote makes the total unknown with the known part kept', () => {
    const { tracker, quote, fill, clock } = setup();
    tracker.start();
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    fill('f2', 'p2', 'QQQ', 'BUY', 1, 100);
    quote('SPY', 101, 101);
    let s = tracker.snapshot();
    expect(s.total_unrealized_value).toBeNull();
    expect(s.pnl.totals[0]).toMatchObject({ unrealized_pnl: null, unrealized_known: '1', unknown_count: 1 });
    expect(s.trades[1]).toMatchObject({ symbol: 'QQQ', unrealized_value: null, unknown_reason: 'no_quote' });
    quote('QQQ', 102, 102);
    clock.advance(5001); // both quotes now older than 5 s
    s = tracker.snapshot();
    expect(s.trades.map((t) => t.unknown_reason)).toEqual(['stale_quote', 'stale_quote']);
    expect(s.total_unrealized_points).toBeNull();
    tracker.stop();
  });

  it('readers get a frozen snapshot; the same object while nothing changed, a new one after a tick', () => {
    const { tracker, quote, fill } = setup();
    tracker.start();
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    quote('SPY', 100, 101);
    const a = tracker.snapshot();
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.trades)).toBe(true);
    expect(Object.isFrozen(a.trades[0])).toBe(true);
    expect(Object.isFrozen(a.trades[0]!.warnings)).toBe(true);
    expect(Object.isFrozen(a.pnl.totals[0])).toBe(true);
    expect(() => {
      (a.trades as unknown as unknown[]).push(1);
    }).toThrow();
    expect(() => {
      (a.trades[0] as { unrealized_value: string | null }).unrealized_value = '1000000';
    }).toThrow();
    expect(tracker.snapshot()).toBe(a);
    quote('SPY', 102, 103);
    const b = tracker.snapshot();
    expect(b).not.toBe(a);
    expect(b.trades[0]!.unrealized_value).toBe('2.5');
    expect(a.trades[0]!.unrealized_value).toBe('0.5'); // the old copy is untouched
    tracker.stop();
  });

  it('a quote for a symbol it does not hold changes nothing', () => {
    const { tracker, quote, fill } = setup();
    tracker.start();
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    const a = tracker.snapshot();
    quote('IBM', 1, 2);
    expect(tracker.snapshot()).toBe(a);
    tracker.stop();
  });

  it('refreshes at least every pnl_refresh_seconds, samples per currency, and marks gaps', () => {
    const { tracker, quote, fill, clock, ring, setStreaming } = setup({ refreshSeconds: 2 });
    const refreshes: number[] = [];
    const off = tracker.onRefresh((t) => refreshes.push(t - T0));
    tracker.start();
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    quote('SPY', 100, 102);
    clock.advance(6000);
    expect(refreshes).toEqual([0, 2000, 4000, 6000]);
    // Samples: the first before any position (no currency yet), then one per refresh; the quote
    // went stale after 5 s, so the 6 s sample is a gap.
    expect(ring.all().map((s) => [s.t - T0, s.unrealized, s.gap])).toEqual([
      [2000, '1', null],
      [4000, '1', null],
      [6000, null, 'stale'],
    ]);
    setStreaming(false);
    tracker.stop();
    expect(ring.all().at(-1)).toMatchObject({ t: T0 + 6000, gap: 'stopped' });
    clock.advance(10_000);
    expect(refreshes).toHaveLength(4);
    off();
  });

  it('changes the refresh cadence live', () => {
    const { tracker, clock } = setup({ refreshSeconds: 5 });
    const refreshes: number[] = [];
    tracker.onRefresh((t) => refreshes.push(t - T0));
    tracker.start();
    tracker.setRefreshSeconds(1);
    clock.advance(3000);
    expect(refreshes).toEqual([0, 1000, 2000, 3000]);
    expect(clock.pendingTimers()).toBe(1);
    tracker.stop();
  });

  it('subscribes the open positions symbols (and only those), releases them on stop', () => {
    const { tracker, fill, calls } = setup();
    fill('f0', 'p0', 'IBM', 'BUY', 1, 100); // before start: nothing is subscribed yet
    expect(calls).toEqual([]);
    tracker.start();
    expect(calls).toEqual([{ op: 'replace', symbols: sims('IBM') }]);
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    expect(calls.at(-1)).toEqual({ op: 'replace', symbols: sims('IBM', 'SPY') });
    fill('f2', 'p1', 'SPY', 'SELL', 1, 101); // closed: SPY no longer needed
    expect(calls.at(-1)).toEqual({ op: 'replace', symbols: sims('IBM') });
    const n = calls.length;
    tracker.refresh(); // nothing changed: no churn
    expect(calls).toHaveLength(n);
    tracker.stop();
    expect(calls.at(-1)).toEqual({ op: 'release' });
  });

  it('starts and stops with no leaked timers or listeners', () => {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock);
    let listeners = 0;
    const counted = {
      get: (s: InstrumentId) => cache.get(s),
      onQuote: (l: (q: Quote) => void) => {
        listeners++;
        const off = cache.onQuote(l);
        return () => {
          listeners--;
          off();
        };
      },
    };
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: counted });
    const refreshOff = tracker.onRefresh(() => {});
    for (let i = 0; i < 3; i++) {
      tracker.start();
      tracker.start(); // idempotent
      expect(clock.pendingTimers()).toBe(1);
      expect(listeners).toBe(1);
      tracker.stop();
      tracker.stop();
      expect(clock.pendingTimers()).toBe(0);
      expect(listeners).toBe(0);
      expect(tracker.listenerCount).toBe(1); // only the onRefresh subscriber above
    }
    refreshOff();
    expect(tracker.listenerCount).toBe(0);
  });

  it('fills produce entry, partial_exit and exit events with flow ids, quantities and P&L', () => {
    const { tracker, fill, quote } = setup();
    tracker.start();
    quote('SPY', 105, 105);
    const e1 = fill('f1', 'p1', 'SPY', 'BUY', 10, 100);
    const e2 = fill('f2', 'p1', 'SPY', 'SELL', 4, 110);
    const e3 = fill('f3', 'p1', 'SPY', 'SELL', 6, 90);
    const events = [e1, e2, e3].flatMap((e) => (e.ok ? e.events : []));
    expect(events.map((e) => e.action)).toEqual(['entry', 'partial_exit', 'exit']);
    expect(events.map((e) => [e.position.quantity, e.position.quantity_closed, e.position.quantity_remaining, e.position.status])).toEqual([
      [10, 0, 10, 'OPEN'],
      [4, 4, 6, 'PARTIAL'],
      [6, 10, 0, 'CLOSED'],
    ]);
    expect(events[1]!.pnl).toMatchObject({ realized_pnl: '40', unrealized_pnl: '30', total_pnl: '70', realized_by_change: '40' });
    expect(events[2]!.pnl).toMatchObject({ realized_pnl: '-20', unrealized_pnl: '0', total_pnl: '-20', realized_by_change: '-60' });
    expect(events[2]!.position).toMatchObject({ entry_flow_ids: ['exec-f1'], exit_flow_ids: ['exec-f2', 'exec-f3'], entry_price: 100, exit_price: 98 });
    expect(events[2]!.record.status).toBe('CLOSED');
    tracker.stop();
  });

  it('a flip through zero closes the position and opens the next re-entry', () => {
    const { fill } = setup();
    fill('f1', 'p1', 'SPY', 'BUY', 2, 100);
    const r = fill('f2', 'p1', 'SPY', 'SELL', 5, 100);
    expect(r.ok && r.events.map((e) => [e.action, e.record.key, e.position.side])).toEqual([
      ['exit', 'p1#0', 'BUY'],
      ['entry', 'p1#1', 'SELL'],
    ]);
  });

  // Issue 12 item 5: a fill on a file position used to be refused (and one with another
  // position_id opened a separate position); it now reduces the file position, and is replayed on
  // every reload of the file.
  it('portfolio positions are replaced on reload; fills stay; a fill on a file position reduces it, across reloads', () => {
    const { tracker, fill } = setup();
    const file = (qty: string) =>
      parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'spy', type: 'stock', symbol: 'SPY', side: 'long', quantity: qty, cost_basis: '100', opened_at: '2026-11-01T00:00:00Z' }] }));
    const p1 = file('10');
    if (!p1.ok) throw new Error('fixture');
    const r1 = tracker.setPortfolio(p1.portfolio, 'exec-load');
    expect(r1.positions.map((r) => [r.key, r.quantity_remaining, r.source, r.entry_flow_ids])).toEqual([['spy#0', '10', 'portfolio', ['exec-load']]]);
    fill('f1', 'other', 'QQQ', 'BUY', 1, 100);
    const reduced = fill('f2', 'spy', 'SPY', 'SELL', 1, 100);
    expect(reduced.ok).toBe(true);
    expect(tracker.records().map((r) => [r.key, r.quantity_remaining, r.source])).toEqual([
      ['spy#0', '9', 'portfolio'],
      ['other#0', '1', 'fills'],
    ]);
    const p2 = file('4');
    if (!p2.ok) throw new Error('fixture');
    tracker.setPortfolio(p2.portfolio, null);
    expect(tracker.records().map((r) => [r.key, r.quantity_remaining, r.source])).toEqual([
      ['other#0', '1', 'fills'],
      ['spy#0', '3', 'portfolio'],
    ]);
  });

  it('applies valuation settings live (mark policy, stale threshold)', () => {
    const { tracker, fill, quote, clock } = setup();
    fill('f1', 'p1', 'SPY', 'BUY', 1, 100);
    quote('SPY', 100, 104);
    expect(tracker.snapshot().trades[0]!.unrealized_value).toBe('2');
    tracker.setValuation({ markPolicy: 'conservative' });
    expect(tracker.snapshot().trades[0]!.unrealized_value).toBe('0');
    expect(tracker.pnlSnapshot().unrealized).toBe('0');
    clock.advance(6000);
    expect(tracker.pnlSnapshot().unrealized).toBeNull();
    tracker.setValuation({ staleAfterMs: 10_000 });
    expect(tracker.pnlSnapshot().unrealized).toBe('0');
  });
});

describe('ActivePnlTracker: REST fallback when its quotes go stale (issue 12 item 12)', () => {
  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  function stalled(opts: { failing?: () => boolean } = {}) {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock, { staleAfterMs: 5000 });
    let venueBid = 590;
    const fetched: string[][] = [];
    const ltp = new LtpProvider({
      cache,
      clock,
      fetchLatest: (symbols) => {
        fetched.push([...symbols]);
        if (opts.failing?.()) return Promise.reject(new Error('HTTP 503 from the data API'));
        return Promise.resolve(symbols.map((instrument) => ({ instrument, symbol: instrumentSymbol(instrument), bid: venueBid, ask: venueBid + 0.5, last: null, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() })));
      },
    });
    let subscribed: InstrumentId[] = [];
    const tracker = new ActivePnlTracker({ venue: 'sim',
      clock,
      quotes: cache,
      subscriptions: { replaceSubscriptions: (_c, s) => (subscribed = [...s]), release: () => (subscribed = []), subscribedInstruments: () => subscribed },
      streamer: () => ({ state: 'running', streaming: true }),
      valuation: { staleAfterMs: 5000 },
      restRefresh: () => ltp,
    });
    tracker.start();
    tracker.applyFill(makeFill({ fill_id: 'f1', position_id: 'p1', symbol: 'SPY', side: 'BUY', quantity: 10, price: 580, time: clock.now() }));
    // the stream delivers one quote, then stalls
    cache.applyQuote({ instrument: sim('SPY'), symbol: 'SPY', bid: 581, ask: 581.5, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
    const step = async (ms: number) => {
      for (let t = 0; t < ms; t += 25) {
        clock.advance(25);
        await settle();
      }
    };
    return { clock, cache, tracker, fetched, step, setVenueBid: (b: number) => (venueBid = b), ltp };
  }

  it('during a stall each quote is fetched by REST before it goes stale: P&L stays known, priced from REST with its own time', async () => {
    const { clock, cache, tracker, fetched, step, setVenueBid } = stalled();
    expect(tracker.snapshot().trades[0]!.unrealized_value).toBe('12.5');
    for (let ms = 100; ms <= 30_000; ms += 100) {
      if (ms === 10_000) setVenueBid(600);
      await step(100);
      const t = tracker.snapshot().trades[0]!;
      expect(t.unrealized_value, `P&L known at ${ms} ms of stall`).not.toBeNull();
    }
    const q = cache.get(sim('SPY'))!;
    expect(q.source).toBe('rest');
    expect(clock.now() - q.receivedAt).toBeLessThanOrEqual(5000);
    expect(tracker.snapshot().trades[0]!.mark).toBe(600.25);
    // shared and rate-limited: one call per refresh round, not one per check
    expect(fetched.length).toBeGreaterThanOrEqual(6);
    expect(fetched.length).toBeLessThanOrEqual(10);
    expect(fetched.every((b) => b.length === 1 && b[0] === sim('SPY'))).toBe(true);
  });

  it('P&L turns unknown only when REST fails too, and the reason is kept', async () => {
    let failing = true;
    const { tracker, step } = stalled({ failing: () => failing });
    await step(4900);
    expect(tracker.snapshot().trades[0]!.unrealized_value).not.toBeNull(); // the stream's quote is still fresh
    await step(1000);
    const t = tracker.snapshot().trades[0]!;
    expect(t.unrealized_value).toBeNull();
    expect(t.unknown_reason).toBe('stale_quote');
    await step(2500); // the next REST attempt (the per-symbol minimum interval is 2 s) fails too
    expect(tracker.snapshot().trades[0]!.unrealized_value).toBeNull();
    expect(tracker.restFailuresNow().get('SPY')).toContain('HTTP 503');
    failing = false;
    await step(3000);
    expect(tracker.snapshot().trades[0]!.unrealized_value).not.toBeNull();
    expect(tracker.restFailuresNow().has('SPY')).toBe(false);
  });

  it('stop cancels the REST check', () => {
    const { tracker } = stalled();
    expect(tracker.timerCount).toBe(2);
    tracker.stop();
    expect(tracker.timerCount).toBe(0);
  });
});

describe('ActivePnlTracker: positions belong to the desk venue (issue 15)', () => {
  it('values a position from its own venue quote only, subscribes that instrument, and follows a venue change', () => {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock);
    let subscribed: InstrumentId[] = [];
    const tracker = new ActivePnlTracker({
      venue: 'alpaca',
      clock,
      quotes: cache,
      subscriptions: { replaceSubscriptions: (_c, s) => (subscribed = [...s]), release: () => (subscribed = []), subscribedInstruments: () => subscribed },
      streamer: () => ({ state: 'running', streaming: true }),
    });
    tracker.start();
    tracker.applyFill(makeFill({ fill_id: 'f1', position_id: 'p1', symbol: 'AAPL', side: 'BUY', quantity: 10, price: 100, time: T0 }));
    expect(subscribed).toEqual([instrumentId('alpaca', 'AAPL')]);
    expect(tracker.records()[0]).toMatchObject({ instrument_id: 'alpaca:AAPL', symbol: 'AAPL' });
    const put = (venue: string, bid: number) =>
      cache.put({ instrument: instrumentId(venue, 'AAPL'), symbol: 'AAPL', bid, ask: bid + 0.02, last: null, bidSize: 1, askSize: 1, exchangeTime: clock.now(), receivedAt: clock.now() });
    // Another venue's AAPL never values this position.
    put('sim', 150);
    expect(tracker.pnlSnapshot().totals[0]!.unrealized_pnl).toBeNull();
    put('alpaca', 101);
    expect(tracker.pnlSnapshot().totals[0]!.unrealized_pnl).toBe('10.1'); // (101.01 − 100) × 10
    // The desk's venue changes: the same position is now valued from sim:AAPL.
    tracker.setVenue('sim');
    expect(subscribed).toEqual([instrumentId('sim', 'AAPL')]);
    expect(tracker.records()[0]).toMatchObject({ instrument_id: 'sim:AAPL' });
    expect(tracker.pnlSnapshot().totals[0]!.unrealized_pnl).toBe('500.1'); // (150.01 − 100) × 10
    tracker.stop();
  });

  it('loads portfolio-file positions as instruments of the configured venue', () => {
    const clock = new ManualClock(T0);
    const cache = new QuoteCache(clock);
    const tracker = new ActivePnlTracker({ venue: 'alpaca', clock, quotes: cache });
    tracker.start();
    const p = parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'spy', type: 'stock', symbol: 'SPY', side: 'long', quantity: '2', cost_basis: '100', opened_at: '2026-11-01T00:00:00Z' }] }));
    if (!p.ok) throw new Error('fixture');
    const r = tracker.setPortfolio(p.portfolio, null);
    expect(r.positions.map((x) => [x.instrument_id, x.symbol])).toEqual([['alpaca:SPY', 'SPY']]);
    expect(tracker.neededInstruments()).toEqual([instrumentId('alpaca', 'SPY')]);
    cache.put({ instrument: instrumentId('alpaca', 'SPY'), symbol: 'SPY', bid: 101, ask: 101, last: null, bidSize: 1, askSize: 1, exchangeTime: T0, receivedAt: T0 });
    expect(tracker.pnlSnapshot().totals[0]!.unrealized_pnl).toBe('2');
    // A fill whose symbol cannot be an instrument is refused with the reason, not thrown.
    const r2 = tracker.applyFill(makeFill({ fill_id: 'bad', position_id: 'x', symbol: 'NOT A SYMBOL', side: 'BUY', quantity: 1, price: 1, time: T0 }));
    expect(r2).toMatchObject({ ok: false, rejection: { fill_id: 'bad', reason: expect.stringContaining('not an instrument at venue alpaca') } });
    tracker.stop();
  });
});
