// Issue 16, Done-when (first bullet), as far as the foundations go: ≥ 1,000 randomized
// place / replace / cancel commands through the order gateway, over the real Alpaca execution port,
// against the simulated venue injecting random order faults (reply dropped after the order is
// stored, reply delayed past the client's timeout, 5xx after accepting, session expiry, venue
// rejections) → 0 duplicate orders at the venue, every unknown resolved, journal = venue.
// Seeded, bounded in time (well under 60 s); the figures are printed. Run with the in-memory journal
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

let current: Rig | null = null;
let ledger: { store: SqliteLedgerStore; dir: string } | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
  ledger?.store.close();
  if (ledger) rmSync(ledger.dir, { recursive: true, force: true });
  ledger = null;
});

const JOURNALS: { name: string; make: () => OrderJournal }[] = [
  { name: 'memory', make: () => new MemoryOrderJournal() },
  {
    name: 'SQLite',
    make: () => {
      const dir = mkdtempSync(join(tmpdir(), 'gateway-faults-'));
      const store = SqliteLedgerStore.open({ path: join(dir, 'ledger.sqlite') });
      ledger = { store, dir };
      store.upsertAccount({ accountId: 'SIM-FUZZ', venue: 'sim', label: 'Sim fuzz', mode: 'sim' }, Date.now());
      return store.orderJournal;
    },
  },
];

const COMMANDS = 1_000;
const FAULT_RATE = 0.3;

describe.each(JOURNALS)('order gateway ($name journal) ⇄ Alpaca execution port ⇄ simulated venue under random faults', ({ make }) => {
  it(`${COMMANDS} randomized place/replace/cancel commands → 0 duplicate orders, every unknown resolved, journal = venue`, async () => {
    const started = Date.now();
    const r = (current = await rig({ sim: { restRequestsPerMinute: 10_000_000, intervalMs: 20 }, venue: { restRequestsPerMinute: 10_000_000, restTimeoutMs: 150 } }));
    const { execution } = alpacaPorts(r.venue, accountId('SIM-FUZZ'), 'sim');
    await execution.start();
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    const rng = new SeededRandom(20261206);
    const journal = make();
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
    let updates = 0;
    execution.listen({ orderUpdate: (u) => (g.onOrderUpdate(u) ? updates++ : undefined) });

    const [quote] = await r.venue.latestQuotes(['SPY']);
    const mid = Math.round(((quote!.bid! + quote!.ask!) / 2) * 100);
    const px = (cents: number) => (Math.max(1, cents) / 100).toFixed(2);

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
        const side = rng.next() < 0.5 ? 'buy' : 'sell';
        const qty = String(1 + Math.floor(rng.next() * 5));
        const market = rng.next() < 0.15;
        // resting limits: buys below the market, sells above (some cross later as prices walk)
        const lim = side === 'buy' ? mid - 20 - Math.floor(rng.next() * 400) : mid + 20 + Math.floor(rng.next() * 400);
        note('place', await g.place({ accountId: 'SIM-FUZZ', symbol: 'SPY', side, quantity: qty, orderType: market ? 'market' : 'limit', limitPrice: market ? null : px(lim) }));
      } else if (roll < 0.7) {
        commands.replace!++;
        const o = open[Math.floor(rng.next() * open.length)]!;
        const patch = o.orderType === 'limit' && rng.next() < 0.7 ? { limitPrice: px(Math.round(Number(o.limitPrice) * 100) + (o.side === 'buy' ? -1 : 1) * (1 + Math.floor(rng.next() * 20))) } : { quantity: String(Number(o.filledQuantity) + 1 + Math.floor(rng.next() * 5)) };
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

    const unknowns = intents.filter((o) => journal.events(o.clientOrderId).some((e) => e.kind === 'unknown')).length;
    const figures = {
      commands,
      faults,
      outcomes,
      intendedOrders: intents.length,
      venueOrders: venueOrders.length,
      ordersThatWereUnknown: unknowns,
      unresolvedAfterTheRun: unknownAtEnd,
      gateway: g.counters,
      orderUpdatesApplied: updates,
      sessionExpiries,
      duplicates,
      seconds: (Date.now() - started) / 1000,
    };
    console.log(`gateway fault injection: ${JSON.stringify(figures)}`);
    expect(commands.place! + commands.replace! + commands.cancel!).toBeGreaterThanOrEqual(1000);
    expect(g.counters.unknown).toBeGreaterThan(50); // the faults did bite
    expect(g.counters.resent).toBeGreaterThan(0);
  }, 90_000);
});

