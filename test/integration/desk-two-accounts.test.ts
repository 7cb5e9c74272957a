// Issue 15, "Done when": two accounts on two simulated venues at once, the same symbol on both —
// two separate quotes (cache and snapshot), two separate positions each valued from its own venue's
// quote, two separate sets of health records, and Stop stopping both. A real desk over loopback:
// the default account on the `sim` venue (config.seed), the accounts-file account `sim2` on its own
// simulated venue `sim2` (a seed derived from the venue name, its own server on an ephemeral port:
// one server per venue name, shared only by accounts of the same name — test/integration/sim-accounts.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { accountId, instrumentId } from '../../src/core/model/ids';
import type { Account } from '../../src/core/model/account';
import type { AccountWire, StreamHealthWire } from '../../src/shared/contract';
import { waitFor } from '../helpers/desk-wait';

const SIM2: Account = { id: accountId('sim2'), label: 'Second simulator', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim2' };
const SIM_SPY = instrumentId('sim', 'SPY');
const SIM2_SPY = instrumentId('sim2', 'SPY');

let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
});

async function accounts(d: Desk): Promise<AccountWire[]> {
  const r = await d.handle('accounts.list', {});
  if (!r.ok) throw new Error(r.error.message);
  return (r.result as { accounts: AccountWire[] }).accounts;
}

const rowsOf = (streams: StreamHealthWire[], account: string) => streams.filter((s) => s.accountId === account).map((s) => [s.name, s.state]);
const mid = (q: { bid: number | null; ask: number | null } | undefined) => (q && q.bid !== null && q.ask !== null ? (q.bid + q.ask) / 2 : null);

describe('two accounts on two simulated venues at once', () => {
  it('shows two quotes, two positions valued each from its own venue, two sets of health records; Stop stops both', { timeout: 20_000 }, async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, config: { simIntervalMs: 20, watchlist: ['SPY'] }, accounts: [SIM2] });
    const d = desk;
    await d.start();
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'both accounts running');

    // Two sim servers, two seeds, one symbol: two quotes, keyed by venue.
    const mainVenue = d.accountVenue(accountId('default'));
    const otherVenue = d.accountVenue(accountId('sim2'));
    expect(mainVenue?.sim).toBeTruthy();
    expect(otherVenue?.sim).toBeTruthy();
    expect(otherVenue!.sim!.urls().tradingRest).not.toBe(mainVenue!.sim!.urls().tradingRest);
    expect(otherVenue!.marketData.name).toBe('sim2');
    await waitFor(() => d.cache.get(SIM_SPY) !== undefined && d.cache.get(SIM2_SPY) !== undefined, 5000, 'SPY quoted by both venues');
    const spyQuotes = d.snapshot().quotes.filter((q) => q.symbol === 'SPY');
    expect(spyQuotes.map((q) => q.instrument).sort()).toEqual(['sim2:SPY', 'sim:SPY']);
    // Different seeds: different prices (both walks start at the symbol's reference price and part at their first steps).
    await waitFor(() => mid(d.cache.get(SIM_SPY)) !== mid(d.cache.get(SIM2_SPY)), 5000, 'the two venues pricing SPY differently');

    // One market order on each account's own venue: each fill arrives on that account's order updates.
    await mainVenue!.execution.placeOrder({ clientOrderId: 'two-acc-main', symbol: 'SPY', qty: '10', side: 'buy', type: 'market', timeInForce: 'day' });
    await otherVenue!.execution.placeOrder({ clientOrderId: 'two-acc-sim2', symbol: 'SPY', qty: '3', side: 'buy', type: 'market', timeInForce: 'day' });
    const byId = (id: string) => d.snapshot().positions.find((p) => p.position_id === id);
    await waitFor(() => byId('venue:SPY') !== undefined && byId('sim2:SPY') !== undefined, 5000, 'a position on each account');
    const mainPos = byId('venue:SPY')!;
    const otherPos = byId('sim2:SPY')!;
    expect([mainPos.instrument_id, mainPos.quantity_remaining]).toEqual(['sim:SPY', '10']);
    expect([otherPos.instrument_id, otherPos.quantity_remaining]).toEqual(['sim2:SPY', '3']);
    // Both simulators number their orders and executions alike: the other account's ids carry its id.
    // A fill is named by its venue order and the order's cumulative filled quantity after it (issue 16:
    // the key the stream and a REST catch-up agree on). (sorted: two sockets, either order)
    expect(d.snapshot().fills.map((f) => [f.fill_id, f.order_id, f.rejected]).sort()).toEqual([
      ['sim-00000001@10', 'sim-00000001', null],
      ['sim2:sim-00000001@3', 'sim2:sim-00000001', null],
    ]);
    expect(d.snapshot().orders.map((o) => [o.order_id, o.client_order_id, o.status]).sort()).toEqual([
      ['sim-00000001', 'two-acc-main', 'filled'],
      ['sim2:sim-00000001', 'two-acc-sim2', 'filled'],
    ]);

    // Each valued from its own venue's quote (read at one instant: no quote lands in between).
    const now = Date.now();
    const mainLive = d.live.tracker.position(mainPos.key, now)!;
    const otherLive = d.live.tracker.position(otherPos.key, now)!;
    expect(mainLive.mark).toBeCloseTo(mid(d.cache.get(SIM_SPY))!, 6);
    expect(otherLive.mark).toBeCloseTo(mid(d.cache.get(SIM2_SPY))!, 6);
    expect(mainLive.mark).not.toBe(otherLive.mark);
    // Both count in the desk's totals (one currency, both known).
    expect(d.snapshot().pnl.trades.map((t) => t.position_id).sort()).toEqual(['sim2:SPY', 'venue:SPY']);

    // Two sets of health records, each naming its account; both accounts running with their own session.
    const streams = d.snapshot().streams;
    expect(rowsOf(streams, 'default')).toEqual([
      ['stocks', 'running'],
      ['options', 'running'],
      ['trade_updates', 'running'],
      ['rest', 'running'],
    ]);
    expect(rowsOf(streams, 'sim2')).toEqual(rowsOf(streams, 'default'));
    expect((await accounts(d)).map((a) => [a.id, a.venue_name, a.running, a.session])).toEqual([
      ['default', 'sim', true, 'active'],
      ['sim2', 'sim2', true, 'active'],
    ]);

    // Re-authentication is per account: sim2's streams restart, the default account's do not.
    const connectedAt = (account: string) => d.snapshot().streams.find((s) => s.accountId === account && s.name === 'stocks')!.connectedAt;
    const [mainSince, otherSince] = [connectedAt('default'), connectedAt('sim2')];
    expect(await d.handle('session.reauthenticate', { account: 'sim2' })).toEqual({ ok: true, result: { reauthenticating: true, venue: 'sim' } });
    expect(await d.handle('session.reauthenticate', { account: 'nobody' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/holds no such account/) } });
    await waitFor(() => { const t = connectedAt('sim2'); return typeof t === 'number' && t !== otherSince; }, 8000, 'sim2 reconnected after re-authentication');
    await waitFor(() => d.snapshot().streams.every((s) => s.state === 'running'), 8000, 'both accounts running after sim2 re-authenticated');
    expect(connectedAt('default')).toBe(mainSince);

    // Stop stops both: no venue left, both servers closed, every row not_started.
    const urls = [mainVenue!.sim!.urls().tradingRest, otherVenue!.sim!.urls().tradingRest];
    await d.stop();
    expect(d.accountVenue(accountId('default'))).toBeNull();
    expect(d.accountVenue(accountId('sim2'))).toBeNull();
    expect((await accounts(d)).map((a) => [a.id, a.running])).toEqual([
      ['default', false],
      ['sim2', false],
    ]);
    expect(d.snapshot().streams.every((s) => s.state === 'not_started')).toBe(true);
    for (const url of urls) await expect(fetch(`${url}/__sim/state`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('a fill given with an account context is that account’s position, valued at its venue; an unknown account is refused', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, accounts: [SIM2] });
    const fill = { fill_id: 'f-1', position_id: 'sim2:AAPL', symbol: 'AAPL', side: 'BUY' as const, quantity: '2', price: '150', time: Date.now() };
    expect(desk.applyFill(fill, { account: accountId('sim2') })).toEqual({ ok: true });
    expect(desk.applyFill({ ...fill, fill_id: 'f-2', position_id: 'venue:AAPL' })).toEqual({ ok: true });
    expect(desk.snapshot().positions.map((p) => [p.position_id, p.instrument_id])).toEqual([
      ['sim2:AAPL', 'sim2:AAPL'],
      ['venue:AAPL', 'sim:AAPL'],
    ]);
    // The tracker needs the same symbol at both venues.
    expect(desk.live.tracker.neededInstruments()).toEqual(['sim2:AAPL', 'sim:AAPL']);
    expect(desk.applyFill({ ...fill, fill_id: 'f-3' }, { account: accountId('nobody') })).toEqual({ ok: false, reason: 'fill f-3: the desk holds no account nobody' });
  });
});
