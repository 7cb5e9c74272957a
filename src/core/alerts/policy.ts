/**
 * Which alerts become native notifications: at least `minSeverity`, not a duplicate of one shown
 * within `dedupeWindowMs` (same kind and subject), and at most `maxPerWindow` in any
 * `rateWindowMs` (a sliding window). Alerts held back are counted; once the budget allows, one
 * summary notification says how many were held back (they are all in the event history).
 */
import type { Clock } from '../ports/clock';
import { SEVERITY_RANK, type Alert, type AlertSeverity } from './types';

export interface NotificationPolicyConfig {
  minSeverity: AlertSeverity;
  dedupeWindowMs: number;
  rateWindowMs: number;
  maxPerWindow: number;
}

export const defaultNotificationPolicy: NotificationPolicyConfig = {
  minSeverity: 'warning',
  dedupeWindowMs: 5 * 60_000,
  rateWindowMs: 60_000,
  maxPerWindow: 4,
};

export type NotificationDecision =
  | { notify: true }
  | { notify: false; reason: 'below_severity' | 'duplicate' | 'rate_limited' };

export class NotificationPolicy {
  readonly config: NotificationPolicyConfig;
  private readonly shownAt: number[] = [];
  private readonly lastByKey = new Map<string, number>();
  private held = 0;

  constructor(
    private readonly clock: Clock,
    config: Partial<NotificationPolicyConfig> = {},
  ) {
    this.config = { ...defaultNotificationPolicy, ...config };
  }

  decide(alert: Pick<Alert, 'kind' | 'subject' | 'severity'>): NotificationDecision {
    if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[this.config.minSeverity]) return { notify: false, reason: 'below_severity' };
    const now = this.clock.now();
    const key = `${alert.kind}|${alert.subject ?? ''}`;
    const last = this.lastByKey.get(key);
    if (last !== undefined && now - last < this.config.dedupeWindowMs) return { notify: false, reason: 'duplicate' };
    if (!this.hasBudget(now)) {
      this.held += 1;
      return { notify: false, reason: 'rate_limited' };
    }
    this.shownAt.push(now);
    this.lastByKey.set(key, now);
    return { notify: true };
  }

  /**
   * Call periodically: when alerts were held back and the budget allows again, returns how many
   * (and counts the summary against the budget); otherwise 0.
   */
  takeHeldSummary(): number {
    if (this.held === 0) return 0;
    const now = this.clock.now();
    if (!this.hasBudget(now)) return 0;
    const n = this.held;
    this.held = 0;
    this.shownAt.push(now);
    return n;
  }

  get heldCount(): number {
    return this.held;
  }

  private hasBudget(now: number): boolean {
    while (this.shownAt.length > 0 && now - this.shownAt[0]! >= this.config.rateWindowMs) this.shownAt.shift();
    return this.shownAt.length < this.config.maxPerWindow;
  }
}
