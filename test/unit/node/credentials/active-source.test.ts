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

  it('the simulated venue with no keys anywhere still says none are configured', async () => {
    const s = await status({});
    expect(s.source).toBe('none');
    expect(s.detail).toMatch(/no credentials configured/);
  });

  it('the market configuration records where the keys came from (environment or the config file)', () => {
    expect(loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET }).alpacaKeysFrom).toEqual({ kind: 'environment', detail: 'APCA_API_KEY_ID and APCA_API_SECRET_KEY (environment)' });
  });
});
