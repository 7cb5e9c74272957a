// Issue 17, "Done when": the monitoring cycle through a real desk against the simulated venue with
// 10 accounts (one sim server, one key and book per account) and the SQLite ledger wired as the
// headless desk wires it — SL/TP placed once (never twice across cycles), fair-price modifications
// only on fresh quotes, rejected orders archived and regenerated only where permitted, session
// expiry → session_needed → re-auth → recovers, every cycle recorded in the ledger.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { LedgerReconciliationStore } from '../../../src/node/ledger/reconciliation-store';
import { accountId } from '../../../src/core/model/ids';
import { instrumentId } from '../../../src/core/model/ids';
import type { Account } from '../../../src/core/model/account';
import { simCredentials } from '../../../src/node/venues/sim/server';
import type { MonitorCycleWire, OrderOutcomeWire, OrderWire } from '../../../src/shared/contract';
import { tempLedgerDir } from '../ledger/helpers';
import { waitFor, command } from '../../helpers/desk-wait';

const EXTRA: Account[] = Array.from({ length: 9 }, (_, i) => ({
  id: accountId(`acc${i + 1}`),
  label: `Account ${i + 1}`,
  venue: 'sim',
  mode: 'SIM',
  credentialsRef: null,
}));
const ALL = ['default', ...EXTRA.map((a) => a.id as string)];

let open: { desk: Desk; store: SqliteLedgerStore; tmp: ReturnType<typeof tempLedgerDir> } | null = null;
afterEach(async () => {
  if (!open) return;
  await open.desk.dispose();
  open.store.close();
  open.tmp.cleanup();
  open = null;
});

function openDesk(config: Record<string, unknown> = {}): { d: Desk; store: SqliteLedgerStore } {
  const tmp = tempLedgerDir('monitor');
  const clock = new SystemClock();
  const store = SqliteLedgerStore.open({ path: tmp.file(), clock });
  const desk = createDesk({
    clock,
    portfolioPath: null,
    config: { simIntervalMs: 50, watchlist: ['SPY'], ...config },
    accounts: EXTRA,
    accountLedger: store.accounts,
    fillLedger: store.orders,
    orderJournal: store.orderJournal,
    reconciliationStore: new LedgerReconciliationStore(store.settings),
    ledgerFills: store.orders,
    monitorStore: store.monitor,
    // the test runs cycles itself ("run now"); the scheduled ones stay an hour away
    monitorDefaults: { interval_ms: 3_600_000 },
  });
  open = { desk, store, tmp };
  return { d: desk, store };
}

const runNow = async (d: Desk, account: string) => (await command<{ cycle: MonitorCycleWire }>(d, 'monitor.run_now', { account })).cycle;
const journal = async (d: Desk, account: string) => (await command<{ orders: OrderWire[] }>(d, 'orders.list', { account, scope: 'all' })).orders;
const statuses = (c: MonitorCycleWire) => c.steps.map((s) => `${s.step}:${s.status}`).join(' ');

async function startAll(d: Desk): Promise<void> {
  await d.start();
  await waitFor(() => d.monitor.accounts().length === 10 && d.monitor.accounts().every((a) => a.last_cycle !== null), 30_000, 'every account’s first cycle');
  for (const id of ALL) await command(d, 'trading.set_mode', { account: id, mode: 'trade' });
}

describe('the monitoring cycle through the desk, 10 accounts on the simulated venue', () => {
  it('SL and TP are placed once per position, never twice across cycles; every cycle, the day P&L and the positions with analytics are in the ledger', { timeout: 90_000 }, async () => {
    const { d, store } = openDesk();
    await startAll(d);
    // one server, a book per key
    const server = d.accountVenue(accountId('default'))!.sim!;
    expect(d.accountVenue(accountId('acc5'))!.sim).toBe(server);
    for (const [i, id] of ALL.entries()) {
      const out = (await command<{ outcome: OrderOutcomeWire }>(d, 'orders.place', { account: id, symbol: 'SPY', side: 'buy', quantity: String(i + 1), order_type: 'market' })).outcome;
      expect(out.kind).toBe('accepted');
      await command(d, 'monitor.configure', { account: id, settings: { sl_tp: { stop_loss: { kind: 'pct', value: '5' }, take_profit: { kind: 'pct', value: '5' } } } });
    }
    await waitFor(() => ALL.every((id, i) => d.accountFills.snapshots(id).some((p) => p.symbol === 'SPY' && p.status !== 'CLOSED' && p.quantity_remaining === BigInt(i + 1) * 10n ** 9n)), 15_000, 'every account’s position');

    // three cycles on every account at once
    for (let round = 0; round < 3; round++) {
      const cycles = await Promise.all(ALL.map((id) => runNow(d, id)));
      for (const c of cycles) expect(c.status, `${c.account}: ${c.summary}`).toBe('ok');
    }
    for (const [i, id] of ALL.entries()) {
      const orders = await journal(d, id);
      const entry = orders.find((o) => o.role === 'entry')!;
      expect(entry).toBeDefined();
      const protective = orders.filter((o) => o.role === 'sl' || o.role === 'tp');
      // exactly one SL and one TP, for this account's own quantity, linked to its entry, placed by the monitor
      expect(protective.map((o) => o.role).sort()).toEqual(['sl', 'tp']);
      for (const o of protective) {
        expect(o).toMatchObject({ account: id, symbol: 'SPY', side: 'sell', quantity: String(i + 1), origin: 'monitor', linked_client_order_id: entry.client_order_id });
        expect(['accepted', 'submitted']).toContain(o.status);
      }
      expect(protective.find((o) => o.role === 'sl')!.order_type).toBe('stop_limit');
      // the sim's books are separate: this key's open orders are its own two
      const recorded = store.monitor.cycles(id, 50);
      expect(recorded.map((c) => c.trigger), id).toEqual(['run_now', 'run_now', 'run_now', 'schedule']);
      expect(recorded[0]!.steps).toHaveLength(10);
      const pnl = store.monitor.dayPnl(id, recorded[0]!.started_at ? new Date(recorded[0]!.started_at).toISOString().slice(0, 10) : '');
      expect(pnl).toEqual([expect.objectContaining({ symbol: 'SPY', boughtQuantity: String(i + 1), openQuantity: String(i + 1) })]);
      const pos = store.monitor.positions(id).filter((p) => p.symbol === 'SPY');
      expect(pos).toEqual([expect.objectContaining({ status: 'OPEN', quantityOpen: String(i + 1) })]);
      // a fresh SPY quote: a mark and a P&L (or, if the quote went stale, a reason — never a zero)
      expect(pos[0]!.markPrice !== null || pos[0]!.reason !== null).toBe(true);
    }
    // step 4's records: the placing happened in one cycle only
    const placedPerAccount = ALL.map((id) => store.monitor.cycles(id, 50).flatMap((c) => c.steps[3]!.actions).filter((a) => a.outcome === 'done').length);
    expect(placedPerAccount).toEqual(ALL.map(() => 2));
  });

  it('fair-price modification only on a fresh quote: with the quotes stale and REST down the entry is left alone and the step says why; fresh again, it is moved', { timeout: 60_000 }, async () => {
    const { d } = openDesk({ staleAfterMs: 800 });
    await startAll(d);
    const server = d.accountVenue(accountId('default'))!.sim!;
    const spy = instrumentId('sim', 'SPY');
    await waitFor(() => d.cache.get(spy)?.bid != null, 5000, 'SPY quoted');
    const bid = d.cache.get(spy)!.bid!;
    // a buy stop entry already crossed (stop below the market), its limit at the stop: it rests, triggered
    const stop = (Math.floor(bid) - 2).toFixed(2);
    const placed = (await command<{ outcome: OrderOutcomeWire }>(d, 'orders.place', { account: 'acc2', symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'stop_limit', stop_price: stop, limit_price: stop, role: 'entry' })).outcome;
    expect(placed.kind).toBe('accepted');
    const id = placed.order!.client_order_id;
    await command(d, 'monitor.configure', { account: 'acc2', settings: { fresh_quote_wait_ms: 600 } });

    server.fault({ kind: 'stall', stream: 'stocks' });
    server.fault({ kind: 'fail_data_rest' });
    await waitFor(() => d.cache.isStale(spy), 5000, 'SPY stale');
    const stale = await runNow(d, 'acc2');
    expect(stale.steps[4]!.status).toBe('failed');
    expect(stale.steps[4]!.error).toMatch(/no fresh quote of SPY within 600 ms .*: not modified/);
    expect((await journal(d, 'acc2')).find((o) => o.client_order_id === id)!.limit_price).toBe(stop);

    server.fault({ kind: 'resume' });
    await waitFor(() => !d.cache.isStale(spy), 20_000, 'SPY fresh again');
    const fresh = await runNow(d, 'acc2');
    expect(fresh.steps[4]!.status, fresh.summary).toBe('ok');
    expect(fresh.steps[4]!.actions.filter((a) => a.kind === 'modify_entry').map((a) => a.outcome)).toEqual(['done']);
    const moved = (await journal(d, 'acc2')).find((o) => o.client_order_id === id)!;
    expect(Number(moved.limit_price)).toBeGreaterThan(Number(stop));
    expect(moved.stop_price).toBe(stop);
  });

  it('rejected orders are archived on every account, regenerated only where permitted (new id linked to the rejected one)', { timeout: 60_000 }, async () => {
    const { d } = openDesk();
    await startAll(d);
    const server = d.accountVenue(accountId('default'))!.sim!;
    await command(d, 'monitor.configure', { account: 'acc1', settings: { regenerate: { permitted: true, strategies: ['s1'], max_attempts: 1 } } });
    const rejected: Record<string, string> = {};
    for (const id of ['acc1', 'acc2']) {
      server.fault({ kind: 'reject_next_order', key: simCredentials(id, false).keyId });
      const out = (await command<{ outcome: OrderOutcomeWire }>(d, 'orders.place', { account: id, symbol: 'SPY', side: 'buy', quantity: '1', order_type: 'limit', limit_price: '1.00', role: 'entry', strategy: 's1' })).outcome;
      expect(out.kind).toBe('rejected');
      rejected[id] = out.order!.client_order_id;
    }
    const [c1, c2] = await Promise.all([runNow(d, 'acc1'), runNow(d, 'acc2')]);
    expect(statuses(c1!)).toBe('1:ok 2:ok 3:ok 4:ok 5:ok 6:ok 7:ok 8:ok 9:ok 10:skipped');
    expect(statuses(c2!)).toBe('1:ok 2:ok 3:ok 4:ok 5:ok 6:ok 7:ok 8:skipped 9:skipped 10:skipped');
    expect(c2!.steps[7]!.reason).toMatch(/not permitted/);
    for (const id of ['acc1', 'acc2']) {
      const o = (await journal(d, id)).find((x) => x.client_order_id === rejected[id])!;
      expect(o.status).toBe('rejected');
      expect(o.archived_at).not.toBeNull();
    }
    const regenerated = (await journal(d, 'acc1')).find((o) => o.linked_client_order_id === rejected.acc1 && o.role === 'entry')!;
    expect(regenerated).toMatchObject({ client_order_id: `${rejected.acc1}-r1`, origin: 'monitor', strategy: 's1', limit_price: '1.00' });
    expect(['accepted', 'submitted']).toContain(regenerated.status);
    expect((await journal(d, 'acc2')).filter((o) => o.linked_client_order_id === rejected.acc2)).toEqual([]);
    // never twice
    await runNow(d, 'acc1');
    expect((await journal(d, 'acc1')).filter((o) => o.linked_client_order_id === rejected.acc1 && o.role === 'entry')).toHaveLength(1);
  });

  it('session expiry of one account: session_needed (the others go on), one re-authentication recovers it', { timeout: 60_000 }, async () => {
    const { d } = openDesk();
    await startAll(d);
    const server = d.accountVenue(accountId('default'))!.sim!;
    server.fault({ kind: 'expire_session', key: simCredentials('acc3', false).keyId });
    const c = await runNow(d, 'acc3');
    expect(['session_needed', 'stopped']).toContain(c.status);
    await waitFor(() => d.monitor.accounts().find((a) => a.account === 'acc3')!.state === 'session_needed', 10_000, 'acc3 session_needed');
    const acc3 = d.monitor.accounts().find((a) => a.account === 'acc3')!;
    expect(acc3.session_needed!.error).toMatch(/401|session|unauthorized|verification/i);
    // new entries stop on that account
    expect((await command<{ accounts: { account: string; automation_blocked: string | null }[] }>(d, 'trading.get', {})).accounts.find((a) => a.account === 'acc3')!.automation_blocked).toMatch(/session needed/);
    // the others are untouched
    for (const other of ['default', 'acc4']) expect((await runNow(d, other)).status).toBe('ok');
    const re = await command<{ ok: boolean; error: string | null; account: { state: string } }>(d, 'monitor.reauth', { account: 'acc3' });
    expect(re).toMatchObject({ ok: true, error: null });
    expect(['active', 'running']).toContain(re.account.state);
    expect((await runNow(d, 'acc3')).status).toBe('ok');
  });

  it('an exit of a protected position cancels its SL and TP first (not refused), and no new ones are placed beside it', { timeout: 60_000 }, async () => {
    const { d } = openDesk();
    await startAll(d);
    await command(d, 'orders.place', { account: 'acc6', symbol: 'SPY', side: 'buy', quantity: '3', order_type: 'market' });
    await waitFor(() => d.accountFills.snapshots('acc6').some((p) => p.symbol === 'SPY' && p.status !== 'CLOSED'), 10_000, 'acc6 long SPY');
    await command(d, 'monitor.configure', { account: 'acc6', settings: { sl_tp: { stop_loss: { kind: 'pct', value: '5' }, take_profit: { kind: 'pct', value: '5' } } } });
    expect((await runNow(d, 'acc6')).status).toBe('ok');
    const protective = (await journal(d, 'acc6')).filter((o) => o.role === 'sl' || o.role === 'tp');
    expect(protective).toHaveLength(2);
    const exit = await command<{ exit: { id: string; status: string } }>(d, 'orders.exit', { account: 'acc6', target: { kind: 'position', symbol: 'SPY' } });
    expect(exit.exit.status).not.toBe('failed');
    const after = await journal(d, 'acc6');
    for (const o of protective) expect(after.find((x) => x.client_order_id === o.client_order_id)!.status).toBe('cancelled');
    await waitFor(() => !d.accountFills.snapshots('acc6').some((p) => p.symbol === 'SPY' && p.status !== 'CLOSED'), 20_000, 'acc6 flat');
    const c = await runNow(d, 'acc6');
    expect(c.steps[3]!.actions.filter((a) => a.kind === 'place_sl' || a.kind === 'place_tp')).toEqual([]);
    expect((await journal(d, 'acc6')).filter((o) => (o.role === 'sl' || o.role === 'tp') && !['cancelled', 'filled', 'rejected', 'expired'].includes(o.status))).toEqual([]);
  });
});
