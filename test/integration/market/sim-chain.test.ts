// The option chain over loopback: the Alpaca adapter's REST client (GET /v1beta1/options/snapshots/{underlying})
// against the simulated venue, contract selection on what comes back, and the sim's steering admin API.
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from './fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';
import type { OrderRequest } from '../../../src/core/ports/venue';
import { chainFilterFor, chainSnapshotOf, selectContracts, underlyingPriceOf, DEFAULT_SELECTION_SETTINGS } from '../../../src/core/strategy/select';
import type { StrategyLeg } from '../../../src/core/strategy/definition';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

const fast = { sim: { restRequestsPerMinute: 1_000_000 }, venue: { restRequestsPerMinute: 1_000_000 } };

async function admin(r: Rig, body: unknown): Promise<{ status: number; body: { ok: boolean; error?: string } }> {
  const res = await fetch(`${r.sim.urls().dataRest}/__sim/fault`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
}

const leg = (right: 'call' | 'put', select: StrategyLeg['select']): StrategyLeg => ({ right, side: 'sell', lots: 1, select, expiry: { kind: 'nearest', min_days: 1 }, stop_loss: null, take_profit: null });
const strangle = { underlying: 'SPY', legs: [leg('put', { by: 'delta', min: 0.15, max: 0.25 }), leg('call', { by: 'delta', min: 0.15, max: 0.25 })] };

describe('option chain: Alpaca adapter ⇄ simulated venue (loopback)', () => {
  it('reads every page of the chain with the venue greeks, quotes and OCC fields', async () => {
    const r = (current = await rig(fast));
    const { marketData } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    const before = r.sim.stats.restRequests;
    const chain = await marketData.optionChain('SPY');
    // SPY lists ~±15 % of $1 strikes × 2 rights × ~14 expiries: several 1000-contract pages.
    expect(chain.contracts.length).toBeGreaterThan(2000);
    expect(r.sim.stats.restRequests - before).toBe(Math.ceil(chain.contracts.length / 1000));
    expect(new Set(chain.contracts.map((c) => c.symbol)).size).toBe(chain.contracts.length);
    const last = chain.contracts.at(-1)!.expiry;
    const c = chain.contracts.find((x) => x.right === 'put' && x.strike === 570 && x.expiry === last)!;
    expect(c).toMatchObject({ symbol: expect.stringMatching(/^SPY\d{6}P00570000$/), expiry: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), greeks: { source: 'venue' } });
    expect(Number(c.delta)).toBeLessThan(0);
    expect(Number(c.impliedVolatility)).toBe(0.16);
    expect(c.gamma).not.toBeNull();
    expect(c.quote!.ask!).toBeGreaterThan(c.quote!.bid!);
    expect(c.quote!.source).toBe('rest');
    // The greeks are dated by the snapshot's quote time (Alpaca sends no time of its own).
    expect(c.greeks!.asOf).toBe(c.quote!.exchangeTime);
    expect(Math.abs(c.greeks!.asOf! - Date.now())).toBeLessThan(10_000);
    // Sorted by expiry, then strike.
    const keys = chain.contracts.map((x) => `${x.expiry}|${String(x.strike).padStart(8, '0')}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('filters narrow the request (type, strikes, expiries) in one page', async () => {
    const r = (current = await rig(fast));
    const { marketData } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    const all = await marketData.optionChain('SPY');
    const exp = all.contracts[0]!.expiry;
    const before = r.sim.stats.restRequests;
    const some = await marketData.optionChain('SPY', { right: 'call', expiration: exp, strikeGte: 580, strikeLte: 584 });
    expect(r.sim.stats.restRequests - before).toBe(1);
    expect(some.contracts.map((x) => x.strike)).toEqual([580, 581, 582, 583, 584]);
    expect(some.contracts.every((x) => x.right === 'call' && x.expiry === exp)).toBe(true);
    expect((await marketData.optionChain('NOCHAIN', { expirationGte: '2099-01-01' })).contracts).toEqual([]);
    await expect(marketData.optionChain('bad symbol')).rejects.toThrow(/invalid underlying symbol/);
  });

  it('a strangle selects on the venue greeks; with the greeks switched off the desk solves its own; a stale chain fails closed', async () => {
    const r = (current = await rig(fast));
    const { marketData } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    const settings = { ...DEFAULT_SELECTION_SETTINGS, exchange: 'SIM' as const };
    const select = async () => {
      const now = Date.now();
      const chain = await marketData.optionChain('SPY', chainFilterFor(strangle, now, 'SIM'));
      const [u] = await marketData.latestQuotes(['SPY']);
      return { chain, result: selectContracts(strangle, chainSnapshotOf(chain), underlyingPriceOf(u), now, settings), now, u: underlyingPriceOf(u) };
    };
    const venue = await select();
    expect(venue.result.ok).toBe(true);
    if (!venue.result.ok) return;
    expect(venue.result.contracts.map((c) => [c.deltaSource, Math.abs(c.delta) >= 0.15 && Math.abs(c.delta) <= 0.25])).toEqual([
      ['venue', true],
      ['venue', true],
    ]);
    expect(venue.result.contracts[0]!.symbol).toMatch(/^SPY\d{6}P/);
    expect(venue.result.contracts[1]!.symbol).toMatch(/^SPY\d{6}C/);

    expect(await admin(r, { kind: 'chain_greeks', enabled: false })).toEqual({ status: 200, body: { ok: true } });
    const desk = await select();
    expect(desk.chain.contracts.every((c) => c.greeks === null && c.delta === null)).toBe(true);
    expect(desk.result.ok && desk.result.contracts.map((c) => c.deltaSource)).toEqual(['desk', 'desk']);
    if (desk.result.ok) for (const c of desk.result.contracts) expect(Math.abs(c.delta)).toBeGreaterThanOrEqual(0.15);

    // `resume` puts everything back: greeks again.
    expect((await admin(r, { kind: 'resume' })).status).toBe(200);
    expect((await marketData.optionChain('SPY', { strikeGte: 585, strikeLte: 585 })).contracts.every((c) => c.greeks !== null)).toBe(true);

    // The same chain read a minute later (greeks off, quotes 60 s old): nothing is selected.
    const later = selectContracts(strangle, chainSnapshotOf(desk.chain), desk.u, desk.now + 60_000, settings);
    expect(later.ok).toBe(false);
    if (!later.ok) expect(later.reason).toMatch(/^legs\.0 \(sell put\): .*no venue greeks, and no desk delta: option quote is stale/);
  });

  it('hold_price freezes an underlying (and the chain around it) until release_price; an unknown symbol is refused', async () => {
    const r = (current = await rig({ ...fast, symbols: ['SPY'] }));
    const { marketData } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    expect(await admin(r, { kind: 'hold_price', symbol: 'SPY', price: 612.5 })).toEqual({ status: 200, body: { ok: true } });
    const since = Date.now();
    await waitFor(() => r.fresh('SPY', since), 5000, 'a SPY quote after the hold');
    const held = r.quotes.filter((q) => q.symbol === 'SPY' && q.receivedAt > since);
    expect(held.every((q) => (q.bid! + q.ask!) / 2 === 612.5)).toBe(true);
    const atm = await marketData.optionChain('SPY', { right: 'call', strikeGte: 612, strikeLte: 613 });
    const first = atm.contracts.filter((c) => c.expiry === atm.contracts.at(-1)!.expiry);
    expect(first.map((c) => c.strike)).toEqual([612, 613]);
    const state = (await (await fetch(`${r.sim.urls().dataRest}/__sim/state`, { signal: AbortSignal.timeout(5000) })).json()) as { heldPrices: Record<string, number>; chainGreeks: boolean };
    expect(state).toMatchObject({ heldPrices: { SPY: 612.5 }, chainGreeks: true });
    expect(await admin(r, { kind: 'release_price', symbol: 'SPY' })).toEqual({ status: 200, body: { ok: true } });
    await waitFor(() => r.quotes.some((q) => q.symbol === 'SPY' && (q.bid! + q.ask!) / 2 !== 612.5), 10_000, 'SPY moving again');
    expect(await admin(r, { kind: 'hold_price', symbol: 'not a symbol', price: 1 })).toEqual({ status: 400, body: { ok: false, error: 'symbol: the sim cannot quote not a symbol' } });
    expect((await admin(r, { kind: 'hold_price', symbol: 'SPY', price: 1.234 })).status).toBe(400);
  });

  it('hold_price on an option holds its quote at the mid given', async () => {
    const r = (current = await rig(fast));
    const sym = 'SPY261218P00570000';
    expect((await admin(r, { kind: 'hold_price', symbol: sym, price: 3.1 })).status).toBe(200);
    const [q] = await r.venue.latestQuotes([sym]);
    expect([q!.bid, q!.ask]).toEqual([3.07, 3.13]);
  });

  it('reject_limit_orders refuses the next N limit orders only (a market order passes); fills {partial:true} over the admin API', async () => {
    const r = (current = await rig(fast));
    const { execution } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    await execution.start();
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    const lmt = (id: string, price = '1.00'): OrderRequest => ({ clientOrderId: id, symbol: 'SPY', qty: '1', side: 'buy', type: 'limit', limitPrice: price, timeInForce: 'day' });
    expect(await admin(r, { kind: 'reject_limit_orders', count: 2 })).toEqual({ status: 200, body: { ok: true } });
    expect(((await (await fetch(`${r.sim.urls().dataRest}/__sim/state`, { signal: AbortSignal.timeout(5000) })).json()) as { books: { rejectNextLimitOrders: number }[] }).books[0]!.rejectNextLimitOrders).toBe(2);
    const m = await execution.placeOrder({ clientOrderId: 'M-1', symbol: 'SPY', qty: '1', side: 'buy', type: 'market', timeInForce: 'day' });
    expect(m.status).not.toBe('rejected');
    expect((await execution.placeOrder(lmt('L-1'))).status).toBe('rejected');
    expect((await execution.placeOrder(lmt('L-2'))).status).toBe('rejected');
    expect((await execution.placeOrder(lmt('L-3'))).status).toBe('new');
    await waitFor(() => r.orders.filter((u) => u.event === 'rejected').length === 2, 5000, 'two rejected events');

    expect(await admin(r, { kind: 'fills', partial: true })).toEqual({ status: 200, body: { ok: true } });
    const p = await execution.placeOrder({ clientOrderId: 'P-1', symbol: 'SPY', qty: '4', side: 'buy', type: 'market', timeInForce: 'day' });
    await waitFor(() => r.orders.some((u) => u.order.id === p.id && u.event === 'fill'), 5000, 'the partial order filled');
    expect(r.orders.filter((u) => u.order.id === p.id && u.event === 'partial_fill').length).toBeGreaterThanOrEqual(1);
  });
});
