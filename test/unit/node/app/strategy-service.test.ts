// Issue 18: the strategy service's orchestration around the engine seam, on a scripted engine and
// fakes: actions carried out through the order path (deterministic ids never sent twice), the state
// persisted before orders go out and restored after a restart (resumed only once the account is
// started and reconciled), the audit log, notifications, runtime events; definitions with
// import/export and errors naming the field.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { silentLogger } from '../../../../src/core/ports/logger';
import { accountId } from '../../../../src/core/model/ids';
import type { Account } from '../../../../src/core/model/account';
import type { AlertDraft } from '../../../../src/core/alerts/types';
import type { StrategyDefinition } from '../../../../src/core/strategy/definition';
import type { RunInputs, RunStep, StrategyEngine } from '../../../../src/core/strategy/engine-api';
import type { StrategyRuntimeWire } from '../../../../src/core/strategy/runtime-payload';
import { StrategyService, type StrategyOrders } from '../../../../src/node/app/strategy/strategy-service';
import { MemoryStrategyStore } from '../../../../src/node/app/strategy/store';
import type { OrderOutcomeWire, OrderWire } from '../../../../src/shared/trading';
import type { VenueRun } from '../../../../src/node/compose';

const T0 = Date.UTC(2026, 11, 7, 14, 0, 0);
const ACC: Account = { id: accountId('acc1'), label: 'acc1', venue: 'sim', mode: 'SIM', credentialsRef: null };
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

const definition = (over: Partial<StrategyDefinition> = {}): StrategyDefinition => ({
  id: 'strangle',
  name: 'Short strangle',
  account: 'acc1',
  underlying: 'SPY',
  legs: [
    { right: 'call', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null },
    { right: 'put', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null },
  ],
  schedule: { entry_time: '09:45', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  entry: { max_retry: 3, retry_delay_ms: 2000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
  exits: { stop_loss: null, take_profit: null, trailing: null, forced_exit_time: '15:45' },
  reentry: { count: 0, cutoff_time: null },
  ...over,
});

/** A scripted engine: selects, then places one entry per leg, then goes live when both are filled. */
interface S {
  runId: string;
  status: 'waiting' | 'entering' | 'live' | 'halted';
  selected: string[];
  placed: string[];
  outcomes: Record<string, string>;
  paused: boolean;
}
const engine: StrategyEngine<S> = {
  newRun: (runId, _d, _e, _now, opts) => ({ state: { runId, status: opts?.enterNow ? 'entering' : 'waiting', selected: [], placed: [], outcomes: {}, paused: false }, actions: opts?.enterNow ? [{ kind: 'select_contracts' }] : [], audit: [{ kind: 'scheduled', message: 'run created' }] }),
  advance: (s, inputs: RunInputs): RunStep<S> => {
    if (s.status === 'entering' && s.placed.length === 2 && s.placed.every((id) => inputs.order(id)?.status === 'filled')) {
      return { state: { ...s, status: 'live' }, actions: [{ kind: 'notify', alert: 'entry_succeeded', title: 'Entry filled', body: 'both legs' }], audit: [{ kind: 'entry_filled', message: 'both legs filled' }] };
    }
    return { state: s, actions: [], audit: [] };
  },
  contractsSelected: (s, result) => {
    if (!result.ok) return { state: { ...s, status: 'halted' }, actions: [{ kind: 'notify', alert: 'entry_failed', title: 'no entry', body: result.reason }], audit: [{ kind: 'entry_failed', message: result.reason }] };
    const ids = result.contracts.map((c) => `${s.runId}-e${c.leg}-1`);
    return {
      state: { ...s, selected: result.contracts.map((c) => c.symbol), placed: ids },
      actions: result.contracts.map((c, i) => ({ kind: 'place' as const, clientOrderId: ids[i]!, leg: c.leg, symbol: c.symbol, side: 'sell' as const, quantity: 1, orderType: 'limit' as const, limitPrice: 1.25, retryCount: 0, purpose: 'entry' as const, reason: 'first attempt at the mid' })),
      audit: [{ kind: 'contracts_selected', message: result.contracts.map((c) => c.symbol).join(', ') }],
    };
  },
  placeOutcome: (s, id, outcome) => ({ state: { ...s, outcomes: { ...s.outcomes, [id]: outcome.kind } }, actions: [], audit: [{ kind: 'entry_attempt', message: `${id}: ${outcome.kind}` }] }),
  manualExit: (s) => ({ state: s, actions: [], audit: [{ kind: 'manual_exit', message: 'exit requested' }] }),
  pause: (s, paused) => ({ state: { ...s, paused }, actions: [], audit: [{ kind: paused ? 'paused' : 'resumed', message: '' }] }),
  halt: (s, reason) => ({ state: { ...s, status: 'halted' }, actions: [], audit: [{ kind: 'halted', message: reason }] }),
  resume: (s, inputs) => {
    // re-send whatever the journal does not hold yet (never what it holds)
    const missing = s.placed.filter((id) => inputs.order(id) === null);
    return { state: s, actions: missing.map((id, i) => ({ kind: 'place' as const, clientOrderId: id, leg: i, symbol: s.selected[i]!, side: 'sell' as const, quantity: 1, orderType: 'limit' as const, limitPrice: 1.25, retryCount: 0, purpose: 'entry' as const, reason: 'resume' })), audit: [{ kind: 'resumed', message: `${missing.length} to send` }] };
  },
  payload: (s, inputs): StrategyRuntimeWire => ({
    run_id: s.runId,
    strategy_id: 'strangle',
    account: 'acc1',
    status: s.status,
    status_reason: null,
    scheduled_entry_at: null,
    time_to_entry: null,
    entry: { method: 'limit', attempts: s.placed.length, timestamp: null, legs: [] },
    positions: [],
    strategy: { total_pnl: null, total_pnl_pct: null, exit_time: null, time_to_exit: null, trailing: null, exit_reason: null, reentries_left: 0, paused: s.paused, config: definition() },
    updated_at: new Date(inputs.now).toISOString(),
  }),
  symbols: (s) => s.selected,
  placeWanted: (s) => s.status !== 'halted',
  finished: (s) => s.status === 'halted',
};

class FakeOrders implements StrategyOrders {
  journal = new Map<string, OrderWire>();
  places: string[] = [];
  blocked: string | null = null;
  automationBlocked(): string | null {
    return this.blocked;
  }
  place(input: Parameters<StrategyOrders['place']>[0]): Promise<OrderOutcomeWire> {
    this.places.push(input.client_order_id!);
    const o = { client_order_id: input.client_order_id!, venue_client_order_id: input.client_order_id!, status: 'accepted', filled_quantity: '0', reason: null, symbol: input.symbol } as unknown as OrderWire;
    this.journal.set(o.client_order_id, o);
    return Promise.resolve({ kind: 'accepted', order: o });
  }
  cancel(): Promise<OrderOutcomeWire> {
    return Promise.reject(new Error('not in this test'));
  }
  order(_a: string, id: string): OrderWire | null {
    return this.journal.get(id) ?? null;
  }
}

function rig(store = new MemoryStrategyStore(), orders = new FakeOrders()) {
  const clock = new ManualClock(T0);
  const alerts: AlertDraft[] = [];
  const events: { type: string }[] = [];
  let reconciled = false;
  const svc = new StrategyService<S>({
    clock,
    logger: silentLogger,
    engine,
    select: () => Promise.resolve({ ok: true, contracts: [0, 1].map((leg) => ({ leg, symbol: leg === 0 ? 'SPY261218C00620000' : 'SPY261218P00580000', expiry: '2026-12-18', strike: leg === 0 ? 620 : 580, delta: 0.2, deltaSource: 'venue' as const, deltaAgeMs: 100, multiplier: 100, tick: 0.01 })) }),
    orders: () => orders,
    quote: () => null,
    refresh: () => Promise.resolve(),
    subscribe: () => undefined,
    exchangeOf: () => 'SIM',
    reconciled: () => reconciled,
    store,
    publish: (e) => events.push(e),
    node: () => `x${Math.random().toString(36).slice(2)}`,
    alert: (a) => alerts.push(a),
    accounts: () => [ACC],
    tickMs: 250,
  });
  const venue = {} as VenueRun;
  return { clock, svc, store, orders, alerts, events, start: () => svc.accountStarted(ACC, venue), reconcile: () => (reconciled = true) };
}

describe('the strategy service (app/strategy)', () => {
  it('definitions: save validates and names the field; import is all or nothing with errors per index; export round-trips', () => {
    const r = rig();
    expect(() => r.svc.save({ ...definition(), legs: [] })).toThrow(/legs: must have at least one leg/);
    expect(() => r.svc.save(definition({ account: 'nobody' }))).toThrow(/the desk holds no account "nobody"/);
    r.svc.save(definition());
    const exported = r.svc.exportJson(undefined);
    expect(JSON.parse(exported)).toEqual([definition()]);
    const bad = r.svc.importJson(JSON.stringify([definition({ id: 'a' }), { ...definition({ id: 'b' }), schedule: { entry_time: '9:45', days: ['mon'] } }]));
    expect(bad.saved).toEqual([]);
    expect(bad.errors).toEqual([{ index: 1, errors: [expect.stringMatching(/^schedule\.entry_time: must be a time of day HH:mm/)] }]);
    expect(r.svc.definitions().map((d) => d.id)).toEqual(['strangle']);
    expect(r.svc.importJson('{nope').errors[0]!.errors[0]).toMatch(/not JSON/);
    expect(r.svc.importJson(exported.replace('"strangle"', '"strangle2"')).saved.map((d) => d.id)).toEqual(['strangle2']);
    expect(r.svc.remove('strangle2')).toBe(true);
    expect(r.svc.remove('strangle2')).toBe(false);
    expect(() => r.svc.exportJson(['nope'])).toThrow(/no definition "nope"/);
  });

  it('a run: refused before the account runs or while automation is blocked; then selected, placed through the order path, persisted before the orders went out, audited, announced', async () => {
    const r = rig();
    r.svc.save(definition());
    await expect(r.svc.start('strangle', true)).rejects.toThrow(/account acc1 is not running/);
    r.start();
    r.orders.blocked = 'Monitor mode: read-only';
    await expect(r.svc.start('strangle', true)).rejects.toThrow(/Monitor mode/);
    r.orders.blocked = null;
    await expect(r.svc.start('nope', true)).rejects.toThrow(/no strategy definition "nope"/);
    const run = await r.svc.start('strangle', true);
    expect(r.orders.places).toEqual([`${run.run_id}-e0-1`, `${run.run_id}-e1-1`]);
    const stored = r.store.openRuns()[0]!;
    expect(JSON.parse(stored.engineState)).toMatchObject({ placed: [`${run.run_id}-e0-1`, `${run.run_id}-e1-1`] });
    expect(stored.metadata).toMatchObject({ config_id: 'strangle', entry_method: 'limit_then_market', max_retry: 3, target_delta_range: [0.15, 0.25] });
    expect(r.svc.audit(run.run_id, undefined, undefined).map((e) => e.kind)).toEqual(['scheduled', 'contracts_selected', 'entry_attempt', 'entry_attempt']);
    expect(r.events.some((e) => e.type === 'strategy_runtime')).toBe(true);
    // fills → the tick advances the engine → live, notified once
    for (const o of r.orders.journal.values()) o.status = 'filled';
    r.clock.advance(250);
    await flush();
    r.clock.advance(250);
    await flush();
    expect(r.svc.payloads()[0]!.status).toBe('live');
    expect(r.alerts.filter((a) => a.kind === 'entry_succeeded')).toHaveLength(1);
    r.svc.dispose();
    expect(r.clock.pendingTimers()).toBe(0);
  });

  it('a restart in the middle of entering resumes only once reconciled, and never sends an order the journal holds', async () => {
    const store = new MemoryStrategyStore();
    const orders = new FakeOrders();
    const first = rig(store, orders);
    first.svc.save(definition());
    first.start();
    const run = await first.svc.start('strangle', true);
    // the second leg's order was lost with the process: only the first is in the journal
    orders.journal.delete(`${run.run_id}-e1-1`);
    orders.places = [];
    first.svc.dispose();

    const second = rig(store, orders);
    expect(second.svc.payloads().map((p) => p.run_id)).toEqual([run.run_id]);
    second.clock.advance(1000);
    await flush();
    expect(orders.places).toEqual([]); // not started yet
    second.start();
    second.clock.advance(1000);
    await flush();
    expect(orders.places).toEqual([]); // not reconciled yet
    second.reconcile();
    second.clock.advance(250);
    await flush();
    expect(orders.places).toEqual([`${run.run_id}-e1-1`]);
    second.clock.advance(1000);
    await flush();
    expect(orders.places).toEqual([`${run.run_id}-e1-1`]);
    second.svc.dispose();
  });

  it('pause, halt and manual exit go through the engine and are audited; an unknown run is named', async () => {
    const r = rig();
    r.svc.save(definition());
    r.start();
    const run = await r.svc.start('strangle', false);
    expect(run.status).toBe('waiting');
    r.svc.pause(run.run_id, true);
    await flush();
    expect(r.svc.payloads()[0]!.strategy.paused).toBe(true);
    await r.svc.exit(run.run_id, 1);
    expect((await r.svc.halt(run.run_id, 'test')).status).toBe('halted');
    expect(r.svc.audit(run.run_id, undefined, undefined).map((e) => e.kind)).toEqual(['scheduled', 'paused', 'manual_exit', 'halted']);
    expect(() => r.svc.pause('nope', true)).toThrow(/no strategy run "nope"/);
    r.svc.dispose();
  });
});
