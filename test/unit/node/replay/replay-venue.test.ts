// Issue 21: the replay venue — market data from the replayed day (subscribed symbols only, a trade
// for each new last, REST and the chain from the quotes so far) and the paper matcher with the
// simulated venue's fill rules (market at the touch, a marketable limit at the touch, a resting limit
// filled by a later quote), its order updates delivered after the answer.
import { describe, expect, it } from 'vitest';
import { ReplayClock } from '../../../../src/core/replay/replay-clock';
import { dayOfQuotes } from '../../../../src/core/replay/day';
import { accountId } from '../../../../src/core/model/ids';
import { ReplayVenue } from '../../../../src/node/venues/replay/venue';
import type { OrderUpdate } from '../../../../src/core/ports/venue';

const C = 'SPY261218C00600000';
const q = (t: number, symbol: string, bid: number, ask: number, last: number | null = null) => ({ t, symbol, bid, ask, last, bidSize: 5, askSize: 5 });
const day = dayOfQuotes({ id: 'd', label: 'd', kind: 'import', synthetic: false, venue: 'sim' }, [q(1000, 'SPY', 585, 585.1, 585.05), q(1000, C, 3.0, 3.2), q(2000, C, 3.3, 3.5), q(3000, 'SPY', 585, 585.1, 585.05), q(3000, C, 2.9, 3.0)]);

function venue() {
  const clock = new ReplayClock(0);
  const v = new ReplayVenue({ day, clock, accountId: accountId('default'), venueName: 'sim', kind: 'sim', mode: 'SIM' });
  const step = (i: number) => {
    clock.moveTo(day.steps[i]!.t);
    v.applyStep(day.steps[i]!);
  };
  return { clock, v, step };
}

describe('replay venue: market data', () => {
  it('sends subscribed symbols only; a trade only when the last changes; REST and the chain answer from the quotes so far', async () => {
    const { v, step } = venue();
    const got: string[] = [];
    v.marketData.listen({ quote: (t) => got.push(`q ${t.symbol} ${t.bid}/${t.ask} @${t.receivedAt}`), trade: (t) => got.push(`t ${t.symbol} ${t.price}`) });
    await v.marketData.start();
    v.marketData.subscribe(['SPY']);
    step(0);
    step(1);
    step(2);
    // SPY's book and last unchanged at 3000: the book again (a refresh), no second trade
    expect(got).toEqual(['q SPY 585/585.1 @1000', 't SPY 585.05', 'q SPY 585/585.1 @3000']);
    expect((await v.marketData.latestQuotes([C, 'QQQ'])).map((x) => [x.symbol, x.bid, x.ask])).toEqual([[C, 2.9, 3.0]]);
    const chain = await v.marketData.optionChain('SPY', { right: 'call' });
    expect(chain.contracts.map((c) => [c.symbol, c.strike, c.expiry, c.delta, c.quote?.bid])).toEqual([[C, 600, '2026-12-18', null, 2.9]]);
    expect(await v.marketData.optionContractStatus([C, 'SPY261218P00500000'])).toEqual(new Map([[C, 'active'], ['SPY261218P00500000', 'unknown']]));
  });
});

describe("replay venue: the paper matcher (the sim broker's fill rules)", () => {
  it('market at the touch; a limit rests until a quote makes it marketable, then fills at the touch; updates after the answer', async () => {
    const { v, step } = venue();
    const updates: OrderUpdate[] = [];
    v.execution.listen({ orderUpdate: (u) => updates.push(u) });
    await v.execution.start();
    step(0);
    const m = await v.execution.placeOrder({ clientOrderId: 'm1', symbol: C, qty: '1', side: 'buy', type: 'market', timeInForce: 'day' });
    expect(m.status).toBe('filled');
    expect(m.filledAvgPrice).toBe('3.20'); // buy at the ask (the sim's average: 4 places, trailing zeros trimmed to 2)
    expect(updates).toEqual([]); // not before the answer
    expect(v.execution.flushUpdates()).toBe(2);
    expect(updates.map((u) => [u.event, u.price, u.qty])).toEqual([
      ['new', null, null],
      ['fill', '3.20', '1'],
    ]);
    // a sell limit at 3.30 rests (bid 3.00) until the bid reaches it
    const sell = await v.execution.placeOrder({ clientOrderId: 's1', symbol: C, qty: '1', side: 'sell', type: 'limit', limitPrice: '3.30', timeInForce: 'day' });
    expect(sell.status).toBe('new');
    step(1); // bid 3.30: marketable, at the touch
    v.execution.flushUpdates();
    expect(updates.at(-1)).toMatchObject({ event: 'fill', price: '3.30', order: { clientOrderId: 's1', status: 'filled' } });
    const buy = await v.execution.placeOrder({ clientOrderId: 'b2', symbol: C, qty: '2', side: 'buy', type: 'limit', limitPrice: '3.10', timeInForce: 'day' });
    expect(buy.status).toBe('new');
    step(2); // ask 3.00 ≤ 3.10: fills at 3.00 (price improvement)
    v.execution.flushUpdates();
    expect(updates.at(-1)).toMatchObject({ event: 'fill', price: '3.00', qty: '2' });
    expect((await v.execution.positions()).map((p) => [p.symbol, p.side, p.qty])).toEqual([[C, 'long', '2']]);
    await expect(v.execution.placeOrder({ clientOrderId: 'b2', symbol: C, qty: '1', side: 'buy', type: 'market', timeInForce: 'day' })).rejects.toThrow('client_order_id must be unique');
    expect((await v.execution.orderByClientId('s1'))?.status).toBe('filled');
  });
});
