/**
 * The SmartAPI adapter against the simulated NSE face over 127.0.0.1: login (TOTP) → instrument
 * master → subscribe → binary ticks → a short NIFTY straddle placed in lots, filled, and valued in
 * rupees with the lot size by the core's FIFO ledger and P&L book; then drop, stall, session
 * expiry and the connection limit, each handled and asserted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SystemClock } from '../../../src/node/system-clock';
import { NseSimServer, simNseCredentials, type NseSimUrls } from '../../../src/node/venues/sim/nse/server';
import { SmartApiVenue, smartApiPorts } from '../../../src/node/venues/smartapi/venue';
import { PortfolioBook } from '../../../src/core/pnl/book';
import { FifoLedger, makeFill } from '../../../src/core/pnl/fifo';
import { instrumentId, type AccountId } from '../../../src/core/model/ids';
import { formatMoney, toDecimalString, type Money } from '../../../src/core/model/money';
import type { OrderUpdate } from '../../../src/core/ports/venue';
import type { Quote } from '../../../src/core/market/quote';

const clock = new SystemClock();

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 8000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let sim: NseSimServer;
let urls: NseSimUrls;
let venue: SmartApiVenue;

function makeVenue(over: Partial<ConstructorParameters<typeof SmartApiVenue>[0]> = {}): SmartApiVenue {
  return new SmartApiVenue(
    {
      name: 'sim-nse',
      mode: 'SIM',
      credentials: simNseCredentials('default', true),
      urls,
      heartbeatMs: 200,
      tuning: { backoff: { baseMs: 50, capMs: 200 }, dataTimeoutMs: 1000, connectionLimitWindowMs: 1500, handshakeTimeoutMs: 2000, closeTimeoutMs: 200 },
      ...over,
    },
    { clock },
  );
}

beforeEach(async () => {
  sim = new NseSimServer({ clock, intervalMs: 50, seed: 11 });
  sim.addAccount(simNseCredentials('default', true));
  urls = await sim.start();
});

afterEach(async () => {
  await venue?.dispose();
  await sim.stop();
});

function atmStraddle(v: SmartApiVenue): { ce: string; pe: string } {
  const spot = sim.model.spotOf('NIFTY');
  const opts = v.master!.search({ name: 'NIFTY', kind: 'option' });
  const expiry = opts[0]!.expiry!.date;
  const strike = Math.round(spot / 50) * 50;
  const ce = v.master!.search({ name: 'NIFTY', expiry, strike, right: 'call' })[0]!;
  const pe = v.master!.search({ name: 'NIFTY', expiry, strike, right: 'put' })[0]!;
  return { ce: ce.symbol, pe: pe.symbol };
}

describe('SmartAPI adapter × simulated NSE', () => {
  it('login → master → subscribe → ticks → short NIFTY straddle P&L in rupees with lot sizes', async () => {
    venue = makeVenue();
    const { marketData, execution } = smartApiPorts(venue, 'default' as AccountId, 'sim');
    const updates: OrderUpdate[] = [];
    execution.listen({ orderUpdate: (u) => updates.push(u) });
    await Promise.all([marketData.start(), execution.start()]);
    expect(execution.sessionState()).toBe('active');
    expect(sim.stats.logins).toBe(1);

    const { ce, pe } = atmStraddle(venue);
    const inst = marketData.instrument(ce)!;
    expect(inst).toMatchObject({ venue: 'smartapi', kind: 'option', lotSize: 65, exchange: 'NFO', currency: { code: 'INR' } });
    expect(inst.multiplier).toBe(65_000_000n); // lot size as the multiplier (6 dp)
    expect(marketData.instrument('NOPE')).toBeNull();

    const quotes = new Map<string, { bid: number | null; ask: number | null; n: number }>();
    marketData.listen({
      quote: (q) => quotes.set(q.symbol, { bid: q.bid, ask: q.ask, n: (quotes.get(q.symbol)?.n ?? 0) + 1 }),
    });
    let spotTrades = 0;
    marketData.listen({ trade: (t) => (t.symbol === 'NIFTY' ? spotTrades++ : undefined) });
    marketData.subscribe(['NIFTY', ce, pe]);
    await until('option quotes', () => (quotes.get(ce)?.n ?? 0) >= 2 && (quotes.get(pe)?.n ?? 0) >= 2 && spotTrades >= 2);
    expect(sim.subscribedTokens()).toBe(3);
    const q = quotes.get(ce)!;
    expect(q.bid).not.toBeNull();
    expect(q.ask!).toBeGreaterThan(q.bid!);

    // the short straddle: 2 lots each, quantities in lots at the port, units (130) on the wire
    await execution.placeOrder({ clientOrderId: 'straddle-ce-0001-abcdefghijklmnop', symbol: ce, qty: '2', side: 'sell', type: 'market', timeInForce: 'day' });
    await execution.placeOrder({ clientOrderId: 'straddle-pe-0001-abcdefghijklmnop', symbol: pe, qty: '2', side: 'sell', type: 'market', timeInForce: 'day' });
    const fills = await until('two fills', () => {
      const f = updates.filter((u) => u.event === 'fill');
      return f.length >= 2 ? f : null;
    });
    for (const f of fills) {
      expect(f.qty).toBe('2');
      expect(f.price).toMatch(/^\d+(\.\d+)?$/);
      expect(f.executionId).toBeTruthy();
      expect(f.order.clientOrderId).toMatch(/^straddle-/);
    }
    const positions = await execution.positions();
    expect(positions.map((p) => [p.symbol, p.qty, p.side]).sort()).toEqual([
      [ce, '2', 'short'],
      [pe, '2', 'short'],
    ].sort());

    // P&L through the core: FIFO ledger (multiplier = lot size) + book valued by the feed's quotes
    const ledger = new FifoLedger({ multiplierOf: (s) => marketData.instrument(s)!.multiplier });
    for (const f of fills) ledger.apply(makeFill({ fill_id: f.executionId!, position_id: f.order.symbol, symbol: f.order.symbol, side: 'SELL', quantity: f.qty!, price: f.price!, time: 0 }));
    const latest = new Map<string, Quote>();
    const book = new PortfolioBook({ currencyOf: () => 'INR', staleAfterMs: 60_000, quoteOf: (id) => latest.get(id) });
    for (const p of ledger.positions()) book.setPosition(instrumentId('sim-nse', p.symbol), p);
    marketData.listen({
      quote: (tick) => {
        const quote: Quote = { instrument: tick.instrument, symbol: tick.symbol, bid: tick.bid, ask: tick.ask, last: null, bidSize: tick.bidSize, askSize: tick.askSize, exchangeTime: tick.exchangeTime, receivedAt: tick.receivedAt };
        latest.set(tick.instrument, quote);
        book.onQuote(quote);
      },
    });
    await until('both legs valued', () => latest.has(instrumentId('sim-nse', ce)) && latest.has(instrumentId('sim-nse', pe)));
    const totals = book.totals(Date.now()).currencies[0]!;
    expect(totals.currency).toBe('INR');
    expect(totals.unrealized).not.toBeNull();
    // independent check: Σ (fill − mid) × 2 lots × 65
    let expected = 0;
    for (const f of fills) {
      const qt = latest.get(instrumentId('sim-nse', f.order.symbol))!;
      expected += (Number(f.price) - (qt.bid! + qt.ask!) / 2) * 2 * 65;
    }
    expect(Number(toDecimalString(totals.unrealized as Money))).toBeCloseTo(expected, 6);
    expect(formatMoney(totals.unrealized as Money, 2)).toMatch(/^-?[\d,]+\.\d{2}$/);
    await marketData.stop();
    await execution.stop();
  }, 20_000);

  it('orders are validated before sending: whole lots, tick size, price band, time in force', async () => {
    venue = makeVenue();
    await venue.start();
    const { ce } = atmStraddle(venue);
    const base = { clientOrderId: 'v1', symbol: ce, side: 'buy' as const, timeInForce: 'day' as const };
    await expect(venue.placeOrder({ ...base, qty: '1.5', type: 'market' })).rejects.toThrow(/whole, positive number of lots \(lot size 65\)/);
    await expect(venue.placeOrder({ ...base, qty: '1', type: 'limit', limitPrice: '10.03' })).rejects.toThrow(/not on the tick size 0\.05/);
    await expect(venue.placeOrder({ ...base, qty: '1', type: 'limit', limitPrice: '10.05', timeInForce: 'gtc' })).rejects.toThrow(/time in force gtc/);
    await venue.latestQuotes([ce]); // learns the circuit band
    await expect(venue.placeOrder({ ...base, qty: '1', type: 'limit', limitPrice: '99999.95' })).rejects.toThrow(/outside the price band/);
    expect(sim.stats.logins).toBe(1);
    // a venue rejection arrives as a rejected update, the reason kept
    const updates: OrderUpdate[] = [];
    venue.listen({ orderUpdate: (u) => updates.push(u) });
    await until('order socket', () => venue.orderHealth()[0]!.state === 'running');
    sim.fault({ kind: 'reject_orders', count: 1 });
    await venue.placeOrder({ ...base, clientOrderId: 'rej-1', qty: '1', type: 'market' });
    const rej = await until('rejected update', () => updates.find((u) => u.event === 'rejected'));
    expect(rej.order.status).toBe('rejected');
    // limit order resting → modify → cancel
    const o = await venue.placeOrder({ ...base, clientOrderId: 'rest-1', qty: '1', type: 'limit', limitPrice: '0.05' });
    const replaced = await venue.replaceOrder(o.id, { qty: '2', limitPrice: '0.10' });
    expect(replaced.qty).toBe('2');
    await venue.cancelOrder(o.id);
    const book = await venue.orders({ status: 'all' });
    expect(book.find((x) => x.id === o.id)).toMatchObject({ status: 'canceled', qty: '2', clientOrderId: 'rest-1' });
    expect((await venue.orderByClientId('rest-1'))?.id).toBe(o.id);
    const trades = await venue.tradeBook();
    expect(trades).toEqual([]);
  }, 20_000);

  it('the order book and positions endpoints are held to 1 request per second', async () => {
    venue = makeVenue();
    await venue.start();
    const t0 = Date.now();
    await Promise.all([venue.orders(), venue.orders(), venue.orders()]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(venue.rest.gate('orderBook').waited).toBeGreaterThanOrEqual(2);
  }, 10_000);

  it('drop: the feed reconnects and the registry is replayed', async () => {
    venue = makeVenue();
    await venue.start();
    const { ce } = atmStraddle(venue);
    let n = 0;
    venue.listen({ quote: (q) => (q.symbol === ce ? n++ : undefined) });
    venue.subscribe([ce, 'NIFTY']);
    await until('ticks', () => n >= 2);
    sim.fault({ kind: 'drop', stream: 'feed' });
    await until('reconnected', () => venue.feedManager(0).snapshot().reconnects >= 1 && venue.feedManager(0).snapshot().state === 'running');
    const before = n;
    await until('ticks after the drop', () => n >= before + 2);
    expect(sim.subscribedTokens()).toBe(2);
  }, 15_000);

  it('heartbeat: a feed with nothing subscribed stays up on text ping/pong alone (no flapping past the data timeout)', async () => {
    venue = makeVenue();
    await venue.start();
    await until('feed running', () => venue.feedManager(0).snapshot().state === 'running');
    await new Promise((r) => setTimeout(r, 2500)); // 2.5 × the 1 s data timeout, no ticks at all
    expect(venue.feedManager(0).snapshot()).toMatchObject({ state: 'running', reconnects: 0 });
    expect(venue.orderManager.snapshot()).toMatchObject({ state: 'running', reconnects: 0 });
  }, 10_000);

  it('stall: no frame (not even a pong) within the data timeout → terminated and reconnected', async () => {
    venue = makeVenue();
    await venue.start();
    const { ce } = atmStraddle(venue);
    let n = 0;
    venue.listen({ quote: (q) => (q.symbol === ce ? n++ : undefined) });
    venue.subscribe([ce]);
    await until('ticks', () => n >= 2);
    sim.fault({ kind: 'stall', stream: 'feed' });
    await until('stall detected', () => (venue.feedManager(0).snapshot().lastError ?? '').includes('no data'), 5000);
    const before = n;
    await until('ticks after the stall', () => n >= before + 2, 5000);
  }, 15_000);

  it('token expiry: one refresh attempt, then session_needed with no reconnect storm; one-click re-login restores everything', async () => {
    venue = makeVenue();
    const states: string[] = [];
    venue.listen({ session: (s) => states.push(s) });
    await venue.start();
    const { ce } = atmStraddle(venue);
    let n = 0;
    venue.listen({ quote: (q) => (q.symbol === ce ? n++ : undefined) });
    venue.subscribe([ce]);
    await until('ticks', () => n >= 2);
    sim.fault({ kind: 'expire_session' });
    await until('session_needed', () => venue.sessionState() === 'session_needed', 5000);
    const upgrades = sim.stats.upgrades;
    await new Promise((r) => setTimeout(r, 1500));
    // at most the one attempt that revealed the 401 per socket: no storm
    expect(sim.stats.upgrades - upgrades).toBeLessThanOrEqual(2);
    expect(venue.feedManager(0).isRunning).toBe(false);
    // every channel says why it is stopped (the desk's session banner reads these rows)
    expect(venue.feedHealth()[0]).toMatchObject({ state: 'session_needed' });
    expect(venue.orderHealth()[0]).toMatchObject({ state: 'session_needed' });
    expect(venue.orderHealth()[0]!.lastError).toMatch(/refresh refused|AB8051|401/);
    await expect(venue.positions()).rejects.toThrow(/session|logged in|AG8001/i);
    // one click
    await venue.reauthenticate();
    expect(venue.sessionState()).toBe('active');
    const before = n;
    await until('ticks after re-login', () => n >= before + 2, 5000);
    expect(states).toEqual(['active', 'session_needed', 'active']);
    await until('channels running again', () => venue.feedHealth()[0]!.state === 'running' && venue.orderHealth()[0]!.state === 'running');
  }, 20_000);

  it('a refused login (wrong TOTP secret) leaves the venue session_needed without opening sockets; re-login with the right one starts them', async () => {
    const good = simNseCredentials('default', true);
    venue = makeVenue({ credentials: { ...good, totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' } });
    await venue.start();
    expect(venue.sessionState()).toBe('session_needed');
    expect(venue.restHealth().lastError).toMatch(/AB1050 Invalid totp/);
    expect(sim.connections()).toBe(0);
    expect(venue.master!.size).toBeGreaterThan(0); // the master needs no session
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.stats.upgrades).toBe(0);
    await venue.reauthenticate(good);
    expect(venue.sessionState()).toBe('active');
    await until('sockets open', () => sim.connections('feed') === 1 && sim.connections('order') === 1);
    expect(venue.sessionExpiresAt()).toBeGreaterThan(Date.now());
  }, 10_000);

  it('the JWT is refreshed before it expires (generateTokens), without a new login', async () => {
    await sim.stop();
    sim = new NseSimServer({ clock, intervalMs: 50, seed: 11, sessionMs: 10 * 60_000 + 1500 });
    sim.addAccount(simNseCredentials('default', true));
    urls = await sim.start();
    venue = makeVenue();
    await venue.start();
    const first = venue.session.current!.jwt;
    await until('refreshed', () => sim.stats.refreshes >= 1, 5000);
    expect(venue.session.current!.jwt).not.toBe(first);
    expect(sim.stats.logins).toBe(1);
    expect(venue.sessionState()).toBe('active');
  }, 10_000);

  it('connection limit: 3 sockets × 1,000 tokens planned before subscribing, the rest named; a 4th upgrade is refused (429) and waited out', async () => {
    venue = makeVenue();
    await venue.start();
    // a master with many tokens is not needed: limit the plan to 3 × 20 over the sim's 168 options
    await venue.dispose();
    venue = makeVenue({ limits: { connections: 3, tokensPerConnection: 20 } });
    await venue.start();
    const all = venue.master!.search({ kind: 'option' }).map((i) => i.symbol);
    expect(all.length).toBeGreaterThan(60);
    venue.subscribe(all);
    await until('three feed connections', () => sim.connections('feed') === 3 && sim.subscribedTokens() === 60, 5000);
    expect(venue.leftOut).toHaveLength(all.length - 60);
    expect(venue.feedWarning).toContain(`${all.length - 60} symbols not subscribed: ${all[60]}`);
    expect(venue.feedHealth()[0]!.refusedSymbols).toContain(all[60]);
    // a 4th raw connection of the same client code is refused by the venue
    const t = venue.session.current!;
    const c = simNseCredentials('default', true);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(urls.feed, { headers: { Authorization: `Bearer ${t.jwt}`, 'x-api-key': c.apiKey, 'x-client-code': c.clientCode, 'x-feed-token': t.feedToken } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(429);
    // slots held elsewhere: our reconnect is refused with 429 and waits the window (no storm)
    sim.fault({ kind: 'hold_connections', count: 3 });
    sim.fault({ kind: 'drop', stream: 'feed' });
    await until('limit seen', () => (venue.feedManager(0).snapshot().lastError ?? '').includes('429'), 5000);
    const refused = sim.stats.refused429;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sim.stats.refused429 - refused).toBeLessThanOrEqual(3); // one per socket at most within the 1.5 s window
    sim.fault({ kind: 'clear' });
    await until('back to three', () => sim.connections('feed') === 3 && sim.subscribedTokens() === 60, 6000);
  }, 25_000);

  it('REST quotes (≤ 50 tokens per request) and the option chain from the master + quotes, greeks null', async () => {
    venue = makeVenue();
    await venue.start();
    const all = venue.master!.search({ name: 'NIFTY', kind: 'option' }).map((i) => i.symbol);
    const quotes = await venue.latestQuotes(all);
    expect(quotes).toHaveLength(all.length);
    expect(quotes.every((q) => q.source === 'rest' && q.bid !== null)).toBe(true);
    const chain = await venue.optionChain('NIFTY', { right: 'call' });
    expect(chain.contracts.length).toBe(all.length / 2);
    expect(chain.contracts[0]).toMatchObject({ right: 'call', delta: null, greeks: null });
    expect(chain.contracts[0]!.quote).not.toBeNull();
  }, 10_000);
});
