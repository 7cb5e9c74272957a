import { describe, expect, it } from 'vitest';
import { dayFifoPnl, fairMid, fairPriceModification, protectiveOrders, regenerationCandidates, roundToTick, type BookOrder } from '../../../../src/core/monitor/actions';
import { parseScaled, PRICE_DP, scaledToString } from '../../../../src/core/model/money';

const OPT = 'SPY261218C00600000';
const o = (id: string, side: 'buy' | 'sell', qty: string, px: string | null, time: number, symbol = OPT): BookOrder => ({ id, symbol, side, filledQty: qty, filledAvgPrice: px, time });

describe('step 2: FIFO P&L of the day order book', () => {
  it('matches exits against the oldest entries, per symbol, with the option multiplier', () => {
    const { rows, problems } = dayFifoPnl([o('a', 'buy', '2', '1.00', 1), o('b', 'buy', '1', '2.00', 2), o('c', 'sell', '2', '1.50', 3), o('z', 'buy', '0', null, 4)]);
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(1);
    // FIFO: the two lots at 1.00 close at 1.50 → +0.50 × 2 × 100 = 100; one lot at 2.00 stays open.
    expect(rows[0]).toMatchObject({ symbol: OPT, boughtQuantity: '3', soldQuantity: '2', openQuantity: '1', avgOpenPrice: '2', realizedPnl: '100', multiplier: '100', orders: 3 });
  });

  it('a flip through flat opens a short at the flipping price; stock has multiplier 1', () => {
    const { rows } = dayFifoPnl([o('a', 'buy', '10', '100', 1, 'SPY'), o('b', 'sell', '15', '101', 2, 'SPY')]);
    expect(rows[0]).toMatchObject({ openQuantity: '-5', avgOpenPrice: '101', realizedPnl: '10', multiplier: '1' });
  });

  it('a fill without an average price is named and left out, not counted as zero', () => {
    const { rows, problems } = dayFifoPnl([o('a', 'buy', '1', null, 1)]);
    expect(rows).toEqual([]);
    expect(problems[0]).toMatch(/order a .* without a usable average price/);
  });
});

describe('step 4: SL / TP for a running position', () => {
  it('long: SL a sell stop_limit below the entry, TP a sell limit above, rounded away from the entry to the tick', () => {
    const d = protectiveOrders({ symbol: OPT, quantity: '2', avgPrice: '2.53' }, { sl: { kind: 'pct', value: '30' }, tp: { kind: 'pct', value: '50' } }, { sl: false, tp: false });
    expect(d).toEqual([
      { kind: 'place', order: expect.objectContaining({ role: 'sl', side: 'sell', quantity: '2', orderType: 'stop_limit', stopPrice: '1.77', limitPrice: '1.77' }) },
      // 2.53 × 1.5 = 3.795 → options at ≥ 3.00 trade in 0.05: up to 3.80.
      { kind: 'place', order: expect.objectContaining({ role: 'tp', side: 'sell', quantity: '2', orderType: 'limit', limitPrice: '3.8', stopPrice: null }) },
    ]);
  });

  it('short: SL a buy stop above, TP a buy limit below; points rules', () => {
    const d = protectiveOrders({ symbol: OPT, quantity: '-1', avgPrice: '2.00' }, { sl: { kind: 'points', value: '1' }, tp: { kind: 'points', value: '0.5' } }, { sl: false, tp: false });
    expect(d.map((x) => x.kind === 'place' && [x.order.role, x.order.side, x.order.stopPrice, x.order.limitPrice])).toEqual([
      ['sl', 'buy', '3', '3'],
      ['tp', 'buy', null, '1.5'],
    ]);
  });

  it('places nothing a position already has, nothing without a rule, and says why it cannot price one', () => {
    expect(protectiveOrders({ symbol: OPT, quantity: '1', avgPrice: '2' }, { sl: { kind: 'pct', value: '10' }, tp: null }, { sl: true, tp: false })).toEqual([]);
    expect(protectiveOrders({ symbol: OPT, quantity: '0', avgPrice: null }, { sl: { kind: 'pct', value: '10' }, tp: null }, { sl: false, tp: false })).toEqual([]);
    const unknown = protectiveOrders({ symbol: OPT, quantity: '1', avgPrice: null }, { sl: { kind: 'pct', value: '10' }, tp: null }, { sl: false, tp: false });
    expect(unknown).toEqual([{ kind: 'cannot', role: 'sl', reason: expect.stringMatching(/average entry is unknown/) }]);
    const negative = protectiveOrders({ symbol: OPT, quantity: '-1', avgPrice: '0.40' }, { sl: null, tp: { kind: 'points', value: '0.5' } }, { sl: false, tp: false });
    expect(negative).toEqual([{ kind: 'cannot', role: 'tp', reason: expect.stringMatching(/not a positive price/) }]);
  });
});

describe('steps 5–6: fair-price modification of stop_limit orders', () => {
  it('buy entry: modified only once fair ≥ stop, to the fair price rounded up to the tick', () => {
    const order = { symbol: OPT, side: 'buy' as const, stopPrice: '2.00', limitPrice: '2.00' };
    expect(fairPriceModification(order, '1.99').kind).toBe('none');
    expect(fairPriceModification(order, '2.013')).toEqual({ kind: 'modify', limitPrice: '2.02', why: expect.stringMatching(/fair 2.013 ≥ stop 2: limit 2 → 2.02/) });
    expect(fairPriceModification({ ...order, limitPrice: '2.02' }, '2.013')).toMatchObject({ kind: 'none', why: expect.stringMatching(/already at the fair price/) });
  });

  it('an SL 30% below 4.2833 is 2.99 (the 0.01 band below 3.00), and a sell at fair 2.995 limits at 2.99', () => {
    const d = protectiveOrders({ symbol: OPT, quantity: '1', avgPrice: '4.2833' }, { sl: { kind: 'pct', value: '30' }, tp: null }, { sl: false, tp: false });
    expect(d[0]).toMatchObject({ kind: 'place', order: { stopPrice: '2.99' } });
    expect(fairPriceModification({ symbol: OPT, side: 'sell', stopPrice: '3.10', limitPrice: '3.10' }, '2.995')).toMatchObject({ kind: 'modify', limitPrice: '2.99' });
  });

  it('sell SL: modified only once fair ≤ stop, rounded down', () => {
    const order = { symbol: OPT, side: 'sell' as const, stopPrice: '1.50', limitPrice: '1.50' };
    expect(fairPriceModification(order, '1.51').kind).toBe('none');
    expect(fairPriceModification(order, '1.437')).toMatchObject({ kind: 'modify', limitPrice: '1.43' });
    expect(fairPriceModification({ ...order, stopPrice: null }, '1').kind).toBe('none');
  });

  it('fair price is the mid of a two-sided quote, unknown otherwise', () => {
    expect(fairMid('1.00', '1.10')).toBe('1.05');
    expect(fairMid(null, '1.10')).toBeNull();
    expect(fairMid('1.2', '1.1')).toBeNull();
  });

  it('tick rounding is exact', () => {
    const p = (s: string) => parseScaled(s, PRICE_DP);
    expect(scaledToString(roundToTick(OPT, p('3.01'), 'up'), PRICE_DP)).toBe('3.05');
    expect(scaledToString(roundToTick(OPT, p('3.01'), 'down'), PRICE_DP)).toBe('3');
    expect(scaledToString(roundToTick('SPY', p('100.001'), 'up'), PRICE_DP)).toBe('100.01');
    // just below 3.00 an option is in the 0.01 band: 2.998 down is 2.99, not 2.95; up crosses into 3.00
    expect(scaledToString(roundToTick(OPT, p('2.998'), 'down'), PRICE_DP)).toBe('2.99');
    expect(scaledToString(roundToTick(OPT, p('2.995'), 'up'), PRICE_DP)).toBe('3');
    expect(scaledToString(roundToTick(OPT, p('3.001'), 'up'), PRICE_DP)).toBe('3.05');
  });
});

describe('step 8: entry regenerate candidates', () => {
  const rej = (id: string, over: Partial<{ role: string | null; strategy: string | null; status: string; createdAt: number }> = {}) => ({
    clientOrderId: id,
    role: 'entry',
    strategy: 'straddle',
    status: 'rejected',
    createdAt: 100,
    ...over,
  });

  it('regenerates today’s rejected entries of permitted strategies once, with an id linked to the rejected one', () => {
    const d = regenerationCandidates(
      [rej('a'), rej('b', { role: 'sl' }), rej('c', { status: 'filled' }), rej('d', { createdAt: 10 }), rej('e', { strategy: 'other' }), rej('f')],
      [{ rejectedClientOrderId: 'f', newClientOrderId: 'f-r1', attempt: 1 }],
      { strategies: ['straddle'], maxAttempts: 2 },
      50,
    );
    expect(d).toEqual([
      { kind: 'regenerate', rejectedClientOrderId: 'a', newClientOrderId: 'a-r1', attempt: 1 },
      { kind: 'not', rejectedClientOrderId: 'e', why: expect.stringMatching(/strategy other is not in the regenerate list/) },
    ]);
  });

  it('a regenerated order rejected again continues the chain up to max attempts', () => {
    const existing = [{ rejectedClientOrderId: 'a', newClientOrderId: 'a-r1', attempt: 1 }];
    expect(regenerationCandidates([rej('a-r1')], existing, { strategies: ['*'], maxAttempts: 2 }, 0)).toEqual([
      { kind: 'regenerate', rejectedClientOrderId: 'a-r1', newClientOrderId: 'a-r2', attempt: 2 },
    ]);
    expect(regenerationCandidates([rej('a-r1')], existing, { strategies: ['*'], maxAttempts: 1 }, 0)).toEqual([
      { kind: 'not', rejectedClientOrderId: 'a-r1', why: expect.stringMatching(/already regenerated 1 time\(s\): the limit is 1/) },
    ]);
    expect(regenerationCandidates([rej('n', { strategy: null })], [], { strategies: ['*'], maxAttempts: 1 }, 0)[0]?.kind).toBe('regenerate');
  });
});
