/** Issue 17 item 4: the Monitor page's derived words — countdown, state sentences, marks, failing steps, exchange clocks. */
import { describe, expect, it } from 'vitest';
import { CYCLE_PLAN } from '../../../../../src/core/monitor/cycle-plan';
import {
  STEP_NO,
  actionsProblemsFirst,
  clockWithExchange,
  delayedText,
  exchangeClock,
  failingWarnings,
  formatCountdown,
  formatDuration,
  intervalText,
  nextRunText,
  pauseAction,
  reauthRefusal,
  runNowDisabled,
  settingsZoneLabel,
  stateReason,
  stepTitle,
} from '../../../../../src/renderer/src/features/monitor/monitor-words';
import type { MonitorActionWire } from '../../../../../src/shared/contract';
import { steps } from '../../../../helpers/monitor-fixtures';

describe('monitor words', () => {
  it("step numbers are spec §8's (the core's plan)", () => {
    for (const r of CYCLE_PLAN) expect(STEP_NO[r.name]).toBe(r.step);
    expect(Object.keys(STEP_NO)).toHaveLength(CYCLE_PLAN.length);
  });

  it('counts down to the next run on the desk clock; unknown is never a zero', () => {
    const a = { state: 'active' as const, next_run_at: 100_000 };
    expect(nextRunText(a, 58_000)).toEqual({ text: 'next run in 42s', level: 'waiting' });
    expect(nextRunText(a, 99_001)).toEqual({ text: 'next run in 1s', level: 'waiting' });
    expect(nextRunText(a, 100_000)).toEqual({ text: 'next run due now', level: 'due' });
    expect(nextRunText(a, 101_500).level).toBe('due');
    expect(nextRunText(a, 105_000)).toEqual({ text: 'next run overdue by 5s', level: 'overdue' });
    expect(nextRunText({ state: 'running', next_run_at: null }, 0)).toEqual({ text: 'a cycle is running now', level: 'none' });
    expect(nextRunText({ state: 'paused', next_run_at: null }, 0).text).toBe('no run scheduled: paused');
    expect(nextRunText({ state: 'session_needed', next_run_at: null }, 0).text).toBe('no run scheduled: waits for re-authentication');
    expect(nextRunText({ state: 'active', next_run_at: null }, 0).text).toBe('no run scheduled');
    expect(formatCountdown(65_000)).toBe('1m05s');
    expect(formatCountdown(2 * 3600_000 + 3 * 60_000)).toBe('2h03m');
  });

  it('the state in words: the desk reason, else what the state means', () => {
    expect(stateReason({ state: 'outside_hours', reason: 'outside NYSE hours: opens 09:30 ET Monday 2026-12-07' })).toBe('outside NYSE hours: opens 09:30 ET Monday 2026-12-07');
    expect(stateReason({ state: 'halted', reason: null })).toContain('order actions are blocked');
    expect(stateReason({ state: 'stopped', reason: null })).toContain('not running');
  });

  it('Pause / Resume: Resume only while paused; Run now disabled while a cycle runs or the command is pending', () => {
    expect(pauseAction({ state: 'paused' })).toEqual({ label: 'Resume', paused: false });
    expect(pauseAction({ state: 'active' })).toEqual({ label: 'Pause', paused: true });
    expect(pauseAction({ state: 'outside_hours' })).toEqual({ label: 'Pause', paused: true });
    expect(runNowDisabled({ state: 'running' }, false)).toBe(true);
    expect(runNowDisabled({ state: 'active' }, true)).toBe(true);
    expect(runNowDisabled({ state: 'stopped' }, false)).toBe(true);
    expect(runNowDisabled({ state: 'active' }, false)).toBe(false);
  });

  it('a refused re-authentication says why; one that worked says nothing', () => {
    expect(reauthRefusal({ ok: false, error: 'HTTP 401: request is not authorized' })).toBe('Re-authentication failed: HTTP 401: request is not authorized');
    expect(reauthRefusal({ ok: false, error: null })).toContain('no reason given');
    expect(reauthRefusal({ ok: true, error: null })).toBeNull();
    expect(reauthRefusal(null)).toBeNull();
  });

  it('failing steps: one warning per step in step order, 3+ in a row severe, 0 not shown', () => {
    const w = failingWarnings({ sl_tp: 3, fetch: 1, modify_sl: 0 });
    expect(w.map((x) => x.text)).toEqual(['step 1 fetch failed in the last cycle', 'step 4 sl_tp failing 3 cycles in a row']);
    expect(w.map((x) => x.severe)).toEqual([false, true]);
    expect(failingWarnings({})).toEqual([]);
  });

  it('exchange clocks in the exchange zone; the 24/7 sim has none', () => {
    const t = Date.UTC(2026, 11, 7, 14, 30, 5); // 09:30:05 ET, 20:00:05 IST
    expect(exchangeClock(t, 'NYSE')).toBe('09:30:05 ET');
    expect(exchangeClock(t, 'NSE')).toBe('20:00:05 IST');
    expect(exchangeClock(t, 'DELTA')).toBe('14:30:05 UTC');
    expect(exchangeClock(t, 'SIM')).toBeNull();
    expect(settingsZoneLabel('SIM')).toBe('UTC'); // the earliest time of a 24/7 venue is read in UTC (session-hours.ts)
    expect(settingsZoneLabel('NSE')).toBe('IST');
    expect(clockWithExchange(t, 'NYSE')).toMatch(/^\d\d:\d\d:05 \(09:30:05 ET\)$/);
    expect(clockWithExchange(null, 'NYSE')).toBe('—');
  });

  it('durations, delays, intervals, step titles', () => {
    expect(formatDuration(35)).toBe('35 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(null)).toBe('—');
    expect(delayedText({ delayed_ms: null })).toBeNull();
    expect(delayedText({ delayed_ms: 3_400 })).toBe('delayed by 3.4 s');
    expect(delayedText({ delayed_ms: 12_600 })).toBe('delayed by 13 s');
    expect(intervalText(60_000)).toBe('every 60 s');
    expect(intervalText(5_000)).toBe('every 5 s');
    expect(intervalText(300_000)).toBe('every 5 min');
    const s = steps({ 4: { status: 'failed', error: 'HTTP 500', duration_ms: 35 }, 5: { status: 'skipped', reason: 'needs step 3 ok', duration_ms: 0 } });
    expect(stepTitle(s[3]!)).toBe('step 4 sl_tp: failed — HTTP 500 · 35 ms');
    expect(stepTitle(s[4]!)).toBe('step 5 modify_entries: skipped — needs step 3 ok · 0 ms');
  });

  it('actions: problems first, otherwise in the order done', () => {
    const a = (id: string, outcome: MonitorActionWire['outcome']): MonitorActionWire => ({ execution_id: id, step: 4, kind: 'place_sl', symbol: 'SPY', client_order_id: null, linked_client_order_id: null, outcome, detail: '', at: 0 });
    expect(actionsProblemsFirst([a('1', 'done'), a('2', 'blocked'), a('3', 'rejected'), a('4', 'done'), a('5', 'failed')]).map((x) => x.execution_id)).toEqual(['5', '3', '2', '1', '4']);
  });
});
