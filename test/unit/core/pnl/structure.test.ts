import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payoffAtExpiry, valueStructure, type StructureDef } from '../../../../src/core/pnl/structure';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { portfolioFills, portfolioInstruments, portfolioStructures } from '../../../../src/core/pnl/portfolio';
import { FifoLedger } from '../../../../src/core/pnl/fifo';
import { PortfolioBook } from '../../../../src/core/pnl/book';
import type { Quote } from '../../../../src/core/market/quote';
import { toDecimalString } from '../../../../src/core/model/money';
import { sim } from '../../../helpers/ids';

const SAMPLE = readFileSync(resolve(import.meta.dirname, '../../../../resources/portfolio.sample.json'), 'utf8');
const NOW = Date.UTC(2026, 10, 20, 15, 0);
const q = (symbol: string, bid: number, ask: number, receivedAt = NOW): Quote => ({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt });

function sample() {
  const r = parsePortfolio(SAMPLE);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.portfolio;
}
const condor = (): StructureDef => portfolioStructures(sample()).find((s) => s.id === 'spy-dec-ic')!;

describe('iron condor, by hand', () => {
  // SPY Dec-18-2026: +1 550P @2.60, −1 560P @4.10, −1 620C @3.20, +1 630C @1.80 → credit 2.90 × 100 = 290
  const quotes = new Map<string, Quote>([
    ['SPY261218P00550000', q('SPY261218P00550000', 1.85, 1.95)], // mid 1.90
    ['SPY261218P00560000', q('SPY261218P00560000', 2.95, 3.05)], // mid 3.00
    ['SPY261218C00620000', q('SPY261218C00620000', 2.45, 2.55)], // mid 2.50
    ['SPY261218C00630000', q('SPY261218C00630000', 1.35, 1.45)], // mid 1.40
  ]);

  it('net mark = Σ mark × signed qty × 100; net P&L = net mark − net debit', () => {
    const v = valueStructure(condor(), { now: NOW, quoteOf: (s) => quotes.get(s) });
    // net mark = (1.90 − 3.00 − 2.50 + 1.40) × 100 = −220; net debit = −290; net P&L = −220 − (−290) = +70
    expect(v.net_mark).toBe('-220');
    expect(v.net_debit).toBe('-290');
    expect(v.net_pnl).toBe('70');
    expect(v.net_pnl_pct).toBeCloseTo((70 / 290) * 100, 10);
    expect(v.legs.map((l) => [l.symbol, l.quantity, l.mark, l.mark_value, l.pnl])).toEqual([
      ['SPY261218P00550000', 1, 1.9, '190', '-70'],
      ['SPY261218P00560000', -1, 3, '-300', '110'],
      ['SPY261218C00620000', -1, 2.5, '-250', '70'],
      ['SPY261218C00630000', 1, 1.4, '140', '-40'],
    ]);
    expect(v.warnings).toEqual([]);
    expect(v.as_of).toBe(NOW);
  });

  it('a missing or stale leg makes the net unknown, with the leg named', () => {
    const partial = new Map(quotes);
    partial.delete('SPY261218C00630000');
    partial.set('SPY261218P00550000', q('SPY261218P00550000', 1.85, 1.95, NOW - 10_000));
    const v = valueStructure(condor(), { now: NOW, quoteOf: (s) => partial.get(s) });
    expect(v.net_mark).toBeNull();
    expect(v.net_pnl).toBeNull();
    expect(v.unknown_legs).toBe(2);
    expect(v.net_pnl_known).toBe('180'); // the two short legs: 110 + 70
    expect(v.warnings.map((w) => w.code)).toEqual(['stale_quote', 'missing_leg']);
    expect(v.warnings[1]!.message).toMatch(/SPY261218C00630000/);
  });

  it('payoff at expiry: max profit 290, max loss 710, breakevens 557.10 and 622.90', () => {
    const p = payoffAtExpiry(condor());
    if (!p.ok) throw new Error(p.reason);
    expect(p.max_profit).toEqual({ bounded: true, value: '290', at_price: 560 });
    expect(p.max_loss).toMatchObject({ bounded: true, value: '-710' });
    expect(p.breakevens).toEqual([557.1, 622.9]);
    expect(p.kinks).toEqual([
      { underlying_price: 0, pnl: '-710' },
      { underlying_price: 550, pnl: '-710' },
      { underlying_price: 560, pnl: '290' },
      { underlying_price: 620, pnl: '290' },
      { underlying_price: 630, pnl: '-710' },
    ]);
    expect(p.expiry_ms).toBe(Date.UTC(2026, 11, 18, 21, 0));
    expect(p.curve.length).toBe(101);
  });
});

describe('other structures', () => {
  it('vertical: bounded both ways', () => {
    const v = portfolioStructures(sample()).find((s) => s.id === 'qqq-dec-bull-call')!;
    const p = payoffAtExpiry(v);
    if (!p.ok) throw new Error(p.reason);
    // debit 8.75 × 2 × 100 = 1750; width 20 × 200 = 4000 → max profit 2250
    expect(p.max_profit).toMatchObject({ bounded: true, value: '2250' });
    expect(p.max_loss).toMatchObject({ bounded: true, value: '-1750' });
    expect(p.breakevens).toEqual([518.75]);
  });

  it('long straddle: profit unbounded, not a huge number', () => {
    const s = portfolioStructures(sample()).find((x) => x.id === 'aapl-dec-straddle')!;
    const p = payoffAtExpiry(s);
    if (!p.ok) throw new Error(p.reason);
    expect(p.max_profit).toEqual({ bounded: false, value: null });
    expect(p.max_loss).toMatchObject({ bounded: true, value: '-3120' });
    expect(p.breakevens).toEqual([198.8, 261.2]);
  });

  it('short call: loss unbounded; mixed expiries: payoff undefined', () => {
    const base = condor();
    const shortCall: StructureDef = { ...base, netDebit: undefined, legs: [base.legs[2]!] };
    const p = payoffAtExpiry(shortCall);
    expect(p.ok && p.max_loss).toEqual({ bounded: false, value: null });
    expect(p.ok && p.max_profit).toMatchObject({ bounded: true, value: '320' });
    const inst = base.legs[0]!.instrument!;
    const mixed: StructureDef = { ...base, legs: [base.legs[0]!, { ...base.legs[1]!, instrument: { ...inst, expiry: { ...inst.expiry!, epochMs: 1 } } }] };
    expect(payoffAtExpiry(mixed)).toEqual({ ok: false, reason: 'legs expire at different times: the payoff at one expiry is undefined' });
  });
});

describe('portfolio → FIFO → book', () => {
  it('values file positions with the same engine as fills', () => {
    const p = sample();
    const inst = portfolioInstruments(p);
    const ledger = new FifoLedger({ multiplierOf: (s) => inst.get(s)!.multiplier });
    const fills = portfolioFills(p);
    for (const f of fills) expect(ledger.apply(f).ok).toBe(true);
    // 2 stocks + 2 single options + 4 condor legs + 2 vertical legs; the straddle has only a net debit
    expect(fills).toHaveLength(10);
    const book = new PortfolioBook();
    for (const pos of ledger.positions()) book.setPosition(sim(pos.symbol), pos);
    book.onQuote(q('SPY', 590.19, 590.21));
    const v = book.value('spy-shares#0', NOW)!;
    expect(toDecimalString(v.unrealized!)).toBe('500'); // (590.20 − 585.20) × 100
    expect(book.totals(NOW).currencies[0]!.unknown_count).toBe(9);
  });
});
