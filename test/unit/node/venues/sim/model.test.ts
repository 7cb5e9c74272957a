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
