/**
 * Issue 12 item 3: implausible prices and sizes are refused at the venue edge (counted as
 * malformed, the field named), never replace a good cached quote, and a price that gets into a
 * quote anyway is bad for the row and the totals alike.
 */
import { describe, expect, it } from 'vitest';
import { MarketFrameParser } from '../../../../../src/node/venues/alpaca/market-parser';
import { encodeMsgpack } from '../../../../../src/node/venues/alpaca/codec';
import { QuoteCache } from '../../../../../src/core/market/quote-cache';
import { ManualClock } from '../../../../../src/core/ports/clock';
import { PortfolioBook } from '../../../../../src/core/pnl/book';
import { FifoLedger, makeFill } from '../../../../../src/core/pnl/fifo';
import { positionView } from '../../../../../src/core/pnl/metrics';
import { multiplier } from '../../../../../src/core/model/money';
import { MAX_PLAUSIBLE_PRICE } from '../../../../../src/core/market/quote';
import { sim, simInstruments } from '../../../../helpers/ids';

function desk() {
  const cache = new QuoteCache(new ManualClock(0));
  const malformed: string[] = [];
  const parser = new MarketFrameParser({ quote: (q) => cache.applyQuote(q), trade: (t) => cache.applyTrade(t), control: () => {}, malformed: (r) => malformed.push(r) }, { instruments: simInstruments() });
  const good = { T: 'q', S: 'SPY', bp: 580, bs: 1, ap: 581, as: 2, t: '2026-11-20T15:00:00Z' };
  return { cache, malformed, parser, good };
}

describe('implausible venue values are refused at the edge', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['bid 1e308', { bp: 1e308 }, '"bp" 1e+308 is above the plausible maximum'],
    ['ask 1e308', { ap: 1e308 }, '"ap" 1e+308 is above the plausible maximum'],
    ['bid size 1e300', { bs: 1e300 }, '"bs" 1e+300 is above the plausible maximum'],
    ['ask size 1e300', { as: 1e300 }, '"as" 1e+300 is above the plausible maximum'],
    ['negative bid', { bp: -1 }, '"bp" is negative'],
    ['negative size', { as: -5 }, '"as" is negative'],
  ];
  for (const [name, patch, reason] of bad) {
    for (const path of ['json scanner', 'JSON.parse', 'msgpack'] as const) {
      it(`${name} (${path}): malformed with the field, the good quote kept`, () => {
        const { cache, malformed, parser, good } = desk();
        parser.frame(Buffer.from(JSON.stringify([good])), false, 1);
        const frame = [{ ...good, ...patch }];
        if (path === 'msgpack') parser.frame(encodeMsgpack(frame), true, 2);
        else if (path === 'JSON.parse') parser.frame(JSON.stringify(frame), false, 2);
        else parser.frame(Buffer.from(JSON.stringify(frame)), false, 2);
        expect(malformed).toHaveLength(1);
        expect(malformed[0]).toContain(reason);
        expect(cache.get(sim('SPY'))).toMatchObject({ bid: 580, ask: 581, bidSize: 1, askSize: 2, receivedAt: 1 });
      });
    }
  }

  it('NaN and Infinity (msgpack can carry them) and an implausible trade price are refused', () => {
    const { cache, malformed, parser, good } = desk();
    parser.frame(Buffer.from(JSON.stringify([good])), false, 1);
    parser.frame(encodeMsgpack([{ ...good, bp: Number.NaN }, { ...good, ap: Number.POSITIVE_INFINITY }, { T: 't', S: 'SPY', p: 1e300, s: 1 }]), true, 2);
    expect(malformed).toEqual([expect.stringContaining('"bp" is not a finite number'), expect.stringContaining('"ap" is not a finite number'), expect.stringContaining('"p" 1e+300 is above')]);
    expect(cache.get(sim('SPY'))).toMatchObject({ bid: 580, last: null, receivedAt: 1 });
  });

  it('the plausible maximum itself still passes', () => {
    const { cache, malformed, parser, good } = desk();
    parser.frame(JSON.stringify([{ ...good, ap: MAX_PLAUSIBLE_PRICE }]), false, 1);
    expect(malformed).toEqual([]);
    expect(cache.get(sim('SPY'))!.ask).toBe(MAX_PLAUSIBLE_PRICE);
  });
});

describe('the row and the totals apply one rule to a price that got through', () => {
  it('bid/ask 1e308 in a quote: the row is bad_price with no P&L, the totals the same', () => {
    const l = new FifoLedger({ multiplierOf: () => multiplier(1) });
    const r = l.apply(makeFill({ fill_id: 'f', position_id: 'p', symbol: 'SPY', side: 'BUY', quantity: 1, price: 580, time: 0 }));
    if (!r.ok) throw new Error('fill');
    const snap = r.changes[0]!.position;
    const quote = { instrument: sim('SPY'), symbol: 'SPY', bid: 1e308, ask: 1e308, last: null, bidSize: 1, askSize: 1, exchangeTime: 0, receivedAt: 0 };
    const row = positionView({ position: snap, quote, now: 0 });
    expect(row.unknown_reason).toBe('bad_price');
    expect(row.unrealized_value).toBeNull();
    expect(row.total_pnl).toBeNull();
    for (const markPolicy of ['mid', 'conservative', 'last'] as const) {
      const q = { ...quote, last: 1e308 };
      const book = new PortfolioBook({ markPolicy, quoteOf: () => q });
      book.setPosition(sim(snap.symbol), snap);
      expect(book.value(snap.key, 0)!.reason).toBe('bad_price');
      expect(positionView({ position: snap, quote: q, now: 0, config: { markPolicy } }).unknown_reason).toBe('bad_price');
    }
  });
});
