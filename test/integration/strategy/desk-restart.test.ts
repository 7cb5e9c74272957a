// Issue 18, "Done when": a restart in the middle of `entering` resumes without a duplicate order.
// A real desk on the simulated venue with the SQLite ledger: a short strangle entered now, its limit
// orders refused by the venue so its ladder keeps working; the desk is stopped mid-entry and a new
// desk opens the same ledger — the run is restored, resumes once the account is reconciled, and no
// client order id is ever sent twice.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../../../src/node/ledger/reconciliation-store';
import type { StrategyDefinition, StrategyRuntimeWire } from '../../../src/shared/contract';
import { tempLedgerDir } from '../ledger/helpers';
import { command, sentClientIds, waitFor } from '../../helpers/desk-wait';
import { deskStrangle } from '../../helpers/strategy-fixtures';

const tmp = tempLedgerDir('strategy-restart');
let desk: Desk | null = null;
let store: SqliteLedgerStore | null = null;
afterEach(async () => {
  await desk?.dispose();
  store?.close();
  desk = null;
  store = null;
});

function open(): Desk {
  const clock = new SystemClock();
  store = SqliteLedgerStore.open({ path: tmp.file('ledger.sqlite'), clock });
  desk = createDesk({
    clock,
    portfolioPath: null,
    config: { simIntervalMs: 50, watchlist: ['SPY'] },
    accountLedger: store.accounts,
    fillLedger: store.orders,
    orderJournal: store.orderJournal,
    reconciliationStore: new LedgerReconciliationStore(store.settings),
    ledgerFills: store.orders,
    monitorStore: store.monitor,
    strategyStore: store.strategy,
    // the monitoring cycle is tested elsewhere; it would place SL/TP beside the run's legs here
    monitorDefaults: { enabled: false },
  });
  return desk;
}

const strangle: StrategyDefinition = deskStrangle('restart-strangle', 'Restart strangle');

describe('a strategy run across a restart of the desk', () => {
  it('restarted in the middle of entering: restored, resumed after reconciliation, no client order id sent twice', { timeout: 90_000 }, async () => {
    let d = open();
    await d.start();
    await waitFor(() => d.reconciler.state('default').status === 'clean', 15_000, 'the start reconciliation');
    await command(d, 'trading.set_mode', { account: 'default', mode: 'trade' });
    await command(d, 'strategy.save', { definition: strangle });
    // every limit refused: the ladder keeps stepping, the run stays entering
    d.accountVenue('default' as never)!.sim!.fault({ kind: 'reject_limit_orders', count: 1000 });
    const run = (await command<{ run: StrategyRuntimeWire }>(d, 'strategy.start', { strategy_id: strangle.id, now: true })).run;
    await waitFor(() => (d.strategy.payloads()[0]?.entry.attempts ?? 0) >= 2, 20_000, 'two entry attempts');
    expect(d.strategy.payloads()[0]!.status).toBe('entering');
    const before = await sentClientIds(d);
    expect(before.length).toBeGreaterThanOrEqual(2);
    await d.dispose();
    store!.close();
    desk = null;

    d = open();
    // restored before anything runs: the run is known, in its persisted state
    expect(d.strategy.payloads().map((p) => p.run_id)).toEqual([run.run_id]);
    await d.start();
    await command(d, 'trading.set_mode', { account: 'default', mode: 'trade' });
    d.accountVenue('default' as never)!.sim!.fault({ kind: 'reject_limit_orders', count: 1000 });
    await waitFor(() => d.reconciler.state('default').status === 'clean', 15_000, 'the reconciliation after the restart');
    await waitFor(() => (d.strategy.payloads()[0]?.entry.attempts ?? 0) > (run.entry.attempts ?? 0) + 2, 30_000, 'the ladder going on after the restart');
    const after = await sentClientIds(d);
    const all = [...before, ...after];
    expect(new Set(all).size).toBe(all.length);
    // the journal holds every attempt once, each with its retry count
    const journal = (await command<{ orders: { client_order_id: string }[] }>(d, 'orders.list', { account: 'default', scope: 'all' })).orders.filter((o) => o.client_order_id.startsWith(run.run_id));
    expect(new Set(journal.map((o) => o.client_order_id)).size).toBe(journal.length);
    expect(journal.length).toBeGreaterThanOrEqual(all.length);
    const audit = await command<{ events: { kind: string }[] }>(d, 'strategy.audit', { run_id: run.run_id });
    expect(audit.events.some((e) => e.kind === 'resumed')).toBe(true);
  });
});
