// Issue 16 items 1–3 through the desk's commands, against the simulated venue over loopback, with the
// ledger's SQLite journal: orders refused before Start and in Monitor, Trade on the sim account by one
// switch, a limit order placed (order_events carrying journal rows), cancelled, its history; the
// Reducing kill switch refuses an opening order with a clear message; the snapshot's trading parts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import type { CommandOutcome, DeskEvent } from '../../../src/shared/contract';
import type { OrderOutcomeWire, OrderWire, OrderHistoryWire, TradingStateWire } from '../../../src/shared/trading';
import { waitFor } from '../../helpers/desk-wait';

let desk: Desk | null = null;
let ledger: { store: SqliteLedgerStore; dir: string } | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  ledger?.store.close();
  if (ledger) rmSync(ledger.dir, { recursive: true, force: true });
  ledger = null;
});

function ok<T>(r: CommandOutcome): T {
  if (!r.ok) throw new Error(`command failed: ${r.error.message}`);
  return r.result as T;
}

describe('trading through the desk commands (sim venue, SQLite journal)', () => {
  it('Monitor refuses, Trade places and cancels a limit order with journal order_events and history; Reducing refuses an opening order', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'desk-trading-'));
    const store = SqliteLedgerStore.open({ path: join(dir, 'ledger.sqlite') });
    ledger = { store, dir };
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 20, watchlist: ['SPY'] }, accountLedger: store.accounts, orderJournal: store.orderJournal });
    const d = desk;
    const events: DeskEvent[] = [];
    d.subscribe((e) => events.push(e));
    const place = { account: 'default', symbol: 'SPY', side: 'buy', quantity: '2', order_type: 'limit', limit_price: '1.00' };

    // Before Start: refused, named.
    const before = await d.handle('orders.place', place);
    expect(before).toEqual({ ok: false, error: { code: 'failed', message: 'orders.place: account default is not running: press Start' } });
    const unknown = await d.handle('orders.place', { ...place, account: 'nope' });
    expect(unknown.ok ? '' : unknown.error.message).toBe('orders.place: the desk holds no account "nope" (it holds "default")');

    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'the sim running');
    // The start reconciliation runs once the account's fills are synced: until it is clean, automation is blocked (checked below).
    await waitFor(() => d.reconciler.state('default').status === 'clean', 8000, 'the start reconciliation clean');

    // Monitor (the default): the gateway refuses, nothing is sent or journaled.
    const states = ok<{ accounts: TradingStateWire[] }>(await d.handle('trading.get', {})).accounts;
    expect(states).toEqual([{ account: 'default', mode: 'monitor', venue_mode: 'SIM', live_armed: false, since: null, kill_switch: 'active', automation_blocked: 'Monitor mode: read-only (switch the account to Trade)' }]);
    const refused = ok<{ outcome: OrderOutcomeWire }>(await d.handle('orders.place', place)).outcome;
    expect(refused).toMatchObject({ kind: 'refused', cause: 'mode' });
    expect(store.orderJournal.list()).toEqual([]);

    // Trade on the sim: one switch; a node_event and a trading_event say so.
    const armed = ok<{ trading: TradingStateWire }>(await d.handle('trading.set_mode', { account: 'default', mode: 'trade' })).trading;
    expect(armed).toMatchObject({ account: 'default', mode: 'trade', live_armed: false, automation_blocked: null });
    expect(events.some((e) => e.type === 'node_event' && e.action === 'trading_mode' && /Monitor → Trade by user/.test(e.message ?? ''))).toBe(true);
    expect(events.some((e) => e.type === 'trading_event' && e.accounts[0]?.mode === 'trade')).toBe(true);

    // A resting limit buy far below the market: accepted, journaled, order_events with journal rows.
    const placed = ok<{ outcome: OrderOutcomeWire }>(await d.handle('orders.place', place)).outcome;
    expect(placed.kind).toBe('accepted');
    const order = (placed as { order: OrderWire }).order;
    expect(order).toMatchObject({ account: 'default', symbol: 'SPY', side: 'buy', quantity: '2', limit_price: '1.00', status: 'accepted', origin: 'manual' });
    expect(order.client_order_id).toMatch(/^ld-default-[0-9a-z]+-[0-9a-z]+$/);
    expect(order.client_order_id.length).toBeLessThanOrEqual(48);
    const journalEvents = () => events.flatMap((e) => (e.type === 'order_event' && e.journal?.order.client_order_id === order.client_order_id ? [e] : []));
    expect(journalEvents().map((e) => [e.journal!.history.kind, e.journal!.history.to_status])).toEqual([
      ['created', 'pending_submit'],
      ['answered', 'accepted'],
    ]);
    expect(journalEvents()[1]!.order).toMatchObject({ order_id: order.client_order_id, status: 'accepted', side: 'BUY', quantity: '2' });

    // Cancel it; the venue confirms (answer, then the stream's update).
    const cancelled = ok<{ outcome: OrderOutcomeWire }>(await d.handle('orders.cancel', { account: 'default', client_order_id: order.client_order_id })).outcome;
    expect(cancelled.kind).toBe('accepted');
    await waitFor(() => store.orderJournal.get(order.client_order_id)?.status === 'cancelled', 5000, 'the order cancelled');
    const h = ok<{ order: OrderWire; history: OrderHistoryWire[] }>(await d.handle('orders.history', { account: 'default', client_order_id: order.client_order_id }));
    expect(h.order.status).toBe('cancelled');
    expect(h.history.map((e) => e.kind).slice(0, 3)).toEqual(['created', 'answered', 'sent']);
    expect(h.history.at(-1)!.to_status).toBe('cancelled');
    expect(h.history.map((e) => e.seq)).toEqual([...h.history.map((e) => e.seq)].sort((a, b) => a - b));

    // orders.list and the snapshot's trading parts.
    const listed = ok<{ orders: OrderWire[] }>(await d.handle('orders.list', { account: 'default' })).orders;
    expect(listed.map((o) => [o.client_order_id, o.status])).toEqual([[order.client_order_id, 'cancelled']]);
    expect(ok<{ orders: OrderWire[] }>(await d.handle('orders.list', { scope: 'open' })).orders).toEqual([]);
    const snap = d.snapshot();
    expect(snap.trading?.[0]?.mode).toBe('trade');
    expect(snap.journal_orders?.map((o) => o.client_order_id)).toEqual([order.client_order_id]);
    expect(snap.exits).toEqual([]);

    // Reducing: an opening order is refused with the kill switch's message (no position is known to reduce).
    ok(await d.handle('killswitch.set', { account: 'default', level: 'reducing', reason: 'test' }));
    // the trading state carries the level in force: announced again
    const lastTrading = events.filter((e) => e.type === 'trading_event').at(-1);
    expect(lastTrading?.type === 'trading_event' && lastTrading.accounts[0]?.kill_switch).toBe('reducing');
    const opening = ok<{ outcome: OrderOutcomeWire }>(await d.handle('orders.place', place)).outcome;
    expect(opening).toEqual({
      kind: 'refused',
      cause: 'kill_switch',
      reason: 'kill switch Reducing on account default: this buy of 2 SPY does not reduce exposure (position and working orders considered)',
      order: null,
    });
    expect(store.orderJournal.list()).toHaveLength(1);

    // Back to Monitor: disarmed, announced.
    const off = ok<{ trading: TradingStateWire }>(await d.handle('trading.set_mode', { account: 'default', mode: 'monitor' })).trading;
    expect(off).toMatchObject({ mode: 'monitor', since: null, kill_switch: 'reducing' });

    // Stop with the account in Trade: it goes back to Monitor (every start is Monitor), said by the desk.
    ok(await d.handle('trading.set_mode', { account: 'default', mode: 'trade' }));
    await d.stop();
    expect(d.trading.mode('default')).toBe('monitor');
    expect(events.some((e) => e.type === 'node_event' && e.message === 'account default (SIM): Trade → Monitor by desk: the account stopped: every start is in Monitor')).toBe(true);
    const stopped = await d.handle('orders.place', place);
    expect(stopped.ok ? '' : stopped.error.message).toBe('orders.place: account default is not running: press Start');
    // disposing a desk whose account is in Trade is clean too (afterEach)
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'the sim running again');
    ok(await d.handle('trading.set_mode', { account: 'default', mode: 'trade' }));
  });
});
