// Reconciliation through the desk against the simulated venue (issue 16 item 5), over loopback with a
// real SQLite ledger: a position planted at the broker (POST /__sim/position's code path) shows as
// broker_only on reconcile.run, the gate is shut; reconcile.resolve adopt_broker writes the
// adjustment to the ledger and the re-run is clean; keep_local persists in the ledger across a new
// desk. Every run and resolution is a reconciliation_event and a node_event; the snapshot carries it.
//
// The account fills (wt-fills) are another part of issue 16: here AccountPositions is a small
// stand-in over the real ledger's fills table (adoptBroker records an adjustment fill; positions are
// the fills' net quantity at their average cost), so what "the ledger has the adopted position"
// means is checked in SQLite. When the parts merge, the desk's own account fills replace it.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { SqliteLedgerStore } from '../../src/node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../../src/node/ledger/reconciliation-store';
import { averageCostOf } from '../../src/core/pnl/broker-compare';
import { QTY_DP, PRICE_DP, scaledToString, parseScaled } from '../../src/core/model/money';
import type { AccountPositions, LedgerPositionView } from '../../src/node/app/trading/ports';
import type { DeskEvent } from '../../src/shared/contract';
import type { ReconciliationWire } from '../../src/shared/trading';
import { tempLedgerDir } from './ledger/helpers';
import { waitFor } from '../helpers/desk-wait';

const ACC = 'default';

/** AccountPositions over the ledger's fills table (a stand-in for the account fills part). */
class LedgerBackedPositions implements AccountPositions {
  private seq = 0;
  constructor(private readonly ledger: SqliteLedgerStore) {}
  signedQuantity(account: string, symbol: string): bigint | null {
    return averageCostOf(this.fills(account, symbol)).quantity;
  }
  positions(account: string): LedgerPositionView[] {
    const symbols = [...new Set(this.ledger.orders.fillsForRebuild({ accountId: account }).map((f) => f.symbol))];
    return symbols
      .map((symbol) => ({ symbol, ac: averageCostOf(this.fills(account, symbol)) }))
      .filter((p) => p.ac.quantity !== 0n)
      .map(({ symbol, ac }) => ({ account, symbol, quantity: scaledToString(ac.quantity, QTY_DP), avgPrice: ac.avg === null ? null : scaledToString(ac.avg, PRICE_DP), realized: '0', unrealized: null, fees: '0', multiplier: '1' }));
  }
  adoptBroker(account: string, symbol: string, quantity: string, avgPrice: string | null, reason: string): void {
    const diff = parseScaled(quantity, QTY_DP) - (this.signedQuantity(account, symbol) ?? 0n);
    if (diff === 0n) return;
    this.ledger.orders.recordFill({
      accountId: account,
      fillId: `adopted-${Date.now()}-${++this.seq}`,
      clientOrderId: null,
      brokerOrderId: null,
      positionId: `adopted:${symbol}`,
      reEntryNum: 0,
      symbol,
      side: diff > 0n ? 'buy' : 'sell',
      quantity: scaledToString(diff > 0n ? diff : -diff, QTY_DP),
      price: avgPrice ?? '0',
      fee: '0',
      feeCurrency: 'USD',
      filledAt: Date.now(),
    });
    void reason;
  }
  whenSynced(): Promise<void> {
    return Promise.resolve();
  }
  catchUp(): Promise<void> {
    return Promise.resolve();
  }
  private fills(account: string, symbol: string) {
    return this.ledger.orders.fillsForRebuild({ accountId: account }).filter((f) => f.symbol === symbol);
  }
}

const tmp = tempLedgerDir('desk-reconcile-');
let desk: Desk | null = null;
let ledger: SqliteLedgerStore | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  ledger?.close();
  ledger = null;
});

function openDesk(path: string): { d: Desk; events: DeskEvent[]; store: SqliteLedgerStore } {
  const store = (ledger = SqliteLedgerStore.open({ path, clock: new SystemClock() }));
  const d = (desk = createDesk({
    clock: new SystemClock(),
    portfolioPath: null,
    config: { simIntervalMs: 20, watchlist: ['SPY', 'AAPL'] },
    accountLedger: store.accounts,
    reconciliationStore: new LedgerReconciliationStore(store.settings),
    // These tests watch the reconciliation's own runs (start, manual, resolve); the monitoring cycle,
    // which runs one per cycle (trigger 'monitor'), is tested in test/integration/monitor/*.
    monitorDefaults: { enabled: false },
    ledgerFills: store.orders,
    orderPath: { positions: new LedgerBackedPositions(store) },
  }));
  const events: DeskEvent[] = [];
  d.subscribe((e) => events.push(e));
  return { d, events, store };
}

async function command<T>(d: Desk, name: string, payload: unknown): Promise<T> {
  const r = await d.handle(name, payload);
  if (!r.ok) throw new Error(r.error.message);
  return r.result as T;
}

describe('reconciliation through the desk (sim venue, SQLite ledger)', () => {
  it('a planted broker-only position: reconcile.run shows it, adopt_broker puts it in the ledger, the re-run is clean', { timeout: 20_000 }, async () => {
    const { d, events, store } = openDesk(tmp.file('adopt.sqlite'));
    await d.start();
    // the start run happens by itself once the account's venue is up (nothing at the broker yet: clean)
    await waitFor(() => d.reconciler.state(ACC).trigger === 'start', 8000, 'the start reconciliation');
    expect(d.reconciler.state(ACC).status).toBe('clean');

    expect(d.simServer!.plantPosition({ symbol: 'AAPL', qty: 7, avg_price: '150.25' })).toMatchObject({ ok: true });
    const run = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.run', { account: ACC });
    expect(run.reconciliation.status).toBe('diff');
    expect(run.reconciliation.lines).toEqual([
      expect.objectContaining({ id: 'position:AAPL', kind: 'broker_only', broker: { quantity: '7', price: '150.25' }, ledger: null, resolution: null }),
    ]);
    expect(d.reconciler.clean(ACC)).toBe(false);
    // our P&L beside the broker's: we hold nothing, the broker 7
    expect(run.reconciliation.pnl).toEqual([expect.objectContaining({ symbol: 'AAPL', ours: null, broker: expect.objectContaining({ quantity: '7', avg_price: '150.25' }) })]);
    expect(d.snapshot().reconciliation).toEqual([run.reconciliation]);

    const resolved = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.resolve', { account: ACC, line_id: 'position:AAPL', action: 'adopt_broker' });
    expect(resolved.reconciliation.status).toBe('clean');
    expect(resolved.reconciliation.lines.map((l) => [l.id, l.kind])).toEqual([['position:AAPL', 'matched']]);
    expect(d.reconciler.clean(ACC)).toBe(true);
    // beside the broker's now: the same 7 @ 150.25; our unrealized is unknown here (the stand-in has no mark), never zero
    expect(resolved.reconciliation.pnl).toEqual([
      expect.objectContaining({ symbol: 'AAPL', ours: expect.objectContaining({ quantity: '7', avg_price: '150.25', unrealized: null }), difference: null, explanation: [expect.stringMatching(/^no fresh mark/)] }),
    ]);
    // the ledger has the adopted position: one adjustment fill of 7 @ 150.25
    expect(store.orders.fillsForRebuild({ accountId: ACC }).map((f) => [f.symbol, f.side, f.quantity, f.price])).toEqual([['AAPL', 'buy', '7', '150.25']]);

    // events: a reconciliation_event per run (start, manual, resolve) and node_events for runs and the resolution
    const recon = events.filter((e) => e.type === 'reconciliation_event');
    expect(recon.map((e) => (e.type === 'reconciliation_event' ? e.reconciliation.trigger : null))).toEqual(['start', 'manual', 'resolve']);
    const nodes = events.filter((e) => e.type === 'node_event' && e.node_type === 'ReconciliationNode');
    expect(nodes.map((e) => (e.type === 'node_event' ? `${e.action}:${e.status}` : ''))).toEqual(['reconcile:completed', 'reconcile:info', 'reconcile_resolve:completed', 'reconcile:completed']);
    // close is refused while the account is not in Trade (here: no trading service at all), naming why
    const refused = await d.handle('reconcile.resolve', { account: ACC, line_id: 'position:AAPL', action: 'close' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'failed' } });
  });

  it('keep_local is kept in the ledger: a new desk on the same ledger finds the unchanged line resolved', { timeout: 25_000 }, async () => {
    const path = tmp.file('keep.sqlite');
    {
      const { d } = openDesk(path);
      await d.start();
      await waitFor(() => d.reconciler.state(ACC).trigger === 'start', 8000, 'the start reconciliation');
      d.simServer!.plantPosition({ symbol: 'SPY', qty: -2, avg_price: '400' });
      await command(d, 'reconcile.run', { account: ACC });
      const kept = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.resolve', { account: ACC, line_id: 'position:SPY', action: 'keep_local' });
      expect(kept.reconciliation.status).toBe('clean');
      expect(kept.reconciliation.lines[0]).toMatchObject({ kind: 'broker_only', resolution: 'keep_local' });
      await d.dispose();
      desk = null;
      ledger!.close();
      ledger = null;
    }
    const { d } = openDesk(path);
    await d.start();
    await waitFor(() => d.reconciler.state(ACC).trigger === 'start', 8000, 'the start reconciliation');
    // a fresh sim holds nothing: the same position planted again reads as the same line, still resolved
    d.simServer!.plantPosition({ symbol: 'SPY', qty: -2, avg_price: '400' });
    const again = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.run', { account: ACC });
    expect(again.reconciliation.status).toBe('clean');
    expect(again.reconciliation.lines[0]).toMatchObject({ id: 'position:SPY', kind: 'broker_only', resolution: 'keep_local' });
    d.simServer!.plantPosition({ symbol: 'SPY', qty: -3, avg_price: '400' });
    const changed = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.run', { account: ACC });
    expect(changed.reconciliation.status).toBe('diff');
    expect(changed.reconciliation.lines[0]!.resolution).toBeNull();
  });
});
