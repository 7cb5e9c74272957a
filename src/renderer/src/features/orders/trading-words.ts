/**
 * What the trading controls and the Orders page say (pure, unit-tested): the header's mode summary,
 * the kill switch in force, and the confirmations that name the account and its mode.
 */
import type { KillSwitchLevel, KillSwitchWire, OrderOutcomeWire, OrderWire, TradingStateWire, VenueMode } from '@shared/contract';

export const LEVEL_LABEL: Record<KillSwitchLevel, string> = { active: 'Active', reducing: 'Reducing', halted: 'Halted' };
export const KILL_COLOR: Record<KillSwitchLevel, string> = { active: 'teal', reducing: 'orange', halted: 'red' };
const RANK: Record<KillSwitchLevel, number> = { active: 0, reducing: 1, halted: 2 };

/** Loosening the kill switch (halted → reducing/active, reducing → active) is a deliberate re-arm. */
export function needsRearm(from: KillSwitchLevel, to: KillSwitchLevel): boolean {
  return RANK[to] < RANK[from];
}

export interface ModeSummary {
  label: string;
  color: string;
  trading: boolean;
  hint: string;
}

/** The header's button: MONITOR unless an account trades; TRADE names LIVE when a live account is armed. */
export function modeSummary(accounts: readonly TradingStateWire[]): ModeSummary {
  const trading = accounts.filter((a) => a.mode === 'trade');
  if (trading.length === 0) {
    return { label: 'MONITOR', color: 'gray', trading: false, hint: 'Monitor mode: read-only, no order is ever sent. Click to switch an account to Trade.' };
  }
  const live = trading.some((a) => a.venue_mode === 'LIVE');
  const names = trading.map((a) => `${a.account} (${a.venue_mode})`).join(', ');
  // Short: the venue mode badge stands beside it (LIVE is named, money at stake); the tooltip names the accounts.
  const label = `TRADE${live ? ' · LIVE' : ''}${trading.length < accounts.length ? ` ${trading.length}/${accounts.length}` : ''}`;
  return { label, color: live ? 'red' : 'orange', trading: true, hint: `Trade mode on ${names}: orders may be sent. Click to change.` };
}

/** The strictest kill switch level in force over the accounts (the global scope included). */
export function killSwitchSummary(accounts: readonly TradingStateWire[], view: KillSwitchWire | null): { level: KillSwitchLevel; hint: string } {
  let level: KillSwitchLevel = view?.global.level ?? 'active';
  for (const a of accounts) if (RANK[a.kill_switch] > RANK[level]) level = a.kill_switch;
  const per = accounts.map((a) => `${a.account}: ${LEVEL_LABEL[a.kill_switch]}`).join(' · ');
  const why = level === 'active' ? 'every order may pass' : level === 'reducing' ? 'only orders that reduce exposure pass' : 'only cancels pass';
  return { level, hint: `Kill switch ${LEVEL_LABEL[level]} (${why}).${per ? ` ${per}.` : ''} Click to change.` };
}

/** "on account default (SIM, Trade mode)": every confirmation names the account and its mode. */
export function accountPhrase(account: string, venueMode: VenueMode | null, mode: 'monitor' | 'trade' | null): string {
  return `account ${account} (${venueMode ?? 'unknown venue'}, ${mode === 'trade' ? 'Trade mode' : mode === 'monitor' ? 'Monitor mode' : 'mode unknown'})`;
}

/** One line for a command's outcome, as the gateway classified it. */
export function outcomeText(o: OrderOutcomeWire): { text: string; color: string } {
  switch (o.kind) {
    case 'accepted':
      return { text: `${o.order.client_order_id}: ${statusWord(o.order)}`, color: 'teal' };
    case 'rejected':
      return { text: `rejected by the venue${o.http_status ? ` (HTTP ${o.http_status})` : ''}: ${o.reason}`, color: 'red' };
    case 'unknown':
      return { text: `outcome unknown — ${o.reason}. The desk asks the venue; it never sends the order again blindly.`, color: 'orange' };
    case 'refused':
      return { text: `refused (${o.cause.replace('_', ' ')}): ${o.reason}`, color: 'red' };
  }
}

const STATUS_WORD: Partial<Record<OrderWire['status'], string>> = {
  pending_submit: 'sending',
  partially_filled: 'partially filled',
  pending_cancel: 'cancel sent',
  unknown: 'UNKNOWN',
};

export function statusWord(o: Pick<OrderWire, 'status' | 'pending'>): string {
  const base = STATUS_WORD[o.status] ?? o.status;
  if (o.pending?.state === 'unknown' && o.status !== 'unknown') return `${base} · ${o.pending.kind} unknown`;
  return base;
}

export function statusColor(status: OrderWire['status']): string {
  switch (status) {
    case 'filled':
      return 'teal';
    case 'accepted':
    case 'submitted':
    case 'pending_submit':
      return 'blue';
    case 'partially_filled':
      return 'cyan';
    case 'pending_cancel':
      return 'yellow';
    case 'unknown':
      return 'orange';
    case 'rejected':
      return 'red';
    default:
      return 'gray';
  }
}
