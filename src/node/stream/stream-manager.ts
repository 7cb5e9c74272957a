/**
 * One venue stream kept alive: connect, authenticate and subscribe through a protocol driver,
 * detect silent sockets, reconnect with full-jitter backoff, replay the subscription registry.
 *
 * Socket callbacks only *enqueue* raw frames into a bounded queue (drop-oldest on overflow, counted)
 * and return; a drain loop decodes and dispatches them on later turns of the event loop, a bounded
 * number per turn, so a flood of quotes never starves timers, the UI server or other sockets.
 */
import type { Cancel, Clock, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../../core/ports/logger';
import { fullJitterDelay, type BackoffPolicy } from '../../core/market/backoff';
import { StreamHealthTracker, type StreamHealth, type StreamLiveness } from '../../core/market/stream-health';
import { BoundedQueue } from './bounded-queue';
import type { SocketFactory, StreamSocket } from './socket';

export interface RawFrame {
  data: Buffer;
  isBinary: boolean;
  receivedAt: number;
  /** The connection the frame arrived on: frames of a closed connection are discarded. */
  conn: number;
}

/** How a connection ended, decided by the protocol (venue error codes) or the manager (timeouts). */
export type Failure =
  /** Retry with backoff. */
  | { kind: 'transient'; reason: string }
  /** The venue says another session holds the slot (Alpaca 406): wait out the window, then retry. */
  | { kind: 'connection_limit'; reason: string }
  /** Configuration or entitlement problem (Alpaca 402, 409, 412): stop and say why. */
  | { kind: 'fatal'; reason: string }
  /** Credentials that worked were refused: the user must re-authenticate. */
  | { kind: 'session'; reason: string };

export interface ProtocolContext {
  send(data: string | Uint8Array): void;
  /** Authenticated and subscribed: the stream is running. */
  ready(): void;
  /** The subscription registry (what to replay after a reconnect). */
  registry(): string[];
  /** A data event (quote, trade, order update) arrived: proves the feed is alive. */
  tick(at: number): void;
  malformed(reason: string): void;
  confirmed(count: number): void;
  /** The venue refused these symbols; they are taken out of the registry so replays do not repeat it. */
  refused(symbols: string[], reason: string): void;
  /** Records a non-fatal problem as the stream's last error. */
  note(reason: string): void;
  /** Ends this connection with the given classification. */
  fail(failure: Failure): void;
  /** The id of the connection this context belongs to. */
  readonly conn: number;
}

export interface StreamProtocol {
  readonly name: string;
  url(): string;
  headers(): Record<string, string>;
  /** A fresh connection opened: reset per-connection state (and send auth if the venue expects it first). */
  open(ctx: ProtocolContext): void;
  frame(frame: RawFrame, ctx: ProtocolContext): void;
  /** The registry changed while the session is ready: send the delta. */
  delta(added: string[], removed: string[], ctx: ProtocolContext): void;
  /** An HTTP status on the upgrade (e.g. 401/403/429) mapped to a failure. */
  upgradeFailure?(status: number): Failure;
  /** Called after each drain pass (to flush per-pass coalesced quotes). */
  endOfBatch?(): void;
}

export interface StreamManagerOptions {
  protocol: StreamProtocol;
  clock: Clock & Scheduler;
  socketFactory: SocketFactory;
  logger?: Logger;
  /** Uniform [0,1) source for the backoff jitter (injected for deterministic tests). */
  random?: () => number;
  backoff?: BackoffPolicy;
  /** No frame of any kind for this long forces a reconnect (0 disables; default 15 s). */
  dataTimeoutMs?: number;
  /** Connect + auth + subscribe must complete within this (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Client pings; a missing pong within `pongTimeoutMs` kills the socket (0 disables; default 10 s). */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** After a 406 connection-limit refusal, wait at least this long (default 90 s, Alpaca's stale-slot window). */
  connectionLimitWindowMs?: number;
  /** A connection that was ready at least this long resets the backoff when it drops (default 30 s). */
  stableAfterMs?: number;
  queueCapacity?: number;
  /** Frames handled per drain turn before yielding to the event loop (default 256). */
  drainBatch?: number;
  /** Schedules the next drain turn (default setImmediate). */
  defer?: (fn: () => void) => Cancel;
  /** A graceful close that takes longer than this is turned into a terminate (default 1 s). */
  closeTimeoutMs?: number;
  /**
   * `data` (default): the stream's data proves it alive and a data message resets the backoff.
   * `heartbeat`: a quiet stream (trade_updates): pings prove it alive, and being authenticated and
   * listening resets the backoff — it may never see a data message.
   */
  liveness?: StreamLiveness;
  /**
   * What the data timeout measures silence of: `frame` (default) any frame; `data` only data events
   * (`ctx.tick`), so a venue that keeps sending heartbeats or pongs as text frames while its data
   * has stopped (Delta's silent stall) is still caught.
   */
  dataTimeoutBasis?: 'frame' | 'data';
}

const defaultDefer = (fn: () => void): Cancel => {
  const t = setImmediate(fn);
  return () => clearImmediate(t);
};

interface Connection {
  id: number;
  /** Made once per connection (not per frame: the drain loop is hot). */
  ctx: ProtocolContext | null;
  socket: StreamSocket | null;
  failure: Failure | null;
  readyAt: number | null;
  closed: boolean;
  onClosed: (() => void) | null;
}

export class StreamManager {
  readonly name: string;
  private readonly o: Required<Omit<StreamManagerOptions, 'logger'>> & { logger: Logger };
  private readonly health: StreamHealthTracker;
  private readonly queue: BoundedQueue<RawFrame>;
  private readonly desired = new Set<string>();
  private conn: Connection | null = null;
  private connSeq = 0;
  private running = false;
  private everReady = false;
  private lastFrameAt = 0;
  private lastPingAt = 0;
  private awaitingPong = false;
  private lastMalformedLogAt = Number.NEGATIVE_INFINITY;
  private malformedSuppressed = 0;
  private drainCancel: Cancel | null = null;
  private retryTimer: Cancel | null = null;
  private handshakeTimer: Cancel | null = null;
  private dataTimer: Cancel | null = null;
  private pingTimer: Cancel | null = null;
  private readyListeners = new Set<(reconnected: boolean) => void>();
  private failureListeners = new Set<(f: Failure) => void>();

  constructor(opts: StreamManagerOptions) {
    this.o = {
      random: Math.random,
      backoff: { baseMs: 1000, capMs: 30_000 },
      dataTimeoutMs: 15_000,
      handshakeTimeoutMs: 10_000,
      pingIntervalMs: 10_000,
      pongTimeoutMs: 5_000,
      connectionLimitWindowMs: 90_000,
      stableAfterMs: 30_000,
      queueCapacity: 10_000,
      drainBatch: 256,
      defer: defaultDefer,
      closeTimeoutMs: 1000,
      liveness: 'data',
      dataTimeoutBasis: 'frame',
      ...opts,
      logger: opts.logger ?? silentLogger,
    };
    this.name = opts.protocol.name;
    this.health = new StreamHealthTracker(this.name, this.o.clock, this.o.liveness);
    this.queue = new BoundedQueue(this.o.queueCapacity);
  }

  // ---------- lifecycle ----------

  /** Idempotent: a running (or retrying) manager is left alone. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.everReady = false;
    this.health.connecting();
    this.connect();
  }

  /** Idempotent. Closes the socket gracefully (terminating it after `closeTimeoutMs`) and cancels every timer. */
  async stop(): Promise<void> {
    if (!this.running && this.conn === null && this.health.state === 'not_started') return;
    this.running = false;
    this.cancelTimers();
    this.drainCancel?.();
    this.drainCancel = null;
    this.queue.clear();
    const conn = this.conn;
    this.conn = null;
    if (conn && !conn.closed && conn.socket) {
      const socket = conn.socket;
      await new Promise<void>((resolve) => {
        // A peer that ignores the close handshake is terminated; stop never waits longer than this.
        const kill = this.o.clock.setTimeout(() => {
          socket.terminate();
          resolve();
        }, this.o.closeTimeoutMs);
        conn.onClosed = () => {
          kill();
          resolve();
        };
        socket.close(1000, 'client stopping');
      });
    }
    this.health.stopped();
  }

  /** Stop then start (e.g. after a configuration change or a re-authentication). */
  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  /**
   * Applies new tuning. Settings that only matter for the next connection (backoff, windows) take
   * effect at once; if the stream is running and a connection-level setting changed (timeouts,
   * keepalive, queue), the stream restarts so the new values apply. Returns whether it restarted.
   */
  async reconfigure(patch: Partial<Pick<StreamManagerOptions, 'backoff' | 'dataTimeoutMs' | 'handshakeTimeoutMs' | 'pingIntervalMs' | 'pongTimeoutMs' | 'connectionLimitWindowMs' | 'stableAfterMs' | 'drainBatch'>>): Promise<boolean> {
    const connectionLevel = ['dataTimeoutMs', 'handshakeTimeoutMs', 'pingIntervalMs', 'pongTimeoutMs', 'drainBatch'] as const;
    const changed = connectionLevel.some((k) => patch[k] !== undefined && patch[k] !== this.o[k]);
    Object.assign(this.o, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    if (changed && this.running) {
      await this.restart();
      return true;
    }
    return false;
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---------- subscriptions ----------

  subscribe(symbols: readonly string[]): void {
    const added = symbols.filter((s) => !this.desired.has(s));
    for (const s of added) this.desired.add(s);
    this.health.subscriptions(this.desired.size);
    if (added.length > 0 && this.isReady()) this.o.protocol.delta(added, [], this.ctx(this.conn!));
  }

  unsubscribe(symbols: readonly string[]): void {
    const removed = symbols.filter((s) => this.desired.delete(s));
    this.health.subscriptions(this.desired.size);
    if (removed.length > 0 && this.isReady()) this.o.protocol.delta([], removed, this.ctx(this.conn!));
  }

  symbols(): string[] {
    return [...this.desired];
  }

  // ---------- observation ----------

  snapshot(): StreamHealth {
    this.health.queueDepth(this.queue.length);
    return this.health.snapshot();
  }

  onHealth(listener: (h: StreamHealth) => void): () => void {
    return this.health.onChange(listener);
  }

  /** Fires each time the stream becomes ready; `reconnected` is true after the first time. */
  onReady(listener: (reconnected: boolean) => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  onFailure(listener: (f: Failure) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Pending timers, for leak checks. */
  get timersPending(): number {
    return [this.retryTimer, this.handshakeTimer, this.dataTimer, this.pingTimer, this.drainCancel].filter((t) => t !== null).length;
  }

  // ---------- internals ----------

  private isReady(): boolean {
    return this.conn !== null && this.conn.readyAt !== null && !this.conn.closed && this.conn.failure === null;
  }

  private connect(): void {
    const conn: Connection = { id: ++this.connSeq, ctx: null, socket: null, failure: null, readyAt: null, closed: false, onClosed: null };
    this.conn = conn;
    this.awaitingPong = false;
    this.handshakeTimer = this.o.clock.setTimeout(() => {
      this.handshakeTimer = null;
      this.failConn(conn, { kind: 'transient', reason: `handshake did not complete within ${this.o.handshakeTimeoutMs} ms` });
    }, this.o.handshakeTimeoutMs);
    try {
      conn.socket = this.o.socketFactory(this.o.protocol.url(), this.o.protocol.headers(), {
        open: () => {
          if (this.conn !== conn) return;
          this.lastFrameAt = this.o.clock.now();
          this.o.protocol.open(this.ctx(conn));
        },
        message: (data, isBinary) => {
          // Only enqueue: no parsing, no listeners, nothing that can block or throw here.
          const at = this.o.clock.now();
          if (this.o.dataTimeoutBasis === 'frame') this.lastFrameAt = at;
          if (this.queue.push({ data, isBinary, receivedAt: at, conn: conn.id })) this.health.dropped();
          if (this.drainCancel === null) this.drainCancel = this.o.defer(() => this.drain());
        },
        ping: () => {
          const at = this.o.clock.now();
          if (this.o.dataTimeoutBasis === 'frame') this.lastFrameAt = at;
          this.health.heartbeat(at);
        },
        pong: () => {
          // A pong proves only the TCP path, not the feed (alpaca.md pitfall 3): it does not reset the data timeout.
          this.awaitingPong = false;
          this.health.heartbeat(this.o.clock.now());
        },
        error: (err) => {
          if (this.conn === conn && conn.failure === null) conn.failure = { kind: 'transient', reason: `socket error: ${err.message}` };
        },
        unexpectedResponse: (status) => {
          if (conn.failure !== null) return;
          conn.failure = this.o.protocol.upgradeFailure?.(status) ?? { kind: 'transient', reason: `HTTP ${status} on the WebSocket upgrade` };
        },
        close: (code, reason) => this.onClose(conn, code, reason),
      });
    } catch (err) {
      conn.failure = { kind: 'transient', reason: `cannot open socket: ${err instanceof Error ? err.message : String(err)}` };
      this.onClose(conn, 1006, '');
    }
  }

  private ctx(conn: Connection): ProtocolContext {
    if (conn.ctx) return conn.ctx;
    conn.ctx = {
      conn: conn.id,
      send: (data) => {
        if (this.conn === conn && !conn.closed) conn.socket?.send(data);
      },
      ready: () => this.becameReady(conn),
      registry: () => [...this.desired],
      tick: (at) => {
        if (this.o.dataTimeoutBasis === 'data' && at > this.lastFrameAt) this.lastFrameAt = at;
        this.health.tick(at);
      },
      malformed: (reason) => {
        this.health.malformed();
        // A hostile or broken peer can send thousands of bad frames: log at most one per second.
        const now = this.o.clock.now();
        if (now - this.lastMalformedLogAt >= 1000) {
          this.o.logger.warn('malformed frame', { stream: this.name, reason, suppressedSinceLast: this.malformedSuppressed });
          this.lastMalformedLogAt = now;
          this.malformedSuppressed = 0;
        } else this.malformedSuppressed++;
      },
      confirmed: (count) => this.health.subscriptions(this.desired.size, count),
      refused: (symbols, reason) => {
        for (const s of symbols) this.desired.delete(s);
        this.health.subscriptions(this.desired.size);
        this.health.refused(symbols, reason);
        this.o.logger.warn('symbols refused by the venue', { stream: this.name, reason, symbols: symbols.slice(0, 20) });
      },
      note: (reason) => this.health.noteError(reason),
      fail: (failure) => this.failConn(conn, failure),
    };
    return conn.ctx;
  }

  private becameReady(conn: Connection): void {
    if (this.conn !== conn || conn.readyAt !== null) return;
    conn.readyAt = this.o.clock.now();
    this.handshakeTimer?.();
    this.handshakeTimer = null;
    const reconnected = this.everReady;
    this.everReady = true;
    // A quiet stream may never see a data message: authenticated and listening is its proof of a
    // healthy connection, so the backoff starts over here (not after a 30 s stable run).
    if (this.o.liveness === 'heartbeat') this.health.resetAttempts();
    this.health.running();
    this.armDataTimer();
    this.armPing(conn);
    for (const l of this.readyListeners) l(reconnected);
  }

  private failConn(conn: Connection, failure: Failure): void {
    if (this.conn !== conn || conn.closed) return;
    if (conn.failure === null) conn.failure = failure;
    // terminate, not close: the peer may be stalled and never answer a close handshake
    if (conn.socket) conn.socket.terminate();
    else this.onClose(conn, 1006, '');
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.onClosed?.();
    if (this.conn !== conn) return; // a stopped or superseded connection
    this.cancelTimers();
    this.conn = null;
    if (!this.running) return;
    const failure = conn.failure ?? { kind: 'transient', reason: `socket closed by the venue (${code}${reason ? ` ${reason}` : ''})` };
    for (const l of this.failureListeners) l(failure);
    this.o.logger.warn('stream connection ended', { stream: this.name, kind: failure.kind, reason: failure.reason });
    if (failure.kind === 'fatal') {
      this.running = false;
      this.health.failed(failure.reason);
      return;
    }
    if (failure.kind === 'session') {
      this.running = false;
      this.health.sessionNeeded(failure.reason);
      return;
    }
    if (conn.readyAt !== null && this.o.clock.now() - conn.readyAt >= this.o.stableAfterMs) {
      this.health.resetAttempts(); // a long healthy run starts the backoff over
    }
    const attempt = this.health.snapshot().reconnectAttempts;
    let delay = fullJitterDelay(attempt, this.o.backoff, this.o.random);
    if (failure.kind === 'connection_limit') delay = Math.max(delay, this.o.connectionLimitWindowMs);
    this.health.reconnecting(failure.reason, this.o.clock.now() + delay);
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.connect();
    }, delay);
  }

  private drain(): void {
    this.drainCancel = null;
    const conn = this.conn;
    let n = 0;
    while (n < this.o.drainBatch) {
      const frame = this.queue.shift();
      if (frame === undefined) break;
      n++;
      if (conn === null || frame.conn !== conn.id || conn.closed) continue; // from a connection that is gone
      this.health.frame(frame.receivedAt);
      try {
        this.o.protocol.frame(frame, this.ctx(conn));
      } catch (err) {
        // A protocol bug must not kill the stream: count it like a malformed frame.
        this.health.malformed();
        this.o.logger.error('frame handler failed', { stream: this.name, message: err instanceof Error ? err.message : String(err) });
      }
    }
    try {
      this.o.protocol.endOfBatch?.();
    } catch (err) {
      this.o.logger.error('batch flush failed', { stream: this.name, message: err instanceof Error ? err.message : String(err) });
    }
    if (this.queue.length > 0 && this.running) this.drainCancel = this.o.defer(() => this.drain());
  }

  /** Lazy watchdog: one timer per timeout period, re-armed for the remaining time when frames arrived. */
  private armDataTimer(): void {
    if (this.o.dataTimeoutMs <= 0) return;
    const conn = this.conn;
    const check = () => {
      this.dataTimer = null;
      if (this.conn !== conn || conn === null) return;
      const silent = this.o.clock.now() - this.lastFrameAt;
      if (silent >= this.o.dataTimeoutMs) {
        this.failConn(conn, { kind: 'transient', reason: `no data for ${silent} ms (data timeout ${this.o.dataTimeoutMs} ms)` });
        return;
      }
      this.dataTimer = this.o.clock.setTimeout(check, this.o.dataTimeoutMs - silent);
    };
    this.dataTimer = this.o.clock.setTimeout(check, Math.max(0, this.o.dataTimeoutMs - (this.o.clock.now() - this.lastFrameAt)));
  }

  private armPing(conn: Connection): void {
    if (this.o.pingIntervalMs <= 0) return;
    this.lastPingAt = this.o.clock.now();
    this.pingTimer = this.o.clock.setInterval(() => {
      if (this.conn !== conn || conn.closed) return;
      const since = this.o.clock.now() - this.lastPingAt;
      if (this.awaitingPong) {
        if (since >= this.o.pongTimeoutMs) this.failConn(conn, { kind: 'transient', reason: `no pong within ${this.o.pongTimeoutMs} ms` });
        return;
      }
      if (since >= this.o.pingIntervalMs) {
        this.awaitingPong = true;
        this.lastPingAt = this.o.clock.now();
        conn.socket?.ping();
      }
    }, Math.max(1, Math.min(this.o.pingIntervalMs, this.o.pongTimeoutMs)));
  }

  private cancelTimers(): void {
    for (const t of [this.retryTimer, this.handshakeTimer, this.dataTimer, this.pingTimer]) t?.();
    this.retryTimer = this.handshakeTimer = this.dataTimer = this.pingTimer = null;
  }
}
