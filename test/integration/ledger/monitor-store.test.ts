// Issue 17: the monitoring cycle's records in SQLite — a cycle read back as it was shown (steps,
// reasons, notes, actions with their times), step 2's day P&L replaced as a whole, step 3's
// positions with analytics in one transaction (a bad row rolls the whole account back), regenerations,
// settings; all surviving a reopen.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newOrder, openStore, seedAccount, tempLedgerDir, T0 } from './helpers';
import type { MonitorCycleWire } from '../../../src/shared/monitor';
import type { LedgerPositionSyncRow } from '../../../src/node/ledger/monitor-store';

let tmp: ReturnType<typeof tempLedgerDir>;
beforeEach(() => {
  tmp = tempLedgerDir('monitor-store-');
});
afterEach(() => tmp.cleanup());

const cycle = (over: Partial<MonitorCycleWire> = {}): MonitorCycleWire => ({
  id: 'mc-acct-1',
  account: 'acct-1',
  trigger: 'schedule',
  started_at: T0,
  finished_at: T0 + 40,
  duration_ms: 40,
  status: 'errors',
  stopped_at: null,
  steps: Array.from({ length: 10 }, (_, i) => ({
    step: i + 1,
    name: (['fetch', 'fifo_pnl', 'sync', 'sl_tp', 'modify_entries', 'modify_sl', 'archive_rejected', 'regenerate', 'replace_regenerated', 'report'] as const)[i]!,
    status: i === 3 ? ('failed' as const) : i === 7 || i === 8 ? ('skipped' as const) : ('ok' as const),
    reason: i === 7 ? 'not permitted: entry regenerate is off for this account' : null,
    error: i === 3 ? 'TP for X: not a positive price' : null,
    duration_ms: 4,
    note: i === 0 ? '2 order(s) today, 1 position(s)' : null,
    actions:
      i === 3
        ? [{ execution_id: 'x9', step: 4, kind: 'place_sl' as const, symbol: 'SPY', client_order_id: 'ld-1', linked_client_order_id: 'ld-0', outcome: 'done' as const, detail: 'SL 5% below', at: T0 + 12 }]
        : [],
  })),
  errors: [{ step: 4, name: 'sl_tp', message: 'TP for X: not a positive price' }],
  summary: 'errors: 1 error(s)',
  delayed_ms: 1500,
  ...over,
});

const pos = (over: Partial<LedgerPositionSyncRow> = {}): LedgerPositionSyncRow => ({
  positionId: 'acct-1:SPY',
  reEntryNum: 0,
  symbol: 'SPY',
  side: 'long',
  status: 'OPEN',
  quantityTotal: '2',
  quantityClosed: '0',
  quantityOpen: '2',
  avgEntryPrice: '400',
  avgExitPrice: null,
  realizedPnl: '0',
  fees: '0',
  openedAt: T0,
  closedAt: null,
  markPrice: '401',
  pnlAbs: '2',
  pnlPct: '0.25',
  reason: null,
  ...over,
});

describe('SqliteMonitorStore', () => {
  it('a cycle reads back exactly as recorded, across a reopen; newest first, `before` pages back', () => {
    const path = tmp.file();
    {
      const { store } = openStore(path);
      seedAccount(store);
      store.monitor.recordCycle(cycle());
      store.monitor.recordCycle(cycle({ id: 'mc-2', started_at: T0 + 60_000, finished_at: T0 + 60_010, duration_ms: 10, status: 'session_needed', stopped_at: 1, delayed_ms: null }));
      expect(() => store.monitor.recordCycle(cycle())).toThrow(/UNIQUE/);
      store.close();
    }
    const { store } = openStore(path);
    const all = store.monitor.cycles('acct-1', 10);
    expect(all.map((c) => c.id)).toEqual(['mc-2', 'mc-acct-1']);
    expect(all[1]).toEqual(cycle());
    expect(all[0]!.status).toBe('session_needed');
    expect(store.monitor.cycles('acct-1', 10, T0 + 60_000).map((c) => c.id)).toEqual(['mc-acct-1']);
    // the v1 reader (AuditLedger) still reads the rows
    expect(store.lastMonitorCycles(5, { accountId: 'acct-1' })).toHaveLength(2);
    store.close();
  });

  it('a cycle of an account the ledger does not hold is refused, naming it', () => {
    const { store } = openStore(tmp.file());
    expect(() => store.monitor.recordCycle(cycle({ account: 'nobody' }))).toThrow(/no account "nobody"|nobody/);
    store.close();
  });

  it('step 2 replaces the day as a whole; step 3 writes every position or none', () => {
    const { store } = openStore(tmp.file());
    seedAccount(store);
    const m = store.monitor;
    m.replaceDayPnl('acct-1', '2026-11-20', [{ symbol: 'SPY', boughtQuantity: '2', soldQuantity: '1', openQuantity: '1', avgOpenPrice: '400', realizedPnl: '3.5', multiplier: '1', orders: 3 }], 'c1', T0);
    m.replaceDayPnl('acct-1', '2026-11-20', [{ symbol: 'QQQ', boughtQuantity: '1', soldQuantity: '0', openQuantity: '1', avgOpenPrice: '300', realizedPnl: '0', multiplier: '1', orders: 1 }], 'c2', T0);
    expect(m.dayPnl('acct-1', '2026-11-20').map((r) => r.symbol)).toEqual(['QQQ']);
    // a bad row: nothing of the step-2 write lands, the previous rows stay
    expect(() => m.replaceDayPnl('acct-1', '2026-11-20', [{ symbol: 'IWM', boughtQuantity: '1', soldQuantity: '0', openQuantity: '1', avgOpenPrice: null, realizedPnl: 'abc', multiplier: '1', orders: 1 }], 'c3', T0)).toThrow(/monitor_pnl\[0\]\.realized_pnl/);
    expect(m.dayPnl('acct-1', '2026-11-20').map((r) => r.symbol)).toEqual(['QQQ']);

    m.syncPositions('acct-1', [pos()], T0);
    expect(m.positions('acct-1')).toEqual([pos()]);
    // one good row and one without a mark or a reason: the whole account's write is refused, the previous rows stay
    expect(() => m.syncPositions('acct-1', [pos({ markPrice: '402', pnlAbs: '4' }), pos({ positionId: 'acct-1:QQQ', symbol: 'QQQ', markPrice: null, pnlAbs: null, pnlPct: null, reason: null })], T0 + 1)).toThrow(
      /positions\[1\] \(QQQ\): an unknown \(null\) mark or P&L needs a reason; nothing was written/,
    );
    expect(m.positions('acct-1')).toEqual([pos()]);
    m.syncPositions('acct-1', [pos({ markPrice: null, pnlAbs: null, pnlPct: null, reason: 'no fresh mark: quote stale (12 s old)' })], T0 + 2);
    expect(m.positions('acct-1')[0]).toMatchObject({ markPrice: null, reason: 'no fresh mark: quote stale (12 s old)' });
    store.close();
  });

  it('regenerations and settings survive a reopen', () => {
    const path = tmp.file();
    {
      const { store } = openStore(path);
      seedAccount(store);
      store.insertOrder(newOrder({ clientOrderId: 'rj1' }));
      store.monitor.addRegeneration({ rejectedClientOrderId: 'rj1', account: 'acct-1', newClientOrderId: 'rj1-r1', strategy: 's1', attempt: 1, cycleId: 'c1', createdAt: T0, status: null, reason: null, placedAt: null });
      expect(() => store.monitor.addRegeneration({ rejectedClientOrderId: 'rj1', account: 'acct-1', newClientOrderId: 'rj1-r2', strategy: 's1', attempt: 1, cycleId: 'c1', createdAt: T0, status: null, reason: null, placedAt: null })).toThrow();
      store.monitor.settleRegeneration('rj1', 'placed', null, T0 + 5);
      expect(() => store.monitor.settleRegeneration('nope', 'placed', null, T0)).toThrow(/no regeneration of order nope/);
      store.monitor.saveSettings('acct-1', { enabled: false, interval_ms: 30_000, earliest: '09:40', sl_tp: { stop_loss: { kind: 'pct', value: '30' }, take_profit: null, by_strategy: {} }, regenerate: { permitted: true, strategies: ['s1'], max_attempts: 2 }, fresh_quote_wait_ms: 2000 }, T0);
      store.close();
    }
    const { store } = openStore(path);
    expect(store.monitor.regenerations('acct-1')).toEqual([
      { rejectedClientOrderId: 'rj1', account: 'acct-1', newClientOrderId: 'rj1-r1', strategy: 's1', attempt: 1, cycleId: 'c1', createdAt: T0, status: 'placed', reason: null, placedAt: T0 + 5 },
    ]);
    expect(store.monitor.settings('acct-1')).toMatchObject({ enabled: false, interval_ms: 30_000, earliest: '09:40', regenerate: { permitted: true, strategies: ['s1'], max_attempts: 2 } });
    expect(store.monitor.settings('other')).toBeNull();
    store.close();
  });
});
