/**
 * What the tray shows, derived purely from the desk's state: the icon (stopped / running /
 * stale-or-error / LIVE armed), the tooltip (mode, feed state, total P&L, kill switch), and which
 * menu items apply. The shell only renders this.
 */
import { ageText, feedCondition, type FeedHealth } from '../alerts/feed-health';
import type { VenueMode } from '../model/venue-mode';
import type { KillSwitchLevel } from '../risk/kill-switch';

export type TrayIcon = 'stopped' | 'running' | 'degraded' | 'live';

export interface TrayInput {
  now: number;
  streaming: boolean;
  mode: VenueMode;
  streams: readonly FeedHealth[];
  feedStaleAfterMs: number;
  /**
   * Total P&L as an exact decimal string. `undefined`: the desk does not report one (yet);
   * `null`: reported but unknown (no fresh mark) — never shown as zero.
   */
  totalPnl: string | null | undefined;
  /** The global (all accounts) kill switch level. */
  killSwitch: KillSwitchLevel;
  /**
   * Whether any account trades (issue 16): `monitor` (read-only), `trade`; undefined when the desk
   * does not report trading modes (then a LIVE venue reads "LIVE armed", as before modes existed).
   */
  trading?: 'monitor' | 'trade';
}

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  /** The tooltip's content without the app name, e.g. "SIM · feed live · P&L +12.50". */
  status: string;
  /** A coarse line for the menu header that does not change every second (no ages, no P&L). */
  headline: string;
  canStart: boolean;
  canStop: boolean;
  /** True when automation is already halted for all accounts (the menu item is then disabled). */
  halted: boolean;
  /** True when all accounts are at Reducing (the tray's "reducing only" item is then disabled). */
  reducing: boolean;
}

/** Windows truncates tray tooltips at 127 characters; keep the important part first. */
export const TOOLTIP_MAX = 127;

const DECIMAL = /^-?\d+(\.\d+)?$/;

export function pnlText(total: string | null | undefined): string {
  if (total === undefined) return 'P&L —';
  if (total === null) return 'P&L — (no fresh mark)';
  if (!DECIMAL.test(total)) return 'P&L —';
  if (total.startsWith('-')) return `P&L ${total}`;
  return /^0(\.0+)?$/.test(total) ? `P&L ${total}` : `P&L +${total}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface FeedSummary {
  text: string;
  bad: boolean;
  /** Coarse: 'feed live' | 'feed stale' | 'feed error' | 'session needed' | 'reconnecting' | … */
  coarse: string;
}

function summarizeFeeds(input: TrayInput): FeedSummary {
  if (input.streams.length === 0) {
    const text = input.streaming ? 'feed starting' : 'stopped';
    return { text, bad: false, coarse: text };
  }
  const parts: { text: string; bad: boolean; rank: number; coarse: string }[] = input.streams.map((s) => {
    const c = feedCondition(s, input.now, input.feedStaleAfterMs);
    switch (c) {
      case 'error':
        return { text: `${s.name} error${s.lastError ? `: ${clip(s.lastError, 40)}` : ''}`, bad: true, rank: 4, coarse: 'feed error' };
      case 'session_needed':
        return { text: `${s.name} session needed`, bad: true, rank: 4, coarse: 'session needed' };
      case 'stale':
        return input.streaming
          ? { text: `${s.name} stale ${ageText(input.now - (s.lastEventAt ?? input.now))}`, bad: true, rank: 3, coarse: 'feed stale' }
          : { text: 'stopped', bad: false, rank: 0, coarse: 'stopped' };
      case 'reconnecting':
        return { text: `${s.name} reconnecting`, bad: false, rank: 2, coarse: 'reconnecting' };
      case 'waiting':
        return { text: `${s.name} waiting for data`, bad: false, rank: 1, coarse: 'waiting for data' };
      case 'fresh':
        return { text: 'feed live', bad: false, rank: 0, coarse: 'feed live' };
      case 'idle':
        return { text: 'stopped', bad: false, rank: 0, coarse: 'stopped' };
    }
  });
  parts.sort((a, b) => b.rank - a.rank);
  const worst = parts[0]!;
  if (worst.rank === 0) {
    const text = input.streaming ? 'feed live' : 'stopped';
    return { text, bad: false, coarse: text };
  }
  const more = parts.filter((p) => p.rank > 0).length - 1;
  return { text: more > 0 ? `${worst.text} (+${more} more)` : worst.text, bad: worst.bad, coarse: worst.coarse };
}

export function deriveTrayView(input: TrayInput): TrayView {
  const feed = summarizeFeeds(input);
  const halted = input.killSwitch === 'halted';
  // Order of importance: a feed problem is what the trader must act on; LIVE next (money at
  // stake — the tooltip says LIVE in every state anyway); then running vs stopped.
  const icon: TrayIcon = feed.bad ? 'degraded' : input.mode === 'LIVE' ? 'live' : input.streaming ? 'running' : 'stopped';
  const mode =
    input.trading === undefined ? (input.mode === 'LIVE' ? 'LIVE armed' : input.mode) : input.trading === 'trade' ? `${input.mode === 'LIVE' ? 'LIVE armed' : input.mode} · TRADE` : `${input.mode} · monitor`;
  const parts = [mode, feed.text, pnlText(input.totalPnl)];
  if (input.killSwitch !== 'active') parts.push(`automation ${input.killSwitch.toUpperCase()}`);
  const status = parts.join(' · ');
  const headline = [mode, feed.coarse, ...(input.killSwitch !== 'active' ? [`automation ${input.killSwitch.toUpperCase()}`] : [])].join(' · ');
  let tooltip = `Live Desk — ${status}`;
  if (tooltip.length > TOOLTIP_MAX) tooltip = `${tooltip.slice(0, TOOLTIP_MAX - 1)}…`;
  return { icon, tooltip, status, headline, canStart: !input.streaming, canStop: input.streaming, halted, reducing: input.killSwitch === 'reducing' };
}

const MODE_RANK: Record<VenueMode, number> = { SIM: 0, PAPER: 1, LIVE: 2 };

/**
 * The mode the tray and every notification name (spec §2: LIVE or PAPER shows everywhere): while
 * any account trades, the strongest venue mode among the trading accounts with TRADE; otherwise the
 * strongest among every held account (a LIVE account watched in Monitor still says LIVE). Without
 * trading states (an older desk), the default account's mode.
 */
export function deskModeOf(defaultMode: VenueMode, accounts: readonly { venue_mode: VenueMode; mode: 'monitor' | 'trade' }[] | undefined): { mode: VenueMode; trading?: 'monitor' | 'trade' } {
  if (!accounts) return { mode: defaultMode };
  const trading = accounts.filter((a) => a.mode === 'trade');
  const pool = trading.length > 0 ? trading.map((a) => a.venue_mode) : [defaultMode, ...accounts.map((a) => a.venue_mode)];
  const mode = pool.reduce<VenueMode>((m, x) => (MODE_RANK[x] > MODE_RANK[m] ? x : m), pool[0] ?? defaultMode);
  return { mode, trading: trading.length > 0 ? 'trade' : 'monitor' };
}

/** The label a notification starts with: `[SIM]`, `[PAPER · TRADE]`, `[LIVE armed · TRADE]` … (inside the brackets). */
export function notificationModeLabel(m: { mode: VenueMode; trading?: 'monitor' | 'trade' }): string {
  if (m.trading !== 'trade') return m.mode;
  return `${m.mode === 'LIVE' ? 'LIVE armed' : m.mode} · TRADE`;
}
