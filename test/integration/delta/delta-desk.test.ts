// Issue 20 through the desk: the desk venue setting `sim-delta` selects the Delta adapter against the
// simulated venue's crypto face (real sockets, real signing, no credentials). Start streams the
// nearest BTC/ETH daily chain with venue greeks; the instruments are Delta's products (contract
// value 0.001 BTC, USD); a short BTC strangle is placed through the desk's commands, filled, and
// reflected in the venue's positions, the desk's account positions and the SQLite ledger; the
// strangle's P&L is in USD from price × contracts × contract value; an expired key is session_needed
// on the desk and re-authentication restores it.
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import type { CommandOutcome } from '../../../src/shared/contract';
import type { OrderOutcomeWire } from '../../../src/shared/trading';
import { tempLedgerDir } from '../ledger/helpers';
import type { DeltaAccountVenue } from '../../../src/node/venues/delta/build';
import { DEFAULT_ACCOUNT_ID } from '../../../src/core/model/account';

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

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function ok<T>(r: CommandOutcome): T {
  if (!r.ok) throw new Error(`command failed: ${r.error.message}`);
  return r.result as T;
}

describe('the desk on venue sim-delta', () => {
  it('Start → Delta tickers in the cache → a short BTC strangle placed through the desk, filled, in positions and the ledger, P&L in USD', { timeout: 40_000 }, async () => {
    tmp = tempLedgerDir('delta-desk-');
    const clock = new SystemClock();
    store = SqliteLedgerStore.open({ path: tmp.file(), clock });
    desk = createDesk({ clock, portfolioPath: null, config: { venue: 'sim-delta', simIntervalMs: 200, streams: { backoffBaseMs: 50, backoffCapMs: 200 } }, accountLedger: store.accounts, orderJournal: store.orderJournal, fillLedger: store.orders });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'running') && d.snapshot().streams.some((s) => s.name === 'options' && s.state === 'running'), 10_000, 'both Delta sockets running');
    await d.positions.whenSynced('default');
    // The watchlist: the nearest BTC daily chain around 90,000.
    const btc = () => d.snapshot().quotes.filter((q) => q.symbol.includes('-BTC-') && q.bid !== null && q.ask !== null);
    await waitFor(() => btc().length >= 10, 10_000, 'BTC option quotes in the cache');
    const call = btc().find((q) => q.symbol.startsWith('C-BTC-92000-'))!.symbol;
    // The face's products are in the ledger's instruments table (under the sim's venue id).
    expect(store.accounts.getInstrument('sim', call)).toMatchObject({ symbol: call, multiplier: '0.001', currency: 'USD' });
    const put = btc().find((q) => q.symbol.startsWith('P-BTC-88000-'))!.symbol;

    ok(await d.handle('trading.set_mode', { account: 'default', mode: 'trade' }));
    for (const symbol of [call, put]) {
      const placed = ok<{ outcome: OrderOutcomeWire }>(await d.handle('orders.place', { account: 'default', symbol, side: 'sell', quantity: '10', order_type: 'market' })).outcome;
      expect(placed.kind).toBe('accepted');
    }
    // Filled on the private channel → the account's fills in the ledger (contracts, the fill prices).
    await waitFor(() => store!.fillsForRebuild({ accountId: 'default' }).length === 2, 10_000, 'both fills in the ledger');
    const fills = store.fillsForRebuild({ accountId: 'default' });
    expect(fills.map((f) => [f.symbol, f.side, f.quantity]).sort()).toEqual([
      [call, 'sell', '10'],
      [put, 'sell', '10'],
    ].sort());
    // The venue's positions and the desk's account positions agree: short 10 each.
    const venuePositions = await d.activeExecution!.positions();
    expect(venuePositions.map((p) => [p.symbol, p.side, p.qty]).sort()).toEqual([
      [call, 'short', '10'],
      [put, 'short', '10'],
    ].sort());
    // The desk's account positions: contracts, the contract value from Delta's products as the
    // multiplier (not a guess from the symbol), unrealized P&L in USD at the cache's mark.
    await waitFor(() => d.positions.positions('default').every((p) => p.unrealized !== null) && d.positions.positions('default').length === 2, 10_000, 'marked positions');
    const deskPositions = d.positions.positions('default');
    const quotes = new Map(d.snapshot().quotes.map((q) => [q.symbol, q]));
    expect(deskPositions.map((p) => [p.symbol, p.quantity, p.multiplier]).sort()).toEqual([
      [call, '-10', '0.001'],
      [put, '-10', '0.001'],
    ].sort());
    let strangle = 0;
    for (const p of deskPositions) {
      const q = quotes.get(p.symbol)!;
      const mid = (q.bid! + q.ask!) / 2;
      // Short: (entry − mark) × contracts × contract value, in USD.
      const expected = (Number(p.avgPrice) - mid) * 10 * 0.001;
      expect(Number(p.unrealized)).toBeCloseTo(expected, 2);
      strangle += Number(p.unrealized);
    }
    // The premium collected (USD) bounds the strangle's unrealized loss/gain right after the sale.
    const premium = deskPositions.reduce((a, p) => a + Number(p.avgPrice) * 10 * 0.001, 0);
    expect(premium).toBeGreaterThan(0);
    expect(Math.abs(strangle)).toBeLessThan(premium);

    // A fill made while the private socket is down reaches the ledger once after it reconnects (the
    // desk's catch-up reads the venue's orders: GET /v2/orders + /v2/orders/history).
    const face0 = (d.accountVenue(DEFAULT_ACCOUNT_ID) as DeltaAccountVenue).simDelta!;
    face0.fault({ kind: 'private_down', enabled: true });
    await waitFor(() => d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'reconnecting'), 5000, 'the private socket down');
    await d.activeExecution!.placeOrder({ clientOrderId: 'delta-gap-1', symbol: call, qty: '3', side: 'buy', type: 'market', timeInForce: 'gtc' });
    await new Promise((r) => setTimeout(r, 300));
    expect(store.fillsForRebuild({ accountId: 'default' })).toHaveLength(2);
    face0.fault({ kind: 'private_down', enabled: false });
    await waitFor(() => store!.fillsForRebuild({ accountId: 'default' }).length === 3, 10_000, 'the missed fill after the resync');
    await new Promise((r) => setTimeout(r, 500));
    const all = store.fillsForRebuild({ accountId: 'default' });
    expect(all).toHaveLength(3);
    expect(all[2]).toMatchObject({ symbol: call, side: 'buy', quantity: '3' });
    expect(d.positions.positions('default').find((p) => p.symbol === call)?.quantity).toBe('-7');

    // The key expires on the venue: the account's session is session_needed (the desk's streams say
    // so); the one-click re-authentication (the face's key renewal, then a restart) brings it back.
    const face = (d.accountVenue(DEFAULT_ACCOUNT_ID) as DeltaAccountVenue).simDelta!;
    face.fault({ kind: 'expire_key' });
    await waitFor(() => d.activeExecution!.sessionState() === 'session_needed', 10_000, 'session_needed');
    await waitFor(() => d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'session_needed'), 5000, 'the desk showing session_needed');
    await d.reauthenticate();
    await waitFor(() => d.activeExecution!.sessionState() === 'active' && d.snapshot().streams.some((s) => s.name === 'trade_updates' && s.state === 'running'), 10_000, 'active again');
  });
});
