// The registry's Delta builder: LIVE → Delta India with the stored key, PAPER → the testnet, no key →
// refused with what to do; SIM → the Delta face from the sim pool (no credentials, a key per
// account); re-authentication without fresh credentials reads the stored ones again.
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccountVenue, SimVenuePool, type AccountVenue } from '../../../../../src/node/venues/registry';
import { defaultDeskConfig } from '../../../../../src/node/desk';
import { defaultAccount } from '../../../../../src/core/model/account';
import { SystemClock } from '../../../../../src/node/system-clock';
import { silentLogger } from '../../../../../src/core/ports/logger';
import { DELTA_URLS } from '../../../../../src/node/venues/delta/venue';
import { deltaWatchlist, type DeltaAccountVenue } from '../../../../../src/node/venues/delta/build';
import type { VenueCredentials } from '../../../../../src/core/model/credentials';
import { exchangeOfAccount } from '../../../../../src/node/app/monitor/monitor-service';
import { whyNotNow } from '../../../../../src/core/monitor/session-hours';
import { Secret } from '../../../../../src/core/model/secret';

let built: AccountVenue | null = null;
afterEach(async () => {
  await built?.dispose();
  built = null;
});

const base = { config: { ...defaultDeskConfig, simIntervalMs: 100 }, alpacaCredentials: null, clock: new SystemClock(), logger: silentLogger, random: Math.random };

describe('buildDelta', () => {
  it('LIVE without a stored key is refused, naming where to store one', async () => {
    await expect(buildAccountVenue({ ...base, account: defaultAccount('delta', { delta: 'live' }), credentials: () => null })).rejects.toThrow(/Delta \(live\) needs an API key and secret.*LIVE_DESK_DELTA_API_KEY/);
  });

  it('LIVE → Delta India, PAPER → the India testnet; re-authentication reads the stored key again', async () => {
    // The vault's values are Secrets (revealed only where they go to the venue).
    const keys = (k: string, sec: string) => ({ apiKey: new Secret(k), apiSecret: new Secret(sec) }) as unknown as VenueCredentials;
    let stored: VenueCredentials | null = keys('K1', 'S1');
    const live = (await buildAccountVenue({ ...base, account: defaultAccount('delta', { delta: 'live' }), credentials: (venue) => (venue === 'delta' ? stored : null) })) as DeltaAccountVenue;
    built = live;
    expect(live.connection.urls).toEqual(DELTA_URLS.india);
    expect(live.execution.mode).toBe('LIVE');
    expect(live.marketData.kind).toBe('delta');
    expect(live.connection.apiKey).toBe('K1');
    stored = keys('K2', 'S2');
    await live.execution.reauthenticate();
    expect(live.connection.apiKey).toBe('K2');
    await live.dispose();
    const paper = (await buildAccountVenue({ ...base, account: defaultAccount('delta', { delta: 'testnet' }), credentials: () => stored })) as DeltaAccountVenue;
    built = paper;
    expect(paper.connection.urls).toEqual(DELTA_URLS['india-testnet']);
    expect(paper.execution.mode).toBe('PAPER');
  });

  it('SIM → the sim pool’s Delta face, products as instruments, the default watchlist listed by the face', { timeout: 10_000 }, async () => {
    const pool = new SimVenuePool();
    const account = defaultAccount('sim-delta');
    const v = (await buildAccountVenue({ ...base, account, simVenues: pool })) as DeltaAccountVenue;
    built = v;
    expect(v.marketData.name).toBe('sim-delta');
    expect(v.simDelta).not.toBeNull();
    expect(pool.face('sim-delta')).toBe(v.simDelta);
    await v.marketData.start();
    const watch = deltaWatchlist(account, Date.now());
    expect(watch).toHaveLength(16);
    for (const s of watch) expect(v.marketData.instrument(s)).toMatchObject({ symbol: s, venue: 'delta', kind: 'option' });
    expect(v.marketData.instrument('BTCUSD')).toBeNull();
  });

  it('24/7: a Delta account’s monitoring cycle has no hours gate (exchange DELTA), also on a Sunday night and after the NYSE close', () => {
    const account = defaultAccount('delta', { delta: 'live' });
    expect(exchangeOfAccount(account)).toBe('DELTA');
    for (const at of ['2026-12-06T23:30:00Z', '2026-12-07T21:05:00Z', '2026-12-25T03:00:00Z']) expect(whyNotNow('DELTA', Date.parse(at))).toBeNull();
    expect(whyNotNow('NYSE', Date.parse('2026-12-06T23:30:00Z'))).not.toBeNull();
  });
});
