import { describe, expect, it } from 'vitest';
import { blackScholes } from '../../../../src/core/greeks/black-scholes';
import { formatOcc } from '../../../../src/core/model/occ';
import type { StrategyLeg } from '../../../../src/core/strategy/definition';
import { chainFilterFor, chainSnapshotOf, pickExpiry, selectContracts, underlyingPriceOf, usOptionExpiresAt, type ChainContract, type SelectionSettings } from '../../../../src/core/strategy/select';
import type { QuoteValues } from '../../../../src/core/market/quote';
import type { OptionChainContract } from '../../../../src/core/ports/market-data';

// Wednesday 2026-12-02 15:00 New York (20:00 UTC).
const NOW = Date.parse('2026-12-02T20:00:00Z');
const SPOT = 585;
const VOL = 0.2;
const SETTINGS: SelectionSettings = { exchange: 'NYSE', greeksMaxAgeMs: 60_000, quoteMaxAgeMs: 30_000, riskFreeRate: 0.04, dividendYield: 0, multiplier: 100 };
const YEAR = 365 * 24 * 3600 * 1000;

interface Opts {
  greeksAge?: number | null; // null: no greeks
  quoteAge?: number | null; // null: no quote
  strikes?: number[];
  expiries?: string[];
}

/** A chain priced by Black-Scholes at VOL: venue greeks and two-sided quotes consistent with each other. */
function chain(o: Opts = {}): ChainContract[] {
  const strikes = o.strikes ?? Array.from({ length: 61 }, (_, i) => 555 + i);
  const out: ChainContract[] = [];
  for (const expiry of o.expiries ?? ['2026-12-04', '2026-12-11', '2026-12-18']) {
    const expiresAt = usOptionExpiresAt(expiry);
    for (const strike of strikes) {
      for (const right of ['call', 'put'] as const) {
        const g = blackScholes({ right, spot: SPOT, strike, years: (expiresAt - NOW) / YEAR, rate: 0.04, vol: VOL });
        const p = Math.max(0.05, g.price);
        out.push({
          symbol: formatOcc({ root: 'SPY', expiry, right, strikeMilli: strike * 1000 }),
          expiry,
          expiresAt,
          strike,
          right,
          bid: o.quoteAge === null ? null : Number((p * 0.99).toFixed(4)),
          ask: o.quoteAge === null ? null : Number((p * 1.01).toFixed(4)),
          quoteAt: o.quoteAge === null ? null : NOW - (o.quoteAge ?? 1000),
          greeks: o.greeksAge === null ? null : { delta: g.delta, iv: VOL, asOf: NOW - (o.greeksAge ?? 2000) },
        });
      }
    }
  }
  return out;
}

const U = { price: SPOT, at: NOW - 500 };
const leg = (over: Partial<StrategyLeg>): StrategyLeg => ({
  right: 'put',
  side: 'sell',
  lots: 1,
  select: { by: 'delta', min: 0.15, max: 0.25 },
  expiry: { kind: 'nearest', min_days: 0 },
  stop_loss: null,
  take_profit: null,
  ...over,
});
const def = (...legs: StrategyLeg[]) => ({ underlying: 'SPY', legs });
const deltaOfStrike = (right: 'call' | 'put', strike: number, expiry = '2026-12-04') =>
  blackScholes({ right, spot: SPOT, strike, years: (usOptionExpiresAt(expiry) - NOW) / YEAR, rate: 0.04, vol: VOL }).delta;

describe('selectContracts: by target delta', () => {
  it('picks, per leg, the strike whose |delta| is in range and nearest the middle (a short strangle)', () => {
    const contracts = chain();
    const r = selectContracts(def(leg({ right: 'put' }), leg({ right: 'call' })), { underlying: 'SPY', contracts }, U, NOW, SETTINGS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.contracts).toHaveLength(2);
    for (const [i, right] of [[0, 'put'], [1, 'call']] as const) {
      const c = r.contracts[i]!;
      expect(c.leg).toBe(i);
      expect(c.expiry).toBe('2026-12-04');
      expect(Math.abs(c.delta)).toBeGreaterThanOrEqual(0.15);
      expect(Math.abs(c.delta)).toBeLessThanOrEqual(0.25);
      // Brute force: no other strike of the expiry in range is nearer 0.20.
      const others = contracts.filter((x) => x.right === right && x.expiry === '2026-12-04').map((x) => Math.abs(deltaOfStrike(right, x.strike)));
      const best = Math.min(...others.filter((d) => d >= 0.15 && d <= 0.25).map((d) => Math.abs(d - 0.2)));
      expect(Math.abs(Math.abs(c.delta) - 0.2)).toBeCloseTo(best, 12);
      expect(c.deltaSource).toBe('venue');
      expect(c.deltaAgeMs).toBe(2000);
      expect(c.multiplier).toBe(100);
    }
    expect(r.contracts[0]!.delta).toBeLessThan(0); // a put's delta is negative; the range is on |delta|
    expect(r.contracts[0]!.strike).toBeLessThan(SPOT);
    expect(r.contracts[1]!.strike).toBeGreaterThan(SPOT);
  });

  it('stale venue greeks → the desk solves its own delta from the mid (IV from the quote), source and age recorded', () => {
    const r = selectContracts(def(leg({ right: 'call' })), { underlying: 'SPY', contracts: chain({ greeksAge: 120_000 }) }, U, NOW, SETTINGS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.contracts[0]!;
    expect(c.deltaSource).toBe('desk');
    // The quote is 1000 ms old and the underlying 500 ms: the delta is as old as its oldest input.
    expect(c.deltaAgeMs).toBe(1000);
    // The mid is the Black-Scholes price (symmetric spread), so the desk's delta is the model's.
    expect(c.delta).toBeCloseTo(deltaOfStrike('call', c.strike), 3);
  });

  it('no venue greeks at all → desk', () => {
    const r = selectContracts(def(leg({})), { underlying: 'SPY', contracts: chain({ greeksAge: null }) }, U, NOW, SETTINGS);
    expect(r.ok && r.contracts[0]!.deltaSource).toBe('desk');
  });

  it('the max age of venue greeks is a setting', () => {
    const contracts = chain({ greeksAge: 45_000 });
    const strict = selectContracts(def(leg({})), { underlying: 'SPY', contracts }, U, NOW, { ...SETTINGS, greeksMaxAgeMs: 30_000 });
    const loose = selectContracts(def(leg({})), { underlying: 'SPY', contracts }, U, NOW, SETTINGS);
    expect(strict.ok && strict.contracts[0]!.deltaSource).toBe('desk');
    expect(loose.ok && loose.contracts[0]!.deltaSource).toBe('venue');
  });

  it('stale greeks and stale quotes → fails closed, naming the leg and what is stale', () => {
    const r = selectContracts(def(leg({ right: 'put' }), leg({ right: 'call' })), { underlying: 'SPY', contracts: chain({ greeksAge: 120_000, quoteAge: 60_000 }) }, U, NOW, SETTINGS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/^legs\.0 \(sell put\): /);
    expect(r.reason).toMatch(/venue greeks 120 s old/);
    expect(r.reason).toMatch(/option quote is stale/);
  });

  it('no greeks and no quotes → fails closed', () => {
    const r = selectContracts(def(leg({})), { underlying: 'SPY', contracts: chain({ greeksAge: null, quoteAge: null }) }, U, NOW, SETTINGS);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^legs\.0 \(sell put\): expiry 2026-12-04: no contract has a usable delta .*no venue greeks, and no desk delta: option quote is stale/) });
  });

  it('stale greeks and a stale underlying → fails closed (the desk needs the underlying too)', () => {
    const r = selectContracts(def(leg({})), { underlying: 'SPY', contracts: chain({ greeksAge: 120_000 }) }, { price: SPOT, at: NOW - 60_000 }, NOW, SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/underlying quote is stale/);
  });

  it('one leg failing fails the whole selection (no partial structure)', () => {
    const contracts = chain().map((c) => (c.right === 'call' ? { ...c, greeks: null, quoteAt: NOW - 120_000 } : c));
    const r = selectContracts(def(leg({ right: 'put' }), leg({ right: 'call' })), { underlying: 'SPY', contracts }, U, NOW, SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^legs\.1 \(sell call\)/);
  });

  it('no contract in the range → fails closed with the range', () => {
    const r = selectContracts(def(leg({ select: { by: 'delta', min: 0.01, max: 0.02 } })), { underlying: 'SPY', contracts: chain({ strikes: [570, 575, 580, 585] }) }, U, NOW, SETTINGS);
    expect(r).toEqual({ ok: false, reason: 'legs.0 (sell put): expiry 2026-12-04: no contract with |delta| in [0.01, 0.02]' });
  });

  it('an unknown delta next to the pick fails closed (it could be the nearer strike)', () => {
    const ok = selectContracts(def(leg({})), { underlying: 'SPY', contracts: chain() }, U, NOW, SETTINGS);
    if (!ok.ok) throw new Error(ok.reason);
    const picked = ok.contracts[0]!;
    const contracts = chain().map((c) => (c.right === 'put' && c.expiry === picked.expiry && c.strike === picked.strike + 1 ? { ...c, greeks: null, quoteAt: null } : c));
    const r = selectContracts(def(leg({})), { underlying: 'SPY', contracts }, U, NOW, SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`next to the pick ${picked.symbol} has no usable delta`));
    // Far from the pick, an unknown delta does not matter.
    const far = chain().map((c) => (c.right === 'put' && c.expiry === picked.expiry && c.strike === 615 ? { ...c, greeks: null, quoteAt: null } : c));
    expect(selectContracts(def(leg({})), { underlying: 'SPY', contracts: far }, U, NOW, SETTINGS)).toEqual(ok);
  });

  it('range edges are inclusive: |delta| exactly min or max is inside', () => {
    const base = chain({ strikes: [570, 575, 580] }).filter((c) => c.expiry === '2026-12-04' && c.right === 'put');
    const withDelta = (deltas: number[]) => base.map((c, i) => ({ ...c, greeks: { delta: deltas[i]!, iv: 0.2, asOf: NOW } }));
    const at = (min: number, max: number, deltas: number[]) => selectContracts(def(leg({ select: { by: 'delta', min, max } })), { underlying: 'SPY', contracts: withDelta(deltas) }, U, NOW, SETTINGS);
    const lo = at(0.3, 0.4, [-0.2, -0.3, -0.45]);
    expect(lo.ok && lo.contracts[0]!.strike).toBe(575);
    const hi = at(0.3, 0.4, [-0.2, -0.4, -0.45]);
    expect(hi.ok && hi.contracts[0]!.strike).toBe(575);
    const out = at(0.3, 0.4, [-0.2, -0.2999, -0.4001]);
    expect(out.ok).toBe(false);
    const point = at(0.3, 0.3, [-0.2, -0.3, -0.45]);
    expect(point.ok && point.contracts[0]!.strike).toBe(575);
  });

  it('ties go to the lower strike, whatever the order of the chain', () => {
    const base = chain({ strikes: [570, 575, 580, 585] }).filter((c) => c.expiry === '2026-12-04' && c.right === 'call');
    const deltas = [0.6, 0.25, 0.15, 0.05]; // 0.25 and 0.15 are both 0.05 from 0.20
    const contracts = base.map((c, i) => ({ ...c, greeks: { delta: deltas[i]!, iv: 0.2, asOf: NOW } }));
    for (const order of [contracts, [...contracts].reverse()]) {
      const r = selectContracts(def(leg({ right: 'call' })), { underlying: 'SPY', contracts: order }, U, NOW, SETTINGS);
      expect(r.ok && r.contracts[0]!.strike).toBe(575);
    }
  });

  it('a chain of another underlying is refused', () => {
    expect(selectContracts(def(leg({})), { underlying: 'QQQ', contracts: chain() }, U, NOW, SETTINGS)).toEqual({ ok: false, reason: 'the chain is of QQQ, the definition trades SPY' });
  });

  it('tick: the desk option rule at the mid (0.05 from 3.00, else 0.01)', () => {
    const r = selectContracts(def(leg({ select: { by: 'strike_offset', offset: 0 } }), leg({ select: { by: 'strike_offset', offset: -8 } })), { underlying: 'SPY', contracts: chain() }, U, NOW, SETTINGS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.contracts[0]!.tick).toBe(0.05); // ATM put, a few dollars
    expect(r.contracts[1]!.tick).toBe(0.01); // 40 points out of the money
  });
});

describe('selectContracts: by strike offset from ATM', () => {
  it('ATM is the strike nearest the underlying; ± offsets walk the listed strikes', () => {
    const contracts = chain();
    const sel = (offset: number, right: 'call' | 'put' = 'call') => {
      const r = selectContracts(def(leg({ right, select: { by: 'strike_offset', offset } })), { underlying: 'SPY', contracts }, { price: 587.4, at: NOW - 100 }, NOW, SETTINGS);
      if (!r.ok) throw new Error(r.reason);
      return r.contracts[0]!;
    };
    expect(sel(0).strike).toBe(587);
    expect(sel(2).strike).toBe(589);
    expect(sel(-3, 'put').strike).toBe(584);
    expect(sel(0).deltaSource).toBe('venue');
  });

  it('an iron condor by offsets', () => {
    const legs = [leg({ right: 'put', side: 'buy', select: { by: 'strike_offset', offset: -4 } }), leg({ right: 'put', select: { by: 'strike_offset', offset: -2 } }), leg({ right: 'call', select: { by: 'strike_offset', offset: 2 } }), leg({ right: 'call', side: 'buy', select: { by: 'strike_offset', offset: 4 } })];
    const r = selectContracts(def(...legs), { underlying: 'SPY', contracts: chain() }, U, NOW, SETTINGS);
    expect(r.ok && r.contracts.map((c) => c.strike)).toEqual([581, 583, 587, 589]);
  });

  it('a tie between two strikes for ATM goes to the lower one', () => {
    const r = selectContracts(def(leg({ right: 'call', select: { by: 'strike_offset', offset: 0 } })), { underlying: 'SPY', contracts: chain() }, { price: 587.5, at: NOW }, NOW, SETTINGS);
    expect(r.ok && r.contracts[0]!.strike).toBe(587);
  });

  it('an offset past the listed strikes fails closed', () => {
    const r = selectContracts(def(leg({ select: { by: 'strike_offset', offset: 31 } })), { underlying: 'SPY', contracts: chain() }, U, NOW, SETTINGS);
    expect(r).toEqual({ ok: false, reason: 'legs.0 (sell put): expiry 2026-12-04: no strike 31 away from the at-the-money 585 (the chain lists 61 strikes, 555–615)' });
  });

  it('a stale or missing underlying price fails closed (no ATM)', () => {
    const l = leg({ select: { by: 'strike_offset', offset: 0 } });
    const stale = selectContracts(def(l), { underlying: 'SPY', contracts: chain() }, { price: SPOT, at: NOW - 31_000 }, NOW, SETTINGS);
    expect(stale).toEqual({ ok: false, reason: 'legs.0 (sell put): the SPY price is stale (31 s old), no at-the-money strike' });
    const none = selectContracts(def(l), { underlying: 'SPY', contracts: chain() }, { price: null, at: null }, NOW, SETTINGS);
    expect(none).toEqual({ ok: false, reason: 'legs.0 (sell put): no SPY price for the at-the-money strike' });
  });

  it('the offset pick without a usable delta fails closed (its delta is recorded)', () => {
    const r = selectContracts(def(leg({ select: { by: 'strike_offset', offset: 0 } })), { underlying: 'SPY', contracts: chain({ greeksAge: null, quoteAge: 60_000 }) }, U, NOW, SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^legs\.0 \(sell put\): SPY261204P00585000: no venue greeks, and no desk delta: option quote is stale/);
  });
});

describe('expiry rules (exchange zone)', () => {
  const ZONE = 'America/New_York';
  // December 2026: Fridays 4, 11, 18 (3rd Friday), 25 (Christmas: no expiry, Thursday 24th instead). Daily expiries Mon–Fri.
  const dec = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14', '2026-12-15', '2026-12-16', '2026-12-17', '2026-12-18', '2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-28', '2027-01-15', '2027-02-19', '2027-02-26'];
  const saturday = Date.parse('2026-12-05T15:00:00Z'); // Saturday 10:00 New York
  const fridayLate = Date.parse('2026-12-05T03:00:00Z'); // still Friday 2026-12-04 22:00 in New York (Saturday in UTC)

  it('nearest ≥ min_days across a weekend: on Saturday, 0 and 2 days → Monday, 3 days → Tuesday', () => {
    expect(pickExpiry({ kind: 'nearest', min_days: 0 }, dec, saturday, ZONE)).toEqual({ ok: true, expiry: '2026-12-07' });
    expect(pickExpiry({ kind: 'nearest', min_days: 2 }, dec, saturday, ZONE)).toEqual({ ok: true, expiry: '2026-12-07' });
    expect(pickExpiry({ kind: 'nearest', min_days: 3 }, dec, saturday, ZONE)).toEqual({ ok: true, expiry: '2026-12-08' });
  });

  it('days count in the exchange zone, not UTC', () => {
    // Friday 22:00 New York: Monday is 3 days away (in UTC it would be 2).
    expect(pickExpiry({ kind: 'nearest', min_days: 3 }, dec, fridayLate, ZONE)).toEqual({ ok: true, expiry: '2026-12-07' });
    expect(pickExpiry({ kind: 'nearest', min_days: 3 }, dec, fridayLate, 'UTC')).toEqual({ ok: true, expiry: '2026-12-08' });
  });

  it('n-th weekly: the last expiry of each week (Thursday when Friday is a holiday)', () => {
    const weeklies = [1, 2, 3, 4].map((n) => pickExpiry({ kind: 'weekly', n }, dec, saturday, ZONE));
    expect(weeklies).toEqual([
      { ok: true, expiry: '2026-12-11' },
      { ok: true, expiry: '2026-12-18' },
      { ok: true, expiry: '2026-12-24' },
      { ok: true, expiry: '2026-12-28' },
    ]);
  });

  it('n-th monthly: the third Friday (December 18, January 15, February 19 — not the 26th)', () => {
    expect([1, 2, 3].map((n) => pickExpiry({ kind: 'monthly', n }, dec, saturday, ZONE))).toEqual([
      { ok: true, expiry: '2026-12-18' },
      { ok: true, expiry: '2027-01-15' },
      { ok: true, expiry: '2027-02-19' },
    ]);
    expect(pickExpiry({ kind: 'monthly', n: 4 }, dec, saturday, ZONE)).toEqual({ ok: false, why: 'no 4th monthly expiry (3rd Friday; the chain has 3: 2026-12-18, 2027-01-15, 2027-02-19)' });
  });

  it('a monthly moved to Thursday by a Friday holiday still counts (June 2027: Juneteenth observed on Friday the 18th)', () => {
    expect(pickExpiry({ kind: 'monthly', n: 1 }, ['2027-06-11', '2027-06-17', '2027-06-25'], Date.parse('2027-06-01T15:00:00Z'), ZONE)).toEqual({ ok: true, expiry: '2027-06-17' });
  });

  it('an expiry already past today is not picked (selection filters contracts by their expiry instant)', () => {
    // Wednesday 2026-12-02 17:00 New York: today's 16:00 expiry has expired.
    const now = Date.parse('2026-12-02T22:00:00Z');
    const contracts = chain({ expiries: ['2026-12-02', '2026-12-03'] }).map((c) => ({ ...c, quoteAt: now, greeks: c.greeks && { ...c.greeks, asOf: now } }));
    const r = selectContracts(def(leg({ expiry: { kind: 'nearest', min_days: 0 } })), { underlying: 'SPY', contracts }, { price: SPOT, at: now }, now, SETTINGS);
    expect(r.ok && r.contracts[0]!.expiry).toBe('2026-12-03');
  });

  it('no matching expiry fails closed, naming the leg', () => {
    const r = selectContracts(def(leg({}), leg({ right: 'call', expiry: { kind: 'nearest', min_days: 30 } })), { underlying: 'SPY', contracts: chain() }, U, NOW, SETTINGS);
    expect(r).toEqual({ ok: false, reason: 'legs.1 (sell call): no expiry at least 30 days away (chain expiries: 2026-12-04, 2026-12-11, 2026-12-18)' });
  });

  it('a chain without the leg’s right fails closed', () => {
    const r = selectContracts(def(leg({ right: 'call' })), { underlying: 'SPY', contracts: chain().filter((c) => c.right === 'put') }, U, NOW, SETTINGS);
    expect(r).toEqual({ ok: false, reason: 'legs.0 (sell call): the SPY chain has no call that still trades' });
  });
});

describe('from the port: chainSnapshotOf, underlyingPriceOf, chainFilterFor', () => {
  const quote = (over: Partial<QuoteValues>): QuoteValues => ({ symbol: 'X', bid: 1, ask: 1.1, last: null, bidSize: null, askSize: null, exchangeTime: NOW - 4000, receivedAt: NOW - 1000, ...over });
  const contract = (over: Partial<OptionChainContract>): OptionChainContract => ({
    symbol: 'SPY261204P00580000',
    expiry: '2026-12-04',
    expiresAt: usOptionExpiresAt('2026-12-04'),
    strike: 580,
    right: 'put',
    delta: '-0.2',
    gamma: null,
    theta: null,
    vega: null,
    rho: null,
    impliedVolatility: '0.19',
    greeks: { source: 'venue', asOf: NOW - 4000 },
    quote: { ...quote({}), instrument: 'alpaca:X' as never },
    ...over,
  });

  it('quote time: the venue’s, capped at receipt; unknown without one (stale for selection)', () => {
    const snap = chainSnapshotOf({ underlying: 'SPY', receivedAt: NOW, contracts: [contract({}), contract({ quote: { ...quote({ exchangeTime: null }), instrument: 'alpaca:X' as never } }), contract({ quote: { ...quote({ exchangeTime: NOW + 5000 }), instrument: 'alpaca:X' as never } })] });
    expect(snap.contracts.map((c) => c.quoteAt)).toEqual([NOW - 4000, null, NOW - 1000]);
    expect(snap.contracts[0]).toMatchObject({ bid: 1, ask: 1.1, greeks: { delta: -0.2, iv: 0.19, asOf: NOW - 4000 } });
  });

  it('no delta → no greeks; a quote-less contract has null sides', () => {
    const snap = chainSnapshotOf({ underlying: 'SPY', receivedAt: NOW, contracts: [contract({ delta: null, greeks: null, quote: null })] });
    expect(snap.contracts[0]).toMatchObject({ greeks: null, bid: null, ask: null, quoteAt: null });
  });

  it('underlyingPriceOf: the mid and the book time; one-sided or missing → unknown price', () => {
    expect(underlyingPriceOf(quote({ bid: 584.9, ask: 585.1, bookReceivedAt: NOW - 300 }))).toEqual({ price: 585, at: NOW - 300 });
    expect(underlyingPriceOf(quote({ bid: null }))).toEqual({ price: null, at: NOW - 1000 });
    expect(underlyingPriceOf(null)).toEqual({ price: null, at: null });
  });

  it('chainFilterFor: from today (exchange zone) to the farthest date any leg’s rule can reach; one right when all legs trade it', () => {
    const late = Date.parse('2026-12-03T03:00:00Z'); // still Wednesday 2026-12-02 in New York
    expect(chainFilterFor(def(leg({ expiry: { kind: 'nearest', min_days: 0 } })), late, 'NYSE')).toEqual({ expirationGte: '2026-12-02', expirationLte: '2027-01-16', right: 'put' });
    expect(chainFilterFor(def(leg({ expiry: { kind: 'weekly', n: 2 } }), leg({ right: 'call', expiry: { kind: 'monthly', n: 1 } })), late, 'SIM')).toEqual({ expirationGte: '2026-12-03', expirationLte: '2027-02-03' });
  });
});
