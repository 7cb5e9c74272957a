import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { PAGES, type Page as PageName } from '../../src/renderer/src/features/navigation/pages';

/** The app's pages, from the one list the app itself uses. */
export { PAGES };

const ROOT = resolve(import.meta.dirname, '../..');

export interface DeskProcess {
  url: string;
  process: ChildProcess;
  /** Base URL of the embedded simulated venue (its admin API injects faults). */
  simUrl: string;
  /** A temp dir for this desk's state files and test files. */
  dir: string;
  /** POST /__sim/fault on the simulated venue. */
  fault(body: Record<string, unknown>): Promise<void>;
  /**
   * Places an order directly at the simulated venue's REST API, as the trader's broker account
   * would see a trade made elsewhere (Live Desk itself sends no orders in monitor mode).
   */
  order(body: Record<string, unknown>): Promise<void>;
  /** POST /__sim/position: a position held at the venue outside Live Desk (for reconciliation). */
  plant(body: { symbol: string; qty: number; avg_price: string }): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts a fresh headless desk (real process, real sockets) on an ephemeral port, with its own
 * state dir, the simulated venue on a known port (so the test can inject faults), and a short data
 * timeout so a stalled socket is noticed within seconds.
 */
async function startDesk(extraEnv: Record<string, string> = {}): Promise<DeskProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'live-desk-e2e-'));
  const simPort = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs', '--headless', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LIVE_DESK_STATE_DIR: dir, LIVE_DESK_SIM_PORT: String(simPort), LIVE_DESK_DATA_TIMEOUT_MS: '6000', ...extraEnv },
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`desk did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`desk exited with ${code}: ${out}`)));
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  return {
    url,
    process: child,
    simUrl,
    dir,
    async fault(body) {
      const res = await fetch(`${simUrl}/__sim/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`sim fault ${JSON.stringify(body)} failed: ${res.status} ${await res.text()}`);
    },
    async order(body) {
      const res = await fetch(`${simUrl}/v2/orders`, {
        method: 'POST',
        // The simulated venue's fixed credentials (src/node/venues/sim/server.ts SIM_CREDENTIALS).
        headers: { 'content-type': 'application/json', 'APCA-API-KEY-ID': 'SIMKEY', 'APCA-API-SECRET-KEY': 'SIMSECRET' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`sim order ${JSON.stringify(body)} failed: ${res.status} ${await res.text()}`);
    },
    async plant(body) {
      const res = await fetch(`${simUrl}/__sim/position`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`sim position ${JSON.stringify(body)} failed: ${res.status} ${await res.text()}`);
    },
  };
}

/** Page object for the whole app (header, pages). */
export class DeskPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  }

  get = (id: string): Locator => this.page.getByTestId(id);
  start = () => this.get('start').click();
  stop = () => this.get('stop').click();
  goTo = async (p: PageName) => {
    await this.get(`nav-${p}`).click();
    await expect(this.get('app')).toHaveAttribute('data-page', p);
  };
  /** The positions-table row of a symbol (first match: one position per symbol in the sample). */
  row = (symbol: string): Locator => this.page.locator(`[data-testid^="position-row-"][data-symbol="${symbol}"]`).first();
  rows = (): Locator => this.page.locator('[data-testid^="position-row-"]');
  stream = (name: string): Locator => this.get(`stream-row-${name}`);
  structure = (id: string): Locator => this.get(`structure-row-${id}`);
  async setTheme(scheme: 'dark' | 'light'): Promise<void> {
    const toggle = this.get('theme-toggle');
    if ((await toggle.getAttribute('data-scheme')) !== scheme) await toggle.click();
    await expect(toggle).toHaveAttribute('data-scheme', scheme);
  }
}

export const test = base.extend<{ desk: DeskProcess; deskPage: DeskPage; deskEnv: Record<string, string> }>({
  /** Extra environment for the desk process (e.g. LIVE_DESK_VENUE=sim-nse): `test.use({ deskEnv: {...} })`. */
  deskEnv: [{}, { option: true }],
  desk: async ({ deskEnv }, use) => {
    const desk = await startDesk(deskEnv);
    await use(desk);
    const exited = new Promise((r) => desk.process.once('exit', r));
    desk.process.kill('SIGTERM');
    await exited;
    rmSync(desk.dir, { recursive: true, force: true });
  },
  deskPage: async ({ page }, use) => {
    await use(new DeskPage(page));
  },
});

export { expect };
