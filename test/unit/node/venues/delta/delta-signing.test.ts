// Delta's HMAC-SHA256 signing against the documented examples (docs/protocols/delta.md §3.4, §4.1).
// The expected hex values were computed independently with openssl:
//   echo -n "GET1542110948/v2/orders?product_id=1&state=open" | openssl dgst -sha256 -hmac <secret>
import { describe, expect, it } from 'vitest';
import { keyAuthFrame, prehash, sign, signedHeaders, verifySignature } from '../../../../../src/node/venues/delta/signing';
import { queryString } from '../../../../../src/node/venues/delta/rest';

const SECRET = 'a207900b7693435a8fa9230a38195d';

describe('delta signing', () => {
  it('signs the documented GET example: METHOD + timestamp + path + query (with its "?")', () => {
    expect(prehash('GET', '1542110948', '/v2/orders', '?product_id=1&state=open')).toBe('GET1542110948/v2/orders?product_id=1&state=open');
    expect(sign(SECRET, 'GET', '1542110948', '/v2/orders', '?product_id=1&state=open')).toBe('84369f409de5a4a5ba97fec2b79dcf95ffda1e69edcff0bbcf1d6264bbcfa46b');
  });

  it('signs a POST with the exact compact JSON body sent', () => {
    const body = JSON.stringify({ product_id: 27, size: 10, side: 'buy', order_type: 'limit_order', limit_price: '59000', time_in_force: 'gtc', post_only: false, reduce_only: false, client_order_id: 'app-000123' });
    expect(sign(SECRET, 'post', '1542110948', '/v2/orders', '', body)).toBe('543ffe9caf5d0ca5a1faa1844c9b8dca63be89d3350c294d5cbaff2651a5ecdb');
  });

  it('key-auth signs "GET" + seconds + "/live" and sends the same seconds as a string', () => {
    const f = keyAuthFrame({ apiKey: 'K', apiSecret: SECRET }, 1542110948_999);
    expect(f).toEqual({ type: 'key-auth', payload: { 'api-key': 'K', signature: 'bdf5a0206c6f9a0e078f0fe275cb919ec86cb6de3260f0d9afbaa8927c39f1be', timestamp: '1542110948' } });
  });

  it('headers carry api-key, timestamp in seconds, signature and the mandatory User-Agent', () => {
    const h = signedHeaders({ apiKey: 'K', apiSecret: SECRET }, 1542110948_123, 'GET', '/v2/orders', '?product_id=1&state=open');
    expect(h).toMatchObject({ 'api-key': 'K', timestamp: '1542110948', signature: '84369f409de5a4a5ba97fec2b79dcf95ffda1e69edcff0bbcf1d6264bbcfa46b' });
    expect(h['User-Agent']).toBeTruthy();
  });

  it('refuses a query without its "?" and a path without "/" (sign exactly what is sent)', () => {
    expect(() => prehash('GET', '1', '/v2/orders', 'product_id=1')).toThrow(/must start with "\?"/);
    expect(() => prehash('GET', '1', 'v2/orders')).toThrow(/must start with "\/"/);
  });

  it('verification: within the 5 s window accepted (timestamp as string or number), outside it request_expired, a wrong signature invalid', () => {
    const now = 1542110948_000;
    const sig = sign(SECRET, 'GET', '1542110948', '/live');
    expect(verifySignature(SECRET, now + 4000, '1542110948', sig, 'GET', '/live')).toBeNull();
    expect(verifySignature(SECRET, now, 1542110948, sig, 'GET', '/live')).toBeNull();
    expect(verifySignature(SECRET, now + 6000, '1542110948', sig, 'GET', '/live')).toBe('request_expired');
    expect(verifySignature(SECRET, now, '1542110948', sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), 'GET', '/live')).toBe('invalid_signature');
    expect(verifySignature(SECRET, now, undefined, sig, 'GET', '/live')).toBe('incomplete_payload');
  });
  // Review of issue 20: the query is signed exactly as sent, with literal commas as Delta's own client sends them.
  it('builds the query as sent and signed: commas literal, the rest percent-encoded, none → empty', () => {
    expect(queryString({ states: 'open,pending' })).toBe('?states=open,pending');
    expect(queryString({ contract_types: 'call_options,put_options', after: 'a b&c' })).toBe('?contract_types=call_options,put_options&after=a%20b%26c');
    expect(queryString({})).toBe('');
    expect(queryString(undefined)).toBe('');
    const h = signedHeaders({ apiKey: 'K', apiSecret: SECRET }, 1542110948_000, 'GET', '/v2/orders', queryString({ states: 'open,pending' }));
    expect(h.signature).toBe(sign(SECRET, 'GET', '1542110948', '/v2/orders', '?states=open,pending', ''));
  });
});
