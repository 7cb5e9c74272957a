/**
 * One freshness story for every place that tells it (issue 12 item 6): the header, the stream
 * health panel, a structure's age and a quote's age use these pure functions, so none of them says
 * "running" or "fresh" while another says stale.
 */
import { DEFAULT_ACCOUNT_ID, type StreamHealthWire, type SubscriptionPlanWire } from '@shared/contract';
import { formatAge, formatClock } from '../format/format';
import { streamStateStyle, worstStreamState } from './stream-state';

// ---------- quotes ----------

/** "not subscribed: over the limit of 250" — a symbol the plan left out has no stream behind it. */
export function notSubscribedText(limit: number): string {
  return `not subscribed: over the limit of ${limit}`;
}

/** Symbols the plan left out, as a set (empty when not streaming). */
export function omittedSet(plan: SubscriptionPlanWire | null): ReadonlySet<string> {
  return new Set(plan?.omitted ?? []);
}

export interface LegQuote {
  symbol: string;
  /** Server-clock receive time of the leg's quote, null when there is none. */
  receivedAt: number | null;
}

export type StructureAgeLevel = 'fresh' | 'aging' | 'stale' | 'not_subscribed';

/**
 * A structure's age: the oldest leg's when every leg is fresh; otherwise what is wrong, counted —
 * "stale (2 legs, oldest 7.2s)", "no quote (1 leg)", or the legs the plan left out. `text` is the
 * full sentence (the chip's tooltip); `short` fits the table's AGE column ("stale (2 legs)").
 */
export function structureAge(legs: readonly LegQuote[], serverNow: number, staleMs: number, omitted: ReadonlySet<string>, limit: number | null): { level: StructureAgeLevel; text: string; short: string } {
  const out = legs.filter((l) => omitted.has(l.symbol));
  if (out.length > 0) return { level: 'not_subscribed', text: `${notSubscribedText(limit ?? 0)} (${plural(out.length, 'leg')})`, short: `not subscribed (${legs_(out.length)})` };
  let oldest: number | null = null;
  let stale = 0;
  let missing = 0;
  let oldestStale: number | null = null;
  for (const l of legs) {
    if (l.receivedAt === null) {
      missing++;
      continue;
    }
    const age = serverNow - l.receivedAt;
    if (oldest === null || age > oldest) oldest = age;
    if (age > staleMs) {
      stale++;
      if (oldestStale === null || age > oldestStale) oldestStale = age;
    }
  }
  if (stale > 0) return { level: 'stale', text: `stale (${plural(stale + missing, 'leg')}, oldest ${formatAge(oldestStale)})`, short: `stale (${legs_(stale + missing)})` };
  if (missing > 0) return { level: 'stale', text: `no quote (${plural(missing, 'leg')})`, short: `no quote (${legs_(missing)})` };
  if (oldest === null) return { level: 'stale', text: 'no legs', short: 'no legs' };
  const age = formatAge(oldest);
  return { level: oldest > staleMs / 2 ? 'aging' : 'fresh', text: age, short: age };
}

/** "2\u00a0legs": the count never wraps away from its noun. */
function legs_(n: number): string {
  return plural(n, 'leg').replace(' ', '\u00a0');
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

// ---------- streams ----------

/** When the stream last delivered data (market data or order events; heartbeats excluded). */
export function lastDataOf(s: StreamHealthWire): number | null {
  return s.lastTickAt ?? s.lastEventAt;
}

export type StreamFreshness =
  /** running and delivering (or quiet by nature) */
  | { kind: 'fresh' }
  /** running, but no event has arrived since it connected */
  | { kind: 'waiting' }
  /** running, but its data is older than the stale threshold: what is on screen may be old */
  | { kind: 'stale'; silentMs: number }
  /** not running: the state says what it is */
  | { kind: 'not_running' };

/**
 * Whether a running stream's data can be trusted now. A data stream (stocks, options) silent past
 * the quote stale threshold is stale — the same threshold the stale banner uses, so the panel never
 * says "running" under the banner. A quiet stream (trade_updates, rest) is never stale by silence.
 */
export function streamFreshness(s: StreamHealthWire, serverNow: number, staleMs: number): StreamFreshness {
  if (s.state !== 'running') return { kind: 'not_running' };
  const last = lastDataOf(s);
  if (s.liveness === 'heartbeat') return last === null ? { kind: 'waiting' } : { kind: 'fresh' };
  if (s.lastTickAt === null || s.lastTickAt === undefined) {
    // no data yet: waiting, until that has lasted longer than the threshold since it connected
    const since = s.connectedAt ?? null;
    if (since !== null && serverNow - since > staleMs) return { kind: 'stale', silentMs: serverNow - since };
    return { kind: 'waiting' };
  }
  const silent = serverNow - s.lastTickAt;
  return silent > staleMs ? { kind: 'stale', silentMs: silent } : { kind: 'fresh' };
}

/**
 * A stream that ran and was then stopped (Stop): the desk reports it as `not_started` again, but
 * it did run — its row says "stopped" and keeps its last event and last error as history.
 */
export function wasStopped(s: StreamHealthWire): boolean {
  if (s.state !== 'not_started') return false;
  return (s.connectedAt ?? null) !== null || s.lastEventAt !== null || (s.lastTickAt ?? null) !== null || s.lastError !== null;
}

/** The state label a stream row shows (the badge), freshness included. */
export function streamLabel(s: StreamHealthWire, serverNow: number, staleMs: number): { label: string; state: string } {
  if (wasStopped(s)) return { label: 'stopped', state: 'stopped' };
  const f = streamFreshness(s, serverNow, staleMs);
  if (f.kind === 'stale') return { label: `stale · no data for ${formatAge(f.silentMs)}`, state: 'stale' };
  if (f.kind === 'waiting') return { label: s.liveness === 'heartbeat' ? 'waiting for first event (quiet is normal)' : 'waiting for first event', state: 'waiting' };
  return { label: streamStateStyle(s.state).label, state: s.state };
}

/** An error from before the current connection (the stream recovered) or from before a Stop: history, not a current fault. */
export function errorIsPast(s: StreamHealthWire): boolean {
  if (s.lastError === null) return false;
  if (wasStopped(s)) return true;
  if (s.state !== 'running') return false;
  return s.lastErrorAt !== undefined && s.lastErrorAt !== null && s.connectedAt !== undefined && s.connectedAt !== null && s.lastErrorAt <= s.connectedAt;
}

/** "last error 14:03:07: …", "earlier error (14:03:07, before the reconnect at 14:03:09): …". */
export function errorText(s: StreamHealthWire, clockOffsetMs: number): string | null {
  if (s.lastError === null) return null;
  const at = s.lastErrorAt ?? null;
  const when = at === null ? '' : ` ${formatClock(at - clockOffsetMs)}`;
  if (wasStopped(s)) return `earlier error${when} (before the stop): ${s.lastError}`;
  if (errorIsPast(s)) return `earlier error (${formatClock(at! - clockOffsetMs)}, before the reconnect at ${formatClock(s.connectedAt! - clockOffsetMs)}): ${s.lastError}`;
  return `last error${when}: ${s.lastError}`;
}

/** Reconnects today when the desk reports them (cumulative), else the current streak. */
export function reconnectsOf(s: StreamHealthWire): number {
  return s.reconnects ?? s.reconnectAttempts;
}

// ---------- header ----------

export interface FeedsSummary {
  label: string;
  /** A StreamState, or `stale` / `waiting`. */
  state: string;
  color: string;
  attention: boolean;
  icon: string;
}

/**
 * The header's one glance: the worst stream state, except that it never says "running" while
 * quotes are stale (the red banner) or a data stream has gone silent.
 */
export function feedsSummary(all: readonly StreamHealthWire[], serverNow: number, staleMs: number, staleQuotes: number): FeedsSummary | null {
  // The local ledger has a health row of its own (and a notification) but is not a feed: a ledger
  // that cannot write must not make the header say "feeds error" while every feed runs.
  const streams = all.filter((s) => s.name !== 'ledger');
  const worst = worstStreamState(streams.map((s) => s.state));
  if (worst === null) return null;
  const st = streamStateStyle(worst);
  if (worst === 'running') {
    const staleStreams = streams.filter((s) => streamFreshness(s, serverNow, staleMs).kind === 'stale').map(streamRowName);
    if (staleStreams.length > 0) return { label: `feeds stale: ${staleStreams.join(', ')}`, state: 'stale', color: 'orange', attention: true, icon: '⚠' };
    if (staleQuotes > 0) return { label: `feeds: ${plural(staleQuotes, 'stale quote')}`, state: 'stale', color: 'orange', attention: true, icon: '⚠' };
  }
  // after Stop: the feeds ran and were stopped, not "not started"
  if (worst === 'not_started' && streams.some(wasStopped)) return { label: 'feeds stopped', state: 'stopped', color: st.color, attention: false, icon: '■' };
  return { label: `feeds ${st.label}`, state: worst, color: st.color, attention: st.attention, icon: st.icon };
}

/**
 * A health row's name as shown: another account's channel carries its account ("sim2 · stocks");
 * the default account's and the desk's own rows keep their plain names (one account: unchanged).
 */
export function streamRowName(s: Pick<StreamHealthWire, 'name' | 'accountId'>): string {
  return s.accountId !== undefined && s.accountId !== DEFAULT_ACCOUNT_ID ? `${s.accountId} · ${s.name}` : s.name;
}

/** A health row's key (and test id suffix): unique across accounts, the plain name for the default account's. */
export function streamRowKey(s: Pick<StreamHealthWire, 'name' | 'accountId'>): string {
  return s.accountId !== undefined && s.accountId !== DEFAULT_ACCOUNT_ID ? `${s.accountId}-${s.name}` : s.name;
}
