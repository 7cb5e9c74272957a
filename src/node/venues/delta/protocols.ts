/**
 * Delta Exchange's two sockets as drivers for the generic StreamManager (docs/protocols/delta.md §3):
 *
 * - public (market data, no auth): the new public endpoint's `ticker` + `mark_price` channels; the
 *   legacy `v2/ticker` on the legacy host is the fallback (used when the new endpoint refuses the
 *   upgrade with 404 or refuses the `ticker` channel, or when configured). Liveness: WS pings (the
 *   new endpoint's `enable_heartbeat` is UNCONFIRMED, so it is not sent there) plus our own data
 *   timeout measured on DATA (tickers, marks), not on frames: a stalled feed whose socket still
 *   answers pings or sends heartbeats is caught.
 * - private (orders, positions, user_trades): `key-auth` on open (HMAC of "GET"+ts+"/live"), then
 *   `enable_heartbeat` (a 30 s heartbeat; the stream's frame timeout of 35 s is the doc's timer) and
 *   the channels with `["all"]`. An auth refusal after these keys worked is `session_needed`.
 *
 * Every subscription is replayed from the registry after a reconnect (the venue remembers nothing).
 */
import type { Clock } from '../../../core/ports/clock';
import type { Failure, ProtocolContext, RawFrame, StreamProtocol } from '../../stream/stream-manager';
import { parseDeltaFrame, type DeltaBookL1, type DeltaFill, type DeltaMarkPrice, type DeltaOrderEvent, type DeltaPositionRecord, type DeltaTicker } from './parsers';
import { keyAuthFrame, type DeltaCredentials } from './signing';

/** Symbols per subscribe frame (the `ticker` channel took 150 in one frame, live-verified). */
const SUBSCRIBE_CHUNK = 100;

export type TickerFormat = 'ticker' | 'v2/ticker';

export interface PublicProtocolOptions {
  /** The new public endpoint (`ticker`). */
  url: string;
  /** The legacy endpoint (`v2/ticker`); null = no fallback. */
  legacyUrl: string | null;
  /** Start on the legacy channel (default: the new one). */
  format?: TickerFormat;
  /** Subscribe `mark_price` too (default true). */
  markPrice?: boolean;
  onTickers(tickers: DeltaTicker[], receivedAt: number): void;
  onMark(mark: DeltaMarkPrice, receivedAt: number): void;
  /** `ob_l1` tops of book (subscribed beside `ticker` on the new endpoint: a book every 100 ms on change instead of every 5 s). */
  onBook?(book: DeltaBookL1, receivedAt: number): void;
  /** Entries of a ticker frame that were refused (implausible or malformed), named. */
  onRejected?(reasons: string[]): void;
  /** End of a drain pass. */
  flush?(): void;
}

export function upgradeFailure(status: number, authenticatedBefore: boolean): Failure {
  if (status === 429) return { kind: 'connection_limit', reason: 'HTTP 429 on the upgrade: more than 150 connection attempts in 5 min from this IP' };
  if (status === 401 || status === 403) {
    return authenticatedBefore ? { kind: 'session', reason: `HTTP ${status} on the upgrade: session refused` } : { kind: 'fatal', reason: `HTTP ${status} on the upgrade: refused` };
  }
  if (status === 404) return { kind: 'fatal', reason: 'HTTP 404 on the upgrade: wrong socket URL' };
  return { kind: 'transient', reason: `HTTP ${status} on the upgrade` };
}

export class DeltaPublicProtocol implements StreamProtocol {
  /** Named like the desk's option stream (its health row). */
  readonly name = 'options';
  private ctx: ProtocolContext | null = null;
  private phase: 'subscribing' | 'ready' = 'subscribing';
  private pending = new Set<string>();
  format: TickerFormat;
  /** Switched to the legacy channel after the new one was refused (reported in health). */
  fellBack = false;
  readonly stats = { tickers: 0, marks: 0, books: 0, rejectedEntries: 0, frames: 0 };

  constructor(private readonly o: PublicProtocolOptions) {
    this.format = o.format ?? 'ticker';
  }

  url(): string {
    return this.format === 'v2/ticker' && this.o.legacyUrl ? this.o.legacyUrl : this.o.url;
  }

  headers(): Record<string, string> {
    return { 'User-Agent': 'live-desk/0.1' };
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.pending = new Set();
    const registry = ctx.registry();
    if (registry.length === 0) {
      this.phase = 'ready';
      ctx.confirmed(0);
      ctx.ready();
      return;
    }
    this.phase = 'subscribing';
    for (const s of registry) this.pending.add(s);
    this.sendChannels('subscribe', registry);
  }

  frame(frame: RawFrame, ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.stats.frames++;
    const f = parseDeltaFrame(frame.data.toString('utf8'));
    switch (f.kind) {
      case 'tickers':
        if (f.rejected.length > 0) {
          this.stats.rejectedEntries += f.rejected.length;
          for (const r of f.rejected) ctx.malformed(r);
          this.o.onRejected?.(f.rejected);
        }
        if (f.tickers.length > 0) {
          this.stats.tickers += f.tickers.length;
          ctx.tick(frame.receivedAt);
          this.o.onTickers(f.tickers, frame.receivedAt);
        }
        return;
      case 'mark':
        this.stats.marks++;
        ctx.tick(frame.receivedAt);
        this.o.onMark(f.mark, frame.receivedAt);
        return;
      case 'book':
        this.stats.books++;
        ctx.tick(frame.receivedAt);
        this.o.onBook?.(f.book, frame.receivedAt);
        return;
      case 'subscriptions':
        this.ack(f.channels, ctx);
        return;
      case 'malformed':
        ctx.malformed(f.reason);
        return;
      case 'error':
        ctx.note(`venue error: ${f.message}`);
        return;
      default:
        return; // heartbeat, pong, private frames, unknown types: activity only
    }
  }

  endOfBatch(): void {
    this.o.flush?.();
  }

  delta(added: string[], removed: string[], ctx: ProtocolContext): void {
    this.ctx = ctx;
    if (removed.length > 0) this.sendChannels('unsubscribe', removed);
    if (added.length > 0) {
      for (const s of added) this.pending.add(s);
      this.sendChannels('subscribe', added);
    }
  }

  upgradeFailure(status: number): Failure {
    if (status === 404 && this.format === 'ticker' && this.o.legacyUrl) {
      this.fellBack = true;
      this.format = 'v2/ticker';
      return { kind: 'transient', reason: 'HTTP 404 on the new public endpoint: falling back to the legacy v2/ticker channel' };
    }
    return upgradeFailure(status, false);
  }

  private sendChannels(type: 'subscribe' | 'unsubscribe', symbols: string[]): void {
    for (let i = 0; i < symbols.length; i += SUBSCRIBE_CHUNK) {
      const chunk = symbols.slice(i, i + SUBSCRIBE_CHUNK);
      const channels: { name: string; symbols: string[] }[] = [{ name: this.format, symbols: chunk }];
      if (this.o.markPrice !== false) channels.push({ name: 'mark_price', symbols: chunk.map((s) => `MARK:${s}`) });
      if (this.format === 'ticker' && this.o.onBook) channels.push({ name: 'ob_l1', symbols: chunk });
      this.ctx?.send(JSON.stringify({ type, payload: { channels } }));
    }
  }

  private ack(channels: { name: string; symbols: string[]; error: string | null }[], ctx: ProtocolContext): void {
    const tickerAck = channels.find((c) => c.name === this.format);
    if (tickerAck?.error) {
      if (this.format === 'ticker' && this.o.legacyUrl && !/symbol/i.test(tickerAck.error)) {
        // The channel itself is refused (gone or renamed): reconnect on the legacy one.
        this.fellBack = true;
        this.format = 'v2/ticker';
        ctx.fail({ kind: 'transient', reason: `the ticker channel was refused (${tickerAck.error}): falling back to v2/ticker` });
        return;
      }
      const refused = [...this.pending];
      this.pending.clear();
      ctx.refused(refused, `ticker refused: ${tickerAck.error}`);
    } else if (tickerAck) {
      for (const s of tickerAck.symbols) this.pending.delete(s);
      ctx.confirmed(ctx.registry().length - this.pending.size);
    }
    const markAck = channels.find((c) => c.name === 'mark_price');
    if (markAck?.error) ctx.note(`mark_price refused: ${markAck.error}`);
    const bookAck = channels.find((c) => c.name === 'ob_l1');
    if (bookAck?.error) ctx.note(`ob_l1 refused (books come with the 5 s ticker): ${bookAck.error}`);
    if (this.phase === 'subscribing' && (this.pending.size === 0 || tickerAck)) {
      this.phase = 'ready';
      ctx.ready();
    }
  }
}

export interface PrivateProtocolOptions {
  url: string;
  clock: Clock;
  credentials: () => DeltaCredentials | null;
  /** The fills channel: `v2/user_trades` (compact, default) or the legacy `user_trades` (with commission). */
  fillsChannel?: 'v2/user_trades' | 'user_trades';
  authenticatedBefore(): boolean;
  onAuthenticated(): void;
  onOrders(events: DeltaOrderEvent[], action: string, receivedAt: number): void;
  onPositions(positions: DeltaPositionRecord[], action: string, receivedAt: number): void;
  onFills(fills: DeltaFill[], receivedAt: number): void;
}

/** key-auth failures (§3.4) classified: refused keys are the session's (session_needed); an expired timestamp is retried; an incomplete frame is a bug. */
export function classifyAuthFailure(statusCode: number | null, status: string, message: string | null, authenticatedBefore: boolean): Failure {
  const reason = `key-auth refused: ${statusCode ?? ''} ${status}${message && message !== status ? ` (${message})` : ''}`.replace(/\s+/g, ' ').trim();
  if (statusCode === 408 || status === 'request_expired') return { kind: 'transient', reason: `${reason}: signed more than 5 s before it arrived (check the clock); retrying with a fresh signature` };
  if (statusCode === 500 || status === 'internal_server_error') return { kind: 'transient', reason };
  if (statusCode === 400 || status === 'incomplete_payload') return { kind: 'fatal', reason: `${reason}: the auth frame is incomplete (a bug)` };
  // A refused key is the session's whether or not it had worked in this run (spec §3; as over REST, so one
  // bad key is one state): the user stores a new key and re-authenticates with one click.
  return authenticatedBefore
    ? { kind: 'session', reason: `${reason}: keys that worked were refused; re-authenticate` }
    : { kind: 'session', reason: `${reason}: check the API key, secret, IP whitelist and environment (India/Global, testnet), then re-authenticate` };
}

export class DeltaPrivateProtocol implements StreamProtocol {
  /** Named like the other venues' order channel so the desk's order/fill resync applies to it. */
  readonly name = 'trade_updates';
  private ctx: ProtocolContext | null = null;
  private phase: 'authenticating' | 'subscribing' | 'ready' = 'authenticating';

  constructor(private readonly o: PrivateProtocolOptions) {}

  url(): string {
    return this.o.url;
  }

  headers(): Record<string, string> {
    return { 'User-Agent': 'live-desk/0.1' };
  }

  open(ctx: ProtocolContext): void {
    this.ctx = ctx;
    this.phase = 'authenticating';
    const creds = this.o.credentials();
    if (!creds) {
      ctx.fail({ kind: this.o.authenticatedBefore() ? 'session' : 'fatal', reason: 'no Delta API key configured' });
      return;
    }
    ctx.send(JSON.stringify(keyAuthFrame(creds, this.o.clock.now())));
  }

  frame(frame: RawFrame, ctx: ProtocolContext): void {
    this.ctx = ctx;
    const f = parseDeltaFrame(frame.data.toString('utf8'));
    switch (f.kind) {
      case 'auth':
        if (this.phase !== 'authenticating') return;
        if (f.success) {
          this.o.onAuthenticated();
          this.phase = 'subscribing';
          ctx.send(JSON.stringify({ type: 'enable_heartbeat' }));
          const channel = this.o.fillsChannel ?? 'v2/user_trades';
          ctx.send(JSON.stringify({ type: 'subscribe', payload: { channels: [{ name: 'orders', symbols: ['all'] }, { name: 'positions', symbols: ['all'] }, { name: channel, symbols: ['all'] }] } }));
        } else {
          ctx.fail(classifyAuthFailure(f.statusCode, f.status, f.message, this.o.authenticatedBefore()));
        }
        return;
      case 'subscriptions': {
        const refused = f.channels.filter((c) => c.error);
        if (refused.length > 0) {
          const reason = refused.map((c) => `${c.name}: ${c.error}`).join('; ');
          const unauthorized = refused.some((c) => /unauthori[sz]ed|forbidden/i.test(c.error ?? ''));
          ctx.fail(unauthorized ? (this.o.authenticatedBefore() ? { kind: 'session', reason: `private channels refused (${reason}); re-authenticate` } : { kind: 'fatal', reason: `private channels refused (${reason})` }) : { kind: 'transient', reason: `private channels refused (${reason})` });
          return;
        }
        if (this.phase === 'subscribing') {
          this.phase = 'ready';
          ctx.confirmed(f.channels.length);
          ctx.ready();
        }
        return;
      }
      case 'orders':
        ctx.tick(frame.receivedAt);
        this.o.onOrders(f.events, f.action, frame.receivedAt);
        return;
      case 'positions':
        ctx.tick(frame.receivedAt);
        this.o.onPositions(f.positions, f.action, frame.receivedAt);
        return;
      case 'fills':
        ctx.tick(frame.receivedAt);
        this.o.onFills(f.fills, frame.receivedAt);
        return;
      case 'malformed':
        ctx.malformed(f.reason);
        return;
      case 'error':
        ctx.note(`venue error: ${f.message}`);
        return;
      default:
        return; // heartbeat (proves liveness by arriving), pong, market frames, unknown types
    }
  }

  delta(): void {
    // The private channels are subscribed with "all": no per-symbol registry.
  }

  upgradeFailure(status: number): Failure {
    return upgradeFailure(status, this.o.authenticatedBefore());
  }
}
