// Issue 16 item 4 on a real desk: the account fills as the desk's order-path participant.
// - against the simulated venue over loopback, with a real SQLite ledger: a fill made while the
//   trade_updates stream is down (sim faults: drop + refuse406) reaches the ledger after the resync;
//   the streamed fill is not counted again by the catch-up; ledger fills = venue fills; a new desk on
//   the same ledger shows the positions (they survive a restart);
// - a late fill through the desk: the UI gets position_events for the corrected position and the
//   snapshot's position equals the rebuild's.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { ManualClock } from '../../../src/core/ports/clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { createFifoPositionEngine } from '../../../src/node/ledger/fifo-engine';
import { rebuildPositions } from '../../../src/node/ledger/rebuild';
import type { DeskEvent } from '../../../src/shared/contract';
import type { OrderUpdate, VenueOrder } from '../../../src/core/ports/venue';
import { tempLedgerDir, T0 } from '../ledger/helpers';
import { waitFor } from '../../helpers/desk-wait';

let desk: Desk | null = null;
let store: SqliteLedgerStore | null = null;
let tmp: ReturnType<typeof tempLedgerDir> | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  store?.close();
  store = null;
  tmp?.cleanup();
  tmp = null;
});

describe('account fills on a desk with the simulated venue and a SQLite ledger', () => {
  it('a fill made while trade_updates is down reaches the ledger after the resync, once; ledger = venue; positions survive a restart', { timeout: 30_000 }, async () => {
    tmp = tempLedgerDir('account-fills-desk-');
    const clock = new SystemClock();
    store = SqliteLedgerStore.open({ path: tmp.file(), clock });
    const deps = { clock, portfolioPath: null, config: { simIntervalMs: 20, watchlist: ['SPY'], streams: { backoffBaseMs: 50, backoffCapMs: 200 } }, accountLedger: store.accounts, fillLedger: store.orders };
    desk = createDesk(deps);
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'running'), 8000, 'trade_updates running');
    await d.positions.whenSynced('default');
    const ex = d.activeExecution!;
    const sim = d.simServer!;
    await waitFor(() => sim.model.quote('SPY', Date.now()) !== null, 5000, 'a SPY quote');

    // One fill on the stream.
    await ex.placeOrder({ clientOrderId: 'af-1', symbol: 'SPY', qty: '10', side: 'buy', type: 'market', timeInForce: 'day' });
    await waitFor(() => store!.fillsForRebuild({ accountId: 'default' }).length === 1, 5000, 'the streamed fill in the ledger');
    expect(store.fillsForRebuild({ accountId: 'default' })[0]).toMatchObject({ origin: 'venue', quantity: '10', positionId: 'venue:SPY' });

    // The order channel goes down (dropped, reconnects refused for a while); an order fills meanwhile.
    let resyncs = 0;
    const offResync = ex.listen({ resync: (stream) => void (stream === 'trade_updates' && resyncs++) });
    sim.fault({ kind: 'refuse406', stream: 'trade_updates', forMs: 800 });
    sim.fault({ kind: 'drop', stream: 'trade_updates' });
    const missed = await ex.placeOrder({ clientOrderId: 'af-2', symbol: 'SPY', qty: '5', side: 'buy', type: 'market', timeInForce: 'day' });
    expect(missed.status === 'filled' || (await ex.orderByClientId('af-2'))?.status === 'filled').toBe(true);
    expect(store.fillsForRebuild({ accountId: 'default' })).toHaveLength(1); // nobody told the desk yet
    await waitFor(() => resyncs > 0, 15_000, 'trade_updates resync');
    offResync();
    await d.positions.whenSynced('default');
    await waitFor(() => store!.fillsForRebuild({ accountId: 'default' }).length === 2, 5000, 'the missed fill fetched');
    const rows = store.fillsForRebuild({ accountId: 'default' });
    expect(rows.map((r) => [r.origin, r.quantity])).toEqual([
      ['venue', '10'],
      ['fetched', '5'],
    ]);
    // Ledger = venue: Σ recorded quantity per venue order = the venue's filled quantity.
    const venueOrders: VenueOrder[] = await ex.orders({ status: 'all' });
    const recorded = new Map<string, number>();
    for (const r of rows) recorded.set(r.brokerOrderId!, (recorded.get(r.brokerOrderId!) ?? 0) + Number(r.quantity));
    expect(Object.fromEntries(recorded)).toEqual(Object.fromEntries(venueOrders.filter((o) => Number(o.filledQty) > 0).map((o) => [o.id, Number(o.filledQty)])));
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(15_000_000_000n);
    expect(d.snapshot().positions.find((p) => p.position_id === 'venue:SPY')?.quantity_remaining).toBe('15');
    // Another catch-up (a second resync) counts nothing twice.
    await d.accountFills.resync(d.accounts()[0]!, 'trade_updates');
    expect(store.fillsForRebuild({ accountId: 'default' })).toHaveLength(2);

    // Restart: a new desk on the same ledger shows the positions before any fill arrives.
    await d.dispose();
    desk = createDesk(deps);
    const again = desk;
    await again.start();
    await again.positions.whenSynced('default');
    expect(again.positions.signedQuantity('default', 'SPY')).toBe(15_000_000_000n);
    expect(again.snapshot().positions.find((p) => p.position_id === 'venue:SPY')?.quantity_remaining).toBe('15');
    expect(store.fillsForRebuild({ accountId: 'default' })).toHaveLength(2);
  });
});

describe('an execution lost on a live stream (no reconnect)', () => {
  it('the next execution of its order shows the gap; the catch-up brings it: ledger = venue', { timeout: 20_000 }, async () => {
    tmp = tempLedgerDir('account-fills-stall-');
    const clock = new SystemClock();
    store = SqliteLedgerStore.open({ path: tmp.file(), clock });
    desk = createDesk({ clock, portfolioPath: null, config: { simIntervalMs: 250, watchlist: ['SPY'] }, accountLedger: store.accounts, fillLedger: store.orders });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'running'), 8000, 'trade_updates running');
    await d.positions.whenSynced('default');
    const ex = d.activeExecution!;
    const sim = d.simServer!;
    await waitFor(() => sim.model.quote('SPY', Date.now()) !== null, 5000, 'a SPY quote');
    // Partial fills: half now, the rest on the next market step. The first execution is lost (stalled stream).
    sim.fault({ kind: 'fills', partial: true });
    sim.fault({ kind: 'stall', stream: 'trade_updates' });
    const placed = await ex.placeOrder({ clientOrderId: 'st-1', symbol: 'SPY', qty: '8', side: 'sell', type: 'market', timeInForce: 'day' });
    sim.fault({ kind: 'resume' });
    await waitFor(() => (store!.fillsForRebuild({ accountId: 'default' }).reduce((a, r) => a + Number(r.quantity), 0)) === 8, 8000, 'both executions in the ledger');
    const rows = store.fillsForRebuild({ accountId: 'default' });
    expect(rows.map((r) => [r.origin, r.quantity]).sort()).toEqual([
      ['fetched', '4'],
      ['venue', '4'],
    ]);
    const venue = await ex.orderByClientId('st-1');
    expect(venue).toMatchObject({ id: placed.id, filledQty: '8', status: 'filled' });
    expect(d.positions.signedQuantity('default', 'SPY')).toBe(-8_000_000_000n);
  });
});

describe('a late fill through the desk', () => {
  it('re-applies the position from its execution time: position_events for the corrected position, snapshot = rebuild', async () => {
    tmp = tempLedgerDir('account-fills-late-');
    const clock = new ManualClock(T0 + 60_000);
    store = SqliteLedgerStore.open({ path: tmp.file(), clock });
    desk = createDesk({ clock, portfolioPath: null, accountLedger: store.accounts, fillLedger: store.orders });
    const d = desk;
    const account = d.accounts()[0]!;
    const events: DeskEvent[] = [];
    d.subscribe((e) => events.push(e));
    const upd = (id: string, side: 'buy' | 'sell', qty: string, price: string, at: number): OrderUpdate => {
      const iso = new Date(at).toISOString();
      const order: VenueOrder = { id, clientOrderId: `c-${id}`, symbol: 'SPY', side, type: 'market', orderClass: 'simple', timeInForce: 'day', qty, filledQty: qty, filledAvgPrice: price, limitPrice: null, stopPrice: null, status: 'filled', createdAt: iso, updatedAt: iso, legs: [] };
      return { event: 'fill', order, executionId: `e-${id}`, price, qty, positionQty: null, timestamp: at, receivedAt: at };
    };
    d.accountFills.orderUpdate(account, upd('A', 'buy', '10', '10', T0 + 1));
    d.accountFills.orderUpdate(account, upd('C', 'sell', '10', '12', T0 + 3));
    d.accountFills.orderUpdate(account, upd('D', 'buy', '10', '13', T0 + 4));
    expect(d.snapshot().positions.filter((p) => p.position_id === 'venue:SPY').map((p) => [p.re_entry_num, p.status, p.quantity_remaining])).toEqual([
      [0, 'CLOSED', '0'],
      [1, 'OPEN', '10'],
    ]);
    events.length = 0;
    d.accountFills.orderUpdate(account, upd('B', 'buy', '10', '11', T0 + 2)); // executed before C and D
    const pe = events.filter((e) => e.type === 'position_event');
    expect(pe.map((e) => (e.type === 'position_event' ? [e.position.re_entry_num, e.position.status, e.position.quantity_remaining] : null))).toEqual([[0, 'PARTIAL', 20]]);
    expect(events.some((e) => e.type === 'fill_event' && e.fill.fill_id === 'B@10')).toBe(true);
    const shown = d.snapshot().positions.filter((p) => p.position_id === 'venue:SPY');
    expect(shown.map((p) => [p.re_entry_num, p.status, p.quantity_remaining, p.realized_net])).toEqual([[0, 'PARTIAL', '20', '20']]);
    const rebuilt = rebuildPositions(store, createFifoPositionEngine(() => 1), { accountId: 'default' }).positions;
    expect(rebuilt.map((p) => [p.reEntryNum, p.status, p.quantityOpen, p.realizedPnl])).toEqual([[0, 'PARTIAL', '20', '20']]);
  });
});
