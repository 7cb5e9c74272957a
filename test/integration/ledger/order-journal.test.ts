// The SQLite OrderJournal (issue 16 item 2: "committed durably before sending"): what is written is
// read back exactly; a row and its event are written together or not at all (a real SQLite failure
// mid-transaction); bad input is refused naming the field and nothing stored changes; the v4
// migration keeps every order and order event of a ledger made with the v3 schema.
// (The gateway's own behaviour over this journal: test/unit/core/orders/gateway.test.ts runs every
// gateway test against MemoryOrderJournal and this adapter.)
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalOrder, NewJournalEvent } from '../../../src/core/ports/order-journal';
import { MIGRATIONS } from '../../../src/node/ledger/migrations';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { newOrder, openStore, seedAccount, T0, tempLedgerDir } from './helpers';

let tmp: ReturnType<typeof tempLedgerDir>;
let store: SqliteLedgerStore;

beforeEach(() => {
  tmp = tempLedgerDir('order-journal-');
  store = openStore(tmp.file()).store;
  seedAccount(store);
});

afterEach(() => {
  store.close();
  tmp.cleanup();
});

const order = (over: Partial<JournalOrder> = {}): JournalOrder => ({
  clientOrderId: 'ld-1',
  accountId: 'acct-1',
  symbol: 'SPY',
  side: 'buy',
  quantity: '2',
  orderType: 'limit',
  limitPrice: '501.25',
  // v6: read back as null when not set
  stopPrice: null,
  role: null,
  strategy: null,
  linkedClientOrderId: null,
  archivedAt: null,
  status: 'pending_submit',
  venueOrderId: null,
  venueClientOrderId: 'ld-1',
  filledQuantity: '0',
  priorFilledQuantity: '0',
  replaceCount: 0,
  pending: { kind: 'place', venueClientOrderId: 'ld-1', quantity: null, limitPrice: null, state: 'sending', since: T0, attempts: 1 },
  reason: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const event = (over: Partial<NewJournalEvent> = {}): NewJournalEvent => ({
  clientOrderId: 'ld-1',
  at: T0,
  kind: 'created',
  command: 'place',
  fromStatus: null,
  toStatus: 'pending_submit',
  reason: null,
  detail: { symbol: 'SPY', side: 'buy', quantity: '2' },
  ...over,
});

/** A replace in flight, after a partial fill: every column of the row in use. */
const replacing = order({
  status: 'partially_filled',
  venueOrderId: 'v-1',
  filledQuantity: '0.5',
  priorFilledQuantity: '1',
  replaceCount: 2,
  pending: { kind: 'replace', venueClientOrderId: 'ld-1.r2', quantity: '3', limitPrice: '500.10', state: 'unknown', since: T0 + 7, attempts: 2 },
  reason: 'replace outcome unknown',
  updatedAt: T0 + 9,
});

describe('SqliteOrderJournal', () => {
  it('reads back exactly what was written: the row (pending command and all) and its events in order', () => {
    const j = store.orderJournal;
    j.insert(order(), event());
    expect(j.get('ld-1')).toEqual(order());
    j.update(replacing, event({ kind: 'unknown', command: 'replace', fromStatus: 'accepted', toStatus: 'partially_filled', at: T0 + 9, reason: 'lost', detail: { successor: 'ld-1.r2', restart: true, attempt: 2 } }));
    expect(j.get('ld-1')).toEqual(replacing);
    expect(j.byVenueClientOrderId('ld-1')).toEqual(replacing);
    expect(j.byVenueClientOrderId('ld-1.r2')).toEqual(replacing); // the pending replace's successor
    expect(j.byVenueClientOrderId('nobody')).toBeNull();
    expect(j.list()).toEqual([replacing]);
    expect(j.list({ accountId: 'other' })).toEqual([]);
    const events = j.events('ld-1');
    expect(events.map((e) => [e.kind, e.command, e.fromStatus, e.toStatus, e.at])).toEqual([
      ['created', 'place', null, 'pending_submit', T0],
      ['unknown', 'replace', 'accepted', 'partially_filled', T0 + 9],
    ]);
    expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);
    expect(events[1]!.detail).toEqual({ successor: 'ld-1.r2', restart: true, attempt: 2 });
    // The OrderLedger's rows are not journal orders (no venue client order id), and stay out of it.
    store.insertOrder(newOrder({ clientOrderId: 'ord-ledger' }));
    expect(j.get('ord-ledger')).toBeNull();
    expect(j.list().map((o) => o.clientOrderId)).toEqual(['ld-1']);
  });

  it('still finds an order by the client order id of a venue order it replaced (and refuses that id to another order)', () => {
    const j = store.orderJournal;
    j.insert(order(), event());
    const adopted = { ...replacing, venueClientOrderId: 'ld-1.r2', pending: null };
    j.update(replacing, event({ kind: 'sent', command: 'replace', toStatus: 'partially_filled' }));
    j.update(adopted, event({ kind: 'answered', command: 'replace', toStatus: 'partially_filled' }));
    for (const id of ['ld-1', 'ld-1.r2']) expect(j.byVenueClientOrderId(id), id).toEqual(adopted);
    expect(() => j.insert(order({ clientOrderId: 'ld-7', venueClientOrderId: 'ld-7', pending: { ...order().pending!, venueClientOrderId: 'ld-1.r2' } }), event({ clientOrderId: 'ld-7' }))).toThrow(
      /orders\.pending_venue_client_order_id "ld-1\.r2" belongs to order "ld-1"/,
    );
    expect(j.get('ld-7')).toBeNull();
  });

  it('survives a close and reopen of the file (what insert/update returned from is on disk)', () => {
    store.orderJournal.insert(order(), event());
    store.orderJournal.update(replacing, event({ kind: 'sent', command: 'replace', fromStatus: 'accepted', toStatus: 'partially_filled' }));
    store.close();
    store = openStore(tmp.file()).store;
    expect(store.orderJournal.get('ld-1')).toEqual(replacing);
    expect(store.orderJournal.events('ld-1')).toHaveLength(2);
  });

  it('v6: a stop_limit SL order with role, strategy and link survives a reopen; stored as a limit with its stop price, read back as stop_limit', () => {
    const sl = order({
      clientOrderId: 'ld-sl-1',
      venueClientOrderId: 'ld-sl-1',
      side: 'sell',
      orderType: 'stop_limit',
      limitPrice: '2.05',
      stopPrice: '2.10',
      role: 'sl',
      strategy: 'iron-fly',
      linkedClientOrderId: 'ld-entry-1',
      pending: { kind: 'place', venueClientOrderId: 'ld-sl-1', quantity: null, limitPrice: null, state: 'sending', since: T0, attempts: 1 },
    });
    store.orderJournal.insert(sl, event({ clientOrderId: 'ld-sl-1' }));
    const working = { ...sl, status: 'accepted' as const, venueOrderId: 'v-9', pending: null, updatedAt: T0 + 5 };
    store.orderJournal.update(working, event({ clientOrderId: 'ld-sl-1', kind: 'answered', fromStatus: 'pending_submit', toStatus: 'accepted', at: T0 + 5 }));
    // an update that leaves the fixed fields out keeps them; one that changes them is refused naming the column
    const { role: _r, strategy: _s, stopPrice: _p, linkedClientOrderId: _l, ...bare } = working;
    store.orderJournal.update({ ...bare, updatedAt: T0 + 6 }, event({ clientOrderId: 'ld-sl-1', kind: 'update', fromStatus: 'accepted', toStatus: 'accepted', at: T0 + 6 }));
    expect(() => store.orderJournal.update({ ...working, role: 'tp' }, event({ clientOrderId: 'ld-sl-1', kind: 'update', fromStatus: 'accepted', toStatus: 'accepted' }))).toThrow(
      /orders\.role of "ld-sl-1" is "sl": it is fixed when the order is journaled/,
    );
    store.close();
    const raw = new Database(tmp.file(), { readonly: true });
    expect(raw.prepare('SELECT order_type, limit_price, stop_price, role, strategy, linked_client_order_id FROM orders WHERE client_order_id = ?').get('ld-sl-1')).toEqual({
      order_type: 'limit',
      limit_price: '2.05',
      stop_price: '2.10',
      role: 'sl',
      strategy: 'iron-fly',
      linked_client_order_id: 'ld-entry-1',
    });
    raw.close();
    store = openStore(tmp.file()).store;
    expect(store.orderJournal.get('ld-sl-1')).toEqual({ ...working, updatedAt: T0 + 6 });
    expect(store.orderJournal.byVenueClientOrderId('ld-sl-1')).toMatchObject({ orderType: 'stop_limit', stopPrice: '2.10', role: 'sl' });
    expect(store.orderJournal.list()[0]).toMatchObject({ orderType: 'stop_limit', stopPrice: '2.10', role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-1', archivedAt: null });
    // a stop on a limit or a stop_limit without one is refused naming the column
    expect(() => store.orderJournal.insert(order({ clientOrderId: 'ld-2', venueClientOrderId: 'ld-2', stopPrice: '1' }), event({ clientOrderId: 'ld-2' }))).toThrow(/orders\.stop_price: expected no stop price for a limit order/);
    expect(() => store.orderJournal.insert(order({ clientOrderId: 'ld-2', venueClientOrderId: 'ld-2', orderType: 'stop_limit' }), event({ clientOrderId: 'ld-2' }))).toThrow(/orders\.stop_price: expected a stop price for a stop_limit order/);
  });

  it('v6 archive: an order_archive row (idempotent); the order keeps status and history; refused for a non-final order naming it and its status; survives a reopen', () => {
    const j = store.orderJournal;
    j.insert(order(), event());
    expect(() => j.archive('ld-1', { at: T0 + 1, cycleId: null, reason: 'x' })).toThrow(/order "ld-1" is pending_submit with a place pending: only a final order .* is archived; nothing was written/);
    const rejected = order({ status: 'rejected', pending: null, reason: 'insufficient buying power', updatedAt: T0 + 2 });
    j.update(rejected, event({ kind: 'answered', fromStatus: 'pending_submit', toStatus: 'rejected', at: T0 + 2 }));
    const history = j.events('ld-1');
    expect(j.archive('ld-1', { at: T0 + 10, cycleId: 'cyc-1', reason: 'step 7: rejected order archived' })).toEqual({ ...rejected, archivedAt: T0 + 10 });
    expect(j.archive('ld-1', { at: T0 + 20, cycleId: 'cyc-2', reason: 'again' }).archivedAt).toBe(T0 + 10);
    expect(j.events('ld-1')).toEqual(history);
    expect(() => j.archive('ld-9', { at: T0, cycleId: null, reason: 'x' })).toThrow(/"ld-9": not in the journal, nothing to archive/);
    store.close();
    const raw = new Database(tmp.file(), { readonly: true });
    expect(raw.prepare('SELECT client_order_id, account_id, archived_at_ms, from_status, cycle_id, reason FROM order_archive').all()).toEqual([
      { client_order_id: 'ld-1', account_id: 'acct-1', archived_at_ms: T0 + 10, from_status: 'rejected', cycle_id: 'cyc-1', reason: 'step 7: rejected order archived' },
    ]);
    expect(raw.prepare("SELECT status, archived_at FROM orders WHERE client_order_id = 'ld-1'").get()).toEqual({ status: 'rejected', archived_at: null });
    raw.close();
    store = openStore(tmp.file()).store;
    expect(store.orderJournal.get('ld-1')).toMatchObject({ status: 'rejected', archivedAt: T0 + 10 });
    expect(store.orderJournal.list().map((o) => o.archivedAt)).toEqual([T0 + 10]);
  });

  it('refuses a taken id (an order’s or another order’s venue client id), and an update of an order it does not hold', () => {
    const j = store.orderJournal;
    j.insert(replacing, event({ toStatus: 'partially_filled' }));
    expect(() => j.insert(order(), event())).toThrow(/orders\.client_order_id "ld-1": already in the journal/);
    expect(() => j.insert(order({ clientOrderId: 'ld-1.r2', venueClientOrderId: 'ld-1.r2' }), event({ clientOrderId: 'ld-1.r2' }))).toThrow(/already in the journal \(order "ld-1"\)/);
    expect(() => j.update(order({ clientOrderId: 'ld-9', venueClientOrderId: 'ld-9' }), event({ clientOrderId: 'ld-9', kind: 'sent' }))).toThrow(/"ld-9": not in the journal/);
    expect(() => j.insert(order({ clientOrderId: 'ld-2', venueClientOrderId: 'ld-2', accountId: 'nobody' }), event({ clientOrderId: 'ld-2' }))).toThrow(/orders\.account_id: no account "nobody"/);
    expect(j.list().map((o) => o.clientOrderId)).toEqual(['ld-1']);
    expect(j.events('ld-1')).toHaveLength(1);
  });

  it('refuses bad input naming the field; the stored row and history are untouched', () => {
    const j = store.orderJournal;
    j.insert(order(), event());
    const before = { row: j.get('ld-1'), events: j.events('ld-1') };
    const next = order({ status: 'accepted', venueOrderId: 'v-1', pending: null });
    const ok = event({ kind: 'answered', fromStatus: 'pending_submit', toStatus: 'accepted' });
    const cases: [string, () => void][] = [
      ['orders.quantity', () => j.update({ ...next, quantity: '1e3' }, ok)],
      ['orders.quantity', () => j.update({ ...next, quantity: '0' }, ok)],
      ['orders.filled_quantity', () => j.update({ ...next, filledQuantity: '-1' }, ok)],
      ['orders.prior_filled_quantity', () => j.update({ ...next, priorFilledQuantity: 1 as unknown as string }, ok)],
      ['orders.status', () => j.update({ ...next, status: 'maybe' as never }, ok)],
      ['orders.limit_price', () => j.update({ ...next, limitPrice: null }, ok)],
      ['orders.replace_count', () => j.update({ ...next, replaceCount: -1 }, ok)],
      ['orders.pending_state', () => j.update({ ...next, pending: { ...order().pending!, state: 'lost' as never } }, ok)],
      ['orders.pending_command', () => j.update({ ...next, pending: { ...order().pending!, kind: 'amend' as never } }, ok)],
      ['orders.pending_attempts', () => j.update({ ...next, pending: { ...order().pending!, attempts: 0 } }, ok)],
      ['orders.venue_client_order_id', () => j.update({ ...next, venueClientOrderId: '' }, ok)],
      ['orders.updated_at', () => j.update({ ...next, updatedAt: Number.NaN }, ok)],
      ['order_events.kind', () => j.update(next, { ...ok, kind: 'status' as never })],
      ['order_events.to_status', () => j.update(next, { ...ok, toStatus: 'nope' as never })],
      ['order_events.client_order_id', () => j.update(next, { ...ok, clientOrderId: 'ld-2' })],
      ['order_events.detail', () => j.update(next, { ...ok, detail: { when: new Date(T0) as never } })],
      ['order_events.at', () => j.update(next, { ...ok, at: 1.5 })],
      ['orders.account_id', () => j.update({ ...next, accountId: 'acct-2' }, ok)], // identity: never changed by an update
      ['orders.side', () => j.update({ ...next, side: 'sell' }, ok)],
    ];
    for (const [field, write] of cases) {
      expect(write, field).toThrow(field);
      expect({ row: j.get('ld-1'), events: j.events('ld-1') }, field).toEqual(before);
    }
    // …and a good update still goes through afterwards.
    j.update(next, ok);
    expect(j.get('ld-1')).toEqual(next);
  });

  it('writes a row and its event together or not at all (SQLite fails the event insert mid-transaction)', () => {
    const j = store.orderJournal;
    j.insert(order(), event());
    const before = { row: j.get('ld-1'), events: j.events('ld-1') };
    // A real failure inside the transaction, after the row's UPDATE ran: the event insert aborts.
    const db = (store as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TEMP TRIGGER fail_journal_event BEFORE INSERT ON main.order_events BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;`);
    expect(() => j.update(order({ status: 'accepted', venueOrderId: 'v-1', pending: null }), event({ kind: 'answered', fromStatus: 'pending_submit', toStatus: 'accepted' }))).toThrow(/disk full/);
    expect(() => j.insert(order({ clientOrderId: 'ld-2', venueClientOrderId: 'ld-2', pending: null }), event({ clientOrderId: 'ld-2' }))).toThrow(/disk full/);
    expect({ row: j.get('ld-1'), events: j.events('ld-1') }).toEqual(before);
    expect(j.get('ld-2')).toBeNull();
    expect(j.byVenueClientOrderId('ld-2')).toBeNull(); // its venue id was not claimed either
    db.exec('DROP TRIGGER temp.fail_journal_event');
    j.insert(order({ clientOrderId: 'ld-2', venueClientOrderId: 'ld-2', pending: null }), event({ clientOrderId: 'ld-2' }));
    expect(j.byVenueClientOrderId('ld-2')).toMatchObject({ clientOrderId: 'ld-2' });
  });

  it('commits on the durable connection: synchronous = FULL', () => {
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
  });
});

describe('migration v4 (order_journal)', () => {
  it('a ledger made with the v3 schema keeps every order and order event, then holds journal orders', () => {
    store.close();
    const path = tmp.file('v3.sqlite');
    const old = openStore(path, undefined, { migrations: MIGRATIONS.slice(0, 3) }).store;
    seedAccount(old);
    old.insertOrder(newOrder());
    old.transitionOrder('ord-1', 'submitted', { at: T0 + 1, brokerOrderId: 'B-1' });
    old.transitionOrder('ord-1', 'accepted', { at: T0 + 2, reason: 'venue said ok', detail: { venue: 'sim' } });
    old.modifyOrder('ord-1', { at: T0 + 3, limitPrice: '181.70' });
    const before = { order: old.getOrder('ord-1'), events: old.orderEvents('ord-1') };
    expect(old.schemaVersion()).toBe(3);
    old.close();
    const raw = (p: string) => {
      const db = new Database(p, { readonly: true });
      try {
        return db.prepare('SELECT event_id, client_order_id, at, at_ms, kind, from_status, to_status, reason, detail FROM order_events ORDER BY event_id').all();
      } finally {
        db.close();
      }
    };
    const rawBefore = raw(path);

    store = openStore(path).store;
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(4); // and every later migration (v5: account fills)
    expect({ order: store.getOrder('ord-1'), events: store.orderEvents('ord-1') }).toEqual(before);
    expect(raw(path)).toEqual(rawBefore);
    // The history stays append-only on the rebuilt table.
    const db = (store as unknown as { db: Database.Database }).db;
    expect(() => db.prepare('DELETE FROM order_events').run()).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE order_events SET reason = 'x'").run()).toThrow(/append-only/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // What v4 adds works on the migrated ledger, beside the old order.
    store.orderJournal.insert(order(), event());
    expect(store.orderJournal.get('ld-1')).toEqual(order());
    expect(store.getOrder('ord-1')).toEqual(before.order);
    expect(store.orderJournal.get('ord-1')).toBeNull();
  });
});
