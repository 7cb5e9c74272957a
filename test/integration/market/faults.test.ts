// Every injected fault over real loopback sockets: expected state, recovery and health figures.
import { afterEach, describe, expect, it } from 'vitest';
import { FAST, rig, waitFor, type Rig } from './fixture';
import { VenueError } from '../../../src/core/ports/venue';
import { SIM_CREDENTIALS } from '../../../src/node/venues/sim/server';
import { AlpacaVenue } from '../../../src/node/venues/alpaca/venue';
import { SystemClock } from '../../../src/node/system-clock';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

const allRunning = (r: Rig) => r.venue.health().every((h) => h.state === 'running');

describe('fault injection against the Alpaca adapter', () => {
  it('drop: every stream reconnects, replays its subscriptions and is fresh within 5 s; trade_updates asks for a resync', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    const subsBefore = { stocks: r.sim.subscriptions('stocks').sort(), options: r.sim.subscriptions('options').sort() };
    r.sim.fault({ kind: 'drop' });
    await waitFor(() => r.venue.health().every((h) => h.reconnects >= 1), 5000, 'reconnects recorded');
    await waitFor(() => allRunning(r), 5000, 'all running again');
    const reconnectedAt = Date.now();
    const took = await waitFor(() => r.fresh('SPY', reconnectedAt) && r.fresh('SPY261218C00600000', reconnectedAt), 5000, 'fresh quotes after reconnect');
    expect(took).toBeLessThan(5000);
    expect(r.sim.subscriptions('stocks').sort()).toEqual(subsBefore.stocks);
    expect(r.sim.subscriptions('options').sort()).toEqual(subsBefore.options);
    expect(r.resyncs).toContain('trade_updates');
    expect(r.stream('stocks').lastError).toContain('socket closed by the venue');
  });

  it('stall: an open but silent socket is detected within the data timeout, then recovers fresh', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    const stalledAt = Date.now();
    r.sim.fault({ kind: 'stall', stream: 'stocks' });
    await waitFor(() => r.stream('stocks').reconnects >= 1, 5000, 'stall detected');
    const h = r.stream('stocks');
    expect(h.lastError).toMatch(/data timeout 400 ms/);
    // Detected when the watchdog fired (lastErrorAt, not when this test polled): no earlier than the
    // timeout after the last frame (one sim step, 25 ms, before the stall) and within the timeout
    // plus timer-scheduling slack on a shared, loaded 2-core machine.
    const detectedAfter = h.lastErrorAt! - stalledAt;
    expect(detectedAfter).toBeGreaterThanOrEqual(FAST.dataTimeoutMs - 100);
    expect(detectedAfter).toBeLessThanOrEqual(FAST.dataTimeoutMs + 500);
    expect(r.stream('options').reconnects).toBe(0); // only the stalled stream reconnects
    await waitFor(() => r.stream('stocks').state === 'running', 5000, 'running again');
    const back = Date.now();
    await waitFor(() => r.fresh('SPY', back), 5000, 'fresh SPY within 5 s of reconnect');
    expect(back - stalledAt).toBeLessThan(5000);
  });

  it('406: the connection-limit window is respected before the next attempt', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    const connections = r.sim.stats.connections;
    r.sim.fault({ kind: 'refuse406', stream: 'stocks', forMs: 300 });
    r.sim.fault({ kind: 'drop', stream: 'stocks' });
    await waitFor(() => (r.stream('stocks').lastError ?? '').includes('406'), 5000, 'a 406');
    const h = r.stream('stocks');
    const refusedAt = h.lastErrorAt!;
    expect(h.nextRetryAt! - refusedAt).toBeGreaterThanOrEqual(FAST.connectionLimitWindowMs - 5);
    await waitFor(() => r.stream('stocks').state === 'running', 5000, 'running after the window');
    expect(r.stream('stocks').connectedAt! - refusedAt).toBeGreaterThanOrEqual(FAST.connectionLimitWindowMs - 5);
    // exactly two connections after the drop: the refused one, and one after the window
    expect(r.sim.stats.connections).toBe(connections + 2);
    expect(r.sim.stats.refused406).toBe(1);
  });

  it('a second session on the same endpoint gets 406 (one connection per endpoint)', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    const intruder = new AlpacaVenue({ mode: 'SIM', credentials: SIM_CREDENTIALS, urls: r.sim.urls(), stockFeed: 'iex', optionFeed: 'indicative', streams: { options: false, tradeUpdates: false }, tuning: { ...FAST, connectionLimitWindowMs: 60_000 } }, { clock: new SystemClock() });
    intruder.subscribe(['SPY']);
    await intruder.start();
    await waitFor(() => (intruder.health()[0]!.lastError ?? '').includes('406'), 5000, '406 for the intruder');
    expect(intruder.health()[0]!.state).toBe('reconnecting');
    expect(r.stream('stocks').state).toBe('running');
    await intruder.dispose();
  });

  it('402 with wrong credentials is fatal: state error with the reason, no retry scheduled', async () => {
    const r = (current = await rig({ venue: { credentials: { keyId: 'WRONG', secretKey: 'WRONG' } } }));
    await waitFor(() => r.venue.health().every((h) => h.state === 'error'), 5000, 'all streams in error');
    expect(r.stream('stocks').lastError).toContain('402 auth failed');
    expect(r.stream('trade_updates').lastError).toContain('access key verification failed');
    for (const name of ['stocks', 'options', 'trade_updates'] as const) {
      expect(r.venue.stream(name)!.isRunning).toBe(false);
      expect(r.venue.stream(name)!.timersPending).toBe(0);
    }
    await expect(r.venue.account()).rejects.toMatchObject({ status: 401, kind: 'session' });
  });

  it('409: a feed outside the plan is fatal for that stream only', async () => {
    const r = (current = await rig({ sim: { entitlements: { sip: false } }, venue: { stockFeed: 'sip' } }));
    await waitFor(() => r.stream('stocks').state === 'error', 5000, 'stocks in error');
    expect(r.stream('stocks').lastError).toContain('409 insufficient subscription');
    await waitFor(() => r.stream('options').state === 'running', 5000, 'options running');
  });

  it('expired session: streams go session_needed (not error), REST says session, re-authentication recovers', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    r.sim.fault({ kind: 'expire_session' });
    await waitFor(() => r.venue.health().every((h) => h.state === 'session_needed'), 5000, 'session_needed everywhere');
    expect(r.venue.sessionState()).toBe('session_needed');
    expect(r.sessions).toContain('session_needed');
    const err = await r.venue.positions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect(err).toMatchObject({ kind: 'session', status: 401 });
    r.sim.fault({ kind: 'renew_session' });
    await r.venue.reauthenticate();
    await waitFor(() => allRunning(r), 5000, 'running after re-authentication');
    expect(r.venue.sessionState()).toBe('active');
  });

  it('slow consumer (407): the venue drops us, we reconnect and recover', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    r.sim.fault({ kind: 'slow_consumer', stream: 'options' });
    await waitFor(() => r.stream('options').reconnects >= 1, 5000, 'reconnect after 407');
    await waitFor(() => r.stream('options').state === 'running', 5000, 'running again');
    const t = Date.now();
    await waitFor(() => r.fresh('SPY261218C00600000', t), 5000, 'fresh option quote');
  });

  it('flood into a small queue: overflow drops the oldest frames, counts them, and streaming continues', async () => {
    const r = (current = await rig({ venue: { tuning: { ...FAST, queueCapacity: 4, drainBatch: 2 }, coalesce: false } }));
    await waitFor(() => allRunning(r), 5000, 'all running');
    r.sim.fault({ kind: 'flood', stream: 'stocks', frames: 3000, batch: 50 });
    await waitFor(() => r.stream('stocks').droppedEvents > 0, 10_000, 'dropped frames counted');
    const t = Date.now();
    await waitFor(() => r.fresh('SPY', t), 5000, 'fresh quotes after the flood');
    expect(r.stream('stocks').state).toBe('running');
    expect(r.stream('stocks').malformedFrames).toBe(0);
  });

  it('405: symbols over the venue limit are refused by name, earlier subscriptions keep streaming', async () => {
    const r = (current = await rig({ sim: { maxOptionQuotes: 3 }, symbols: ['SPY261218C00600000', 'SPY261218P00560000'] }));
    await waitFor(() => r.stream('options').state === 'running', 5000, 'options running');
    const extra = ['QQQ261218C00510000', 'QQQ261218P00500000'];
    r.venue.subscribe(extra);
    await waitFor(() => r.stream('options').refusedSymbols.length === 2, 5000, 'refused symbols');
    expect(r.stream('options').refusedSymbols).toEqual(extra);
    expect(r.stream('options').lastError).toBe('405 symbol limit exceeded');
    expect(r.stream('options').state).toBe('running');
    expect(r.venue.subscribedSymbols().sort()).toEqual(['SPY261218C00600000', 'SPY261218P00560000']);
    const t = Date.now();
    await waitFor(() => r.fresh('SPY261218C00600000', t), 5000, 'the earlier subscriptions still stream');
  });

  it('slow venue: quotes keep coming at the slower pace and nothing reconnects while within the data timeout', async () => {
    const r = (current = await rig());
    await waitFor(() => allRunning(r), 5000, 'all running');
    r.sim.fault({ kind: 'slow', intervalMs: 150 });
    const t = Date.now();
    await waitFor(() => r.quotes.filter((q) => q.symbol === 'SPY' && q.receivedAt > t).length >= 3, 5000, 'slow quotes');
    expect(r.stream('stocks').reconnects).toBe(0);
  });
});
