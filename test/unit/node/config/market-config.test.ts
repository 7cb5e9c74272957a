import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeMarketConfig, loadMarketConfig, resolveAlpacaEndpoints } from '../../../../src/node/config/market-config';

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
    // APCA_API_BASE_URL is the trading endpoint (as in Alpaca's SDKs), not only a paper/live hint
    expect(c.alpaca).toEqual({
      keyId: 'PKABCD1234',
      secretKey: 'shh',
      env: 'live',
      envSource: 'inferred from APCA_API_BASE_URL',
      stockFeed: 'sip',
      optionFeed: 'opra',
      tradeUpdatesAuth: 'legacy',
      urls: { tradingRest: 'https://api.alpaca.markets', tradingStream: 'wss://api.alpaca.markets/stream' },
      urlSources: { tradingRest: 'APCA_API_BASE_URL', tradingStream: 'derived from APCA_API_BASE_URL' },
    });
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
    expect(() => loadMarketConfig({ LIVE_DESK_VENUE: 'robinhood' })).toThrow(/LIVE_DESK_VENUE: must be one of sim, sim-nse, sim-delta, alpaca, smartapi, delta/);
    // Issues 19/20: the simulated NSE / crypto faces are one setting away, with no credentials.
    expect(loadMarketConfig({ LIVE_DESK_VENUE: 'sim-nse' }).venue).toBe('sim-nse');
    expect(loadMarketConfig({ LIVE_DESK_VENUE: 'sim-delta' }).venue).toBe('sim-delta');
    expect(() => loadMarketConfig({ LIVE_DESK_STALE_MS: '-3' })).toThrow(/LIVE_DESK_STALE_MS/);
    expect(() => loadMarketConfig({ LIVE_DESK_VENUE: 'alpaca' })).toThrow(/APCA_API_KEY_ID .* and APCA_API_SECRET_KEY/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ alpaca: { stockFeed: 'nasdaq' } }) })).toThrow(/alpaca\.stockFeed/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ venu: 'sim' }) })).toThrow(/venu/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file('{oops') })).toThrow(/not valid JSON/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: join(dir, 'missing.json') })).toThrow(ConfigError);
  });
});

describe('Alpaca endpoints (issue 12 item 11)', () => {
  const CREDS = { LIVE_DESK_VENUE: 'alpaca', APCA_API_KEY_ID: 'PKABCD1234', APCA_API_SECRET_KEY: 'shh' };

  it('takes REST and stream URLs from env as the SDKs do, and resolves the rest to the defaults', () => {
    const c = loadMarketConfig({
      ...CREDS,
      APCA_API_BASE_URL: 'https://gateway.example.com/alpaca/',
      APCA_API_DATA_URL: 'http://127.0.0.1:8080',
      APCA_API_STREAM_URL: 'wss://proxy.example.com/md',
    });
    expect(c.alpaca!.urls).toEqual({
      tradingRest: 'https://gateway.example.com/alpaca',
      tradingStream: 'wss://gateway.example.com/alpaca/stream',
      dataRest: 'http://127.0.0.1:8080',
      dataStream: 'wss://proxy.example.com/md',
    });
    // a gateway says nothing about paper/live: the default applies and says so (never a silent guess)
    expect(c.alpaca!.env).toBe('paper');
    expect(c.alpaca!.envSource).toContain('not an Alpaca host');
    expect(resolveAlpacaEndpoints(c.alpaca!)).toEqual(c.alpaca!.urls);
    const d = describeMarketConfig(c) as { alpaca: { endpoints: unknown } };
    expect(d.alpaca.endpoints).toEqual(c.alpaca!.urls);
  });

  it('reads alpaca.urls from the config file; env wins; an explicit trading stream is kept', () => {
    const p = file({ venue: 'alpaca', alpaca: { keyId: 'K', secretKey: 'S', env: 'live', urls: { tradingRest: 'https://api.alpaca.markets', tradingStream: 'wss://ws.example.com/trade', dataRest: 'https://data.example.com' } } });
    const c = loadMarketConfig({ LIVE_DESK_CONFIG: p, APCA_API_DATA_URL: 'https://data2.example.com' });
    expect(resolveAlpacaEndpoints(c.alpaca!)).toEqual({ tradingRest: 'https://api.alpaca.markets', tradingStream: 'wss://ws.example.com/trade', dataRest: 'https://data2.example.com', dataStream: 'wss://stream.data.alpaca.markets' });
    expect(c.alpaca!.urlSources).toMatchObject({ tradingRest: 'alpaca.urls.tradingRest', dataRest: 'APCA_API_DATA_URL' });
  });

  it('validates each URL and names the variable or JSON path', () => {
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: 'wss://paper-api.alpaca.markets' })).toThrow(/APCA_API_BASE_URL: must be an http\(s\) URL/);
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_STREAM_URL: 'https://stream.data.alpaca.markets' })).toThrow(/APCA_API_STREAM_URL: must be a ws\(s\) URL/);
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_DATA_URL: 'not a url' })).toThrow(/APCA_API_DATA_URL: "not a url" is not a URL/);
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_DATA_URL: 'https://user:pw@data.example.com' })).toThrow(/APCA_API_DATA_URL: must not carry credentials/);
    expect(() => loadMarketConfig({ ...CREDS, LIVE_DESK_ALPACA_TRADING_STREAM_URL: 'wss://x.example.com/?a=1' })).toThrow(/LIVE_DESK_ALPACA_TRADING_STREAM_URL: must not have a query/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ venue: 'alpaca', alpaca: { keyId: 'K', secretKey: 'S', urls: { dataStream: 'ftp://x' } } }) })).toThrow(/alpaca\.urls\.dataStream: must be a ws\(s\) URL/);
    expect(() => loadMarketConfig({ LIVE_DESK_CONFIG: file({ venue: 'alpaca', alpaca: { keyId: 'K', secretKey: 'S', urls: { tradingrest: 'https://x' } } }) })).toThrow(/tradingrest/);
  });

  it('refuses paper/live that contradicts an Alpaca trading URL, in config and at Start', () => {
    expect(() => loadMarketConfig({ ...CREDS, LIVE_DESK_ALPACA_ENV: 'live', APCA_API_BASE_URL: 'https://paper-api.alpaca.markets' })).toThrow(
      /LIVE_DESK_ALPACA_ENV=live contradicts APCA_API_BASE_URL \(https:\/\/paper-api\.alpaca\.markets is Alpaca's paper endpoint\)/,
    );
    // env may also come from the settings page: Start refuses the mismatch rather than show PAPER on a live URL
    expect(() => resolveAlpacaEndpoints({ env: 'paper', urls: { tradingRest: 'https://api.alpaca.markets' }, urlSources: { tradingRest: 'APCA_API_BASE_URL' } })).toThrow(/set to paper, but APCA_API_BASE_URL .* live endpoint/);
  });

  it('recognises Alpaca\'s hosts written with a trailing dot or in upper case (review #10)', () => {
    // Before: "api.alpaca.markets." was taken for a proxy, so paper was assumed while connecting to live.
    for (const url of ['https://api.alpaca.markets.', 'https://API.Alpaca.Markets', 'https://api.alpaca.markets.:443/']) {
      expect(() => loadMarketConfig({ ...CREDS, LIVE_DESK_ALPACA_ENV: 'paper', APCA_API_BASE_URL: url })).toThrow(/LIVE_DESK_ALPACA_ENV=paper contradicts APCA_API_BASE_URL .* is Alpaca's live endpoint/);
      expect(loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: url }).alpaca).toMatchObject({ env: 'live', envSource: 'inferred from APCA_API_BASE_URL' });
    }
    expect(loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: 'https://PAPER-API.alpaca.markets.' }).alpaca).toMatchObject({ env: 'paper' });
    expect(() => resolveAlpacaEndpoints({ env: 'paper', urls: { tradingRest: 'https://api.alpaca.markets.' }, urlSources: { tradingRest: 'settings' } })).toThrow(/live endpoint/);
    // A proxy is still a proxy (not inferred), and a look-alike host is not Alpaca's.
    expect(loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: 'https://api.alpaca.markets.example.com' }).alpaca).toMatchObject({ env: 'paper', envSource: expect.stringMatching(/^default/) });
  });

  it('refuses plain http:// and ws:// to Alpaca\'s hosts (TLS only), naming the variable (review #10)', () => {
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: 'http://api.alpaca.markets' })).toThrow(/APCA_API_BASE_URL: Alpaca's hosts are reached over https:\/\/ only, not http:\/\//);
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_DATA_URL: 'http://DATA.alpaca.markets.' })).toThrow(/APCA_API_DATA_URL: .* https:\/\/ only/);
    expect(() => loadMarketConfig({ ...CREDS, APCA_API_STREAM_URL: 'ws://stream.data.alpaca.markets' })).toThrow(/APCA_API_STREAM_URL: Alpaca's hosts are reached over wss:\/\/ only, not ws:\/\//);
    // A local gateway over plain http stays allowed (the user's own proxy).
    expect(loadMarketConfig({ ...CREDS, APCA_API_BASE_URL: 'http://127.0.0.1:8080' }).alpaca?.urls?.tradingRest).toBe('http://127.0.0.1:8080');
  });
});
