/**
 * Alerts: the critical states a trader must not miss. Every alert lands in the event history (the
 * desk emits it as an `alert` event); the desktop shell additionally raises a native notification
 * for those the notification policy lets through.
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';

export type AlertKind =
  | 'feed_stale'
  | 'feed_recovered'
  | 'stream_error'
  | 'session_needed'
  | 'entry_succeeded'
  | 'entry_failed'
  | 'trailing_stop_activated'
  | 'forced_exit'
  | 'kill_switch'
  | 'ledger_error'
  /** The same monitoring-cycle step failed three cycles in a row (issue 17). */
  | 'monitor_step_failing';

/** The pages of spec §12 an alert can point at (a notification click focuses it). */
export type AlertView = 'portfolio' | 'live-control' | 'monitor' | 'events' | 'settings';

export interface Alert {
  id: string;
  severity: AlertSeverity;
  kind: AlertKind;
  title: string;
  body: string;
  /** What the alert is about (a stream name, a position id, an account), for de-duplication. */
  subject: string | null;
  /** Epoch ms. */
  serverTime: number;
}

/** An alert before the emitter stamps its id and time. */
export type AlertDraft = Omit<Alert, 'id' | 'serverTime'>;

export const ALERT_VIEW: Record<AlertKind, AlertView> = {
  feed_stale: 'portfolio',
  feed_recovered: 'portfolio',
  stream_error: 'portfolio',
  session_needed: 'monitor',
  entry_succeeded: 'live-control',
  entry_failed: 'live-control',
  trailing_stop_activated: 'live-control',
  forced_exit: 'live-control',
  kill_switch: 'portfolio',
  ledger_error: 'events',
  monitor_step_failing: 'monitor',
};

export const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
