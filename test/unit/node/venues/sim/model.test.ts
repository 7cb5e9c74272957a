import { describe, expect, it } from 'vitest';
import { SimMarketModel } from '../../../../../src/node/venues/sim/model';
import { parseOcc } from '../../../../../src/core/model/occ';

const START = Date.UTC(2026, 10, 20, 15, 0, 0);

describe('SimMarketModel', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const m = new SimMarketModel(seed, START);
      return [1, 2, 3].map((i) => m.step(START + i * 250));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('quotes underlyings and valid OCC option contracts with sane two-sided markets', () => {
    const m = new SimMarketModel(1, START);
    const quotes = m.step(START + 250);
    expect(quotes.map((q) => q.symbol)).toContain('SPY');
    const options = quotes.filter((q) => q.symbol.length > 6);
    expect(options.length).toBeGreaterThanOrEqual(4);
    for (const q of quotes) {
      expect(q.bid).not.toBeNull();
      expect(q.ask!).toBeGreaterThan(q.bid!);
      // prices are clean 2-decimal values (no binary float noise)
      expect(String(q.ask)).toMatch(/^\d+(\.\d{1,2})?$/);
    }
    for (const o of options) expect(() => parseOcc(o.symbol)).not.toThrow();
  });

  it('moves prices over time', () => {
    const m = new SimMarketModel(3, START);
    const first = m.step(START + 250).find((q) => q.symbol === 'SPY')!;
    let moved = false;
    for (let i = 2; i < 40; i++) if (m.step(START + i * 250).find((q) => q.symbol === 'SPY')!.bid !== first.bid) moved = true;
    expect(moved).toBe(true);
  });
});

describe('SimMarketModel: any symbol', () => {
  it('quotes any stock and any valid OCC contract, deterministic per seed and independent of what else is quoted', () => {
    const a = new SimMarketModel(5, START, { defaultUniverse: false });
    const b = new SimMarketModel(5, START, { defaultUniverse: false });
    expect(a.ensure('ZZZT')).toBe(true);
    expect(a.ensure('AAPL261218C00230000')).toBe(true);
    expect(b.ensure('MSFT')).toBe(true); // extra symbol in b only
    expect(b.ensure('ZZZT')).toBe(true);
    expect(b.ensure('AAPL261218C00230000')).toBe(true);
    for (let i = 1; i <= 5; i++) {
      a.advance(START + i * 250);
      b.advance(START + i * 250);
    }
    const qa = a.quote('ZZZT', START + 1250)!;
    const qb = b.quote('ZZZT', START + 1250)!;
    expect(qa.bid).toBe(qb.bid);
    expect(a.quote('AAPL261218C00230000', START + 1250)!.ask).toBe(b.quote('AAPL261218C00230000', START + 1250)!.ask);
    expect(a.has('AAPL')).toBe(true); // the option's underlying is walked too
  });

  it('prices options with Black-Scholes plus a spread: calls fall with strike, two-sided, 2 decimals', () => {
    const m = new SimMarketModel(1, START, { defaultUniverse: false });
    const strikes = [200, 220, 240, 260];
    for (const k of strikes) m.ensure(`AAPL261218C00${k}000`);
    const asks = strikes.map((k) => m.quote(`AAPL261218C00${k}000`, START)!.ask!);
    for (let i = 1; i < asks.length; i++) expect(asks[i]!).toBeLessThan(asks[i - 1]!);
    const put = (m.ensure('AAPL261218P00200000'), m.quote('AAPL261218P00200000', START)!);
    expect(put.ask!).toBeGreaterThan(put.bid!);
    expect(String(put.bid)).toMatch(/^\d+(\.\d{1,2})?$/);
  });

  it('refuses what it cannot quote', () => {
    const m = new SimMarketModel(1, START, { defaultUniverse: false });
    expect(m.ensure('AAPL261318C00230000')).toBe(false); // month 13
    expect(m.ensure('not a symbol')).toBe(false);
    expect(m.quote('NOPE', START)).toBeNull();
    expect(m.ensure('SPXW261218P05900000')).toBe(true);
    expect(m.has('SPX')).toBe(true); // SPXW options are on SPX
  });
});
