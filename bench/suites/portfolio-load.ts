/**
 * portfolio.load end to end (read → validate in slices → P&L tracker → portfolio event) for 2,000
 * and 20,000 positions, and the longest event-loop stall while the larger one loads. Issue 13
 * measured 0.6 s and 7.1 s before the fix (a position lookup by linear scan made it quadratic).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDesk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { MAX_PORTFOLIO_BYTES } from '../../src/node/portfolio-reader';
import type { BenchReporter } from '../harness';

function portfolio(n: number): string {
  const positions = [];
  for (let i = 0; i < n; i++) {
    positions.push({
      id: `p${i}`, type: 'option', underlying: ['SPY', 'QQQ', 'IWM', 'AAPL'][i % 4], expiry: `2026-12-${10 + (Math.floor(i / 4) % 18)}`,
      strike: String(100 + Math.floor(i / 72)), right: i % 2 ? 'call' : 'put', side: 'long', contracts: '1', cost_basis: '1.25', opened_at: '2026-11-02T14:35:00Z',
    });
  }
  return JSON.stringify({ version: 1, positions });
}

export async function run(report: BenchReporter): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-portfolio-'));
  try {
    const times: Record<number, number> = {};
    for (const n of [2000, 2000, 20_000]) {
      const path = join(dir, `p${n}.json`);
      writeFileSync(path, portfolio(n));
      // 20,000 positions are over the 2 MiB default limit: allowed here to compare with the figures.
      const desk = createDesk({ clock: new SystemClock(), maxPortfolioBytes: 8 * 1024 * 1024 });
      let last = performance.now();
      let worst = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 5);
      const t0 = performance.now();
      const r = await desk.handle('portfolio.load', { path });
      const ms = performance.now() - t0;
      clearInterval(timer);
      worst = Math.max(worst, performance.now() - last); // the stretch since the last tick counts too
      await desk.dispose();
      if (!r.ok) throw new Error(`load failed: ${r.error.message}`);
      times[n] = ms; // the first 2,000 run warms the JIT; the second is reported
      if (n === 20_000) report.figure('portfolio.load 20,000 positions: longest event-loop stall', worst, 'ms');
    }
    // The largest file the desk accepts by default: its longest stall bounds how late SIGTERM is seen.
    let n = 12_000;
    let text = portfolio(n);
    while (text.length > MAX_PORTFOLIO_BYTES) text = portfolio((n -= 500));
    const path = join(dir, 'max.json');
    writeFileSync(path, text);
    const desk = createDesk({ clock: new SystemClock() });
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    const r = await desk.handle('portfolio.load', { path });
    clearInterval(timer);
    worst = Math.max(worst, performance.now() - last);
    await desk.dispose();
    if (!r.ok) throw new Error(`load failed: ${r.error.message}`);
    report.figure(`portfolio.load at the 2 MiB limit (${n} positions): longest event-loop stall`, worst, 'ms', { op: '<=', value: 1000 });
    report.figure('portfolio.load 2,000 positions (issue 13 measured 600 ms before)', times[2000]!, 'ms');
    report.figure('portfolio.load 20,000 positions (issue 13 measured 7,100 ms before)', times[20_000]!, 'ms');
    report.figure('portfolio.load cost ratio 20,000 / 2,000 positions (linear = 10)', times[20_000]! / times[2000]!, '×', { op: '<=', value: 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
