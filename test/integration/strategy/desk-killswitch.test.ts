// The kill switch at Halted stops the account's strategy runs (spec §2: Halted allows only cancels):
// a run still entering is halted — no further entry attempt goes out — and it is not resumed when the
// switch is re-armed. Before, the run kept stepping its ladder against a gateway refusing every order.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import type { StrategyDefinition, StrategyRuntimeWire } from '../../../src/shared/contract';
import { command, sentClientIds, waitFor } from '../../helpers/desk-wait';
import { deskStrangle } from '../../helpers/strategy-fixtures';

let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
});

const strangle: StrategyDefinition = deskStrangle('ks-strangle', 'Kill switch strangle', { max_retry: 50, retry_delay_ms: 300 });

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
    const atHalt = (await sentClientIds(d)).length;
    // several retry delays later: nothing more was sent
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await sentClientIds(d)).length).toBe(atHalt);

    await command(d, 'killswitch.set', { account: 'default', level: 'active', reason: 'test: re-armed', rearm: true });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(d.strategy.payloads()[0]?.status).toBe('halted');
    expect((await sentClientIds(d)).length).toBe(atHalt);
  });
});
