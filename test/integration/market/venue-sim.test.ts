// The Alpaca adapter against the simulated venue over real loopback sockets: all three streams and REST.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode } from '@msgpack/msgpack';
import { rig, waitFor, type Rig } from './fixture';
import { VenueError } from '../../../src/core/ports/venue';
import { encodeMsgpack } from '../../../src/node/venues/alpaca/codec';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('Alpaca adapter ⇄ simulated venue (loopback)', () => {
  it('streams stock quotes and trades (JSON) and option quotes (msgpack, timestamp ext) for arbitrary symbols', async () => {
    const r = (current = await rig({ symbols: ['SPY', 'ZZZT', 'SPY261218C00600000', 'QQQ261218P00480000'] }));
    await waitFor(() => ['SPY', 'ZZZT', 'SPY261218C00600000', 'QQQ261218P00480000'].every((s) => r.quotes.some((q) => q.symbol === s)), 5000, 'a quote for every symbol');
    await waitFor(() => r.trades.length > 0, 5000, 'a stock trade');
    await waitFor(() => r.venue.health().every((h) => h.state === 'running'), 5000, 'all streams running');
    const opt = r.quotes.find((q) => q.symbol === 'SPY261218C00600000')!;
    expect(opt.ask!).toBeGreaterThan(opt.bid!);
    expect(opt.exchangeTime).toBeGreaterThan(Date.now() - 60_000); // from the msgpack timestamp extension
    for (const name of ['stocks', 'options', 'trade_updates'] as const) expect(r.stream(name)).toMatchObject({ state: 'running', malformedFrames: 0, droppedEvents: 0 });
    expect(r.stream('stocks')).toMatchObject({ subscriptions: 2, subscriptionsConfirmed: 2 });
    expect(r.stream('options')).toMatchObject({ subscriptions: 2, subscriptionsConfirmed: 2 });
    expect(r.sim.subscriptions('options').sort()).toEqual(['QQQ261218P00480000', 'SPY261218C00600000']);
  });

  it('applies subscription deltas while running', async () => {
    const r = (current = await rig({ symbols: ['SPY'] }));
    await waitFor(() => r.stream('stocks').state === 'running', 5000, 'running');
    r.venue.subscribe(['MSFT', 'AAPL261218C00230000']);
    await waitFor(() => r.quotes.some((q) => q.symbol === 'MSFT') && r.quotes.some((q) => q.symbol === 'AAPL261218C00230000'), 5000, 'quotes for the new symbols');
    r.venue.unsubscribe(['SPY']);
    await waitFor(() => !r.sim.subscriptions('stocks').includes('SPY'), 5000, 'SPY unsubscribed at the venue');
    expect(r.venue.subscribedSymbols().sort()).toEqual(['AAPL261218C00230000', 'MSFT']);
  });

  it('REST: latest quotes and snapshots for stocks and any option contract, account, positions', async () => {
    const r = (current = await rig());
    const quotes = await r.venue.latestQuotes(['SPY', 'NEWCO', 'SPY261218C00600000', 'IWM261218P00200000']);
    expect(quotes.map((q) => q.symbol).sort()).toEqual(['IWM261218P00200000', 'NEWCO', 'SPY', 'SPY261218C00600000']);
    for (const q of quotes) expect(q).toMatchObject({ source: 'rest' });
    // without trades asked for, `last` is unknown (null), never a price; with them, the latest trades
    expect(quotes.every((q) => q.last === null)).toBe(true);
    const withTrades = await r.venue.latestQuotes(['SPY', 'SPY261218C00600000'], { trades: true });
    expect(withTrades.map((q) => q.symbol).sort()).toEqual(['SPY', 'SPY261218C00600000']);
    expect(withTrades.every((q) => q.last !== null && q.last > 0 && q.bid !== null)).toBe(true);
    expect(r.venue.lastRestOkAt).not.toBeNull();
    const snaps = await r.venue.snapshots(['SPY', 'SPY261218C00600000']);
    expect(snaps.every((q) => q.last !== null && q.bid !== null)).toBe(true);
    // more than 100 option symbols are split into several requests (Alpaca's per-request limit)
    const many = Array.from({ length: 150 }, (_, i) => `SPY261218C${String(400_000 + i * 1000).padStart(8, '0')}`);
    expect((await r.venue.latestQuotes(many)).length).toBe(150);
    const account = await r.venue.account();
    expect(account).toMatchObject({ status: 'ACTIVE', cash: '100000.00' });
    expect(await r.venue.positions()).toEqual([]);
  });

  it('REST is rate-limit aware: waits when X-RateLimit-Remaining hits 0, retries a 429 after the reset', async () => {
    const r = (current = await rig({ sim: { restRequestsPerMinute: 2, restWindowMs: 800 } }));
    await r.venue.account();
    await r.venue.account(); // remaining 0: the trading bucket now waits for the reset
    // the data host has its own bucket, unaware the shared limit is spent: the venue answers 429, we retry after Reset
    const quotes = await r.venue.latestQuotes(['SPY']);
    expect(quotes.length).toBe(1);
    expect(r.venue.restCounters.retries).toBe(1);
    await r.venue.account();
    await r.venue.account(); // waits for the next reset instead of drawing a 429
    expect(r.venue.restCounters.rateLimited).toBeGreaterThanOrEqual(2);
    expect(r.venue.restCounters.retries).toBe(1);
  });

  it('orders: market fills at the touch, limit rests then fills when marketable, cancel, replace — all via trade_updates', async () => {
    const r = (current = await rig());
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    const [spy] = await r.venue.latestQuotes(['SPY']);
    const buy = await r.venue.placeOrder({ clientOrderId: 'buy-1', symbol: 'SPY', qty: '10', side: 'buy', type: 'market', timeInForce: 'day' });
    expect(buy.status).toBe('filled');
    await waitFor(() => r.orders.some((u) => u.event === 'fill' && u.order.id === buy.id), 5000, 'fill event');
    const fill = r.orders.find((u) => u.event === 'fill' && u.order.id === buy.id)!;
    expect(Number(fill.price)).toBeCloseTo(spy!.ask!, 0);
    expect(fill).toMatchObject({ qty: '10', positionQty: '10' });
    expect(r.orders.filter((u) => u.order.id === buy.id).map((u) => u.event)).toEqual(['new', 'fill']);

    // a limit far below the market rests; replacing it with a marketable price fills
    const low = await r.venue.placeOrder({ clientOrderId: 'lim-1', symbol: 'SPY', qty: '5', side: 'buy', type: 'limit', limitPrice: '1.00', timeInForce: 'day' });
    expect(low.status).toBe('new');
    expect((await r.venue.orders({ status: 'open' })).map((o) => o.id)).toEqual([low.id]);
    const replaced = await r.venue.replaceOrder(low.id, { limitPrice: '100000.00' });
    await waitFor(() => r.orders.some((u) => u.event === 'fill' && u.order.id === replaced.id), 5000, 'fill of the replacement');
    expect(r.orders.some((u) => u.event === 'replaced' && u.order.id === low.id)).toBe(true);

    const rest = await r.venue.placeOrder({ clientOrderId: 'lim-2', symbol: 'SPY261218C00600000', qty: '2', side: 'sell', type: 'limit', limitPrice: '9999.00', timeInForce: 'day' });
    await r.venue.cancelOrder(rest.id);
    await waitFor(() => r.orders.some((u) => u.event === 'canceled' && u.order.id === rest.id), 5000, 'canceled event');
    await expect(r.venue.cancelOrder(rest.id)).rejects.toMatchObject({ status: 422 });

    const positions = await r.venue.positions();
    expect(positions.find((p) => p.symbol === 'SPY')).toMatchObject({ qty: '15', side: 'long' });
    // a duplicate client order id is refused (idempotency)
    await expect(r.venue.placeOrder({ clientOrderId: 'buy-1', symbol: 'SPY', qty: '1', side: 'buy', type: 'market', timeInForce: 'day' })).rejects.toBeInstanceOf(VenueError);
  });

  it('partial fills and a rejected order arrive as events', async () => {
    const r = (current = await rig({ sim: { partialFills: true } }));
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    const o = await r.venue.placeOrder({ clientOrderId: 'p-1', symbol: 'AAPL', qty: '7', side: 'buy', type: 'market', timeInForce: 'day' });
    await waitFor(() => r.orders.some((u) => u.event === 'fill' && u.order.id === o.id), 5000, 'final fill');
    expect(r.orders.filter((u) => u.order.id === o.id).map((u) => [u.event, u.qty])).toEqual([
      ['new', null],
      ['partial_fill', '3'],
      ['fill', '4'],
    ]);
    r.sim.fault({ kind: 'reject_next_order' });
    const rej = await r.venue.placeOrder({ clientOrderId: 'r-1', symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', timeInForce: 'day' });
    expect(rej.status).toBe('rejected');
    await waitFor(() => r.orders.some((u) => u.event === 'rejected' && u.order.id === rej.id), 5000, 'rejected event');
  });

  it('the trade_updates stream accepts the current auth form too, and survives heartbeats', async () => {
    const r = (current = await rig({ venue: { tradeUpdatesAuth: 'current' }, sim: { heartbeatMs: 20 } }));
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    await waitFor(() => (r.stream('trade_updates').lastEventAt ?? 0) > 0, 5000, 'a heartbeat');
    const o = await r.venue.placeOrder({ clientOrderId: 'h-1', symbol: 'SPY', qty: '1', side: 'sell', type: 'market', timeInForce: 'day' });
    await waitFor(() => r.orders.some((u) => u.order.id === o.id && u.event === 'fill'), 5000, 'fill');
    expect(r.stream('trade_updates').malformedFrames).toBe(0);
  });

  it('the sim speaks Alpaca to any client: 412 without the msgpack header, 401 before auth, 413 star, 410 bars', async () => {
    const r = (current = await rig({ symbols: [] }));
    const base = r.sim.urls().dataStream;
    const collect = (ws: WebSocket) => {
      const msgs: Record<string, unknown>[] = [];
      ws.on('message', (d, bin) => msgs.push(...((bin ? decode(d as Buffer) : JSON.parse(String(d))) as Record<string, unknown>[])));
      return msgs;
    };
    const plain = new WebSocket(`${base}/v1beta1/indicative`);
    const plainMsgs = collect(plain);
    await waitFor(() => plainMsgs.length > 0, 3000, '412');
    expect(plainMsgs[0]).toMatchObject({ T: 'error', code: 412 });
    plain.terminate();

    // the adapter's own option stream holds the one slot, so use the stock stream on another feed
    await r.venue.stop();
    const ws = new WebSocket(`${base}/v2/test`);
    const msgs = collect(ws);
    await waitFor(() => msgs.length === 1, 3000, 'connected');
    ws.send(JSON.stringify({ action: 'subscribe', quotes: ['SPY'] }));
    await waitFor(() => msgs.length === 2, 3000, '401');
    expect(msgs[1]).toMatchObject({ T: 'error', code: 401 });
    ws.send(JSON.stringify({ action: 'auth', key: 'SIMKEY', secret: 'SIMSECRET' }));
    ws.send(JSON.stringify({ action: 'auth', key: 'SIMKEY', secret: 'SIMSECRET' }));
    ws.send('{not json');
    ws.send(JSON.stringify({ action: 'subscribe', quotes: ['not a symbol'] }));
    await waitFor(() => msgs.length === 6, 3000, 'replies');
    expect(msgs.slice(2).map((m) => m.code ?? m.msg)).toEqual(['authenticated', 403, 400, 400]);
    ws.terminate();

    const opt = new WebSocket(`${base}/v1beta1/opra`, { headers: { 'Content-Type': 'application/msgpack' } });
    const optMsgs = collect(opt);
    await waitFor(() => optMsgs.length === 1, 3000, 'connected');
    opt.send(encodeMsgpack({ action: 'auth', key: 'SIMKEY', secret: 'SIMSECRET' }));
    opt.send(encodeMsgpack({ action: 'subscribe', quotes: ['*'] }));
    opt.send(encodeMsgpack({ action: 'subscribe', bars: ['SPY261218C00600000'] }));
    await waitFor(() => optMsgs.length === 4, 3000, 'replies');
    expect(optMsgs.slice(1).map((m) => m.code ?? m.msg)).toEqual(['authenticated', 413, 410]);
    opt.terminate();
  });
});

describe('stock stream in msgpack (as alpaca-py asks for it)', () => {
  it('streams the same quotes with msgpack timestamps', async () => {
    const r = (current = await rig({ venue: { stockEncoding: 'msgpack' }, symbols: ['SPY'] }));
    await waitFor(() => r.quotes.some((q) => q.symbol === 'SPY'), 5000, 'SPY over msgpack');
    expect(r.stream('stocks').malformedFrames).toBe(0);
    expect(r.quotes.find((q) => q.symbol === 'SPY')!.exchangeTime).toBeGreaterThan(Date.now() - 60_000);
  });
});
