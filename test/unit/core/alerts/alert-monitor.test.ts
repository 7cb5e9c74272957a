import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { AlertMonitor, type HealthReading } from '../../../../src/core/alerts/alert-monitor';
import type { Alert } from '../../../../src/core/alerts/types';

describe('AlertMonitor', () => {
  it('checks on a timer while started, stamps ids and times, and stops cleanly', () => {
    const clock = new ManualClock(0);
    let health: HealthReading = { streaming: true, streams: [{ name: 'sim', state: 'running', lastError: null, lastEventAt: 0 }] };
    const alerts: Alert[] = [];
    const m = new AlertMonitor(clock, () => health, (x) => alerts.push(x), { feedStaleAfterMs: 3000, checkEveryMs: 1000 });
    m.start();
    m.start();
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(5000);
    expect(alerts.map((x) => [x.kind, x.serverTime])).toEqual([['feed_stale', 4000]]);
    health = { streaming: true, streams: [{ name: 'sim', state: 'running', lastError: null, lastEventAt: 5500 }] };
    clock.advance(1000);
    expect(alerts.map((x) => x.kind)).toEqual(['feed_stale', 'feed_recovered']);
    expect(new Set(alerts.map((x) => x.id)).size).toBe(2);
    m.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('offers typed hooks for the strategy runtime', () => {
    const clock = new ManualClock(7);
    const alerts: Alert[] = [];
    const m = new AlertMonitor(clock, () => ({ streaming: false, streams: [] }), (x) => alerts.push(x));
    m.entrySucceeded({ subject: 'run-1', symbol: 'SPY240119C00470000', method: 'limit, attempt 2 of 3', price: '1.25' });
    m.entryFailed({ subject: 'run-1', symbol: 'SPY240119C00470000', method: 'market fallback', reason: 'rejected: insufficient buying power' });
    m.trailingStopActivated({ subject: 'pos-9', symbol: 'NIFTY', level: '102.50' });
    m.forcedExit({ subject: 'pos-9', symbol: 'NIFTY', reason: 'time exit 15:20' });
    expect(alerts.map((x) => [x.kind, x.severity])).toEqual([
      ['entry_succeeded', 'warning'],
      ['entry_failed', 'critical'],
      ['trailing_stop_activated', 'warning'],
      ['forced_exit', 'critical'],
    ]);
    expect(alerts[0]!.body).toBe('limit, attempt 2 of 3 at 1.25');
    expect(alerts[1]!.body).toBe('market fallback: rejected: insufficient buying power');
    expect(alerts.every((x) => x.serverTime === 7)).toBe(true);
  });
});
