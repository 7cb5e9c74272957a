import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { startHeadlessServer, type HeadlessServer } from '../../src/headless/server';
import { TestClient, deskWsUrl } from '../helpers/ws-client';

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

async function boot(opts: { insecureNoToken?: boolean; token?: string } = {}): Promise<{ desk: Desk; server: HeadlessServer; wsUrl: string }> {
  const desk = createDesk({ clock: new SystemClock(), config: { simIntervalMs: 20, tickCoalesceMs: 20 } });
  const server = await startHeadlessServer({ desk, staticDir, port: 0, ...opts });
  cleanups.push(() => desk.dispose(), () => server.close());
  return { desk, server, wsUrl: deskWsUrl(server) };
}

describe('headless desk over its real WebSocket', () => {
  it('sends a snapshot first, then events in seq order after Start; Stop stops them', async () => {
    const { wsUrl, server } = await boot();
    const client = await TestClient.open(wsUrl);
    cleanups.push(() => client.close());
    await client.waitFor(() => client.events.length >= 1, 5000, 'snapshot');
    const first = client.events[0]!;
    expect(first.type).toBe('snapshot');
    if (first.type === 'snapshot') expect(first.snapshot.streaming).toBe(false);

    const reply = await client.call('stream.start', {});
    expect(reply.outcome).toEqual({ ok: true, result: { streaming: true } });
    await client.waitFor(() => client.events.filter((e) => e.type === 'tick_update').length >= 3, 5000, '3 tick updates');
    const seqs = client.events.slice(1).map((e) => e.seq);
    expect(seqs[0]).toBe(first.seq + 1);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    // (a tick with no quotes may come first: the tracker's refresh reporting totals at Start)
    expect(client.events.some((e) => e.type === 'tick_update' && e.ltp_updates.length > 0)).toBe(true);

    await client.call('stream.stop', {});
    const countAfterStop = client.events.length;
    // after stop, no further ticks arrive: wait for several sim intervals and compare
    await new Promise((r) => setTimeout(r, 200));
    expect(client.events.slice(countAfterStop).filter((e) => e.type === 'tick_update')).toEqual([]);
    expect(server.clientCount()).toBe(1);
  });

  it('answers bad commands and frames with a typed error and keeps serving', async () => {
    const { wsUrl } = await boot();
    const client = await TestClient.open(wsUrl);
    cleanups.push(() => client.close());
    const unknown = await client.call('desk.selfDestruct', {});
    expect(unknown.outcome).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    const bad = await client.call('stream.start', { now: 'please' });
    expect(bad.outcome).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    client.sendRaw('{not json');
    client.sendRaw(JSON.stringify({ kind: 'call', id: 'x' }));
    await client.waitFor(() => client.messages.filter((m) => m.kind === 'error').length >= 2, 5000, 'two errors');
    const errors = client.messages.filter((m) => m.kind === 'error');
    expect(JSON.stringify(errors[0])).toContain('not valid JSON');
    expect(JSON.stringify(errors[1])).toContain('id');
    const ok = await client.call('snapshot.get', {});
    expect(ok.outcome.ok).toBe(true);
  });

  it('re-sends a snapshot on resync (a client that saw a seq gap)', async () => {
    const { wsUrl, desk } = await boot();
    desk.start();
    const client = await TestClient.open(wsUrl);
    cleanups.push(() => client.close());
    await client.waitFor(() => client.events.some((e) => e.type === 'tick_update'), 5000, 'a tick');
    client.sendRaw(JSON.stringify({ kind: 'resync' }));
    await client.waitFor(() => client.events.filter((e) => e.type === 'snapshot').length === 2, 5000, 'second snapshot');
    const snap = client.events.filter((e) => e.type === 'snapshot')[1]!;
    expect(snap.type === 'snapshot' && snap.snapshot.quotes.length).toBeGreaterThan(0);
  });

  it('requires the access token on loopback too, and refuses foreign origins', async () => {
    const token = 'a-very-long-test-token-123';
    const { server } = await boot({ token });
    const base = `${server.url.replace('http', 'ws')}ws`;
    await expect(TestClient.open(base)).rejects.toThrow(/401/);
    await expect(TestClient.open(`${base}?token=wrong-token-wrong-token`)).rejects.toThrow(/401/);
    const client = await TestClient.open(`${base}?token=${token}`);
    cleanups.push(() => client.close());
    await client.waitFor(() => client.events.length >= 1, 5000, 'snapshot');
    await expect(TestClient.open(`${base}?token=${token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    // The page's own origin is accepted, and the cookie set on the first load carries the token.
    const own = await TestClient.open(base, { Origin: `http://127.0.0.1:${server.port}`, Cookie: `live_desk_token_${server.port}=${token}` });
    cleanups.push(() => own.close());
    await own.waitFor(() => own.events.length >= 1, 5000, 'snapshot over the cookie');
  });

  it('a generated token is printed inside the URL; the first load moves it into an HttpOnly SameSite=Strict cookie', async () => {
    const { server } = await boot();
    expect(server.token).toMatch(/^[\w-]{24,}$/);
    expect(server.openUrl).toBe(`${server.url}?token=${server.token}`);
    expect((await fetch(server.url)).status).toBe(401);
    const first = await fetch(server.openUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toContain(`live_desk_token_${server.port}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const page = await fetch(server.url, { headers: { cookie: `live_desk_token_${server.port}=${server.token}` } });
    expect(page.status).toBe(200);
  });

  it('--unsafe-no-token (insecureNoToken) opens loopback without a token, and is refused off loopback', async () => {
    const { server, wsUrl } = await boot({ insecureNoToken: true });
    expect(server.token).toBeNull();
    const client = await TestClient.open(wsUrl);
    cleanups.push(() => client.close());
    await client.waitFor(() => client.events.length >= 1, 5000, 'snapshot');
    const desk = createDesk({ clock: new SystemClock() });
    cleanups.push(() => desk.dispose());
    await expect(startHeadlessServer({ desk, staticDir, host: '0.0.0.0', port: 0, insecureNoToken: true })).rejects.toThrow(/not loopback/);
  });

  it('serves the renderer with a CSP and refuses path traversal', async () => {
    const { server } = await boot();
    const auth = { headers: { cookie: `live_desk_token_${server.port}=${server.token}` } };
    const res = await fetch(server.url, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('Live Desk');
    const traversal = await fetch(`${server.url}..%2f..%2fetc%2fpasswd`, auth);
    expect([403, 404]).toContain(traversal.status);
    expect((await fetch(`${server.url}missing.js`, auth)).status).toBe(404);
  });

  it('close() releases the port and drops clients', async () => {
    const { server, wsUrl, desk } = await boot();
    const client = await TestClient.open(wsUrl);
    await server.close();
    await client.waitFor(() => client.ws.readyState === client.ws.CLOSED, 5000, 'client closed');
    expect(desk.listenerCount).toBe(0);
    const again = await startHeadlessServer({ desk, staticDir, port: server.port });
    await again.close();
  });
});
