// Issue 19: the registry's SmartAPI builder — SIM accounts on the embedded NSE face (one face per
// venue name, one client code per account), LIVE needs the stored credentials, no PAPER.
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccountVenue, SimVenuePool, type AccountVenue } from '../../src/node/venues/registry';
import type { SmartApiAccountVenue } from '../../src/node/venues/smartapi/build';
import { smartApiWatchlist } from '../../src/node/venues/smartapi/build';
import { defaultDeskConfig } from '../../src/node/desk';
import { defaultAccount, type Account } from '../../src/core/model/account';
import { accountId } from '../../src/core/model/ids';
import { SystemClock } from '../../src/node/system-clock';
import { silentLogger } from '../../src/core/ports/logger';
import type { ScripMasterRecord } from '../../src/core/model/nse';
import { istDay } from '../../src/node/ledger/smartapi-master-store';

const built: AccountVenue[] = [];
afterEach(async () => {
  for (const b of built.splice(0)) await b.dispose();
});

const base = { config: { ...defaultDeskConfig, venue: 'sim-nse' as const, simIntervalMs: 50 }, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random };

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SmartAPI builder', () => {
  it('sim-nse: two accounts share one NSE face, each logged in with its own client code; instruments in lots', async () => {
    const pool = new SimVenuePool();
    const a = (await buildAccountVenue({ ...base, account: defaultAccount('sim-nse'), simVenues: pool })) as SmartApiAccountVenue;
    built.push(a);
    const other: Account = { ...defaultAccount('sim-nse'), id: accountId('nse2'), label: 'second' };
    const b = (await buildAccountVenue({ ...base, account: other, simVenues: pool })) as SmartApiAccountVenue;
    built.push(b);
    expect(a.simNse).toBe(b.simNse);
    expect(a.marketData.name).toBe('sim-nse');
    expect(a.execution.mode).toBe('SIM');
    await Promise.all([a.marketData.start(), a.execution.start(), b.execution.start()]);
    expect(a.execution.sessionState()).toBe('active');
    expect(b.execution.sessionState()).toBe('active');
    const symbols = smartApiWatchlist(a.account, Date.now());
    expect(symbols).toContain('NIFTY');
    const opt = symbols.find((s) => s.startsWith('BANKNIFTY') && s.endsWith('CE'))!;
    expect(a.marketData.instrument(opt)).toMatchObject({ lotSize: 30, currency: { code: 'INR' } });
    a.marketData.subscribe(['NIFTY', opt]);
    await until('feed connected', () => a.simNse!.connections('feed', 'SIMNSE01') === 1 && a.simNse!.connections('order', 'SIMNSE-nse2') === 1);
    expect(a.marketData.health().map((h) => h.name)).toEqual(['feed-1']);
    expect(a.execution.health().map((h) => h.name)).toEqual(['order_updates']);
    // the one-click re-login after the daily expiry
    a.simNse!.fault({ kind: 'expire_session', clientCode: 'SIMNSE01' });
    await until('session_needed', () => a.execution.sessionState() === 'session_needed');
    expect(b.execution.sessionState()).toBe('active');
    await a.execution.reauthenticate();
    expect(a.execution.sessionState()).toBe('active');
  }, 15_000);

  it("hands the desk's master cache to the venue: downloaded and saved once, the next start of the day loads it from the cache", async () => {
    let saved: { records: ScripMasterRecord[]; fetchedDay: string; source: string } | null = null;
    let saves = 0;
    const cache = {
      load: () => saved,
      save: (records: readonly ScripMasterRecord[], source: string, at: number) => {
        saves++;
        saved = { records: [...records], source, fetchedDay: istDay(at) };
      },
    };
    const pool = new SimVenuePool();
    const a = (await buildAccountVenue({ ...base, account: defaultAccount('sim-nse'), simVenues: pool, smartApiMasterCache: cache })) as SmartApiAccountVenue;
    built.push(a);
    await a.marketData.start();
    expect(saves).toBe(1);
    expect(saved!.records.length).toBeGreaterThan(10);
    // another start the same day (here: another account's venue on the same face, so the master's URL is the same)
    const again = (await buildAccountVenue({ ...base, account: { ...defaultAccount('sim-nse'), id: accountId('nse2'), label: 'second' }, simVenues: pool, smartApiMasterCache: cache })) as SmartApiAccountVenue;
    built.push(again);
    await again.marketData.start();
    expect(saves).toBe(1); // today's master came from the cache
    const opt = smartApiWatchlist(again.account, Date.now()).find((x) => x.startsWith('NIFTY') && x.endsWith('PE'))!;
    expect(again.marketData.instrument(opt)).toMatchObject({ lotSize: 65 });
  }, 15_000);

  it('LIVE without stored credentials is refused with what to set; PAPER is refused (no paper environment)', async () => {
    await expect(buildAccountVenue({ ...base, account: defaultAccount('smartapi'), credentials: () => null })).rejects.toThrow(/no credentials.*LIVE_DESK_SMARTAPI_TOTP_SECRET/);
    await expect(buildAccountVenue({ ...base, account: { ...defaultAccount('smartapi'), mode: 'PAPER' } })).rejects.toThrow(/no paper environment/);
  });
});
