/**
 * One account's running state: its venue (market-data + execution ports, built by the registry at
 * Start), whether its start failed, and its health records — the rows of its channels, what was
 * last known of each after Stop, and today's reconnect counts across runs. Its session is its
 * execution port's; its kill switch level is the desk's kill switch for its id.
 *
 * The desk holds one per held account, the default account's first, and runs them all while
 * streaming (docs/venues-and-accounts.md, "Running every held account at once").
 */
import { lastTickAgeMs, type StreamHealth } from '../../core/market/stream-health';
import type { AccountId } from '../../core/model/ids';
import type { VenueSessionState } from '../../core/ports/venue';
import type { StreamHealthWire } from '../../shared/contract';
import type { AccountVenue } from '../venues/registry';

/** The venue channels every account shows a row for, running or not (the REST row once known). */
export const VENUE_STREAM_NAMES = ['stocks', 'options', 'trade_updates'] as const;

export class AccountRuntime {
  /** The running venue (null before Start / after Stop). */
  private current: AccountVenue | null = null;
  private error: { message: string; at: number } | null = null;
  /** The last known health of each channel, kept across Stop (state aside). */
  private readonly lastKnown = new Map<string, StreamHealthWire>();
  /** Reconnects of earlier runs today, per channel (cumulative for the day). */
  private reconnectDay: { day: string; base: Map<string, number> } = { day: '', base: new Map() };

  constructor(readonly accountId: AccountId) {}

  get venue(): AccountVenue | null {
    return this.current;
  }

  /** Its execution port's session; null when not running. */
  session(): VenueSessionState | null {
    return this.current?.execution.sessionState() ?? null;
  }

  get startError(): string | null {
    return this.error?.message ?? null;
  }

  attach(venue: AccountVenue): void {
    this.current = venue;
  }

  /** Stop: keeps what was last known of each channel (last event, last error and its time, counts) and hands the venue back to dispose. */
  detach(now: number): AccountVenue | null {
    const venue = this.current;
    this.current = null;
    if (!venue) return null;
    const base = this.reconnectsBase(now);
    for (const h of healthOf(venue)) {
      this.lastKnown.set(h.name, this.wireOf(h, now));
      base.set(h.name, (base.get(h.name) ?? 0) + h.reconnects);
    }
    const rest = this.restRow(venue);
    if (rest) this.lastKnown.set('rest', rest);
    return venue;
  }

  /** Start failed: every channel row says why until the next Start. */
  failed(message: string, at: number): void {
    this.error = { message, at };
  }

  clearError(): void {
    this.error = null;
  }

  /** This account's health rows now: its channels (running, last known, or never started) and REST. */
  rows(now: number): StreamHealthWire[] {
    const health: StreamHealth[] = this.current ? healthOf(this.current) : [];
    const err = this.error;
    const rows = channelNames(health.length > 0 ? health : [...this.lastKnown.values()]).map((name): StreamHealthWire => {
      const h = health.find((x) => x.name === name);
      if (h) return this.wireOf(h, now);
      const known = this.lastKnown.get(name);
      if (known) {
        // Stopped: the last known figures stay (what happened before Stop is still true).
        return {
          ...known,
          state: err ? 'error' : 'not_started',
          lastError: err?.message ?? known.lastError,
          lastErrorAt: err ? (err.at ?? known.lastErrorAt ?? null) : (known.lastErrorAt ?? null),
          reconnects: this.reconnectsBase(now).get(name) ?? 0,
          reconnectAttempts: 0,
          queueDepth: 0,
          nextRetryAt: null,
          connectedAt: null,
          lastTickAgeMs: known.lastTickAt === null || known.lastTickAt === undefined ? null : now - known.lastTickAt,
        };
      }
      return {
        name,
        accountId: this.accountId,
        state: err ? 'error' : 'not_started',
        lastError: err?.message ?? null,
        lastErrorAt: err ? err.at : null,
        reconnectAttempts: 0,
        reconnects: this.reconnectsBase(now).get(name) ?? 0,
        lastEventAt: null,
        queueDepth: 0,
        droppedEvents: 0,
        subscriptions: 0,
        liveness: name === 'trade_updates' || name === 'order_updates' ? 'heartbeat' : 'data',
      };
    });
    const restNow = this.current ? this.restRow(this.current) : null;
    if (restNow) rows.push(restNow);
    else if (!this.current) {
      const rest = this.lastKnown.get('rest');
      if (rest) rows.push({ ...rest, state: 'not_started' });
    }
    return rows;
  }

  /** Reconnects of stopped venues today, per channel (the running venue's own count is added on top). */
  private reconnectsBase(now: number): Map<string, number> {
    const day = dayOf(now);
    if (this.reconnectDay.day !== day) this.reconnectDay = { day, base: new Map() };
    return this.reconnectDay.base;
  }

  private wireOf(h: StreamHealth, now: number): StreamHealthWire {
    return {
      name: h.name,
      accountId: this.accountId,
      state: h.state,
      lastError: h.lastError,
      lastErrorAt: h.lastErrorAt,
      reconnectAttempts: h.reconnectAttempts,
      reconnects: (this.reconnectsBase(now).get(h.name) ?? 0) + h.reconnects,
      lastEventAt: h.lastEventAt,
      queueDepth: h.queueDepth,
      droppedEvents: h.droppedEvents,
      subscriptions: h.subscriptions,
      subscriptionsConfirmed: h.subscriptionsConfirmed,
      lastTickAt: h.lastTickAt,
      lastTickAgeMs: lastTickAgeMs(h, now),
      malformedFrames: h.malformedFrames,
      nextRetryAt: h.nextRetryAt,
      connectedAt: h.connectedAt,
      liveness: h.liveness,
      lastHeartbeatAt: h.lastHeartbeatAt,
    };
  }

  /**
   * REST is a channel too: `session_needed` only when a REST call itself was refused (HTTP 401, or
   * 403 on a trading read) — streams refused at auth do not make it so. It is quiet by nature (no
   * calls, no events): its liveness is not judged by data.
   */
  private restRow(venue: AccountVenue): StreamHealthWire | null {
    const r = venue.execution.restHealth();
    if (!r) return null;
    return {
      name: 'rest',
      accountId: this.accountId,
      state: r.sessionRefused ? 'session_needed' : 'running',
      lastError: r.lastError,
      lastErrorAt: r.lastErrorAt,
      reconnectAttempts: 0,
      // Every successful REST call (the tracker's fallback refreshes included) is an event of this channel.
      lastEventAt: r.lastOkAt,
      queueDepth: 0,
      droppedEvents: 0,
      subscriptions: 0,
      liveness: 'heartbeat',
    };
  }
}

/** Every channel of an account's venue: its market data's and its execution's. */
/**
 * The channels an account shows rows for: the Alpaca protocol's three (running or not), or — for a
 * venue whose channels are named otherwise (SmartAPI's feed-1…3 and order_updates) — the ones it
 * reports (or reported before Stop).
 */
function channelNames(known: readonly { name: string }[]): readonly string[] {
  const own = known.map((h) => h.name).filter((n) => n !== 'rest');
  const fixed: readonly string[] = VENUE_STREAM_NAMES;
  return own.some((n) => !fixed.includes(n)) ? own : VENUE_STREAM_NAMES;
}

function healthOf(venue: AccountVenue): StreamHealth[] {
  return [...venue.marketData.health(), ...venue.execution.health()];
}

/** UTC day of `at` ("2026-12-06"): reconnect counts are per day. */
function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
