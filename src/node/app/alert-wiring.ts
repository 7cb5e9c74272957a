/**
 * The alert monitor as a consumer of the event bus: it reads stream health from every published
 * `health_event` (the desk publishes one on every health change and every health interval while
 * streaming) and publishes each alert it raises as an `alert` event. Neither the desk nor the
 * monitor calls the other for health: the bus carries it one way, and alerts come back on the bus.
 */
import type { Clock, Scheduler } from '../../core/ports/clock';
import { AlertMonitor, type AlertMonitorConfig, type HealthReading } from '../../core/alerts/alert-monitor';
import type { Alert } from '../../core/alerts/types';
import type { UnsequencedEvent } from '../../shared/contract';
import type { DeskEventPort } from './event-bus';

export function alertEventOf(a: Alert): UnsequencedEvent {
  return { type: 'alert', serverTime: a.serverTime, id: a.id, severity: a.severity, kind: a.kind, title: a.title, body: a.body, subject: a.subject };
}

/**
 * Builds the monitor on `bus`: it checks health on each `health_event` (feed alerts watch the
 * venue channels only: the ledger row raises its own alert) and publishes what it raises.
 * Returns the monitor (for the hooks and `raise`) and the unsubscribe function.
 */
export function alertsOnBus(bus: DeskEventPort, clock: Clock & Scheduler, config: Partial<AlertMonitorConfig> = {}): { monitor: AlertMonitor; off: () => void } {
  let reading: HealthReading = { streaming: false, streams: [] };
  const monitor = new AlertMonitor(clock, () => reading, (alert) => bus.publish(alertEventOf(alert)), config);
  const off = bus.subscribe(
    (e) => {
      if (e.type !== 'health_event') return;
      reading = { streaming: e.streaming, streams: e.streams.filter((s) => s.name !== 'ledger') };
      monitor.check();
    },
    { internal: true },
  );
  return { monitor, off };
}
