/**
 * The monitoring cycle (issue 17, Done when): one cycle for 10 accounts, and for 50, against the
 * simulated venue — p50 and p99 of the wall time from "run now" on every account at once until every
 * account's cycle is recorded (target < 1 s; the design note's took 20–50 s).
 *
 * A real desk (headless wiring: SQLite ledger for fills, journal, reconciliation, monitor records),
 * N simulated accounts on the simulated venue over loopback, each in Trade with an open position and
 * SL/TP rules — the first cycle places them, so the measured cycles are the steady state: 2N REST calls
 * in step 1, the day-book FIFO and one ledger transaction per account in step 2, a reconciliation and
 * the positions' analytics in one transaction in step 3, SL/TP found present in step 4, archive and
 * modification checks. MONITOR_CYCLES (default 12) cycles per size after 2 to warm up, 1.5 s apart (Alpaca's REST limit per
 * account is 200/min; a real cycle runs once a minute).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, type BenchReporter } from '../harness';
import { createDesk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { SqliteLedgerStore } from '../../src/node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../../src/node/ledger/reconciliation-store';
import { accountId } from '../../src/core/model/ids';
import type { Account } from '../../src/core/model/account';
import type { MonitorCycleWire } from '../../src/shared/monitor';
import { waitFor, command } from '../../test/helpers/desk-wait';

/** Between measured cycles (see the loop). */
const SPACING_MS = 1_500;

async function oneSize(report: BenchReporter, n: number, cycles: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-monitor-'));
  const clock = new SystemClock();
  const store = SqliteLedgerStore.open({ path: join(dir, 'ledger.sqlite'), clock });
  const accounts: Account[] = Array.from({ length: n - 1 }, (_, i) => ({
    id: accountId(`acc${String(i + 1).padStart(2, '0')}`),
    label: `Bench ${i + 1}`,
    venue: 'sim',
    mode: 'SIM',
    credentialsRef: null,
  }));
  const desk = createDesk({
    clock,
    portfolioPath: null,
    config: { simIntervalMs: 100, watchlist: ['SPY'] },
    accounts,
    accountLedger: store.accounts,
    fillLedger: store.orders,
    orderJournal: store.orderJournal,
    reconciliationStore: new LedgerReconciliationStore(store.settings),
    ledgerFills: store.orders,
    monitorStore: store.monitor,
    // the bench runs cycles itself; the scheduled ones stay an hour away
    monitorDefaults: { interval_ms: 3_600_000 },
  });
  try {
    await desk.start();
    const ids = desk.monitor.accounts().map((a) => a.account);
    await waitFor(() => desk.monitor.accounts().every((a) => a.last_cycle !== null), 60_000, 'every account’s first cycle');
    for (const id of ids) {
      await command(desk, 'trading.set_mode', { account: id, mode: 'trade' });
      await command(desk, 'orders.place', { account: id, symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'market' });
      await command(desk, 'monitor.configure', { account: id, settings: { sl_tp: { stop_loss: { kind: 'pct', value: '5' }, take_profit: { kind: 'pct', value: '5' } } } });
    }
    const all = () => Promise.all(ids.map((id) => command<{ cycle: MonitorCycleWire }>(desk, 'monitor.run_now', { account: id })));
    // warm-up: the first places each account's SL/TP
    const placedBefore = (await all()).reduce((s, r) => s + r.cycle.steps[3]!.actions.filter((a) => a.outcome === 'done').length, 0);
    await all();
    const times: number[] = [];
    let errors = 0;
    let placed = 0;
    for (let i = 0; i < cycles; i++) {
      // A cycle makes ~4 REST calls per account; the adapter keeps each account under Alpaca's
      // 200/min (190, a burst of 19): cycles back to back would measure that limiter, not the cycle.
      await new Promise((r) => setTimeout(r, SPACING_MS));
      const t = performance.now();
      const res = await all();
      times.push(performance.now() - t);
      errors += res.filter((r) => r.cycle.status !== 'ok').length;
      placed += res.reduce((s, r) => s + r.cycle.steps[3]!.actions.filter((a) => a.outcome === 'done').length, 0);
    }
    const note = `${n} accounts on the simulated venue, each in Trade with a position and its SL/TP (${placedBefore} placed in warm-up, ${placed} after: never twice); ${cycles} cycles; ${errors} cycle(s) with errors`;
    report.figure(`one cycle, ${n} accounts p50`, percentile(times, 50), 'ms', { op: '<=', value: 1000 }, note);
    report.figure(`one cycle, ${n} accounts p99`, percentile(times, 99), 'ms', { op: '<=', value: 1000 });
  } finally {
    await desk.dispose();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: BenchReporter): Promise<void> {
  const cycles = Number(process.env.MONITOR_CYCLES ?? 12);
  await oneSize(report, 10, cycles);
  await oneSize(report, 50, cycles);
}
