// Issue 13, items 1, 2 and 5: the headless bridge as an attacker's page or a careless client
// reaches it. Each answer is a status line; the desk keeps serving afterwards.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { startHeadlessServer, type HeadlessOptions, type HeadlessServer } from '../../src/headless/server';
import { TestClient, deskWsUrl } from '../helpers/ws-client';
import { rawRequest, upgradeRequest } from '../helpers/raw-http';

let staticDir: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'live-desk-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Live Desk</title>');
  return () => rmSync(staticDir, { recursive: true, force: true });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function boot(over: Partial<HeadlessOptions> = {}): Promise<HeadlessServer> {
  const desk = createDesk({ clock: new SystemClock() });
  const server = await startHeadlessServer({ desk, staticDir, port: 0, ...over });
  cleanups.push(() => desk.dispose(), () => server.close());
  return server;
}

async function stillServes(server: HeadlessServer): Promise<void> {
  const c = await TestClient.open(deskWsUrl(server));
  await c.waitFor(() => c.events.length >= 1, 5000, 'snapshot');
  await c.close();
}

describe('the upgrade handler is total', () => {
  it('Origin: null (a sandboxed iframe) is refused with 403, not a crash', async () => {
    const server = await boot();
    const status = await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `127.0.0.1:${server.port}`, Origin: 'null' }));
    expect(status).toMatch(/^HTTP\/1\.1 403/);
    await stillServes(server);
  });

  it('a request target like //[ is refused with 400, not a crash', async () => {
    const server = await boot();
    expect(await rawRequest(server.port, upgradeRequest('//[', { Host: `127.0.0.1:${server.port}` }))).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawRequest(server.port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await stillServes(server);
  });
});

describe('DNS rebinding', () => {
  it('a page at rebind.example (Host and Origin both its own) is refused even with loopback underneath', async () => {
    const server = await boot();
    const rebind = { Host: `rebind.example:${server.port}`, Origin: `http://rebind.example:${server.port}` };
    // Even holding the token (it cannot: the cookie belongs to 127.0.0.1), the Host is not ours.
    expect(await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, rebind))).toMatch(/^HTTP\/1\.1 421/);
    expect(await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: rebind.example:${server.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 421/);
    // Without the token, on an allowed Host: 401.
    expect(await rawRequest(server.port, upgradeRequest('/ws', { Host: `127.0.0.1:${server.port}` }))).toMatch(/^HTTP\/1\.1 401/);
  });

  it('allows exactly the loopback names and the configured name, with exact origins', async () => {
    const server = await boot({ allowedHosts: ['desk.internal'] });
    for (const h of ['127.0.0.1', 'localhost', '[::1]', 'desk.internal']) {
      const ok = await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `${h}:${server.port}`, Origin: `http://${h}:${server.port}` }));
      expect(ok, h).toMatch(/^HTTP\/1\.1 101/);
    }
    for (const origin of [`http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://127.0.0.1.evil.example:${server.port}`, `http://127.0.0.1:${server.port}/`]) {
      expect(await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `127.0.0.1:${server.port}`, Origin: origin })), origin).toMatch(/^HTTP\/1\.1 403/);
    }
  });
});

it('bound to every interface, this machine\'s addresses are allowed Hosts and foreign names are not', async () => {
  const { networkInterfaces } = await import('node:os');
  const server = await boot({ host: '0.0.0.0' });
  const v4 = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  expect(await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `${v4}:${server.port}` }))).toMatch(/^HTTP\/1\.1 101/);
  expect(await rawRequest(server.port, upgradeRequest(`/ws?token=${server.token}`, { Host: `rebind.example:${server.port}` }))).toMatch(/^HTTP\/1\.1 421/);
});

describe('snapshot amplification', () => {
  it('5,000 resyncs build a bounded number of snapshots (rate-limited per client), and other clients keep their ticks', async () => {
    const server = await boot({ snapshotBurst: 3, snapshotRefillMs: 200 });
    const flooder = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => flooder.close());
    await flooder.waitFor(() => flooder.events.length >= 1, 5000, 'snapshot');
    const t0 = Date.now();
    for (let i = 0; i < 5000; i++) flooder.sendRaw('{"kind":"resync"}');
    await new Promise((r) => setTimeout(r, 700));
    const snapshots = flooder.events.filter((e) => e.type === 'snapshot').length;
    // 1 on connect + the burst left (2) + at most one deferred per refill (≈ 700/200) — never thousands.
    expect(snapshots).toBeGreaterThanOrEqual(2);
    expect(snapshots).toBeLessThanOrEqual(1 + 2 + Math.ceil((Date.now() - t0) / 200) + 1);
    await stillServes(server);
  });

  it('snapshot.get over the rate is refused with a reason', async () => {
    const server = await boot({ snapshotBurst: 2, snapshotRefillMs: 60_000 });
    const c = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => c.close());
    const first = await c.call('snapshot.get', {});
    expect(first.outcome.ok).toBe(true);
    const second = await c.call('snapshot.get', {});
    expect(second.outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/snapshot\.get refused/) } });
  });
});

describe('websocket commands', () => {
  it('an oversized message closes that client (1009) and a flood is cut to the per-second limit', async () => {
    const server = await boot({ maxMessageBytes: 4096, maxMessagesPerSecond: 50 });
    const big = await TestClient.open(deskWsUrl(server));
    const closed = new Promise<number>((r) => big.ws.once('close', (code) => r(code)));
    big.sendRaw(`{"kind":"call","id":1,"name":"snapshot.get","payload":"${'x'.repeat(10_000)}"}`);
    expect(await closed).toBe(1009);
    const flood = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => flood.close());
    for (let i = 0; i < 500; i++) flood.sendRaw(JSON.stringify({ kind: 'call', id: i, name: 'killswitch.get', payload: {} }));
    await flood.waitFor(() => flood.messages.some((m) => m.kind === 'error' && /too many messages/.test(m.error.message)), 5000, 'flood refusal');
    await new Promise((r) => setTimeout(r, 200));
    expect(flood.messages.filter((m) => m.kind === 'reply').length).toBeLessThanOrEqual(50);
    await stillServes(server);
  });

  it('a long unknown command name is not echoed, and a huge issue list is capped', async () => {
    const server = await boot();
    const c = await TestClient.open(deskWsUrl(server));
    cleanups.push(() => c.close());
    const long = 'x'.repeat(60);
    const reply = await c.call(long, {});
    expect(reply.outcome).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const keys = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    const bad = await c.call('settings.set', keys);
    expect(bad.outcome.ok).toBe(false);
    expect(JSON.stringify(bad.outcome).length).toBeLessThan(4000);
  });
});
