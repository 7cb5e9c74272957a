/**
 * The renderer benchmark page: the real App (real store, reducer, virtualized table, charts) fed by
 * a synthetic desk. Query: ?n=500&hz=10&seconds=10&warmup=2&scheme=dark&measure=1
 * (measure=0 just runs the demo, for looking at the UI with lots of data).
 *
 * Measures over `seconds` after `warmup`: frames per second by requestAnimationFrame, long tasks
 * (PerformanceObserver 'longtask', > 50 ms), and how many cell updates actually reached the DOM.
 * The result lands in window.__benchResult for the driver (bench/suites/renderer.ts).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import '@mantine/core/styles.css';
import '../../src/renderer/src/styles.css';
import { App } from '../../src/renderer/src/App';
import { cssVariablesResolver, theme } from '../../src/renderer/src/theme';
import { TransportContext } from '../../src/renderer/src/transport/context';
import { bindTransport } from '../../src/renderer/src/stores/desk-store';
import { buildDemoDesk, FakeTransport } from './fake-desk';

export interface BenchResult {
  positions: number;
  perSymbolHz: number;
  seconds: number;
  frames: number;
  fps: number;
  /** 99th percentile and worst frame interval, ms. */
  p99FrameMs: number;
  maxFrameMs: number;
  longTasks: number;
  longTaskTotalMs: number;
  longTaskMaxMs: number;
  ticks: number;
  quotes: number;
  /** Text changes observed in the positions table (rows visibly updating). */
  domUpdates: number;
  visibleRows: number;
  /** Synchronous handling of one tick_update (reducer + store subscribers), median and p99, ms. */
  handleP50Ms: number;
  handleP99Ms: number;
  userAgent: string;
}

declare global {
  interface Window {
    __benchResult?: BenchResult;
    __benchError?: string;
  }
}

const q = new URLSearchParams(location.search);
const n = Number(q.get('n') ?? 500);
const hz = Number(q.get('hz') ?? 10);
const seconds = Number(q.get('seconds') ?? 10);
const warmup = Number(q.get('warmup') ?? 2);
const measure = q.get('measure') !== '0';
localStorage.setItem('mantine-color-scheme-value', q.get('scheme') ?? 'dark');

const desk = buildDemoDesk(n, Date.now());
const transport = new FakeTransport(desk, hz);
bindTransport(transport);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="dark">
      <TransportContext.Provider value={transport}>
        <App />
      </TransportContext.Provider>
    </MantineProvider>
  </StrictMode>,
);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

async function run(): Promise<void> {
  transport.start();
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const table = document.querySelector('[data-testid="positions-table"]');
  if (!table) throw new Error('positions table not rendered');
  let domUpdates = 0;
  const mo = new MutationObserver((records) => (domUpdates += records.length));
  mo.observe(table, { subtree: true, characterData: true, childList: true });
  const longTasks: number[] = [];
  const po = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  po.observe({ type: 'longtask', buffered: false });
  const ticks0 = transport.ticksSent;
  const handled0 = transport.handleMs.length;
  const quotes0 = transport.quotesSent;
  const intervals: number[] = [];
  let frames = 0;
  const t0 = performance.now();
  let last = t0;
  await new Promise<void>((resolve) => {
    const frame = (t: number) => {
      frames++;
      intervals.push(t - last);
      last = t;
      if (t - t0 < seconds * 1000) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame(frame);
  });
  const elapsed = (last - t0) / 1000;
  po.disconnect();
  mo.disconnect();
  transport.stop();
  window.__benchResult = {
    positions: desk.snapshot.positions.length,
    perSymbolHz: hz,
    seconds: elapsed,
    frames,
    fps: frames / elapsed,
    p99FrameMs: percentile(intervals, 99),
    maxFrameMs: Math.max(...intervals),
    longTasks: longTasks.length,
    longTaskTotalMs: longTasks.reduce((a, b) => a + b, 0),
    longTaskMaxMs: longTasks.length ? Math.max(...longTasks) : 0,
    ticks: transport.ticksSent - ticks0,
    quotes: transport.quotesSent - quotes0,
    domUpdates,
    visibleRows: table.querySelectorAll('[data-testid^="position-row-"]').length,
    handleP50Ms: percentile(transport.handleMs.slice(handled0), 50),
    handleP99Ms: percentile(transport.handleMs.slice(handled0), 99),
    userAgent: navigator.userAgent,
  };
}

if (measure) run().catch((e: unknown) => (window.__benchError = String(e instanceof Error ? e.stack : e)));
else transport.start();
