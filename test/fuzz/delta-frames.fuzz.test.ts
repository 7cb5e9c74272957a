// Hostile frames at every Delta inbound frame type (ticker, v2/ticker, mark_price, subscriptions,
// heartbeat, pong, key-auth, orders, positions, v2/user_trades, user_trades, error) and the REST ticker
// records: valid samples mutated at random paths (wrong types, huge / negative / NaN-like numbers,
// deep nesting, long strings), truncated text and random JSON. Nothing may throw, every frame is
// answered quickly (no hang), everything that gets through satisfies the normalized invariants, and
// the same frames through both stream protocols leave them working.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDeltaFrame, parseRestTicker, type DeltaFrame } from '../../src/node/venues/delta/parsers';
import { DeltaPrivateProtocol, DeltaPublicProtocol } from '../../src/node/venues/delta/protocols';
import type { ProtocolContext } from '../../src/node/stream/stream-manager';
import { SeededRandom } from '../../src/core/model/random';

const SAMPLES: Record<string, unknown>[] = [
  { type: 'ticker', sy: 'BTC-310125', sp: '72154.6', ts: 1775801092453559, d: [{ s: 'C-BTC-90000-310125', i: 27, m: '1325.5', q: ['1330', '922', '1320', '191', null], g: ['0.0194', '0.0000638', '0.0072', '-81.48', '0.7249'], qiv: ['0.26', '0.25', '0.29'] }] },
  { type: 'v2/ticker', symbol: 'C-BTC-90000-310125', product_id: 1, timestamp: 1595242187705121, mark_price: '1325.5', spot_price: '63449.5', quotes: { best_bid: '1320', bid_size: '191', best_ask: '1330', ask_size: '922', mark_iv: '0.29' }, greeks: { delta: '0.0194', gamma: '0.0000638', theta: '-81.48', vega: '0.7249', rho: '0.0072' } },
  { type: 'mark_price', sy: 'MARK:C-BTC-69500-100426', p: '2296.3486551', ts: 1775814170680883 },
  { type: 'subscriptions', channels: [{ name: 'ticker', symbols: ['BTCUSD'] }, { name: 'orders', error: 'Unauthorized user' }] },
  { type: 'heartbeat' },
  { type: 'pong' },
  { type: 'key-auth', success: true, status_code: 200, status: 'authenticated' },
  { type: 'key-auth', success: false, status_code: 401, status: 'invalid_signature' },
  { type: 'orders', action: 'create', reason: '', symbol: 'BTCUSD', product_id: 27, order_id: 1234, client_order_id: 'c', size: 100, unfilled_size: 55, average_fill_price: '8999.00', limit_price: '9000.00', side: 'buy', state: 'open', seq_no: 1, timestamp: 1594105083998848 },
  { type: 'orders', action: 'snapshot', result: [{ id: 1, symbol: 'BTCUSD', size: 1, unfilled_size: 1, side: 'sell', state: 'open' }] },
  { type: 'positions', action: 'update', symbol: 'BTCUSD', product_id: 1, size: -100, entry_price: '3500.0' },
  { type: 'positions', action: 'snapshot', result: [{ symbol: 'BTCUSD', size: 3, entry_price: '1' }] },
  { type: 'v2/user_trades', sy: 'BTCUSD', f: 'abc', R: 'normal', u: 1998, o: 3283999, S: 'buy', s: 190, p: '17289.2', po: 5, r: 'taker', c: 'cid', t: 1685794274866438, se: 4 },
  { type: 'user_trades', symbol: 'BTCUSD', fill_id: 'f1', order_id: 77, side: 'sell', size: 3, price: '10.5', role: 'maker', timestamp: 1685794274866438, commission: '0.01' },
  { type: 'error', message: 'bad' },
];

const HOSTILE: unknown[] = [null, true, -1, 0, 1e308, -1e308, 1e21, '1e999', 'NaN', 'Infinity', '-0', '', ' ', 'x'.repeat(5000), [], {}, [[[[[[]]]]]], { a: { b: { c: {} } } }, '１２３', '0x10', 12.5, '9'.repeat(40), -0.0000001, '\u0000', Number.MAX_SAFE_INTEGER + 2];

function mutate(v: unknown, rng: SeededRandom, depth = 0): unknown {
  if (depth > 6) return v;
  if (Array.isArray(v)) {
    const out = v.map((x) => (rng.next() < 0.3 ? mutate(x, rng, depth + 1) : x));
    if (rng.next() < 0.1) out.push(HOSTILE[Math.floor(rng.next() * HOSTILE.length)]);
    if (rng.next() < 0.1) out.splice(0, Math.floor(rng.next() * out.length));
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k of Object.keys(out)) {
      const r = rng.next();
      if (r < 0.15) out[k] = HOSTILE[Math.floor(rng.next() * HOSTILE.length)];
      else if (r < 0.2) delete out[k];
      else if (r < 0.5) out[k] = mutate(out[k], rng, depth + 1);
    }
    return out;
  }
  return rng.next() < 0.5 ? HOSTILE[Math.floor(rng.next() * HOSTILE.length)] : v;
}

function checkInvariants(f: DeltaFrame): void {
  if (f.kind === 'tickers') {
    for (const t of f.tickers) {
      expect(typeof t.symbol === 'string' && t.symbol.length > 0 && t.symbol.length <= 64).toBe(true);
      for (const n of [t.bid, t.ask, t.bidSize, t.askSize]) expect(n === null || (Number.isFinite(n) && n >= 0 && n <= 1e10)).toBe(true);
      for (const s of [t.mark, t.spot, t.greeks?.delta, t.greeks?.gamma, t.greeks?.theta, t.greeks?.vega, t.greeks?.rho, t.iv?.mark]) expect(s == null || Number.isFinite(Number(s))).toBe(true);
      if (t.greeks?.delta != null) expect(Math.abs(Number(t.greeks.delta))).toBeLessThanOrEqual(1);
      expect(t.exchangeTime === null || Number.isFinite(t.exchangeTime)).toBe(true);
    }
  }
  if (f.kind === 'fills') for (const x of f.fills) expect(Number.isInteger(x.size) && x.size > 0 && Number.isFinite(Number(x.price))).toBe(true);
  if (f.kind === 'positions') for (const p of f.positions) expect(Number.isInteger(p.size)).toBe(true);
  if (f.kind === 'mark') expect(Number.isFinite(Number(f.mark.price))).toBe(true);
}

function fakeCtx(): ProtocolContext & { failures: number } {
  const ctx = {
    conn: 1,
    failures: 0,
    send: () => {},
    ready: () => {},
    registry: () => ['C-BTC-90000-310125'],
    tick: () => {},
    malformed: () => {},
    confirmed: () => {},
    refused: () => {},
    note: () => {},
    fail: () => {
      ctx.failures++;
    },
  };
  return ctx;
}

describe('delta frame fuzz', () => {
  it('≥ 15,000 mutated frames of every type: no throw, no hang, invariants hold', () => {
    const rng = new SeededRandom(20);
    const pub = new DeltaPublicProtocol({ url: 'ws://x', legacyUrl: 'ws://y', onTickers: () => {}, onMark: () => {} });
    const priv = new DeltaPrivateProtocol({ url: 'ws://p', clock: { now: () => 0 }, credentials: () => ({ apiKey: 'k', apiSecret: 's' }), authenticatedBefore: () => true, onAuthenticated: () => {}, onOrders: () => {}, onPositions: () => {}, onFills: () => {} });
    const ctx = fakeCtx();
    pub.open(ctx);
    priv.open(ctx);
    const kinds = new Map<string, number>();
    const t0 = Date.now();
    let slowest = 0;
    for (let i = 0; i < 15_000; i++) {
      const sample = SAMPLES[i % SAMPLES.length]!;
      let text = JSON.stringify(mutate(sample, rng));
      if (rng.next() < 0.05) text = text.slice(0, Math.floor(rng.next() * text.length));
      const s = Date.now();
      const f = parseDeltaFrame(text);
      slowest = Math.max(slowest, Date.now() - s);
      kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      checkInvariants(f);
      const frame = { data: Buffer.from(text), isBinary: false, receivedAt: i, conn: 1 };
      pub.frame(frame, ctx);
      priv.frame(frame, ctx);
      const r = parseRestTicker(mutate(SAMPLES[1], rng));
      if ('ticker' in r) checkInvariants({ kind: 'tickers', tickers: [r.ticker], rejected: [] });
    }
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(slowest).toBeLessThan(200);
    // The mutations reach both the accepting and the refusing paths.
    expect(kinds.get('malformed') ?? 0).toBeGreaterThan(500);
    expect(kinds.get('tickers') ?? 0).toBeGreaterThan(500);
    expect(kinds.get('fills') ?? 0).toBeGreaterThan(50);
    // The parsers still read a good frame afterwards.
    expect(parseDeltaFrame(JSON.stringify(SAMPLES[0])).kind).toBe('tickers');
  });

  it('arbitrary JSON and arbitrary strings never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 300 }), fc.anything().map((v) => JSON.stringify(v) ?? 'null')), (text) => {
        const f = parseDeltaFrame(text);
        checkInvariants(f);
        parseRestTicker((() => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return text;
          }
        })());
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('an oversized frame and a huge ticker list are refused by size, quickly', () => {
    expect(parseDeltaFrame('x'.repeat(5 * 1024 * 1024))).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/largest accepted/) });
    const d = Array.from({ length: 6000 }, () => ({ s: 'BTCUSD', m: '1' }));
    expect(parseDeltaFrame(JSON.stringify({ type: 'ticker', d }))).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/6000 entries/) });
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(() => parseDeltaFrame(`{"type":"orders","action":"create","order_id":${deep}}`)).not.toThrow();
  });
});
