/**
 * Renderer benchmark (spec §14: a 500-row portfolio updating at 10 Hz per row stays ≥ 55 fps in
 * Chromium). Builds bench/renderer (the real App on a synthetic desk), serves it on 127.0.0.1,
 * drives it in Chromium (CHROMIUM_PATH, /usr/bin/chromium, or Playwright's own) and reports frames
 * per second measured with requestAnimationFrame over ≥ 10 s, and long tasks (> 50 ms).
 *
 * Env: BENCH_RENDERER_SECONDS (default 12), BENCH_RENDERER_N (500), BENCH_RENDERER_HZ (10),
 * BENCH_RENDERER_VIEWPORT (1920x1080).
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import type { BenchReporter } from '../harness';
// @ts-expect-error — plain ESM helper without type declarations (scripts/ is JavaScript)
import { findChromium, INSTALL_HINT } from '../../scripts/find-chromium.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = join(ROOT, 'out/bench-renderer');
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

interface BenchResult {
  positions: number;
  perSymbolHz: number;
  seconds: number;
  frames: number;
  fps: number;
  p99FrameMs: number;
  maxFrameMs: number;
  longTasks: number;
  longTaskTotalMs: number;
  longTaskMaxMs: number;
  ticks: number;
  quotes: number;
  domUpdates: number;
  visibleRows: number;
  handleP50Ms: number;
  handleP99Ms: number;
  userAgent: string;
}

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export async function run(report: BenchReporter): Promise<void> {
  const found = (await findChromium()) as { path: string; source: string } | null;
  if (!found) {
    report.note(`skipped: ${INSTALL_HINT as string}`);
    return;
  }
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'bench/renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building bench/renderer failed');

  const seconds = Number(process.env.BENCH_RENDERER_SECONDS ?? 12);
  const n = Number(process.env.BENCH_RENDERER_N ?? 500);
  const hz = Number(process.env.BENCH_RENDERER_HZ ?? 10);
  const [vw, vh] = (process.env.BENCH_RENDERER_VIEWPORT ?? '1920x1080').split('x').map(Number);
  const server = await serve(OUT);
  const browser = await chromium.launch({
    executablePath: found.path,
    // No GPU on CI machines: software compositing, as a conservative lower bound.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: vw!, height: vh! } });
    const port = (server.address() as AddressInfo).port;
    // n counts single positions; the demo adds two structures (6 legs) on top.
    await page.goto(`http://127.0.0.1:${port}/?n=${n}&hz=${hz}&seconds=${seconds}&warmup=2`);
    // These callbacks run in the page (its globals are declared in bench/renderer/main.tsx).
    await page.waitForFunction(() => (globalThis as { __benchResult?: unknown }).__benchResult !== undefined || (globalThis as { __benchError?: unknown }).__benchError !== undefined, null, { timeout: (seconds + 60) * 1000, polling: 500 });
    const error = await page.evaluate(() => (globalThis as { __benchError?: string }).__benchError);
    if (error) throw new Error(`renderer bench failed in the page: ${error}`);
    const r = (await page.evaluate(() => (globalThis as { __benchResult?: unknown }).__benchResult)) as BenchResult;
    const chrome = /Chrome\/([\d.]+)/.exec(r.userAgent)?.[1] ?? '?';
    report.note(`${r.positions} positions (${r.quotes} quotes in ${r.ticks} tick_updates over ${r.seconds.toFixed(1)} s ≈ ${(r.quotes / r.seconds / r.positions).toFixed(1)} updates/s per row), viewport ${vw}×${vh}, Chromium ${chrome} (${found.source}), software rendering`);
    report.figure('renderer fps (500 rows @ 10 Hz)', r.fps, 'fps', { op: '>=', value: 55 }, `rAF over ${r.seconds.toFixed(1)} s; p99 frame ${r.p99FrameMs.toFixed(1)} ms, worst ${r.maxFrameMs.toFixed(1)} ms`);
    report.figure('renderer long tasks', r.longTasks, 'tasks', undefined, `> 50 ms each; total ${r.longTaskTotalMs.toFixed(0)} ms, longest ${r.longTaskMaxMs.toFixed(0)} ms`);
    report.figure('renderer tick_update handling p99', r.handleP99Ms, 'ms', undefined, `median ${r.handleP50Ms.toFixed(1)} ms: reducer (row revaluation with the shared core function; totals are the desk's as sent) + store subscribers, per event`);
    report.figure('renderer DOM updates', r.domUpdates / r.seconds, 'mutations/s', undefined, `${r.visibleRows} rows in the DOM (virtualized)`);
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}
