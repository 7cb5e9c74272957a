import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { StreamManager, type StreamManagerOptions } from '../../../../src/node/stream/stream-manager';
import { MarketDataProtocol, TradingProtocol } from '../../../../src/node/venues/alpaca/protocols';
import type { QuoteTick } from '../../../../src/core/market/quote';
import { FakeNet, ManualDefer, type FakeSocket } from './fake-socket';
import { simInstruments } from '../../../helpers/ids';

const CREDS = { keyId: 'K', secretKey: 'S' };

function setup(over: Partial<StreamManagerOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const net = new FakeNet();
  const defer = new ManualDefer();
  const quotes: QuoteTick[] = [];
  let authenticated = false;
  const protocol = new MarketDataProtocol({
    name: 'stocks',
    url: 'ws://venue/v2/iex',
    encoding: 'json',
    channels: ['quotes', 'trades'],
    credentials: () => CREDS,
    authenticatedBefore: () => authenticated,
    onAuthenticated: () => {
      authenticated = true;
    },
    sink: { quote: (q) => quotes.push(q), trade: () => {} },
    instruments: simInstruments(),
  });
  const m = new StreamManager({
    protocol,
    clock,
    socketFactory: net.factory,
    defer: defer.defer,
    random: () => 0.5,
    backoff: { baseMs: 100, capMs: 1000 },
    dataTimeoutMs: 2000,
    handshakeTimeoutMs: 3000,
    pingIntervalMs: 0,
    connectionLimitWindowMs: 90_000,
    ...over,
  });
  /** The venue side of a successful handshake on the latest socket. */
  const handshake = (s: FakeSocket, ack: string[] = m.symbols()) => {
    s.open();
    s.recv([{ T: 'success', msg: 'connected' }]);
    defer.run();
    s.recv([{ T: 'success', msg: 'authenticated' }]);
    defer.run();
    if (ack.length > 0) {
      s.recv([{ T: 'subscription', trades: ack, quotes: ack }]);
      defer.run();
    }
  };
  const quote = (s: FakeSocket, symbol: string, bid = 1) => {
    s.recv([{ T: 'q', S: symbol, bp: bid, ap: bid + 0.01, bs: 1, as: 1, t: '2026-11-21T15:00:00Z' }]);
    defer.run();
  };
  return { clock, net, defer, quotes, m, handshake, quote };
}

describe('StreamManager with the Alpaca market-data protocol', () => {
  it('connects, authenticates, replays the registry, and runs; quotes reach the sink', () => {
    const { net, m, handshake, quote, quotes } = setup();
    m.subscribe(['SPY', 'AAPL']);
    m.start();
    expect(m.snapshot().state).toBe('connecting');
    const s = net.last;
    expect(s.url).toBe('ws://venue/v2/iex');
    handshake(s);
    expect(s.sentJson()).toEqual([
      { action: 'auth', key: 'K', secret: 'S' },
      { action: 'subscribe', quotes: ['SPY', 'AAPL'], trades: ['SPY', 'AAPL'] },
    ]);
    expect(m.snapshot()).toMatchObject({ state: 'running', subscriptions: 2, subscriptionsConfirmed: 2 });
    quote(s, 'SPY', 500);
    expect(quotes.map((q) => q.bid)).toEqual([500]);
    expect(m.snapshot().lastTickAt).not.toBeNull();
    // deltas while running go straight to the venue
    m.subscribe(['QQQ', 'SPY']);
    m.unsubscribe(['AAPL']);
    expect(s.sentJson().slice(2)).toEqual([
      { action: 'subscribe', quotes: ['QQQ'], trades: ['QQQ'] },
      { action: 'unsubscribe', quotes: ['AAPL'], trades: ['AAPL'] },
    ]);
  });

  it('detects an open but silent socket within the data timeout and reconnects with the registry replayed', () => {
    const { clock, net, m, handshake, quote } = setup();
    m.subscribe(['SPY']);
    m.start();
    handshake(net.last);
    clock.advance(1500);
    quote(net.last, 'SPY'); // activity re-arms the watchdog
    clock.advance(1999);
    expect(net.last.closed).toBe(false);
    clock.advance(1);
    expect(net.sockets[0]!.closed).toBe(true);
    const h = m.snapshot();
    expect(h.state).toBe('reconnecting');
    expect(h.lastError).toContain('data timeout 2000 ms');
    // backoff: random 0.5 → attempt 0 waits 50 ms (full jitter below base·2^0 = 100)
    expect(h.nextRetryAt! - clock.now()).toBe(50);
    clock.advance(50);
    expect(net.sockets.length).toBe(2);
    handshake(net.last);
    expect(net.last.sentJson()[1]).toEqual({ action: 'subscribe', quotes: ['SPY'], trades: ['SPY'] });
    expect(m.snapshot()).toMatchObject({ state: 'running', reconnects: 1 });
  });

  it('backs off exponentially with full jitter up to the cap while the venue keeps failing', () => {
    const { clock, net, m } = setup();
    m.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      net.last.serverClose(1006);
      const h = m.snapshot();
      delays.push(h.nextRetryAt! - clock.now());
      clock.advance(h.nextRetryAt! - clock.now());
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]); // 0.5 × min(1000, 100·2^n)
    expect(m.snapshot().reconnectAttempts).toBe(6);
  });

  it('waits out the connection-limit window after a 406', () => {
    const { clock, net, m, defer } = setup();
    m.start();
    const s = net.last;
    s.open();
    s.recv([{ T: 'success', msg: 'connected' }]);
    s.recv([{ T: 'error', code: 406, msg: 'connection limit exceeded' }]);
    defer.run();
    expect(s.closed).toBe(true);
    const h = m.snapshot();
    expect(h.state).toBe('reconnecting');
    expect(h.lastError).toContain('406');
    expect(h.nextRetryAt! - clock.now()).toBe(90_000);
    clock.advance(89_999);
    expect(net.sockets.length).toBe(1);
    clock.advance(1);
    expect(net.sockets.length).toBe(2);
  });

  it('stops for good on 402 (first auth) and 409, saying why, with no timer left', () => {
    for (const [code, msg, expected] of [
      [402, 'auth failed', 'check the API key'],
      [409, 'insufficient subscription', 'plan does not include'],
    ] as const) {
      const { clock, net, m, defer } = setup();
      m.start();
      const s = net.last;
      s.open();
      s.recv([{ T: 'success', msg: 'connected' }]);
      s.recv([{ T: 'error', code, msg }]);
      defer.run();
      expect(m.snapshot().state).toBe('error');
      expect(m.snapshot().lastError).toContain(expected);
      expect(m.timersPending).toBe(0);
      expect(clock.pendingTimers()).toBe(0);
      clock.advance(10 * 60_000);
      expect(net.sockets.length).toBe(1);
    }
  });

  it('turns a 402 after credentials already worked into session_needed', () => {
    const { clock, net, m, handshake, defer } = setup();
    m.start();
    handshake(net.last, []);
    net.last.serverClose(1008, 'session expired');
    clock.advance(m.snapshot().nextRetryAt! - clock.now());
    const s = net.last;
    s.open();
    s.recv([{ T: 'success', msg: 'connected' }]);
    s.recv([{ T: 'error', code: 402, msg: 'auth failed' }]);
    defer.run();
    expect(m.snapshot().state).toBe('session_needed');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('names symbols refused with 405 and drops them from the registry, staying connected', () => {
    const { net, m, handshake, defer } = setup();
    m.subscribe(['SPY']);
    m.start();
    handshake(net.last);
    m.subscribe(['A1', 'A2']);
    net.last.recv([{ T: 'error', code: 405, msg: 'symbol limit exceeded' }]);
    defer.run();
    const h = m.snapshot();
    expect(h.state).toBe('running');
    expect(h.refusedSymbols).toEqual(['A1', 'A2']);
    expect(h.lastError).toBe('405 symbol limit exceeded');
    expect(m.symbols()).toEqual(['SPY']);
  });

  it('never blocks the socket callback: overflow drops the oldest frames and counts them', () => {
    const { net, m, handshake, defer, quotes } = setup({ queueCapacity: 5 });
    m.subscribe(['SPY']);
    m.start();
    handshake(net.last);
    for (let i = 1; i <= 20; i++) net.last.recv([{ T: 'q', S: 'SPY', bp: i, ap: i + 1 }]);
    expect(quotes.length).toBe(0); // nothing processed inside the callbacks
    expect(m.snapshot()).toMatchObject({ queueDepth: 5, droppedEvents: 15 });
    defer.run();
    expect(quotes.map((q) => q.bid)).toEqual([16, 17, 18, 19, 20]);
    expect(m.snapshot().queueDepth).toBe(0);
  });

  it('drains in bounded turns so other work gets the event loop', () => {
    const { net, m, handshake, defer, quotes } = setup({ drainBatch: 4 });
    m.subscribe(['SPY']);
    m.start();
    handshake(net.last);
    for (let i = 1; i <= 10; i++) net.last.recv([{ T: 'q', S: 'SPY', bp: i, ap: i + 1 }]);
    expect(defer.pending).toBe(1);
    defer.run(1);
    expect(quotes.length).toBe(4);
    defer.run();
    expect(quotes.length).toBe(10);
  });

  it('counts malformed frames and keeps streaming', () => {
    const { net, m, handshake, quote, quotes, defer } = setup();
    m.subscribe(['SPY']);
    m.start();
    handshake(net.last);
    net.last.recv('{not json');
    net.last.recv([{ T: 'q', S: 'SPY', bp: 'x' }]);
    defer.run();
    quote(net.last, 'SPY', 7);
    expect(m.snapshot()).toMatchObject({ malformedFrames: 2, state: 'running' });
    expect(quotes.at(-1)!.bid).toBe(7);
  });

  it('a handshake that never completes is retried', () => {
    const { clock, net, m } = setup();
    m.start();
    net.last.open(); // venue says nothing
    clock.advance(3000);
    expect(m.snapshot().lastError).toContain('handshake did not complete');
    expect(m.snapshot().state).toBe('reconnecting');
  });

  it('kills a socket whose pongs stop (keepalive), without counting pongs as data', () => {
    const { clock, net, m, handshake } = setup({ pingIntervalMs: 1000, pongTimeoutMs: 500, dataTimeoutMs: 0 });
    m.start();
    handshake(net.last, []);
    clock.advance(1000);
    expect(net.last.pings).toBe(1);
    net.last.pong();
    clock.advance(1000);
    expect(net.last.pings).toBe(2);
    clock.advance(500);
    expect(net.sockets[0]!.closed).toBe(true);
    expect(m.snapshot().lastError).toContain('no pong');
  });

  it('maps HTTP statuses on the upgrade (429 waits the window, 404 is fatal)', () => {
    const a = setup();
    a.m.start();
    a.net.last.upgradeRefused(429);
    expect(a.m.snapshot().nextRetryAt! - a.clock.now()).toBe(90_000);
    const b = setup();
    b.m.start();
    b.net.last.upgradeRefused(404);
    expect(b.m.snapshot()).toMatchObject({ state: 'error' });
  });

  it('stop is idempotent, closes the socket, leaves no timer, and start works again', async () => {
    const { clock, net, m, handshake } = setup();
    m.subscribe(['SPY']);
    m.start();
    m.start(); // idempotent
    expect(net.sockets.length).toBe(1);
    handshake(net.last);
    await m.stop();
    await m.stop();
    expect(net.last.closed).toBe(true);
    expect(net.last.closeCode).toBe(1000);
    expect(m.snapshot().state).toBe('not_started');
    expect(clock.pendingTimers()).toBe(0);
    m.start();
    expect(net.sockets.length).toBe(2);
    await m.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stop during a backoff wait cancels the retry', async () => {
    const { clock, net, m } = setup();
    m.start();
    net.last.serverClose(1006);
    expect(m.snapshot().state).toBe('reconnecting');
    await m.stop();
    clock.advance(60_000);
    expect(net.sockets.length).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('StreamManager with the trade_updates protocol', () => {
  it.each(['legacy', 'current'] as const)('authenticates with the %s form, listens, and runs', (authForm) => {
    const clock = new ManualClock(0);
    const net = new FakeNet();
    const defer = new ManualDefer();
    const updates: string[] = [];
    const m = new StreamManager({
      clock,
      socketFactory: net.factory,
      defer: defer.defer,
      dataTimeoutMs: 0,
      pingIntervalMs: 0,
      protocol: new TradingProtocol({ url: 'ws://venue/stream', credentials: () => CREDS, authForm, authenticatedBefore: () => false, onAuthenticated: () => {}, onOrderUpdate: (u) => updates.push(u.event) }),
    });
    m.start();
    const s = net.last;
    s.open();
    expect(s.sentJson()[0]).toEqual(authForm === 'legacy' ? { action: 'authenticate', data: { key_id: 'K', secret_key: 'S' } } : { action: 'auth', key: 'K', secret: 'S' });
    s.recvBinary(Buffer.from('{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}'));
    defer.run();
    expect(s.sentJson()[1]).toEqual({ action: 'listen', data: { streams: ['trade_updates'] } });
    s.recvBinary(Buffer.from('{"stream":"listening","data":{"streams":["trade_updates"]}}'));
    s.recvBinary(Buffer.from([0x01]));
    s.recvBinary(Buffer.from(JSON.stringify({ stream: 'trade_updates', data: { event: 'new', order: { id: '1', status: 'new' } } })));
    defer.run();
    expect(m.snapshot()).toMatchObject({ state: 'running', malformedFrames: 0 });
    expect(updates).toEqual(['new']);
  });

  it('an unauthorized reply on first auth is fatal with the venue message', () => {
    const clock = new ManualClock(0);
    const net = new FakeNet();
    const defer = new ManualDefer();
    const m = new StreamManager({
      clock,
      socketFactory: net.factory,
      defer: defer.defer,
      protocol: new TradingProtocol({ url: 'ws://venue/stream', credentials: () => CREDS, authForm: 'legacy', authenticatedBefore: () => false, onAuthenticated: () => {}, onOrderUpdate: () => {} }),
    });
    m.start();
    net.last.open();
    net.last.recvBinary(Buffer.from('{"stream":"authorization","data":{"status":"unauthorized","action":"authenticate","message":"access key verification failed"}}'));
    defer.run();
    expect(m.snapshot().state).toBe('error');
    expect(m.snapshot().lastError).toContain('access key verification failed');
  });
});

describe('StreamManager: a quiet stream (trade_updates) is judged by its connection, not by data', () => {
  function quiet(liveness: 'data' | 'heartbeat') {
    const clock = new ManualClock(0);
    const net = new FakeNet();
    const defer = new ManualDefer();
    const m = new StreamManager({
      clock,
      socketFactory: net.factory,
      defer: defer.defer,
      random: () => 0.5,
      backoff: { baseMs: 1000, capMs: 30_000 },
      dataTimeoutMs: 0,
      pingIntervalMs: 1000,
      pongTimeoutMs: 500,
      liveness,
      protocol: new TradingProtocol({ url: 'ws://venue/stream', credentials: () => CREDS, authForm: 'legacy', authenticatedBefore: () => false, onAuthenticated: () => {}, onOrderUpdate: () => {} }),
    });
    const listen = () => {
      const s = net.last;
      s.open();
      s.recvBinary(Buffer.from('{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}'));
      defer.run();
      s.recvBinary(Buffer.from('{"stream":"listening","data":{"streams":["trade_updates"]}}'));
      defer.run();
    };
    return { clock, net, m, listen };
  }

  it('repeated drops after "listening" do not escalate the backoff (no order ever arrives)', () => {
    const { clock, net, m, listen } = quiet('heartbeat');
    m.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      listen();
      expect(m.snapshot().state).toBe('running');
      net.last.serverClose(1006);
      const h = m.snapshot();
      delays.push(h.nextRetryAt! - clock.now());
      clock.advance(h.nextRetryAt! - clock.now());
    }
    // each drop follows a healthy, listening connection: the wait starts over (0.5 × base), never 30 s
    expect(delays).toEqual([500, 500, 500, 500, 500, 500]);
    expect(m.snapshot().reconnects).toBe(6);
  });

  it('a data stream still escalates when it never delivers data (the old rule, kept for quotes)', () => {
    const { clock, net, m, listen } = quiet('data');
    m.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      listen();
      net.last.serverClose(1006);
      const h = m.snapshot();
      delays.push(h.nextRetryAt! - clock.now());
      clock.advance(h.nextRetryAt! - clock.now());
    }
    expect(delays).toEqual([500, 1000, 2000, 4000]);
  });

  it('records pongs as heartbeats (the liveness a quiet stream shows)', () => {
    const { clock, net, m, listen } = quiet('heartbeat');
    m.start();
    listen();
    expect(m.snapshot()).toMatchObject({ liveness: 'heartbeat', lastHeartbeatAt: null });
    clock.advance(1000);
    expect(net.last.pings).toBeGreaterThan(0);
    net.last.pong();
    expect(m.snapshot().lastHeartbeatAt).toBe(clock.now());
  });
});

describe('StreamManager.reconfigure', () => {
  it('restarts only for connection-level settings while running', async () => {
    const clock = new ManualClock(0);
    const net = new FakeNet();
    const defer = new ManualDefer();
    const m = new StreamManager({
      clock,
      socketFactory: net.factory,
      defer: defer.defer,
      protocol: new TradingProtocol({ url: 'ws://venue/stream', credentials: () => CREDS, authForm: 'legacy', authenticatedBefore: () => false, onAuthenticated: () => {}, onOrderUpdate: () => {} }),
    });
    m.start();
    expect(await m.reconfigure({ backoff: { baseMs: 5, capMs: 50 } })).toBe(false);
    expect(net.sockets.length).toBe(1);
    expect(await m.reconfigure({ dataTimeoutMs: 15_000 })).toBe(false); // unchanged value
    expect(await m.reconfigure({ dataTimeoutMs: 1234 })).toBe(true);
    expect(net.sockets.length).toBe(2);
    expect(net.sockets[0]!.closed).toBe(true);
    await m.stop();
  });
});
