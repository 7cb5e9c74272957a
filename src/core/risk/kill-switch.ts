/**
 * The graded kill switch of spec §2, per account: Active → Reducing (only orders that reduce
 * exposure) → Halted (only cancels). Tightening is always allowed and takes effect even when it
 * cannot be persisted; loosening ("re-arming") is a deliberate act: it needs an explicit `rearm`
 * flag and a reason, is logged, and is refused unless it was persisted first — a re-arm that would
 * silently revert to Halted after a restart is better refused than half done.
 *
 * Scope `*` covers every account (the tray's "halt all automation"); an account's effective level
 * is the stricter of its own and the global one, so halting all also halts accounts that appear
 * later, and re-arming all returns each account to its own level.
 */
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { KillSwitchRecord, KillSwitchStore } from '../ports/kill-switch-store';

export type KillSwitchLevel = 'active' | 'reducing' | 'halted';
export type OrderIntent = 'open' | 'reduce' | 'cancel';

export const ALL_ACCOUNTS = '*';
export const KILL_SWITCH_LEVELS: readonly KillSwitchLevel[] = ['active', 'reducing', 'halted'];

const RANK: Record<KillSwitchLevel, number> = { active: 0, reducing: 1, halted: 2 };

export interface KillSwitchEntry {
  /** An account id, or `*` for all accounts. */
  account: string;
  level: KillSwitchLevel;
  reason: string;
  /** Epoch ms of the last change (0 for the implicit default). */
  changedAt: number;
}

export interface KillSwitchChange {
  account: string;
  from: KillSwitchLevel;
  to: KillSwitchLevel;
  reason: string;
  at: number;
  rearm: boolean;
}

export interface KillSwitchView {
  /** The `*` scope. */
  global: KillSwitchEntry;
  /** Per-account entries (their own level; the effective level also honours `global`). */
  accounts: KillSwitchEntry[];
}

export interface KillSwitchSetResult {
  view: KillSwitchView;
  /** Null when the requested level was already in force. */
  change: KillSwitchChange | null;
  /** False when a tightening took effect but could not be written (it is logged as an error). */
  persisted: boolean;
}

export class KillSwitchError extends Error {}

export function stricter(a: KillSwitchLevel, b: KillSwitchLevel): KillSwitchLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

/** What each level lets through: halted only cancels, reducing also reduces, active anything. */
export function levelAllows(level: KillSwitchLevel, intent: OrderIntent): boolean {
  if (intent === 'cancel') return true;
  if (intent === 'reduce') return level !== 'halted';
  return level === 'active';
}

export interface KillSwitchDeps {
  store: KillSwitchStore;
  clock: Clock;
  logger: Logger;
}

export class KillSwitch {
  private readonly entries = new Map<string, KillSwitchEntry>();
  private readonly listeners = new Set<(change: KillSwitchChange, view: KillSwitchView) => void>();
  private readonly store: KillSwitchStore;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(deps: KillSwitchDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.restore();
  }

  /** The level in force for an account: the stricter of its own and the global one. */
  levelOf(account: string): KillSwitchLevel {
    const own = this.entries.get(account)?.level ?? 'active';
    return stricter(own, this.entries.get(ALL_ACCOUNTS)?.level ?? 'active');
  }

  allows(account: string, intent: OrderIntent): boolean {
    return levelAllows(this.levelOf(account), intent);
  }

  view(): KillSwitchView {
    const global = this.entries.get(ALL_ACCOUNTS) ?? { account: ALL_ACCOUNTS, level: 'active', reason: 'default', changedAt: 0 };
    const accounts = [...this.entries.values()]
      .filter((e) => e.account !== ALL_ACCOUNTS)
      .sort((a, b) => a.account.localeCompare(b.account))
      .map((e) => ({ ...e }));
    return { global: { ...global }, accounts };
  }

  onChange(listener: (change: KillSwitchChange, view: KillSwitchView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the level of one scope. Throws KillSwitchError (clear message) when refused. */
  set(account: string, level: KillSwitchLevel, opts: { reason: string; rearm?: boolean }): KillSwitchSetResult {
    const reason = opts.reason.trim();
    if (reason.length === 0) throw new KillSwitchError('a kill switch change needs a reason');
    const from = this.entries.get(account)?.level ?? 'active';
    if (from === level) return { view: this.view(), change: null, persisted: true };
    const loosening = RANK[level] < RANK[from];
    const scope = account === ALL_ACCOUNTS ? 'all accounts' : `account ${JSON.stringify(account)}`;
    if (loosening && opts.rearm !== true) {
      throw new KillSwitchError(
        `re-arming ${scope} from ${from} to ${level} is a deliberate act: send rearm: true with a reason`,
      );
    }
    const at = this.clock.now();
    const previous = this.entries.get(account);
    this.entries.set(account, { account, level, reason, changedAt: at });
    let persisted = true;
    try {
      this.store.save(this.record());
    } catch (err) {
      persisted = false;
      const message = err instanceof Error ? err.message : String(err);
      if (loosening) {
        // Never re-arm in memory only: a restart would bring back the stricter level unannounced.
        if (previous) this.entries.set(account, previous);
        else this.entries.delete(account);
        throw new KillSwitchError(`re-arming ${scope} was not applied: its state could not be saved (${message})`);
      }
      this.logger.error('kill switch change could not be saved; it is in force until restart', { account, level, message });
    }
    const change: KillSwitchChange = { account, from, to: level, reason, at, rearm: loosening };
    if (loosening) this.logger.warn('kill switch re-armed', { account, from, to: level, reason });
    else this.logger.info('kill switch engaged', { account, from, to: level, reason });
    const view = this.view();
    for (const l of this.listeners) l(change, view);
    return { view, change, persisted };
  }

  private record(): KillSwitchRecord {
    return { version: 1, entries: [...this.entries.values()].map((e) => ({ ...e })) };
  }

  private restore(): void {
    let record: KillSwitchRecord | null;
    try {
      record = this.store.load();
    } catch (err) {
      // Fail closed: an unreadable state must not silently re-arm automation.
      const message = err instanceof Error ? err.message : String(err);
      this.entries.set(ALL_ACCOUNTS, {
        account: ALL_ACCOUNTS,
        level: 'halted',
        reason: `kill switch state could not be read (${message}); halted until re-armed`,
        changedAt: this.clock.now(),
      });
      this.logger.error('kill switch state unreadable: all automation halted until re-armed', { message });
      return;
    }
    for (const e of record?.entries ?? []) this.entries.set(e.account, { ...e });
  }
}
