/**
 * Issue 17 item 4: the Monitor page's components rendered with fake data (static render, fake
 * transport): the countdown, the timeline's ok / failed / skipped steps, a cycle's details, the
 * session-needed alert with its button, Pause / Resume, the settings form's errors, the page.
 */
import { describe, expect, it } from 'vitest';
import { appTicker } from '../../../../../src/renderer/src/hooks/use-now';
import { AccountCard, NextRun } from '../../../../../src/renderer/src/features/monitor/AccountCard';
import { CycleDetails } from '../../../../../src/renderer/src/features/monitor/CycleDetails';
import { CycleTimeline } from '../../../../../src/renderer/src/features/monitor/CycleTimeline';
import { MonitorAccounts, MonitorPage } from '../../../../../src/renderer/src/features/monitor/MonitorPage';
import { MonitorSettingsForm } from '../../../../../src/renderer/src/features/monitor/MonitorSettingsForm';
import { draftOfMonitorSettings } from '../../../../../src/renderer/src/features/monitor/monitor-settings-form';
import type { MonitorActionWire } from '../../../../../src/shared/contract';
import { account, cycle, SETTINGS, steps, stoppedCycle } from '../../../../helpers/monitor-fixtures';
import { attr, byTestId, render, testIdsStartingWith, textOf } from '../../../../helpers/static-render';

/** The clock offset that makes the desk's time exactly `serverNow` on the shared ticker. */
const offsetFor = (serverNow: number) => serverNow - appTicker.get();

describe('Monitor page components', () => {
  it('countdown: the next run on the desk clock, one second at a time; no time is never a zero', () => {
    const a = { state: 'active' as const, next_run_at: 1_060_000, exchange: 'NYSE' as const, interval_ms: 60_000 };
    const at = (serverNow: number, over = {}) => byTestId(render(<NextRun account={{ ...a, ...over }} clockOffsetMs={offsetFor(serverNow)} />), 'monitor-next-run');
    expect(textOf(at(1_018_000))).toBe('next run in 42s · every 60 s');
    expect(textOf(at(1_019_000))).toBe('next run in 41s · every 60 s');
    expect(attr(at(1_019_000), 'data-level')).toBe('waiting');
    expect(attr(at(1_019_000), 'title')).toMatch(/^due at \d\d:\d\d:\d\d \(\d\d:\d\d:\d\d ET\)$/);
    expect(textOf(at(1_070_000))).toContain('overdue by 10s');
    expect(textOf(at(0, { state: 'paused', next_run_at: null }))).toBe('no run scheduled: paused · every 60 s');
    expect(textOf(at(0, { state: 'paused', next_run_at: null }))).not.toMatch(/\b0s\b/);
  });

  // Issue 19: SmartAPI's session ends daily; the card counts down to it (nothing where sessions do not expire).
  it("the session's own end counts down on the card; none without one; past it while active: renewing", () => {
    const card = (serverNow: number, over = {}) => render(<AccountCard account={account({ exchange: 'NSE', ...over })} cycles={[]} clockOffsetMs={offsetFor(serverNow)} />);
    const ends = (serverNow: number, at: number | null) => byTestId(card(serverNow, { session_expires_at: at }), 'monitor-session-ends');
    expect(textOf(ends(1_000_000, 1_000_000 + 3 * 3600_000 + 5 * 60_000))).toMatch(/^session ends in 3h0?5m/);
    expect(attr(ends(1_000_000, 1_000_000 + 3 * 3600_000), 'data-level')).toBe('later');
    expect(attr(ends(1_000_000, 1_000_000 + 10 * 60_000), 'data-level')).toBe('soon');
    expect(textOf(ends(1_000_000, 999_000))).toBe('session renewing');
    expect(testIdsStartingWith(card(1_000_000, { session_expires_at: null }), 'monitor-session-ends')).toEqual([]);
  });

  it('timeline: one row per cycle with ten segments marked ✓ ✗ – and numbered, each with its duration in the title', () => {
    const ok = cycle({ started_at: 2_000_000, delayed_ms: 4_000 });
    const bad = stoppedCycle({ started_at: 1_000_000 });
    const html = render(<CycleTimeline cycles={[ok, bad]} exchange="SIM" selectedId={null} onSelect={() => {}} />);
    expect(testIdsStartingWith(html, 'monitor-cycle-c-')).toEqual(['monitor-cycle-c-2000000', 'monitor-cycle-c-1000000']);
    const okRow = byTestId(html, 'monitor-cycle-c-2000000');
    expect(attr(okRow, 'data-status')).toBe('ok');
    expect(testIdsStartingWith(okRow!, 'monitor-step-')).toHaveLength(10);
    expect(textOf(byTestId(okRow!, 'monitor-cycle-delayed'))).toBe('delayed by 4.0 s');
    const s4 = byTestId(okRow!, 'monitor-step-c-2000000-4');
    expect(textOf(s4)).toBe('4✓');
    expect(attr(s4, 'title')).toBe('step 4 sl_tp: ok · 40 ms');

    const badRow = byTestId(html, 'monitor-cycle-c-1000000');
    expect(attr(badRow, 'data-status')).toBe('stopped');
    expect(textOf(byTestId(badRow!, 'monitor-cycle-status'))).toBe('stopped');
    const s1 = byTestId(badRow!, 'monitor-step-c-1000000-1');
    expect(attr(s1, 'data-status')).toBe('failed');
    expect(textOf(s1)).toBe('1✗');
    expect(attr(s1, 'title')).toBe('step 1 fetch: failed — GET /v2/orders: HTTP 500 sim step fault · 35 ms');
    const s2 = byTestId(badRow!, 'monitor-step-c-1000000-2');
    expect(attr(s2, 'data-status')).toBe('skipped');
    expect(textOf(s2)).toBe('2–');
    expect(attr(s2, 'title')).toContain('skipped — cycle stopped: step 1 failed');
    expect(byTestId(badRow!, 'monitor-cycle-delayed')).toBeNull();
    expect(textOf(badRow)).toContain('1 error: step 1 fetch failed');
    // orange is never filled (white on orange-9 is 4.3:1, under AA; found by axe on the page with fake data)
    const errs = render(<CycleTimeline cycles={[cycle({ status: 'errors' })]} exchange="SIM" selectedId={null} onSelect={() => {}} />);
    expect(attr(byTestId(errs, 'monitor-cycle-status'), 'data-variant')).toBe('light');
    expect(attr(byTestId(badRow!, 'monitor-cycle-status'), 'data-variant')).toBe('filled');
    // empty: said, not an empty table
    expect(textOf(byTestId(render(<CycleTimeline cycles={[]} exchange="SIM" selectedId={null} onSelect={() => {}} />), 'monitor-no-cycles'))).toBe('No cycle recorded yet.');
  });

  it("a cycle's details: errors first, every step with its result, reason or error, duration and note, then the actions problems first", () => {
    const act = (id: string, outcome: MonitorActionWire['outcome'], kind: MonitorActionWire['kind'], detail: string): MonitorActionWire => ({ execution_id: id, step: 4, kind, symbol: 'SPY261218P00550000', client_order_id: `ld-${id}`, linked_client_order_id: 'ld-entry-1', outcome, detail, at: 1_000_100 });
    const c = cycle({
      status: 'errors',
      steps: steps({
        3: { status: 'failed', error: 'sync: transaction rolled back: order ld-9 unknown at the broker', duration_ms: 80 },
        4: { status: 'skipped', reason: 'needs step 3 ok; step 3 failed', duration_ms: 0 },
        6: { note: '1 SL modified', actions: [act('a1', 'done', 'modify_sl', 'SL to 2.10'), act('a2', 'rejected', 'modify_sl', 'venue 422: stop price too close')] },
      }),
      errors: [{ step: 3, name: 'sync', message: 'sync: transaction rolled back: order ld-9 unknown at the broker' }],
      summary: '1 error: step 3 sync failed',
    });
    const html = render(<CycleDetails cycle={c} exchange="NSE" />);
    const errors = byTestId(html, 'monitor-detail-errors');
    expect(textOf(errors)).toBe('1 error step 3 sync: sync: transaction rolled back: order ld-9 unknown at the broker');
    expect(html.indexOf('data-testid="monitor-detail-errors"')).toBeLessThan(html.indexOf('data-testid="monitor-detail-steps"'));
    expect(testIdsStartingWith(html, 'monitor-detail-step-')).toHaveLength(10);
    expect(textOf(byTestId(html, 'monitor-detail-step-3'))).toBe('3 sync ✗ failed 80 ms sync: transaction rolled back: order ld-9 unknown at the broker');
    expect(textOf(byTestId(html, 'monitor-detail-step-4'))).toBe('4 sl_tp – skipped — needs step 3 ok; step 3 failed');
    expect(textOf(byTestId(html, 'monitor-detail-step-6'))).toBe('6 modify_sl ✓ ok 60 ms 1 SL modified · 2 actions');
    expect(testIdsStartingWith(html, 'monitor-detail-action-')).toEqual(['monitor-detail-action-a2', 'monitor-detail-action-a1']);
    const rejected = byTestId(html, 'monitor-detail-action-a2');
    expect(attr(rejected, 'data-outcome')).toBe('rejected');
    expect(textOf(rejected)).toMatch(/^4 modify SL rejected SPY261218P00550000 ld-a2 ld-entry-1 venue 422: stop price too close \d\d:\d\d:\d\d\.\d{3}$/);
    expect(textOf(byTestId(html, 'monitor-cycle-details'))).toMatch(/Cycle \d\d:\d\d:\d\d \(\d\d:\d\d:\d\d IST\)/);
    // a cycle without errors or actions says so
    const clean = render(<CycleDetails cycle={cycle()} exchange="SIM" />);
    expect(byTestId(clean, 'monitor-detail-errors')).toBeNull();
    expect(textOf(byTestId(clean, 'monitor-detail-no-actions'))).toBe('No order action in this cycle.');
  });

  it('session needed: the state, the error and since when, and a prominent Re-authenticate', () => {
    const since = 1_000_000;
    const a = account({ state: 'session_needed', reason: 'step 1: GET /v2/orders refused the session (HTTP 401)', next_run_at: null, session_needed: { since, error: 'GET /v2/orders: session refused (HTTP 401): request is not authorized' } });
    const html = render(<AccountCard account={a} cycles={[]} clockOffsetMs={offsetFor(since + 185_000)} />);
    const card = byTestId(html, 'monitor-account-default');
    expect(attr(card, 'data-state')).toBe('session_needed');
    expect(textOf(byTestId(html, 'monitor-state'))).toBe('Session needed');
    expect(textOf(byTestId(html, 'monitor-reason'))).toBe('step 1: GET /v2/orders refused the session (HTTP 401)');
    expect(textOf(byTestId(html, 'monitor-session-error'))).toBe('GET /v2/orders: session refused (HTTP 401): request is not authorized');
    expect(textOf(byTestId(html, 'monitor-session-since'))).toMatch(/^since \d\d:\d\d:\d\d \(3m05s ago\)$/);
    const button = byTestId(html, 'monitor-reauth');
    expect(textOf(button)).toBe('Re-authenticate');
    expect(attr(button, 'disabled')).toBeNull();
    expect(textOf(byTestId(html, 'monitor-next-run'))).toContain('no run scheduled: waits for re-authentication');
    // an active account has neither
    const fine = render(<AccountCard account={account()} cycles={[]} clockOffsetMs={0} />);
    expect(byTestId(fine, 'monitor-session')).toBeNull();
    expect(byTestId(fine, 'monitor-reauth')).toBeNull();
  });

  it('Pause while active, Resume while paused; Run now disabled while a cycle runs; venue mode and exchange shown', () => {
    const active = render(<AccountCard account={account({ venue_mode: 'PAPER', exchange: 'NYSE' })} cycles={[]} clockOffsetMs={0} />);
    expect(textOf(byTestId(active, 'monitor-pause'))).toBe('Pause');
    expect(attr(byTestId(active, 'monitor-run-now'), 'disabled')).toBeNull();
    expect(textOf(byTestId(active, 'monitor-venue-mode'))).toBe('PAPER');
    expect(textOf(byTestId(active, 'monitor-exchange'))).toBe('NYSE');
    const paused = render(<AccountCard account={account({ state: 'paused', reason: 'paused by the user at 14:02', next_run_at: null })} cycles={[]} clockOffsetMs={0} />);
    expect(textOf(byTestId(paused, 'monitor-pause'))).toBe('Resume');
    expect(attr(byTestId(paused, 'monitor-pause'), 'data-paused')).toBe('true');
    expect(textOf(byTestId(paused, 'monitor-state'))).toBe('Paused');
    const running = render(<AccountCard account={account({ state: 'running', next_run_at: null })} cycles={[]} clockOffsetMs={0} />);
    expect(attr(byTestId(running, 'monitor-run-now'), 'disabled')).toBe('');
    expect(textOf(byTestId(running, 'monitor-exchange'))).toBe('SIM exchange · 24/7');
  });

  it('failing steps: a warning per step failing in consecutive cycles', () => {
    const html = render(<AccountCard account={account({ failing_steps: { sl_tp: 3, archive_rejected: 1 } })} cycles={[cycle()]} clockOffsetMs={0} />);
    expect(textOf(byTestId(html, 'monitor-failing-4'))).toBe('⚠ step 4 sl_tp failing 3 cycles in a row');
    expect(attr(byTestId(html, 'monitor-failing-4'), 'class')).toContain('warn-severe');
    expect(textOf(byTestId(html, 'monitor-failing-7'))).toBe('⚠ step 7 archive_rejected failed in the last cycle');
    expect(testIdsStartingWith(html, 'monitor-cycle-c-')).toEqual(['monitor-cycle-c-1000000']);
    // collapsed settings by default
    expect(byTestId(html, 'monitor-settings-form')).toBeNull();
    expect(textOf(byTestId(html, 'monitor-settings-toggle'))).toBe('▸ Settings');
  });

  it('settings: each error next to its field and Save disabled; a valid change lists what will be sent', () => {
    const bad = { ...draftOfMonitorSettings(SETTINGS), interval_s: '2', stop_loss: { kind: 'points' as const, value: 'abc' } };
    const html = render(<MonitorSettingsForm account={account()} initialDraft={bad} />);
    const interval = byTestId(html, 'monitor-set-interval');
    expect(attr(interval, 'aria-invalid')).toBe('true');
    expect(textOf(html)).toContain('Interval must be from 5 s to 3,600 s');
    expect(textOf(html)).toContain('Stop loss must be a positive decimal such as "30" or "0.5" (points (price units) such as 0.50)');
    expect(attr(byTestId(html, 'monitor-settings-save'), 'disabled')).toBe('');
    expect(textOf(byTestId(html, 'monitor-settings-state'))).toBe('fix the fields marked in red to save');

    const good = render(<MonitorSettingsForm account={account()} initialDraft={{ ...draftOfMonitorSettings(SETTINGS), interval_s: '5' }} />);
    expect(attr(byTestId(good, 'monitor-settings-save'), 'disabled')).toBeNull();
    expect(textOf(byTestId(good, 'monitor-settings-state'))).toBe('changes: interval_ms');
    const same = render(<MonitorSettingsForm account={account()} />);
    expect(attr(byTestId(same, 'monitor-settings-save'), 'disabled')).toBe('');
    expect(textOf(byTestId(same, 'monitor-settings-state'))).toBe('no changes');
    // the earliest time is typed in the exchange's zone: UTC for the 24/7 sim, IST for NSE
    expect(textOf(same)).toContain('Earliest time (UTC)');
    expect(textOf(render(<MonitorSettingsForm account={account({ exchange: 'NSE' })} />))).toContain('Earliest time (IST)');
  });

  it('the page: one card per account in a stable order; a desk that reports no monitoring says so', () => {
    // the page reads the store (a fresh store: not reported)
    expect(textOf(byTestId(render(<MonitorPage />), 'monitor-empty'))).toContain('has not reported the monitoring cycle');
    const html = render(<MonitorAccounts reported accounts={{ b: account({ account: 'b' }), default: account(), a: account({ account: 'a' }) }} cycles={{ b: [cycle({ account: 'b' })] }} clockOffsetMs={0} />);
    expect(testIdsStartingWith(html, 'monitor-account-')).toEqual(['monitor-account-default', 'monitor-account-a', 'monitor-account-b']);
    expect(byTestId(byTestId(html, 'monitor-account-b')!, 'monitor-timeline')).not.toBeNull();
    expect(textOf(byTestId(byTestId(html, 'monitor-account-a')!, 'monitor-no-cycles'))).toBe('No cycle recorded yet.');
    expect(textOf(byTestId(render(<MonitorAccounts reported accounts={{}} cycles={{}} clockOffsetMs={0} />), 'monitor-empty'))).toBe('No account is monitored.');
  });
});
