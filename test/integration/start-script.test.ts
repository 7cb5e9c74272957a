// `npm start` on a machine without Electron's binary: falls back to the headless desk with one
// clear line, serves the UI, and stops cleanly on SIGTERM/SIGINT with the port released.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SqliteLedgerStore } from '../../src/node/ledger/sqlite-ledger-store';
import { TestClient, wsUrlFromOpenUrl } from '../helpers/ws-client';

const ROOT = resolve(import.meta.dirname, '../..');

const stateDirs: string[] = [];
afterAll(() => {
  for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
});

function startDesk(args: string[], env: Record<string, string> = {}) {
  // Each desk gets its own state directory (settings, kill switch, ledger), never the user's.
  const stateDir = mkdtempSync(join(tmpdir(), 'live-desk-state-'));
  stateDirs.push(stateDir);
  const child = spawn(process.execPath, ['scripts/start.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, LIVE_DESK_STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const url = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL line within 60 s; stdout=${out} stderr=${err}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out} ${err}`)));
  });
  url.catch(() => {}); // tests that expect an early exit never await the URL
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, url, exited, stateDir, output: () => out, errors: () => err };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, '127.0.0.1', () => s.close(() => r(true)));
  });
}

describe('npm start without an Electron binary', () => {
  it('says why in one line, serves the UI on 127.0.0.1, and SIGTERM stops it and frees the port', async () => {
    const desk = startDesk(['--port', '0']);
    const url = await desk.url;
    const lines = desk.output().split('\n').filter((l) => l.includes('open http'));
    expect(lines).toHaveLength(1);
    // The one line carries this run's token inside the URL (as Jupyter prints it), and nothing else is printed.
    expect(lines[0]).toMatch(/no Electron binary .* running headless: open http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{24,}$/);
    expect(desk.output().split('\n').filter((l) => /token/.test(l))).toEqual([lines[0]]); // on loopback, no second token line
    expect((await fetch(new URL(url).origin)).status).toBe(401); // without the token: refused
    const first = await fetch(url, { redirect: 'manual' }); // the first load moves the token into a cookie
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(new URL(first.headers.get('location')!, url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // What it serves is React's production build, whatever NODE_ENV it inherited (vitest's is `test`:
    // a build under it bundled the development runtime, and later starts served that as up to date).
    const assets = join(process.cwd(), 'out/renderer/assets');
    const devBuilt = readdirSync(assets).filter((f) => f.endsWith('.js') && readFileSync(join(assets, f), 'utf8').includes('jsxDEV'));
    expect(devBuilt).toEqual([]);
    desk.child.kill('SIGTERM');
    expect(await desk.exited).toBe(0);
    expect(await portFree(Number(new URL(url).port))).toBe(true);
  }, 90_000);

  it('--headless is explicit (no Electron reason) and SIGINT stops it too', async () => {
    const desk = startDesk(['--headless', '--port', '0']);
    const url = await desk.url;
    expect(desk.output()).toMatch(/^Live Desk headless: open /m);
    desk.child.kill('SIGINT');
    expect(await desk.exited).toBe(0);
    expect(await portFree(Number(new URL(url).port))).toBe(true);
  }, 90_000);

  it('SIGTERM is honoured within a second while the largest allowed portfolio file is loading (issue 13)', async () => {
    const desk = startDesk(['--headless', '--port', '0']);
    const url = await desk.url;
    const positions = [];
    for (let i = 0; positions.length < 10_000; i++) {
      positions.push({ id: `p${i}`, type: 'option', underlying: 'SPY', expiry: `2026-12-${10 + (i % 18)}`, strike: String(100 + Math.floor(i / 36)), right: i % 2 ? 'call' : 'put', side: 'long', contracts: '1', cost_basis: '1.25', opened_at: '2026-11-02T14:35:00Z' });
    }
    const file = join(desk.stateDir, 'big.json');
    writeFileSync(file, JSON.stringify({ version: 1, positions }));
    const client = await TestClient.open(wsUrlFromOpenUrl(url));
    client.sendRaw(JSON.stringify({ kind: 'call', id: 1, name: 'portfolio.load', payload: { path: file } }));
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    desk.child.kill('SIGTERM');
    expect(await desk.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
  }, 90_000);

  it('rejects a bad option with a clear message and exit code 2', async () => {
    const desk = startDesk(['--headless', '--port', 'nope']);
    expect(await desk.exited).toBe(2);
    expect(desk.errors()).toMatch(/--port must be a port number 0-65535, got "nope"/);
  }, 90_000);

  it('binding a non-loopback host requires a token and prints it exactly once', async () => {
    const desk = startDesk(['--headless', '--host', '0.0.0.0', '--port', '0']);
    await new Promise<void>((r, reject) => {
      const t = setTimeout(() => reject(new Error(`no token line: ${desk.output()} ${desk.errors()}`)), 60_000);
      desk.child.stdout.on('data', () => {
        if (/access token/.test(desk.output())) {
          clearTimeout(t);
          r();
        }
      });
    });
    const token = /\?token=([\w-]+)/.exec(desk.output())?.[1];
    expect(token).toBeDefined();
    expect(desk.output().split(token!).length - 1).toBe(1); // the token is printed exactly once
    expect(desk.output()).toMatch(/access token required \(bound to 0\.0\.0\.0, not loopback\)/);
    desk.child.kill('SIGTERM');
    expect(await desk.exited).toBe(0);
  }, 90_000);

  it('creates its state directory on first run and keeps the day\'s P&L curve in the local ledger across a stop', async () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'live-desk-home-')), 'not-yet', '.live-desk');
    stateDirs.push(resolve(fresh, '../..'));
    const desk = startDesk(['--headless', '--port', '0'], { LIVE_DESK_STATE_DIR: fresh });
    const url = await desk.url;
    const client = await TestClient.open(wsUrlFromOpenUrl(url));
    await client.call('stream.start', {});
    await client.waitFor(() => client.events.some((e) => e.type === 'tick_update'), 30_000, 'a tick');
    await client.call('stream.stop', {});
    await client.close();
    desk.child.kill('SIGTERM');
    expect(await desk.exited).toBe(0);
    const ledger = SqliteLedgerStore.open({ path: join(fresh, 'ledger.sqlite') });
    try {
      const curve = ledger.pnlCurve('portfolio:USD', { fromMs: 0, toMs: Date.now() + 1000 });
      expect(curve.length).toBeGreaterThan(0);
      expect(curve.at(-1)!.unknownReason).toBe('stopped'); // the stop is marked as a gap, not a flat line
    } finally {
      ledger.close();
    }
  }, 90_000);
});
