// The kill switch at Halted stops the account's strategy runs (spec §2: Halted allows only cancels):
// a run still entering is halted — no further entry attempt goes out — and it is not resumed when the
// switch is re-armed. Before, the run kept stepping its ladder against a gateway refusing every order.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import type { StrategyDefinition, StrategyRuntimeWire } from '../../../src/shared/contract';
import { command, waitFor } from '../../helpers/desk-wait';

let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
});

const strangle: StrategyDefinition = {
  id: 'ks-strangle',
  name: 'Kill switch strangle',
  account: 'default',
  underlying: 'SPY',
  legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell' as const, lots: 1, select: { by: 'delta' as const, min: 0.1, max: 0.4 }, expiry: { kind: 'nearest' as const, min_days: 0 }, stop_loss: null, take_profit: null })),
  schedule: { entry_time: '00:01', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
  entry: { max_retry: 50, retry_delay_ms: 300, step_ticks: 1, bound_spread_fraction: 1, fallback: 'give_up' },
  exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '23:59' },
  reentry: { count: 0, cutoff_time: null },
};

async function sentIds(d: Desk): Promise<string[]> {
  const orders = await d.accountVenue('default' as never)!.execution.orders({ status: 'all', limit: 500 });
  return orders.map((o) => o.clientOrderId);
}

describe('the kill switch and strategy runs', () => {
  it('Halted halts the account’s runs: no entry attempt after it, and a re-arm does not resume them', { timeout: 60_000 }, async () => {
    const d = (desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 50, watchlist: ['SPY'] }, monitorDefaults: { enabled: false } }));
    await d.start();
    await waitFor(() => d.reconciler.state('default').status === 'clean', 15_000, 'the start reconciliation');
    await command(d, 'trading.set_mode', { account: 'default', mode: 'trade' });
    await command(d, 'strategy.save', { definition: strangle });
    // every limit refused by the venue: the ladder keeps stepping, the run stays entering
    d.accountVenue('default' as never)!.sim!.fault({ kind: 'reject_limit_orders', count: 1000 });
    const run = (await command<{ run: StrategyRuntimeWire }>(d, 'strategy.start', { strategy_id: strangle.id, now: true })).run;
    await waitFor(() => (d.strategy.payloads()[0]?.entry.attempts ?? 0) >= 2, 20_000, 'two entry attempts');

    await command(d, 'killswitch.set', { account: 'default', level: 'halted', reason: 'test: stop everything' });
    await waitFor(() => d.strategy.payloads()[0]?.status === 'halted', 5_000, 'the run halted by the kill switch');
    const audit = await command<{ events: { kind: string; message: string }[] }>(d, 'strategy.audit', { run_id: run.run_id });
    expect(audit.events.at(-1)?.message).toMatch(/kill switch halted: test: stop everything/);
    const atHalt = (await sentIds(d)).length;
    // several retry delays later: nothing more was sent
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await sentIds(d)).length).toBe(atHalt);

    await command(d, 'killswitch.set', { account: 'default', level: 'active', reason: 'test: re-armed', rearm: true });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(d.strategy.payloads()[0]?.status).toBe('halted');
    expect((await sentIds(d)).length).toBe(atHalt);
  });
});
