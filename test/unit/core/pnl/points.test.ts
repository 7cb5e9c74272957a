import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pnlPoints, structureUnits } from '../../../../src/core/pnl/points';
import { valueStructure } from '../../../../src/core/pnl/structure';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { portfolioStructures } from '../../../../src/core/pnl/portfolio';
import { positionView } from '../../../../src/core/pnl/metrics';
import { FifoLedger } from '../../../../src/core/pnl/fifo';
import { makeFill } from '../../../../src/core/pnl/fifo';
import { money, price, qty, toUnits, multiplier, notional } from '../../../../src/core/model/money';
import type { Quote } from '../../../../src/core/market/quote';
import { sim } from '../../../helpers/ids';

const NOW = Date.UTC(2026, 10, 20, 15, 0);
const q = (symbol: string, bid: number, ask: number, receivedAt = NOW): Quote => ({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt });
const SAMPLE = readFileSync(resolve(import.meta.dirname, '../../../../resources/portfolio.sample.json'), 'utf8');

describe('P&L in points', () => {
  it('is the price difference per unit, exact: (mark − entry) for a long, (entry − mark) for a short', () => {
    const units = toUnits(qty('3'), multiplier('100'));
    // long 3 × 100 from 4.10, mark 4.75 → +0.65 points
    expect(pnlPoints(notional(price('4.75'), units) - notional(price('4.10'), units), units)).toBe(0.65);
    // short: P&L = entry − mark per unit; the sign of the units does not matter
    const short = -units as typeof units;
    expect(pnlPoints(notional(price('4.75'), short) - notional(price('4.10'), short), short)).toBe(-0.65);
    // a mid at the 10⁻¹¹ step stays exact
    expect(pnlPoints(notional(price('0.000000001'), units) / 2n, units)).toBe(0.0000000005);
  });

  it('is unknown (null), never 0, when the P&L is unknown or there are no units', () => {
    expect(pnlPoints(null, 100n)).toBeNull();
    expect(pnlPoints(money('5'), 0n)).toBeNull();
  });

  it('a position reports its points next to its currency P&L', () => {
    const ledger = new FifoLedger({ multiplierOf: () => multiplier('100') });
    ledger.apply(makeFill({ fill_id: 'f1', position_id: 'p', symbol: 'X', side: 'SELL', quantity: '2', price: '3.20', fee: '0', time: NOW - 1000 }));
    const snap = ledger.positions()[0]!;
    const v = positionView({ position: snap, quote: q('X', 2.9, 3.1), now: NOW, instrument: null });
    expect(v.unrealized_value).toBe('40'); // short 2 × 100 from 3.20, mark 3.00
    expect(v.unrealized_points).toBe(0.2);
  });

  it("a structure's points are its net P&L per one structure (gcd of the legs' units)", () => {
    expect(structureUnits([200n, -200n])).toBe(200n);
    expect(structureUnits([100n, -200n, 100n])).toBe(100n);
    const r = parsePortfolio(SAMPLE);
    if (!r.ok) throw new Error('sample');
    const straddle = portfolioStructures(r.portfolio).find((s) => s.id === 'aapl-dec-straddle')!;
    // Defined only by its net debit (3,120 for 1 call + 1 put × 100): points = (net mark − 3,120) / 100.
    const quotes = new Map<string, Quote>(straddle.legs.map((l, i) => [l.symbol, i === 0 ? q(l.symbol, 17.9, 18.1) : q(l.symbol, 12.4, 12.6)]));
    const v = valueStructure(straddle, { now: NOW, quoteOf: (s) => quotes.get(s) });
    expect(v.net_mark).toBe('3050');
    expect(v.net_pnl).toBe('-70');
    expect(v.net_pnl_points).toBe(-0.7);
    // a leg without a quote: unknown points
    const one = valueStructure(straddle, { now: NOW, quoteOf: (s) => (s === straddle.legs[0]!.symbol ? quotes.get(s) : undefined) });
    expect(one.net_pnl_points).toBeNull();
  });
});
