// Issue 17: the monitoring cycle's step runners in the desk, on fakes of the venue, the order path,
// the reconciliation and the quote cache, driven by a manual clock: what each step does, that every
// order action goes through the order path, SL/TP placed once, fair-price modifications only on fresh
// quotes (and the wait recorded), archive and regenerate, session_needed → re-auth, the
// three-in-a-row notification, scheduling and pause.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { silentLogger } from '../../../../src/core/ports/logger';
import { VenueError, type VenueOrder, type VenuePosition, type VenueSessionState } from '../../../../src/core/ports/venue';
import type { ExecutionListeners, ExecutionPort } from '../../../../src/core/ports/execution';
import type { Account } from '../../../../src/core/model/account';
import { accountId } from '../../../../src/core/model/ids';
import { rebuildPositions, makeFill, type PositionSnapshot } from '../../../../src/core/pnl/fifo';
import { defaultMultiplierOf } from '../../../../src/core/monitor/actions';
import type { AlertDraft } from '../../../../src/core/alerts/types';
import { MonitorService, type MonitorQuote } from '../../../../src/node/app/monitor/monitor-service';
import { MemoryMonitorStore } from '../../../../src/node/app/monitor/store';
import type { MonitorOrders, MonitorPlaceInput } from '../../../../src/node/app/monitor/ports';
import type { MonitorCycleWire, MonitorStateEventBody, MonitorCycleEventBody } from '../../../../src/shared/monitor';
import type { OrderOutcomeWire, OrderWire, ReconciliationWire } from '../../../../src/shared/trading';
import type { VenueRun } from '../../../../src/node/compose';

const T0 = Date.UTC(2026, 11, 7, 15, 0, 0);
const OPT = 'SPY261218C00600000';
const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

class FakeExecution {
  orderBook: VenueOrder[] = [];
  positionList: VenuePosition[] = [];
  fail: { orders?: Error; positions?: Error } = {};
  reauths = 0;
  healOnReauth = true;
  listeners: Partial<ExecutionListeners>[] = [];
  calls = 0;
  sessionEndsAt: number | null = null;
  port(): ExecutionPort {
    return {
      accountId: accountId('acc1'),
      venue: 'sim',
      kind: 'sim',
      mode: 'SIM',
      start: async () => undefined,
      stop: async () => undefined,
      reauthenticate: async () => {
        this.reauths++;
        if (this.healOnReauth) this.fail = {};
      },
      sessionState: (): VenueSessionState => 'active',
      sessionExpiresAt: () => this.sessionEndsAt,
      listen: (l) => {
        this.listeners.push(l);
        return () => undefined;
      },
      health: () => [],
      restHealth: () => null,
      placeOrder: () => Promise.reject(new Error('not used')),
      replaceOrder: () => Promise.reject(new Error('not used')),
      cancelOrder: () => Promise.reject(new Error('not used')),
      orderByClientId: () => Promise.resolve(null),
      openOrders: () => Promise.resolve([]),
      orders: () => {
        this.calls++;
        return this.fail.orders ? Promise.reject(this.fail.orders) : Promise.resolve(this.orderBook);
      },
      positions: () => {
        this.calls++;
        return this.fail.positions ? Promise.reject(this.fail.positions) : Promise.resolve(this.positionList);
      },
      account: () => Promise.reject(new Error('not used')),
    } as ExecutionPort;
  }
}

class FakeOrders implements MonitorOrders {
  journal: OrderWire[] = [];
  placed: MonitorPlaceInput[] = [];
  replaced: { id: string; limit: string | undefined }[] = [];
  cancelled: string[] = [];
  blocked: string | null = null;
  rejectPlaces = false;
  private n = 0;
  constructor(private readonly clock: ManualClock) {}
  automationBlocked(): string | null {
    return this.blocked;
  }
  add(over: Partial<OrderWire>): OrderWire {
    const o: OrderWire = {
      client_order_id: `o${++this.n}`,
      account: 'acc1',
      symbol: OPT,
      side: 'buy',
      quantity: '1',
      order_type: 'limit',
      limit_price: '2',
      stop_price: null,
      role: 'entry',
      strategy: null,
      linked_client_order_id: null,
      archived_at: null,
      status: 'accepted',
      venue_order_id: null,
      venue_client_order_id: `o${this.n}`,
      filled_quantity: '0',
      replace_count: 0,
      pending: null,
      reason: null,
      origin: 'manual',
      created_at: this.clock.now(),
      updated_at: this.clock.now(),
      ...over,
    };
    this.journal.unshift(o);
    return o;
  }
  place(input: MonitorPlaceInput): Promise<OrderOutcomeWire> {
    this.placed.push(input);
    const o = this.add({
      ...(input.client_order_id ? { client_order_id: input.client_order_id } : {}),
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      order_type: input.order_type,
      limit_price: input.limit_price ?? null,
      stop_price: input.stop_price ?? null,
      role: input.role ?? null,
      strategy: input.strategy ?? null,
      linked_client_order_id: input.linked_client_order_id ?? null,
      origin: 'monitor',
      status: this.rejectPlaces ? 'rejected' : 'accepted',
      reason: this.rejectPlaces ? 'insufficient buying power' : null,
    });
    return Promise.resolve(this.rejectPlaces ? { kind: 'rejected', reason: 'insufficient buying power', http_status: 403, order: o } : { kind: 'accepted', order: o });
  }
  replace(_account: string, id: string, patch: { limit_price?: string | undefined }): Promise<OrderOutcomeWire> {
    this.replaced.push({ id, limit: patch.limit_price });
    const o = this.journal.find((j) => j.client_order_id === id)!;
    if (patch.limit_price) o.limit_price = patch.limit_price;
    return Promise.resolve({ kind: 'accepted', order: o });
  }
  cancel(_account: string, id: string): Promise<OrderOutcomeWire> {
    this.cancelled.push(id);
    const o = this.journal.find((j) => j.client_order_id === id)!;
    o.status = 'cancelled';
    return Promise.resolve({ kind: 'accepted', order: o });
  }
  list(opts: { scope?: 'open' | 'all' | undefined }): OrderWire[] {
    const terminal = new Set(['filled', 'cancelled', 'rejected', 'expired', 'archived']);
    return this.journal.filter((o) => opts.scope !== 'open' || !terminal.has(o.status));
  }
  archive(_account: string, id: string): OrderWire {
    const o = this.journal.find((j) => j.client_order_id === id)!;
    if (o.status !== 'rejected') throw new Error(`order ${id} is ${o.status}, not final`);
    o.archived_at = this.clock.now();
    return o;
  }
}

const recon = (status: ReconciliationWire['status'], lines: ReconciliationWire['lines'] = []): ReconciliationWire => ({
  account: 'acc1',
  at: 0,
  status,
  error: status === 'unavailable' ? 'broker down' : null,
  trigger: 'monitor',
  lines,
  pnl: [],
});

function rig(opts: { fills?: { side: 'buy' | 'sell'; qty: string; price: string; symbol?: string }[] } = {}) {
  const clock = new ManualClock(T0);
  const exec = new FakeExecution();
  const orders = new FakeOrders(clock);
  const store = new MemoryMonitorStore();
  const alerts: AlertDraft[] = [];
  const events: ((MonitorStateEventBody | MonitorCycleEventBody) & { serverTime: number })[] = [];
  const nodes: { id: string; parent: string | null; action: string; status: string; message: string }[] = [];
  let reconciliation = recon('clean');
  const quotes = new Map<string, MonitorQuote>();
  const refreshes: string[] = [];
  let onRefresh: ((symbol: string) => void) | null = null;
  const account: Account = { id: accountId('acc1'), label: 'acc1', venue: 'sim', mode: 'SIM', credentialsRef: null };
  let snapshots: PositionSnapshot[] = [];
  const setFills = (fills: { side: 'buy' | 'sell'; qty: string; price: string; symbol?: string }[]) => {
    snapshots = rebuildPositions(
      fills.map((f, i) => makeFill({ fill_id: `f${i}`, position_id: `acc1:${f.symbol ?? OPT}`, symbol: f.symbol ?? OPT, side: f.side, quantity: f.qty, price: f.price, time: T0 - 1000 + i })),
      { multiplierOf: defaultMultiplierOf },
    ).positions;
  };
  setFills(opts.fills ?? []);
  const svc = new MonitorService({
    clock,
    logger: silentLogger,
    orders: () => orders,
    reconciliation: () => ({ clean: () => reconciliation.status === 'clean', state: () => reconciliation, run: () => Promise.resolve(reconciliation) }),
    snapshots: () => snapshots,
    quote: (_a, s) => quotes.get(s) ?? null,
    refresh: (_a, s) => {
      refreshes.push(s);
      onRefresh?.(s);
      return Promise.resolve();
    },
    subscribe: () => undefined,
    killSwitchLevel: () => 'active',
    store,
    publish: (e) => events.push(e),
    node: (n) => {
      const id = `x${nodes.length + 1}`;
      nodes.push({ id, parent: n.parent, action: n.action, status: n.status, message: n.message });
      return id;
    },
    alert: (a) => alerts.push(a),
    accounts: () => [account],
    defaults: { interval_ms: 60_000 },
  });
  const venue = { account, execution: exec.port(), marketData: null, sim: null, dispose: async () => undefined } as unknown as VenueRun;
  return {
    clock,
    exec,
    orders,
    store,
    alerts,
    events,
    nodes,
    svc,
    quotes,
    refreshes,
    setFills,
    start: () => {
      svc.accountStarted(account, venue);
      // the first tick is due at start (a timer of 0 ms on the manual clock)
      clock.advance(0);
    },
    setRecon: (r: ReconciliationWire) => {
      reconciliation = r;
    },
    onRefresh: (f: (symbol: string) => void) => {
      onRefresh = f;
    },
    cycles: () => events.filter((e): e is MonitorCycleEventBody & { serverTime: number } => e.type === 'monitor_cycle').map((e) => e.cycle),
  };
}

const statuses = (c: MonitorCycleWire) => c.steps.map((s) => `${s.step}:${s.status}`).join(' ');

describe('the monitoring cycle in the desk (app/monitor/monitor-service.ts)', () => {
  it('runs at start and every interval; records every cycle and publishes one monitor_cycle each', async () => {
    const r = rig();
    r.start();
    await flush();
    expect(r.cycles()).toHaveLength(1);
    expect(statuses(r.cycles()[0]!)).toBe('1:ok 2:ok 3:ok 4:ok 5:ok 6:ok 7:ok 8:skipped 9:skipped 10:skipped');
    expect(r.cycles()[0]!.steps[7]!.reason).toMatch(/not permitted/);
    expect(r.cycles()[0]!.status).toBe('ok');
    r.clock.advance(60_000);
    await flush();
    expect(r.cycles()).toHaveLength(2);
    expect(r.store.cycles('acc1', 10).map((c) => c.id)).toEqual(r.cycles().map((c) => c.id).reverse());
    // every fetch made both calls (2N concurrent calls, N = 1)
    expect(r.exec.calls).toBe(4);
    const state = r.svc.accounts()[0]!;
    expect(state.state).toBe('active');
    expect(state.next_run_at).toBe(T0 + 120_000);
    // the venue's own session end (SmartAPI's daily expiry) is carried for the card's countdown
    expect(state.session_expires_at).toBeNull();
    r.exec.sessionEndsAt = T0 + 8 * 3600_000;
    expect(r.svc.accounts()[0]!.session_expires_at).toBe(T0 + 8 * 3600_000);
  });

  it('step 4 places the missing SL and TP once, linked to the entry; a second cycle places nothing', async () => {
    const r = rig({ fills: [{ side: 'buy', qty: '2', price: '2.50' }] });
    r.orders.add({ client_order_id: 'entry1', status: 'filled', filled_quantity: '2', strategy: 'momo' });
    r.svc.configure('acc1', { sl_tp: { stop_loss: { kind: 'pct', value: '20' }, take_profit: { kind: 'points', value: '1' } } });
    r.quotes.set(OPT, { bid: 2.45, ask: 2.55, fresh: true, ageMs: 0 });
    r.start();
    await flush();
    expect(r.orders.placed.map((p) => [p.role, p.side, p.order_type, p.stop_price, p.limit_price, p.quantity, p.linked_client_order_id, p.strategy])).toEqual([
      ['sl', 'sell', 'stop_limit', '2', '2', '2', 'entry1', 'momo'],
      ['tp', 'sell', 'limit', undefined, '3.5', '2', 'entry1', 'momo'],
    ]);
    const step4 = r.cycles()[0]!.steps[3]!;
    expect(step4.actions.map((a) => [a.kind, a.outcome])).toEqual([
      ['place_sl', 'done'],
      ['place_tp', 'done'],
    ]);
    // the action is a node_event under the cycle's execution id
    const cycleNode = r.nodes.find((n) => n.action === 'cycle' && n.status === 'started')!;
    expect(r.nodes.find((n) => n.id === step4.actions[0]!.execution_id)?.parent).toBe(cycleNode.id);
    r.clock.advance(60_000);
    await flush();
    expect(r.orders.placed).toHaveLength(2);
  });

  it('step 4 is skipped when step 3 fails (a reconciliation diff), and blocked actions are not errors', async () => {
    const r = rig({ fills: [{ side: 'sell', qty: '1', price: '2' }] });
    r.svc.configure('acc1', { sl_tp: { stop_loss: { kind: 'pct', value: '50' }, take_profit: null } });
    r.setRecon(recon('diff', [{ id: 'position:X', subject: 'position', kind: 'quantity_mismatch', symbol: OPT, client_order_id: null, broker: null, ledger: null, resolution: null, note: null }]));
    r.start();
    await flush();
    const c = r.cycles()[0]!;
    expect(statuses(c)).toBe('1:ok 2:ok 3:failed 4:skipped 5:ok 6:ok 7:ok 8:skipped 9:skipped 10:ok');
    expect(c.steps[2]!.error).toMatch(/1 difference\(s\) wait for the user/);
    expect(r.orders.placed).toEqual([]);
    r.setRecon(recon('clean'));
    r.orders.blocked = 'Monitor mode';
    r.clock.advance(60_000);
    await flush();
    const c2 = r.cycles()[1]!;
    expect(c2.status).toBe('ok');
    expect(c2.steps[3]!.actions).toEqual([expect.objectContaining({ kind: 'place_sl', outcome: 'blocked', detail: expect.stringMatching(/buy 1 stop 3 limit 3; not sent: Monitor mode/) })]);
    expect(r.orders.placed).toEqual([]);
  });

  it('step 5 modifies a crossed entry stop only on a fresh quote: it waits (recorded) and gives up without modifying when none comes', async () => {
    const r = rig();
    r.orders.add({ client_order_id: 'e1', order_type: 'stop_limit', stop_price: '2.00', limit_price: '2.00', role: 'entry', side: 'buy' });
    r.quotes.set(OPT, { bid: 2.1, ask: 2.2, fresh: false, ageMs: 30_000 });
    r.start();
    // the step polls the quote cache on the clock while it waits
    for (let i = 0; i < 60; i++) {
      await flush();
      r.clock.advance(100);
    }
    await flush();
    let c = r.cycles()[0]!;
    expect(c.steps[4]!.status).toBe('failed');
    expect(c.steps[4]!.error).toMatch(/no fresh quote of SPY261218C00600000 within 5000 ms \(last quote 30 s old\): not modified/);
    expect(r.orders.replaced).toEqual([]);
    expect(r.refreshes).toEqual([OPT]);
    // next cycle: the REST refresh brings a fresh quote after 300 ms → modified, and the wait recorded
    r.onRefresh(() => r.clock.setTimeout(() => r.quotes.set(OPT, { bid: 2.1, ask: 2.2, fresh: true, ageMs: 0 }), 300));
    r.clock.advance(60_000 - 6_000);
    for (let i = 0; i < 20; i++) {
      await flush();
      r.clock.advance(100);
    }
    await flush();
    c = r.cycles()[1]!;
    expect(c.steps[4]!.status).toBe('ok');
    expect(c.steps[4]!.actions.map((a) => [a.kind, a.outcome])).toEqual([
      ['wait_quote', 'waited'],
      ['modify_entry', 'done'],
    ]);
    expect(c.steps[4]!.actions[0]!.detail).toMatch(/waited \d+ ms for a fresh quote/);
    expect(r.orders.replaced).toEqual([{ id: 'e1', limit: '2.15' }]);
  });

  it('step 6 modifies a crossed SL (sell: fair ≤ stop) at once on a fresh quote; an uncrossed one is left alone', async () => {
    const r = rig({ fills: [{ side: 'buy', qty: '1', price: '2' }, { side: 'buy', qty: '1', price: '2', symbol: 'QQQ' }] });
    r.orders.add({ client_order_id: 's1', order_type: 'stop_limit', stop_price: '1.50', limit_price: '1.50', role: 'sl', side: 'sell' });
    r.orders.add({ client_order_id: 's2', symbol: 'QQQ', order_type: 'stop_limit', stop_price: '1.00', limit_price: '1.00', role: 'sl', side: 'sell' });
    r.quotes.set(OPT, { bid: 1.4, ask: 1.46, fresh: true, ageMs: 100 });
    r.quotes.set('QQQ', { bid: 1.4, ask: 1.46, fresh: true, ageMs: 100 });
    r.start();
    await flush();
    expect(r.orders.replaced).toEqual([{ id: 's1', limit: '1.43' }]);
    expect(r.cycles()[0]!.steps[5]!.note).toMatch(/2 working SL stop order\(s\); 1 modified/);
  });

  it('step 4 cancels an SL/TP that no longer fits the position (size or side) and places nothing beside a working exit', async () => {
    const r = rig({ fills: [{ side: 'buy', qty: '2', price: '2.50' }, { side: 'sell', qty: '1', price: '2.60' }] });
    r.orders.add({ client_order_id: 'entry1', status: 'filled', filled_quantity: '2' });
    r.orders.add({ client_order_id: 'sl2', role: 'sl', side: 'sell', quantity: '2', order_type: 'stop_limit', stop_price: '2', limit_price: '2' });
    r.quotes.set(OPT, { bid: 2.45, ask: 2.55, fresh: true, ageMs: 0 });
    r.svc.configure('acc1', { sl_tp: { stop_loss: { kind: 'pct', value: '20' }, take_profit: { kind: 'pct', value: '20' } } });
    r.orders.add({ client_order_id: 'x1', role: 'exit', origin: 'exit', side: 'sell', quantity: '1' });
    r.start();
    await flush();
    // the SL for 2 on a long 1 is cancelled; no TP is placed while the exit works
    expect(r.orders.cancelled).toEqual(['sl2']);
    expect(r.orders.placed).toEqual([]);
    expect(r.cycles()[0]!.steps[3]!.note).toMatch(/an exit is working \(x1\)/);
  });

  it('step 4 stops re-sending an SL the venue rejected three times today, and says so', async () => {
    const r = rig({ fills: [{ side: 'buy', qty: '1', price: '2.50' }] });
    r.quotes.set(OPT, { bid: 2.45, ask: 2.55, fresh: true, ageMs: 0 });
    r.svc.configure('acc1', { sl_tp: { stop_loss: { kind: 'pct', value: '20' }, take_profit: null } });
    r.orders.rejectPlaces = true;
    r.start();
    for (let i = 0; i < 4; i++) {
      await flush();
      r.clock.advance(60_000);
    }
    await flush();
    expect(r.orders.placed).toHaveLength(3);
    const last = r.cycles().at(-1)!;
    expect(last.steps[3]!.error).toMatch(/SL for SPY261218C00600000 not placed again: the venue rejected it 3 times today \(last: insufficient buying power\)/);
  });

  it('no regeneration while automation is blocked; a regeneration left from an earlier day expires, never placed', async () => {
    const r = rig();
    r.orders.add({ client_order_id: 'rj1', status: 'rejected', role: 'entry', strategy: 's' });
    r.svc.configure('acc1', { regenerate: { permitted: true, strategies: ['*'], max_attempts: 1 } });
    r.orders.blocked = 'Monitor mode';
    r.store.addRegeneration({ rejectedClientOrderId: 'old1', account: 'acc1', newClientOrderId: 'old1-r1', strategy: null, attempt: 1, cycleId: 'c0', createdAt: T0 - 86_400_000, status: null, reason: null, placedAt: null });
    r.start();
    await flush();
    const c = r.cycles()[0]!;
    expect(c.steps[7]!.note).toMatch(/not regenerating: Monitor mode/);
    expect(r.store.regenerations('acc1').find((x) => x.rejectedClientOrderId === 'rj1')).toBeUndefined();
    expect(r.store.regenerations('acc1').find((x) => x.rejectedClientOrderId === 'old1')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/expired: regenerated on an earlier day/) });
    expect(r.orders.placed).toEqual([]);
  });

  it('a pause survives a restart of the desk (the store keeps it)', async () => {
    const r = rig();
    r.start();
    await flush();
    r.svc.pause('acc1', true);
    expect(r.store.settings('acc1')).toMatchObject({ paused: true });
    expect(r.svc.accounts()[0]!.settings).not.toHaveProperty('paused');
  });

  it('step 4 cancels a protective order whose position is gone (it would open a new one if it filled)', async () => {
    const r = rig();
    r.orders.add({ client_order_id: 'tp1', role: 'tp', side: 'sell', limit_price: '3' });
    r.start();
    await flush();
    expect(r.orders.cancelled).toEqual(['tp1']);
    expect(r.cycles()[0]!.steps[3]!.actions).toEqual([expect.objectContaining({ kind: 'cancel_protective', outcome: 'done', client_order_id: 'tp1' })]);
  });

  it('step 7 archives rejected orders (never deletes); steps 8–9 regenerate permitted entries once, with a linked id', async () => {
    const r = rig();
    r.orders.add({ client_order_id: 'rj1', status: 'rejected', role: 'entry', strategy: 'straddle', reason: 'price band' });
    r.orders.add({ client_order_id: 'rj2', status: 'rejected', role: 'entry', strategy: 'other' });
    r.svc.configure('acc1', { regenerate: { permitted: true, strategies: ['straddle'], max_attempts: 1 } });
    r.start();
    await flush();
    const c = r.cycles()[0]!;
    expect(statuses(c)).toBe('1:ok 2:ok 3:ok 4:ok 5:ok 6:ok 7:ok 8:ok 9:ok 10:skipped');
    expect(r.orders.journal.filter((o) => o.archived_at !== null).map((o) => o.client_order_id).sort()).toEqual(['rj1', 'rj2']);
    expect(r.orders.placed).toEqual([expect.objectContaining({ client_order_id: 'rj1-r1', linked_client_order_id: 'rj1', role: 'entry', strategy: 'straddle' })]);
    expect(r.store.regenerations('acc1')).toEqual([expect.objectContaining({ rejectedClientOrderId: 'rj1', newClientOrderId: 'rj1-r1', status: 'placed' })]);
    expect(c.steps[7]!.note).toMatch(/rj2: strategy other is not in the regenerate list/);
    r.clock.advance(60_000);
    await flush();
    expect(r.orders.placed).toHaveLength(1);
  });

  it('step 1 session error: session_needed, notified, cycles wait; one re-authentication recovers', async () => {
    const r = rig();
    r.exec.fail = { positions: new VenueError('GET /v2/positions: session refused (HTTP 401): access key verification failed', 401, 40110000, 'session') };
    r.start();
    await flush();
    const c = r.cycles()[0]!;
    expect(c.status).toBe('session_needed');
    expect(statuses(c)).toBe('1:failed 2:skipped 3:skipped 4:skipped 5:skipped 6:skipped 7:skipped 8:skipped 9:skipped 10:ok');
    expect(r.svc.accounts()[0]).toMatchObject({ state: 'session_needed', session_needed: { since: T0, error: expect.stringMatching(/401/) }, next_run_at: null });
    expect(r.alerts).toEqual([expect.objectContaining({ kind: 'session_needed', severity: 'critical', subject: 'acc1' })]);
    expect(r.svc.sessionBlocked('acc1')).toMatch(/session needed/);
    r.clock.advance(5 * 60_000);
    await flush();
    expect(r.cycles()).toHaveLength(1);
    const res = await r.svc.reauthenticate('acc1');
    expect(res).toMatchObject({ ok: true, error: null, account: { state: 'active', session_needed: null } });
    expect(r.exec.reauths).toBe(1);
    expect(r.cycles()).toHaveLength(2);
    expect(r.cycles()[1]!.status).toBe('ok');
    r.clock.advance(60_000);
    await flush();
    expect(r.cycles().length).toBeGreaterThanOrEqual(3);
  });

  it('a re-authentication the venue still refuses keeps session_needed and says why', async () => {
    const r = rig();
    r.exec.healOnReauth = false;
    r.exec.fail = { orders: new VenueError('GET /v2/orders: session refused (HTTP 401)', 401, null, 'session') };
    r.start();
    await flush();
    const res = await r.svc.reauthenticate('acc1');
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/401/);
    expect(res.account.state).toBe('session_needed');
  });

  it('a non-session step-1 failure stops the cycle and is reported; the same step failing 3 cycles in a row is notified once', async () => {
    const r = rig();
    r.exec.fail = { orders: new VenueError('GET /v2/orders: HTTP 500: boom', 500, null, 'server') };
    r.start();
    for (let i = 0; i < 4; i++) {
      await flush();
      r.clock.advance(60_000);
    }
    await flush();
    const cs = r.cycles();
    expect(cs.length).toBeGreaterThanOrEqual(4);
    expect(cs[0]!.status).toBe('stopped');
    expect(cs[0]!.summary).toMatch(/stopped at step 1: 1 error\(s\) — step 1 fetch: order book: GET \/v2\/orders: HTTP 500: boom/);
    expect(r.alerts.filter((a) => a.kind === 'monitor_step_failing')).toEqual([expect.objectContaining({ subject: 'acc1:fetch', body: expect.stringMatching(/failed 3 cycles in a row/) })]);
    expect(r.svc.accounts()[0]!.failing_steps.fetch).toBeGreaterThanOrEqual(4);
    expect(r.nodes.some((n) => n.action === 'monitor_errors' && n.status === 'failed')).toBe(true);
    r.exec.fail = {};
    r.clock.advance(60_000);
    await flush();
    expect(r.svc.accounts()[0]!.failing_steps.fetch).toBeUndefined();
  });

  it('an SL fill that leaves the position flat cancels the TP at once (one cancels other)', async () => {
    const r = rig();
    r.start();
    await flush();
    const sl = r.orders.add({ client_order_id: 'sl1', role: 'sl', side: 'sell', order_type: 'stop_limit', stop_price: '1', limit_price: '1', status: 'filled', filled_quantity: '1' });
    r.orders.add({ client_order_id: 'tp1', role: 'tp', side: 'sell', limit_price: '3' });
    r.orders.add({ client_order_id: 'other', role: 'tp', symbol: 'QQQ', side: 'sell', limit_price: '3' });
    const account = { id: accountId('acc1'), label: 'acc1', venue: 'sim' as const, mode: 'SIM' as const, credentialsRef: null };
    const order = { id: 'v1', clientOrderId: sl.venue_client_order_id, symbol: OPT, side: 'sell', type: 'stop_limit', orderClass: '', timeInForce: 'day', qty: '1', filledQty: '1', filledAvgPrice: '1', limitPrice: '1', stopPrice: '1', status: 'filled', createdAt: null, updatedAt: null, legs: [] } as VenueOrder;
    r.svc.orderUpdate(account, { event: 'partial_fill', order, executionId: 'e0', price: '1', qty: '1', positionQty: '0', timestamp: null, receivedAt: 0 });
    await flush();
    expect(r.orders.cancelled).toEqual([]);
    r.svc.orderUpdate(account, { event: 'fill', order, executionId: 'e1', price: '1', qty: '1', positionQty: '0', timestamp: null, receivedAt: 0 });
    await flush();
    expect(r.orders.cancelled).toEqual(['tp1']);
    expect(r.nodes.some((n) => n.action === 'cancel_protective' && /SL sl1 filled .* cancel TP tp1 — accepted/.test(n.message))).toBe(true);
    // while the position is still open (a partial exit), nothing is cancelled
    r.setFills([{ side: 'buy', qty: '2', price: '2' }]);
    r.orders.add({ client_order_id: 'tp2', role: 'tp', side: 'sell', limit_price: '3' });
    r.svc.orderUpdate(account, { event: 'fill', order, executionId: 'e2', price: '1', qty: '1', positionQty: '1', timestamp: null, receivedAt: 0 });
    await flush();
    expect(r.orders.cancelled).toEqual(['tp1']);
  });

  it('pause stops the schedule (no timer left), resume starts it; run now runs a cycle regardless', async () => {
    const r = rig();
    r.start();
    await flush();
    expect(r.svc.pause('acc1', true).state).toBe('paused');
    expect(r.clock.pendingTimers()).toBe(0);
    r.clock.advance(5 * 60_000);
    await flush();
    expect(r.cycles()).toHaveLength(1);
    const c = await r.svc.runNow('acc1');
    expect(c.trigger).toBe('run_now');
    expect(r.svc.pause('acc1', false).state).toBe('active');
    r.clock.advance(0);
    await flush();
    expect(r.cycles()).toHaveLength(3);
    r.svc.accountStopping({ id: accountId('acc1'), label: 'acc1', venue: 'sim', mode: 'SIM', credentialsRef: null });
    expect(r.clock.pendingTimers()).toBe(0);
    expect(r.svc.accounts()[0]!.state).toBe('stopped');
  });
});
