// Review of issue 16, defect 1 (through the desk: sim venue, SQLite ledger, the real account fills and
// reconciler): trade_updates stalls, a market buy of 2 SPY fills at the sim, reconcile.run shows a
// broker-only line; adopt_broker must not count the fill twice — the ledger holds 2 (= the broker)
// after the adoption and still 2 after the stream resyncs and fetches the missed fills (the old code: 4).
import { describe, expect, it } from 'vitest';
import type { ReconciliationWire } from '../../../src/shared/trading';
import { command, deskWithLedger, useDeskLedgers, waitFor } from './desk-ledger-rig';

useDeskLedgers();

const SPY_2 = 2_000_000_000n;

describe('adopt_broker after a stalled order channel (sim + SQLite ledger)', () => {
  it('catches the fills up before adopting: ledger 2 = broker 2 after the adoption and after the resync (not 4)', { timeout: 30_000 }, async () => {
    const { desk: d, store } = deskWithLedger('adopt-after-stall-', { streams: { backoffBaseMs: 50, backoffCapMs: 200 } });
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'running');
    await d.positions.whenSynced('default');
    await waitFor(() => d.reconciler.state('default').status === 'clean', 5000, 'the start reconciliation');
    const sim = d.simServer!;
    await waitFor(() => sim.model.quote('SPY', Date.now()) !== null, 5000, 'a SPY quote');
    await command(d, 'trading.set_mode', { account: 'default', mode: 'trade' });

    sim.fault({ kind: 'stall', stream: 'trade_updates' });
    const placed = await command<{ outcome: { kind: string } }>(d, 'orders.place', { account: 'default', symbol: 'SPY', side: 'buy', quantity: '2', order_type: 'market' });
    expect(placed.outcome.kind).toBe('accepted');
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(0n); // the fill is on its way (stream stalled)

    const run = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.run', { account: 'default' });
    expect(run.reconciliation.lines.map((l) => [l.id, l.kind, l.broker?.quantity ?? null])).toEqual([['position:SPY', 'broker_only', '2']]);

    const adopted = await command<{ reconciliation: ReconciliationWire; note: string }>(d, 'reconcile.resolve', { account: 'default', line_id: 'position:SPY', action: 'adopt_broker' });
    expect(adopted.note).toMatch(/fills were caught up .*nothing was adopted/);
    expect(adopted.reconciliation.status).toBe('clean');
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(SPY_2);

    // The stream comes back and resyncs: the fetched fill is already counted.
    sim.fault({ kind: 'resume' });
    sim.fault({ kind: 'drop', stream: 'trade_updates' });
    await waitFor(() => d.reconciler.state('default').trigger === 'reconnect', 15_000, 'the reconciliation after the resync');
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(SPY_2);
    expect(d.reconciler.state('default').status).toBe('clean');
    const rows = store.orders.fillsForRebuild({ accountId: 'default' }).filter((f) => f.symbol === 'SPY');
    expect(rows.map((f) => [f.side, f.quantity])).toEqual([['buy', '2']]);
  });
});
