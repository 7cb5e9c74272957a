// Manual exits (issue 16 item 7) end to end: the trading service's exit runner drives the order
// gateway over the real Alpaca adapter against the simulated venue (loopback). The account holds a
// short (AAPL) and a long (SPY): "close all" buys the short back first, and sells the long only once
// that leg is filled (each leg's limit at mid fills at the touch on the sim's penny-wide quotes; the
// ladder's steps and market fallback are unit-tested in test/unit/core/orders/exit-run.test.ts); the
// venue ends flat, and every exit order is journaled with origin `exit`.
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from '../market/fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';
import { QTY_DP, parseScaled } from '../../../src/core/model/money';
import type { Account } from '../../../src/core/model/account';
import { MemoryOrderJournal } from '../../../src/core/ports/order-journal';
import { silentLogger } from '../../../src/core/ports/logger';
import { SystemClock } from '../../../src/node/system-clock';
import { TradingService } from '../../../src/node/app/trading/trading-service';
import type { AccountPositions, LedgerPositionView } from '../../../src/node/app/trading/ports';
import type { VenueRun } from '../../../src/node/compose';
import type { UnsequencedEvent } from '../../../src/shared/contract';

let current: Rig | null = null;
let service: TradingService | null = null;
afterEach(async () => {
  service?.dispose();
  service = null;
  await current?.close();
  current = null;
});

const ACCOUNT: Account = { id: accountId('default'), label: 'Simulated', venue: 'sim', mode: 'SIM', credentialsRef: null };

describe('manual exit against the simulated venue', () => {
  it('close all: the short bought back first, then the long sold; the venue ends flat; every order journaled with origin exit', { timeout: 20_000 }, async () => {
    const r = (current = await rig({ sim: { restRequestsPerMinute: 10_000_000, intervalMs: 20 }, venue: { restRequestsPerMinute: 10_000_000 }, symbols: ['SPY', 'AAPL'] }));
    const { execution } = alpacaPorts(r.venue, ACCOUNT.id, 'sim');
    await execution.start();
    await waitFor(() => r.stream('trade_updates').state === 'running', 5000, 'trade_updates running');
    // The account's positions: long 3 SPY, short 2 AAPL (at the venue, and as the account fills would report them).
    await execution.placeOrder({ clientOrderId: 'setup-spy', symbol: 'SPY', qty: '3', side: 'buy', type: 'market', timeInForce: 'day' });
    await execution.placeOrder({ clientOrderId: 'setup-aapl', symbol: 'AAPL', qty: '2', side: 'sell', type: 'market', timeInForce: 'day' });
    await waitFor(() => r.orders.filter((u) => u.event === 'fill').length === 2, 5000, 'the setup filled');
    const view = (symbol: string, quantity: string): LedgerPositionView => ({ account: 'default', symbol, quantity, avgPrice: null, realized: '0', unrealized: null, fees: '0', multiplier: '1' });
    const held = [view('SPY', '3'), view('AAPL', '-2')];
    const positions: AccountPositions = {
      signedQuantity: (_a, s) => parseScaled(held.find((p) => p.symbol === s)?.quantity ?? '0', QTY_DP),
      positions: () => held,
      adoptBroker: () => undefined,
      whenSynced: () => Promise.resolve(),
      catchUp: () => Promise.resolve(),
    };
    const journal = new MemoryOrderJournal();
    const events: UnsequencedEvent[] = [];
    const clock = new SystemClock();
    service = new TradingService({
      clock,
      logger: silentLogger,
      journal,
      killSwitch: { levelOf: () => 'active' },
      accounts: () => [ACCOUNT],
      positions: () => positions,
      reconciliation: () => null,
      publish: (e) => events.push(e),
      node: () => 'x',
      quote: (_a, symbol) => {
        const last = r.quotes.filter((q) => q.symbol === symbol).at(-1);
        return last ? { bid: last.bid, ask: last.ask, fresh: Date.now() - last.receivedAt < 1000 } : null;
      },
      subscribe: () => undefined,
      structures: () => [],
      exitConfig: { steps: 1, retryDelayMs: 150 },
      exitTickMs: 25,
    });
    const s = service;
    execution.listen({ orderUpdate: (u) => s.orderUpdate(ACCOUNT, u) });
    await s.accountStarted(ACCOUNT, { account: ACCOUNT, execution, marketData: {}, sim: r.sim, dispose: () => Promise.resolve() } as unknown as VenueRun);
    s.setMode('default', 'trade', undefined);

    const started = await s.exit('default', { kind: 'all' });
    expect(started.legs.map((l) => [l.symbol, l.side, l.quantity, l.phase])).toEqual([
      ['AAPL', 'buy', '2', 1],
      ['SPY', 'sell', '3', 2],
    ]);
    await waitFor(() => s.exitList()[0]?.status !== 'working', 10_000, 'the exit to end');
    const done = s.exitList()[0]!;
    expect(done.status).toBe('done');
    expect(done.legs.map((l) => [l.symbol, l.status, l.filled_quantity])).toEqual([
      ['AAPL', 'filled', '2'],
      ['SPY', 'filled', '3'],
    ]);
    for (const l of done.legs) expect(l.attempts).toBeGreaterThanOrEqual(1);

    // The venue is flat; every exit order is journaled with origin `exit`.
    const venuePositions = await execution.positions();
    expect(venuePositions.filter((p) => Number(p.qty) !== 0)).toEqual([]);
    const orders = s.list({ account: 'default' });
    expect(orders.length).toBeGreaterThanOrEqual(2);
    expect(new Set(orders.map((o) => o.origin))).toEqual(new Set(['exit']));
    // Shorts first: every AAPL exit order was created before any SPY one, and the last AAPL one was filled before.
    const aapl = orders.filter((o) => o.symbol === 'AAPL');
    const spy = orders.filter((o) => o.symbol === 'SPY');
    const firstSpy = Math.min(...spy.map((o) => o.created_at));
    expect(Math.max(...aapl.map((o) => o.created_at))).toBeLessThanOrEqual(firstSpy);
    const aaplFilledAt = journal.events(aapl.find((o) => o.status === 'filled')!.client_order_id).find((e) => e.toStatus === 'filled')!;
    expect(aaplFilledAt.at).toBeLessThanOrEqual(firstSpy);
    expect(events.some((e) => e.type === 'trading_event' && e.exits[0]?.status === 'done')).toBe(true);
  });
});
