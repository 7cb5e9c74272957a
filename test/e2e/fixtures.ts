import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface DeskProcess {
  url: string;
  process: ChildProcess;
}

/** Starts a fresh headless desk (real process, real sockets) on an ephemeral port. */
async function startDesk(): Promise<DeskProcess> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--headless', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`desk did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`desk exited with ${code}: ${out}`)));
  });
  return { url, process: child };
}

/** Page object for the portfolio screen. */
export class DeskPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
  }

  start = () => this.page.getByTestId('start').click();
  stop = () => this.page.getByTestId('stop').click();
  quoteRow = (symbol: string) => this.page.getByTestId(`quote-row-${symbol}`);
  rows = () => this.page.locator('[data-testid^="quote-row-"]');
}

export const test = base.extend<{ desk: DeskProcess; deskPage: DeskPage }>({
  // eslint-disable-next-line no-empty-pattern
  desk: async ({}, use) => {
    const desk = await startDesk();
    await use(desk);
    const exited = new Promise((r) => desk.process.once('exit', r));
    desk.process.kill('SIGTERM');
    await exited;
  },
  deskPage: async ({ page }, use) => {
    await use(new DeskPage(page));
  },
});

export { expect };
