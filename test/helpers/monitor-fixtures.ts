/** Fake monitoring-cycle wires (issue 17) for the renderer's slice and component tests. */
import type { MonitorAccountWire, MonitorCycleWire, MonitorSettingsWire, MonitorStepName, MonitorStepWire } from '../../src/shared/contract';

export const STEP_NAMES: readonly MonitorStepName[] = ['fetch', 'fifo_pnl', 'sync', 'sl_tp', 'modify_entries', 'modify_sl', 'archive_rejected', 'regenerate', 'replace_regenerated', 'report'];

export const SETTINGS: MonitorSettingsWire = {
  enabled: true,
  interval_ms: 60_000,
  earliest: null,
  sl_tp: { stop_loss: { kind: 'pct', value: '30' }, take_profit: null, by_strategy: {} },
  regenerate: { permitted: false, strategies: [], max_attempts: 2 },
  fresh_quote_wait_ms: 5_000,
};

/** Ten steps: each ok unless `over[n]` says otherwise. */
export function steps(over: Partial<Record<number, Partial<MonitorStepWire>>> = {}): MonitorStepWire[] {
  return STEP_NAMES.map((name, i) => ({ step: i + 1, name, status: 'ok', reason: null, error: null, duration_ms: 10 * (i + 1), note: null, actions: [], ...over[i + 1] }));
}

export function cycle(over: Partial<MonitorCycleWire> = {}): MonitorCycleWire {
  const started = over.started_at ?? 1_000_000;
  return {
    id: `c-${started}`,
    account: 'default',
    trigger: 'schedule',
    started_at: started,
    finished_at: started + 420,
    duration_ms: 420,
    status: 'ok',
    stopped_at: null,
    steps: steps(),
    errors: [],
    summary: 'ok: 2 orders, 1 position; nothing to place',
    delayed_ms: null,
    ...over,
  };
}

/** Step 1 failed: the cycle stopped, steps 2–9 skipped, 10 reported. */
export function stoppedCycle(over: Partial<MonitorCycleWire> = {}): MonitorCycleWire {
  const skipped: Partial<MonitorStepWire> = ({ status: 'skipped', reason: 'cycle stopped: step 1 failed', duration_ms: 0 });
  return cycle({
    status: 'stopped',
    steps: steps({ 1: { status: 'failed', error: 'GET /v2/orders: HTTP 500 sim step fault', duration_ms: 35 }, 2: skipped, 3: skipped, 4: skipped, 5: skipped, 6: skipped, 7: skipped, 8: skipped, 9: skipped }),
    errors: [{ step: 1, name: 'fetch', message: 'GET /v2/orders: HTTP 500 sim step fault' }],
    summary: '1 error: step 1 fetch failed',
    ...over,
  });
}

export function account(over: Partial<MonitorAccountWire> = {}): MonitorAccountWire {
  return {
    account: 'default',
    venue_mode: 'SIM',
    exchange: 'SIM',
    state: 'active',
    reason: null,
    paused: over.state === 'paused',
    next_run_at: 1_060_000,
    interval_ms: 60_000,
    session_needed: null,
    session_expires_at: null,
    failing_steps: {},
    last_cycle: null,
    settings: SETTINGS,
    ...over,
  };
}
