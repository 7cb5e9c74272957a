/**
 * Detects critical transitions in feed health: a feed going stale beyond the threshold, a stream
 * entering `error`, a broker session expiring. Each fires once when its condition starts; it can
 * fire again only after the condition has cleared. A stale feed that becomes fresh again reports
 * its recovery (info: history only).
 *
 * Feeds are keyed by `accountId:name`: two accounts' `stocks` streams are two feeds. Another
 * account's feed is named `<account> · <name>` in its alerts; the default account's and the desk's
 * own channels keep their plain names.
 */
import { ageText, feedCondition, type FeedHealth } from './feed-health';
import type { AlertDraft } from './types';
import { DEFAULT_ACCOUNT_ID } from '../model/account';

interface Memory {
  stale: boolean;
  error: boolean;
  session: boolean;
  /** When the stream was first seen running without any event (for "never delivered" staleness). */
  waitingSince: number | null;
}

export class CriticalTransitionDetector {
  private readonly memory = new Map<string, Memory>();

  constructor(private readonly staleAfterMs: number) {}

  /** Feeds the current health; returns the alerts for conditions that just started or ended. */
  update(now: number, streaming: boolean, feeds: readonly FeedHealth[]): AlertDraft[] {
    const out: AlertDraft[] = [];
    const seen = new Set<string>();
    for (const feed of feeds) {
      const key = `${feed.accountId ?? ''}:${feed.name}`;
      seen.add(key);
      let m = this.memory.get(key);
      if (!m) {
        m = { stale: false, error: false, session: false, waitingSince: null };
        this.memory.set(key, m);
      }
      const other = feed.accountId != null && feed.accountId !== DEFAULT_ACCOUNT_ID;
      const subject = other ? `${feed.accountId}:${feed.name}` : feed.name;
      const label = other ? `${feed.accountId} · ${feed.name}` : feed.name;
      if (feed.state === 'running' && feed.lastEventAt === null) m.waitingSince ??= now;
      else m.waitingSince = null;

      const condition = feedCondition(feed, now, this.staleAfterMs, m.waitingSince);
      // A stopped desk has no feed to be stale; stopping is the user's act, not a recovery.
      const stale = streaming && condition === 'stale';
      const error = condition === 'error';
      const session = condition === 'session_needed';

      if (stale && !m.stale) {
        const age = feed.lastEventAt === null ? 'no data since it started' : `no data for ${ageText(now - feed.lastEventAt)}`;
        out.push({
          severity: 'warning',
          kind: 'feed_stale',
          subject,
          title: `Feed stale: ${label}`,
          body: `${age} (threshold ${ageText(this.staleAfterMs)}). Prices may be old; risk logic waits for fresh quotes.`,
        });
      } else if (!stale && m.stale && streaming && condition === 'fresh') {
        out.push({
          severity: 'info',
          kind: 'feed_recovered',
          subject,
          title: `Feed recovered: ${label}`,
          body: 'Fresh data is arriving again.',
        });
      }
      if (error && !m.error) {
        out.push({
          severity: 'critical',
          kind: 'stream_error',
          subject,
          title: `Stream error: ${label}`,
          body: feed.lastError ?? 'The stream stopped with an error.',
        });
      }
      if (session && !m.session) {
        out.push({
          severity: 'critical',
          kind: 'session_needed',
          subject,
          title: `Broker session needed: ${label}`,
          body: 'The session expired: new entries are stopped until you sign in again.',
        });
      }
      m.stale = stale;
      m.error = error;
      m.session = session;
    }
    for (const key of [...this.memory.keys()]) if (!seen.has(key)) this.memory.delete(key);
    return out;
  }
}
