/**
 * The Replay page's words and pure helpers (issue 21): times of the replayed day (UTC: the
 * simulated venue's zone, which a replay runs in), speeds, the feed appended, results compared.
 */
import type { ReplayFeedItem, ReplayPnlPointWire, ReplayResultWire, ReplaySavedWire, ReplaySpeedWire, ReplayStatusWire } from '@shared/replay';

export const SPEED_LABEL: Record<ReplaySpeedWire, string> = { '1': '1×', '10': '10×', '100': '100×', max: 'max' };

/** HH:MM:SS UTC of a replayed instant ("—" when none). */
export function dayClock(t: number | null | undefined): string {
  if (t === null || t === undefined) return '—';
  return `${new Date(t).toISOString().slice(11, 19)} UTC`;
}

/** The time input's value (HH:MM) → epoch ms on the day of `dayStart`; null when not a time. */
export function timeOnDay(dayStart: number, hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  const d = new Date(dayStart);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, min);
}

export interface ReplayView {
  run: number;
  status: ReplayStatusWire | null;
  points: ReplayPnlPointWire[];
  feed: ReplayFeedItem[];
}

export const EMPTY_VIEW: ReplayView = { run: -1, status: null, points: [], feed: [] };

/** Keeps at most this many feed items (newest kept). */
export const MAX_FEED = 2_000;

/** A status appended to the view: a new run starts the curve and the feed over. */
export function applyStatus(view: ReplayView, s: ReplayStatusWire): ReplayView {
  const fresh = s.run !== view.run;
  const points = fresh ? s.points : view.points.concat(s.points);
  const feed = (fresh ? s.feed : view.feed.concat(s.feed)).slice(-MAX_FEED);
  return { run: s.run, status: s, points, feed };
}

/** What the view asks for next: the points and feed items after the ones it has (all of a new run). */
export function sinceOf(view: ReplayView): { since_points: number; since_feed: number } {
  return { since_points: view.status?.points_total ?? 0, since_feed: view.status?.feed_total ?? 0 };
}

/** Decimal difference a − b of two exact decimals (as numbers to 2 places for display); null when either is unknown. */
export function diff(a: string | null, b: string | null): number | null {
  if (a === null || b === null) return null;
  return Math.round((Number(a) - Number(b)) * 100) / 100;
}

/** A saved result compared with a baseline: same stream (hash), P&L and trades differences. */
export function compare(r: ReplayResultWire, base: ReplaySavedWire | null): { same: boolean | null; pnl: number | null; trades: number | null } {
  if (!base) return { same: null, pnl: null, trades: null };
  return { same: r.hash === base.hash, pnl: diff(r.total_pnl, base.total_pnl), trades: r.trades - base.trades };
}
