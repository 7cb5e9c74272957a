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

  it('a stop_limit rests untriggered (status new) until the stop trades — buy: ask at or above; sell: bid at or below — then works as a limit', () => {
    const events: TradeUpdateEvent[] = [];
    const b = new SimBroker((e) => events.push(e), () => 't');
    const stop = (side: 'buy' | 'sell', id: string, stopCents: number, limitCents: number) => ({ symbol: 'SPY', qty: 1, side, type: 'stop_limit' as const, time_in_force: 'day', limitCents, stopCents, client_order_id: id });
    const buy = b.place(stop('buy', 'sb', 10100, 10110), quote('SPY', 100, 100.05));
    expect(buy).toMatchObject({ type: 'stop_limit', order_type: 'stop_limit', stop_price: '101.00', limit_price: '101.10', status: 'new' });
    b.onQuotes(() => quote('SPY', 100.9, 100.99)); // ask below the stop: nothing
    expect(b.get(buy.id)!.status).toBe('new');
    b.onQuotes(() => quote('SPY', 101.15, 101.2)); // ask 101.20 ≥ stop: triggered, but above the limit 101.10: rests as a limit
    expect(b.get(buy.id)!.status).toBe('accepted');
    expect(events.filter((e) => e.order.id === buy.id).map((e) => e.event)).toEqual(['new']); // no trade_update for the trigger itself
    b.onQuotes(() => quote('SPY', 100.95, 100.98)); // back under the stop: still triggered, marketable at the limit
    expect(b.get(buy.id)).toMatchObject({ status: 'filled', filled_avg_price: '100.98' });

    const sell = b.place(stop('sell', 'ss', 9900, 9890), quote('SPY', 100, 100.05));
    b.onQuotes(() => quote('SPY', 99.01, 99.05)); // bid above the stop
    expect(b.get(sell.id)!.status).toBe('new');
    b.onQuotes(() => quote('SPY', 99, 99.02)); // bid 99.00 ≤ stop 99.00: triggered and marketable (bid ≥ limit 98.90)
    expect(b.get(sell.id)).toMatchObject({ status: 'filled', filled_avg_price: '99.00' });
    // a stop already through at placement triggers at once
    const through = b.place(stop('buy', 'st', 9000, 10100), quote('SPY', 100, 100.05));
    expect(through).toMatchObject({ status: 'filled' });
  });

  it('stop_limit: both prices required (422 naming the field); a stop on a limit is refused; replace moves the limit and keeps the stop and the trigger state', () => {
    const b = new SimBroker(() => undefined, () => 't');
    const base = { symbol: 'SPY', qty: 2, side: 'sell' as const, time_in_force: 'day', client_order_id: 'x' };
    expect(() => b.place({ ...base, type: 'stop_limit', limitCents: 9900 }, null)).toThrow('stop_price is required for stop_limit orders');
    expect(() => b.place({ ...base, type: 'stop_limit', limitCents: null, stopCents: 9900 }, null)).toThrow('limit_price is required for stop_limit orders');
    expect(() => b.place({ ...base, type: 'limit', limitCents: 9900, stopCents: 9900 }, null)).toThrow('stop_price is not allowed for limit orders');
    const o = b.place({ ...base, type: 'stop_limit', limitCents: 9890, stopCents: 9900 }, quote('SPY', 100, 100.05));
    const r = b.replace(o.id, { limitCents: 9880, clientOrderId: 'x.r1' }, quote('SPY', 100, 100.05));
    expect(r).toMatchObject({ client_order_id: 'x.r1', type: 'stop_limit', stop_price: '99.00', limit_price: '98.80', status: 'new', replaces: o.id });
    b.onQuotes(() => quote('SPY', 98.95, 99)); // triggered: bid ≤ 99.00, and bid 98.95 ≥ limit 98.80 → fills
    expect(b.get(r.id)!.status).toBe('filled');
    // triggered but not marketable, then replaced: the successor is still triggered (accepted), and fills when marketable
    const t = b.place({ ...base, client_order_id: 'y', type: 'stop_limit', limitCents: 9950, stopCents: 9900 }, quote('SPY', 98.9, 99)); // triggered, bid 98.90 < limit 99.50
    expect(t.status).toBe('accepted');
    const t2 = b.replace(t.id, { limitCents: 9940 }, quote('SPY', 98.9, 99));
    expect(t2.status).toBe('accepted');
    b.onQuotes(() => quote('SPY', 99.45, 99.5)); // above the stop again, but triggered: a limit at 99.40, bid 99.45 → fills
    expect(b.get(t2.id)!.status).toBe('filled');
  });
});
