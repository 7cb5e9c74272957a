import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeMarketConfig, loadMarketConfig } from '../../../../src/node/config/market-config';

const dir = mkdtempSync(join(tmpdir(), 'live-desk-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown): string {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

describe('loadMarketConfig', () => {
  it('defaults to the simulated venue with nothing set', () => {
    expect(loadMarketConfig({})).toEqual({ venue: 'sim' });
    expect(loadMarketConfig({ LIVE_DESK_SIM_PORT: '47001' })).toEqual({ venue: 'sim', simPort: 47001 });
    expect(() => loadMarketConfig({ LIVE_DESK_SIM_PORT: '70000' })).toThrow(/LIVE_DESK_SIM_PORT/);
  });

  it('selects Alpaca from env with credentials, feeds and paper/live', () => {
    const c = loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: 'PKABCD1234', APCA_API_SECRET_KEY: 'shh', LIVE_DESK_STOCK_FEED: 'sip', LIVE_DESK_OPTIONS_FEED: 'opra', APCA_API_BASE_URL: 'https://api.alpaca.markets' });
    expect(c.alpaca).toEqual({ keyId: 'PKABCD1234', secretKey: 'shh', env: 'live', stockFeed: 'sip', optionFeed: 'opra', tradeUpdatesAuth: 'legacy' });
    expect(JSON.stringify(describeMarketConfig(c))).not.toContain('shh');
    expect(JSON.stringify(describeMarketConfig(c))).not.toContain('PKABCD1234');
  });

  it('reads the JSON file, and env wins over it', () => {
    const p = file({ venue: 'alpaca', staleAfterMs: 3000, watchlist: ['SPY'], alpaca: { keyId: 'FILEKEY', secretKey: 'FILESECRET', env: 'paper', optionFeed: 'opra' }, streams: { dataTimeoutMs: 30000 } });
    const c = loadMarketConfig({ LIVE_DESK_CONFIG: p, APCA_API_KEY_ID: 'ENVKEY', LIVE_DESK_STALE_MS: '2000' });
    expect(c).toMatchObject({ venue: 'alpaca', staleAfterMs: 2000, watchlist: ['SPY'], streams: { dataTimeoutMs: 30000 } });
    expect(c.alpaca).toMatchObject({ keyId: 'ENVKEY', secretKey: 'FILESECRET', optionFeed: 'opra', env: 'paper' });
  });

  it('names what is wrong and where', () => {
    expect(() => loadMarketConfig({ LIVE_DESK_VENUE: 'robinhood' })).toThrow(/LIVE_DESK_VENUE/);
    expect(() => loadMarketConfig({ LIVE_DESK_STALE_MS: '-3' })).toThrow(/LIVE_DESK_STALE_MS/);
    expect(() => loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca' })).toThrow(/APCA_API_KEY_ID .* and APCA_API_SECRET_KEY/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ alpaca: { stockFeed: 'nasdaq' } }) })).toThrow(/alpaca\.stockFeed/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ venu: 'sim' }) })).toThrow(/venu/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file('{oops') })).toThrow(/not valid JSON/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: join(dir, 'missing.json') })).toThrow(ConfigError);
  });
});
