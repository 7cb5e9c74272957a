// The ledger on real SQLite files: round trips of every table (through a close and reopen), the
// order lifecycle and its history, idempotent fills, the queries the UI and monitor need, and the
// rule that a bad value is a clear error with nothing written.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountLedger, MonitorCycleInput, OrderLedger, PositionState, QuoteRecorder } from '../../../src/core/ports/ledger-store';
import { isLedgerError } from '../../../src/node/ledger/errors';
import { recordedQuoteOf } from '../../../src/node/ledger/quote-recording';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { newFill, newOrder, openStore, seedAccount, T0, tempLedgerDir } from './helpers';

let tmp: ReturnType<typeof tempLedgerDir>;
let path: string;
let store: SqliteLedgerStore;

function reopen(): SqliteLedgerStore {
  store.close();
  store = openStore(path).store;
  return store;
}

function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const count = (table: string) => raw((db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);

const position = (over: Partial<PositionState> = {}): PositionState => ({
  positionId: 'entry-2-pos1',
  reEntryNum: 0,
  accountId: 'acct-1',
  symbol: 'AAPL261218C00200000',
  side: 'short',
  status: 'OPEN',
  quantityTotal: '2',
  quantityClosed: '0',
  quantityOpen: '2',
  avgEntryPrice: '181.60',
  avgExitPrice: null,
  realizedPnl: '0.00',
  fees: '1.30',
  openedAt: T0 + 1_000,
  closedAt: null,
  strategyRunId: null,
  ...over,
});

beforeEach(() => {
  tmp = tempLedgerDir();
  path = tmp.file();
  store = openStore(path).store;
  seedAccount(store);
});

afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('accounts and instruments', () => {
  it('round-trip through a reopen; re-upserting the config keeps the persisted kill switch', () => {
    store.upsertAccount({ accountId: 'acct-2', venue: 'delta', label: 'Delta live', mode: 'live' }, T0 + 5);
    store.setKillSwitch('acct-2', 'reducing', T0 + 10);
    reopen();
    const again = store.upsertAccount({ accountId: 'acct-2', venue: 'delta', label: 'Delta (renamed)', mode: 'live' }, T0 + 20);
    expect(again).toEqual({ accountId: 'acct-2', venue: 'delta', label: 'Delta (renamed)', mode: 'live', killSwitch: 'reducing', createdAt: T0 + 5, updatedAt: T0 + 20 });
    expect(store.listAccounts().map((a) => a.accountId)).toEqual(['acct-1', 'acct-2']);
    expect(errorOf(() => store.setKillSwitch('nope', 'halted', T0)).code).toBe('not_found');
    expect(errorOf(() => store.upsertAccount({ accountId: 'x', venue: 'ibkr' as never, label: 'x', mode: 'paper' }, T0)).message).toMatch(/accounts\.venue: expected one of sim \| alpaca/);
  });

  it('instruments keep exact decimals and their venue facts', () => {
    const option = {
      venue: 'smartapi' as const,
      symbol: 'NIFTY07NOV2424250PE',
      kind: 'option' as const,
      underlying: 'NIFTY',
      expiry: '2024-11-07',
      strike: '24250',
      right: 'put' as const,
      multiplier: '25',
      tickSize: '0.05',
      lotSize: '25',
      token: '43210',
      currency: 'INR',
      updatedAt: T0,
    };
    store.upsertInstrument(option);
    store.upsertInstrument({ ...option, venue: 'alpaca', symbol: 'AAPL', kind: 'stock', underlying: null, expiry: null, strike: null, right: null, multiplier: '1', tickSize: '0.01', lotSize: null, token: null, currency: 'USD' });
    reopen();
    expect(store.getInstrument('smartapi', 'NIFTY07NOV2424250PE')).toEqual(option);
    expect(store.getInstrument('alpaca', 'AAPL')?.kind).toBe('stock');
    expect(store.getInstrument('alpaca', 'MSFT')).toBeNull();
    expect(errorOf(() => store.upsertInstrument({ ...option, expiry: '07-11-2024' })).message).toMatch(/instruments\.expiry: expected a date as YYYY-MM-DD/);
  });
});

describe('strategy runs', () => {
  it('keep session_metadata as ISO-8601 and numbers, through updates and a reopen', () => {
    const meta = {
      config_id: 'straddle-0930',
      scheduled_entry_at: '2026-11-20T14:35:00.000Z',
      entry_method: 'limit_then_market' as const,
      entry_attempts: 0,
      target_delta_range: [0.25, 0.35] as [number, number],
      selected_contracts: [{ leg: 'call', symbol: 'AAPL261218C00200000', expiry: '2026-12-18', strike: 200, delta: 0.31 }],
    };
    store.createStrategyRun({ runId: 'run-1', accountId: 'acct-1', strategyName: 'straddle', status: 'waiting', startedAt: T0, sessionMetadata: meta });
    store.updateStrategyRun('run-1', { at: T0 + 60_000, status: 'live', sessionMetadata: { ...meta, entry_attempts: 2 } });
    reopen();
    expect(store.getStrategyRun('run-1')).toEqual({
      runId: 'run-1',
      accountId: 'acct-1',
      strategyName: 'straddle',
      status: 'live',
      startedAt: T0,
      endedAt: null,
      sessionMetadata: { ...meta, entry_attempts: 2 },
      updatedAt: T0 + 60_000,
    });
    expect(raw((db) => (db.prepare('SELECT session_metadata AS m FROM strategy_runs').get() as { m: string }).m)).toContain('"scheduled_entry_at":"2026-11-20T14:35:00.000Z"');
    store.updateStrategyRun('run-1', { at: T0 + 120_000, endedAt: T0 + 120_000 });
    expect(store.getStrategyRun('run-1')?.endedAt).toBe(T0 + 120_000);
  });

  it('refuse a duplicate run, an unknown account and metadata with a non-ISO time', () => {
    const run = { runId: 'run-1', accountId: 'acct-1', strategyName: 's', status: 'waiting' as const, startedAt: T0, sessionMetadata: {} };
    store.createStrategyRun(run);
    expect(errorOf(() => store.createStrategyRun(run)).code).toBe('duplicate');
    expect(errorOf(() => store.createStrategyRun({ ...run, runId: 'run-2', accountId: 'ghost' })).message).toMatch(/strategy_runs\.account_id: no account "ghost"/);
    expect(errorOf(() => store.createStrategyRun({ ...run, runId: 'run-3', sessionMetadata: { scheduled_entry_at: '09:35' } })).message).toMatch(
      /strategy_runs\.session_metadata: .*scheduled_entry_at/,
    );
    expect(count('strategy_runs')).toBe(1);
  });
});

describe('orders', () => {
  it('are written pending_submit before sending, then follow the lifecycle with a full history', () => {
    const created = store.insertOrder(newOrder());
    expect(created).toMatchObject({ status: 'pending_submit', brokerOrderId: null, filledQuantity: '0', submittedAt: null, limitPrice: '181.60' });
    store.transitionOrder('ord-1', 'submitted', { at: T0 + 10 });
    store.transitionOrder('ord-1', 'accepted', { at: T0 + 20, brokerOrderId: 'B-77' });
    store.transitionOrder('ord-1', 'partially_filled', { at: T0 + 30, filledQuantity: '1', avgFillPrice: '181.60' });
    store.transitionOrder('ord-1', 'partially_filled', { at: T0 + 31, filledQuantity: '1.5', avgFillPrice: '181.55' });
    store.transitionOrder('ord-1', 'filled', { at: T0 + 40, filledQuantity: '2', avgFillPrice: '181.525', detail: { venue_status: 'filled', venue_at: '2026-11-20T14:30:00.040Z' } });
    reopen();
    expect(store.getOrder('ord-1')).toMatchObject({ status: 'filled', brokerOrderId: 'B-77', filledQuantity: '2', avgFillPrice: '181.525', submittedAt: T0 + 10, updatedAt: T0 + 40 });
    expect(store.getOrderByBrokerId('acct-1', 'B-77')?.clientOrderId).toBe('ord-1');
    const history = store.orderEvents('ord-1');
    expect(history.map((e) => [e.kind, e.fromStatus, e.toStatus, e.at])).toEqual([
      ['created', null, 'pending_submit', T0],
      ['status', 'pending_submit', 'submitted', T0 + 10],
      ['status', 'submitted', 'accepted', T0 + 20],
      ['status', 'accepted', 'partially_filled', T0 + 30],
      ['status', 'partially_filled', 'partially_filled', T0 + 31],
      ['status', 'partially_filled', 'filled', T0 + 40],
    ]);
    expect(history[2]!.detail).toEqual({ broker_order_id: 'B-77' });
    expect(history[5]!.detail).toEqual({ venue_status: 'filled', venue_at: '2026-11-20T14:30:00.040Z', filled_quantity: '2', avg_fill_price: '181.525' });
  });

  it('refuse a second insert of the same client order id, writing nothing', () => {
    store.insertOrder(newOrder());
    const err = errorOf(() => store.insertOrder(newOrder({ quantity: '5' })));
    expect(isLedgerError(err, 'duplicate')).toBe(true);
    expect(err.message).toMatch(/orders\.client_order_id "ord-1" already exists \(status pending_submit\)/);
    expect(store.getOrder('ord-1')?.quantity).toBe('2');
    expect(count('order_events')).toBe(1);
  });

  it('refuse illegal transitions with a clear error and leave row and history untouched', () => {
    store.insertOrder(newOrder());
    store.transitionOrder('ord-1', 'submitted', { at: T0 + 1 });
    store.transitionOrder('ord-1', 'filled', { at: T0 + 2 });
    const err = errorOf(() => store.transitionOrder('ord-1', 'accepted', { at: T0 + 3 }));
    expect(isLedgerError(err, 'illegal_transition')).toBe(true);
    expect(err.message).toBe('order "ord-1" cannot go from filled to accepted (from filled it can go to nothing: it is final)');
    expect(errorOf(() => store.archiveOrder('ord-1', T0 + 3, 'tidy')).message).toMatch(/cannot go from filled to archived/);
    expect(store.getOrder('ord-1')?.status).toBe('filled');
    expect(store.orderEvents('ord-1')).toHaveLength(3);
    expect(errorOf(() => store.transitionOrder('nope', 'submitted', { at: T0 })).code).toBe('not_found');
    expect(errorOf(() => store.transitionOrder('ord-1', 'done' as never, { at: T0 })).message).toMatch(/orders\.status: expected one of pending_submit/);
  });

  it('resolve an unknown outcome by what the broker reports, never by resending', () => {
    store.insertOrder(newOrder());
    store.transitionOrder('ord-1', 'unknown', { at: T0 + 1, reason: 'process restarted before the broker answered' });
    expect(store.getOrder('ord-1')?.submittedAt).toBeNull();
    expect(errorOf(() => store.transitionOrder('ord-1', 'submitted', { at: T0 + 2 })).code).toBe('illegal_transition');
    store.transitionOrder('ord-1', 'accepted', { at: T0 + 3, brokerOrderId: 'B-1', reason: 'found at broker' });
    expect(store.ordersByStatus(['accepted']).map((o) => o.clientOrderId)).toEqual(['ord-1']);
  });

  it('keep broker ids unique and never replaced', () => {
    store.insertOrder(newOrder());
    store.insertOrder(newOrder({ clientOrderId: 'ord-2' }));
    store.transitionOrder('ord-1', 'accepted', { at: T0 + 1, brokerOrderId: 'B-1' });
    expect(errorOf(() => store.transitionOrder('ord-1', 'cancelled', { at: T0 + 2, brokerOrderId: 'B-9' })).message).toMatch(/already has broker id "B-1"/);
    expect(errorOf(() => store.transitionOrder('ord-2', 'accepted', { at: T0 + 2, brokerOrderId: 'B-1' })).message).toMatch(/already belongs to order "ord-1"/);
    expect(store.getOrder('ord-2')?.status).toBe('pending_submit');
  });

  it('record modifications (fair-price moves) in the history', () => {
    store.insertOrder(newOrder());
    store.transitionOrder('ord-1', 'accepted', { at: T0 + 1, brokerOrderId: 'B-1' });
    const moved = store.modifyOrder('ord-1', { at: T0 + 2, limitPrice: '180.00', reason: 'fair price ≥ entry stop' });
    expect(moved.limitPrice).toBe('180.00');
    expect(store.orderEvents('ord-1')[2]).toMatchObject({
      kind: 'modified',
      fromStatus: 'accepted',
      toStatus: 'accepted',
      reason: 'fair price ≥ entry stop',
      detail: { from: { limit_price: '181.60', quantity: '2' }, to: { limit_price: '180.00', quantity: '2' } },
    });
    store.insertOrder(newOrder({ clientOrderId: 'mkt', orderType: 'market', limitPrice: null, retryCount: 3 }));
    expect(errorOf(() => store.modifyOrder('mkt', { at: T0 + 3, limitPrice: '1.00' })).message).toMatch(/market order: it takes no limit price/);
    expect(errorOf(() => store.modifyOrder('ord-1', { at: T0 + 3 })).message).toMatch(/changes the limit price or the quantity/);
  });

  it('check limit price against order type and refuse floats, writing nothing', () => {
    expect(errorOf(() => store.insertOrder(newOrder({ orderType: 'market' }))).message).toMatch(/orders\.limit_price: a market order takes no limit price/);
    expect(errorOf(() => store.insertOrder(newOrder({ limitPrice: null }))).message).toMatch(/orders\.limit_price: a limit order needs limit price/);
    expect(errorOf(() => store.insertOrder(newOrder({ quantity: 2 as never }))).message).toMatch(/orders\.quantity: expected a decimal string/);
    expect(errorOf(() => store.insertOrder(newOrder({ strategyRunId: 'ghost' }))).message).toMatch(/orders\.strategy_run_id: no strategy run "ghost"/);
    expect(count('orders')).toBe(0);
    expect(count('order_events')).toBe(0);
  });

  it('are archived, never deleted: the row and its history stay, and SQL deletes are refused', () => {
    store.insertOrder(newOrder());
    store.transitionOrder('ord-1', 'submitted', { at: T0 + 1 });
    store.transitionOrder('ord-1', 'rejected', { at: T0 + 2, reason: 'insufficient buying power' });
    const archived = store.archiveOrder('ord-1', T0 + 60_000, 'monitor step 7');
    expect(archived).toMatchObject({ status: 'archived', archivedAt: T0 + 60_000, archivedFrom: 'rejected' });
    reopen();
    expect(store.ordersByStatus(['archived'])).toHaveLength(1);
    expect(store.ordersByStatus(['rejected'])).toHaveLength(0);
    expect(store.orderEvents('ord-1').map((e) => e.toStatus)).toEqual(['pending_submit', 'submitted', 'rejected', 'archived']);
    expect(store.orderEvents('ord-1')[2]!.reason).toBe('insufficient buying power');
    const db = new Database(path);
    try {
      expect(() => db.prepare("DELETE FROM orders WHERE client_order_id = 'ord-1'").run()).toThrow(/never deleted \(archive the order instead\)/);
      expect(() => db.prepare('DELETE FROM order_events').run()).toThrow(/never deleted/);
      expect(() => db.prepare("UPDATE order_events SET to_status = 'filled'").run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
    expect(count('order_events')).toBe(4);
  });

  it('are listed by status, per account, oldest first', () => {
    store.upsertAccount({ accountId: 'acct-2', venue: 'alpaca', label: 'Alpaca paper', mode: 'paper' }, T0);
    store.insertOrder(newOrder({ clientOrderId: 'b', createdAt: T0 + 2 }));
    store.insertOrder(newOrder({ clientOrderId: 'a', createdAt: T0 + 1 }));
    store.insertOrder(newOrder({ clientOrderId: 'c', accountId: 'acct-2', createdAt: T0 }));
    store.transitionOrder('b', 'submitted', { at: T0 + 3 });
    expect(store.ordersByStatus(['pending_submit', 'submitted']).map((o) => o.clientOrderId)).toEqual(['c', 'a', 'b']);
    expect(store.ordersByStatus(['pending_submit'], { accountId: 'acct-1' }).map((o) => o.clientOrderId)).toEqual(['a']);
    expect(store.ordersByStatus(['pending_submit', 'submitted'], { limit: 2 }).map((o) => o.clientOrderId)).toEqual(['c', 'a']);
    expect(store.ordersByStatus([])).toEqual([]);
  });
});

describe('fills', () => {
  it('store everything a FIFO engine needs, exactly, and a replayed fill once', () => {
    store.insertOrder(newOrder());
    expect(store.recordFill(newFill({ clientOrderId: 'ord-1', brokerOrderId: 'B-1' }))).toBe(true);
    expect(store.recordFill(newFill({ clientOrderId: 'ord-1', brokerOrderId: 'B-1' }))).toBe(false);
    // The same execution reported with other formatting (REST vs stream) is the same fill.
    expect(store.recordFill(newFill({ clientOrderId: 'ord-1', brokerOrderId: 'B-1', price: '181.6', fee: '0.650' }))).toBe(false);
    reopen();
    const [stored] = store.fillsForRebuild();
    expect(stored).toEqual({ ...newFill({ clientOrderId: 'ord-1', brokerOrderId: 'B-1' }), seq: 1, recordedAt: T0, origin: null, cumQuantity: null, executionId: null, venueClientOrderId: null });
    expect(raw((db) => db.prepare('SELECT typeof(price) AS p, price, typeof(fee) AS f FROM fills').get())).toEqual({ p: 'text', price: '181.60', f: 'text' });
    expect(count('fills')).toBe(1);
  });

  it('refuse the same fill id with different values: a fill is never overwritten', () => {
    store.recordFill(newFill());
    const err = errorOf(() => store.recordFill(newFill({ price: '181.70' })));
    expect(isLedgerError(err, 'conflict')).toBe(true);
    expect(err.message).toMatch(/fill "fill-1" of account "acct-1" is already stored with price "181.60"; this report says "181.70"/);
    expect(store.fillsForRebuild()[0]!.price).toBe('181.60');
    const db = new Database(path);
    try {
      expect(() => db.prepare("UPDATE fills SET price = '1'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM fills').run()).toThrow(/never deleted/);
    } finally {
      db.close();
    }
  });

  it('write a burst all or nothing: one bad fill and none is stored', () => {
    const burst = [newFill({ fillId: 'f1' }), newFill({ fillId: 'f2', quantity: '-1' }), newFill({ fillId: 'f3' })];
    expect(errorOf(() => store.recordFills(burst)).message).toMatch(/fills\[1\]\.quantity: expected a positive decimal, got "-1"; nothing was written/);
    expect(errorOf(() => store.recordFills([newFill({ fillId: 'f1' }), newFill({ fillId: 'f4', clientOrderId: 'ghost' })])).message).toMatch(
      /fill "f4" references unknown order "ghost"/,
    );
    expect(count('fills')).toBe(0);
    expect(store.recordFills([newFill({ fillId: 'f1' }), newFill({ fillId: 'f2' }), newFill({ fillId: 'f1' })])).toBe(2);
  });

  it("are listed for a day the caller computes ([from, to)), in time order, per account", () => {
    store.upsertAccount({ accountId: 'acct-2', venue: 'sim', label: 'b', mode: 'paper' }, T0);
    const day = { fromMs: Date.UTC(2026, 10, 20, 5), toMs: Date.UTC(2026, 10, 21, 5) };
    store.recordFills([
      newFill({ fillId: 'late', filledAt: day.toMs - 1 }),
      newFill({ fillId: 'next-day', filledAt: day.toMs }),
      newFill({ fillId: 'first', filledAt: day.fromMs }),
      newFill({ fillId: 'yesterday', filledAt: day.fromMs - 1 }),
      newFill({ fillId: 'other', accountId: 'acct-2', filledAt: day.fromMs + 5 }),
    ]);
    expect(store.fillsForDay(day).map((f) => f.fillId)).toEqual(['first', 'other', 'late']);
    expect(store.fillsForDay(day, { accountId: 'acct-1' }).map((f) => f.fillId)).toEqual(['first', 'late']);
    expect(errorOf(() => store.fillsForDay({ fromMs: day.toMs, toMs: day.fromMs })).message).toMatch(/range ends .* before it starts/);
  });
});

describe('positions', () => {
  it('are keyed by (position_id, re_entry_num), carry analytics, and keep them across FIFO upserts', () => {
    store.upsertPositions([position(), position({ reEntryNum: 1, status: 'CLOSED', quantityOpen: '0', quantityClosed: '2', avgExitPrice: '150.00', realizedPnl: '63.20', closedAt: T0 + 9_000 })], T0 + 2_000);
    const analytics = { markPrice: '175.25', pnlAbs: '12.70', pnlPct: '3.4966', reason: null, at: T0 + 3_000 };
    store.updatePositionAnalytics({ positionId: 'entry-2-pos1', reEntryNum: 0 }, analytics);
    store.upsertPositions([position({ status: 'PARTIAL', quantityClosed: '1', quantityOpen: '1', realizedPnl: '10.00' })], T0 + 4_000);
    reopen();
    const open = store.openPositions();
    expect(open).toHaveLength(1);
    expect(open[0]).toEqual({ ...position({ status: 'PARTIAL', quantityClosed: '1', quantityOpen: '1', realizedPnl: '10.00' }), analytics, updatedAt: T0 + 4_000 });
    expect(store.listPositions().map((p) => [p.reEntryNum, p.status])).toEqual([
      [0, 'PARTIAL'],
      [1, 'CLOSED'],
    ]);
    expect(store.getPosition({ positionId: 'entry-2-pos1', reEntryNum: 1 })?.analytics).toBeNull();
  });

  it('store unknown analytics as null with a reason, never as zero', () => {
    store.upsertPositions([position()], T0);
    const key = { positionId: 'entry-2-pos1', reEntryNum: 0 };
    expect(errorOf(() => store.updatePositionAnalytics(key, { markPrice: null, pnlAbs: null, pnlPct: null, reason: null, at: T0 })).message).toMatch(/needs a reason/);
    const row = store.updatePositionAnalytics(key, { markPrice: null, pnlAbs: null, pnlPct: null, reason: 'quote stale (7.2 s)', at: T0 + 1 });
    expect(row.analytics).toEqual({ markPrice: null, pnlAbs: null, pnlPct: null, reason: 'quote stale (7.2 s)', at: T0 + 1 });
    expect(errorOf(() => store.updatePositionAnalytics({ ...key, reEntryNum: 7 }, { markPrice: '1', pnlAbs: '1', pnlPct: '1', reason: null, at: T0 })).code).toBe('not_found');
  });

  it('validate every row of a batch before writing any', () => {
    expect(errorOf(() => store.upsertPositions([position(), position({ reEntryNum: 1, realizedPnl: 63.2 as never })], T0)).message).toMatch(/positions\[1\]\.realized_pnl/);
    expect(count('positions')).toBe(0);
  });
});

describe('monitor cycles', () => {
  const cycle = (startedAt: number, over: Partial<MonitorCycleInput> = {}): MonitorCycleInput => ({
    accountId: 'acct-1',
    startedAt,
    finishedAt: startedAt + 420,
    outcome: 'errors',
    steps: [
      { step: 1, name: 'fetch order book and positions', status: 'ok', startedAt, durationMs: 180, errors: [], detail: { calls: 2 } },
      { step: 3, name: 'sync orders', status: 'failed', startedAt: startedAt + 200, durationMs: 12.5, errors: ['rollback: constraint'], detail: null },
      { step: 4, name: 'place SL/TP', status: 'skipped', startedAt: startedAt + 213, durationMs: 0, errors: [], detail: null },
    ],
    errors: ['step 3: rollback: constraint'],
    ...over,
  });

  it('keep each step result, duration and error; the last N come newest first', () => {
    const first = store.recordMonitorCycle(cycle(T0));
    expect(first).toMatchObject({ cycleId: 1, durationMs: 420 });
    store.recordMonitorCycle(cycle(T0 + 60_000, { outcome: 'ok', errors: [] }));
    store.upsertAccount({ accountId: 'acct-2', venue: 'sim', label: 'b', mode: 'paper' }, T0);
    store.recordMonitorCycle(cycle(T0 + 120_000, { accountId: 'acct-2' }));
    reopen();
    expect(store.lastMonitorCycles(2).map((c) => [c.accountId, c.startedAt])).toEqual([
      ['acct-2', T0 + 120_000],
      ['acct-1', T0 + 60_000],
    ]);
    const [oldest] = store.lastMonitorCycles(5, { accountId: 'acct-1' }).slice(-1);
    expect(oldest).toEqual({ ...cycle(T0), cycleId: 1, durationMs: 420 });
    const stored = raw((db) => (db.prepare('SELECT steps FROM monitor_cycles WHERE cycle_id = 1').get() as { steps: string }).steps);
    expect(JSON.parse(stored)[1]).toEqual({ step: 3, name: 'sync orders', status: 'failed', started_at: '2026-11-20T14:30:00.200Z', duration_ms: 12.5, errors: ['rollback: constraint'], detail: null });
  });

  it('refuse malformed step results', () => {
    const bad = cycle(T0);
    bad.steps[0]!.step = 11;
    expect(errorOf(() => store.recordMonitorCycle(bad)).message).toMatch(/monitor_cycles\.steps: .*0\.step/);
    expect(errorOf(() => store.recordMonitorCycle(cycle(T0, { finishedAt: T0 - 1 }))).message).toMatch(/finished_at: .* is before started_at/);
    expect(count('monitor_cycles')).toBe(0);
  });
});

describe('settings', () => {
  it('hold JSON values by key', () => {
    store.setSetting('stale_threshold_ms', 5000, T0);
    store.setSetting('recording', { enabled: true, since_at: '2026-11-20T14:30:00.000Z' }, T0);
    store.setSetting('stale_threshold_ms', 7000, T0 + 1);
    reopen();
    expect(store.getSetting('stale_threshold_ms')).toBe(7000);
    expect(store.getSetting('missing')).toBeNull();
    expect(store.listSettings()).toEqual([
      { key: 'recording', value: { enabled: true, since_at: '2026-11-20T14:30:00.000Z' }, updatedAt: T0 },
      { key: 'stale_threshold_ms', value: 7000, updatedAt: T0 + 1 },
    ]);
    expect(errorOf(() => store.setSetting('x', Number.NaN, T0)).message).toMatch(/settings\.value \(key x\): not valid JSON/);
  });
});

describe('batched tables', () => {
  it('strategy events become visible when the batch flushes, and page per run', () => {
    const { store: s, clock } = openStore(tmp.file('batched.sqlite'), undefined, { batch: { intervalMs: 200 } });
    try {
      seedAccount(s);
      for (let i = 0; i < 5; i++) {
        s.appendStrategyEvent({ runId: 'run-1', at: T0 + i, kind: 'entry_attempt', executionId: `exec_${i}`, parentExecutionId: i ? `exec_${i - 1}` : null, message: `attempt ${i}`, payload: { attempt: i, order_type: 'limit', at: '2026-11-20T14:30:00.000Z' } });
      }
      s.appendStrategyEvent({ runId: 'run-2', at: T0, kind: 'waiting', executionId: null, parentExecutionId: null, message: null, payload: null });
      expect(s.strategyEventsForRun('run-1')).toEqual([]);
      expect(s.batchStats().queued).toBe(6);
      clock.advance(200);
      const events = s.strategyEventsForRun('run-1');
      expect(events.map((e) => e.payload?.attempt)).toEqual([0, 1, 2, 3, 4]);
      expect(events[1]).toEqual({ eventId: 2, runId: 'run-1', at: T0 + 1, kind: 'entry_attempt', executionId: 'exec_1', parentExecutionId: 'exec_0', message: 'attempt 1', payload: { attempt: 1, order_type: 'limit', at: '2026-11-20T14:30:00.000Z' } });
      expect(s.strategyEventsForRun('run-1', { afterEventId: 2, limit: 2 }).map((e) => e.eventId)).toEqual([3, 4]);
      expect(s.strategyEventsForRun('run-2')).toHaveLength(1);
      expect(s.batchStats()).toMatchObject({ queued: 0, written: 6, dropped: 0 });
    } finally {
      s.close();
    }
  });

  it('the P&L curve of a day comes back ordered by time; unknown P&L is null with a reason', () => {
    const day = { fromMs: T0 - 3_600_000, toMs: T0 + 6 * 3_600_000 };
    store.appendPnlSample({ scope: 'acct-1', at: T0 + 2_000, realized: '10.00', unrealized: '-4.50', total: '5.50', unknownReason: null });
    store.appendPnlSample({ scope: 'acct-1', at: T0, realized: '0', unrealized: '1.25', total: '1.25', unknownReason: null });
    store.appendPnlSample({ scope: 'acct-1', at: T0 + 1_000, realized: '0', unrealized: null, total: null, unknownReason: 'no fresh mark for AAPL261218C00200000' });
    store.appendPnlSample({ scope: 'acct-1', at: day.toMs, realized: '99', unrealized: '0', total: '99', unknownReason: null });
    store.appendPnlSample({ scope: 'portfolio', at: T0, realized: '1', unrealized: '0', total: '1', unknownReason: null });
    expect(errorOf(() => store.appendPnlSample({ scope: 'acct-1', at: T0, realized: '0', unrealized: null, total: null, unknownReason: null })).message).toMatch(/needs a reason/);
    expect(errorOf(() => store.appendPnlSample({ scope: 'acct-1', at: T0, realized: 0.1 as never, unrealized: '0', total: '0', unknownReason: null })).message).toMatch(/pnl_samples\.realized/);
    store.flush();
    const curve = store.pnlCurve('acct-1', day);
    expect(curve.map((p) => [p.at - T0, p.total])).toEqual([
      [0, '1.25'],
      [1_000, null],
      [2_000, '5.50'],
    ]);
    expect(curve[1]!.unknownReason).toBe('no fresh mark for AAPL261218C00200000');
  });

  it('recorded quotes keep the venue decimals and page for replay in arrival order', () => {
    const quote = { symbol: 'AAPL', bid: 181.6, ask: 181.65, last: null, bidSize: 300, askSize: 1e-7, exchangeTime: T0 - 3, receivedAt: T0 };
    store.appendRecordedQuote(recordedQuoteOf('alpaca', quote));
    for (let i = 1; i <= 4; i++) store.appendRecordedQuote(recordedQuoteOf('sim', { ...quote, symbol: `S${i}`, receivedAt: T0 + i, exchangeTime: null }));
    store.flush();
    const window = { fromMs: T0, toMs: T0 + 10 };
    const first = store.recordedQuotes(window, { limit: 2 });
    expect(first[0]).toEqual({ quoteId: 1, venue: 'alpaca', symbol: 'AAPL', receivedAt: T0, exchangeTime: T0 - 3, bid: '181.6', ask: '181.65', last: null, bidSize: '300', askSize: '0.0000001' });
    expect(store.recordedQuotes(window, { afterQuoteId: first[1]!.quoteId }).map((q) => q.symbol)).toEqual(['S2', 'S3', 'S4']);
    expect(errorOf(() => store.appendRecordedQuote({ ...recordedQuoteOf('sim', quote), bid: '1e-7' })).message).toMatch(/recorded_quotes\.bid/);
    // A venue instance name (a second simulated venue) is kept; a venue that is not a name is refused, naming the field.
    store.appendRecordedQuote(recordedQuoteOf('sim2', { ...quote, receivedAt: T0 + 5 }));
    store.flush();
    expect(store.recordedQuotes(window).map((q) => `${q.venue}:${q.symbol}`)).toContain('sim2:AAPL');
    expect(errorOf(() => store.appendRecordedQuote(recordedQuoteOf('Sim 2', quote))).message).toMatch(/recorded_quotes\.venue/);
  });

  it('a backlog past batchSize is written on the next event-loop turns, in bounded transactions, without waiting for the timer', async () => {
    const { store: s } = openStore(tmp.file('turns.sqlite'), undefined, { batch: { batchSize: 100, maxRowsPerTransaction: 30 } });
    try {
      for (let i = 0; i < 250; i++) s.appendPnlSample({ scope: 'acct-1', at: T0 + i, realized: '0', unrealized: '0', total: '0', unknownReason: null });
      expect(s.batchStats()).toMatchObject({ queued: 250, written: 0 }); // append never writes
      for (let turn = 0; turn < 200 && s.batchStats().queued > 0; turn++) await new Promise((r) => setImmediate(r));
      expect(s.batchStats()).toMatchObject({ queued: 0, written: 250, flushes: 9 }); // 8 × 30 + 10; the ManualClock timer never fired
      expect(s.pnlCurve('acct-1', { fromMs: T0, toMs: T0 + 250 })).toHaveLength(250);
    } finally {
      s.close();
    }
  });

  it('close() drains what is queued', () => {
    store.appendStrategyEvent({ runId: 'run-9', at: T0, kind: 'exit', executionId: null, parentExecutionId: null, message: 'forced time exit', payload: null });
    reopen();
    expect(store.strategyEventsForRun('run-9').map((e) => e.message)).toEqual(['forced time exit']);
  });
});

describe('transactions', () => {
  it('roll back every write of a throwing transaction', () => {
    expect(() =>
      store.transaction(() => {
        store.insertOrder(newOrder());
        store.recordFill(newFill({ clientOrderId: 'ord-1' }));
        throw new Error('sync step failed');
      }),
    ).toThrow('sync step failed');
    expect(store.getOrder('ord-1')).toBeNull();
    expect(count('fills')).toBe(0);
    expect(count('order_events')).toBe(0);
  });

  it('refuse flush() inside a transaction instead of deadlocking the two connections', () => {
    expect(errorOf(() => store.transaction(() => store.flush())).code).toBe('conflict');
  });

  it('use WAL with the durable connection at synchronous=FULL', () => {
    expect(raw((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    expect(raw((db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  });
});

// Issue 15, item 8: each table family behind its own narrow port; the composite is their union.
describe('table families behind narrow ports', () => {
  it('a consumer typed on one family port reads and writes through it; the composite sees the same rows', () => {
    const t = tempLedgerDir();
    try {
      const { store } = openStore(t.file());
      seedAccount(store);
      const orders: OrderLedger = store.orders;
      const accounts: AccountLedger = store.accounts;
      const quotes: QuoteRecorder = store.quotes;
      expect(accounts.getAccount('acct-1')).toEqual(store.getAccount('acct-1'));
      expect(orders.recordFill(newFill())).toBe(true);
      expect(store.fillsForRebuild()).toEqual(orders.fillsForRebuild());
      quotes.appendRecordedQuote({ venue: 'sim', symbol: 'SPY', receivedAt: 1_700_000_000_000, exchangeTime: null, bid: '1.10', ask: '1.20', last: null, bidSize: '3', askSize: null });
      store.flush();
      expect(store.recordedQuotes({ fromMs: 0, toMs: 2_000_000_000_000 })).toMatchObject([{ symbol: 'SPY', bid: '1.10', ask: '1.20', last: null, exchangeTime: null }]);
      store.close();
    } finally {
      t.cleanup();
    }
  });
});
