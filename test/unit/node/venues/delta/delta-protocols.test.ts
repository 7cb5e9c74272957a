// The Delta stream protocols under a manual clock and an in-memory socket: subscribe frames (ticker +
// MARK: mark_price), the registry replayed after a reconnect, the data timeout measured on DATA so a
// socket that keeps sending heartbeats while its tickers stopped is still caught (with the
// frame-based timeout it is not: the old behaviour this issue fixes for Delta), key-auth and its
// failures classified (expired timestamp retried; refused keys → session once they had worked).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../../src/core/ports/clock';
import { StreamManager } from '../../../../../src/node/stream/stream-manager';
import { DeltaPrivateProtocol, DeltaPublicProtocol, classifyAuthFailure } from '../../../../../src/node/venues/delta/protocols';
import { sign } from '../../../../../src/node/venues/delta/signing';
import { FakeNet, ManualDefer } from '../../stream/fake-socket';

const ticker = (sym: string) => ({ type: 'ticker', sy: sym, sp: '90000', ts: 1_000_000_000_000_000, d: [{ s: sym, m: '10', q: ['11', '1', '9', '1', null], g: ['0.5', '0.001', '0', '-1', '1'] }] });

function publicSetup(basis: 'data' | 'frame') {
  const clock = new ManualClock(1_000_000);
  const net = new FakeNet();
  const defer = new ManualDefer();
  const seen: string[] = [];
  const protocol = new DeltaPublicProtocol({ url: 'ws://pub', legacyUrl: 'ws://legacy', onTickers: (t) => seen.push(...t.map((x) => x.symbol)), onMark: () => {} });
  const m = new StreamManager({ protocol, clock, socketFactory: net.factory, defer: defer.defer, random: () => 0.5, backoff: { baseMs: 100, capMs: 1000 }, dataTimeoutMs: 1000, pingIntervalMs: 0, dataTimeoutBasis: basis });
  return { clock, net, defer, m, protocol, seen };
}

describe('Delta public protocol', () => {
  it('with a book listener, ob_l1 is subscribed beside ticker and mark_price, its books delivered; a refusal is noted, tickers go on', () => {
    const clock = new ManualClock(1_000_000);
    const net = new FakeNet();
    const defer = new ManualDefer();
    const books: string[] = [];
    const protocol = new DeltaPublicProtocol({ url: 'ws://pub', legacyUrl: null, onTickers: () => {}, onMark: () => {}, onBook: (b) => books.push(`${b.symbol} ${b.bid}/${b.ask}`) });
    const m = new StreamManager({ protocol, clock, socketFactory: net.factory, defer: defer.defer, random: () => 0.5, backoff: { baseMs: 100, capMs: 1000 }, dataTimeoutMs: 1000, pingIntervalMs: 0, dataTimeoutBasis: 'data' });
    m.subscribe(['C-BTC-90000-310125']);
    m.start();
    net.last.open();
    expect(net.last.sentJson()).toEqual([{ type: 'subscribe', payload: { channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }, { name: 'mark_price', symbols: ['MARK:C-BTC-90000-310125'] }, { name: 'ob_l1', symbols: ['C-BTC-90000-310125'] }] } }]);
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }, { name: 'mark_price', symbols: ['MARK:C-BTC-90000-310125'] }, { name: 'ob_l1', error: 'channel ob_l1 is not available' }] });
    defer.run();
    expect(m.snapshot().state).toBe('running');
    net.last.recv({ type: 'ob_l1', sy: 'C-BTC-90000-310125', ap: '1250.5', as: '1', bp: '1240', bs: '1', ts: 1775801092460000 });
    defer.run();
    expect(books).toEqual(['C-BTC-90000-310125 1240/1250.5']);
    m.stop();
  });

  it('subscribes ticker + MARK:-prefixed mark_price, becomes ready on the ack, replays the registry after a reconnect', () => {
    const { net, defer, m, seen, clock } = publicSetup('data');
    m.subscribe(['C-BTC-90000-310125']);
    m.start();
    net.last.open();
    expect(net.last.sentJson()).toEqual([{ type: 'subscribe', payload: { channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }, { name: 'mark_price', symbols: ['MARK:C-BTC-90000-310125'] }] } }]);
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }, { name: 'mark_price', symbols: ['MARK:C-BTC-90000-310125'] }] });
    defer.run();
    expect(m.snapshot().state).toBe('running');
    net.last.recv(ticker('C-BTC-90000-310125'));
    defer.run();
    expect(seen).toEqual(['C-BTC-90000-310125']);
    net.last.serverClose(1006);
    clock.advance(1000);
    expect(net.sockets).toHaveLength(2);
    net.last.open();
    expect(net.last.sentJson()[0]).toMatchObject({ type: 'subscribe', payload: { channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }, { name: 'mark_price' }] } });
  });

  it('silent stall: heartbeats keep coming but no data → the data-based timeout reconnects; a frame-based one would not', () => {
    for (const basis of ['data', 'frame'] as const) {
      const { net, defer, m, clock } = publicSetup(basis);
      m.subscribe(['C-BTC-90000-310125']);
      m.start();
      net.last.open();
      net.last.recv({ type: 'subscriptions', channels: [{ name: 'ticker', symbols: ['C-BTC-90000-310125'] }] });
      net.last.recv(ticker('C-BTC-90000-310125'));
      defer.run();
      for (let i = 0; i < 6; i++) {
        clock.advance(300);
        if (!net.last.closed) net.last.recv({ type: 'heartbeat' });
        defer.run();
      }
      if (basis === 'data') {
        expect(m.snapshot().state).toBe('reconnecting');
        expect(m.snapshot().lastError).toMatch(/no data for \d+ ms \(data timeout 1000 ms\)/);
      } else {
        expect(m.snapshot().state).toBe('running');
      }
    }
  });

  it('the ticker channel refused → reconnects on the legacy host with v2/ticker; a 404 on the new endpoint does the same', () => {
    const { net, defer, m, protocol, clock } = publicSetup('data');
    m.subscribe(['BTCUSD']);
    m.start();
    net.last.open();
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'ticker', error: 'channel ticker is not available' }] });
    defer.run();
    expect(protocol.format).toBe('v2/ticker');
    clock.advance(1000);
    expect(net.last.url).toBe('ws://legacy');
    net.last.open();
    expect(net.last.sentJson()[0]).toMatchObject({ payload: { channels: [{ name: 'v2/ticker', symbols: ['BTCUSD'] }, { name: 'mark_price', symbols: ['MARK:BTCUSD'] }] } });
    const p2 = new DeltaPublicProtocol({ url: 'ws://pub', legacyUrl: 'ws://legacy', onTickers: () => {}, onMark: () => {} });
    expect(p2.upgradeFailure(404)).toMatchObject({ kind: 'transient' });
    expect(p2.url()).toBe('ws://legacy');
  });

  it('symbols refused in the ack are dropped from the registry (not replayed)', () => {
    const { net, defer, m } = publicSetup('data');
    m.subscribe(['NOPE']);
    m.start();
    net.last.open();
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'ticker', error: 'invalid symbol NOPE' }] });
    defer.run();
    expect(m.symbols()).toEqual([]);
    expect(m.snapshot().refusedSymbols).toEqual(['NOPE']);
  });
});

describe('Delta private protocol', () => {
  function privateSetup(authenticatedBefore: boolean) {
    const clock = new ManualClock(1_700_000_000_000);
    const net = new FakeNet();
    const defer = new ManualDefer();
    let authed = authenticatedBefore;
    const protocol = new DeltaPrivateProtocol({
      url: 'ws://priv',
      clock,
      credentials: () => ({ apiKey: 'K', apiSecret: 'S' }),
      authenticatedBefore: () => authed,
      onAuthenticated: () => {
        authed = true;
      },
      onOrders: () => {},
      onPositions: () => {},
      onFills: () => {},
    });
    const m = new StreamManager({ protocol, clock, socketFactory: net.factory, defer: defer.defer, random: () => 0.5, backoff: { baseMs: 100, capMs: 1000 }, dataTimeoutMs: 35_000, pingIntervalMs: 0, liveness: 'heartbeat' });
    return { clock, net, defer, m };
  }

  it('key-auth on open (GET + seconds + /live), then enable_heartbeat and orders/positions/v2/user_trades with "all"', () => {
    const { net, defer, m } = privateSetup(false);
    m.start();
    net.last.open();
    expect(net.last.sentJson()).toEqual([{ type: 'key-auth', payload: { 'api-key': 'K', timestamp: '1700000000', signature: sign('S', 'GET', '1700000000', '/live') } }]);
    net.last.recv({ type: 'key-auth', success: true, status_code: 200, status: 'authenticated' });
    defer.run();
    expect(net.last.sentJson().slice(1)).toEqual([
      { type: 'enable_heartbeat' },
      { type: 'subscribe', payload: { channels: [{ name: 'orders', symbols: ['all'] }, { name: 'positions', symbols: ['all'] }, { name: 'v2/user_trades', symbols: ['all'] }] } },
    ]);
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'orders', symbols: ['all'] }, { name: 'positions', symbols: ['all'] }, { name: 'v2/user_trades', symbols: ['all'] }] });
    defer.run();
    expect(m.snapshot().state).toBe('running');
  });

  it('heartbeats every 30 s keep it alive; none for 35 s reconnects', () => {
    const { net, defer, m, clock } = privateSetup(false);
    m.start();
    net.last.open();
    net.last.recv({ type: 'key-auth', success: true, status_code: 200, status: 'authenticated' });
    net.last.recv({ type: 'subscriptions', channels: [{ name: 'orders', symbols: ['all'] }] });
    defer.run();
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      net.last.recv({ type: 'heartbeat' });
      defer.run();
    }
    expect(m.snapshot().state).toBe('running');
    clock.advance(36_000);
    expect(m.snapshot().state).toBe('reconnecting');
  });

  // Review of issue 20: a key refused at the first start is session_needed too (it was fatal), as the same key refused over REST is.
  it('a refused key is session_needed, before or after it had worked; an expired timestamp is retried', () => {
    const a = privateSetup(true);
    a.m.start();
    a.net.last.open();
    a.net.last.recv({ type: 'key-auth', success: false, status_code: 404, status: 'api_key_not_found' });
    a.defer.run();
    expect(a.m.snapshot()).toMatchObject({ state: 'session_needed', lastError: expect.stringMatching(/api_key_not_found.*re-authenticate/) });
    expect(classifyAuthFailure(401, 'invalid_signature', null, false)).toMatchObject({ kind: 'session', reason: expect.stringMatching(/check the API key.*re-authenticate/) });
    expect(classifyAuthFailure(400, 'incomplete_payload', null, false).kind).toBe('fatal');
    expect(classifyAuthFailure(408, 'request_expired', null, true).kind).toBe('transient');
    expect(classifyAuthFailure(500, 'internal_server_error', null, true).kind).toBe('transient');
    expect(classifyAuthFailure(401, 'ip_not_whitelisted', 'your ip 1.2.3.4', true)).toMatchObject({ kind: 'session', reason: expect.stringMatching(/ip_not_whitelisted \(your ip 1.2.3.4\)/) });
  });

  it('private channels refused as unauthorized → session once authenticated before', () => {
    const a = privateSetup(true);
    a.m.start();
    a.net.last.open();
    a.net.last.recv({ type: 'key-auth', success: true, status_code: 200, status: 'authenticated' });
    a.net.last.recv({ type: 'subscriptions', channels: [{ name: 'orders', error: 'subscription forbidden on orders. Unauthorized user' }] });
    a.defer.run();
    expect(a.m.snapshot().state).toBe('session_needed');
  });
});
