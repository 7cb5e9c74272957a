/**
 * The desk's alert source: checks feed health on a timer and on every health change, turns
 * critical transitions into alerts, and offers typed hooks for the strategy runtime (entry
 * success/failure, trailing stop activated, forced exit). It stamps ids and times and hands each
 * alert to `emit` (the desk publishes it as an `alert` event, so it lands in the event history).
 */
import type { Cancel, Clock, Scheduler } from '../ports/clock';
import { DEFAULT_FEED_STALE_MS, type FeedHealth } from './feed-health';
import { CriticalTransitionDetector } from './transitions';
import type { Alert, AlertDraft } from './types';

export interface AlertMonitorConfig {
  /** A running feed silent for longer than this is stale. */
  feedStaleAfterMs: number;
  /** How often health is checked while streaming (staleness needs time to pass, not an event). */
  checkEveryMs: number;
}

export const defaultAlertMonitorConfig: AlertMonitorConfig = { feedStaleAfterMs: DEFAULT_FEED_STALE_MS, checkEveryMs: 1000 };

export interface HealthReading {
  streaming: boolean;
  streams: readonly FeedHealth[];
}

export interface EntryOutcome {
  /** Strategy run or position id the alert is about. */
  subject: string;
  symbol: string;
  /** e.g. "limit, attempt 2 of 3" or "market fallback". */
  method: string;
  price?: string;
  reason?: string;
}

export interface TrailingStopActivation {
  subject: string;
  symbol: string;
  level: string;
}

export interface ForcedExit {
  subject: string;
  symbol: string;
  reason: string;
  price?: string;
}

export class AlertMonitor {
  readonly config: AlertMonitorConfig;
  private readonly detector: CriticalTransitionDetector;
  private timer: Cancel | null = null;
  private counter = 0;

  constructor(
    private readonly clock: Clock & Scheduler,
    private readonly health: () => HealthReading,
    private readonly emit: (alert: Alert) => void,
    config: Partial<AlertMonitorConfig> = {},
  ) {
    this.config = { ...defaultAlertMonitorConfig, ...config };
    this.detector = new CriticalTransitionDetector(this.config.feedStaleAfterMs);
  }

  /** Starts periodic checks (idempotent). */
  start(): void {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => this.check(), this.config.checkEveryMs);
  }

  stop(): void {
    this.timer?.();
    this.timer = null;
  }

  /** Evaluates health now; call it after every health change as well. */
  check(): void {
    const h = this.health();
    for (const draft of this.detector.update(this.clock.now(), h.streaming, h.streams)) this.raise(draft);
  }

  /** Emits any alert (the hooks below and other features use this). */
  raise(draft: AlertDraft): Alert {
    const serverTime = this.clock.now();
    this.counter += 1;
    const alert: Alert = { ...draft, id: `alert-${serverTime}-${this.counter}`, serverTime };
    this.emit(alert);
    return alert;
  }

  // ---- hooks for the strategy runtime ----

  entrySucceeded(e: EntryOutcome): Alert {
    return this.raise({
      severity: 'warning',
      kind: 'entry_succeeded',
      subject: e.subject,
      title: `Entered ${e.symbol}`,
      body: [e.method, e.price !== undefined ? `at ${e.price}` : null].filter(Boolean).join(' '),
    });
  }

  entryFailed(e: EntryOutcome): Alert {
    return this.raise({
      severity: 'critical',
      kind: 'entry_failed',
      subject: e.subject,
      title: `Entry failed: ${e.symbol}`,
      body: [e.method, e.reason].filter(Boolean).join(': '),
    });
  }

  trailingStopActivated(t: TrailingStopActivation): Alert {
    return this.raise({
      severity: 'warning',
      kind: 'trailing_stop_activated',
      subject: t.subject,
      title: `Trailing stop active: ${t.symbol}`,
      body: `Stop level ${t.level}.`,
    });
  }

  forcedExit(f: ForcedExit): Alert {
    return this.raise({
      severity: 'critical',
      kind: 'forced_exit',
      subject: f.subject,
      title: `Forced exit: ${f.symbol}`,
      body: [f.reason, f.price !== undefined ? `at ${f.price}` : null].filter(Boolean).join(' '),
    });
  }
}
