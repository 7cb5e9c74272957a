// Our ledger beside the broker's (issue 16 item 6): the difference and its explanation — fees, average
// cost vs FIFO after a partial close (quantified from our own fills), fills outside the app, missing
// fills of our own orders, no fresh mark (unknown, not zero).
import { describe, expect, it } from 'vitest';
import { averageCostOf, compareWithBroker, type OurPnlPosition } from '../../../../src/core/pnl/broker-compare';
import type { VenuePosition } from '../../../../src/core/ports/venue';

const broker = (qty: string, side: 'long' | 'short', avg: string, unrealized: string | null, price: string | null = null): VenuePosition => ({
  symbol: 'SPY',
  assetClass: 'us_equity',
  qty,
  side,
  avgEntryPrice: avg,
  marketValue: null,
  costBasis: null,
  unrealizedPl: unrealized,
  currentPrice: price,
});
const ours = (over: Partial<OurPnlPosition>): OurPnlPosition => ({ symbol: 'SPY', quantity: '10', avgPrice: '100', realized: '0', unrealized: '50', fees: '0', multiplier: '1', ...over });

describe('compareWithBroker', () => {
  it('equal figures: difference 0 and nothing to explain', () => {
    const c = compareWithBroker({ symbol: 'SPY', ours: ours({}), broker: broker('10', 'long', '100', '50', '105') });
    expect(c.difference).toBe('0');
    expect(c.explanation).toEqual([]);
    expect(c.ours).toEqual({ quantity: '10', avg_price: '100', realized: '0', unrealized: '50', fees: '0' });
    expect(c.broker).toEqual({ quantity: '10', avg_price: '100', unrealized: '50', market_value: null });
  });

  it('fees: ours are net of fees, the broker carries none', () => {
    const c = compareWithBroker({ symbol: 'SPY', ours: ours({ realized: '-1.3', fees: '1.3' }), broker: broker('10', 'long', '100', '50', '105') });
    expect(c.difference).toBe('0');
    expect(c.explanation).toEqual(["fees: our realized P&L (-1.30) is net of 1.30 fees paid; the broker's unrealized P&L carries no fees"]);
  });

  it('average cost vs FIFO after a partial close: quantified, and recomputed from our own fills', () => {
    // Bought 10 @ 100, 10 @ 110, sold 10 @ 120. FIFO keeps the 10 @ 110 open; the broker's average cost stays 105.
    const fills = [
      { clientOrderId: 'a', side: 'buy' as const, quantity: '10', price: '100', time: 1 },
      { clientOrderId: 'b', side: 'buy' as const, quantity: '10', price: '110', time: 2 },
      { clientOrderId: 'c', side: 'sell' as const, quantity: '10', price: '120', time: 3 },
    ];
    expect(averageCostOf(fills)).toEqual({ quantity: 10n * 10n ** 9n, avg: 105n * 10n ** 10n });
    // Mark 115: ours (115 − 110) × 10 = 50, the broker's (115 − 105) × 10 = 100.
    const c = compareWithBroker({ symbol: 'SPY', ours: ours({ avgPrice: '110', realized: '200', unrealized: '50' }), broker: broker('10', 'long', '105', '100', '115'), fills });
    expect(c.difference).toBe('-50');
    expect(c.explanation).toHaveLength(1);
    expect(c.explanation[0]).toContain('average cost vs FIFO');
    expect(c.explanation[0]).toContain('accounts for -50.00');
    expect(c.explanation[0]).toContain("our own fills' average cost is 105: the broker's figure");
  });

  it('an option multiplier scales the average-cost effect; the rest is the marks', () => {
    // 2 contracts; broker avg 1.05, FIFO 1.10 → (1.05 − 1.10) × 2 × 100 = −10; marks differ by 0.01 → −2 more.
    const c = compareWithBroker({
      symbol: 'SPY',
      ours: ours({ quantity: '2', avgPrice: '1.1', unrealized: '8', multiplier: '100' }),
      broker: broker('2', 'long', '1.05', '20', '1.15'),
    });
    expect(c.difference).toBe('-12');
    expect(c.explanation[0]).toContain('accounts for -10.00');
    expect(c.explanation[1]).toBe('marks: the broker values at 1.15, we at 1.14; that accounts for -2.00');
  });

  it('fills outside the app: the broker holds more than our ledger and our orders explain none of it', () => {
    const c = compareWithBroker({
      symbol: 'SPY',
      ours: ours({}),
      broker: broker('15', 'long', '100', '75'),
      fills: [{ clientOrderId: 'a', side: 'buy', quantity: '10', price: '100', time: 1 }],
      orders: [{ clientOrderId: 'a', side: 'buy', filledQuantity: '10' }],
    });
    expect(c.explanation).toEqual(["fills outside the app: the broker holds 15, our ledger 10 — 5 traded where the desk did not see it (another app, the broker's site, an assignment or transfer)"]);
  });

  it('missing fills: our own order was reported filled beyond the fills the ledger has', () => {
    const c = compareWithBroker({
      symbol: 'SPY',
      ours: ours({ quantity: '6' }),
      broker: broker('10', 'long', '100', '50'),
      fills: [{ clientOrderId: 'a', side: 'buy', quantity: '6', price: '100', time: 1 }],
      orders: [{ clientOrderId: 'a', side: 'buy', filledQuantity: '10' }],
    });
    expect(c.explanation).toEqual(['missing fills: the venue reported 4 filled on our orders a (4) that the ledger has no fill for']);
  });

  it('without our orders, a quantity gap is named as either', () => {
    const c = compareWithBroker({ symbol: 'SPY', ours: null, broker: broker('3', 'short', '100', '-3') });
    expect(c.ours).toBeNull();
    expect(c.difference).toBeNull();
    expect(c.explanation[0]).toMatch(/^fills outside the app or missing fills: the broker holds -3, our ledger 0/);
  });

  it('no fresh mark: our unrealized is unknown (null), not zero; no difference', () => {
    const c = compareWithBroker({ symbol: 'SPY', ours: ours({ unrealized: null }), broker: broker('10', 'long', '100', '50') });
    expect(c.difference).toBeNull();
    expect(c.ours!.unrealized).toBeNull();
    expect(c.explanation).toEqual(['no fresh mark: our unrealized P&L is unknown (not zero), so no difference is computed']);
  });
});

describe('averageCostOf', () => {
  it('a flip through zero opens the rest at its price; flat is null', () => {
    expect(averageCostOf([{ side: 'buy', quantity: '5', price: '10' }, { side: 'sell', quantity: '8', price: '12' }])).toEqual({ quantity: -3n * 10n ** 9n, avg: 12n * 10n ** 10n });
    expect(averageCostOf([{ side: 'buy', quantity: '5', price: '10' }, { side: 'sell', quantity: '5', price: '12' }]).avg).toBeNull();
    // 1 @ 1, 2 @ 2 → 5/3, rounded once to the price scale
    expect(averageCostOf([{ side: 'buy', quantity: '1', price: '1' }, { side: 'buy', quantity: '2', price: '2' }]).avg).toBe(16666666667n);
  });
});
