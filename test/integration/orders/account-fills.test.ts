// Issue 16 item 4 — the account fills against a real SQLite ledger (temp files), with fakes of the
// display (the live portfolio), the quotes and the execution port:
// - a venue fill is committed (durable connection) before the display hears of it, and counted once
//   whether the stream repeats it, REST reports it before or after the stream, or the desk restarts;
// - positions survive a restart (loaded from the ledger), missed fills are fetched at start / resync;
// - a late fill re-applies FIFO from its execution time: live positions = a rebuild from the fills table;
// - AccountPositions: signedQuantity, positions (unrealized at the mark, null without one), adoptBroker.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../../../src/core/ports/clock';
import { accountId, instrumentId, type InstrumentId } from '../../../src/core/model/ids';
import type { Account } from '../../../src/core/model/account';
import type { OrderUpdate, VenueOrder } from '../../../src/core/ports/venue';
import type { ExecutionPort } from '../../../src/core/ports/execution';
import type { Quote } from '../../../src/core/market/quote';
import type { Fill, FillInput, PositionSnapshot } from '../../../src/core/pnl/fifo';
import { qtyToString, toDecimalString } from '../../../src/core/model/money';
import { AccountFills, type FillDisplay } from '../../../src/node/app/trading/account-fills';
import type { VenueRun } from '../../../src/node/compose';
import { createFifoPositionEngine } from '../../../src/node/ledger/fifo-engine';
import { rebuildPositions } from '../../../src/node/ledger/rebuild';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { canonicalDecimal } from '../../../src/node/ledger/values';
import { openStore, seedAccount, T0, tempLedgerDir } from '../ledger/helpers';
import { LivePortfolio } from '../../../src/node/live-portfolio';
import { DeskEventBus } from '../../../src/node/app/event-bus';
import { QuoteCache } from '../../../src/core/market/quote-cache';
import { silentLogger } from '../../../src/core/ports/logger';
import type { DeskEvent } from '../../../src/shared/contract';

const ACCOUNT: Account = { id: accountId('acct-1'), label: 'Sim', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim' };

interface Shown {
  kind: 'apply' | 'load' | 'late';
  input: FillInput;
  fills?: readonly Fill[];
}

function display(): FillDisplay & { shown: Shown[] } {
  const shown: Shown[] = [];
  return {
    shown,
    applyFill: (input) => (shown.push({ kind: 'apply', input }), { ok: true }),
    loadFill: (input) => (shown.push({ kind: 'load', input }), { ok: true }),
    applyLateFill: (input, fills) => (shown.push({ kind: 'late', input, fills }), { ok: true }),
  };
}

function quotes(): { get(id: InstrumentId): Quote | undefined; staleAfterMs: number; markPolicy: 'mid'; set(q: Partial<Quote> & { symbol: string }): void } {
  const m = new Map<string, Quote>();
  return {
    staleAfterMs: 5000,
    markPolicy: 'mid',
    get: (id) => m.get(id),
    set: (q) => m.set(instrumentId('sim', q.symbol), { instrument: instrumentId('sim', q.symbol), bid: null, ask: null, last: null, bidSize: null, askSize: null, exchangeTime: null, receivedAt: T0, ...q } as unknown as Quote),
  };
}

/** A venue order as REST reports it. */
function vo(id: string, symbol: string, side: 'buy' | 'sell', filledQty: string, avg: string | null, status = 'filled', at = T0, qty = filledQty): VenueOrder {
  const iso = new Date(at).toISOString();
  return { id, clientOrderId: `c-${id}`, symbol, side, type: 'market', orderClass: 'simple', timeInForce: 'day', qty, filledQty, filledAvgPrice: avg, limitPrice: null, stopPrice: null, status, createdAt: iso, updatedAt: iso, legs: [] };
}

/** A trade_updates fill: this execution's qty/price, the order after it (cumulative filled_qty). */
function fillUpdate(order: VenueOrder, qty: string, price: string, at: number, exec: string): OrderUpdate {
  return { event: Number(order.filledQty) >= Number(order.qty) ? 'fill' : 'partial_fill', order, executionId: exec, price, qty, positionQty: null, timestamp: at, receivedAt: at };
}

class FakeExecution {
  orders: VenueOrder[] = [];
  calls = 0;
  fail = false;
  asExecution(): ExecutionPort {
    return {
      openOrders: async () => this.orders.filter((o) => !['filled', 'canceled', 'expired', 'replaced', 'rejected'].includes(o.status)),
      orders: async (q?: { after?: string }) => {
        this.calls++;
        if (this.fail) throw new Error('HTTP 503');
        const after = q?.after ? Date.parse(q.after) : -Infinity;
        return this.orders.filter((o) => Date.parse(o.createdAt!) > after);
      },
    } as unknown as ExecutionPort;
  }
  run(): VenueRun {
    return { execution: this.asExecution() } as unknown as VenueRun;
  }
}

let tmp: ReturnType<typeof tempLedgerDir>;
let store: SqliteLedgerStore;
let clock: ManualClock;
beforeEach(() => {
  tmp = tempLedgerDir('account-fills-');
  ({ store, clock } = openStore(tmp.file()));
  seedAccount(store, 'acct-1');
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

function service(d = display(), q = quotes()): AccountFills {
  return new AccountFills({ clock, logger: { debug() {}, info() {}, warn() {}, error() {} } as never, ledger: store, display: d, quotes: q, retryMs: 1000 });
}

const engine = createFifoPositionEngine(() => 1);

/** The fields both sides derive from fills: ours live, the rebuild's from the ledger. */
function view(ps: readonly PositionSnapshot[]): string[] {
  return ps
    .map((p) => [p.key, p.status, p.side === 'LONG' ? 'long' : 'short', qtyToString(p.quantity_total), qtyToString(p.quantity_remaining), canonicalDecimal(toDecimalString(p.realized_net)), p.opened_at, p.closed_at].join('|'))
    .sort();
}
function rebuiltView(): string[] {
  const r = rebuildPositions(store, engine, { accountId: 'acct-1' });
  return r.positions
    .map((p) => [`${p.positionId}#${p.reEntryNum}`, p.status, p.side, canonicalDecimal(p.quantityTotal), canonicalDecimal(p.quantityOpen), canonicalDecimal(p.realizedPnl), p.openedAt, p.closedAt].join('|'))
    .sort();
}

describe('account fills: durable and idempotent', () => {
  it('commits a stream fill to the ledger before the display hears of it, and counts a repeated report once', async () => {
    const ex = new FakeExecution();
    const d = display();
    let storedWhenShown = -1;
    const fills = new AccountFills({
      clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
      ledger: store,
      display: { ...d, applyFill: (input, meta) => ((storedWhenShown = store.fillsForRebuild({ accountId: 'acct-1' }).length), d.applyFill(input, meta)) },
      quotes: quotes(),
    });
    await fills.accountStarted(ACCOUNT, ex.run());
    const o = vo('O1', 'SPY', 'buy', '10', '100', 'filled', T0 + 1000, '10');
    fills.orderUpdate(ACCOUNT, fillUpdate(o, '10', '100', T0 + 1000, 'E1'));
    fills.orderUpdate(ACCOUNT, fillUpdate(o, '10', '100', T0 + 1000, 'E1'));
    expect(storedWhenShown).toBe(1);
    const rows = store.fillsForRebuild({ accountId: 'acct-1' });
    expect(rows.map((r) => [r.fillId, r.origin, r.cumQuantity, r.executionId, r.brokerOrderId, r.quantity])).toEqual([['O1@10', 'venue', '10', 'E1', 'O1', '10']]);
    expect(fills.signedQuantity('acct-1', 'SPY')).toBe(10_000_000_000n);
    expect(fills.stats).toMatchObject({ recorded: 1, duplicates: 1 });
  });

  it('stream first, then REST reporting the same order: once (and the rest of a partly streamed order is fetched at the right price)', async () => {
    const ex = new FakeExecution();
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    // O1: 4 @ 100 streamed, then 6 @ 110 missed; REST says 10 filled at avg 106.
    const part = vo('O1', 'SPY', 'buy', '4', '100', 'partially_filled', T0 + 1000, '10');
    fills.orderUpdate(ACCOUNT, fillUpdate(part, '4', '100', T0 + 1000, 'E1'));
    ex.orders = [vo('O1', 'SPY', 'buy', '10', '106', 'filled', T0 + 2000, '10')];
    await fills.resync(ACCOUNT, 'trade_updates');
    const rows = store.fillsForRebuild({ accountId: 'acct-1' });
    expect(rows.map((r) => [r.fillId, r.origin, r.quantity, canonicalDecimal(r.price)])).toEqual([
      ['O1@4', 'venue', '4', '100'],
      ['O1@10', 'fetched', '6', '110'],
    ]);
    // The stream's late report of the second execution is the fetched one: not counted again.
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'buy', '10', '106', 'filled', T0 + 2000, '10'), '6', '110', T0 + 2000, 'E2'));
    expect(store.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(2);
    expect(fills.signedQuantity('acct-1', 'SPY')).toBe(10_000_000_000n);
  });

  it('REST first, then the stream delivering the executions it covered (in either order): once', async () => {
    const ex = new FakeExecution();
    ex.orders = [vo('O1', 'SPY', 'sell', '10', '50.5', 'filled', T0 + 3000, '10')];
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    expect(store.fillsForRebuild({ accountId: 'acct-1' }).map((r) => [r.fillId, r.origin, r.quantity])).toEqual([['O1@10', 'fetched', '10']]);
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'sell', '10', '50.5', 'filled', T0 + 3000, '10'), '7', '51', T0 + 3000, 'E2'));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'sell', '3', '49.33', 'partially_filled', T0 + 2000, '10'), '3', '49.33', T0 + 2000, 'E1'));
    expect(store.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(1);
    expect(fills.signedQuantity('acct-1', 'SPY')).toBe(-10_000_000_000n);
  });

  it('stream executions out of order are both counted (intervals, not a high-water mark)', async () => {
    const ex = new FakeExecution();
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'buy', '10', '101', 'filled', T0 + 2000, '10'), '6', '102', T0 + 2000, 'E2'));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'buy', '4', '99.5', 'partially_filled', T0 + 1000, '10'), '4', '99.5', T0 + 1000, 'E1'));
    expect(store.fillsForRebuild({ accountId: 'acct-1' }).map((r) => r.fillId)).toEqual(['O1@4', 'O1@10']);
    // A REST report afterwards finds nothing missing.
    ex.orders = [vo('O1', 'SPY', 'buy', '10', '101', 'filled', T0 + 2000, '10')];
    await fills.resync(ACCOUNT, 'trade_updates');
    expect(store.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(2);
  });

  it('an execution lost on the stream (a later one shows the order had more filled) is fetched a second later', async () => {
    const ex = new FakeExecution();
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    const calls = ex.calls;
    ex.orders = [vo('O1', 'SPY', 'buy', '10', '101.2', 'filled', T0 + 2000, '10')];
    // Only the second execution (6 @ 102, cumulative 10) arrives; the first (4) was lost.
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'buy', '10', '101.2', 'filled', T0 + 2000, '10'), '6', '102', T0 + 2000, 'E2'));
    expect(ex.calls).toBe(calls);
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 0));
    await fills.whenSynced('acct-1');
    await new Promise((r) => setTimeout(r, 0));
    // The fetched part is timed at the order's last update (REST gives no execution times): after the streamed one.
    expect(store.fillsForRebuild({ accountId: 'acct-1' }).map((r) => [r.fillId, r.origin, r.quantity, canonicalDecimal(r.price)])).toEqual([
      ['O1@10', 'venue', '6', '102'],
      ['O1@4', 'fetched', '4', '100'],
    ]);
    expect(fills.signedQuantity('acct-1', 'SPY')).toBe(10_000_000_000n);
  });

  it('positions survive a restart: loaded from the ledger, shown, and a repeated report after it still counts once', async () => {
    const ex = new FakeExecution();
    const first = service();
    await first.accountStarted(ACCOUNT, ex.run());
    const o = vo('O1', 'SPY', 'buy', '5', '20', 'filled', T0 + 1000, '5');
    first.orderUpdate(ACCOUNT, fillUpdate(o, '5', '20', T0 + 1000, 'E1'));

    const d = display();
    const second = service(d);
    expect(second.signedQuantity('acct-1', 'SPY')).toBeNull(); // not loaded before its account starts
    ex.orders = [o];
    await second.accountStarted(ACCOUNT, ex.run());
    expect(second.signedQuantity('acct-1', 'SPY')).toBe(5_000_000_000n);
    expect(d.shown.map((s) => [s.kind, s.input.fill_id])).toEqual([['load', 'acct-1:O1@5']]); // another account's ids carry its id
    second.orderUpdate(ACCOUNT, fillUpdate(o, '5', '20', T0 + 1000, 'E1'));
    expect(store.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(1);
  });

  it('only a trade_updates resync fetches (a market-data stream resync does not); after a stop a failed catch-up is not retried', async () => {
    const ex = new FakeExecution();
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    const calls = ex.calls;
    await fills.resync(ACCOUNT, 'stocks');
    expect(ex.calls).toBe(calls);
    await fills.resync(ACCOUNT, 'trade_updates');
    expect(ex.calls).toBe(calls + 1);
    ex.fail = true;
    await fills.resync(ACCOUNT, 'trade_updates');
    fills.accountStopping(ACCOUNT);
    ex.fail = false;
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 0));
    expect(ex.calls).toBe(calls + 2); // no retry after stop
  });

  it('whenSynced waits for the catch-up, which retries a failing venue', async () => {
    const ex = new FakeExecution();
    ex.fail = true;
    ex.orders = [vo('O9', 'QQQ', 'buy', '2', '300', 'filled', T0 + 500, '2')];
    const fills = service();
    let synced = false;
    void fills.whenSynced('acct-1').then(() => (synced = true));
    await fills.accountStarted(ACCOUNT, ex.run());
    await Promise.resolve();
    expect(synced).toBe(false);
    ex.fail = false;
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 0));
    await fills.whenSynced('acct-1');
    expect(synced).toBe(true);
    expect(fills.signedQuantity('acct-1', 'QQQ')).toBe(2_000_000_000n);
  });
});

describe('account fills: late fills', () => {
  it('a fill executed before fills already applied re-applies the position in execution-time order (the rebuild agrees; before: arrival order)', async () => {
    const ex = new FakeExecution();
    const d = display();
    const fills = service(d);
    await fills.accountStarted(ACCOUNT, ex.run());
    // Arrival: buy 10 @ t1, sell 10 @ t3 (closed), buy 10 @ t4 (re-entry #1). Then late: buy 10 @ t2.
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('A', 'SPY', 'buy', '10', '10', 'filled', T0 + 1, '10'), '10', '10', T0 + 1, 'a'));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('C', 'SPY', 'sell', '10', '12', 'filled', T0 + 3, '10'), '10', '12', T0 + 3, 'c'));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('D', 'SPY', 'buy', '10', '13', 'filled', T0 + 4, '10'), '10', '13', T0 + 4, 'd'));
    expect(rebuiltView()).toEqual(view(fills.snapshots('acct-1')));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('B', 'SPY', 'buy', '10', '11', 'filled', T0 + 2, '10'), '10', '11', T0 + 2, 'b'));
    // In time order: 10 @ 10, 10 @ 11, sell 10 @ 12 (closes the 10 @ 10: +20), 10 @ 13 → one position, long 20.
    const snaps = fills.snapshots('acct-1');
    expect(snaps.map((p) => [p.key, p.status, qtyToString(p.quantity_remaining), toDecimalString(p.realized_net)])).toEqual([['acct-1:SPY#0', 'PARTIAL', '20', '20']]);
    expect(rebuiltView()).toEqual(view(snaps));
    expect(d.shown.at(-1)!.kind).toBe('late');
    expect(d.shown.at(-1)!.fills!.map((f) => f.fill_id)).toEqual(['acct-1:A@10', 'acct-1:B@10', 'acct-1:C@10', 'acct-1:D@10']);
    expect(fills.stats.late).toBe(1);
  });

  it('regression: fills numbered by arrival (what a live path numbering re-entries by arrival stores) make the rebuild throw; with an origin the engine numbers them in time order', () => {
    const row = (fillId: string, side: 'buy' | 'sell', at: number, reEntryNum: number, origin: 'venue' | null) =>
      ({ accountId: 'acct-1', fillId, clientOrderId: null, brokerOrderId: null, positionId: 'acct-1:SPY', reEntryNum, symbol: 'SPY', side, quantity: '10', price: '10', fee: '0', feeCurrency: 'USD', filledAt: at, origin });
    // Arrival: buy t1 (#0), sell t3 (#0 closed), buy t4 (#1), then buy t2 — numbered #1 on arrival (#1 was open).
    for (const [id, side, at, n] of [['a', 'buy', 1, 0], ['c', 'sell', 3, 0], ['d', 'buy', 4, 1], ['b', 'buy', 2, 1]] as const) store.recordFill(row(`legacy-${id}`, side, T0 + at, n, null));
    expect(() => rebuildPositions(store, engine, { accountId: 'acct-1' })).toThrow(/rejected/);
    const tmp2 = tempLedgerDir('account-fills-origin-');
    const { store: st } = openStore(tmp2.file(), clock);
    try {
      seedAccount(st, 'acct-1');
      for (const [id, side, at, n] of [['a', 'buy', 1, 0], ['c', 'sell', 3, 0], ['d', 'buy', 4, 1], ['b', 'buy', 2, 1]] as const) st.recordFill(row(id, side, T0 + at, n, 'venue'));
      const r = rebuildPositions(st, engine, { accountId: 'acct-1' });
      expect(r.positions.map((p) => [p.reEntryNum, p.status, p.quantityOpen])).toEqual([[0, 'PARTIAL', '20']]);
    } finally {
      st.close();
      tmp2.cleanup();
    }
  });

  it('property: random fills (partials, flips, re-entries) by stream and REST, shuffled, with duplicates → ledger = venue, live = rebuild, the rebuild never throws, and a restart loads the same', async () => {
    const execution = fc.record({ qty: fc.integer({ min: 1, max: 9 }), cents: fc.integer({ min: 100, max: 20000 }) });
    const order = fc.record({ symbol: fc.constantFrom('SPY', 'QQQ'), side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'), execs: fc.array(execution, { minLength: 1, maxLength: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), fc.integer({ min: 0, max: 3 }), async (orders, noise, restEvery) => {
        const dir = tempLedgerDir('account-fills-prop-');
        const { store: st } = openStore(dir.file(), clock);
        seedAccount(st, 'acct-1');
        try {
          // The venue's truth: each order's executions at increasing times (orders interleave in time).
          let t = T0;
          type Exec = { order: number; qty: number; cents: number; at: number; cum: number; notional: number };
          const execs: Exec[] = [];
          const cums = orders.map(() => ({ cum: 0, notional: 0 }));
          let k = 0;
          const pending = orders.map((o) => [...o.execs]);
          while (pending.some((p) => p.length > 0)) {
            const i = noise[k++ % noise.length]! % orders.length;
            const e = pending[i]!.shift() ?? pending.find((p) => p.length > 0)!.shift()!;
            const idx = pending[i]!.length >= 0 && orders[i]!.execs.includes(e) ? i : orders.findIndex((o) => o.execs.includes(e));
            t += 1 + (noise[k++ % noise.length]! % 3);
            const c = cums[idx]!;
            c.cum += e.qty;
            c.notional += e.qty * e.cents;
            execs.push({ order: idx, qty: e.qty, cents: e.cents, at: t, cum: c.cum, notional: c.notional });
          }
          const total = (i: number) => orders[i]!.execs.reduce((a, e) => a + e.qty, 0);
          const orderAt = (ex: Exec): VenueOrder => {
            const o = orders[ex.order]!;
            const avg = (ex.notional / ex.cum / 100).toFixed(4);
            return vo(`O${ex.order}`, o.symbol, o.side, String(ex.cum), avg, ex.cum === total(ex.order) ? 'filled' : 'partially_filled', ex.at, String(total(ex.order)));
          };
          // Deliveries: each execution on the stream (some twice, some never), REST snapshots in between.
          type Delivery = { kind: 'stream'; ex: Exec } | { kind: 'rest'; upTo: number };
          const deliveries: Delivery[] = [];
          execs.forEach((ex, j) => {
            const n = noise[(j * 7) % noise.length]! % 4; // 0: lost, 1: once, 2+: duplicated
            for (let r = 0; r < Math.min(n, 2); r++) deliveries.push({ kind: 'stream', ex });
            if (restEvery > 0 && j % restEvery === 0) deliveries.push({ kind: 'rest', upTo: j });
          });
          for (let j = deliveries.length - 1; j > 0; j--) {
            const s = noise[(j * 13) % noise.length]! % (j + 1);
            [deliveries[j], deliveries[s]] = [deliveries[s]!, deliveries[j]!];
          }
          const ex = new FakeExecution();
          // The real live portfolio as the display: what the UI is sent must end where the rebuild does.
          const bus = new DeskEventBus(silentLogger);
          const lastEvent = new Map<string, DeskEvent & { type: 'position_event' }>();
          bus.subscribe((e) => void (e.type === 'position_event' && lastEvent.set(`${e.position.position_id}#${e.position.re_entry_num}`, e)));
          const live = new LivePortfolio({ clock, logger: silentLogger, quotes: new QuoteCache(clock), venue: 'sim', streamer: () => ({ state: 'running', streaming: true }), events: bus });
          const fills = new AccountFills({ clock, logger: { debug() {}, info() {}, warn() {}, error() {} } as never, ledger: st, display: live, quotes: quotes() });
          await fills.accountStarted(ACCOUNT, ex.run());
          const restState = (upTo: number): VenueOrder[] => {
            const last = new Map<number, Exec>();
            for (const e of execs.slice(0, upTo + 1)) last.set(e.order, e);
            return [...last.values()].map(orderAt);
          };
          for (const dl of deliveries) {
            if (dl.kind === 'stream') fills.orderUpdate(ACCOUNT, fillUpdate(orderAt(dl.ex), String(dl.ex.qty), (dl.ex.cents / 100).toFixed(2), dl.ex.at, `E${dl.ex.order}-${dl.ex.cum}`));
            else {
              ex.orders = restState(dl.upTo);
              await fills.resync(ACCOUNT, 'trade_updates');
            }
          }
          // Finally the channel resyncs with the venue's whole state.
          ex.orders = restState(execs.length - 1);
          await fills.resync(ACCOUNT, 'trade_updates');

          const rows = st.fillsForRebuild({ accountId: 'acct-1' });
          // Ledger = venue: Σ recorded quantity per venue order = its filled quantity.
          const byOrder = new Map<string, number>();
          for (const r of rows) byOrder.set(r.brokerOrderId!, (byOrder.get(r.brokerOrderId!) ?? 0) + Number(r.quantity));
          expect(Object.fromEntries(byOrder)).toEqual(Object.fromEntries(orders.map((_, i) => [`O${i}`, total(i)])));
          // Live = rebuild, and the rebuild does not throw.
          const rebuilt = rebuildPositions(st, engine, { accountId: 'acct-1' });
          const rv = rebuilt.positions
            .map((p) => [`${p.positionId}#${p.reEntryNum}`, p.status, p.side, canonicalDecimal(p.quantityTotal), canonicalDecimal(p.quantityOpen), canonicalDecimal(p.realizedPnl), p.openedAt, p.closedAt].join('|'))
            .sort();
          expect(rv).toEqual(view(fills.snapshots('acct-1')));
          // The UI: the tracker's positions and the last position_event of each are the rebuild's.
          const ui = live.tracker
            .records()
            .filter((r) => r.position_id.startsWith('acct-1:'))
            .map((r) => [`${r.position_id}#${r.re_entry_num}`, r.status, canonicalDecimal(r.quantity_remaining), canonicalDecimal(r.realized_net)].join('|'))
            .sort();
          const ours = fills.snapshots('acct-1').map((p) => [p.key, p.status, qtyToString(p.quantity_remaining), canonicalDecimal(toDecimalString(p.realized_net))].join('|')).sort();
          expect(ui).toEqual(ours);
          for (const p of fills.snapshots('acct-1')) {
            const e = lastEvent.get(p.key);
            expect(e && [e.position.status, canonicalDecimal(e.record.quantity_remaining)], p.key).toEqual([p.status, qtyToString(p.quantity_remaining)]);
          }
          live.dispose();
          // A restart loads the same positions.
          const again = new AccountFills({ clock, logger: { debug() {}, info() {}, warn() {}, error() {} } as never, ledger: st, display: display(), quotes: quotes() });
          await again.accountStarted(ACCOUNT, ex.run());
          expect(view(again.snapshots('acct-1'))).toEqual(view(fills.snapshots('acct-1')));
          expect(st.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(rows.length);
        } finally {
          st.close();
          dir.cleanup();
        }
      }),
      { numRuns: 60, seed: 1606 },
    );
  }, 60_000);
});

describe('AccountPositions', () => {
  it('positions: signed quantity, average, realized, unrealized at a fresh mark (null without one), multiplier', async () => {
    const ex = new FakeExecution();
    const q = quotes();
    const fills = service(display(), q);
    await fills.accountStarted(ACCOUNT, ex.run());
    const opt = 'SPY261218C00600000';
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', opt, 'sell', '3', '2.5', 'filled', T0, '3'), '3', '2.5', T0, 'E1'));
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O2', opt, 'buy', '1', '2', 'filled', T0 + 1, '1'), '1', '2', T0 + 1, 'E2'));
    expect(fills.positions('acct-1')).toEqual([{ account: 'acct-1', symbol: opt, quantity: '-2', avgPrice: '2.5', realized: '50', unrealized: null, fees: '0', multiplier: '100' }]);
    q.set({ symbol: opt, bid: 2.1, ask: 2.3, receivedAt: T0 });
    expect(fills.positions('acct-1')[0]!.unrealized).toBe('60'); // (2.5 − 2.2) × 2 × 100
    clock.advance(6000);
    expect(fills.positions('acct-1')[0]!.unrealized).toBeNull(); // stale mark: unknown, not zero
    expect(fills.signedQuantity('acct-1', opt)).toBe(-2_000_000_000n);
    expect(fills.signedQuantity('acct-1', 'AAPL')).toBe(0n);
    expect(fills.signedQuantity('other', 'AAPL')).toBeNull();
  });

  it('adoptBroker records one adjustment fill (origin adopted) to the broker quantity at its average price; the rebuild agrees', async () => {
    const ex = new FakeExecution();
    const fills = service();
    await fills.accountStarted(ACCOUNT, ex.run());
    fills.orderUpdate(ACCOUNT, fillUpdate(vo('O1', 'SPY', 'buy', '5', '100', 'filled', T0, '5'), '5', '100', T0, 'E1'));
    clock.advance(10);
    fills.adoptBroker('acct-1', 'SPY', '-3', '104', 'broker reports short 3');
    expect(fills.signedQuantity('acct-1', 'SPY')).toBe(-3_000_000_000n);
    const rows = store.fillsForRebuild({ accountId: 'acct-1' });
    expect(rows.at(-1)).toMatchObject({ origin: 'adopted', side: 'sell', quantity: '8', price: '104', brokerOrderId: null, cumQuantity: null });
    // Our long 5 closed at the broker's 104: +20 realized on the adjustment; short 3 open at 104.
    expect(fills.positions('acct-1')[0]).toMatchObject({ quantity: '-3', avgPrice: '104', realized: '20' });
    expect(rebuiltView()).toEqual(view(fills.snapshots('acct-1')));
    fills.adoptBroker('acct-1', 'SPY', '-3', '104', 'again'); // already there: nothing recorded
    expect(store.fillsForRebuild({ accountId: 'acct-1' })).toHaveLength(rows.length);
    expect(() => fills.adoptBroker('acct-1', 'QQQ', '2', null, 'no price anywhere')).toThrow(/no average price/);
  });
});
