// Issue 16, Done-when (first bullet), as far as the foundations go: ≥ 1,000 randomized
// place / replace / cancel commands through the order gateway, over the real Alpaca execution port,
// against the simulated venue injecting random order faults (reply dropped after the order is
// stored, reply delayed past the client's timeout, 5xx after accepting, session expiry, venue
// rejections) → 0 duplicate orders at the venue, every unknown resolved, journal = venue.
// 0 lost fills inside the same run: beside the gateway runs the real account fills service
// (AccountFills, recording into a real SQLite ledger's fills table) fed by the same venue's
// trade_updates stream and its REST catch-up (start / every resync); orders fill (market orders,
// marketable limits, partial fills, fills limited by the depth shown) while the stream is randomly
// dropped, refused (406) or stalled, so some fills are only learnt by the catch-up. At the end: for
// every venue order, the ledger's filled quantity = the venue's filled_qty and its VWAP = the venue's
// filled_avg_price (exact decimals), no quantity of an order counted twice, our FIFO positions per
// symbol = GET /v2/positions.
// Seeded (GATEWAY_FAULTS_SEED overrides the seed, to explore), bounded in time (no timed assertion); the figures are printed. Run with the in-memory journal
// and with the ledger's SQLite journal (every journal write a durable transaction on a real file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from '../market/fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';
import { SeededRandom } from '../../../src/core/model/random';
import { MemoryOrderJournal, type OrderJournal } from '../../../src/core/ports/order-journal';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { OrderGateway, statusOfVenueOrder, type GatewayOutcome } from '../../../src/core/orders/gateway';
import { SystemClock } from '../../../src/node/system-clock';
import type { OrderFaultKind, SimFault } from '../../../src/node/venues/sim/server';
import type { SimOrder } from '../../../src/node/venues/sim/broker';
import { AccountFills, type FillDisplay } from '../../../src/node/app/trading/account-fills';
import type { VenueRun } from '../../../src/node/compose';
import type { Account } from '../../../src/core/model/account';
import { silentLogger } from '../../../src/core/ports/logger';

let current: Rig | null = null;
let ledger: { store: SqliteLedgerStore; dir: string } | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
  ledger?.store.close();
  if (ledger) rmSync(ledger.dir, { recursive: true, force: true });
  ledger = null;
});

/** The ledger (a real SQLite file) whose fills table the account fills write; the SQLite journal variant journals there too. */
function openLedger(): SqliteLedgerStore {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-faults-'));
  const store = SqliteLedgerStore.open({ path: join(dir, 'ledger.sqlite') });
  ledger = { store, dir };
  store.upsertAccount({ accountId: 'SIM-FUZZ', venue: 'sim', label: 'Sim fuzz', mode: 'sim' }, Date.now());
  return store;
}

const JOURNALS: { name: string; make: (store: SqliteLedgerStore) => OrderJournal }[] = [
  { name: 'memory', make: () => new MemoryOrderJournal() },
  { name: 'SQLite', make: (store) => store.orderJournal },
];

const COMMANDS = 1_000;
const FAULT_RATE = 0.3;
/** Per command: the chance that the trade_updates stream is hit (dropped, refused then dropped, stalled). */
const STREAM_FAULT_RATE = 0.03;
const SYMBOLS = ['SPY', 'AAPL'] as const;
const ACCOUNT: Account = { id: accountId('SIM-FUZZ'), label: 'Sim fuzz', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim' };

/** A decimal string as a bigint scaled by 10^10 (the ledger's price precision; the sim's quantities are whole). */
const SCALE = 10n ** 10n;
function dec(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,10}))?$/.exec(text);
  if (!m) throw new Error(`not a decimal with at most 10 places: ${JSON.stringify(text)}`);
  const v = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? '').padEnd(10, '0'));
  return m[1] ? -v : v;
}

/** The display the desk would drive (the live portfolio): not under test here. */
const noDisplay: FillDisplay = { applyFill: () => ({ ok: true }), loadFill: () => ({ ok: true }), applyLateFill: () => ({ ok: true }) };

describe.each(JOURNALS)('order gateway ($name journal) ⇄ Alpaca execution port ⇄ simulated venue under random faults', ({ make }) => {
  it(`${COMMANDS} randomized place/replace/cancel commands → 0 duplicate orders, every unknown resolved, journal = venue, 0 lost fills (ledger = venue)`, async () => {
    const started = Date.now();
    const r = (current = await rig({ sim: { restRequestsPerMinute: 10_000_000, intervalMs: 20 }, venue: { restRequestsPerMinute: 10_000_000, restTimeoutMs: 150 } }));
    const { execution } = alpacaPorts(r.venue, accountId('SIM-FUZZ'), 'sim');
    await execution.start();
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    const seed = Number(process.env.GATEWAY_FAULTS_SEED ?? 20261206);
    const rng = new SeededRandom(seed);
    const store = openLedger();
    const journal = make(store);
    let n = 0;
    const g = new OrderGateway({
      clock: new SystemClock(),
      execution,
      journal,
      mode: () => 'trade',
      killSwitch: { levelOf: () => 'active' },
      position: () => 0n,
      newClientOrderId: () => `fz-${++n}`,
    });
    // The account fills, wired as the desk wires them: every order update, every trade_updates resync.
    const fills = new AccountFills({ clock: new SystemClock(), logger: silentLogger, ledger: store, display: noDisplay, quotes: { get: () => undefined, staleAfterMs: 5000, markPolicy: 'mid' }, retryMs: 50, gapCheckMs: 200 });
    let updates = 0;
    let resyncs = 0;
    execution.listen({
      orderUpdate: (u) => {
        if (g.onOrderUpdate(u)) updates++;
        fills.orderUpdate(ACCOUNT, u);
      },
      resync: (stream) => {
        if (stream !== 'trade_updates') return;
        resyncs++;
        void fills.resync(ACCOUNT, stream);
      },
    });
    await fills.accountStarted(ACCOUNT, { execution } as unknown as VenueRun);
    await fills.whenSynced(ACCOUNT.id);

    for (const sym of SYMBOLS) await waitFor(() => r.sim.model.quote(sym, Date.now()) !== null, 5000, `a ${sym} quote`);
    const quoteOf = (sym: string) => {
      const q = r.sim.model.quote(sym, Date.now())!;
      return { bid: Math.round(q.bid! * 100), ask: Math.round(q.ask! * 100) };
    };
    const px = (cents: number) => (Math.max(1, cents) / 100).toFixed(2);
    const streamFaults: Record<string, number> = {};
    let stalledUntil = -1;
    let fillModes = 0;
    r.sim.fault({ kind: 'fills', partial: true, depth: false });

    const faults: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    const commands: Record<string, number> = { place: 0, replace: 0, cancel: 0 };
    let sessionExpiries = 0;
    const note = (what: string, out: GatewayOutcome) => {
      const key = `${what}:${out.kind}${out.kind === 'refused' ? `(${out.cause})` : ''}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    };
    const working = () => journal.list().filter((o) => (o.status === 'accepted' || o.status === 'partially_filled') && o.pending === null && o.venueOrderId !== null);

    for (let i = 0; i < COMMANDS; i++) {
      if (i === stalledUntil) {
        // un-stall (resume also clears any order fault left unconsumed by the previous command)
        r.sim.fault({ kind: 'resume' });
        stalledUntil = -1;
      }
      if (stalledUntil < 0 && rng.next() < STREAM_FAULT_RATE) {
        const roll = rng.next();
        const kind = roll < 0.4 ? 'drop' : roll < 0.7 ? 'refuse406' : 'stall';
        streamFaults[kind] = (streamFaults[kind] ?? 0) + 1;
        if (kind === 'refuse406') r.sim.fault({ kind: 'refuse406', stream: 'trade_updates', forMs: 100 + Math.floor(rng.next() * 300) });
        if (kind !== 'stall') r.sim.fault({ kind: 'drop', stream: 'trade_updates' });
        else {
          r.sim.fault({ kind: 'stall', stream: 'trade_updates' });
          stalledUntil = i + 5 + Math.floor(rng.next() * 30);
        }
      }
      if (rng.next() < 0.03) {
        // how the venue fills: partial (half now, the rest on a later market step) and/or no more than the size shown
        fillModes++;
        r.sim.fault({ kind: 'fills', partial: rng.next() < 0.6, depth: rng.next() < 0.4 });
      }
      if (rng.next() < FAULT_RATE) {
        const roll = rng.next();
        const kind: OrderFaultKind | 'reject' = roll < 0.3 ? 'drop_reply' : roll < 0.55 ? 'http_5xx' : roll < 0.7 ? 'delay_reply' : roll < 0.8 ? 'expire_session' : 'reject';
        faults[kind] = (faults[kind] ?? 0) + 1;
        // a third of the reply faults strike before the venue acts (the command is lost: the venue never got it)
        const carriedOut = kind === 'expire_session' || rng.next() < 0.67;
        if (kind !== 'reject' && !carriedOut) faults.lostBeforeTheVenue = (faults.lostBeforeTheVenue ?? 0) + 1;
        const f: SimFault =
          kind === 'reject'
            ? { kind: 'reject_next_order' }
            : { kind: 'order_fault', fault: kind, carriedOut, ...(kind === 'delay_reply' ? { delayMs: 400 } : {}), ...(kind === 'http_5xx' ? { status: rng.next() < 0.5 ? 500 : 503 } : {}) };
        r.sim.fault(f);
      }
      const open = working();
      const roll = rng.next();
      if (open.length === 0 || roll < 0.4) {
        commands.place!++;
        const symbol = SYMBOLS[Math.floor(rng.next() * SYMBOLS.length)]!;
        const side = rng.next() < 0.5 ? 'buy' : 'sell';
        const qty = String(1 + Math.floor(rng.next() * 8));
        const kind = rng.next();
        const market = kind < 0.15;
        const { bid, ask } = quoteOf(symbol);
        // marketable limits (a fifth): through the touch; resting limits: buys below the market, sells
        // above (some cross later as prices walk)
        const lim =
          kind < 0.35
            ? side === 'buy' ? ask + Math.floor(rng.next() * 10) : bid - Math.floor(rng.next() * 10)
            : side === 'buy' ? bid - 5 - Math.floor(rng.next() * 200) : ask + 5 + Math.floor(rng.next() * 200);
        note('place', await g.place({ accountId: 'SIM-FUZZ', symbol, side, quantity: qty, orderType: market ? 'market' : 'limit', limitPrice: market ? null : px(lim) }));
      } else if (roll < 0.7) {
        commands.replace!++;
        const o = open[Math.floor(rng.next() * open.length)]!;
        const how = rng.next();
        const { bid, ask } = quoteOf(o.symbol);
        // a limit moved away from the market, moved through it (it fills), or a new quantity
        const patch =
          o.orderType === 'limit' && how < 0.5
            ? { limitPrice: px(Math.round(Number(o.limitPrice) * 100) + (o.side === 'buy' ? -1 : 1) * (1 + Math.floor(rng.next() * 20))) }
            : o.orderType === 'limit' && how < 0.7
              ? { limitPrice: px(o.side === 'buy' ? ask + Math.floor(rng.next() * 5) : bid - Math.floor(rng.next() * 5)) }
              : { quantity: String(Number(o.filledQuantity) + 1 + Math.floor(rng.next() * 5)) };
        note('replace', await g.replace(o.clientOrderId, patch));
      } else {
        commands.cancel!++;
        const o = open[Math.floor(rng.next() * open.length)]!;
        note('cancel', await g.cancel(o.clientOrderId));
      }
      if (execution.sessionState() === 'session_needed') {
        // the session expired mid-order: renew it at the venue and re-authenticate, as the user would
        sessionExpiries++;
        r.sim.fault({ kind: 'renew_session' });
        await execution.reauthenticate();
      }
      // unknowns are resolved as the desk would: now and then, not by re-sending
      if (rng.next() < 0.5) await g.resolveAll();
    }

    // Quiet the venue and settle: every unknown must resolve by asking.
    r.sim.fault({ kind: 'resume' });
    r.sim.fault({ kind: 'renew_session' });
    const unknownAtEnd = g.unresolved().length;
    for (let round = 0; round < 20 && g.unresolved().length > 0; round++) {
      await g.resolveAll();
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(g.unresolved()).toEqual([]);
    // Stop the venue trading (so the comparison below is of a still venue): cancel every working order
    // through the gateway, as the user would ("close all"), until the venue has none open.
    const openAtEnd = r.sim.broker.list('open').length;
    for (let round = 0; round < 10 && r.sim.broker.list('open').length > 0; round++) {
      for (const o of working()) await g.cancel(o.clientOrderId);
      await g.resolveAll();
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(r.sim.broker.list('open').map((v) => `${v.client_order_id} ${v.status}`)).toEqual([]);
    // refresh every order not yet final (pending_cancel awaiting its update, resting limits)
    for (const o of journal.list()) if (!['filled', 'cancelled', 'rejected', 'expired'].includes(o.status)) await g.resolve(o.clientOrderId);

    // ---- the venue's side: every order belongs to one intended order; at most one live per intent ----
    const venueOrders = r.sim.broker.list('all');
    const intentOf = (coid: string) => coid.replace(/\.r\d+$/, '');
    const byIntent = new Map<string, SimOrder[]>();
    for (const v of venueOrders) {
      const id = intentOf(v.client_order_id);
      byIntent.set(id, [...(byIntent.get(id) ?? []), v]);
    }
    const intents = journal.list();
    const known = new Set(intents.map((o) => o.clientOrderId));
    const strays = venueOrders.filter((v) => !known.has(intentOf(v.client_order_id)));
    expect(strays).toEqual([]);
    let duplicates = 0;
    for (const [, chain] of byIntent) {
      const sameId = new Map<string, number>();
      for (const v of chain) sameId.set(v.client_order_id, (sameId.get(v.client_order_id) ?? 0) + 1);
      if ([...sameId.values()].some((c) => c > 1)) duplicates++;
      if (chain.filter((v) => v.status !== 'replaced').length > 1) duplicates++;
    }
    expect(duplicates).toBe(0);

    // ---- journal = venue: the current venue order, its status and filled quantity ----
    const mismatches: string[] = [];
    for (const o of intents) {
      const chain = byIntent.get(o.clientOrderId) ?? [];
      const last = chain.find((v) => v.status !== 'replaced') ?? null;
      if (last === null) {
        if (o.status !== 'rejected') mismatches.push(`${o.clientOrderId}: not at the venue, journal says ${o.status}`);
        continue;
      }
      const expected = statusOfVenueOrder({ status: last.status, filledQty: last.filled_qty });
      const status = o.status === 'pending_cancel' && last.status === 'canceled' ? 'cancelled' : o.status;
      if (o.venueClientOrderId !== last.client_order_id || status !== expected || o.filledQuantity !== last.filled_qty) {
        mismatches.push(`${o.clientOrderId}: journal ${o.venueClientOrderId} ${o.status} filled ${o.filledQuantity} / venue ${last.client_order_id} ${last.status} filled ${last.filled_qty}`);
      }
    }
    expect(mismatches).toEqual([]);

    // ---- 0 lost fills: ledger = venue, after a final catch-up ----
    await waitFor(() => r.stream('trade_updates').state === 'running', 10_000, 'trade_updates running again');
    await fills.resync(ACCOUNT, 'trade_updates');
    await fills.whenSynced(ACCOUNT.id);
    const rows = store.fillsForRebuild({ accountId: ACCOUNT.id });
    const rowsOf = new Map<string, typeof rows>();
    for (const row of rows) rowsOf.set(row.brokerOrderId ?? '(none)', [...(rowsOf.get(row.brokerOrderId ?? '(none)') ?? []), row]);
    const venueIds = new Set(venueOrders.map((v) => v.id));
    const fillMismatches: string[] = [...rowsOf.keys()].filter((id) => !venueIds.has(id)).map((id) => `${id}: ledger fills of no venue order`);
    let filledOrders = 0;
    let exactNotional = 0;
    let derivedNotional = 0;
    for (const v of venueOrders) {
      const mine = [...(rowsOf.get(v.id) ?? [])].sort((a, b) => Number(dec(a.cumQuantity ?? '0') - dec(b.cumQuantity ?? '0')));
      const filled = dec(v.filled_qty);
      if (filled > 0n) filledOrders++;
      // No quantity of an order counted twice, none missing: the executions' intervals (cum − qty, cum]
      // are disjoint and cover (0, filled_qty].
      let at = 0n;
      let notional = 0n; // scaled 10^20
      for (const row of mine) {
        const q = dec(row.quantity);
        const cum = row.cumQuantity == null ? null : dec(row.cumQuantity);
        if (cum === null || cum - q !== at) fillMismatches.push(`${v.id} (${v.client_order_id}): fill ${row.fillId} covers (${cum === null ? '?' : cum - q}, ${row.cumQuantity}], expected to start at ${at} (scaled)`);
        at = cum ?? at + q;
        notional += q * dec(row.price);
      }
      if (at !== filled) {
        fillMismatches.push(`${v.id} (${v.client_order_id}): ledger filled ${Number(at) / 1e10}, venue filled_qty ${v.filled_qty}`);
        continue;
      }
      if (filled === 0n) continue;
      // VWAP: the venue reports filled_avg_price to 4 places, from its exact notional in whole cents
      // ((notional / filled / 100).toFixed(4)). Where our notional is whole cents (every execution
      // recorded at its own price) the venue's own formula over OUR notional must give the venue's
      // figure, string for string; where part of the order was fetched (priced from filled_avg_price)
      // our VWAP rounds to exactly the venue's figure, with no tie.
      if (notional % 10n ** 18n === 0n) {
        exactNotional++;
        const venueFormula = (Number(notional / 10n ** 18n) / Number(filled / SCALE) / 100).toFixed(4).replace(/0{1,2}$/, '');
        if (venueFormula !== v.filled_avg_price) fillMismatches.push(`${v.id} (${v.client_order_id}): ledger VWAP ${venueFormula}, venue filled_avg_price ${v.filled_avg_price}`);
      } else {
        derivedNotional++;
        const avg = dec(v.filled_avg_price ?? 'NaN') / 10n ** 6n; // 4 places
        const unit = filled * 10n ** 6n; // notional / unit = our VWAP in 4th-place units
        const twice = 2n * (notional - avg * unit);
        if (!(twice < unit && twice > -unit)) fillMismatches.push(`${v.id} (${v.client_order_id}): ledger VWAP ${Number(notional / filled) / 1e10}, venue filled_avg_price ${v.filled_avg_price}`);
      }
    }
    expect(fillMismatches).toEqual([]);
    expect(new Set(rows.map((row) => row.fillId)).size).toBe(rows.length);
    // Our FIFO positions per symbol = the venue's (GET /v2/positions; the sim starts flat).
    const venuePositions = await execution.positions();
    const positionMismatches: string[] = [];
    for (const sym of new Set([...SYMBOLS, ...venuePositions.map((p) => p.symbol)])) {
      const p = venuePositions.find((x) => x.symbol === sym);
      const venueQty = p ? (p.side === 'short' ? -1n : 1n) * (dec(p.qty) < 0n ? -dec(p.qty) : dec(p.qty)) : 0n;
      const ours = fills.signedQuantity(ACCOUNT.id, sym);
      if (ours === null || ours * 10n !== venueQty) positionMismatches.push(`${sym}: ours ${ours === null ? 'unknown' : Number(ours) / 1e9}, venue ${Number(venueQty) / 1e10}`);
    }
    expect(positionMismatches).toEqual([]);

    const unknowns = intents.filter((o) => journal.events(o.clientOrderId).some((e) => e.kind === 'unknown')).length;
    const figures = {
      seed,
      commands,
      faults,
      outcomes,
      intendedOrders: intents.length,
      venueOrders: venueOrders.length,
      ordersThatWereUnknown: unknowns,
      unresolvedAfterTheRun: unknownAtEnd,
      openAtTheEnd: openAtEnd,
      gateway: g.counters,
      orderUpdatesApplied: updates,
      streamFaults,
      fillModeChanges: fillModes,
      tradeUpdatesResyncs: resyncs,
      venueOrdersFilled: filledOrders,
      fills: rows.length,
      fillsLearntByCatchUp: rows.filter((row) => row.origin === 'fetched').length,
      fillsFromTheStream: rows.filter((row) => row.origin === 'venue').length,
      accountFills: fills.stats,
      vwapFromOwnExecutions: exactNotional,
      vwapWithFetchedPart: derivedNotional,
      positions: Object.fromEntries(venuePositions.map((p) => [p.symbol, `${p.side} ${p.qty}`])),
      sessionExpiries,
      duplicates,
      seconds: (Date.now() - started) / 1000,
    };
    console.log(`gateway fault injection: ${JSON.stringify(figures)}`);
    expect(commands.place! + commands.replace! + commands.cancel!).toBeGreaterThanOrEqual(1000);
    expect(g.counters.unknown).toBeGreaterThan(50); // the faults did bite
    expect(g.counters.resent).toBeGreaterThan(0);
    // the fill faults bit too: orders filled, some fills were learnt only by the catch-up, some partially
    expect(filledOrders).toBeGreaterThan(100);
    expect(rows.filter((row) => row.origin === 'fetched').length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.origin === 'venue').length).toBeGreaterThan(0);
    expect(resyncs).toBeGreaterThan(0);
    fills.accountStopping(ACCOUNT);
  }, 90_000);
});

