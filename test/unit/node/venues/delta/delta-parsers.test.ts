// Delta ticker parsing in both formats (the new compact `ticker`, the legacy `v2/ticker`), mark_price,
// and the private frames; the documented samples (docs/protocols/delta.md §3.5–§3.6).
import { describe, expect, it } from 'vitest';
import { parseDeltaFrame, parseRestTicker } from '../../../../../src/node/venues/delta/parsers';

const compact = {
  type: 'ticker',
  sy: 'BTC-310125',
  sp: '72154.6',
  ts: 1775801092453559,
  d: [
    { s: 'C-BTC-90000-310125', i: 27, m: '1325.5', m24hc: '1.5902', ohlc: [1, 2, 3, 4], oi: ['537395', '4457821.69'], pb: ['1.0', '2.0'], q: ['1330', '922', '1320', '191', null], g: ['0.0194', '0.0000638', '0.0072', '-81.48', '0.7249'], qiv: ['0.26', '0.25', '0.29418049'], to: [1, 2] },
  ],
};

const legacy = {
  type: 'v2/ticker',
  symbol: 'C-BTC-90000-310125',
  product_id: 12345,
  timestamp: 1595242187705121,
  mark_price: '1325.5',
  spot_price: '63449.5',
  oi: '812.6100',
  contract_value: '0.001',
  quotes: { best_bid: '1320', bid_size: '191', bid_iv: '0.25', best_ask: '1330', ask_size: '922', ask_iv: '0.26', mark_iv: '0.29418049', impact_mid_price: null },
  greeks: { delta: '0.0194', gamma: '0.0000638', theta: '-81.48', vega: '0.7249', rho: '0.0072', spot: '63449.5' },
};

describe('delta ticker parsing', () => {
  // Review of issue 20 (delta.md §3.5: ob_l1, 100 ms on change, ≥ every 5 s): the top of book between the 5 s tickers.
  it('ob_l1: ap/as/bp/bs with the book time lts (µs); a crossed or malformed book is refused, named', () => {
    const f = parseDeltaFrame(JSON.stringify({ type: 'ob_l1', sy: 'C-BTC-90000-310125', ap: '1250.5', as: '120', bp: '1240', bs: '95', lts: 1775801092453559, ts: 1775801092460000 }));
    expect(f).toEqual({ kind: 'book', book: { symbol: 'C-BTC-90000-310125', bid: 1240, ask: 1250.5, bidSize: 95, askSize: 120, exchangeTime: 1775801092453 } });
    expect(parseDeltaFrame(JSON.stringify({ type: 'ob_l1', sy: 'C-BTC-90000-310125', ap: null, as: null, bp: '1240', bs: '95', ts: 1775801092460000 }))).toMatchObject({ kind: 'book', book: { ask: null, bid: 1240 } });
    expect(parseDeltaFrame(JSON.stringify({ type: 'ob_l1', sy: 'C-BTC-90000-310125', ap: '1', as: '1', bp: '2', bs: '1' }))).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/bid 2 above ask 1/) });
    expect(parseDeltaFrame(JSON.stringify({ type: 'ob_l1', sy: 'C-BTC-90000-310125', ap: 'x', bp: '1' }))).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/"ap" is not a decimal/) });
  });

  it('new compact format: ask comes first in q, rho before theta in g, qiv = [ask, bid, mark], ts in µs', () => {
    const f = parseDeltaFrame(JSON.stringify(compact));
    expect(f.kind).toBe('tickers');
    if (f.kind !== 'tickers') return;
    expect(f.rejected).toEqual([]);
    expect(f.tickers).toEqual([
      {
        symbol: 'C-BTC-90000-310125',
        productId: 27,
        bid: 1320,
        ask: 1330,
        bidSize: 191,
        askSize: 922,
        mark: '1325.5',
        spot: '72154.6',
        greeks: { delta: '0.0194', gamma: '0.0000638', rho: '0.0072', theta: '-81.48', vega: '0.7249' },
        iv: { ask: '0.26', bid: '0.25', mark: '0.29418049' },
        exchangeTime: 1775801092453,
        format: 'ticker',
      },
    ]);
  });

  it('legacy v2/ticker: the same contract reads the same (both formats agree)', () => {
    const f = parseDeltaFrame(JSON.stringify(legacy));
    expect(f.kind).toBe('tickers');
    if (f.kind !== 'tickers') return;
    const t = f.tickers[0]!;
    expect(t).toMatchObject({ symbol: 'C-BTC-90000-310125', productId: 12345, bid: 1320, ask: 1330, bidSize: 191, askSize: 922, mark: '1325.5', spot: '63449.5', exchangeTime: 1595242187705, format: 'v2/ticker' });
    expect(t.greeks).toEqual({ delta: '0.0194', gamma: '0.0000638', theta: '-81.48', vega: '0.7249', rho: '0.0072' });
    expect(t.iv).toEqual({ bid: '0.25', ask: '0.26', mark: '0.29418049' });
  });

  it('null quote sides are unknown (null), never zero; greeks on a non-option are absent', () => {
    const f = parseDeltaFrame(JSON.stringify({ type: 'ticker', sy: 'BTCUSD', sp: '72154.6', ts: 1775801092453559, d: [{ s: 'BTCUSD', i: 27, m: '72124.5', q: [null, null, '72100', '2123', null], g: ['0.0194', '0.0000638', '0.0072', '-81.48', '0.7249'], qiv: ['0.25', '0.25', '-0.378'] }] }));
    if (f.kind !== 'tickers') throw new Error(f.kind);
    expect(f.tickers[0]).toMatchObject({ ask: null, askSize: null, bid: 72100, bidSize: 2123, greeks: null, iv: null });
  });

  it('implausible greeks are dropped (delta outside [-1, 1], negative IV), a bad entry is refused by name without losing the others', () => {
    const f = parseDeltaFrame(
      JSON.stringify({
        ...compact,
        d: [
          { ...compact.d[0], g: ['1.7', '0.1', '0', '-1', '1'], qiv: ['-0.2', '0.25', '0.3'] },
          { s: 'P-BTC-80000-310125', m: '10', q: ['-5', '1', '4', '1', null] },
          { s: 'P-BTC-70000-310125', m: 'abc' },
        ],
      }),
    );
    if (f.kind !== 'tickers') throw new Error(f.kind);
    expect(f.tickers).toHaveLength(1);
    expect(f.tickers[0]!.greeks).toEqual({ delta: null, gamma: '0.1', rho: '0', theta: '-1', vega: '1' });
    expect(f.tickers[0]!.iv).toEqual({ ask: null, bid: '0.25', mark: '0.3' });
    expect(f.rejected).toHaveLength(2);
    expect(f.rejected[0]).toMatch(/P-BTC-80000-310125 q\[0\] best_ask.*negative/);
    expect(f.rejected[1]).toMatch(/P-BTC-70000-310125: "m"/);
  });

  it('REST /v2/tickers records (legacy fields; mark_vol used as mark IV only when quotes carry none; seconds timestamps recognised)', () => {
    const r = parseRestTicker({ ...legacy, type: undefined, timestamp: 1609459200, quotes: { best_bid: '1', best_ask: '2' }, mark_vol: '0.5' });
    if ('error' in r) throw new Error(r.error);
    expect(r.ticker).toMatchObject({ bid: 1, ask: 2, exchangeTime: 1609459200000, format: 'rest', iv: { bid: null, ask: null, mark: '0.5' } });
  });

  it('mark_price: the MARK: prefix is removed; the legacy rich payload reads too', () => {
    expect(parseDeltaFrame(JSON.stringify({ type: 'mark_price', sy: 'MARK:C-BTC-69500-100426', p: '2296.3486551', ts: 1775814170680883 }))).toEqual({ kind: 'mark', mark: { symbol: 'C-BTC-69500-100426', price: '2296.3486551', exchangeTime: 1775814170680 } });
    expect(parseDeltaFrame(JSON.stringify({ type: 'mark_price', symbol: 'MARK:BTCUSD', price: '100.5', timestamp: 1775814170680883, delta: '0.5' }))).toMatchObject({ kind: 'mark', mark: { symbol: 'BTCUSD', price: '100.5' } });
  });
});

describe('delta control and private frames', () => {
  it('subscription acks, with a refused channel carrying its error', () => {
    expect(parseDeltaFrame(JSON.stringify({ type: 'subscriptions', channels: [{ name: 'ticker', symbols: ['BTCUSD'] }, { name: 'orders', error: 'subscription forbidden on orders. Unauthorized user' }] }))).toEqual({
      kind: 'subscriptions',
      channels: [
        { name: 'ticker', symbols: ['BTCUSD'], error: null },
        { name: 'orders', symbols: [], error: 'subscription forbidden on orders. Unauthorized user' },
      ],
    });
  });

  it('key-auth answers, success and each documented failure', () => {
    expect(parseDeltaFrame('{"type":"key-auth","success":true,"status_code":200,"status":"authenticated"}')).toMatchObject({ kind: 'auth', success: true, statusCode: 200 });
    expect(parseDeltaFrame('{"type":"key-auth","success":false,"status_code":408,"status":"request_expired"}')).toMatchObject({ kind: 'auth', success: false, statusCode: 408, status: 'request_expired' });
    expect(parseDeltaFrame('{"type":"key-auth","success":false,"status_code":401,"status":"ip_not_whitelisted","message":"your ip 1.2.3.4"}')).toMatchObject({ success: false, status: 'ip_not_whitelisted', message: 'your ip 1.2.3.4' });
  });

  it('orders: the documented sample, and a snapshot', () => {
    const sample = { type: 'orders', action: 'create', reason: '', symbol: 'BTCUSD', product_id: 27, order_id: 1234, client_order_id: '', size: 100, unfilled_size: 55, average_fill_price: '8999.00', limit_price: '9000.00', side: 'buy', state: 'open', cancellation_reason: null, stop_order_type: null, bracket_order: false, seq_no: 1, timestamp: 1594105083998848 };
    const f = parseDeltaFrame(JSON.stringify(sample));
    expect(f).toMatchObject({ kind: 'orders', action: 'create', events: [{ action: 'create', order: { id: '1234', symbol: 'BTCUSD', productId: 27, size: 100, unfilledSize: 55, averageFillPrice: '8999.00', limitPrice: '9000.00', side: 'buy', state: 'open', updatedAt: 1594105083998 } }] });
    const snap = parseDeltaFrame(JSON.stringify({ type: 'orders', action: 'snapshot', result: [{ ...sample, id: 5 }], meta: { seq_no: 3 } }));
    expect(snap).toMatchObject({ kind: 'orders', action: 'snapshot', events: [{ order: { id: '5' } }] });
  });

  it('positions (update and snapshot; size < 0 = short), fills in both forms (compact v2/user_trades, legacy user_trades)', () => {
    expect(parseDeltaFrame('{"type":"positions","action":"update","reason":null,"symbol":"BTCUSD","product_id":1,"size":-100,"margin":"0.0121","entry_price":"3500.0"}')).toEqual({ kind: 'positions', action: 'update', positions: [{ symbol: 'BTCUSD', productId: 1, size: -100, entryPrice: '3500.0' }] });
    expect(parseDeltaFrame('{"type":"positions","action":"snapshot","result":[]}')).toEqual({ kind: 'positions', action: 'snapshot', positions: [] });
    expect(parseDeltaFrame('{"type":"v2/user_trades","sy":"BTCUSD","f":"abc","R":"normal","u":1998,"o":3283999,"S":"buy","s":190,"p":"17289.2","po":5,"r":"taker","c":"cid","t":1685794274866438,"se":4}')).toEqual({
      kind: 'fills',
      fills: [{ fillId: 'abc', symbol: 'BTCUSD', orderId: '3283999', clientOrderId: 'cid', side: 'buy', size: 190, price: '17289.2', role: 'taker', positionAfter: 5, commission: null, time: 1685794274866 }],
    });
    expect(parseDeltaFrame('{"type":"user_trades","symbol":"BTCUSD","fill_id":"f1","reason":"normal","product_id":1,"user_id":2,"order_id":77,"side":"sell","size":3,"price":"10.5","role":"maker","client_order_id":"c","timestamp":1685794274866438,"seq_no":1,"commission":"0.01"}')).toMatchObject({
      kind: 'fills',
      fills: [{ fillId: 'f1', orderId: '77', side: 'sell', size: 3, price: '10.5', commission: '0.01' }],
    });
  });

  it('malformed frames are named, never thrown', () => {
    expect(parseDeltaFrame('nope')).toMatchObject({ kind: 'malformed' });
    expect(parseDeltaFrame('[1]')).toMatchObject({ kind: 'malformed' });
    expect(parseDeltaFrame('{"type":"ticker","d":"x"}')).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/"d"/) });
    expect(parseDeltaFrame('{"type":"v2/user_trades","sy":"BTCUSD","f":"a","o":1,"S":"buy","s":0,"p":"1"}')).toMatchObject({ kind: 'malformed' });
    expect(parseDeltaFrame('{"type":"heartbeat"}')).toEqual({ kind: 'heartbeat' });
    expect(parseDeltaFrame('{"type":"product_updates"}')).toEqual({ kind: 'ignored', type: 'product_updates' });
  });
});
