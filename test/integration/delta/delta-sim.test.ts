// The Delta adapter against the simulated venue's Delta face over 127.0.0.1 (real sockets, real
// signing): products → instruments; subscribe → tickers with venue greeks; the option chain's greeks
// source and age; a short BTC strangle's P&L in the settlement currency, exact; a silent stall caught
// by the data timeout although pings are answered; an expired key → session_needed (stream and REST)
// and re-authentication; orders rejected; a 429 waited out; the legacy v2/ticker fallback.
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/node/system-clock';
import { DeltaVenue } from '../../../src/node/venues/delta/venue';
import { SimDeltaServer, SIM_DELTA_CREDENTIALS } from '../../../src/node/venues/sim/delta/server';
import type { QuoteTick } from '../../../src/core/market/quote';
import type { OrderUpdate } from '../../../src/core/ports/venue';
import { VenueError } from '../../../src/core/ports/venue';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { tempLedgerDir } from '../ledger/helpers';
import { addMoney, formatMoney, notional, price, qty, subMoney, toUnits, ZERO_MONEY, type Money } from '../../../src/core/model/money';

let sim: SimDeltaServer | null = null;
let venue: DeltaVenue | null = null;
afterEach(async () => {
  await venue?.dispose();
  venue = null;
  await sim?.stop();
  sim = null;
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup(opts: { dataTimeoutMs?: number; tickerFormat?: 'ticker' | 'v2/ticker'; heartbeatMs?: number } = {}) {
  const clock = new SystemClock();
  sim = new SimDeltaServer({ seed: 7, clock, tickerIntervalMs: 100, markIntervalMs: 100, heartbeatMs: opts.heartbeatMs ?? 200 });
  const urls = await sim.start();
  venue = new DeltaVenue(
    {
      name: 'sim-delta',
      mode: 'SIM',
      credentials: { ...SIM_DELTA_CREDENTIALS },
      urls,
      ...(opts.tickerFormat ? { tickerFormat: opts.tickerFormat } : {}),
      tuning: { dataTimeoutMs: opts.dataTimeoutMs ?? 5000, pingIntervalMs: 100, pongTimeoutMs: 1000, backoff: { baseMs: 50, capMs: 200 }, handshakeTimeoutMs: 3000 },
      privateTuning: { dataTimeoutMs: 2000, pingIntervalMs: 100, backoff: { baseMs: 50, capMs: 200 } },
    },
    { clock },
  );
  const quotes: QuoteTick[] = [];
  const updates: OrderUpdate[] = [];
  venue.listen({ quote: (q) => quotes.push(q), orderUpdate: (u) => updates.push(u) });
  await venue.start();
  return { venue, sim, quotes, updates };
}

/** The short strangle's legs: the OTM call and put two strikes away from the money, nearest expiry. */
function strangleLegs(v: DeltaVenue, s: SimDeltaServer): { call: string; put: string } {
  const spot = s.spot('BTC');
  const opts = v.productSymbols().filter((x) => x.includes('-BTC-'));
  const nearest = opts.map((x) => x.slice(-6)).sort((a, b) => v.instrument(`C-BTC-${Math.round(spot / 1000) * 1000}-${a}`)!.expiry!.epochMs - v.instrument(`C-BTC-${Math.round(spot / 1000) * 1000}-${b}`)!.expiry!.epochMs)[0]!;
  const atm = Math.round(spot / 1000) * 1000;
  return { call: `C-BTC-${atm + 2000}-${nearest}`, put: `P-BTC-${atm - 2000}-${nearest}` };
}

describe('Delta adapter against the simulated Delta face', () => {
  it('products → instruments → subscribe → tickers with greeks → a short BTC strangle filled, in positions, P&L in USD exact', { timeout: 20_000 }, async () => {
    const { venue: v, sim: s, quotes, updates } = await setup();
    // Products: paged (100 per page on the sim), every one an instrument; contract value = multiplier.
    expect(v.productSymbols().length).toBe(s.productSymbols().length);
    const { call, put } = strangleLegs(v, s);
    const ci = v.instrument(call)!;
    expect(ci).toMatchObject({ symbol: call, venue: 'delta', kind: 'option', underlying: 'BTC', right: 'call', currency: { code: 'USD', decimals: 2 } });
    expect(ci.multiplier).toBe(1000n); // 0.001 at MULT_DP 6
    expect(ci.expiry).toMatchObject({ time: '12:00', zone: 'UTC' });
    expect(ci.token).toBeDefined();
    expect(v.instrument('C-BTC-1-010199')).toBeNull();

    // Subscribe: compact tickers with quotes, mark and venue greeks (+ IV) for both legs.
    await waitFor(() => v.health().every((h) => h.state === 'running'), 5000, 'both sockets running');
    v.subscribe([call, put]);
    await waitFor(() => [call, put].every((x) => v.market.get(x)?.greeks != null && quotes.some((q) => q.symbol === x)), 5000, 'tickers with greeks');
    const cm = v.market.get(call)!;
    expect(Number(cm.greeks!.delta)).toBeGreaterThan(0);
    expect(Number(cm.greeks!.delta)).toBeLessThan(0.5);
    expect(Number(v.market.get(put)!.greeks!.delta)).toBeLessThan(0);
    expect(Number(cm.iv!.mark)).toBeGreaterThan(0);
    expect(Date.now() - cm.greeksAsOf!).toBeLessThan(2000);
    await waitFor(() => v.market.get(call)?.markAt != null && v.publicProtocol!.stats.marks > 0, 3000, 'mark_price frames');
    // the book between tickers comes from ob_l1 (delta.md §3.5): its books are counted and become the quotes
    await waitFor(() => v.publicProtocol!.stats.books > 0 && v.counters.books > 0, 3000, 'ob_l1 books');

    // The option chain: venue greeks with source and age (contract selection reads asOf).
    const chain = await v.optionChain('BTC', { right: 'call' });
    const c = chain.contracts.find((x) => x.symbol === call)!;
    expect(c.greeks).toEqual({ source: 'venue', asOf: expect.any(Number) });
    expect(Date.now() - c.greeks!.asOf!).toBeLessThan(3000);
    expect(chain.contracts.every((x) => x.right === 'call')).toBe(true);

    // Sell the strangle: 10 contracts each, market orders; fills arrive with their prices.
    const sell = (symbol: string, id: string) => v.placeOrder({ clientOrderId: id, symbol, qty: '10', side: 'sell', type: 'market', timeInForce: 'gtc' });
    const o1 = await sell(call, 'ld-strangle-c');
    const o2 = await sell(put, 'ld-strangle-p');
    expect(o1.status).toBe('filled');
    await waitFor(() => updates.filter((u) => u.event === 'fill').length === 2, 5000, 'both fills on the private channel');
    const fills = updates.filter((u) => u.event === 'fill');
    expect(fills.map((f) => [f.order.clientOrderId, f.order.side, f.qty, f.positionQty])).toEqual([
      ['ld-strangle-c', 'sell', '10', '-10'],
      ['ld-strangle-p', 'sell', '10', '-10'],
    ]);
    expect(fills[0]!.order.id).toBe(o1.id);
    expect(fills[1]!.order.id).toBe(o2.id);
    const positions = await v.positions();
    expect(positions.map((p) => [p.symbol, p.side, p.qty]).sort()).toEqual([
      [call, 'short', '10'],
      [put, 'short', '10'],
    ].sort());

    // P&L in the settlement currency (USD), exact: Σ (entry − mark) × contracts × contract value for shorts.
    const lastQuote = (sym: string) => [...quotes].reverse().find((q) => q.symbol === sym)!;
    await waitFor(() => quotes.filter((q) => q.symbol === call).length > 3, 3000, 'fresh quotes after the fills');
    let pnl: Money = ZERO_MONEY;
    for (const f of fills) {
      const inst = v.instrument(f.order.symbol)!;
      const q = lastQuote(f.order.symbol);
      const mid = price(((q.bid! + q.ask!) / 2).toFixed(2));
      const units = toUnits(qty(f.qty!), inst.multiplier);
      pnl = addMoney(pnl, subMoney(notional(price(f.price!), units), notional(mid, units)));
    }
    // Hand check: the short strangle's value in USD is the premium sold minus the cost to buy back.
    const sold = fills.reduce((a, f) => a + Number(f.price) * 10 * 0.001, 0);
    const back = fills.reduce((a, f) => {
      const q = lastQuote(f.order.symbol);
      return a + Number(((q.bid! + q.ask!) / 2).toFixed(2)) * 10 * 0.001;
    }, 0);
    expect(Number(formatMoney(pnl, 6))).toBeCloseTo(sold - back, 6);
  });

  it('a silent stall (pings answered, heartbeats flowing, no data) is detected within the data timeout and the registry is replayed', { timeout: 15_000 }, async () => {
    const { venue: v, sim: s, quotes } = await setup({ dataTimeoutMs: 800 });
    await waitFor(() => v.health().every((h) => h.state === 'running'), 5000, 'running');
    const { call } = strangleLegs(v, s);
    v.subscribe([call]);
    await waitFor(() => quotes.some((q) => q.symbol === call), 5000, 'quotes');
    const stallAt = Date.now();
    s.fault({ kind: 'stall', enabled: true });
    await waitFor(() => v.stream('options')!.snapshot().state === 'reconnecting', 3000, 'the data timeout to fire');
    const detectedAfter = Date.now() - stallAt;
    // Detected at the last ticker + 800 ms; the slack is for a loaded machine (2 cores shared), not the protocol.
    expect(detectedAfter).toBeLessThan(800 + 1200);
    expect(v.stream('options')!.snapshot().lastError).toMatch(/no data for \d+ ms \(data timeout 800 ms\)/);
    // The private socket (heartbeats every 200 ms) stays up: its frames prove it alive.
    expect(v.stream('trade_updates')!.snapshot().state).toBe('running');
    s.fault({ kind: 'stall', enabled: false });
    const before = quotes.length;
    await waitFor(() => v.stream('options')!.snapshot().state === 'running' && quotes.length > before, 5000, 'recovered with the registry replayed');
    expect(v.subscribedSymbols()).toEqual([call]);
  });

  it('an expired key → session_needed (private socket and signed REST); re-authentication restores it', { timeout: 15_000 }, async () => {
    const { venue: v, sim: s } = await setup();
    await waitFor(() => v.sessionState() === 'active' && v.stream('trade_updates')!.snapshot().state === 'running', 5000, 'authenticated');
    s.fault({ kind: 'expire_key' });
    await waitFor(() => v.sessionState() === 'session_needed', 5000, 'session_needed');
    expect(v.stream('trade_updates')!.snapshot()).toMatchObject({ state: 'session_needed', lastError: expect.stringMatching(/key-auth refused: 404 api_key_not_found/) });
    const err = await v.positions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).kind).toBe('session');
    expect(v.restSessionRefused).toBe(true);
    s.renewKey();
    await v.reauthenticate();
    await waitFor(() => v.sessionState() === 'active' && v.stream('trade_updates')!.snapshot().state === 'running', 5000, 'active again');
    expect(await v.positions()).toEqual([]);
  });

  it('orders rejected by the venue name its code; an unfilled quantity that is not whole contracts is refused before sending', { timeout: 10_000 }, async () => {
    const { venue: v, sim: s } = await setup();
    const { call } = strangleLegs(v, s);
    s.fault({ kind: 'reject_orders', count: 1 });
    const err = await v.placeOrder({ clientOrderId: 'x1', symbol: call, qty: '1', side: 'buy', type: 'limit', limitPrice: '5', timeInForce: 'gtc' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).message).toMatch(/POST \/v2\/orders: HTTP 400 \(insufficient_margin\)/);
    expect((err as VenueError).kind).toBe('rejected');
    await expect(v.placeOrder({ clientOrderId: 'x2', symbol: call, qty: '1.5', side: 'buy', type: 'limit', limitPrice: '5', timeInForce: 'gtc' })).rejects.toThrow(/not a whole number of contracts/);
    // A resting limit order: open, then cancelled.
    const o = await v.placeOrder({ clientOrderId: 'x3', symbol: call, qty: '2', side: 'buy', type: 'limit', limitPrice: '0.1', timeInForce: 'gtc' });
    expect(o).toMatchObject({ status: 'new', qty: '2', filledQty: '0', limitPrice: '0.1', symbol: call });
    expect((await v.ordersQuery({ status: 'open' })).map((x) => x.clientOrderId)).toEqual(['x3']);
    await v.cancelOrder(o.id);
    expect(await v.ordersQuery({ status: 'open' })).toEqual([]);
    expect((await v.orderByClientId('x3'))?.status).toBe('canceled');
    // A desk client order id longer than Delta's 32 characters goes as a digest and comes back as the desk's.
    const long = 'ld-an-account-with-a-long-name-mq1x2y3z-000042';
    const lo = await v.placeOrder({ clientOrderId: long, symbol: call, qty: '1', side: 'buy', type: 'limit', limitPrice: '0.1', timeInForce: 'gtc' });
    expect(lo.clientOrderId).toBe(long);
    expect(v.wireClientId(long)).toMatch(/^ld[0-9a-f]{30}$/);
    expect((await v.orderByClientId(long))?.id).toBe(lo.id);
  });

  it('HTTP 429 is waited out (X-RATE-LIMIT-RESET ms) and the read retried', { timeout: 10_000 }, async () => {
    const { venue: v, sim: s } = await setup();
    const { call } = strangleLegs(v, s);
    s.fault({ kind: 'rate_limit', count: 1, resetMs: 300 });
    const t0 = Date.now();
    const q = await v.latestQuotes([call, 'C-BTC-1-010130']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ symbol: call, source: 'rest', last: null });
    expect(v.rest.counters.rateLimited).toBe(1);
  });

  it('legacy fallback: the new ticker channel refused → v2/ticker on the legacy endpoint, greeks still arrive', { timeout: 10_000 }, async () => {
    const clock = new SystemClock();
    sim = new SimDeltaServer({ seed: 3, clock, tickerIntervalMs: 100, markIntervalMs: 100 });
    sim.fault({ kind: 'refuse_ticker_channel', enabled: true });
    const urls = await sim.start();
    venue = new DeltaVenue({ name: 'sim-delta', mode: 'SIM', credentials: { ...SIM_DELTA_CREDENTIALS }, urls, tuning: { backoff: { baseMs: 50, capMs: 100 }, pingIntervalMs: 0 } }, { clock });
    await venue.start();
    const { call } = strangleLegs(venue, sim);
    venue.subscribe([call]);
    await waitFor(() => venue!.market.get(call)?.greeks != null, 5000, 'greeks via v2/ticker');
    expect(venue.publicProtocol!.format).toBe('v2/ticker');
    expect(venue.publicProtocol!.fellBack).toBe(true);
  });

  it('products are kept in the ledger\'s instruments table: with Delta\'s REST down a restart still knows them', { timeout: 10_000 }, async () => {
    const tmp = tempLedgerDir('delta-products-');
    const clock = new SystemClock();
    const store = SqliteLedgerStore.open({ path: tmp.file(), clock });
    try {
      sim = new SimDeltaServer({ seed: 9, clock, tickerIntervalMs: 100 });
      const urls = await sim.start();
      venue = new DeltaVenue({ name: 'delta', mode: 'LIVE', credentials: { ...SIM_DELTA_CREDENTIALS }, urls, streams: { market: false, private: false }, instrumentStore: store.accounts, storeVenue: 'delta' }, { clock });
      await venue.start();
      const symbol = sim.productSymbols().find((x) => x.startsWith('P-ETH-'))!;
      const live = venue.instrument(symbol)!;
      expect(store.accounts.getInstrument('delta', symbol)).toMatchObject({ venue: 'delta', symbol, kind: 'option', underlying: 'ETH', right: 'put', multiplier: '0.01', currency: 'USD', token: live.token });
      await venue.dispose();
      // A restart with the REST unreachable (a closed port): the products do not load, the ledger answers.
      venue = new DeltaVenue({ name: 'delta', mode: 'LIVE', credentials: null, urls: { ...urls, rest: 'http://127.0.0.1:9' }, streams: { market: false, private: false }, instrumentStore: store.accounts, storeVenue: 'delta', restTimeoutMs: 500 }, { clock });
      await venue.start();
      expect(venue.productSymbols()).toEqual([]);
      expect(venue.instrument(symbol)).toEqual(live);
      expect(venue.instrument('P-ETH-1-010130')).toBeNull();
    } finally {
      await venue?.dispose();
      venue = null;
      store.close();
      tmp.cleanup();
    }
  });
});
