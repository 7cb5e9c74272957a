/**
 * Native notifications for the desk's alerts. The notification policy (core) decides which alerts
 * pop up (severity, de-dup, rate limit); every alert is in the event history regardless. Titles
 * carry the trading mode (spec §2: every notification shows LIVE or PAPER). A click brings the
 * window forward on the page the alert is about.
 */
import type { Cancel, Scheduler } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import type { NotificationPolicy } from '../core/alerts/policy';
import { ALERT_VIEW, type AlertKind } from '../core/alerts/types';
import type { AlertEvent, DeskEvent, NavigationRequest } from '../shared/contract';
import type { NotificationsLike } from './facade';

export interface NotifierDeps {
  notifications: NotificationsLike;
  policy: NotificationPolicy;
  scheduler: Scheduler;
  /** The mode label every notification carries (core/shell/tray-state.ts notificationModeLabel): SIM / PAPER / LIVE, with ` · TRADE` while an account trades. */
  mode(): string;
  /** Shows and focuses the window, then asks the renderer to show the page. */
  focus(request: NavigationRequest): void;
  enabled: boolean;
  logger: Logger;
  summaryEveryMs?: number;
}

export class Notifier {
  private readonly timer: Cancel;
  /** How many native notifications were shown, by kind (diagnostics and tests). */
  readonly shownCount = new Map<AlertKind | 'summary', number>();

  constructor(private readonly deps: NotifierDeps) {
    this.timer = deps.scheduler.setInterval(() => this.flushHeld(), deps.summaryEveryMs ?? 5000);
  }

  onEvent(event: DeskEvent): void {
    if (event.type === 'alert') this.onAlert(event);
  }

  dispose(): void {
    this.timer();
  }

  private onAlert(alert: AlertEvent): void {
    if (!this.deps.enabled || !this.deps.notifications.isSupported()) return;
    const decision = this.deps.policy.decide(alert);
    if (!decision.notify) {
      if (decision.reason !== 'below_severity') this.deps.logger.debug('notification held back', { kind: alert.kind, reason: decision.reason });
      return;
    }
    this.show(
      alert.kind,
      `[${this.deps.mode()}] ${alert.title}`,
      alert.body,
      alert.severity === 'critical',
      { view: ALERT_VIEW[alert.kind], alertId: alert.id },
    );
  }

  private flushHeld(): void {
    if (!this.deps.enabled || !this.deps.notifications.isSupported()) return;
    const n = this.deps.policy.takeHeldSummary();
    if (n === 0) return;
    this.show('summary', `[${this.deps.mode()}] ${n} more alert${n === 1 ? '' : 's'}`, 'Held back to avoid a flood of notifications; all are in the Events page.', false, {
      view: 'events',
      alertId: null,
    });
  }

  private show(kind: AlertKind | 'summary', title: string, body: string, critical: boolean, target: NavigationRequest): void {
    this.shownCount.set(kind, (this.shownCount.get(kind) ?? 0) + 1);
    try {
      this.deps.notifications.show(
        { title, body, urgency: critical ? 'critical' : 'normal', timeoutType: critical ? 'never' : 'default', silent: false },
        () => this.deps.focus(target),
      );
    } catch (err) {
      this.deps.logger.warn('native notification failed', { kind, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
