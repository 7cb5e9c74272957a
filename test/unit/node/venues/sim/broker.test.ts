import { describe, expect, it } from 'vitest';
import { SimBroker, type TradeUpdateEvent } from '../../../../../src/node/venues/sim/broker';
import type { Quote } from '../../../../../src/core/market/quote';
import { sim } from '../../../../helpers/ids';

const quote = (symbol: string, bid: number, ask: number): Quote => ({ instrument: sim(symbol), symbol, bid, ask, last: null, bidSize: 1, askSize: 1, exchangeTime: 0, receivedAt: 0 });
const order = (side: 'buy' | 'sell', qty: number, id: string, type: 'market' | 'limit' = 'market', limitCents: number | null = null) => ({
  symbol: 'SPY', qty, side, type, time_in_force: 'day', limitCents, client_order_id: id,
});

describe('SimBroker', () => {
  it('fills market orders at the touch and keeps average-cost positions (like avg_entry_price) in exact cents', () => {
    const events: TradeUpdateEvent[] = [];
    const b = new SimBroker((e) => events.push(e), () => '2026-11-21T15:00:00.000000000Z');
    const q = quote('SPY', 100.1, 100.2);
    b.place(order('buy', 10, 'a'), q);
    expect(events.map((e) => [e.event, e.price ?? null])).toEqual([
      ['new', null],
      ['fill', '100.20'],
    ]);
    b.place(order('sell', 4, 'b'), q); // reduce: average unchanged
    let pos = b.positionList(() => q)[0]!;
    expect(pos).toMatchObject({ qty: '6', side: 'long', avg_entry_price: '100.20' });
    b.place(order('sell', 10, 'c'), quote('SPY', 99.5, 99.6)); // flip through zero: new average at the flip price
    pos = b.positionList(() => q)[0]!;
    expect(pos).toMatchObject({ qty: '-4', side: 'short', avg_entry_price: '99.50' });
    // cash: -10×100.20 + 4×100.10 + 10×99.50 = -1002 + 400.40 + 995 = +393.40
    expect(b.account(() => null).cash).toBe('100393.40');
  });

  it('rests a limit order until marketable, and can cancel or replace it', () => {
    const events: TradeUpdateEvent[] = [];
    const b = new SimBroker((e) => events.push(e), () => 't');
    const o = b.place(order('buy', 2, 'l', 'limit', 9950), quote('SPY', 100, 100.1));
    expect(o.status).toBe('new');
    b.onQuotes(() => quote('SPY', 99.4, 99.45));
    expect(b.get(o.id)!.status).toBe('filled');
    expect(events.at(-1)).toMatchObject({ event: 'fill', price: '99.45' }); // price improvement: the touch, not the limit
    const o2 = b.place(order('sell', 1, 'l2', 'limit', 20000), quote('SPY', 100, 100.1));
    b.cancel(o2.id);
    expect(() => b.cancel(o2.id)).toThrow(/not open/);
    expect(() => b.place(order('buy', 1, 'l2'), null)).toThrow(/unique/);
  });
});
