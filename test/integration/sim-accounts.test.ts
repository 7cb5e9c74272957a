// Issue 17 item 5 (and what the monitoring cycle needs of the venue): one simulated venue server per
// venue name, shared by that venue's accounts, each with its own key and book; per-key session
// expiry renewed by the execution port's re-authentication (a login); a per-step fault switch.
// Real servers and the real Alpaca adapter over 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccountVenue, SimVenuePool, type AccountVenue } from '../../src/node/venues/registry';
import { simAccounts, startSimAccounts, type SimAccountsRun } from '../../src/node/venues/sim-accounts';
import { SIM_CREDENTIALS, simCredentials, type SimVenueServer } from '../../src/node/venues/sim/server';
import { createDesk, defaultDeskConfig, type Desk } from '../../src/node/desk';
import { accountSimSeed, simVenueSeed } from '../../src/node/venues/sim/model';
import { defaultAccount, type Account } from '../../src/core/model/account';
import { accountId } from '../../src/core/model/ids';
import { SystemClock } from '../../src/node/system-clock';
import { silentLogger } from '../../src/core/ports/logger';
import { VenueError, type OrderUpdate } from '../../src/core/ports/venue';
import type { ExecutionPort } from '../../src/core/ports/execution';

const config = { ...defaultDeskConfig, simIntervalMs: 20 };
const ACC7: Account = { id: accountId('acc7'), label: 'Seven', venue: 'sim', mode: 'SIM', credentialsRef: null };
const SIM2: Account = { id: accountId('sim2'), label: 'Second simulator', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim2' };
const ACC7_KEY = 'SIMKEY-acc7';

let built: AccountVenue[] = [];
let run: SimAccountsRun | null = null;
let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  await Promise.allSettled(built.map((v) => v.dispose()));
  built = [];
  await run?.dispose();
  run = null;
});

async function build(account: Account, pool: SimVenuePool): Promise<AccountVenue> {
  const v = await buildAccountVenue({ account, config, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random, simVenues: pool });
  built.push(v);
  return v;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function admin(server: SimVenueServer, body: unknown, path = '/__sim/fault'): Promise<{ status: number; body: { ok: boolean; error?: string } }> {
  const res = await fetch(`${server.urls().tradingRest}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
}

async function rest(server: SimVenueServer, path: string, key: { keyId: string; secretKey: string }): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.urls().tradingRest}${path}`, { headers: { 'APCA-API-KEY-ID': key.keyId, 'APCA-API-SECRET-KEY': key.secretKey }, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

const qtyOf = async (ex: ExecutionPort, symbol: string) => (await ex.positions()).find((p) => p.symbol === symbol)?.qty ?? null;
const market = (clientOrderId: string, qty: string) => ({ clientOrderId, symbol: 'SPY', qty, side: 'buy' as const, type: 'market' as const, timeInForce: 'day' as const });
const resting = (clientOrderId: string) => ({ clientOrderId, symbol: 'SPY', qty: '1', side: 'buy' as const, type: 'limit' as const, timeInForce: 'day' as const, limitPrice: '1.00' });

describe('several accounts on one simulated venue', () => {
  it('accounts of one venue name share one server (one market), each with its own key and book; another name is another server; the last release stops it', { timeout: 20_000 }, async () => {
    const pool = new SimVenuePool();
    const main = await build(defaultAccount('sim', null), pool);
    const acc7 = await build(ACC7, pool);
    const sim2 = await build(SIM2, pool);
    expect(acc7.sim).toBe(main.sim);
    expect(sim2.sim).not.toBe(main.sim);
    expect(pool.names().sort()).toEqual(['sim', 'sim2']);
    expect(main.sim!.keys()).toEqual(['SIMKEY', ACC7_KEY]);
    expect(sim2.sim!.keys()).toContain('SIMKEY-sim2');
    expect(acc7.marketData.name).toBe('sim');
    const server = main.sim!;

    // Each account's trade_updates carry its own orders only.
    const updates = new Map<string, string[]>([['default', []], ['acc7', []]]);
    for (const v of [main, acc7]) v.execution.listen({ orderUpdate: (u: OrderUpdate) => updates.get(v.account.id)!.push(`${u.order.clientOrderId} ${u.event}`) });
    await Promise.all([main.execution.start(), acc7.execution.start()]);
    await waitFor(() => [main, acc7].every((v) => v.execution.health().every((h) => h.state === 'running')), 5000, 'both trade_updates streams running');

    await main.execution.placeOrder(market('main-1', '5'));
    await acc7.execution.placeOrder(market('acc7-1', '2'));
    await waitFor(async () => (await qtyOf(main.execution, 'SPY')) === '5' && (await qtyOf(acc7.execution, 'SPY')) === '2', 5000, 'each account holding its own SPY');
    expect((await main.execution.orders({ status: 'all' })).map((o) => o.clientOrderId)).toEqual(['main-1']);
    expect((await acc7.execution.orders({ status: 'all' })).map((o) => o.clientOrderId)).toEqual(['acc7-1']);
    expect(await acc7.execution.orderByClientId('main-1')).toBeNull();
    expect(server.book(ACC7_KEY)!.broker.list('all').map((o) => o.client_order_id)).toEqual(['acc7-1']);
    expect(server.broker.list('all').map((o) => o.client_order_id)).toEqual(['main-1']);
    await waitFor(() => updates.get('default')!.includes('main-1 fill') && updates.get('acc7')!.includes('acc7-1 fill'), 5000, 'each fill on its own stream');
    expect(updates.get('default')!.every((u) => u.startsWith('main-1'))).toBe(true);
    expect(updates.get('acc7')!.every((u) => u.startsWith('acc7-1'))).toBe(true);
    // One account: one cash balance each (the fills moved each account's own).
    const [cashMain, cashAcc7] = [(await main.execution.account()).cash, (await acc7.execution.account()).cash];
    expect(cashMain).not.toBe(cashAcc7);

    // An unknown key, or a key with another key's secret, is refused as today.
    expect((await rest(server, '/v2/account', { keyId: 'SIMKEY-nobody', secretKey: 'SIMSECRET-nobody' })).status).toBe(401);
    expect((await rest(server, '/v2/account', { keyId: ACC7_KEY, secretKey: SIM_CREDENTIALS.secretKey })).status).toBe(401);
    expect((await rest(server, '/v2/account', simCredentials('acc7', false))).status).toBe(200);

    // A planted position goes to the key's book (default: the default key's).
    expect((await admin(server, { symbol: 'QQQ', qty: 3, avg_price: '350', key: ACC7_KEY }, '/__sim/position')).status).toBe(200);
    expect(await qtyOf(acc7.execution, 'QQQ')).toBe('3');
    expect(await qtyOf(main.execution, 'QQQ')).toBeNull();
    expect(await admin(server, { symbol: 'QQQ', qty: 3, avg_price: '350', key: 'SIMKEY-nobody' }, '/__sim/position')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/no account holds key SIMKEY-nobody/) } });

    // The default account leaves: the server stays for acc7; acc7 leaves: it stops.
    const url = server.urls().tradingRest;
    await main.dispose();
    expect((await fetch(`${url}/__sim/state`, { signal: AbortSignal.timeout(2000) })).status).toBe(200);
    await acc7.dispose();
    await expect(fetch(`${url}/__sim/state`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(pool.names()).toEqual(['sim2']);
    // A new account of that venue starts a new one.
    const again = await build(ACC7, pool);
    expect(again.sim).not.toBe(server);
    expect(again.sim!.keys()).toEqual(['SIMKEY', ACC7_KEY]);
  });

  it('the default venue keeps the configured seed and port; two pools (two desks) never share a server', async () => {
    const a = new SimVenuePool();
    const b = new SimVenuePool();
    const probe = await build(defaultAccount('sim', null), a);
    const port = probe.sim!.port;
    await probe.dispose();
    built = [];
    const cfg = { ...config, simPort: port, seed: 4242 };
    const main = await buildAccountVenue({ account: ACC7, config: cfg, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random, simVenues: a });
    built.push(main);
    // The first account of venue `sim` (not the default account) still starts it on the configured port and seed.
    expect(main.sim!.port).toBe(port);
    const other = await build(defaultAccount('sim', null), b);
    expect(other.sim).not.toBe(main.sim);
    // Seeds by venue name: `sim` keeps the configured seed; `sim2`'s is the one its account had before.
    expect(simVenueSeed('sim', 4242)).toBe(4242);
    expect(simVenueSeed('sim2', 4242)).toBe(accountSimSeed('sim2', false, 4242));
    expect(simVenueSeed('sim2', 4242)).not.toBe(4242);
  });
});

describe('per-key session expiry, renewed by the execution port’s re-authentication (a login)', () => {
  it('expire → REST 401 (session) and session_needed for that key only → reauthenticate() → calls succeed again', { timeout: 20_000 }, async () => {
    const pool = new SimVenuePool();
    const main = await build(defaultAccount('sim', null), pool);
    const acc7 = await build(ACC7, pool);
    const server = main.sim!;
    await Promise.all([main.execution.start(), acc7.execution.start()]);
    await waitFor(() => [main, acc7].every((v) => v.execution.health().every((h) => h.state === 'running')), 5000, 'both trade_updates streams running');
    await acc7.execution.account();
    expect(acc7.execution.sessionState()).toBe('active');

    expect(await admin(server, { kind: 'expire_session', key: ACC7_KEY })).toEqual({ status: 200, body: { ok: true } });
    const err = await acc7.execution.account().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect(err).toMatchObject({ kind: 'session', status: 401, code: 40110000 });
    expect((err as Error).message).toContain('access key verification failed');
    expect(acc7.execution.sessionState()).toBe('session_needed');
    expect(await rest(server, '/v2/positions', simCredentials('acc7', false))).toEqual({ status: 401, body: { code: 40110000, message: 'access key verification failed' } });
    // Its trade_updates connection is closed and its auth refused: the stream says session_needed.
    await waitFor(() => acc7.execution.health().every((h) => h.state === 'session_needed'), 5000, 'acc7 trade_updates session_needed');
    // The other key is untouched.
    await main.execution.account();
    expect(main.execution.sessionState()).toBe('active');
    expect(main.execution.health().map((h) => h.state)).toEqual(['running']);
    expect(server.book()!.sessionExpired).toBe(false);

    await acc7.execution.reauthenticate();
    await acc7.execution.account();
    await waitFor(() => acc7.execution.sessionState() === 'active' && acc7.execution.health().every((h) => h.state === 'running'), 5000, 'acc7 active again');
    expect(server.book(ACC7_KEY)!.sessionExpired).toBe(false);
    // An expiry for a key the server does not hold is refused, naming it.
    expect(await admin(server, { kind: 'expire_session', key: 'SIMKEY-nobody' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/no account holds key SIMKEY-nobody/) } });
  });
});

describe('a desk with two accounts on venue sim', () => {
  it('runs one server for both; expiring acc7’s key puts only acc7 in session_needed, and its one-click re-authentication recovers it', { timeout: 20_000 }, async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 20, watchlist: ['SPY'] }, accounts: [ACC7] });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'both accounts running');
    const main = d.accountVenue(accountId('default'))!;
    const acc7 = d.accountVenue(accountId('acc7'))!;
    expect(acc7.sim).toBe(main.sim);
    expect(d.simServer!.keys()).toEqual(['SIMKEY', ACC7_KEY]);
    const stateOf = (account: string) => d.snapshot().streams.filter((s) => s.accountId === account).map((s) => s.state);

    d.simServer!.fault({ kind: 'expire_session', key: ACC7_KEY });
    await expect(acc7.execution.positions()).rejects.toMatchObject({ kind: 'session', status: 401 });
    await waitFor(() => stateOf('acc7').every((s) => s === 'session_needed'), 5000, 'acc7 session_needed');
    expect(stateOf('default').every((s) => s === 'running')).toBe(true);
    expect(await d.handle('session.reauthenticate', { account: 'acc7' })).toEqual({ ok: true, result: { reauthenticating: true, venue: 'sim' } });
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'acc7 running again after re-authentication');
    await acc7.execution.positions();
    expect(acc7.execution.sessionState()).toBe('active');
  });
});

describe('per-step fault switch (step_fault / clear_step_fault)', () => {
  it('each step fails its own routes for its key only, until cleared; counts, status, message and client id prefixes', { timeout: 30_000 }, async () => {
    const pool = new SimVenuePool();
    const main = await build(defaultAccount('sim', null), pool);
    const acc7 = await build(ACC7, pool);
    const server = main.sim!;
    const startOfDay = new Date(new Date().setUTCHours(0, 0, 0, 0)).toISOString();
    let seq = 0;
    const restingId = new Map<ExecutionPort, string>();
    for (const v of [main, acc7]) restingId.set(v.execution, (await v.execution.placeOrder(resting(`entry-${v.account.id}`))).id);
    // The calls each step makes (what the lead's monitor wires: step 1 the day's orders + positions,
    // step 3 the reconciler's open orders, 4 / 9 place, 5 / 6 replace).
    const calls: Record<1 | 3 | 4 | 5 | 6 | 9, (ex: ExecutionPort) => Promise<unknown>> = {
      1: (ex) => Promise.all([ex.orders({ status: 'all', after: startOfDay, limit: 500 }), ex.positions()]),
      3: (ex) => ex.openOrders(),
      4: (ex) => ex.placeOrder(resting(`entry-${++seq}`)),
      9: (ex) => ex.placeOrder(resting(`entry-${++seq}`)),
      5: async (ex) => restingId.set(ex, (await ex.replaceOrder(restingId.get(ex)!, { limitPrice: `1.0${(++seq % 9) + 1}` })).id),
      6: async (ex) => restingId.set(ex, (await ex.replaceOrder(restingId.get(ex)!, { limitPrice: `1.0${(++seq % 9) + 1}` })).id),
    };
    const sameRoutes: Record<number, number[]> = { 1: [1], 3: [3], 4: [4, 9], 9: [4, 9], 5: [5, 6], 6: [5, 6] };
    const steps = [1, 3, 4, 5, 6, 9] as const;
    for (const step of steps) {
      expect(await admin(server, { kind: 'step_fault', step, key: ACC7_KEY })).toEqual({ status: 200, body: { ok: true } });
      for (let i = 0; i < 2; i++) {
        const err = await calls[step](acc7.execution).then(() => null, (e: unknown) => e);
        expect(err, `step ${step}, call ${i + 1}`).toBeInstanceOf(VenueError);
        expect(err).toMatchObject({ status: 500, kind: 'server' });
        expect((err as Error).message).toContain(`sim step_fault: step ${step}`);
      }
      await calls[step](main.execution); // the default key: untouched
      for (const other of steps) if (!sameRoutes[step]!.includes(other)) await calls[other](acc7.execution); // other steps' routes: untouched
      expect(await admin(server, { kind: 'clear_step_fault', step, key: ACC7_KEY })).toEqual({ status: 200, body: { ok: true } });
      await calls[step](acc7.execution);
    }
    // Step 1 covers both of its reads; step 3's fault does not touch step 1's order book read.
    await admin(server, { kind: 'step_fault', step: 1, key: ACC7_KEY });
    await expect(acc7.execution.positions()).rejects.toMatchObject({ status: 500 });
    await expect(acc7.execution.orders({ status: 'all', after: startOfDay, limit: 500 })).rejects.toMatchObject({ status: 500 });
    await acc7.execution.openOrders();
    await admin(server, { kind: 'clear_step_fault', key: ACC7_KEY });
    await admin(server, { kind: 'step_fault', step: 3, key: ACC7_KEY });
    await acc7.execution.orders({ status: 'all', after: startOfDay, limit: 500 });
    await acc7.execution.positions();
    await expect(acc7.execution.openOrders()).rejects.toMatchObject({ status: 500 });
    await admin(server, { kind: 'clear_step_fault', key: ACC7_KEY });

    // count, status and message; no key: the default key's book.
    await admin(server, { kind: 'step_fault', step: 1, count: 2, status: 503, message: 'order book down' });
    await expect(main.execution.positions()).rejects.toMatchObject({ status: 503, kind: 'server', message: expect.stringContaining('order book down') });
    await acc7.execution.positions();
    await expect(main.execution.orders({ status: 'all', after: startOfDay, limit: 500 })).rejects.toMatchObject({ status: 503 });
    await main.execution.positions(); // the count is spent
    // A failed step never acted: the placement failed under step 4 left no order behind.
    await admin(server, { kind: 'step_fault', step: 4, key: ACC7_KEY, count: 1 });
    await expect(acc7.execution.placeOrder(resting('never-placed'))).rejects.toMatchObject({ status: 500 });
    expect(await acc7.execution.orderByClientId('never-placed')).toBeNull();

    // 4 vs 9 (both place) and 5 vs 6 (both replace): narrowed by the client order id's prefix.
    await admin(server, { kind: 'step_fault', step: 9, key: ACC7_KEY, client_order_id_prefix: 'regen-' });
    await acc7.execution.placeOrder(resting('entry-x'));
    await expect(acc7.execution.placeOrder(resting('regen-x'))).rejects.toMatchObject({ status: 500, message: expect.stringContaining('step 9') });
    const sl = await acc7.execution.placeOrder(resting('sl-1'));
    await admin(server, { kind: 'step_fault', step: 6, key: ACC7_KEY, client_order_id_prefix: 'sl-' });
    await expect(acc7.execution.replaceOrder(sl.id, { limitPrice: '1.05' })).rejects.toMatchObject({ status: 500, message: expect.stringContaining('step 6') });
    await calls[5](acc7.execution); // the entry order (entry-acc7…) is not under the sl- fault
    await admin(server, { kind: 'clear_step_fault', key: ACC7_KEY });
    await acc7.execution.replaceOrder(sl.id, { limitPrice: '1.05' });

    // The admin API refuses what it cannot do, naming it.
    expect(await admin(server, { kind: 'step_fault', step: 2 })).toMatchObject({ status: 400 });
    expect(await admin(server, { kind: 'step_fault', step: 1, key: 'SIMKEY-nobody' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/SIMKEY-nobody/) } });
    expect(await admin(server, { kind: 'step_fault', step: 1, status: 200 })).toMatchObject({ status: 400 });
    // resume clears every key's step faults.
    await admin(server, { kind: 'step_fault', step: 3, key: ACC7_KEY });
    await admin(server, { kind: 'resume' });
    await acc7.execution.openOrders();
    expect(server.stats.stepFaults).toBeGreaterThan(0);
  });
});

describe('bench helper: one sim server with N accounts', () => {
  it('startSimAccounts(10): one server, ten keys and books, REST calls of every account at once', { timeout: 20_000 }, async () => {
    expect(simAccounts(3).map((a) => [a.id, a.venueName])).toEqual([
      ['acc1', 'sim'],
      ['acc2', 'sim'],
      ['acc3', 'sim'],
    ]);
    run = await startSimAccounts({ accounts: 10, config, clock: new SystemClock() });
    const r = run;
    expect(r.venues).toHaveLength(10);
    expect(new Set(r.venues.map((v) => v.sim)).size).toBe(1);
    expect(r.server.keys()).toEqual(['SIMKEY', ...Array.from({ length: 10 }, (_, i) => `SIMKEY-acc${i + 1}`)]);
    expect(r.keyOf('acc3')).toBe('SIMKEY-acc3');
    await r.venues[2]!.execution.placeOrder(resting('acc3-order'));
    const lists = await Promise.all(r.venues.map((v) => Promise.all([v.execution.orders({ status: 'all', limit: 500 }), v.execution.positions()])));
    expect(lists.map(([orders]) => orders.map((o) => o.clientOrderId))).toEqual(r.venues.map((v) => (v.account.id === 'acc3' ? ['acc3-order'] : [])));
    const url = r.server.urls().tradingRest;
    await r.dispose();
    run = null;
    await expect(fetch(`${url}/__sim/state`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
