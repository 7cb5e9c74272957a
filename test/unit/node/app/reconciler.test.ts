// The reconciler (issue 16 items 5, 6) against fakes of the other parts' ports (app/trading/ports.ts):
// the automation gate blocks until each line is resolved; keep_local persists across an unchanged
// re-run (and a restart) and blocks again when the line changes; close is refused in Monitor; a
// missing broker report is unavailable, not flat; every run and resolution is an event.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { MemoryReconciliationStore } from '../../../../src/core/ports/reconciliation-store';
import type { VenueOrder, VenuePosition } from '../../../../src/core/ports/venue';
import type { Account } from '../../../../src/core/model/account';
import { accountId } from '../../../../src/core/model/ids';
import type { OrderGateway, GatewayOutcome } from '../../../../src/core/orders/gateway';
import type { ExitRunWire, ExitTargetWire, OrderWire, TradingMode } from '../../../../src/shared/trading';
import { Reconciler, ReconcilerError, type ReconNode } from '../../../../src/node/app/trading/reconciler';
import type { AccountPositions, LedgerPositionView, TradingPort } from '../../../../src/node/app/trading/ports';
import type { VenueRun } from '../../../../src/node/compose';

const ACC = 'acc1';
const account = { id: accountId(ACC), label: ACC, venue: 'sim', mode: 'sim', credentialsRef: null } as unknown as Account;

class FakeBroker {
  positions: VenuePosition[] = [];
  openOrders: VenueOrder[] = [];
  fail: string | null = null;
  cancelled: string[] = [];
  port = {
    positions: async () => {
      if (this.fail) throw new Error(this.fail);
      return this.positions.map((p) => ({ ...p }));
    },
    openOrders: async () => this.openOrders.map((o) => ({ ...o })),
    cancelOrder: async (id: string) => {
      this.cancelled.push(id);
    },
  };
  hold(symbol: string, qty: number, avg: string, unrealized = '0') {
    this.positions = this.positions.filter((p) => p.symbol !== symbol);
    if (qty !== 0) {
      this.positions.push({ symbol, assetClass: 'us_equity', qty: String(Math.abs(qty)), side: qty > 0 ? 'long' : 'short', avgEntryPrice: avg, marketValue: null, costBasis: null, unrealizedPl: unrealized, currentPrice: null });
    }
  }
  venue(): VenueRun {
    return { execution: this.port } as unknown as VenueRun;
  }
}

class FakePositions implements AccountPositions {
  rows = new Map<string, LedgerPositionView>();
  adopted: { symbol: string; quantity: string; avgPrice: string | null; reason: string }[] = [];
  synced: Promise<void> = Promise.resolve();
  signedQuantity(): bigint | null {
    return null;
  }
  positions(): LedgerPositionView[] {
    return [...this.rows.values()];
  }
  set(symbol: string, quantity: string, avgPrice: string | null) {
    this.rows.set(symbol, { account: ACC, symbol, quantity, avgPrice, realized: '0', unrealized: '0', fees: '0', multiplier: '1' });
  }
  adoptBroker(_account: string, symbol: string, quantity: string, avgPrice: string | null, reason: string): void {
    this.adopted.push({ symbol, quantity, avgPrice, reason });
    this.set(symbol, quantity, avgPrice);
  }
  whenSynced(): Promise<void> {
    return this.synced;
  }
  /** Fills on their way: catchUp records them (as the account fills' REST fetch would). */
  pending: { symbol: string; quantity: string; avgPrice: string }[] = [];
  catchUps = 0;
  catchUpFails: string | null = null;
  async catchUp(): Promise<void> {
    this.catchUps++;
    if (this.catchUpFails) throw new Error(this.catchUpFails);
    for (const p of this.pending.splice(0)) this.set(p.symbol, p.quantity, p.avgPrice);
  }
}

class FakeTrading implements TradingPort {
  modeNow: TradingMode = 'monitor';
  working: OrderWire[] = [];
  exits: ExitTargetWire[] = [];
  cancels: string[] = [];
  resolves: string[] = [];
  resolveOpts: unknown[] = [];
  mode(): TradingMode {
    return this.modeNow;
  }
  gateway(): OrderGateway | null {
    const order = (id: string) => this.working.find((o) => o.client_order_id === id)!;
    const asJournal = (o: OrderWire) => ({ clientOrderId: o.client_order_id, status: o.status }) as never;
    return {
      order: () => null,
      cancel: async (id: string): Promise<GatewayOutcome> => {
        this.cancels.push(id);
        return { kind: 'accepted', order: asJournal(order(id)) };
      },
      resolve: async (id: string, opts?: unknown): Promise<GatewayOutcome> => {
        this.resolves.push(id);
        this.resolveOpts.push(opts);
        this.working = this.working.filter((o) => o.client_order_id !== id);
        return { kind: 'accepted', order: { clientOrderId: id, status: 'filled' } as never };
      },
    } as unknown as OrderGateway;
  }
  workingOrders(): OrderWire[] {
    return this.working;
  }
  async exit(acc: string, target: ExitTargetWire): Promise<ExitRunWire> {
    this.exits.push(target);
    return { id: 'exit-1', account: acc, target, status: 'working', legs: [], started_at: 0, finished_at: null, reason: null };
  }
}

const workingOrder = (id: string, over: Partial<OrderWire> = {}): OrderWire => ({
  client_order_id: id,
  account: ACC,
  symbol: 'SPY',
  side: 'buy',
  quantity: '5',
  order_type: 'limit',
  limit_price: '400',
  status: 'accepted',
  venue_order_id: `v-${id}`,
  venue_client_order_id: id,
  filled_quantity: '0',
  replace_count: 0,
  pending: null,
  reason: null,
  origin: 'manual',
  created_at: 0,
  updated_at: 0,
  stop_price: null, role: null, strategy: null, linked_client_order_id: null, archived_at: null, ...over,
});

function setup(store = new MemoryReconciliationStore(), multiplierOf?: (symbol: string) => string | null) {
  const clock = new ManualClock(1_000);
  const broker = new FakeBroker();
  const positions = new FakePositions();
  const trading = new FakeTrading();
  const events: unknown[] = [];
  const nodes: ReconNode[] = [];
  const rec = new Reconciler({
    clock,
    positions: () => positions,
    trading: () => trading,
    store,
    publish: (e) => events.push(e),
    node: (n) => nodes.push(n),
    accounts: () => [ACC],
    ...(multiplierOf ? { multiplierOf } : {}),
  });
  return { clock, broker, positions, trading, events, nodes, rec, store };
}

describe('Reconciler', () => {
  // Review of issues 19/20: the P&L compare's multiplier is the venue's (NSE lot size, Delta contract value), not "us_option → 100, else 1".
  it("asks the venue's multiplier of each compared symbol", async () => {
    const asked: string[] = [];
    const t = setup(new MemoryReconciliationStore(), (symbol) => {
      asked.push(symbol);
      return symbol.startsWith('NIFTY') ? '65' : null;
    });
    t.broker.hold('NIFTY08DEC2624500CE', -2, '91.35');
    await t.rec.accountStarted(account, t.broker.venue());
    expect(asked).toContain('NIFTY08DEC2624500CE');
  });

  it('runs at account start only after the fills are synced, and the gate blocks until the line is resolved (adopt_broker)', async () => {
    const t = setup();
    let release!: () => void;
    t.positions.synced = new Promise<void>((r) => (release = r));
    t.broker.hold('AAPL', 5, '150');
    const started = t.rec.accountStarted(account, t.broker.venue());
    await Promise.resolve();
    expect(t.rec.state(ACC).status).toBe('pending'); // not before whenSynced
    expect(t.rec.clean(ACC)).toBe(false);
    release();
    await started;
    const s = t.rec.state(ACC);
    expect(s.status).toBe('diff');
    expect(s.trigger).toBe('start');
    expect(s.lines.map((l) => [l.id, l.kind])).toEqual([['position:AAPL', 'broker_only']]);
    expect(t.rec.clean(ACC)).toBe(false);
    expect(t.rec.blockReason(ACC)).toContain('1 line differ');

    const after = await t.rec.resolve(ACC, 'position:AAPL', 'adopt_broker');
    expect(t.positions.adopted).toEqual([{ symbol: 'AAPL', quantity: '5', avgPrice: '150', reason: expect.stringContaining('adopt') }]);
    expect(after.trigger).toBe('resolve');
    expect(after.status).toBe('clean');
    expect(after.lines[0]!.kind).toBe('matched');
    expect(t.rec.clean(ACC)).toBe(true);
    // every run and resolution: a reconciliation_event and a node_event
    expect(t.events).toHaveLength(2);
    expect(t.nodes.map((n) => [n.action, n.status])).toEqual([
      ['reconcile', 'info'],
      ['reconcile_resolve', 'completed'],
      ['reconcile', 'completed'],
    ]);
    expect(after.pnl.map((p) => p.symbol)).toEqual(['AAPL']);
  });

  it('keep_local persists across an unchanged re-run (and a new reconciler on the same store); a changed line blocks again', async () => {
    const t = setup();
    t.broker.hold('SPY', 10, '400');
    t.positions.set('SPY', '8', '400');
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.state(ACC).lines[0]!.kind).toBe('quantity_mismatch');
    await t.rec.resolve(ACC, 'position:SPY', 'keep_local');
    expect(t.rec.clean(ACC)).toBe(true);
    expect(t.store.size).toBe(1);

    expect((await t.rec.run(ACC, 'manual')).status).toBe('clean');
    // a restart: a new reconciler over the same store
    const t2 = setup(t.store);
    t2.broker.hold('SPY', 10, '400');
    t2.positions.set('SPY', '8', '400');
    await t2.rec.accountStarted(account, t2.broker.venue());
    expect(t2.rec.clean(ACC)).toBe(true);
    expect(t2.rec.state(ACC).lines[0]!.resolution).toBe('keep_local');

    t.broker.hold('SPY', 11, '400');
    const changed = await t.rec.run(ACC, 'monitor');
    expect(changed.status).toBe('diff');
    expect(changed.lines[0]!.resolution).toBeNull();
    expect(changed.lines[0]!.note).toContain('changed since it was resolved');
    expect(t.rec.clean(ACC)).toBe(false);
  });

  it('close is refused in Monitor with a clear message; in Trade it exits a position whose quantity both sides agree on', async () => {
    const t = setup();
    t.broker.hold('SPY', 10, '401');
    t.positions.set('SPY', '10', '400');
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.state(ACC).lines[0]!.kind).toBe('price_mismatch');
    await expect(t.rec.resolve(ACC, 'position:SPY', 'close')).rejects.toThrow(/Monitor mode \(read-only\): close sends orders/);
    expect(t.trading.exits).toEqual([]);
    expect(t.rec.clean(ACC)).toBe(false);
    expect(t.nodes.at(-1)).toMatchObject({ action: 'reconcile_resolve', status: 'failed' });

    t.trading.modeNow = 'trade';
    const r = await t.rec.resolve(ACC, 'position:SPY', 'close');
    expect(t.trading.exits).toEqual([{ kind: 'position', symbol: 'SPY' }]);
    expect(r.lines[0]!.resolution).toBe('close');
  });

  it('close of a position the two sides size differently is refused (adopt first)', async () => {
    const t = setup();
    t.trading.modeNow = 'trade';
    t.broker.hold('SPY', 3, '400');
    await t.rec.accountStarted(account, t.broker.venue());
    await expect(t.rec.resolve(ACC, 'position:SPY', 'close')).rejects.toThrow(/Adopt the broker's quantity first/);
  });

  it("a missing report is unavailable, not flat: no line, the gate stays shut, nothing can be resolved", async () => {
    const t = setup();
    t.positions.set('SPY', '10', '400');
    t.broker.fail = 'GET /v2/positions: HTTP 503';
    await t.rec.accountStarted(account, t.broker.venue());
    const s = t.rec.state(ACC);
    expect(s.status).toBe('unavailable');
    expect(s.lines).toEqual([]);
    expect(s.pnl).toEqual([]);
    expect(s.error).toContain('HTTP 503');
    expect(t.rec.clean(ACC)).toBe(false);
    expect(t.nodes.at(-1)).toMatchObject({ action: 'reconcile', status: 'failed' });
    await expect(t.rec.resolve(ACC, 'position:SPY', 'adopt_broker')).rejects.toThrow(ReconcilerError);
    expect(t.positions.adopted).toEqual([]);
  });

  it('orders: a journal order the broker lacks is adopted by asking the venue; a broker-only order cannot be adopted (why, and what to do) but is cancelled by close in Trade', async () => {
    const t = setup();
    t.trading.working = [workingOrder('ours')];
    t.broker.openOrders = [
      { id: 'v-out', clientOrderId: 'outside', symbol: 'QQQ', side: 'sell', type: 'limit', orderClass: 'simple', timeInForce: 'day', qty: '2', filledQty: '0', filledAvgPrice: null, limitPrice: '350', stopPrice: null, status: 'new', createdAt: null, updatedAt: null, legs: [] },
    ];
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.state(ACC).lines.map((l) => [l.id, l.kind])).toEqual([
      ['order:ours', 'ledger_only'],
      ['order:outside', 'broker_only'],
    ]);
    await t.rec.resolve(ACC, 'order:ours', 'adopt_broker');
    expect(t.trading.resolves).toEqual(['ours']);
    // taking the broker's word never sends: a place the venue never got is closed, not re-sent
    expect(t.trading.resolveOpts).toEqual([expect.objectContaining({ resend: false, why: expect.stringMatching(/user took the broker's word/) })]);
    await expect(t.rec.resolve(ACC, 'order:outside', 'adopt_broker')).rejects.toThrow(/cannot take it in.*Choose close to cancel it at the broker, or keep_local/);
    await expect(t.rec.resolve(ACC, 'order:outside', 'close')).rejects.toThrow(/Monitor mode/);
    t.trading.modeNow = 'trade';
    await t.rec.resolve(ACC, 'order:outside', 'close');
    expect(t.broker.cancelled).toEqual(['v-out']);
  });

  it('close of a journal order cancels it through the gateway', async () => {
    const t = setup();
    t.trading.modeNow = 'trade';
    t.trading.working = [workingOrder('ours')];
    t.broker.openOrders = [
      { id: 'v-ours', clientOrderId: 'ours', symbol: 'SPY', side: 'buy', type: 'limit', orderClass: 'simple', timeInForce: 'day', qty: '5', filledQty: '0', filledAvgPrice: null, limitPrice: '401', stopPrice: null, status: 'new', createdAt: null, updatedAt: null, legs: [] },
    ];
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.state(ACC).lines[0]!.kind).toBe('price_mismatch');
    await t.rec.resolve(ACC, 'order:ours', 'close');
    expect(t.trading.cancels).toEqual(['ours']);
    expect(t.broker.cancelled).toEqual([]);
  });

  it('resync re-runs as a reconnect; a stopped account is unavailable; matched lines need no resolution', async () => {
    const t = setup();
    t.broker.hold('SPY', 1, '400');
    t.positions.set('SPY', '1', '400');
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.clean(ACC)).toBe(true);
    await expect(t.rec.resolve(ACC, 'position:SPY', 'keep_local')).rejects.toThrow(/nothing to resolve/);
    await t.rec.resync(account);
    expect(t.rec.state(ACC).trigger).toBe('reconnect');
    t.rec.accountStopping(account);
    const s = await t.rec.run(ACC, 'manual');
    expect(s.status).toBe('unavailable');
    expect(s.error).toContain('not running');
    expect(t.rec.all().map((r) => r.account)).toEqual([ACC]);
  });

  it('adopt_broker is not a standing resolution: an adoption that did not take keeps the line blocking', async () => {
    const t = setup();
    t.positions.adoptBroker = () => undefined; // the ledger did not change
    t.broker.hold('AAPL', 5, '150');
    await t.rec.accountStarted(account, t.broker.venue());
    const after = await t.rec.resolve(ACC, 'position:AAPL', 'adopt_broker');
    expect(after.status).toBe('diff');
    expect(after.lines[0]).toMatchObject({ kind: 'broker_only', resolution: null });
    expect(t.store.size).toBe(0);
    expect(t.rec.clean(ACC)).toBe(false);
  });

  it('adopt_broker of a journal order the venue cannot settle is refused, saying the line still blocks', async () => {
    const t = setup();
    t.trading.working = [workingOrder('ours')];
    const gateway = t.trading.gateway.bind(t.trading);
    t.trading.gateway = () => ({ ...gateway(), order: () => null, resolve: async () => ({ kind: 'unknown', reason: 'still unknown: the venue could not be asked (HTTP 503)', order: {} as never }) }) as unknown as OrderGateway;
    await t.rec.accountStarted(account, t.broker.venue());
    await expect(t.rec.resolve(ACC, 'order:ours', 'adopt_broker')).rejects.toThrow(/could not settle ours .*HTTP 503.*still blocks/);
    expect(t.rec.clean(ACC)).toBe(false);
  });

  // Review of issue 16, defect 1: adopt_broker then the delayed fills double-counted.
  it('adopt_broker catches the fills up first: a line that only said fills were on their way is matched, nothing adopted (said in the note)', async () => {
    const t = setup();
    t.broker.hold('SPY', 2, '585.14');
    await t.rec.accountStarted(account, t.broker.venue());
    expect(t.rec.state(ACC).lines.map((l) => [l.id, l.kind])).toEqual([['position:SPY', 'broker_only']]);
    // The buy's fill is on its way (the order channel stalled): the REST catch-up brings it.
    t.positions.pending = [{ symbol: 'SPY', quantity: '2', avgPrice: '585.14' }];
    const r = await t.rec.resolveWithNote(ACC, 'position:SPY', 'adopt_broker');
    expect(t.positions.catchUps).toBe(1);
    expect(t.positions.adopted).toEqual([]); // the old code adopted 2 here, and the fill came on top: 4
    expect(r.note).toMatch(/fills were caught up .*SPY now matches the broker \(2\): nothing was adopted/);
    expect(r.reconciliation.status).toBe('clean');
    expect(r.reconciliation.lines.map((l) => [l.id, l.kind])).toEqual([['position:SPY', 'matched']]);
  });

  it('adopt_broker after the catch-up adopts the fresh report where the line still differs; a failed catch-up adopts nothing', async () => {
    const t = setup();
    t.broker.hold('SPY', 2, '585.14');
    await t.rec.accountStarted(account, t.broker.venue());
    t.broker.hold('SPY', 3, '586'); // the broker moved on since the line was shown
    t.positions.catchUpFails = 'HTTP 503';
    await expect(t.rec.resolve(ACC, 'position:SPY', 'adopt_broker')).rejects.toThrow(/HTTP 503.*nothing was adopted/);
    expect(t.positions.adopted).toEqual([]);
    t.positions.catchUpFails = null;
    const after = await t.rec.resolve(ACC, 'position:SPY', 'adopt_broker');
    expect(t.positions.adopted).toEqual([{ symbol: 'SPY', quantity: '3', avgPrice: '586', reason: expect.stringContaining('adopt') }]);
    expect(after.status).toBe('clean');
  });

  it('every run (a manual one too) waits for the fills to be caught up, bounded: past the wait it is unavailable, not a diff', async () => {
    const t = setup();
    t.broker.hold('SPY', 2, '585.14');
    await t.rec.accountStarted(account, t.broker.venue());
    // A resync is fetching the missed fills: a manual run waits for it.
    let release!: () => void;
    t.positions.synced = new Promise<void>((r) => (release = r));
    let done: ReturnType<Reconciler['state']> | null = null;
    const run = t.rec.run(ACC, 'manual').then((w) => (done = w));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(done).toBeNull();
    t.positions.set('SPY', '2', '585.14'); // the fetched fill
    release();
    await run;
    expect(done!).toMatchObject({ trigger: 'manual', status: 'clean' });
    // A fetch that does not end: after the wait the run reports unavailable (nothing compared).
    t.positions.synced = new Promise<void>(() => undefined);
    const stuck = t.rec.run(ACC, 'manual');
    for (let i = 0; i < 10; i++) await Promise.resolve();
    t.clock.advance(30_000);
    const s = await stuck;
    expect(s).toMatchObject({ status: 'unavailable', trigger: 'manual', lines: [] });
    expect(s.error).toMatch(/fills are not caught up yet/);
    expect(t.rec.clean(ACC)).toBe(false);
  });
});
