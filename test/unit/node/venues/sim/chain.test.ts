import { describe, expect, it } from 'vitest';
import { listedExpiries, SimMarketModel } from '../../../../../src/node/venues/sim/model';
import { blackScholes } from '../../../../../src/core/greeks/black-scholes';
import { impliedVol } from '../../../../../src/core/greeks/implied-vol';

// Thursday 2026-12-03 15:00 UTC.
const START = Date.UTC(2026, 11, 3, 15, 0, 0);
const YEAR = 365 * 24 * 3600 * 1000;

describe('sim option chain (model)', () => {
  it('lists dailies for a week, Fridays for 8 weeks and third Fridays for 3 months (UTC dates, none on a weekend)', () => {
    const dates = listedExpiries(START);
    expect(dates.slice(0, 6)).toEqual(['2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10']);
    expect(dates).toContain('2027-01-22'); // 8th Friday
    expect(dates).toContain('2027-03-19'); // third Friday of March
    expect(dates).not.toContain('2027-01-29'); // 9th Friday: not listed
    for (const d of dates) expect([0, 6]).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    // After today's 21:00 UTC expiry, today is gone.
    expect(listedExpiries(Date.UTC(2026, 11, 3, 21, 0, 0))[0]).toBe('2026-12-04');
    // On a Saturday the first listed is Monday.
    expect(listedExpiries(Date.UTC(2026, 11, 5, 12, 0, 0))[0]).toBe('2026-12-07');
  });

  it('quotes every contract with the sim’s Black-Scholes greeks at the underlying’s volatility', () => {
    const m = new SimMarketModel(7, START);
    m.advance(START);
    const chain = m.chain('SPY', START, { expiration: '2026-12-11' });
    const spot = (m.quote('SPY', START)!.bid! + m.quote('SPY', START)!.ask!) / 2;
    expect(chain.length).toBeGreaterThan(100);
    const strikes = [...new Set(chain.map((e) => e.option.strike))];
    expect(strikes[1]! - strikes[0]!).toBe(1); // SPY: $1 strikes
    expect(Math.min(...strikes)).toBeGreaterThanOrEqual(spot * 0.85 - 1);
    expect(Math.max(...strikes)).toBeLessThanOrEqual(spot * 1.15 + 1);
    const u = m.underlyings.find((x) => x.symbol === 'SPY')!;
    for (const e of chain.filter((_, i) => i % 17 === 0)) {
      const g = blackScholes({ right: e.option.right, spot: u.price, strike: e.option.strike, years: (e.option.expiryMs - START) / YEAR, rate: 0.04, vol: u.vol });
      expect(e.greeks!.delta).toBeCloseTo(g.delta, 5);
      expect(e.greeks!.gamma).toBeCloseTo(g.gamma, 5);
      expect(e.greeks!.theta).toBeCloseTo(g.thetaPerDay, 5);
      expect(e.greeks!.vega).toBeCloseTo(g.vega, 5);
      expect(e.greeks!.iv).toBe(u.vol);
      expect(e.quote.ask!).toBeGreaterThan(e.quote.bid!);
    }
    const puts = chain.filter((e) => e.option.right === 'put');
    expect(puts.every((e) => e.greeks!.delta <= 0)).toBe(true);
  });

  it('filters by right, strikes and expiry range; an underlying without a chain lists nothing', () => {
    const m = new SimMarketModel(7, START, { optionUnderlyings: ['SPY'] });
    const c = m.chain('SPY', START, { right: 'call', strikeGte: 580, strikeLte: 590, expirationGte: '2026-12-04', expirationLte: '2026-12-08' });
    expect([...new Set(c.map((e) => e.expiry))]).toEqual(['2026-12-04', '2026-12-07', '2026-12-08']);
    expect(c.every((e) => e.option.right === 'call' && e.option.strike >= 580 && e.option.strike <= 590)).toBe(true);
    expect(c).toHaveLength(3 * 11);
    expect(m.chain('AAPL', START)).toEqual([]);
    expect(m.chain('not a symbol', START)).toEqual([]);
  });

  it('hold_price freezes an underlying (its walk stops) until released', () => {
    const m = new SimMarketModel(3, START);
    expect(m.holdPrice('SPY', 600, START)).toBe(true);
    for (let i = 1; i < 40; i++) m.advance(START + i * 1000);
    const q = m.quote('SPY', START + 40_000)!;
    expect((q.bid! + q.ask!) / 2).toBeCloseTo(600, 2);
    // The chain is priced off the held price.
    expect(m.chain('SPY', START + 40_000, { expiration: '2026-12-11', right: 'call', strikeGte: 600, strikeLte: 600 })[0]!.greeks!.delta).toBeCloseTo(0.5, 1);
    m.releasePrice('SPY');
    let moved = false;
    for (let i = 41; i < 100 && !moved; i++) {
      m.advance(START + i * 1000);
      moved = m.quote('SPY', START + i * 1000)!.bid !== q.bid;
    }
    expect(moved).toBe(true);
  });

  it('hold_price on an option holds its mid whatever the underlying does; its greeks come from the held mid’s IV', () => {
    const m = new SimMarketModel(3, START);
    const sym = 'SPY261211P00570000';
    expect(m.holdPrice(sym, 4.2, START)).toBe(true);
    for (let i = 1; i < 20; i++) m.advance(START + i * 5000);
    const now = START + 100_000;
    const q = m.quote(sym, now)!;
    expect(q.bid).toBe(4.16);
    expect(q.ask).toBe(4.24);
    const e = m.chain('SPY', now, { expiration: '2026-12-11', right: 'put', strikeGte: 570, strikeLte: 570 })[0]!;
    expect(e.quote.bid).toBe(4.16);
    const u = m.underlyings.find((x) => x.symbol === 'SPY')!;
    const iv = impliedVol({ model: 'black-scholes', right: 'put', price: 4.2, underlying: u.price, strike: 570, years: (e.option.expiryMs - now) / YEAR, rate: 0.04 });
    expect(iv.ok && e.greeks!.iv).toBeCloseTo(iv.ok ? iv.iv : NaN, 5);
    expect(m.holdPrice('not a symbol', 1, now)).toBe(false);
  });

  it('the chain does not disturb the seeded market (quotes after a chain request are the same)', () => {
    const run = (ask: boolean) => {
      const m = new SimMarketModel(7, START);
      const out = [];
      for (let i = 1; i < 5; i++) {
        if (ask) m.chain('SPY', START + i * 250);
        out.push(m.step(START + i * 250));
      }
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });
});
