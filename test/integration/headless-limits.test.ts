// Review of issue 13 (items 3 and 5): a large portfolio the desk accepts must stay viewable, and
// the snapshot limits hold per peer (remote address), not per socket.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { MAX_PORTFOLIO_BYTES } from '../../src/node/portfolio-reader';
import { startHeadlessServer, type HeadlessOptions, type HeadlessServer } from '../../src/headless/server';
import { TestClient, deskWsUrl } from '../helpers/ws-client';
import { rawRequest, upgradeRequest } from '../helpers/raw-http';
import type { Logger } from '../../src/core/ports/logger';

let dir: string;
let bigPath: string;
const POSITIONS = 12_000;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-desk-limits-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Live Desk</title>');
  // The reviewer's file: 12,000 stock positions, ~1.5 MB (under the size limit the desk accepts).
  const positions = Array.from({ length: POSITIONS }, (_, i) => ({ id: `p${i}`, type: 'stock', symbol: 'AAPL', side: 'long', quantity: '1', cost_basis: '100', opened_at: '2026-11-01T00:00:00Z' }));
  bigPath = join(dir, 'big.json');
  writeFileSync(bigPath, JSON.stringify({ version: 1, account: 'a', positions }));
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function capturingLogger(lines: string[]): Logger {
  const log = (msg: string) => void lines.push(msg);
  return { debug: log, info: log, warn: log, error: log };
}

async function boot(over: Partial<HeadlessOptions> = {}, portfolio = false): Promise<{ server: HeadlessServer; desk: Desk }> {
  const desk = createDesk({ clock: new SystemClock() });
  cleanups.push(() => desk.dispose());
  if (portfolio) expect((await desk.handle('portfolio.load', { path: bigPath })).ok).toBe(true);
  const server = await startHeadlessServer({ desk, staticDir: dir, port: 0, ...over });
  cleanups.push(() => server.close());
  return { server, desk };
}

describe('snapshot size of a large portfolio', () => {
  it('each position costs under 1 kB in the snapshot a client gets (was ~2.8 kB: valued trades and the load event repeated every position)', async () => {
    expect(statSync(bigPath).size).toBeLessThan(MAX_PORTFOLIO_BYTES);
    const { desk } = await boot({}, true);
    const event = desk.snapshotEvent();
    expect(event.type === 'snapshot' && event.snapshot.positions.length).toBe(POSITIONS);
    const perPosition = JSON.stringify(event).length / POSITIONS;
    expect(perPosition).toBeLessThan(1000);
    // What the renderer builds from is all there: every record, and the load in the history (its counts).
    const snap = event.type === 'snapshot' ? event.snapshot : null;
    const load = snap!.history.find((h) => h.type === 'portfolio_event');
    expect(load).toMatchObject({ type: 'portfolio_event', action: 'loaded', status: { positions: POSITIONS } });
    // snapshot.get (a command) still carries the tracker's valued trades.
    const got = await desk.handle('snapshot.get', {});
    expect(got.ok && (got.result as { pnl: { trades: unknown[] } }).pnl.trades.length).toBe(POSITIONS);
  });
});

describe('the first snapshot is not the backlog', () => {
  it('a client reading slowly gets its whole first snapshot, even over the buffer limit, and events after it', async () => {
    const lines: string[] = [];
    const { server, desk } = await boot({ maxClientBufferBytes: 1024 * 1024, logger: capturingLogger(lines) }, true);
    const c = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => c.close());
    // Stop reading (the test's stand-in for a slow browser): the snapshot stays in the server's buffer.
    const raw = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    await new Promise((r) => setTimeout(r, 100));
    // An event while the snapshot is still queued: the old rule counted the snapshot as backlog and closed (1013).
    expect((await desk.handle('killswitch.set', { account: '*', level: 'halted', reason: 'test' })).ok).toBe(true);
    // Resyncs while it is still queued are not built on top of it: deferred, and coalesced into one.
    for (let i = 0; i < 3; i++) c.sendRaw('{"kind":"resync"}');
    const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
    raw.resume();
    await c.waitFor(() => c.events.some((e) => e.type === 'killswitch_event'), 15_000, 'the event after the snapshot');
    expect(c.events[0]!.type).toBe('snapshot');
    expect(lines.filter((l) => /slow websocket client/.test(l))).toEqual([]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.events.filter((e) => e.type === 'snapshot').length).toBeLessThanOrEqual(2);
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 100))])).toBe('open');
  });
});

describe('limits per peer, not per socket', () => {
  it('new connections do not buy snapshots: the peer bucket defers first snapshots beyond its burst', async () => {
    const { server } = await boot({ peerSnapshotBurst: 3, peerSnapshotRefillMs: 60_000, snapshotBurst: 5 });
    const clients: TestClient[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await TestClient.open(deskWsUrl(server));
      cleanups.push(() => c.close());
      clients.push(c);
    }
    await new Promise((r) => setTimeout(r, 300));
    const withSnapshot = clients.filter((c) => c.events.some((e) => e.type === 'snapshot')).length;
    expect(withSnapshot).toBe(3);
    // snapshot.get on a socket with its own tokens left is refused too: the peer has none.
    const got = await clients[0]!.call('snapshot.get', {});
    expect(got.outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/snapshot\.get refused/) } });
  });

  it('a deferred first snapshot arrives when the peer bucket refills, before any event', async () => {
    const { server } = await boot({ peerSnapshotBurst: 1, peerSnapshotRefillMs: 300 });
    const a = await TestClient.open(deskWsUrl(server));
    const b = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => a.close(), () => b.close());
    await b.waitFor(() => b.events.length >= 1, 5000, 'deferred snapshot');
    expect(b.events[0]!.type).toBe('snapshot');
  });

  it('at most maxConnectionsPerPeer open sockets from one address; a closed one frees its place', async () => {
    const { server } = await boot({ maxConnectionsPerPeer: 3 });
    const open: TestClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await TestClient.open(deskWsUrl(server));
      cleanups.push(() => c.close());
      open.push(c);
    }
    await expect(TestClient.open(deskWsUrl(server))).rejects.toThrow(/HTTP 429/);
    const status = await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `127.0.0.1:${server.port}` }));
    expect(status).toMatch(/^HTTP\/1\.1 429/);
    await open[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => again.close());
    await again.waitFor(() => again.events.length >= 1, 5000, 'snapshot');
  });
});
