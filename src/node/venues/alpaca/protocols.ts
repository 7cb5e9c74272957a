/**
 * Alpaca's three stream protocols as drivers for the generic StreamManager:
 * - market data (stocks v2: JSON text frames; options v1beta1: msgpack only, with the
 *   `Content-Type: application/msgpack` upgrade header), handshake connected → auth → subscribe;
 * - trade_updates (JSON, in binary frames on paper), auth → listen.
 *
 * Error codes are classified here (alpaca.md §1.4, §5.4): 402/409/411/412 fatal; 406 waits out the
 * connection-limit window; 405/410/413/400 refuse the symbols of the pending request; the rest retry.
 * A 402/unauthorized after these credentials already worked in this run is a *session* problem
 * (`session_needed`), not a configuration one: that is how an expired/revoked session shows here.
 */
import type { VenueInstruments } from '../../../core/market/instruments';
import type { QuoteTick, TradeTick } from '../../../core/market/quote';
import type { OrderUpdate } from '../../../core/ports/venue';
import type { Failure, ProtocolContext, RawFrame, StreamProtocol } from '../../stream/stream-manager';
import { encodeMsgpack } from './codec';
import { MarketFrameParser, type MarketControl } from './market-parser';
import { TradingFrameParser, type TradingControl } from './trading-parser';

export interface Credentials {
  keyId: string;
  secretKey: string;
}

export interface TickSink {
  quote(tick: QuoteTick): void;
  trade(tick: TradeTick): void;
  /** End of a drain pass: flush anything coalesced. */
  flush?(): void;
}

/** Alpaca closes very large subscribe messages with 1009 (alpaca.md pitfall 9): send in chunks. */
const SUBSCRIBE_CHUNK = 400;

export interface MarketProtocolOptions {
  name: string;
  url: string;
  encoding: 'json' | 'msgpack';
  /** Channels each symbol is subscribed on (stocks: quotes + trades; options default: quotes). */
  channels: readonly ('quotes' | 'trades')[];
  credentials: () => Credentials;
  /** True once these credentials have authenticated anywhere in this run (see header). */
  authenticatedBefore: () => boolean;
  onAuthenticated: () => void;
  sink: TickSink;
  /** The venue instance's symbol → InstrumentId interning (shared by its streams). */
  instruments: VenueInstruments;
}

export function classifyMarketError(code: number, msg: string, authenticatedBefore: boolean): Failure | 'refuse' | 'ignore' {
  const reason = `${code} ${msg}`.trim();
  switch (code) {
    case 402:
      return authenticatedBefore ? { kind: 'session', reason: `${reason}: credentials that worked were refused; re-authenticate` } : { kind: 'fatal', reason: `${reason}: check the API key and secret` };
    case 409:
      return { kind: 'fatal', reason: `${reason}: the account's market-data plan does not include this feed` };
    case 411:
      return { kind: 'fatal', reason: `${reason}: the token lacks the needed scope` };
    case 412:
      return { kind: 'fatal', reason: `${reason}: the option stream needs msgpack (Content-Type: application/msgpack)` };
    case 406:
      return { kind: 'connection_limit', reason: `${reason}: another session holds the connection slot` };
    case 405:
    case 410:
    case 413:
    case 400:
      return 'refuse';
    case 403:
      return 'ignore'; // already authenticated: harmless
    default:
      return { kind: 'transient', reason };
  }
}

export function upgradeFailure(status: number, authenticatedBefore: boolean): Failure {
  if (status === 429) return { kind: 'connection_limit', reason: `HTTP 429 on the upgrade: too many connection attempts` };
  if (status === 401 || status === 403) {
    return authenticatedBefore ? { kind: 'session', reason: `HTTP ${status} on the upgrade: session refused` } : { kind: 'fatal', reason: `HTTP ${status} on the upgrade: credentials refused` };
  }
  if (status === 404) return { kind: 'fatal', reason: 'HTTP 404 on the upgrade: wrong stream URL or feed' };
  return { kind: 'transient', reason: `HTTP ${status} on the upgrade` };
}

export class MarketDataProtocol implements StreamProtocol {
  readonly name: string;
  private readonly parser: MarketFrameParser;
  private ctx: ProtocolContext | null = null;
  private phase: 'connected' | 'authenticating' | 'subscribing' | 'ready' = 'connected';
  /** Symbols of subscribe requests not yet acknowledged (named if the venue refuses them). */
  private pending: string[] = [];

  constructor(private readonly o: MarketProtocolOptions) {
    this.name = o.name;
    this.parser = new MarketFrameParser({
      quote: (t) => {
        this.ctx?.tick(t.receivedAt);
        o.sink.quote(t);
      },
      trade: (t) => {
        this.ctx?.tick(t.receivedAt);
        o.sink.trade(t);
      },
      control: (m) => this.control(m),
      malformed: (reason) => this.ctx?.malformed(reason),
    }, { instruments: o.instruments });
  }

  url(): string {
    return this.o.url;
  }

  headers(): Record<string, string> {
    return { 'Content-Type': this.o.encoding === 'msgpack' ? 'application/msgpack' : 'application/json' };
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.phase = 'connected';
    this.pending = [];
  }

  frame(frame: RawFrame, ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.parser.frame(frame.data, frame.isBinary, frame.receivedAt);
  }

  endOfBatch(): void {
    this.o.sink.flush?.();
  }

  delta(added: string[], removed: string[], ctx: ProtocolContext): void {
    this.ctx = ctx;
    if (removed.length > 0) this.sendChannels('unsubscribe', removed);
    if (added.length > 0) {
      this.pending.push(...added);
      this.sendChannels('subscribe', added);
    }
  }

  upgradeFailure(status: number): Failure {
    return upgradeFailure(status, this.o.authenticatedBefore());
  }

  get parserStats() {
    return this.parser.stats;
  }

  private send(msg: object): void {
    this.ctx?.send(this.o.encoding === 'msgpack' ? encodeMsgpack(msg) : JSON.stringify(msg));
  }

  private sendChannels(action: 'subscribe' | 'unsubscribe', symbols: string[]): void {
    for (let i = 0; i < symbols.length; i += SUBSCRIBE_CHUNK) {
      const chunk = symbols.slice(i, i + SUBSCRIBE_CHUNK);
      const msg: Record<string, unknown> = { action };
      for (const ch of this.o.channels) msg[ch] = chunk;
      this.send(msg);
    }
  }

  private control(m: MarketControl): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (m.T === 'success') {
      if (m.msg === 'connected' && this.phase === 'connected') {
        const c = this.o.credentials();
        this.phase = 'authenticating';
        this.send({ action: 'auth', key: c.keyId, secret: c.secretKey });
      } else if (m.msg === 'authenticated' && this.phase === 'authenticating') {
        this.o.onAuthenticated();
        const registry = ctx.registry();
        if (registry.length === 0) {
          this.phase = 'ready';
          ctx.confirmed(0);
          ctx.ready();
        } else {
          // Replay the whole registry: after a reconnect the venue remembers nothing.
          this.phase = 'subscribing';
          this.pending = [...registry];
          this.sendChannels('subscribe', registry);
        }
      }
      return;
    }
    if (m.T === 'subscription') {
      const confirmed = new Set(this.o.channels.includes('quotes') ? m.quotes : m.trades);
      ctx.confirmed(confirmed.size);
      this.pending = this.pending.filter((s) => !confirmed.has(s));
      if (this.phase === 'subscribing' && this.pending.length === 0) {
        this.phase = 'ready';
        ctx.ready();
      }
      return;
    }
    // error
    const verdict = classifyMarketError(m.code, m.msg, this.o.authenticatedBefore());
    if (verdict === 'ignore') {
      ctx.note(`${m.code} ${m.msg}`);
      return;
    }
    if (verdict === 'refuse') {
      // The request was rejected as a whole; earlier subscriptions are unchanged (alpaca.md §1.4).
      const refused = this.pending;
      this.pending = [];
      ctx.refused(refused, `${m.code} ${m.msg}`.trim());
      if (this.phase === 'subscribing') {
        this.phase = 'ready';
        ctx.ready();
      }
      return;
    }
    ctx.fail(verdict);
  }
}

export interface TradingProtocolOptions {
  url: string;
  credentials: () => Credentials;
  /** `legacy`: {"action":"authenticate","data":{key_id,secret_key}} (both SDKs); `current`: {"action":"auth",key,secret} (docs). */
  authForm: 'legacy' | 'current';
  authenticatedBefore: () => boolean;
  onAuthenticated: () => void;
  onOrderUpdate: (u: OrderUpdate) => void;
}

export class TradingProtocol implements StreamProtocol {
  readonly name = 'trade_updates';
  private readonly parser: TradingFrameParser;
  private ctx: ProtocolContext | null = null;
  private phase: 'authenticating' | 'listening' | 'ready' = 'authenticating';

  constructor(private readonly o: TradingProtocolOptions) {
    this.parser = new TradingFrameParser({
      control: (m) => this.control(m),
      orderUpdate: (u) => {
        this.ctx?.tick(u.receivedAt);
        o.onOrderUpdate(u);
      },
      heartbeat: () => {},
      malformed: (reason) => this.ctx?.malformed(reason),
    });
  }

  url(): string {
    return this.o.url;
  }

  headers(): Record<string, string> {
    return {};
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.phase = 'authenticating';
    const c = this.o.credentials();
    ctx.send(
      JSON.stringify(
        this.o.authForm === 'legacy' ? { action: 'authenticate', data: { key_id: c.keyId, secret_key: c.secretKey } } : { action: 'auth', key: c.keyId, secret: c.secretKey },
      ),
    );
  }

  frame(frame: RawFrame, ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.parser.frame(frame.data, frame.isBinary, frame.receivedAt);
  }

  delta(): void {
    // trade_updates has no symbols
  }

  upgradeFailure(status: number): Failure {
    return upgradeFailure(status, this.o.authenticatedBefore());
  }

  private control(m: TradingControl): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (m.kind === 'authorization') {
      if (m.authorized && this.phase === 'authenticating') {
        this.o.onAuthenticated();
        this.phase = 'listening';
        ctx.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
      } else if (!m.authorized) {
        const reason = `unauthorized (${m.action})${m.message ? `: ${m.message}` : ''}`;
        ctx.fail(this.o.authenticatedBefore() ? { kind: 'session', reason: `${reason}; re-authenticate` } : { kind: 'fatal', reason: `${reason}; check the API key and secret, and paper vs live` });
      }
      return;
    }
    if (m.kind === 'listening') {
      if (m.streams.includes('trade_updates') && this.phase === 'listening') {
        this.phase = 'ready';
        ctx.confirmed(1);
        ctx.ready();
      }
      return;
    }
    ctx.fail({ kind: 'transient', reason: `venue error: ${m.message}` });
  }
}
