/**
 * Feed conditions derived from a stream's health record. Shared by the alert detector (desk) and
 * the tray (shell) so both call a feed stale at the same moment.
 */

import type { StreamState } from '../market/stream-health';

/** A feed's state is its stream's state (one definition: market/stream-health.ts). */
export type FeedState = StreamState;

export interface FeedHealth {
  name: string;
  /** Whose feed (a venue channel of an account); absent for the desk's own channels (the ledger). */
  accountId?: string | null;
  state: FeedState;
  lastError: string | null;
  lastEventAt: number | null;
  /**
   * `heartbeat`: a quiet stream (trade_updates with no orders, the REST channel with no calls):
   * silence is normal, its liveness is the stream manager's ping/pong (a dead socket moves it to
   * `reconnecting`), so a running one is never stale. Absent means `data`.
   */
  liveness?: 'data' | 'heartbeat';
}

export type FeedCondition = 'idle' | 'fresh' | 'waiting' | 'stale' | 'reconnecting' | 'error' | 'session_needed';

/** Default: a feed silent for 10 s while running is stale (quotes themselves go stale at 5 s). */
export const DEFAULT_FEED_STALE_MS = 10_000;

/**
 * `since` is when the stream was first seen running without data (the detector tracks it); a
 * running stream that never delivered anything becomes stale once that long has passed too.
 */
export function feedCondition(feed: FeedHealth, now: number, staleAfterMs: number, since: number | null = null): FeedCondition {
  switch (feed.state) {
    case 'not_started':
      return 'idle';
    case 'connecting':
    case 'reconnecting':
      return 'reconnecting';
    case 'error':
      return 'error';
    case 'session_needed':
      return 'session_needed';
    case 'running': {
      if (feed.liveness === 'heartbeat') return 'fresh';
      const last = feed.lastEventAt ?? since;
      if (last === null) return 'waiting';
      return now - last > staleAfterMs ? 'stale' : 'fresh';
    }
  }
}

/** Whole seconds, for humans ("12 s"). */
export function ageText(ms: number): string {
  return `${Math.max(0, Math.floor(ms / 1000))} s`;
}
