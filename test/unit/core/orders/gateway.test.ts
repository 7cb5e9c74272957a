// The order gateway (issue 16 item 2): commit before send, outcome classes, unknown resolved by
// asking (never by re-sending unless the venue says it never got it), kill switch matrix.
// Every test runs against both journals (MemoryOrderJournal and the SQLite one of the ledger), so
// the SQLite adapter is shown to behave as the port's reference implementation does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../src/core/ports/clock';
import { JournalError, MemoryOrderJournal, type ArchiveEntry, type JournalEvent, type JournalOrder, type NewJournalEvent, type OrderJournal } from '../../../../src/core/ports/order-journal';
import { SqliteLedgerStore } from '../../../../src/node/ledger/sqlite-ledger-store';
import { OrderGateway, type GatewayDeps, type TradingMode } from '../../../../src/core/orders/gateway';
import { VenueError, type OrderReplace, type OrderRequest, type OrderUpdate, type VenueOrder } from '../../../../src/core/ports/venue';
import type { KillSwitchLevel } from '../../../../src/core/risk/kill-switch';
import { accountId } from '../../../../src/core/model/ids';
import { QTY_DP, parseScaled } from '../../../../src/core/model/money';

/**
 * What the next call does: `ok` answers; `drop` carries the command out then fails as a dropped
 * socket; `5xx` carries it out then answers 500; `lost` never reaches the venue (network error);
 * `reject` is answered 422 without carrying it out; `hang` never answers.
 */
type Behaviour = 'ok' | 'drop' | '5xx' | 'lost' | 'reject' | 'hang';

class FakeVenue {
  readonly accountId = accountId('ACC-1');
  readonly orders = new Map<string, VenueOrder>(); // by client order id
  readonly calls: string[] = [];
  /** Every place request and replace patch as sent. */
  readonly requests: OrderRequest[] = [];
  readonly patches: OrderReplace[] = [];
  next: Behaviour[] = [];
  /** Called at the start of every placeOrder (to look at the journal at send time). */
  onPlace: ((o: OrderRequest) => void) | null = null;
  fillMarket = true;
  private seq = 0;

  private behave(): Behaviour {
    return this.next.shift() ?? 'ok';
  }

  private outcome<T>(b: Behaviour, work: () => T): Promise<T> {
    if (b === 'hang') return new Promise<T>(() => undefined);
    if (b === 'lost') return Promise.reject(new VenueError('socket hang up', null, null, 'network'));
    if (b === 'reject') return Promise.reject(new VenueError('HTTP 422 (code 40010001): qty too large', 422, 40010001, 'rejected'));
    let value: T;
    try {
      value = work();
    } catch (err) {
      return Promise.reject(err);
    }
    if (b === 'drop') return Promise.reject(new VenueError('socket hang up', null, null, 'network'));
    if (b === '5xx') return Promise.reject(new VenueError('HTTP 500: internal', 500, null, 'server'));
    return Promise.resolve(value);
  }

  placeOrder = (o: OrderRequest): Promise<VenueOrder> => {
    this.calls.push(`place ${o.clientOrderId}`);
    this.requests.push({ ...o });
    this.onPlace?.(o);
    return this.outcome(this.behave(), () => {
      if (this.orders.has(o.clientOrderId)) throw new VenueError('POST /v2/orders: HTTP 422 (code 40010001): client_order_id must be unique', 422, 40010001, 'rejected');
      const filled = o.type === 'market' && this.fillMarket;
      const v = { ...this.venueOrder(o.clientOrderId, o.symbol!, o.side!, o.type, o.qty, o.limitPrice ?? null, filled ? 'filled' : 'new', filled ? o.qty : '0'), stopPrice: o.stopPrice ?? null };
      this.orders.set(o.clientOrderId, v);
      return { ...v };
    });
  };

  replaceOrder = (id: string, patch: OrderReplace): Promise<VenueOrder> => {
    this.calls.push(`replace ${id} → ${patch.clientOrderId}`);
    this.patches.push({ ...patch });
    return this.outcome(this.behave(), () => {
      const old = [...this.orders.values()].find((o) => o.id === id)!;
      if (old.status !== 'new' && old.status !== 'partially_filled') throw new VenueError('HTTP 422: order is not open', 422, 42210000, 'rejected');
      old.status = 'replaced';
      const v = { ...this.venueOrder(patch.clientOrderId!, old.symbol, old.side as 'buy', old.type, patch.qty ?? old.qty!, patch.limitPrice ?? old.limitPrice, 'new', '0'), stopPrice: patch.stopPrice ?? old.stopPrice };
      this.orders.set(v.clientOrderId, v);
      return { ...v };
    });
  };

  cancelOrder = (id: string): Promise<void> => {
    this.calls.push(`cancel ${id}`);
    return this.outcome(this.behave(), () => {
      const o = [...this.orders.values()].find((x) => x.id === id)!;
      if (o.status !== 'new' && o.status !== 'partially_filled') throw new VenueError('HTTP 422: order is not cancelable', 422, 42210000, 'rejected');
      o.status = 'canceled';
    });
  };

  orderByClientId = (id: string): Promise<VenueOrder | null> => {
    this.calls.push(`query ${id}`);
    const o = this.orders.get(id);
    return Promise.resolve(o ? { ...o } : null);
  };

  /** Orders the venue holds that work (not replaced/canceled/filled). */
  working(): VenueOrder[] {
    return [...this.orders.values()].filter((o) => o.status === 'new' || o.status === 'partially_filled');
  }

  update(clientOrderId: string, event: string, status: string, filledQty?: string): OrderUpdate {
    const o = this.orders.get(clientOrderId)!;
    o.status = status;
    if (filledQty !== undefined) o.filledQty = filledQty;
    return { event, order: { ...o }, executionId: null, price: null, qty: null, positionQty: null, timestamp: null, receivedAt: 0 };
  }

  private venueOrder(coid: string, symbol: string, side: 'buy' | 'sell', type: string, qty: string, limitPrice: string | null, status: string, filledQty: string): VenueOrder {
    return { id: `v-${++this.seq}`, clientOrderId: coid, symbol, side, type, orderClass: 'simple', timeInForce: 'day', qty, filledQty, filledAvgPrice: null, limitPrice, stopPrice: null, status, createdAt: null, updatedAt: null, legs: [] };
  }
}


/** A journal whose next `failWrites` writes throw (as a full disk would). */
type TestJournal = OrderJournal & { failWrites: number };

/** The SQLite journal with the same injected failure as MemoryOrderJournal (thrown before the write reaches SQLite). */
class FailableJournal implements TestJournal {
  failWrites = 0;
  constructor(private readonly inner: OrderJournal) {}
  private maybeFail(op: string, id: string): void {
    if (this.failWrites <= 0) return;
    this.failWrites--;
    throw new JournalError(`order ${id}: ${op} could not be written (injected journal failure)`);
  }
  insert(order: JournalOrder, event: NewJournalEvent): void {
    this.maybeFail('insert', order.clientOrderId);
    this.inner.insert(order, event);
  }
  update(order: JournalOrder, event: NewJournalEvent): void {
    this.maybeFail('update', order.clientOrderId);
    this.inner.update(order, event);
  }
  get = (id: string): JournalOrder | null => this.inner.get(id);
  byVenueClientOrderId = (id: string): JournalOrder | null => this.inner.byVenueClientOrderId(id);
  list = (filter?: { accountId?: string }): JournalOrder[] => this.inner.list(filter);
  events = (id: string): JournalEvent[] => this.inner.events(id);
  archive = (id: string, entry: ArchiveEntry): JournalOrder => this.inner.archive(id, entry);
}

const opened: { store: SqliteLedgerStore; dir: string }[] = [];
const JOURNALS: { name: string; make: () => TestJournal }[] = [
  { name: 'memory', make: () => new MemoryOrderJournal() },
  {
    name: 'SQLite',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'gateway-journal-'));
      const store = SqliteLedgerStore.open({ path: join(dir, 'ledger.sqlite'), clock: new ManualClock(1_000) });
      opened.push({ store, dir });
      store.upsertAccount({ accountId: 'ACC-1', venue: 'sim', label: 'Sim ACC-1', mode: 'sim' }, 1_000);
      return new FailableJournal(store.orderJournal);
    },
  },
];
let makeJournal: () => TestJournal = JOURNALS[0]!.make;

interface Setup {
  g: OrderGateway;
  venue: FakeVenue;
  journal: TestJournal;
  clock: ManualClock;
  state: { mode: TradingMode; level: KillSwitchLevel; positions: Map<string, string | null> };
}

function setup(over: Partial<GatewayDeps> = {}, journal = makeJournal(), venue = new FakeVenue()): Setup {
  const clock = new ManualClock(1_000);
  const state = { mode: 'trade' as TradingMode, level: 'active' as KillSwitchLevel, positions: new Map<string, string | null>() };
  let n = 0;
  const g = new OrderGateway({
    clock,
    execution: venue,
    journal,
    mode: () => state.mode,
    killSwitch: { levelOf: () => state.level },
    position: (_a, symbol) => {
      const p = state.positions.get(symbol);
      if (p === undefined) return 0n;
      return p === null ? null : parseScaled(p, QTY_DP);
    },
    newClientOrderId: () => `ld-${++n}`,
    ...over,
  });
  return { g, venue, journal, clock, state };
}

const buy = (quantity = '1', over: Record<string, unknown> = {}) => ({ accountId: 'ACC-1', symbol: 'SPY', side: 'buy' as const, quantity, orderType: 'market' as const, ...over });
const limit = (side: 'buy' | 'sell', quantity: string, limitPrice = '1.00') => ({ accountId: 'ACC-1', symbol: 'SPY', side, quantity, orderType: 'limit' as const, limitPrice });

describe.each(JOURNALS)('OrderGateway with the $name journal', ({ make }) => {
  beforeEach(() => {
    makeJournal = make;
  });
  afterEach(() => {
    for (const { store, dir } of opened.splice(0)) {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('OrderGateway — place', () => {
    it('commits the order (pending_submit, a created event) before it is sent, with a generated client order id', async () => {
      const { g, venue, journal } = setup();
      let atSend: unknown = null;
      venue.onPlace = (o) => (atSend = { row: journal.get(o.clientOrderId), events: journal.events(o.clientOrderId).map((e) => e.kind) });
      const out = await g.place(buy('3'));
      expect(out.kind).toBe('accepted');
      expect(atSend).toMatchObject({ row: { clientOrderId: 'ld-1', status: 'pending_submit', pending: { kind: 'place', state: 'sending' } }, events: ['created'] });
      expect(venue.calls).toEqual(['place ld-1']);
      // market order answered filled: pending_submit → accepted → filled, each an event
      expect(g.events('ld-1').map((e) => [e.kind, e.fromStatus, e.toStatus])).toEqual([
        ['created', null, 'pending_submit'],
        ['answered', 'pending_submit', 'accepted'],
        ['answered', 'accepted', 'filled'],
      ]);
      expect(g.order('ld-1')).toMatchObject({ status: 'filled', venueOrderId: 'v-1', filledQuantity: '3', pending: null });
    });

    it('Monitor mode refuses every command and sends nothing', async () => {
      const s = setup();
      await s.g.place(limit('buy', '1'));
      s.state.mode = 'monitor';
      for (const out of [await s.g.place(buy()), await s.g.replace('ld-1', { limitPrice: '1.10' }), await s.g.cancel('ld-1')]) {
        expect(out).toMatchObject({ kind: 'refused', cause: 'mode' });
      }
      expect(s.venue.calls).toEqual(['place ld-1']);
    });

    it('refuses invalid orders locally, naming the field; nothing is committed or sent', async () => {
      const { g, venue, journal } = setup();
      expect(await g.place(buy('0'))).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/order\.quantity/) });
      expect(await g.place({ ...limit('buy', '1'), limitPrice: null })).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/limitPrice/) });
      expect(await g.place({ ...buy(), accountId: 'OTHER' })).toMatchObject({ kind: 'refused', cause: 'validation' });
      expect(journal.list()).toEqual([]);
      expect(venue.calls).toEqual([]);
    });

    it('an order that cannot be committed is not sent', async () => {
      const { g, venue, journal } = setup();
      journal.failWrites = 1;
      expect(await g.place(buy())).toMatchObject({ kind: 'refused', cause: 'journal' });
      expect(venue.calls).toEqual([]);
    });

    it('a venue rejection is an answer: rejected, with the venue’s reason and status', async () => {
      const { g, venue } = setup();
      venue.next = ['reject'];
      const out = await g.place(buy('1000'));
      expect(out).toMatchObject({ kind: 'rejected', httpStatus: 422, reason: expect.stringMatching(/qty too large/) });
      expect(out.order).toMatchObject({ status: 'rejected', pending: null });
    });

    for (const fault of ['drop', '5xx'] as const) {
      it(`${fault} after the venue stored it: unknown, resolved by asking — never sent again`, async () => {
        const { g, venue } = setup();
        venue.next = [fault];
        const out = await g.place(limit('buy', '2'));
        expect(out).toMatchObject({ kind: 'unknown', order: { status: 'unknown', pending: { kind: 'place', state: 'unknown' } } });
        expect(g.unresolved().map((o) => o.clientOrderId)).toEqual(['ld-1']);
        // a command on an unknown order is refused until it is resolved
        expect(await g.cancel('ld-1')).toMatchObject({ kind: 'refused', cause: 'busy' });
        const r = await g.resolve('ld-1');
        expect(r).toMatchObject({ kind: 'accepted', order: { status: 'accepted', venueOrderId: 'v-1', pending: null } });
        expect(venue.calls).toEqual(['place ld-1', 'query ld-1']);
        expect(venue.orders.size).toBe(1);
        expect(g.unresolved()).toEqual([]);
        expect(g.events('ld-1').map((e) => e.kind)).toEqual(['created', 'unknown', 'resolved']);
      });
    }

    it('lost on the way: unknown; the venue says it never got it → re-sent once with the same client order id', async () => {
      const { g, venue } = setup();
      venue.next = ['lost'];
      expect((await g.place(limit('buy', '2'))).kind).toBe('unknown');
      const r = await g.resolve('ld-1');
      expect(r).toMatchObject({ kind: 'accepted', order: { status: 'accepted', pending: null } });
      expect(venue.calls).toEqual(['place ld-1', 'query ld-1', 'place ld-1']);
      expect(venue.orders.size).toBe(1);
      expect(g.events('ld-1').map((e) => e.kind)).toEqual(['created', 'unknown', 'resent', 'answered']);
    });

    it('a re-sent order keeps its time in force (a GTC order lost on the way goes again as GTC, after a restart too)', async () => {
      const { g, venue } = setup();
      const tifs: string[] = [];
      venue.onPlace = (o) => tifs.push(o.timeInForce);
      venue.next = ['lost'];
      await g.place({ ...limit('buy', '2'), timeInForce: 'gtc' });
      await g.resolve('ld-1');
      expect(tifs).toEqual(['gtc', 'gtc']);
      // recover(): cut off between commit and send, re-sent at start with its time in force
      const journal = makeJournal();
      const first = setup({}, journal);
      first.venue.next = ['hang'];
      void first.g.place({ ...limit('buy', '2'), timeInForce: 'gtc' });
      await Promise.resolve();
      const second = setup({}, journal);
      const tifs2: string[] = [];
      second.venue.onPlace = (o) => tifs2.push(o.timeInForce);
      await second.g.recover();
      expect(tifs2).toEqual(['gtc']);
    });

    it('resolve with resend: false closes a place the venue never got (rejected, saying why) and sends nothing', async () => {
      const { g, venue } = setup();
      venue.next = ['lost'];
      await g.place(limit('buy', '2'));
      const r = await g.resolve('ld-1', { resend: false, why: 'the user took the broker’s word (adopt broker)' });
      expect(r).toMatchObject({ kind: 'rejected', order: { status: 'rejected', pending: null, reason: expect.stringMatching(/never got the order; not re-sent \(the user took the broker’s word/) } });
      expect(venue.calls).toEqual(['place ld-1', 'query ld-1']);
      expect(venue.orders.size).toBe(0);
      expect(g.unresolved()).toEqual([]);
    });

    it('once found at the venue, the order’s reason no longer says "outcome unknown" (the history keeps it)', async () => {
      const { g, venue } = setup();
      venue.next = ['drop', 'drop'];
      await g.place(limit('buy', '2'));
      expect(g.order('ld-1')!.reason).toMatch(/outcome unknown/);
      await g.resolve('ld-1');
      expect(g.order('ld-1')).toMatchObject({ status: 'accepted', reason: null });
      await g.place({ ...limit('buy', '1'), reason: 'hedge' });
      expect(g.onOrderUpdate(venue.update('ld-2', 'new', 'new'))).toBe(true);
      expect(g.order('ld-2')).toMatchObject({ status: 'accepted', reason: 'hedge' });
      expect(g.events('ld-1').some((e) => /outcome unknown/.test(e.reason ?? ''))).toBe(true);
    });

    it('a re-send refused as a duplicate (the venue got it after all) is resolved by asking again', async () => {
      const { g, venue } = setup();
      venue.next = ['lost'];
      await g.place(limit('buy', '2'));
      // the first attempt reaches the venue late: after the query said "not found", before the re-send
      const realQuery = venue.orderByClientId;
      venue.orderByClientId = (id) => {
        const answer = realQuery(id);
        venue.orderByClientId = realQuery;
        return answer.then((a) => {
          void venue.placeOrder({ clientOrderId: id, symbol: 'SPY', side: 'buy', qty: '2', type: 'limit', limitPrice: '1.00', timeInForce: 'day' });
          return a;
        });
      };
      const r = await g.resolve('ld-1');
      expect(r).toMatchObject({ kind: 'accepted', order: { status: 'accepted' } });
      expect(venue.orders.size).toBe(1);
    });

    it('an unknown place is resolved by an order update, without a query', async () => {
      const { g, venue } = setup();
      venue.next = ['drop'];
      await g.place(limit('buy', '2'));
      expect(g.onOrderUpdate(venue.update('ld-1', 'partial_fill', 'partially_filled', '1'))).toBe(true);
      expect(g.order('ld-1')).toMatchObject({ status: 'partially_filled', filledQuantity: '1', pending: null });
      expect(venue.calls).toEqual(['place ld-1']);
      expect(g.events('ld-1').at(-1)).toMatchObject({ kind: 'resolved', toStatus: 'partially_filled' });
      // an update for an order that is not ours is left to reconciliation
      expect(g.onOrderUpdate({ ...venue.update('ld-1', 'fill', 'filled'), order: { ...venue.orders.get('ld-1')!, clientOrderId: 'elsewhere' } })).toBe(false);
    });

    it('a stale REST answer does not move an order back (the stream said filled first)', async () => {
      const { g, venue } = setup();
      venue.fillMarket = false;
      let release: () => void = () => undefined;
      const real = venue.placeOrder;
      venue.placeOrder = (o) => real(o).then((answer) => new Promise<VenueOrder>((r) => (release = () => r(answer))));
      const placing = g.place(buy('1'));
      await new Promise((r) => setTimeout(r, 0));
      // the stream's fill arrives before the REST answer ("new")
      g.onOrderUpdate(venue.update('ld-1', 'fill', 'filled', '1'));
      release();
      await placing;
      expect(g.order('ld-1')).toMatchObject({ status: 'filled', pending: null });
    });
  });

  describe('OrderGateway — replace and cancel', () => {
    it('replace sends a successor client order id committed first; the order follows the successor', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      const out = await g.replace('ld-1', { limitPrice: '1.05', quantity: '3' });
      expect(out).toMatchObject({ kind: 'accepted', order: { venueClientOrderId: 'ld-1.r1', venueOrderId: 'v-2', limitPrice: '1.05', quantity: '3', status: 'accepted' } });
      expect(venue.calls).toEqual(['place ld-1', 'replace v-1 → ld-1.r1']);
      expect(g.events('ld-1').map((e) => e.kind)).toEqual(['created', 'answered', 'sent', 'answered']);
      expect(venue.working()).toHaveLength(1);
    });

    it('an order update about a venue order it replaced is still known as ours (history only), after a second replace too', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      await g.replace('ld-1', { limitPrice: '1.05' });
      await g.replace('ld-1', { limitPrice: '1.06' });
      const before = g.order('ld-1');
      expect(before).toMatchObject({ venueClientOrderId: 'ld-1.r2', limitPrice: '1.06' });
      // late reports about ld-1 and ld-1.r1 (both replaced at the venue): ours, and they move nothing
      expect(g.onOrderUpdate(venue.update('ld-1', 'replaced', 'replaced'))).toBe(true);
      expect(g.onOrderUpdate(venue.update('ld-1.r1', 'canceled', 'canceled'))).toBe(true);
      expect(g.order('ld-1')).toEqual(before);
    });

    it('replace with the answer lost after the venue did it: unknown; resolved by finding the successor', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      venue.next = ['drop'];
      expect(await g.replace('ld-1', { limitPrice: '1.05' })).toMatchObject({ kind: 'unknown', order: { status: 'unknown' } });
      expect(await g.resolve('ld-1')).toMatchObject({ kind: 'accepted', order: { venueClientOrderId: 'ld-1.r1', status: 'accepted', pending: null } });
      expect(venue.working()).toHaveLength(1);
    });

    it('replace lost on the way: resolved as never received, the order stands as it was (not re-sent)', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      venue.next = ['lost'];
      expect((await g.replace('ld-1', { limitPrice: '1.05' })).kind).toBe('unknown');
      expect(await g.resolve('ld-1')).toMatchObject({ kind: 'accepted', order: { venueClientOrderId: 'ld-1', limitPrice: '1.00', status: 'accepted', pending: null } });
      expect(venue.calls.filter((c) => c.startsWith('replace'))).toHaveLength(1);
      // the next replace gets a new successor id
      expect(await g.replace('ld-1', { limitPrice: '1.05' })).toMatchObject({ kind: 'accepted', order: { venueClientOrderId: 'ld-1.r2' } });
    });

    it('cancel: pending_cancel until the venue reports canceled; only working orders can be cancelled', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      expect(await g.cancel('ld-1')).toMatchObject({ kind: 'accepted', order: { status: 'pending_cancel', pending: null } });
      g.onOrderUpdate(venue.update('ld-1', 'canceled', 'canceled'));
      expect(g.order('ld-1')!.status).toBe('cancelled');
      expect(await g.cancel('ld-1')).toMatchObject({ kind: 'refused', cause: 'not_open' });
      expect(await g.cancel('nope')).toMatchObject({ kind: 'refused', cause: 'not_found' });
    });

    it('cancel unknown: resolved by asking (done → cancelled; never taken → cancelled again, safely)', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      venue.next = ['5xx'];
      expect((await g.cancel('ld-1')).kind).toBe('unknown');
      expect(await g.resolve('ld-1')).toMatchObject({ order: { status: 'cancelled', pending: null } });

      await g.place(limit('buy', '2'));
      venue.next = ['lost'];
      expect((await g.cancel('ld-2')).kind).toBe('unknown');
      await g.resolve('ld-2');
      expect(venue.calls.filter((c) => c.startsWith('cancel'))).toHaveLength(3);
      expect(venue.orders.get('ld-2')!.status).toBe('canceled');
      expect(g.order('ld-2')).toMatchObject({ status: 'pending_cancel', pending: null });
    });

    it('a cancel the venue refuses (already filled) puts the order back as it was; the update then says filled', async () => {
      const { g, venue } = setup();
      await g.place(limit('buy', '2'));
      venue.orders.get('ld-1')!.status = 'filled';
      expect(await g.cancel('ld-1')).toMatchObject({ kind: 'rejected', httpStatus: 422, order: { status: 'accepted' } });
      g.onOrderUpdate(venue.update('ld-1', 'fill', 'filled', '2'));
      expect(g.order('ld-1')!.status).toBe('filled');
    });
  });

  describe('OrderGateway — kill switch matrix (per account; positions + working orders)', () => {
    // Position +10 SPY. Opening: buy 1. Reducing: sell 5. Cancel: a working order.
    const expected: Record<KillSwitchLevel, { open: boolean; reduce: boolean; cancel: boolean }> = {
      active: { open: true, reduce: true, cancel: true },
      reducing: { open: false, reduce: true, cancel: true },
      halted: { open: false, reduce: false, cancel: true },
    };
    for (const level of ['active', 'reducing', 'halted'] as const) {
      for (const action of ['open', 'reduce', 'cancel'] as const) {
        it(`${level} × ${action} → ${expected[level][action] ? 'passes' : 'refused'}`, async () => {
          const s = setup();
          s.state.positions.set('SPY', '10');
          await s.g.place(limit('buy', '1', '0.50')); // the working order a cancel targets
          s.state.level = level;
          const out = action === 'open' ? await s.g.place(limit('buy', '1')) : action === 'reduce' ? await s.g.place(limit('sell', '5', '999')) : await s.g.cancel('ld-1');
          if (expected[level][action]) expect(out.kind).toBe('accepted');
          else expect(out).toMatchObject({ kind: 'refused', cause: 'kill_switch', reason: expect.stringMatching(level === 'halted' ? /Halted.*only cancels/ : /Reducing.*does not reduce/) });
        });
      }
    }

    it('Reducing counts working orders: two sells that together exceed the position, the second is refused', async () => {
      const s = setup();
      s.state.positions.set('SPY', '10');
      s.state.level = 'reducing';
      expect((await s.g.place(limit('sell', '6', '999'))).kind).toBe('accepted');
      expect(await s.g.place(limit('sell', '5', '999'))).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
      expect((await s.g.place(limit('sell', '4', '999'))).kind).toBe('accepted');
      // a short position is reduced by buys; selling more would open
      s.state.positions.set('SPY', '-3');
      expect(await s.g.place(limit('sell', '1', '999'))).toMatchObject({ kind: 'refused' });
    });

    it('Reducing weighs a replace of a partly filled order by the successor’s whole quantity (the safe reading)', async () => {
      const s = setup();
      s.state.positions.set('SPY', '10');
      await s.g.place(limit('sell', '6', '999'));
      s.g.onOrderUpdate(s.venue.update('ld-1', 'partial_fill', 'partially_filled', '3'));
      s.state.level = 'reducing';
      // a successor of 11 could sell 11 against a position of 10: refused (though 11 − 3 already filled would fit)
      expect(await s.g.replace('ld-1', { quantity: '11' })).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
      expect((await s.g.replace('ld-1', { quantity: '10' })).kind).toBe('accepted');
      expect(s.g.order('ld-1')).toMatchObject({ priorFilledQuantity: '3', filledQuantity: '0', venueClientOrderId: 'ld-1.r1' });
    });

    it('Reducing counts a working order with a pending replace by the larger of its remaining and the replace’s quantity', async () => {
      for (const fault of ['5xx', 'hang'] as const) {
        const s = setup();
        s.state.positions.set('SPY', '2');
        await s.g.place(limit('sell', '1', '999'));
        s.venue.next = [fault];
        const pending = s.g.replace('ld-1', { quantity: '2' }); // 5xx: unknown (the venue holds sell 2); hang: still sending
        if (fault === '5xx') expect((await pending).kind).toBe('unknown');
        else await Promise.resolve();
        s.state.level = 'reducing';
        // sells of 2 (the successor) + 1 against a long of 2 could flip it
        expect(await s.g.place(limit('sell', '1', '999'))).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
      }
    });

    it('Reducing with an unknown position: nothing can be shown to reduce it, so nothing but cancels pass', async () => {
      const s = setup();
      s.state.positions.set('SPY', null);
      s.state.level = 'reducing';
      expect(await s.g.place(limit('sell', '1', '999'))).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
    });

    it('a replace that would grow a reducing order past the position is refused under Reducing; Halted refuses every replace', async () => {
      const s = setup();
      s.state.positions.set('SPY', '10');
      await s.g.place(limit('sell', '4', '999'));
      s.state.level = 'reducing';
      expect((await s.g.replace('ld-1', { quantity: '10' })).kind).toBe('accepted');
      expect(await s.g.replace('ld-1', { quantity: '11' })).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
      s.state.level = 'halted';
      expect(await s.g.replace('ld-1', { limitPrice: '998' })).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
    });
  });

  describe('OrderGateway — restart', () => {
    it('a process that ended between send and reply: recover() marks it unknown and resolves it by asking, without re-sending', async () => {
      const journal = makeJournal();
      const venue = new FakeVenue();
      const first = setup({}, journal, venue);
      venue.next = ['hang'];
      venue.onPlace = (o) => void venue.orders.set(o.clientOrderId, { id: 'v-late', clientOrderId: o.clientOrderId, symbol: 'SPY', side: 'buy', type: 'limit', orderClass: 'simple', timeInForce: 'day', qty: '2', filledQty: '0', filledAvgPrice: null, limitPrice: '1.00', stopPrice: null, status: 'new', createdAt: null, updatedAt: null, legs: [] });
      void first.g.place(limit('buy', '2'));
      await Promise.resolve();
      venue.onPlace = null;
      // "restart": a new gateway over the same journal
      const second = setup({}, journal, venue);
      expect(await second.g.recover()).toEqual({ resolved: 1, unknown: 0 });
      expect(second.g.order('ld-1')).toMatchObject({ status: 'accepted', venueOrderId: 'v-late', pending: null });
      expect(venue.calls).toEqual(['place ld-1', 'query ld-1']);
      expect(second.g.events('ld-1').map((e) => e.kind)).toEqual(['created', 'unknown', 'resolved']);
    });

    it('a process that ended between commit and send: recover() finds it unknown to the venue and sends it once', async () => {
      const journal = makeJournal();
      const venue = new FakeVenue();
      const first = setup({}, journal, venue);
      venue.next = ['hang'];
      void first.g.place(limit('buy', '2')); // never reached the venue (hang without storing)
      await Promise.resolve();
      const second = setup({}, journal, venue);
      expect(await second.g.recover()).toEqual({ resolved: 1, unknown: 0 });
      expect(venue.calls).toEqual(['place ld-1', 'query ld-1', 'place ld-1']);
      expect(venue.orders.size).toBe(1);
      expect(second.g.order('ld-1')).toMatchObject({ status: 'accepted', pending: null });
    });

    it('listeners hear every journal event', async () => {
      const { g } = setup();
      const heard: string[] = [];
      g.onEvent((_o, e) => heard.push(`${e.kind}:${e.toStatus}`));
      await g.place(buy());
      expect(heard).toEqual(['created:pending_submit', 'answered:accepted', 'answered:filled']);
    });
  });

  describe('OrderGateway — stop_limit, roles, strategies, links, chosen client ids (issue 17)', () => {
    const stopLimit = (side: 'buy' | 'sell', quantity: string, stopPrice: string, limitPrice: string, over: Record<string, unknown> = {}) => ({
      accountId: 'ACC-1',
      symbol: 'SPY',
      side,
      quantity,
      orderType: 'stop_limit' as const,
      stopPrice,
      limitPrice,
      ...over,
    });

    it('a stop_limit is journaled with its stop, role, strategy and link, and sent as type stop_limit with both prices', async () => {
      const { g, venue, journal } = setup();
      const out = await g.place(stopLimit('sell', '2', '2.10', '2.05', { role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-7' }));
      expect(out.kind).toBe('accepted');
      expect(venue.requests).toEqual([{ clientOrderId: 'ld-1', symbol: 'SPY', qty: '2', side: 'sell', type: 'stop_limit', timeInForce: 'day', limitPrice: '2.05', stopPrice: '2.10' }]);
      expect(journal.get('ld-1')).toMatchObject({ orderType: 'stop_limit', stopPrice: '2.10', limitPrice: '2.05', role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-7', archivedAt: null, status: 'accepted' });
      // a limit order carries no stop to the venue
      await g.place(limit('buy', '1'));
      expect(venue.requests[1]).not.toHaveProperty('stopPrice');
    });

    it('a stop_limit without its stop (or with a bad one) is refused naming the field; nothing is journaled or sent', async () => {
      const { g, venue, journal } = setup();
      expect(await g.place(stopLimit('sell', '2', '2.10', '2.05', { stopPrice: null }))).toMatchObject({ kind: 'refused', cause: 'validation', reason: 'order.stopPrice: a stop_limit order needs a stop price (its trigger)' });
      expect(await g.place(stopLimit('sell', '2', '0', '2.05'))).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/^order\.stopPrice: must be a positive decimal/) });
      expect(await g.place({ ...limit('buy', '1'), stopPrice: '2.00' })).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/^order\.stopPrice: a limit order takes no stop price/) });
      expect(journal.list()).toEqual([]);
      expect(venue.calls).toEqual([]);
    });

    it('replace changes a working stop_limit’s limit price and keeps its stop (not sent again, still on the order)', async () => {
      const { g, venue } = setup();
      await g.place(stopLimit('sell', '2', '2.10', '2.05', { role: 'sl' }));
      const out = await g.replace('ld-1', { limitPrice: '2.00' });
      expect(out).toMatchObject({ kind: 'accepted', order: { orderType: 'stop_limit', limitPrice: '2.00', stopPrice: '2.10', role: 'sl', venueClientOrderId: 'ld-1.r1' } });
      expect(venue.patches).toEqual([{ clientOrderId: 'ld-1.r1', limitPrice: '2.00' }]);
      expect(venue.orders.get('ld-1.r1')).toMatchObject({ type: 'stop_limit', stopPrice: '2.10', limitPrice: '2.00' });
      // a market order still takes no limit price
      await g.place(buy('1'));
    });

    it('an order given no role is an exit when it reduces the position, an entry when it adds, flips or the position is unknown', async () => {
      const s = setup();
      s.state.positions.set('SPY', '5');
      s.state.positions.set('QQQ', null);
      s.venue.fillMarket = false;
      await s.g.place(limit('sell', '2')); // ld-1: reduces
      await s.g.place(limit('buy', '1')); // ld-2: adds
      await s.g.place(limit('sell', '10')); // ld-3: would flip
      await s.g.place({ ...limit('sell', '1'), symbol: 'QQQ' }); // ld-4: unknown position
      await s.g.place({ ...limit('buy', '1'), symbol: 'IWM' }); // ld-5: flat
      await s.g.place({ ...limit('sell', '1'), role: 'tp' }); // ld-6: the caller's word stands
      expect(['ld-1', 'ld-2', 'ld-3', 'ld-4', 'ld-5', 'ld-6'].map((id) => s.g.order(id)?.role)).toEqual(['exit', 'entry', 'entry', 'entry', 'entry', 'tp']);
      expect(s.g.events('ld-1')[0]!.detail).toMatchObject({ role: 'exit', roleBy: 'exposure' });
      expect(s.g.events('ld-6')[0]!.detail).toMatchObject({ role: 'tp' });
      expect(s.g.events('ld-6')[0]!.detail).not.toHaveProperty('roleBy');
    });

    it('a caller-chosen client order id is used as given; one the journal already knows is refused saying so, nothing sent', async () => {
      const { g, venue, journal } = setup();
      expect(await g.place({ ...limit('buy', '1'), clientOrderId: 'regen-abc-1' })).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'regen-abc-1', venueClientOrderId: 'regen-abc-1' } });
      expect(g.events('regen-abc-1')[0]!.detail).toMatchObject({ clientOrderIdChosen: true });
      const again = await g.place({ ...limit('buy', '1'), clientOrderId: 'regen-abc-1' });
      expect(again).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/^order\.clientOrderId: regen-abc-1 is already in the journal \(order regen-abc-1, SPY, accepted\)/), order: { clientOrderId: 'regen-abc-1' } });
      // a replace successor's id is taken too
      await g.replace('regen-abc-1', { limitPrice: '1.05' });
      expect(await g.place({ ...limit('buy', '1'), clientOrderId: 'regen-abc-1.r1' })).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/already in the journal \(order regen-abc-1,/) });
      expect(await g.place({ ...limit('buy', '1'), clientOrderId: 'x'.repeat(101) })).toMatchObject({ kind: 'refused', cause: 'validation', reason: expect.stringMatching(/^order\.clientOrderId: a chosen client order id is at most 100/) });
      expect(venue.calls).toEqual(['place regen-abc-1', 'replace v-1 → regen-abc-1.r1']);
      expect(journal.list().map((o) => o.clientOrderId)).toEqual(['regen-abc-1']);
    });

    it('Reducing: an SL stop_limit against the position passes; a stop_limit that adds is refused; SL and TP together may not exceed the position', async () => {
      const s = setup();
      s.state.positions.set('SPY', '2');
      s.state.level = 'reducing';
      expect((await s.g.place(stopLimit('sell', '2', '2.10', '2.05', { role: 'sl' }))).kind).toBe('accepted');
      expect(await s.g.place(stopLimit('buy', '1', '3.00', '3.05'))).toMatchObject({ kind: 'refused', cause: 'kill_switch', reason: expect.stringMatching(/Reducing.*does not reduce/) });
      // the working SL counts like a limit: a TP of the same size could fill beside it and flip the position
      expect(await s.g.place({ ...limit('sell', '2', '3.00'), role: 'tp' })).toMatchObject({ kind: 'refused', cause: 'kill_switch' });
      // its replace (a lower limit) still reduces
      expect((await s.g.replace('ld-1', { limitPrice: '2.00' })).kind).toBe('accepted');
    });

    it('archive: a final order gets its archive time and keeps its status and history; idempotent; a working order is refused naming it and its status', async () => {
      const { g, venue, journal, clock } = setup();
      venue.next = ['reject'];
      await g.place(limit('buy', '1')); // ld-1 rejected
      await g.place(limit('buy', '1')); // ld-2 working
      const history = journal.events('ld-1');
      clock.advance(500);
      const a = journal.archive('ld-1', { at: clock.now(), cycleId: 'cyc-1', reason: 'rejected entry archived' });
      expect(a).toMatchObject({ clientOrderId: 'ld-1', status: 'rejected', archivedAt: 1_500 });
      expect(journal.get('ld-1')).toMatchObject({ status: 'rejected', archivedAt: 1_500 });
      expect(journal.list().find((o) => o.clientOrderId === 'ld-1')?.archivedAt).toBe(1_500);
      expect(journal.events('ld-1')).toEqual(history);
      clock.advance(500);
      expect(journal.archive('ld-1', { at: clock.now(), cycleId: 'cyc-2', reason: 'again' }).archivedAt).toBe(1_500);
      expect(() => journal.archive('ld-2', { at: clock.now(), cycleId: null, reason: 'x' })).toThrow(/order "?ld-2"? is accepted: only a final order/);
      expect(journal.get('ld-2')?.archivedAt).toBeNull();
      expect(() => journal.archive('nope', { at: clock.now(), cycleId: null, reason: 'x' })).toThrow(/nope.*not in the journal/);
    });
  });
});
