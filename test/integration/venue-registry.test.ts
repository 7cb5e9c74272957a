// Issue 15 item 3: one market-data port and one execution port per account, built by the registry.
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccountVenue, VENUE_BUILDERS, type AccountVenue } from '../../src/node/venues/registry';
import { defaultDeskConfig } from '../../src/node/desk';
import { defaultAccount } from '../../src/core/model/account';
import { SystemClock } from '../../src/node/system-clock';
import { silentLogger } from '../../src/core/ports/logger';

let built: AccountVenue | null = null;
afterEach(async () => {
  await built?.dispose();
  built = null;
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('venue registry', () => {
  // Issues 19/20 added SmartAPI and Delta.
  it('knows the sim, alpaca, smartapi and delta kinds (the one place a new kind is added)', () => {
    expect(Object.keys(VENUE_BUILDERS).sort()).toEqual(['alpaca', 'delta', 'sim', 'smartapi']);
  });

  it('builds separate market-data and execution ports for a sim account that share one connection', async () => {
    const account = defaultAccount('sim', null);
    built = await buildAccountVenue({ account, config: { ...defaultDeskConfig, simIntervalMs: 20 }, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random });
    const { marketData, execution } = built;
    expect(marketData).not.toBe(execution);
    expect(marketData.name).toBe('sim');
    expect(execution.accountId).toBe('default');
    expect(execution.mode).toBe('SIM');
    // Each port reports its own channels.
    expect(marketData.health().map((h) => h.name)).toEqual(['stocks', 'options']);
    expect(execution.health().map((h) => h.name)).toEqual(['trade_updates']);
    expect(execution.restHealth()).toMatchObject({ sessionRefused: false });

    const quotes: string[] = [];
    marketData.listen({ quote: (t) => quotes.push(t.symbol) });
    marketData.subscribe(['SPY']);
    await marketData.start();
    await execution.start();
    await waitFor(() => quotes.includes('SPY'), 5000, 'a SPY quote');
    await waitFor(() => execution.health()[0]!.state === 'running', 5000, 'trade_updates running');

    // Orders by client order id: the idempotency key finds the order, an unknown one is null.
    const placed = await execution.placeOrder({ clientOrderId: 'reg-test-1', symbol: 'SPY', qty: '1', side: 'buy', type: 'limit', limitPrice: '1.00', timeInForce: 'day' });
    expect(placed.clientOrderId).toBe('reg-test-1');
    expect((await execution.orderByClientId('reg-test-1'))?.id).toBe(placed.id);
    expect(await execution.orderByClientId('never-placed')).toBeNull();
    expect((await execution.openOrders()).map((o) => o.id)).toContain(placed.id);

    // Stopping one port keeps the shared connection for the other.
    await execution.stop();
    const before = quotes.length;
    await waitFor(() => quotes.length > before, 5000, 'quotes after the execution port stopped');
    await marketData.stop();
    expect(marketData.health().map((h) => h.state)).toEqual(['not_started', 'not_started']);
  });

  // Issue 18 item 2: the Alpaca adapter now reads the chain endpoint (it said "not supported" before), and the sim serves it.
  it('the sim account’s market-data port serves an option chain with the venue greeks', async () => {
    built = await buildAccountVenue({ account: defaultAccount('sim', null), config: defaultDeskConfig, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random });
    const chain = await built.marketData.optionChain('SPY', { right: 'put', strikeGte: 570, strikeLte: 575 });
    expect(chain.underlying).toBe('SPY');
    expect(chain.contracts.length).toBeGreaterThan(0);
    expect(chain.contracts.every((c) => c.right === 'put' && c.strike >= 570 && c.strike <= 575 && c.greeks?.source === 'venue' && Number(c.delta) < 0)).toBe(true);
  });

  it('refuses alpaca without keys, naming the variables', async () => {
    await expect(
      buildAccountVenue({ account: defaultAccount('alpaca', 'paper'), config: { ...defaultDeskConfig, venue: 'alpaca' }, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random }),
    ).rejects.toThrow(/APCA_API_KEY_ID/);
  });
});
