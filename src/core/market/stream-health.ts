import type { Clock } from '../ports/clock';

/**
 * Health of one venue stream (spec §5): its state and the figures a trader needs to judge whether
 * the prices on screen can be trusted. Pure bookkeeping: the stream manager (src/node/stream)
 * reports what happened, this records it and tells listeners when the state changes.
 */
export const STREAM_STATES = ['not_started', 'connecting', 'running', 'reconnecting', 'error', 'session_needed'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/**
 * How a stream proves it is alive. `data`: market data flows all day, so silence means stale.
 * `heartbeat`: the stream is quiet by nature (trade_updates with no orders, the REST channel with
 * no calls): its liveness comes from pings/pongs, and silence is not staleness.
 */
export type StreamLiveness = 'data' | 'heartbeat';

export interface StreamHealth {
  name: string;
  state: StreamState;
  liveness: StreamLiveness;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Consecutive attempts since the stream last delivered data (drives the backoff). */
  reconnectAttempts: number;
  /** Reconnects since start (never reset while running). */
  reconnects: number;
  /** Last frame of any kind from the venue (data, control, heartbeat). */
  lastEventAt: number | null;
  /** Last market-data or order event (what "last tick age" is measured from). */
  lastTickAt: number | null;
  /** Last proof of life that is not data (a pong to our ping, a ping from the venue). */
  lastHeartbeatAt: number | null;
  queueDepth: number;
  /** Frames dropped because the bounded queue was full. */
  droppedEvents: number;
  /** Frames that failed validation (counted, logged, skipped). */
  malformedFrames: number;
  /** Symbols the app wants on this stream (the registry replayed after every reconnect). */
  subscriptions: number;
  /** Symbols the venue confirmed in its last subscription ack. */
  subscriptionsConfirmed: number;
  /** Symbols the venue refused (e.g. 405 symbol limit), newest last. */
  refusedSymbols: string[];
  /** When the next reconnect attempt is due (state `reconnecting`). */
  nextRetryAt: number | null;
  connectedAt: number | null;
}

export function initialStreamHealth(name: string, liveness: StreamLiveness = 'data'): StreamHealth {
  return {
    name,
    state: 'not_started',
    liveness,
    lastError: null,
    lastErrorAt: null,
    reconnectAttempts: 0,
    reconnects: 0,
    lastEventAt: null,
    lastTickAt: null,
    lastHeartbeatAt: null,
    queueDepth: 0,
    droppedEvents: 0,
    malformedFrames: 0,
    subscriptions: 0,
    subscriptionsConfirmed: 0,
    refusedSymbols: [],
    nextRetryAt: null,
    connectedAt: null,
  };
}

/** Age of the last tick at `nowMs`, or null when no tick has arrived. */
export function lastTickAgeMs(h: StreamHealth, nowMs: number): number | null {
  return h.lastTickAt === null ? null : nowMs - h.lastTickAt;
}

export type HealthListener = (health: StreamHealth) => void;

const MAX_REFUSED = 200;

export class StreamHealthTracker {
  private h: StreamHealth;
  private readonly listeners = new Set<HealthListener>();

  constructor(
    name: string,
    private readonly clock: Clock,
    liveness: StreamLiveness = 'data',
  ) {
    this.h = initialStreamHealth(name, liveness);
  }

  /** An immutable copy. */
  snapshot(): StreamHealth {
    return { ...this.h, refusedSymbols: [...this.h.refusedSymbols] };
  }

  get state(): StreamState {
    return this.h.state;
  }

  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connecting(): void {
    this.set('connecting', { nextRetryAt: null });
  }

  running(): void {
    this.set('running', { connectedAt: this.clock.now(), nextRetryAt: null });
  }

  reconnecting(reason: string, nextRetryAt: number): void {
    this.h.reconnectAttempts++;
    this.h.reconnects++;
    this.error_(reason);
    this.set('reconnecting', { nextRetryAt });
  }

  /** Fatal: no retry until the user changes something (e.g. 402 auth failed, 409 plan). */
  failed(reason: string): void {
    this.error_(reason);
    this.set('error', { nextRetryAt: null, connectedAt: null });
  }

  sessionNeeded(reason: string): void {
    this.error_(reason);
    this.set('session_needed', { nextRetryAt: null, connectedAt: null });
  }

  stopped(): void {
    this.set('not_started', { nextRetryAt: null, connectedAt: null, queueDepth: 0 });
  }

  /** Real data flowed: the connection is healthy, so the backoff starts over. */
  tick(at: number): void {
    this.h.lastTickAt = at;
    this.h.lastEventAt = at;
    this.h.reconnectAttempts = 0;
  }

  resetAttempts(): void {
    this.h.reconnectAttempts = 0;
  }

  frame(at: number): void {
    this.h.lastEventAt = at;
  }

  /** A pong (or a ping from the venue) proved the connection alive. */
  heartbeat(at: number): void {
    this.h.lastHeartbeatAt = at;
  }

  malformed(): void {
    this.h.malformedFrames++;
  }

  dropped(n = 1): void {
    this.h.droppedEvents += n;
  }

  queueDepth(depth: number): void {
    this.h.queueDepth = depth;
  }

  subscriptions(desired: number, confirmed?: number): void {
    this.h.subscriptions = desired;
    if (confirmed !== undefined) this.h.subscriptionsConfirmed = confirmed;
  }

  refused(symbols: readonly string[], reason: string): void {
    this.h.refusedSymbols = [...this.h.refusedSymbols, ...symbols].slice(-MAX_REFUSED);
    this.error_(reason);
    this.emit();
  }

  /** Records a non-fatal error (shown as last error) without changing the state. */
  noteError(reason: string): void {
    this.error_(reason);
    this.emit();
  }

  private error_(reason: string): void {
    this.h.lastError = reason;
    this.h.lastErrorAt = this.clock.now();
  }

  private set(state: StreamState, patch: Partial<StreamHealth>): void {
    this.h = { ...this.h, ...patch, state };
    this.emit();
  }

  private emit(): void {
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}
