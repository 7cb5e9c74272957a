// The simulated venue's order path (issue 16 item 8), driven through the real Alpaca execution port
// (src/node/venues/alpaca/ports.ts) over loopback: what the client sees, and what the venue holds.
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from '../market/fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';
import { VenueError, type OrderRequest } from '../../../src/core/ports/venue';
import type { ExecutionPort } from '../../../src/core/ports/execution';
import type { SimServerOptions } from '../../../src/node/venues/sim/server';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function setup(sim: Partial<SimServerOptions> = {}, restTimeoutMs = 5000): Promise<{ r: Rig; ex: ExecutionPort }> {
  const r = (current = await rig({ sim: { restRequestsPerMinute: 1_000_000, ...sim }, venue: { restRequestsPerMinute: 1_000_000, restTimeoutMs } }));
  const { execution } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
  await execution.start();
  await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
  return { r, ex: execution };
}

const mkt = (clientOrderId: string, qty = '1', side: 'buy' | 'sell' = 'buy', symbol = 'SPY'): OrderRequest => ({ clientOrderId, symbol, qty, side, type: 'market', timeInForce: 'day' });
const lmt = (clientOrderId: string, limitPrice: string, qty = '1', side: 'buy' | 'sell' = 'buy', symbol = 'SPY'): OrderRequest => ({ clientOrderId, symbol, qty, side, type: 'limit', limitPrice, timeInForce: 'day' });

/** Every order the venue holds with this client order id (what "exactly one" is checked against). */
const held = (r: Rig, clientOrderId: string) => r.sim.broker.list('all').filter((o) => o.client_order_id === clientOrderId);

async function failure(p: Promise<unknown>): Promise<VenueError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(VenueError);
    return err as VenueError;
  }
  throw new Error('expected the call to fail');
}

describe('simulated venue order path ⇄ Alpaca execution port (loopback)', () => {
  it('place, replace (with its own client order id), cancel, order by client id; trade_updates for each transition with execution ids', async () => {
    const { r, ex } = await setup();
    const rest = await ex.placeOrder(lmt('L-1', '1.00', '3'));
    expect(rest).toMatchObject({ clientOrderId: 'L-1', status: 'new', limitPrice: '1.00', qty: '3' });
    expect((await ex.orderByClientId('L-1'))?.id).toBe(rest.id);
    expect(await ex.orderByClientId('NEVER-SENT')).toBeNull();

    const replaced = await ex.replaceOrder(rest.id, { limitPrice: '2.00', qty: '2', clientOrderId: 'L-1.r1' });
    expect(replaced).toMatchObject({ clientOrderId: 'L-1.r1', status: 'new', limitPrice: '2.00', qty: '2' });
    expect(replaced.id).not.toBe(rest.id);
    expect((await ex.orderByClientId('L-1'))?.status).toBe('replaced');
    expect((await ex.openOrders()).map((o) => o.id)).toEqual([replaced.id]);

    await ex.cancelOrder(replaced.id);
    expect((await ex.orderByClientId('L-1.r1'))?.status).toBe('canceled');
    const cancelAgain = await failure(ex.cancelOrder(replaced.id));
    expect(cancelAgain).toMatchObject({ status: 422 });

    const m = await ex.placeOrder(mkt('M-1', '4'));
    expect(m.status).toBe('filled');
    await waitFor(() => r.orders.some((u) => u.order.id === m.id && u.event === 'fill'), 5000, 'fill event');
    expect(r.orders.filter((u) => u.order.id === rest.id).map((u) => u.event)).toEqual(['new', 'replaced']);
    expect(r.orders.filter((u) => u.order.id === replaced.id).map((u) => u.event)).toEqual(['new', 'canceled']);
    const fill = r.orders.find((u) => u.order.id === m.id && u.event === 'fill')!;
    expect(fill.executionId).toMatch(/^sim-exec-\d+$/);
    expect(fill.qty).toBe('4');
    // the replaced event names its successor
    const rep = r.orders.find((u) => u.event === 'replaced')!;
    expect(rep.order.clientOrderId).toBe('L-1');
  });

  it('stop_limit through the Alpaca port: sent as type stop_limit with stop_price and limit_price, rests untriggered, replace moves its limit and keeps its stop, read back as stop_limit', async () => {
    const { r, ex } = await setup();
    const sl = (clientOrderId: string, stopPrice: string, limitPrice: string): OrderRequest => ({ clientOrderId, symbol: 'SPY', qty: '1', side: 'buy', type: 'stop_limit', stopPrice, limitPrice, timeInForce: 'day' });
    // far above the market: the stop has not traded, the order rests (new)
    const resting = await ex.placeOrder(sl('S-1', '90000.00', '90000.50'));
    expect(resting).toMatchObject({ clientOrderId: 'S-1', type: 'stop_limit', stopPrice: '90000.00', limitPrice: '90000.50', status: 'new' });
    expect(held(r, 'S-1')).toMatchObject([{ type: 'stop_limit', stop_price: '90000.00', limit_price: '90000.50' }]);
    const moved = await ex.replaceOrder(resting.id, { limitPrice: '90001.00', clientOrderId: 'S-1.r1' });
    expect(moved).toMatchObject({ clientOrderId: 'S-1.r1', type: 'stop_limit', stopPrice: '90000.00', limitPrice: '90001.00', status: 'new' });
    expect(await ex.orderByClientId('S-1.r1')).toMatchObject({ type: 'stop_limit', stopPrice: '90000.00' });
    // a stop already through (far below the ask) with a marketable limit: triggered and filled at once
    const through = await ex.placeOrder(sl('S-2', '0.01', '9000.00'));
    expect(through).toMatchObject({ type: 'stop_limit', status: 'filled' });
    await waitFor(() => r.orders.some((u) => u.order.clientOrderId === 'S-2' && u.event === 'fill'), 5000, 'the stop_limit fill');
    expect(r.orders.find((u) => u.order.clientOrderId === 'S-2' && u.event === 'fill')!.order).toMatchObject({ type: 'stop_limit', stopPrice: '0.01' });
    // a stop_limit without its stop is the venue's 422, naming the field
    const missing = await failure(ex.placeOrder({ ...sl('S-3', '1', '1'), stopPrice: undefined } as unknown as OrderRequest));
    expect(missing).toMatchObject({ status: 422, message: expect.stringMatching(/stop_price is required for stop_limit orders/) });
  });

  it('limit orders fill in parts against the displayed size at the touch (depth fills): partial_fill … fill, distinct execution ids', async () => {
    const { r, ex } = await setup({ depthFills: true });
    // a sell limit far below the bid: marketable at once, but the bid shows far fewer than 1,500 shares
    const o = await ex.placeOrder(lmt('D-1', '0.01', '1500', 'sell'));
    await waitFor(() => r.orders.some((u) => u.order.id === o.id && u.event === 'fill'), 15_000, 'the last fill');
    const execs = r.orders.filter((u) => u.order.id === o.id && (u.event === 'partial_fill' || u.event === 'fill'));
    expect(execs.length).toBeGreaterThan(1);
    expect(execs.slice(0, -1).every((u) => u.event === 'partial_fill')).toBe(true);
    expect(execs.reduce((a, u) => a + Number(u.qty), 0)).toBe(1500);
    expect(new Set(execs.map((u) => u.executionId)).size).toBe(execs.length);
    expect((await ex.orderByClientId('D-1'))).toMatchObject({ status: 'filled', filledQty: '1500' });
  }, 20_000);

  it('rejects with a reason: bad quantity, unknown asset, insufficient buying power, duplicate client order id (422, as Alpaca) — none stores an order', async () => {
    const { r, ex } = await setup({ optionUnderlyings: ['SPY'] });
    const badQty = await failure(ex.placeOrder(mkt('B-1', '1.5')));
    expect(badQty).toMatchObject({ status: 422, kind: 'rejected' });
    expect(badQty.message).toMatch(/qty/);
    const badAsset = await failure(ex.placeOrder(mkt('B-2', '1', 'buy', 'IWM261218P00200000')));
    expect(badAsset).toMatchObject({ status: 422 });
    expect(badAsset.message).toMatch(/asset IWM261218P00200000 not found/);
    const malformed = await failure(ex.placeOrder(mkt('B-3', '1', 'buy', 'not a symbol')));
    expect(malformed.message).toMatch(/not found/);
    const poor = await failure(ex.placeOrder(lmt('B-4', '50000.00', '100')));
    expect(poor).toMatchObject({ status: 403, code: 40310000 });
    expect(poor.message).toMatch(/insufficient buying power/);
    for (const id of ['B-1', 'B-2', 'B-3', 'B-4']) expect(held(r, id)).toEqual([]);

    await ex.placeOrder(lmt('U-1', '1.00'));
    const dup = await failure(ex.placeOrder(lmt('U-1', '1.00')));
    expect(dup).toMatchObject({ status: 422, code: 40010001, kind: 'rejected' });
    expect(dup.message).toMatch(/client_order_id must be unique/);
    expect(held(r, 'U-1')).toHaveLength(1);
    // a replace asking for a taken client order id is refused and leaves the order open
    const other = await ex.placeOrder(lmt('U-2', '1.00'));
    const dupReplace = await failure(ex.replaceOrder(other.id, { limitPrice: '1.10', clientOrderId: 'U-1' }));
    expect(dupReplace).toMatchObject({ status: 422 });
    expect((await ex.orderByClientId('U-2'))?.status).toBe('new');

    // a venue-side rejection (reject_next_order) is an order with status rejected and a rejected event
    r.sim.fault({ kind: 'reject_next_order' });
    const rej = await ex.placeOrder(mkt('R-1'));
    expect(rej.status).toBe('rejected');
    await waitFor(() => r.orders.some((u) => u.order.id === rej.id && u.event === 'rejected'), 5000, 'rejected event');
  });

  it('fault drop_reply: the order is stored, the client sees a network error; asking by client id finds exactly one', async () => {
    const { r, ex } = await setup();
    r.sim.fault({ kind: 'order_fault', fault: 'drop_reply' });
    const err = await failure(ex.placeOrder(lmt('F-DROP', '1.00')));
    expect(err.kind).toBe('network');
    expect(held(r, 'F-DROP')).toHaveLength(1);
    expect((await ex.orderByClientId('F-DROP'))?.status).toBe('new');
    // the fault was used up: the next command is answered normally
    expect((await ex.placeOrder(lmt('F-NEXT', '1.00'))).status).toBe('new');
    expect(r.sim.stats.orderFaults).toBe(1);
  });

  it('fault delay_reply beyond the client timeout: the client times out, the venue holds exactly one order', async () => {
    const { r, ex } = await setup({}, 300);
    r.sim.fault({ kind: 'order_fault', fault: 'delay_reply', delayMs: 1200 });
    const t0 = Date.now();
    const err = await failure(ex.placeOrder(lmt('F-SLOW', '1.00')));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(1200);
    expect(held(r, 'F-SLOW')).toHaveLength(1);
    expect((await ex.orderByClientId('F-SLOW'))?.clientOrderId).toBe('F-SLOW');
  });

  it('fault http_5xx after accepting: the client sees a server error, the venue holds exactly one order', async () => {
    const { r, ex } = await setup();
    r.sim.fault({ kind: 'order_fault', fault: 'http_5xx', status: 503 });
    const err = await failure(ex.placeOrder(mkt('F-5XX')));
    expect(err).toMatchObject({ status: 503, kind: 'server' });
    expect(held(r, 'F-5XX')).toHaveLength(1);
    expect((await ex.orderByClientId('F-5XX'))?.status).toBe('filled');
  });

  it('fault expire_session mid-order: the order is answered, the next call is refused 401 (session), and after renewal the venue holds exactly one', async () => {
    const { r, ex } = await setup();
    r.sim.fault({ kind: 'order_fault', fault: 'expire_session' });
    const placed = await ex.placeOrder(lmt('F-EXP', '1.00'));
    expect(placed.status).toBe('new');
    const err = await failure(ex.orderByClientId('F-EXP'));
    expect(err).toMatchObject({ status: 401, kind: 'session' });
    await waitFor(() => ex.sessionState() === 'session_needed', 5000, 'session_needed');
    r.sim.fault({ kind: 'renew_session' });
    expect((await ex.orderByClientId('F-EXP'))?.id).toBe(placed.id);
    expect(held(r, 'F-EXP')).toHaveLength(1);
  });

  it('faults apply to replace and cancel too: carried out at the venue whatever the client heard', async () => {
    const { r, ex } = await setup();
    const o = await ex.placeOrder(lmt('F-RC', '1.00', '2'));
    r.sim.fault({ kind: 'order_fault', fault: 'drop_reply', commands: ['replace'] });
    expect((await failure(ex.replaceOrder(o.id, { limitPrice: '1.05', clientOrderId: 'F-RC.r1' }))).kind).toBe('network');
    const successor = await ex.orderByClientId('F-RC.r1');
    expect(successor).toMatchObject({ status: 'new', limitPrice: '1.05' });
    expect((await ex.orderByClientId('F-RC'))?.status).toBe('replaced');
    r.sim.fault({ kind: 'order_fault', fault: 'http_5xx', commands: ['cancel'] });
    expect((await failure(ex.cancelOrder(successor!.id))).kind).toBe('server');
    expect((await ex.orderByClientId('F-RC.r1'))?.status).toBe('canceled');
    expect(await ex.openOrders()).toEqual([]);
  });

  it('a fault with carriedOut: false loses the command before the venue acts: the client sees the failure, the venue holds nothing', async () => {
    const { r, ex } = await setup();
    r.sim.fault({ kind: 'order_fault', fault: 'drop_reply', carriedOut: false });
    expect((await failure(ex.placeOrder(lmt('F-LOST', '1.00')))).kind).toBe('network');
    expect(held(r, 'F-LOST')).toEqual([]);
    expect(await ex.orderByClientId('F-LOST')).toBeNull();
    // sent again with the same client order id, it is placed once
    expect((await ex.placeOrder(lmt('F-LOST', '1.00'))).status).toBe('new');
    expect(held(r, 'F-LOST')).toHaveLength(1);
  });

  it('the admin endpoint takes order faults over HTTP and validates them', async () => {
    const { r, ex } = await setup();
    const base = r.sim.urls().tradingRest;
    const post = (body: unknown) => fetch(`${base}/__sim/fault`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ kind: 'order_fault', fault: 'explode' })).status).toBe(400);
    expect((await post({ kind: 'order_fault', fault: 'http_5xx', status: 404 })).status).toBe(400);
    expect((await post({ kind: 'order_fault', fault: 'http_5xx', count: 2, commands: ['place'] })).status).toBe(200);
    expect((await failure(ex.placeOrder(mkt('A-1')))).kind).toBe('server');
    expect((await failure(ex.placeOrder(mkt('A-2')))).kind).toBe('server');
    expect((await ex.placeOrder(mkt('A-3'))).status).toBe('filled');
    expect(held(r, 'A-1').length + held(r, 'A-2').length).toBe(2);
  });
});
