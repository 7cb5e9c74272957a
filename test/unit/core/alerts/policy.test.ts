import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { NotificationPolicy } from '../../../../src/core/alerts/policy';
import type { AlertKind, AlertSeverity } from '../../../../src/core/alerts/types';

const a = (kind: AlertKind, subject: string | null = 'sim', severity: AlertSeverity = 'critical') => ({ kind, subject, severity });

describe('NotificationPolicy', () => {
  it('lets through warnings and criticals only', () => {
    const p = new NotificationPolicy(new ManualClock());
    expect(p.decide(a('feed_recovered', 'sim', 'info'))).toEqual({ notify: false, reason: 'below_severity' });
    expect(p.decide(a('feed_stale', 'sim', 'warning'))).toEqual({ notify: true });
  });

  it('de-duplicates the same kind and subject within the window, not different subjects', () => {
    const clock = new ManualClock();
    const p = new NotificationPolicy(clock, { dedupeWindowMs: 60_000 });
    expect(p.decide(a('stream_error')).notify).toBe(true);
    clock.advance(59_999);
    expect(p.decide(a('stream_error'))).toEqual({ notify: false, reason: 'duplicate' });
    expect(p.decide(a('stream_error', 'alpaca')).notify).toBe(true);
    clock.advance(1);
    expect(p.decide(a('stream_error')).notify).toBe(true);
  });

  it('rate-limits over a sliding window and then summarizes what it held back', () => {
    const clock = new ManualClock();
    const p = new NotificationPolicy(clock, { maxPerWindow: 3, rateWindowMs: 60_000 });
    const results = Array.from({ length: 10 }, (_, i) => p.decide(a('entry_failed', `run-${i}`)).notify);
    expect(results).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(p.heldCount).toBe(7);
    expect(p.takeHeldSummary()).toBe(0); // no budget yet
    clock.advance(60_000);
    expect(p.takeHeldSummary()).toBe(7);
    expect(p.takeHeldSummary()).toBe(0);
    // the summary used one slot of the new window
    expect([p.decide(a('forced_exit', 'x')).notify, p.decide(a('forced_exit', 'y')).notify, p.decide(a('forced_exit', 'z')).notify]).toEqual([true, true, false]);
  });

  it('a held-back alert is not remembered as shown (it may notify once budget returns)', () => {
    const clock = new ManualClock();
    const p = new NotificationPolicy(clock, { maxPerWindow: 1, rateWindowMs: 1000 });
    p.decide(a('stream_error', 'a'));
    expect(p.decide(a('stream_error', 'b')).notify).toBe(false);
    clock.advance(1000);
    expect(p.decide(a('stream_error', 'b')).notify).toBe(true);
  });
});
