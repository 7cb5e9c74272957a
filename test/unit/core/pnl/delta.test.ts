/** Delta per position: the model delta through revaluePosition, a share's 1, and the tracker filling it. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FifoLedger, makeFill } from '../../../../src/core/pnl/fifo';
import { MULT_ONE } from '../../../../src/core/model/money';
import { occInstrument } from '../../../../src/core/model/occ';
import { alpacaInstrument } from '../../../../src/core/model/alpaca-symbols';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { blackScholes, blackScholesPrice } from '../../../../src/core/greeks/black-scholes';
import { ManualClock } from '../../../../src/core/ports/clock';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import { ActivePnlTracker } from '../../../../src/core/pnl/active-pnl-tracker';
import { LiveHarness } from '../../../helpers/live-harness';
import { defaultValuation, instrumentToWire, positionRecordOf, revaluePosition, type QuoteLike } from '../../../../src/core/pnl/revalue';
import { sim } from '../../../helpers/ids';

const meta = { source: 'fills' as const, entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null };
const NOW = Date.UTC(2026, 10, 20, 15, 0, 0);
const YEAR_MS = 365 * 24 * 3600 * 1000;
const q = (symbol: string, bid: number, ask: number, receivedAt = NOW - 200): QuoteLike => ({ symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt });

function record(symbol: string, side: 'BUY' | 'SELL', quantity: number, price: number) {
  const inst = alpacaInstrument(symbol);
  const ledger = new FifoLedger({ multiplierOf: () => inst.multiplier });
  const r = ledger.apply(makeFill({ fill_id: 'a', position_id: 'p', symbol, side, quantity, price, time: 0 }));
  if (!r.ok) throw new Error('fixture');
  return positionRecordOf(r.changes[0]!.position, sim(r.changes[0]!.position.symbol), instrumentToWire(inst), meta);
}

/** A quote around the Black-Scholes value of an OCC option at vol σ with the underlying at `spot`. */
function optionQuote(symbol: string, spot: number, vol: number, now = NOW, rate = defaultValuation.riskFreeRate): { quote: QuoteLike; delta: number } {
  const i = occInstrument(symbol);
  const base = { right: i.right!, spot, strike: Number(symbol.slice(-8)) / 1000, years: (i.expiry!.epochMs - now) / YEAR_MS, rate, vol };
  const price = blackScholesPrice(base);
  return { quote: q(symbol, price - 0.05, price + 0.05), delta: blackScholes(base).delta };
}

describe('delta per position', () => {
  const CALL = 'AAPL261218C00240000';

  it('an option: model delta with the underlying quote, null with the reason without it', () => {
    const rec = record(CALL, 'BUY', 2, 9.85);
    const { quote, delta } = optionQuote(CALL, 232, 0.3);
    const withU = revaluePosition(rec, quote, NOW, defaultValuation, q('AAPL', 231.99, 232.01, NOW - 900));
    expect(withU.delta).toBeCloseTo(delta, 4);
    expect(withU.delta_source).toBe('model');
    expect(withU.delta_as_of).toBe(NOW - 900); // the older quote
    expect(withU.delta_age_sec).toBeCloseTo(0.9, 9);
    expect(withU.position_delta).toBeCloseTo(delta * 200, 2); // 2 contracts × 100
    expect(withU.delta_model).toMatchObject({ underlying_mid: 232, option_mid: expect.closeTo((quote.bid! + quote.ask!) / 2, 9) as unknown, rate: 0.04, dividend_yield: 0 });
    expect(withU.delta_model!.iv).toBeCloseTo(0.3, 3);
    expect(withU.delta_unknown_reason).toBeNull();

    const without = revaluePosition(rec, quote, NOW, defaultValuation);
    expect(without).toMatchObject({ delta: null, delta_source: null, position_delta: null, delta_model: null, delta_unknown_reason: 'no_underlying_quote', delta_iv_failure: null });
    // The P&L does not depend on the underlying.
    expect(without.unrealized_value).toBe(withU.unrealized_value);

    const stale = revaluePosition(rec, quote, NOW, defaultValuation, q('AAPL', 231.99, 232.01, NOW - 6000));
    expect(stale).toMatchObject({ delta: null, delta_unknown_reason: 'stale_underlying_quote' });
    const below = revaluePosition(rec, q(CALL, 0.01, 0.03), NOW, defaultValuation, q('AAPL', 299.99, 300.01));
    expect(below).toMatchObject({ delta: null, delta_unknown_reason: 'iv_failed', delta_iv_failure: 'below_intrinsic' });
  });

  it('a short put: negative delta per contract, positive position delta', () => {
    const PUT = 'QQQ261218P00480000';
    const rec = record(PUT, 'SELL', 1, 12.4);
    const { quote, delta } = optionQuote(PUT, 505, 0.2);
    const v = revaluePosition(rec, quote, NOW, defaultValuation, q('QQQ', 504.99, 505.01));
    expect(v.delta).toBeLessThan(0);
    expect(v.delta).toBeCloseTo(delta, 4);
    expect(v.position_delta).toBeCloseTo(-delta * 100, 2);
  });

  it('the rate of the valuation settings is the model’s', () => {
    const rec = record(CALL, 'BUY', 1, 9.85);
    const { quote } = optionQuote(CALL, 232, 0.3);
    const u = q('AAPL', 231.99, 232.01);
    const a = revaluePosition(rec, quote, NOW, defaultValuation, u);
    const b = revaluePosition(rec, quote, NOW, { ...defaultValuation, riskFreeRate: 0.08 }, u);
    expect(b.delta_model!.rate).toBe(0.08);
    expect(b.delta).not.toBeCloseTo(a.delta!, 4);
  });

  it('a stock: delta 1 per share, position delta = signed shares, with or without a quote; closed: none', () => {
    const ledger = new FifoLedger({ multiplierOf: () => MULT_ONE });
    const long = ledger.apply(makeFill({ fill_id: 'a', position_id: 's', symbol: 'SPY', side: 'BUY', quantity: 100, price: 585.2, time: 0 }));
    const short = ledger.apply(makeFill({ fill_id: 'b', position_id: 't', symbol: 'AAPL', side: 'SELL', quantity: 50, price: 228.4, time: 0 }));
    if (!long.ok || !short.ok) throw new Error('fixture');
    const L = positionRecordOf(long.changes[0]!.position, sim(long.changes[0]!.position.symbol), instrumentToWire(alpacaInstrument('SPY')), meta);
    const S = positionRecordOf(short.changes[0]!.position, sim(short.changes[0]!.position.symbol), instrumentToWire(alpacaInstrument('AAPL')), meta);
    expect(revaluePosition(L, null, NOW, defaultValuation)).toMatchObject({ delta: 1, delta_source: 'share', position_delta: 100, delta_as_of: null, delta_age_sec: null });
    expect(revaluePosition(S, q('AAPL', 228, 228.1), NOW, defaultValuation)).toMatchObject({ delta: 1, delta_source: 'share', position_delta: -50 });
    const closed = ledger.apply(makeFill({ fill_id: 'c', position_id: 's', symbol: 'SPY', side: 'SELL', quantity: 100, price: 590, time: 1 }));
    if (!closed.ok) throw new Error('fixture');
    const C = positionRecordOf(closed.changes[0]!.position, sim(closed.changes[0]!.position.symbol), instrumentToWire(alpacaInstrument('SPY')), meta);
    expect(revaluePosition(C, null, NOW, defaultValuation)).toMatchObject({ status: 'CLOSED', delta: null, position_delta: null, delta_unknown_reason: null });
  });

  it('the tracker fills the delta of every option of the sample portfolio once the cache has both quotes', () => {
    const parsed = parsePortfolio(readFileSync(resolve(__dirname, '../../../../resources/portfolio.sample.json'), 'utf8'));
    if (!parsed.ok) throw new Error('sample portfolio invalid');
    const clock = new ManualClock(NOW);
    const cache = new QuoteCache(clock);
    const tracker = new ActivePnlTracker({ venue: 'sim', clock, quotes: cache });
    tracker.setPortfolio(parsed.portfolio, null);
    tracker.start();
    const spots: Record<string, number> = { SPY: 585, AAPL: 228, QQQ: 505 };
    // QQQ has no stock position: it is needed only for the options' delta.
    expect(tracker.neededSymbols()).toEqual(expect.arrayContaining(['SPY', 'AAPL', 'QQQ']));
    const options = tracker.snapshot().trades.filter((t) => t.instrument_kind === 'option');
    expect(options.length).toBe(8); // the straddle's legs carry no cost basis: a structure only
    for (const t of options) expect(t).toMatchObject({ delta: null, delta_unknown_reason: 'no_option_quote' });
    const expected = new Map<string, number>();
    for (const t of options) {
      const { quote, delta } = optionQuote(t.symbol, spots[t.underlying!]!, 0.22, NOW);
      cache.put({ ...quote, instrument: sim(quote.symbol), receivedAt: NOW, exchangeTime: NOW });
      expected.set(t.symbol, delta);
    }
    for (const t of tracker.snapshot().trades.filter((x) => x.instrument_kind === 'option')) expect(t).toMatchObject({ delta: null, delta_unknown_reason: 'no_underlying_quote' });
    for (const [u, s] of Object.entries(spots)) cache.put({ instrument: sim(u), symbol: u, bid: s - 0.01, ask: s + 0.01, last: null, bidSize: 1, askSize: 1, exchangeTime: NOW, receivedAt: NOW });
    const trades = tracker.snapshot().trades;
    for (const t of trades.filter((x) => x.instrument_kind === 'option')) {
      expect(t.delta_source).toBe('model');
      expect(t.delta).toBeCloseTo(expected.get(t.symbol)!, 3);
      expect(Math.sign(t.position_delta!)).toBe(Math.sign(t.delta!) * (t.side === 'BUY' ? 1 : -1));
    }
    for (const t of trades.filter((x) => x.instrument_kind === 'stock')) expect(t).toMatchObject({ delta: 1, delta_source: 'share', position_delta: t.quantity });
    // A change of rate applies live.
    const before = trades.find((t) => t.symbol === 'AAPL261218C00240000')!.delta!;
    tracker.setValuation({ riskFreeRate: 0.1 });
    expect(tracker.snapshot().trades.find((t) => t.symbol === 'AAPL261218C00240000')!.delta).not.toBeCloseTo(before, 4);
    // An update to the underlying alone moves the delta (the snapshot is not served from cache).
    const d0 = tracker.snapshot().trades.find((t) => t.symbol === 'QQQ261218P00480000')!.delta!;
    cache.put({ instrument: sim('QQQ'), symbol: 'QQQ', bid: 489.99, ask: 490.01, last: null, bidSize: 1, askSize: 1, exchangeTime: NOW, receivedAt: NOW });
    expect(tracker.snapshot().trades.find((t) => t.symbol === 'QQQ261218P00480000')!.delta).not.toBeCloseTo(d0, 4);
    tracker.stop();
  });

  it('risk-free rate and dividend yield are desk settings in percent, applied live to the tracker', () => {
    const h = new LiveHarness();
    expect(h.live.tracker.valuationSettings).toMatchObject({ riskFreeRate: 0.04, dividendYield: 0 });
    const r = h.live.setSettings({ risk_free_rate_pct: 5.5, dividend_yield_pct: 1.25 }, true);
    expect(r.applied.sort()).toEqual(['dividend_yield_pct', 'risk_free_rate_pct']);
    expect(r.restarting).toBe(false);
    expect(h.live.tracker.valuationSettings).toMatchObject({ riskFreeRate: 0.055, dividendYield: 0.0125 });
    const ev = h.events.findLast((e) => e.type === 'settings_event')!; // (the totals' tick may follow it)
    expect(ev.type === 'settings_event' && ev.valuation).toMatchObject({ riskFreeRate: 0.055, dividendYield: 0.0125 });
    h.live.dispose();
  });
});
