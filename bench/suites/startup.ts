/**
 * Start time to first quote on screen: `npm start -- --headless` (the renderer already built) until
 * the headless desk prints its URL, then Chromium opens the page, presses Start, and the first
 * quote row is painted. Uses the same Chromium lookup as the e2e tests.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import type { BenchReporter } from '../harness';

const ROOT = resolve(import.meta.dirname, '../..');

export async function run(report: BenchReporter): Promise<void> {
  const { findChromium } = (await import(resolve(ROOT, 'scripts/find-chromium.mjs'))) as { findChromium: () => Promise<{ path: string } | null> };
  const found = await findChromium();
  if (!found) {
    report.note('no Chromium found: startup figures not measured (see README, "No Chromium found")');
    return;
  }
  const t0 = performance.now();
  const child = spawn(process.execPath, ['scripts/start.mjs', '--headless', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`no URL after 120 s: ${out}`)), 120_000);
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
    });
    const listening = performance.now() - t0;
    const browser = await chromium.launch({ executablePath: found.path, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const t1 = performance.now();
      await page.goto(url);
      await page.locator('[data-ready="true"]').first().waitFor();
      const pageReady = performance.now() - t1;
      const t2 = performance.now();
      await page.getByTestId('start').click();
      await page.locator('[data-testid^="quote-row-"], [data-testid^="position-row-"]').first().waitFor();
      const firstQuote = performance.now() - t2;
      // First paint of a fresh page (new context: nothing cached), median of 5 loads, and the
      // JavaScript the first load fetched (the lazy chunks of charts and other pages come later).
      const paints: { fp: number; fcp: number; ready: number; js: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const ctx = await browser.newContext();
        const p = await ctx.newPage();
        await p.goto(url);
        await p.locator('[data-ready="true"]').first().waitFor();
        // A string, not a function: tsx's name helper does not exist inside the page.
        paints.push(
          (await p.evaluate(`(() => {
            const paints = performance.getEntriesByType('paint');
            const at = (n) => (paints.find((e) => e.name === n) || { startTime: NaN }).startTime;
            const js = performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js')).reduce((n, r) => n + (r.encodedBodySize || r.transferSize || 0), 0);
            return { fp: at('first-paint'), fcp: at('first-contentful-paint'), ready: performance.now(), js };
          })()`)) as { fp: number; fcp: number; ready: number; js: number },
        );
        await ctx.close();
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      report.figure('first contentful paint (fresh page, median of 5)', median(paints.map((x) => x.fcp)), 'ms', undefined, `first paint ${median(paints.map((x) => x.fp)).toFixed(0)} ms; JavaScript fetched before ready ${(median(paints.map((x) => x.js)) / 1024).toFixed(0)} KiB`);
      report.figure('npm start → desk listening (renderer prebuilt)', listening, 'ms');
      report.figure('page load → ready (snapshot applied)', pageReady, 'ms');
      report.figure('Start pressed → first quote row painted', firstQuote, 'ms');
      report.figure('process start → first quote on screen (incl. browser page load)', listening + pageReady + firstQuote, 'ms');
    } finally {
      await browser.close();
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
