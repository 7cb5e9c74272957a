// The SmartAPI venue's edge conversions with a fake REST (no sockets): units ↔ lots, cumulative order
// updates → per-execution fills with exact prices, symbols outside the master left out.
import { describe, expect, it } from 'vitest';
import { QuoteRowSchema, SmartApiVenue, istFeedTime } from '../../../../../src/node/venues/smartapi/venue';
import { InstrumentMaster } from '../../../../../src/node/venues/smartapi/master';
import { NseSimModel } from '../../../../../src/node/venues/sim/nse/model';
import { OrderDataSchema } from '../../../../../src/node/venues/smartapi/protocols';
import { ManualClock } from '../../../../../src/core/ports/clock';
import type { OrderUpdate } from '../../../../../src/core/ports/venue';
import { TickReader, encodeTickPacket as encodeTick } from '../../../../../src/node/venues/smartapi/tick-parser';
import type { TradeTick } from '../../../../../src/core/market/quote';

const T0 = Date.UTC(2026, 11, 7, 4, 0);
const rows = new NseSimModel(1, T0).master();
const ce = rows.find((r) => r.name === 'NIFTY' && r.symbol.endsWith('24500CE'))!;

function venueWith(routes: Record<string, unknown>, sent: { path: string; body: unknown }[] = []): SmartApiVenue {
  const fetchStub = (async (url: string, init?: { body?: string }) => {
    const path = new URL(url).pathname;
    sent.push({ path, body: init?.body ? JSON.parse(init.body) : null });
    const data = routes[path];
    const body = data === undefined ? { status: false, message: 'no route', errorcode: 'AB1004', data: null } : { status: true, message: 'SUCCESS', errorcode: '', data };
    return new Response(JSON.stringify(body), { status: 200 });
  }) as unknown as typeof fetch;
  const v = new SmartApiVenue(
    { mode: 'LIVE', credentials: { apiKey: 'k', clientCode: 'C1', pin: '1', totpSecret: 'JBSWY3DPEHPK3PXP' }, urls: { rest: 'http://x', feed: 'ws://x', orderFeed: 'ws://x', master: 'http://x/m' } },
    { clock: new ManualClock(T0), fetch: fetchStub },
  );
  v.master = new InstrumentMaster(rows, '2026-12-07');
  return v;
}

describe('SmartAPI venue edge', () => {
  it('positions: net units → lots with the side; a symbol outside the master is left out, not mis-scaled', async () => {
    const v = venueWith({
      '/rest/auth/angelbroking/user/v1/loginByPassword': { jwtToken: 'j', refreshToken: 'r', feedToken: 'f' },
      '/rest/secure/angelbroking/order/v1/getPosition': [
        { tradingsymbol: ce.symbol, netqty: '-130', sellavgprice: '91.35', buyavgprice: '0' },
        { tradingsymbol: rows.find((r) => r.symbol.endsWith('24500PE'))!.symbol, netqty: '650', buyavgprice: '80.05' },
        { tradingsymbol: 'GOLDM05JAN27FUT', netqty: '10', buyavgprice: '70000' },
      ],
    });
    await v.session.login();
    const pos = await v.positions();
    expect(pos).toEqual([expect.objectContaining({ symbol: ce.symbol, qty: '2', side: 'short', avgEntryPrice: '91.35' }), expect.objectContaining({ qty: '10', side: 'long', avgEntryPrice: '80.05' })]);
    expect(v.unsupportedCount).toBe(1);
  });

  it('a unit count that is not whole lots is an error naming the symbol', async () => {
    const v = venueWith({
      '/rest/auth/angelbroking/user/v1/loginByPassword': { jwtToken: 'j', refreshToken: 'r', feedToken: 'f' },
      '/rest/secure/angelbroking/order/v1/getPosition': [{ tradingsymbol: ce.symbol, netqty: '100', buyavgprice: '1' }],
    });
    await v.session.login();
    await expect(v.positions()).rejects.toThrow(new RegExp(`${ce.symbol}.*not a whole number of lots of 65`));
  });

  it('cumulative order updates become per-execution fills in lots with exact prices', () => {
    const v = venueWith({});
    const got: OrderUpdate[] = [];
    v.listen({ orderUpdate: (u) => got.push(u) });
    const od = (filled: string, avg: number, status: string) =>
      OrderDataSchema.parse({ tradingsymbol: ce.symbol, orderid: 'O1', quantity: '195', filledshares: filled, averageprice: avg, status, orderstatus: status, transactiontype: 'SELL', ordertype: 'LIMIT', duration: 'DAY', price: 100 });
    const onUpdate = (v as unknown as { onOrderUpdate(code: string, od: unknown, at: number): void }).onOrderUpdate.bind(v);
    onUpdate('AB01', od('0', 0, 'open'), 1);
    onUpdate('AB01', od('65', 100, 'open'), 2);
    onUpdate('AB05', od('195', 100.9, 'complete'), 3);
    onUpdate('AB05', od('195', 100.9, 'complete'), 4); // a repeat adds nothing
    expect(got.map((u) => [u.event, u.qty, u.price, u.order.filledQty, u.order.qty])).toEqual([
      ['new', null, null, '0', '3'],
      ['partial_fill', '1', '100', '1', '3'],
      ['fill', '2', '101.35', '3', '3'],
      ['filled_repeat', null, null, '3', '3'],
    ]);
    // 65 × 100 + 130 × 101.35 = 195 × 100.9 exactly
    expect(got[1]!.executionId).toBe('O1:65');
    // round lot counts keep their zeros (10 lots is "10", never "1")
    got.length = 0;
    onUpdate('AB05', OrderDataSchema.parse({ tradingsymbol: ce.symbol, orderid: 'O2', quantity: '650', filledshares: '650', averageprice: 50, status: 'complete', orderstatus: 'complete', transactiontype: 'BUY', ordertype: 'MARKET', duration: 'DAY', price: 0 }), 5);
    expect(got.map((u) => [u.event, u.qty, u.order.qty, u.order.filledQty])).toEqual([['fill', '10', '10', '10']]);
  });
  // Review of issue 19 (spec §5: the last trade carries its own time): every SnapQuote repeats the last
  // price; only a new print is a trade, stamped with its last-traded time — an old print never looks fresh.
  it('a tick repeating the last print is not a new trade; a new print is, at its own time', () => {
    const v = venueWith({});
    const trades: TradeTick[] = [];
    v.listen({ trade: (t) => trades.push(t) });
    const internals = v as unknown as { byKey: Map<number, unknown>; onTick(key: number, t: unknown, at: number): boolean; flush(): void; master: InstrumentMaster };
    const entry = internals.master.bySymbol(ce.symbol)!;
    internals.byKey.set(entry.key, { symbol: ce.symbol, id: `sim-nse:${ce.symbol}`, entry, printLtp: -1, printVolume: -1, printTime: -1 });
    const reader = new TickReader();
    const packet = (ltpPaise: number, volume: number, lttSec: number, bidPaise: number) => {
      expect(reader.read(encodeTick({ mode: 3, exchangeType: 2, token: ce.token, exchangeTimeMs: T0 + 60_000, ltpPaise, volume, lastTradedTimeSec: lttSec, bids: [{ pricePaise: bidPaise, qty: 65 }], asks: [{ pricePaise: bidPaise + 10, qty: 65 }] }))).toBeNull();
      internals.onTick(entry.key, reader.scratch, T0 + 60_000);
      internals.flush();
    };
    packet(9_100, 650, T0 / 1000 - 3600, 9_050); // first sight: the print an hour ago
    expect(trades.map((t) => [t.price, t.exchangeTime])).toEqual([[91, T0 - 3_600_000]]);
    packet(9_100, 650, T0 / 1000 - 3600, 9_060); // the book moved, the print did not
    packet(9_100, 650, T0 / 1000 - 3600, 9_070);
    expect(trades).toHaveLength(1);
    packet(9_120, 715, T0 / 1000 + 59, 9_070); // a new trade
    expect(trades.map((t) => [t.price, t.exchangeTime])).toEqual([[91, T0 - 3_600_000], [91.2, T0 + 59_000]]);
  });
  // Review of issue 19 (smartapi.md §4.4): modifying a stop-loss order keeps its trigger price; a cancel
  // uses the order's own variety, read from the order book when the desk has not seen the order.
  it('modify of a STOPLOSS order carries its trigger price; cancel after a restart sends the order\'s variety', async () => {
    const sent: { path: string; body: unknown }[] = [];
    const slOrder = { variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', producttype: 'CARRYFORWARD', duration: 'DAY', price: '95', triggerprice: '94', quantity: '65', tradingsymbol: ce.symbol, symboltoken: ce.token, exchange: 'NFO', orderid: 'SL1', status: 'trigger pending', orderstatus: 'trigger pending', transactiontype: 'BUY', filledshares: '0', unfilledshares: '65' };
    const v = venueWith(
      {
        '/rest/auth/angelbroking/user/v1/loginByPassword': { jwtToken: 'j', refreshToken: 'r', feedToken: 'f' },
        '/rest/secure/angelbroking/order/v1/getOrderBook': [slOrder],
        '/rest/secure/angelbroking/order/v1/modifyOrder': { orderid: 'SL1' },
        '/rest/secure/angelbroking/order/v1/cancelOrder': { orderid: 'SL1' },
      },
      sent,
    );
    await v.session.login();
    await v.cancelOrder('SL1');
    expect(sent.find((x) => x.path.endsWith('/cancelOrder'))!.body).toEqual({ variety: 'STOPLOSS', orderid: 'SL1' });
    await v.replaceOrder('SL1', { limitPrice: '96' });
    expect(sent.find((x) => x.path.endsWith('/modifyOrder'))!.body).toMatchObject({ variety: 'STOPLOSS', price: '96', triggerprice: '94' });
  });
  // Review of issue 19: the quote API's rows are validated at the edge; its exchange time (IST) is kept.
  it('quote rows: a string where a number belongs is refused; exchFeedTime read as IST', () => {
    expect(QuoteRowSchema.safeParse({ exchange: 'NFO', symbolToken: '1', ltp: 91.5, depth: { buy: [{ price: 91.4, quantity: 65 }] } }).success).toBe(true);
    expect(QuoteRowSchema.safeParse({ exchange: 'NFO', symbolToken: '1', depth: { buy: [{ price: '91.4', quantity: 65 }] } }).success).toBe(false);
    expect(QuoteRowSchema.safeParse({ exchange: 'NFO', symbolToken: '1', ltp: -1 }).success).toBe(false);
    expect(new Date(istFeedTime('19-Jul-2023 11:20:51')!).toISOString()).toBe('2023-07-19T05:50:51.000Z');
    expect(istFeedTime('yesterday')).toBeNull();
    expect(istFeedTime(undefined)).toBeNull();
  });
});
