// The per-account venue lifecycle on its own (app/account-supervisor.ts), over fake ports from a
// fake VenueFactory: market data shared by venue name, subscription deltas and the REST refresh
// routed to the source owning each instrument, another account failing to start being that
// account's error only, order updates reported with their account, accounts persisted by mode.
// (The desk's own tests drive it end to end over real sockets.)
import { describe, expect, it } from 'vitest';
import { AccountSupervisor, type SupervisorListeners } from '../../../../src/node/app/account-supervisor';
import { QuoteCache } from '../../../../src/core/market/quote-cache';
import type { Quote } from '../../../../src/core/market/quote';
import { ManualClock } from '../../../../src/core/ports/clock';
import { silentLogger } from '../../../../src/core/ports/logger';
import { accountId, instrumentId, type InstrumentId } from '../../../../src/core/model/ids';
import type { Account } from '../../../../src/core/model/account';
import type { Instrument } from '../../../../src/core/model/instrument';
import type { MarketDataPort } from '../../../../src/core/ports/market-data';
import type { ExecutionPort, ExecutionListeners } from '../../../../src/core/ports/execution';
import type { OrderUpdate } from '../../../../src/core/ports/venue';
import type { AccountRow } from '../../../../src/core/ports/ledger-store';
import { defaultDeskConfig, type DeskConfig } from '../../../../src/node/config/desk-config';
import type { VenueRequest, VenueRun } from '../../../../src/node/compose';

const SIM2: Account = { id: accountId('sim2'), label: 'Second simulator', venue: 'sim', mode: 'SIM', credentialsRef: null, venueName: 'sim2' };
const SIM3: Account = { id: accountId('sim3'), label: 'Third, same venue name as the default', venue: 'sim', mode: 'SIM', credentialsRef: null };

interface FakeMarketData {
  port: MarketDataPort;
  subscribed: string[][];
  unsubscribed: string[][];
  asked: string[][];
  started: number;
}

function fakeVenue(req: VenueRequest, opts: { failStart?: string; latest?: (symbols: readonly string[]) => Promise<Quote[]> } = {}) {
  const name = req.account.venueName ?? req.account.venue;
  const md: FakeMarketData = { port: null as unknown as MarketDataPort, subscribed: [], unsubscribed: [], asked: [], started: 0 };
  md.port = {
    name,
    kind: req.account.venue,
    // Each fake venue knows the symbols its kind's records would hold (a SmartAPI master: NIFTY…; the Alpaca protocol: anything it can read).
    instrument: (symbol: string) => (req.account.venue === 'smartapi' ? (symbol.startsWith('NIFTY') ? { symbol, venue: name, kind: 'nse' } : null) : { symbol, venue: name, kind: 'alpaca-reading' }) as unknown as Instrument,
    start: async () => {
      md.started++;
    },
    stop: async () => {},
    subscribe: (s: readonly string[]) => void md.subscribed.push([...s]),
    unsubscribe: (s: readonly string[]) => void md.unsubscribed.push([...s]),
    subscribedSymbols: () => [],
    listen: () => () => {},
    latestQuotes: (symbols: readonly string[]) => {
      md.asked.push([...symbols]);
      return opts.latest ? opts.latest(symbols) : Promise.resolve(symbols.map((s) => ({ instrument: instrumentId(name, s), symbol: s }) as Quote));
    },
    health: () => [],
  } as unknown as MarketDataPort;
  const exec: { listeners: Partial<ExecutionListeners>[] } = { listeners: [] };
  const execution = {
    accountId: req.account.id,
    start: async () => {
      if (opts.failStart) throw new Error(opts.failStart);
    },
    stop: async () => {},
    listen: (l: Partial<ExecutionListeners>) => {
      exec.listeners.push(l);
      return () => {};
    },
    sessionState: () => 'active',
    health: () => [],
    restHealth: () => null,
  } as unknown as ExecutionPort;
  let disposed = 0;
  const run: VenueRun = { account: req.account, marketData: md.port, execution, sim: null, dispose: async () => void disposed++ };
  return { run, md, exec, disposed: () => disposed };
}

function setup(accounts: Account[], opts: { failStart?: Record<string, string>; latest?: Record<string, (s: readonly string[]) => Promise<Quote[]>> } = {}) {
  const clock = new ManualClock(1_000_000);
  const cache = new QuoteCache(clock);
  const venues = new Map<string, ReturnType<typeof fakeVenue>>();
  const heard = { orders: [] as [string, string][], health: 0, failed: [] as [string, string][] };
  const listeners: SupervisorListeners = {
    orderUpdate: (a, u) => void heard.orders.push([a.id, u.order.id]),
    health: () => void heard.health++,
    accountFailed: (a, m) => void heard.failed.push([a.id, m]),
  };
  const persisted: [string, string][] = [];
  let streaming = true;
  const config: DeskConfig = { ...defaultDeskConfig, watchlist: ['SPY'] };
  const sup = new AccountSupervisor({
    clock,
    logger: silentLogger,
    random: () => 0.5,
    venues: async (req) => {
      const v = fakeVenue(req, { ...(opts.failStart?.[req.account.id] ? { failStart: opts.failStart[req.account.id] } : {}), ...(opts.latest?.[req.account.id] ? { latest: opts.latest[req.account.id] } : {}) });
      venues.set(req.account.id, v);
      return v.run;
    },
    cache,
    config: () => config,
    isStreaming: () => streaming,
    alpacaCredentials: () => null,
    needed: () => [],
    watchlistOf: () => ['QQQ'],
    killSwitchLevel: () => 'active',
    accounts,
    accountLedger: {
      upsertAccount: (row, at) => {
        persisted.push([row.accountId, row.mode]);
        return { ...row, killSwitch: 'active', createdAt: at, updatedAt: at } as AccountRow;
      },
    },
    listeners,
  });
  return { sup, cache, venues, heard, persisted, clock, stop: () => (streaming = false) };
}

async function startAll(sup: AccountSupervisor): Promise<void> {
  await sup.attachDefault();
  await sup.startAll();
}

describe('AccountSupervisor', () => {
  // Issues 19/20: a symbol's instrument (lot size, contract value) comes from the venue that holds its records.
  it("resolves a symbol's instrument through the running sources, SmartAPI/Delta records before the Alpaca protocol's reading", async () => {
    const NSE: Account = { id: accountId('nse'), label: 'NSE sim', venue: 'smartapi', mode: 'SIM', credentialsRef: null, venueName: 'sim-nse' };
    const { sup } = setup([NSE]);
    expect(sup.instrumentOf('NIFTY07NOV2424250PE')).toBeNull(); // nothing running: no venue knows it
    await startAll(sup);
    expect(sup.instrumentOf('NIFTY07NOV2424250PE')).toMatchObject({ venue: 'sim-nse', kind: 'nse' });
    // A symbol the master lacks falls to the Alpaca protocol's venue ('sim', the default account's).
    expect(sup.instrumentOf('SPY')).toMatchObject({ venue: 'sim', kind: 'alpaca-reading' });
  });

  it('routes each subscription delta to the source owning the instrument, one source per venue name', async () => {
    const { sup, cache, venues } = setup([SIM2, SIM3]);
    await startAll(sup);
    expect(sup.sourceCount).toBe(2); // 'sim' (default; sim3 shares it) and 'sim2'
    const sim = venues.get('default')!.md;
    const sim2 = venues.get('sim2')!.md;
    const sim3 = venues.get('sim3')!.md;
    expect(sim3.started).toBe(0); // sim3's market data is not a source: the default's port feeds 'sim'
    sim.subscribed.length = 0;
    sim2.subscribed.length = 0;
    cache.replaceSubscriptions('test', [instrumentId('sim', 'AAPL'), instrumentId('sim2', 'MSFT')]);
    expect(sim.subscribed).toEqual([['AAPL']]);
    expect(sim2.subscribed).toEqual([['MSFT']]);
    expect(sim3.subscribed).toEqual([]);
    cache.replaceSubscriptions('test', []);
    expect(sim.unsubscribed).toEqual([['AAPL']]);
    expect(sim2.unsubscribed).toEqual([['MSFT']]);
  });

  it("plans another source from its own watchlist (the default account's plan is the desk's)", async () => {
    const { sup, cache } = setup([SIM2]);
    await startAll(sup);
    const ids = cache.subscribedInstruments();
    expect(ids).toContain(instrumentId('sim2', 'SPY')); // the configured watchlist wins over watchlistOf
    expect(ids.filter((i) => i.startsWith('sim:'))).toEqual([]);
  });

  it('asks each source only for its own instruments; one failing leaves the others, all failing throws', async () => {
    const fails = (_: readonly string[]): Promise<Quote[]> => Promise.reject(new Error('sim2 REST down'));
    const { sup, venues } = setup([SIM2], { latest: { sim2: fails } });
    await startAll(sup);
    const want: InstrumentId[] = [instrumentId('sim', 'SPY'), instrumentId('sim2', 'SPY'), instrumentId('sim2', 'QQQ')];
    const got = await sup.latestQuotes(want);
    expect(venues.get('default')!.md.asked).toEqual([['SPY']]);
    expect(venues.get('sim2')!.md.asked).toEqual([['SPY', 'QQQ']]);
    expect(got.map((q) => q.instrument)).toEqual([instrumentId('sim', 'SPY')]);
    await expect(sup.latestQuotes([instrumentId('sim2', 'SPY')])).rejects.toThrow('sim2 REST down');
  });

  it("another account failing to start is that account's error; the default streams on", async () => {
    const { sup, venues, heard } = setup([SIM2], { failStart: { sim2: 'sim2 refused the session' } });
    await startAll(sup);
    expect(heard.failed).toEqual([['sim2', 'sim2 refused the session']]);
    expect(venues.get('sim2')!.disposed()).toBe(1);
    expect(sup.venueOf(SIM2.id)).toBeNull();
    expect(sup.venueOf(accountId('default'))).not.toBeNull();
    expect(sup.sourceCount).toBe(1); // its market data no longer feeds the cache
    const rows = sup.rows(1_000_000);
    expect(rows.filter((r) => r.accountId === 'sim2').every((r) => r.state === 'error' && r.lastError === 'sim2 refused the session')).toBe(true);
    expect(sup.accountsWire().map((a) => [a.id, a.running])).toEqual([
      ['default', true],
      ['sim2', false],
    ]);
  });

  it('reports order updates with their account and disposes every venue at Stop', async () => {
    const { sup, venues, heard } = setup([SIM2]);
    await startAll(sup);
    const update = (id: string) => ({ event: 'new', order: { id }, receivedAt: 0 }) as unknown as OrderUpdate;
    venues.get('sim2')!.exec.listeners[0]!.orderUpdate!(update('o-2'));
    venues.get('default')!.exec.listeners[0]!.orderUpdate!(update('o-1'));
    expect(heard.orders).toEqual([
      ['sim2', 'o-2'],
      ['default', 'o-1'],
    ]);
    await sup.stopAll();
    expect(venues.get('default')!.disposed()).toBe(1);
    expect(venues.get('sim2')!.disposed()).toBe(1);
    expect(sup.sourceCount).toBe(0);
    expect(sup.venueOf(SIM2.id)).toBeNull();
  });

  it('does not start another account once streaming stopped, and persists every held account by mode', async () => {
    const { sup, venues, persisted, stop } = setup([SIM2]);
    sup.persistAccounts();
    expect(persisted).toEqual([
      ['default', 'sim'],
      ['sim2', 'sim'],
    ]);
    await sup.attachDefault();
    stop();
    await sup.startAll();
    expect(venues.has('sim2')).toBe(false);
  });
});
