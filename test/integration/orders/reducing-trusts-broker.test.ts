// Review of issue 16, defect 2 (through the desk: sim venue, SQLite ledger): Reducing must not trust
// our ledger's position where it disagrees with the broker. Ledger long 4, broker long 2 (a planted
// broker position): a sell of 4 "reduces" by our ledger but would leave the account short 2 — refused
// (the old wiring accepted it). Once the line is resolved (adopt_broker: ledger 2 = broker 2) a sell of
// 2 passes and a sell of 4 is still refused.
import { describe, expect, it } from 'vitest';
import type { Desk } from '../../../src/node/desk';
import type { ReconciliationWire } from '../../../src/shared/trading';
import { command, deskWithLedger, useDeskLedgers, waitFor } from './desk-ledger-rig';

useDeskLedgers();

type Placed = { outcome: { kind: string; reason?: string } };
const sell = (d: Desk, quantity: string) => command<Placed>(d, 'orders.place', { account: 'default', symbol: 'SPY', side: 'sell', quantity, order_type: 'limit', limit_price: '9999' });

describe('kill switch Reducing weighs only positions the broker does not contradict (sim + SQLite ledger)', () => {
  it('ledger 4 ≠ broker 2: a sell of 4 that reduces by our ledger is refused; after adopt_broker a sell of 2 passes, 4 still refused', { timeout: 30_000 }, async () => {
    const { desk: d } = deskWithLedger('reducing-trusts-broker-');
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'running');
    await waitFor(() => d.reconciler.state('default').status === 'clean', 5000, 'the start reconciliation');
    const sim = d.simServer!;
    await waitFor(() => sim.model.quote('SPY', Date.now()) !== null, 5000, 'a SPY quote');
    await command(d, 'trading.set_mode', { account: 'default', mode: 'trade' });

    const bought = await command<Placed>(d, 'orders.place', { account: 'default', symbol: 'SPY', side: 'buy', quantity: '4', order_type: 'market' });
    expect(bought.outcome.kind).toBe('accepted');
    await waitFor(() => d.positions.signedQuantity('default', 'SPY') === 4_000_000_000n, 5000, 'ledger long 4');
    // The broker now holds 2 (traded elsewhere): ours says 4.
    const avg = d.positions.positions('default').find((p) => p.symbol === 'SPY')!.avgPrice!;
    expect(sim.plantPosition({ symbol: 'SPY', qty: 2, avg_price: avg })).toMatchObject({ ok: true });
    const run = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.run', { account: 'default' });
    expect(run.reconciliation.lines.map((l) => [l.id, l.kind])).toEqual([['position:SPY', 'quantity_mismatch']]);

    await command(d, 'killswitch.set', { account: 'default', level: 'reducing', reason: 'test' });
    const s4 = await sell(d, '4');
    expect(s4.outcome.kind).toBe('refused'); // the old wiring: accepted (would leave the broker short 2)
    expect(s4.outcome.reason).toMatch(/Reducing/);
    expect((await sell(d, '2')).outcome.kind).toBe('refused'); // even 2: the position is unknown until resolved
    // Close all sizes each position as the single-position exit does: not on an untrusted quantity (it would sell 4).
    const all = await d.handle('orders.exit', { account: 'default', target: { kind: 'all' } });
    expect(all.ok).toBe(false);
    expect(all.ok ? '' : all.error.message).toMatch(/the position of SPY on account default is not known: nothing can be closed safely/);

    const adopted = await command<{ reconciliation: ReconciliationWire }>(d, 'reconcile.resolve', { account: 'default', line_id: 'position:SPY', action: 'adopt_broker' });
    expect(adopted.reconciliation.lines.map((l) => [l.id, l.kind])).toEqual([['position:SPY', 'matched']]);
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(2_000_000_000n);
    expect((await sell(d, '4')).outcome.kind).toBe('refused');
    expect((await sell(d, '2')).outcome.kind).toBe('accepted');
  });
});
