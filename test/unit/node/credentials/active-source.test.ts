// Issue 13, item 9: the credentials status names the keys actually in use. With APCA_* keys in
// the environment it must not say "no credentials configured".
import { describe, expect, it } from 'vitest';
import { createDesk } from '../../../../src/node/desk';
import { ManualClock } from '../../../../src/core/ports/clock';
import { HeadlessCredentialVault, loadHeadlessCredentials } from '../../../../src/node/credentials/headless';
import { loadMarketConfig } from '../../../../src/node/config/market-config';
import type { CredentialsStatus } from '../../../../src/core/model/credentials';

const KEY = 'PKTESTKEY0000000ABCD';
const SECRET = 'sup3r-s3cret-value-never-shown';

async function status(env: Record<string, string>): Promise<CredentialsStatus> {
  const desk = createDesk({ clock: new ManualClock(Date.UTC(2026, 10, 20)), env, credentials: new HeadlessCredentialVault(loadHeadlessCredentials({ env })) });
  try {
    const r = await desk.handle('credentials.status', {});
    if (!r.ok) throw new Error(r.error.message);
    return r.result as CredentialsStatus;
  } finally {
    await desk.dispose();
  }
}

describe('credentials status: one source of truth for the active keys', () => {
  it('APCA_* keys in use are reported as such (not "no credentials configured"), by name only', async () => {
    const s = await status({ LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET });
    expect(s.detail).not.toMatch(/no credentials configured/);
    expect(s.source).toBe('environment');
    expect(s.detail).toMatch(/Alpaca keys in use: APCA_API_KEY_ID and APCA_API_SECRET_KEY \(environment\)/);
    expect(s.venues.find((v) => v.venue === 'alpaca')).toMatchObject({ stored: true, protection: 'environment' });
    expect(JSON.stringify(s)).not.toContain(SECRET);
    expect(JSON.stringify(s)).not.toContain(KEY);
  });

  it('with both APCA_* and LIVE_DESK_ALPACA_* set, it says which are in use and that they take precedence', async () => {
    const s = await status({
      LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET,
      LIVE_DESK_ALPACA_KEY_ID: 'OTHERKEY', LIVE_DESK_ALPACA_SECRET_KEY: 'other-secret',
    });
    expect(s.detail).toMatch(/^Alpaca keys in use: APCA_API_KEY_ID and APCA_API_SECRET_KEY \(environment\) \(they take precedence; also configured: credentials from the environment/);
  });

  it('APCA_* keys with the default venue (sim) are reported, and stay the keys Start would use after switching to alpaca (review #8)', async () => {
    const env = { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET };
    const desk = createDesk({ clock: new ManualClock(Date.UTC(2026, 10, 20)), env, credentials: new HeadlessCredentialVault(loadHeadlessCredentials({ env })) });
    try {
      expect(desk.config.venue).toBe('sim');
      const before = await desk.handle('credentials.status', {});
      expect(before).toMatchObject({ ok: true, result: { source: 'environment', detail: expect.stringMatching(/^Alpaca keys in use: APCA_API_KEY_ID and APCA_API_SECRET_KEY \(environment\)/) } });
      // Settings → venue alpaca (not streaming: nothing connects).
      expect(await desk.handle('settings.set', { venue: 'alpaca' })).toMatchObject({ ok: true });
      expect(desk.config.venue).toBe('alpaca');
      const after = await desk.handle('credentials.status', {});
      expect(after).toMatchObject({ ok: true, result: { source: 'environment', detail: expect.stringMatching(/^Alpaca keys in use: APCA_API_KEY_ID/) } });
      // The resolution Start uses (doStart refuses when it is null) finds the same keys; Settings shows Alpaca's endpoints.
      const active = desk['activeAlpacaCredentials']();
      expect(active).toMatchObject({ keyId: KEY, secretKey: SECRET, from: { kind: 'environment' } });
      expect(desk.endpoints()).toMatchObject({ venue: 'alpaca', env: 'paper', error: null, endpoints: expect.arrayContaining([{ key: 'tradingRest', url: 'https://paper-api.alpaca.markets', source: "Alpaca's paper default" }]) });
      expect(JSON.stringify([before, after])).not.toContain(SECRET);
    } finally {
      await desk.dispose();
    }
  });

  it('the market configuration keeps the Alpaca keys when the sim is selected; one key alone with the sim is not an error', () => {
    expect(loadMarketConfig({ APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET })).toMatchObject({ venue: 'sim', alpaca: { keyId: KEY, env: 'paper' }, alpacaKeysFrom: { kind: 'environment' } });
    expect(loadMarketConfig({ APCA_API_KEY_ID: KEY })).toEqual({ venue: 'sim' });
    expect(() => loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: KEY })).toThrow(/missing APCA_API_SECRET_KEY/);
  });

  it('the simulated venue with no keys anywhere still says none are configured', async () => {
    const s = await status({});
    expect(s.source).toBe('none');
    expect(s.detail).toMatch(/no credentials configured/);
  });

  it('the market configuration records where the keys came from (environment or the config file)', () => {
    expect(loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }).alpacaKeysFrom).toEqual({ kind: 'environment', detail: 'APCA_API_KEY_ID and APCA_API_SECRET_KEY (environment)' });
  });
});
