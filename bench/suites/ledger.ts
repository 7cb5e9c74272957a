/**
 * Ledger quality bars (spec §14): batched audit rows/s, durable fill commits/s, durable order-journal
 * commits/s (the order gateway's commit before send), the order round trip through the gateway
 * against the simulated venue over loopback, the event-loop delay
 * while batches are written during a 20,000 quotes/s stream, and a longer SIGKILL crash loop.
 * Every figure runs on a real file in a temp dir (the machine's disk and fsync are part of it).
 *
 * LEDGER_CRASH_ITERATIONS overrides the crash-loop length (default 200).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FillRow } from '../../src/core/ports/ledger-store';
import type { JournalOrder } from '../../src/core/ports/order-journal';
import { SqliteLedgerStore } from '../../src/node/ledger/sqlite-ledger-store';
import { recordedQuoteOf } from '../../src/node/ledger/quote-recording';
import { SimMarketModel } from '../../src/node/venues/sim/model';
import { runCrashLoop } from '../../test/integration/ledger/crash-loop';
import { rig, waitFor } from '../../test/integration/market/fixture';
import { alpacaPorts } from '../../src/node/venues/alpaca/ports';
import { accountId } from '../../src/core/model/ids';
import { OrderGateway } from '../../src/core/orders/gateway';
import { SystemClock } from '../../src/node/system-clock';
import { ManualClock } from '../../src/core/ports/clock';
import { silentLogger } from '../../src/core/ports/logger';
import { QuoteCache } from '../../src/core/market/quote-cache';
import type { OrderUpdate, VenueOrder } from '../../src/core/ports/venue';
import { DEFAULT_ACCOUNT_ID, type Account } from '../../src/core/model/account';
import { DeskEventBus } from '../../src/node/app/event-bus';
import { LivePortfolio } from '../../src/node/live-portfolio';
import { AccountFills } from '../../src/node/app/trading/account-fills';
import { percentile, type BenchReporter } from '../harness';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function withLedger<T>(fn: (store: SqliteLedgerStore, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const store = SqliteLedgerStore.open({ path: join(dir, 'bench.sqlite') });
  store.upsertAccount({ accountId: 'bench', venue: 'sim', label: 'bench', mode: 'paper' }, Date.now());
  return fn(store, dir).finally(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Audit rows: the cost of `append` on the caller, then the batch writer's capacity — the queued
 * rows drained by its own scheduling (bounded transactions on consecutive event-loop turns), with
 * nothing else competing for the loop.
 */
async function auditRows(report: BenchReporter): Promise<void> {
  const total = 200_000;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const store = SqliteLedgerStore.open({ path: join(dir, 'bench.sqlite'), batch: { maxQueued: total } });
  try {
    const a = performance.now();
    for (let i = 0; i < total; i++) {
      store.appendStrategyEvent({
        runId: `run-${i % 4}`,
        at: Date.now(),
        kind: 'trailing_update',
        executionId: `exec_${i}`,
        parentExecutionId: `exec_${i - 1}`,
        message: 'trailing stop level moved',
        payload: { level: 181.6 + (i % 100) / 100, activated: true, changed_at: '2026-11-20T14:30:00.000Z' },
      });
    }
    const appendMs = performance.now() - a;
    const t0 = performance.now();
    while (store.batchStats().queued > 0) await nextTurn();
    const secs = (performance.now() - t0) / 1000;
    const stats = store.batchStats();
    report.figure('audit rows batched', stats.written / secs, 'rows/s', { op: '>=', value: 50_000 }, `${stats.written.toLocaleString('en-US')} strategy_events rows in ${stats.flushes.toLocaleString('en-US')} transactions, ${stats.dropped} dropped`);
    report.figure('append() cost', (appendMs * 1000) / total, 'µs/row', undefined, 'validation + queueing on the caller; no SQLite');
    report.figure('longest batch transaction', stats.maxFlushMs, 'ms', undefined, 'budget 2 ms; longer means the process was descheduled or a WAL checkpoint ran');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One fill per transaction, synchronous=FULL: each returns after its commit is on disk. */
async function durableFills(report: BenchReporter): Promise<void> {
  await withLedger(async (store) => {
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < 3_000; i++) {
      const fill: FillRow = {
        accountId: 'bench',
        fillId: `fill-${i}`,
        clientOrderId: null,
        brokerOrderId: `B-${i}`,
        positionId: `pos-${i % 10}`,
        reEntryNum: 0,
        symbol: 'AAPL261218C00200000',
        side: i % 2 ? 'sell' : 'buy',
        quantity: '1',
        price: '181.60',
        fee: '0.65',
        feeCurrency: 'USD',
        filledAt: Date.now(),
      };
      const a = performance.now();
      store.recordFill(fill);
      latencies.push(performance.now() - a);
    }
    const secs = (performance.now() - t0) / 1000;
    report.figure('durable single-fill commits', latencies.length / secs, 'commits/s', undefined, 'one IMMEDIATE transaction each, synchronous=FULL (fsync per commit)');
    report.figure('durable fill commit p99', percentile(latencies, 99), 'ms');
  });
}

/**
 * The venue fill path (issue 16): a trade_updates fill → the account fills (idempotency key, ledger
 * commit with synchronous=FULL, our FIFO) → the live portfolio (tracker FIFO, fill_event, node_event,
 * position_event, totals) on the desk's event bus. Beside it, the path before issue 16 (the fill
 * straight into the live portfolio, nothing on disk) on the same fills: the difference is the cost
 * of durability and idempotency.
 */
async function venueFillPath(report: BenchReporter): Promise<void> {
  const symbols = ['SPY', 'QQQ', 'AAPL', 'MSFT', 'IWM', 'TSLA', 'NVDA', 'AMD', 'META', 'GOOG'];
  const account: Account = { id: DEFAULT_ACCOUNT_ID, label: 'bench', venue: 'sim', mode: 'SIM', credentialsRef: null };
  const update = (i: number, at: number): OrderUpdate => {
    const iso = new Date(at).toISOString();
    const side = i % 3 === 2 ? 'sell' : 'buy';
    const order: VenueOrder = { id: `O-${i}`, clientOrderId: `c-${i}`, symbol: symbols[i % symbols.length]!, side, type: 'market', orderClass: 'simple', timeInForce: 'day', qty: '2', filledQty: '2', filledAvgPrice: '181.6', limitPrice: null, stopPrice: null, status: 'filled', createdAt: iso, updatedAt: iso, legs: [] };
    return { event: 'fill', order, executionId: `E-${i}`, price: (181.6 + (i % 50) / 100).toFixed(2), qty: '2', positionQty: null, timestamp: at, receivedAt: at };
  };
  const portfolio = () => {
    const clock = new ManualClock(Date.now());
    const bus = new DeskEventBus(silentLogger);
    let events = 0;
    bus.subscribe(() => void events++);
    const cache = new QuoteCache(clock);
    const live = new LivePortfolio({ clock, logger: silentLogger, quotes: cache, venue: 'sim', streamer: () => ({ state: 'running', streaming: true }), events: bus });
    return { clock, live, cache, events: () => events };
  };
  const measure = (apply: (i: number) => void): { perSec: number; p99: number } => {
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < 3_000; i++) {
      const a = performance.now();
      apply(i);
      latencies.push(performance.now() - a);
    }
    return { perSec: latencies.length / ((performance.now() - t0) / 1000), p99: percentile(latencies, 99) };
  };
  const before = (() => {
    const p = portfolio();
    const base = p.clock.now();
    const r = measure((i) => {
      const u = update(i, base + i);
      p.live.applyFill({ fill_id: u.executionId!, position_id: `venue:${u.order.symbol}`, symbol: u.order.symbol, side: u.order.side === 'buy' ? 'BUY' : 'SELL', quantity: u.qty!, price: u.price!, time: u.timestamp! }, { origin: 'venue' });
    });
    p.live.dispose();
    return r;
  })();
  await withLedger(async (store) => {
    store.upsertAccount({ accountId: 'default', venue: 'sim', label: 'bench', mode: 'sim' }, Date.now());
    const p = portfolio();
    const fills = new AccountFills({ clock: p.clock, logger: silentLogger, ledger: store.orders, display: p.live, quotes: p.cache });
    const base = p.clock.now();
    let eventsBefore = 0;
    const after = measure((i) => {
      if (i === 0) eventsBefore = p.events();
      fills.orderUpdate(account, update(i, base + i));
    });
    const recorded = fills.stats.recorded;
    // A second delivery of every fill (a stream repeat / a REST catch-up): counted once, not written.
    const dupT0 = performance.now();
    for (let i = 0; i < Math.min(recorded, 2000); i++) fills.orderUpdate(account, update(i, base + i));
    const dupUs = ((performance.now() - dupT0) * 1000) / Math.min(recorded, 2000);
    report.figure('venue fill → ledger → FIFO → events (durable)', after.perSec, 'fills/s', undefined, `${recorded.toLocaleString('en-US')} fills, ${((p.events() - eventsBefore) / Math.max(1, recorded)).toFixed(1)} desk events each; the ledger commit (synchronous=FULL) is before the events`);
    report.figure('venue fill path p99 (durable)', after.p99, 'ms');
    report.figure('venue fill → FIFO → events without the ledger (the path before issue 16)', before.perSec, 'fills/s', undefined, `p99 ${before.p99.toFixed(3)} ms; nothing on disk, no idempotency across sources`);
    report.figure('repeated venue fill (already counted)', dupUs, 'µs/fill', undefined, 'the key check alone: no ledger write, no event');
    p.live.dispose();
  });
}

/**
 * The order gateway's journal (SqliteOrderJournal): what the gateway writes before and after a send —
 * the order committed `pending_submit` with its `created` event, then the venue's answer with an
 * `answered` event — each one IMMEDIATE transaction, synchronous=FULL, row and event together.
 */
async function durableOrderJournal(report: BenchReporter): Promise<void> {
  await withLedger(async (store) => {
    const journal = store.orderJournal;
    const latencies: number[] = [];
    const t0 = performance.now();
    for (let i = 0; performance.now() - t0 < 3_000; i++) {
      const id = `bench-${i}`;
      const now = Date.now();
      const order: JournalOrder = {
        clientOrderId: id,
        accountId: 'bench',
        symbol: 'SPY',
        side: i % 2 ? 'sell' : 'buy',
        quantity: '3',
        orderType: 'limit',
        limitPrice: '501.25',
        status: 'pending_submit',
        venueOrderId: null,
        venueClientOrderId: id,
        filledQuantity: '0',
        priorFilledQuantity: '0',
        replaceCount: 0,
        pending: { kind: 'place', venueClientOrderId: id, quantity: null, limitPrice: null, state: 'sending', since: now, attempts: 1 },
        reason: null,
        createdAt: now,
        updatedAt: now,
      };
      const base = { clientOrderId: id, at: now, command: 'place' as const, reason: null };
      let a = performance.now();
      journal.insert(order, { ...base, kind: 'created', fromStatus: null, toStatus: 'pending_submit', detail: { symbol: 'SPY', side: order.side, quantity: '3' } });
      latencies.push(performance.now() - a);
      a = performance.now();
      journal.update({ ...order, status: 'accepted', venueOrderId: `V-${i}`, pending: null }, { ...base, kind: 'answered', fromStatus: 'pending_submit', toStatus: 'accepted', detail: { venueOrderId: `V-${i}`, venueStatus: 'new' } });
      latencies.push(performance.now() - a);
    }
    const secs = (performance.now() - t0) / 1000;
    report.figure('order journal commits/s (durable)', latencies.length / secs, 'commits/s', undefined, 'gateway journal writes (insert created / update answered, alternating), each one IMMEDIATE transaction of row + event, synchronous=FULL');
    report.figure('order journal commit p99', percentile(latencies, 99), 'ms');
  });
}

/**
 * The order round trip (issue 16, Done when): `gateway.place` of a resting limit order until the
 * venue's answer is recorded — the order committed to the SQLite journal (durable), sent over the
 * real Alpaca REST adapter to the simulated venue on 127.0.0.1, the answer classified and committed.
 * Sequential, ORDER_ROUND_TRIPS orders (default 300) after 20 to warm up.
 */
async function orderRoundTrip(report: BenchReporter): Promise<void> {
  const n = Number(process.env.ORDER_ROUND_TRIPS ?? 300);
  const r = await rig({ sim: { restRequestsPerMinute: 10_000_000, intervalMs: 50 }, venue: { restRequestsPerMinute: 10_000_000 }, symbols: ['SPY'] });
  try {
    await withLedger(async (store) => {
      const { execution } = alpacaPorts(r.venue, accountId('bench'), 'sim');
      await execution.start();
      await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
      let seq = 0;
      const g = new OrderGateway({
        clock: new SystemClock(),
        execution,
        journal: store.orderJournal,
        mode: () => 'trade',
        killSwitch: { levelOf: () => 'active' },
        position: () => 0n,
        newClientOrderId: () => `rt-${Date.now().toString(36)}-${++seq}`,
      });
      execution.listen({ orderUpdate: (u) => void g.onOrderUpdate(u) });
      const latencies: number[] = [];
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < n + 20; i++) {
        const t = performance.now();
        // a resting limit buy far below the market (answered `new`, stays open)
        const out = await g.place({ accountId: 'bench', symbol: 'SPY', side: 'buy', quantity: '1', orderType: 'limit', limitPrice: '1.00' });
        if (i >= 20) latencies.push(performance.now() - t);
        outcomes[out.kind] = (outcomes[out.kind] ?? 0) + 1;
      }
      const shown = Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(', ');
      report.figure('order round trip p50', percentile(latencies, 50), 'ms', undefined, `gateway.place → sim answer over loopback, SQLite journal (2 durable commits on the path, the stream's \`new\` update a 3rd beside it); ${latencies.length} orders (+20 warm-up): ${shown}`);
      report.figure('order round trip p99', percentile(latencies, 99), 'ms');
    });
  } finally {
    await r.close();
  }
}

interface StreamResult {
  p99Ms: number;
  maxMs: number;
  quotesPerSec: number;
  /** Process CPU (user + system) per quote: robust to other load on the machine, unlike the delay. */
  cpuUsPerQuote: number;
}

/**
 * A 20,000 quotes/s stream for `durationMs`, each quote turned into a recorded-quote row; with a
 * ledger, every row is appended (plus an audit event every 200 quotes, a P&L sample every 2,000
 * and a durable fill every 4,000 — 5 a second) while the batch writer flushes. Without one, the
 * same loop runs with no ledger calls: the machine's own event-loop delay, for comparison.
 */
async function stream(store: SqliteLedgerStore | null, durationMs: number): Promise<StreamResult> {
  const rate = 20_000;
  const start = Date.UTC(2026, 10, 20, 15);
  const model = new SimMarketModel(7, start);
  let pool = model.step(start);
  let poolAt = 0;
  let produced = 0;
  let fills = 0;
  let sink = 0;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  histogram.enable();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((elapsed * rate) / 1000);
      for (; produced < due; produced++) {
        if (poolAt >= pool.length) {
          pool = model.step(start + produced);
          poolAt = 0;
        }
        const row = recordedQuoteOf('sim', { ...pool[poolAt++]!, receivedAt: Date.now() });
        if (!store) {
          sink += row.symbol.length;
          continue;
        }
        store.appendRecordedQuote(row);
        if (produced % 200 === 0) {
          store.appendStrategyEvent({ runId: 'run-1', at: Date.now(), kind: 'tick', executionId: null, parentExecutionId: null, message: null, payload: { n: produced } });
        }
        if (produced % 2_000 === 0) store.appendPnlSample({ scope: 'bench', at: Date.now(), realized: '12.50', unrealized: '-3.25', total: '9.25', unknownReason: null });
        if (produced % 4_000 === 0) {
          store.recordFill({ accountId: 'bench', fillId: `f-${fills++}`, clientOrderId: null, brokerOrderId: null, positionId: 'p', reEntryNum: 0, symbol: 'X', side: 'buy', quantity: '1', price: '1.00', fee: '0', feeCurrency: 'USD', filledAt: Date.now() });
        }
      }
      if (elapsed >= durationMs) resolve();
      else setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  histogram.disable();
  const streamSecs = (performance.now() - t0) / 1000;
  if (store) while (store.batchStats().queued > 0) await nextTurn(); // the writing belongs to the CPU cost
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) throw new Error('unreachable'); // keeps the no-ledger loop from being optimized away
  return {
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    quotesPerSec: produced / streamSecs,
    cpuUsPerQuote: (cpu.user + cpu.system) / produced,
  };
}

async function eventLoopUnderStream(report: BenchReporter): Promise<void> {
  const durationMs = 6_000;
  const baseline = await stream(null, durationMs);
  await withLedger(async (store) => {
    const withLedgerResult = await stream(store, durationMs);
    const stats = store.batchStats();
    report.figure('event-loop delay p99 during 20k quotes/s', withLedgerResult.p99Ms, 'ms', { op: '<=', value: 10 }, `max ${withLedgerResult.maxMs.toFixed(1)} ms; every quote recorded to the ledger`);
    report.figure('  same stream without the ledger (machine baseline)', baseline.p99Ms, 'ms', undefined, `max ${baseline.maxMs.toFixed(1)} ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    report.figure('quotes recorded', withLedgerResult.quotesPerSec, 'quotes/s', undefined, `${stats.written.toLocaleString('en-US')} rows written, ${stats.dropped} dropped, longest batch ${stats.maxFlushMs.toFixed(1)} ms`);
    const ledgerCpu = withLedgerResult.cpuUsPerQuote - baseline.cpuUsPerQuote;
    report.figure('ledger CPU per recorded quote', ledgerCpu, 'µs', undefined, `≈ ${((ledgerCpu * 20_000) / 10_000).toFixed(0)}% of one core at 20,000 quotes/s (append + validation + SQLite insert)`);
  });
}

async function crashLoop(report: BenchReporter): Promise<void> {
  const iterations = Number(process.env.LEDGER_CRASH_ITERATIONS ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-bench-'));
  try {
    const r = await runCrashLoop({ dir, iterations, seed: Date.now() % 1_000_000, maxKillDelayMs: 250 });
    for (const p of r.problems.slice(0, 5)) report.note(`PROBLEM ${p}`);
    report.figure('crash loop: kill -9 iterations survived', r.problems.length ? 0 : r.iterations, 'iterations', { op: '>=', value: iterations });
    const lost = r.problems.filter((p) => p.includes('reported fills missing')).length;
    report.figure('crash loop: committed fills lost', lost, 'fills', { op: '<=', value: 0 }, `${r.fillsReported.toLocaleString('en-US')} fills reported committed, ${r.killedBeforeReady} kills before ready, ${(r.durationMs / 1000).toFixed(0)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: BenchReporter): Promise<void> {
  await auditRows(report);
  await durableFills(report);
  await venueFillPath(report);
  await durableOrderJournal(report);
  await orderRoundTrip(report);
  await eventLoopUnderStream(report);
  await crashLoop(report);
}
