// The REST client's chain reader against canned answers on a loopback server: Alpaca's shape with
// the optional parts absent, implausible greeks dropped, keys that are not OCC symbols left out, a
// malformed answer refused naming the field, and paging.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaRestClient } from '../../../../../src/node/venues/alpaca/rest';
import { SystemClock } from '../../../../../src/node/system-clock';
import { VenueInstruments } from '../../../../../src/core/market/instruments';

let server: http.Server | null = null;
let client: AlpacaRestClient | null = null;
afterEach(async () => {
  client?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = client = null;
});

async function serve(answer: (url: URL) => unknown): Promise<{ client: AlpacaRestClient; urls: string[] }> {
  const urls: string[] = [];
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    urls.push(url.pathname + url.search);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer(url)));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new AlpacaRestClient({ tradingBaseUrl: base, dataBaseUrl: base, credentials: () => ({ keyId: 'k', secretKey: 's' }), clock: new SystemClock(), stockFeed: 'iex', optionFeed: 'opra', instruments: new VenueInstruments('alpaca'), timeoutMs: 5000, requestsPerMinute: 1_000_000 });
  return { client, urls };
}

const T = '2026-12-04T15:00:00.123456789Z';

describe('AlpacaRestClient.optionChain', () => {
  it('reads the snapshots defensively: greeks optional, implausible ones dropped, non-OCC keys left out, filters sent', async () => {
    const { client, urls } = await serve(() => ({
      snapshots: {
        SPY261218C00600000: { latestQuote: { bp: 2.1, ap: 2.2, bs: 3, as: 4, t: T }, latestTrade: { p: 2.15, t: T }, greeks: { delta: 0.3123, gamma: 0.02, theta: -0.3, vega: 0.5, rho: 0.1 }, impliedVolatility: 0.18, minuteBar: { o: 1 } },
        SPY261218P00560000: { latestQuote: { bp: 1.0, ap: 1.1, t: T } }, // indicative: no greeks
        SPY261218P00550000: { latestQuote: { bp: 0.5, ap: 0.6, t: T }, greeks: { delta: -1.7 }, impliedVolatility: -0.2 }, // implausible
        SPY261218P00540000: { latestQuote: null, greeks: { delta: null, gamma: null }, impliedVolatility: null },
        NOTANOPTION: { latestQuote: { bp: 1, ap: 2, t: T } },
      },
      next_page_token: null,
    }));
    const chain = await client.optionChain('SPY', { right: 'put', expiration: '2026-12-18', strikeGte: 540, strikeLte: 600.5 });
    expect(urls).toEqual(['/v1beta1/options/snapshots/SPY?feed=opra&limit=1000&type=put&expiration_date=2026-12-18&strike_price_gte=540&strike_price_lte=600.5']);
    expect(chain.contracts.map((c) => c.symbol)).toEqual(['SPY261218P00540000', 'SPY261218P00550000', 'SPY261218P00560000', 'SPY261218C00600000']);
    const [k540, k550, k560, k600] = chain.contracts;
    expect(k600).toMatchObject({ expiry: '2026-12-18', strike: 600, right: 'call', delta: '0.3123', gamma: '0.02', theta: '-0.3', vega: '0.5', rho: '0.1', impliedVolatility: '0.18', greeks: { source: 'venue', asOf: Date.parse('2026-12-04T15:00:00.123Z') } });
    expect(k600!.quote).toMatchObject({ bid: 2.1, ask: 2.2, last: 2.15, source: 'rest' });
    // 16:00 New York on the expiry date
    expect(k600!.expiresAt).toBe(Date.parse('2026-12-18T21:00:00Z'));
    expect(k560).toMatchObject({ delta: null, impliedVolatility: null, greeks: null, quote: { bid: 1, ask: 1.1 } });
    expect(k550).toMatchObject({ delta: null, greeks: null, impliedVolatility: null });
    expect(k540).toMatchObject({ delta: null, greeks: null, quote: { bid: null, ask: null, exchangeTime: null } });
  });

  it('follows next_page_token to the last page', async () => {
    const page = (n: number) => ({ [`SPY261218C00${String(500 + n).padStart(3, '0')}000`]: { latestQuote: { bp: 1, ap: 1.1, t: T } } });
    const { client, urls } = await serve((u) => {
      const token = u.searchParams.get('page_token');
      return token === null ? { snapshots: page(0), next_page_token: 'p1' } : token === 'p1' ? { snapshots: page(1), next_page_token: 'p2' } : { snapshots: page(2) };
    });
    const chain = await client.optionChain('SPY');
    expect(chain.contracts.map((c) => c.strike)).toEqual([500, 501, 502]);
    expect(urls.map((u) => new URL(u, 'http://x').searchParams.get('page_token'))).toEqual([null, 'p1', 'p2']);
  });

  it('an endless paging answer is refused after 50 pages', async () => {
    const { client } = await serve(() => ({ snapshots: {}, next_page_token: 'again' }));
    await expect(client.optionChain('SPY')).rejects.toThrow(/more than 50 pages/);
  });

  it('a malformed answer is refused, naming the field', async () => {
    const { client } = await serve(() => ({ snapshots: { SPY261218C00600000: { greeks: { delta: 'high' } } } }));
    await expect(client.optionChain('SPY')).rejects.toThrow(/invalid option chain SPY response: snapshots\.SPY261218C00600000\.greeks\.delta/);
  });
});
