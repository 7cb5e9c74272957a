/**
 * Issue 18 item 5: the Live Control page's components rendered with fake data (static render, fake
 * transport): the countdowns on the desk's clock, each panel in each state (waiting, entering with
 * three attempts and the market fallback, live with trailing armed, exiting, cooldown finished, error
 * with its reason), a stale quote shown as stale, unknown P&L as "—", the flash once, the audit table.
 */
import { describe, expect, it } from 'vitest';
import { appTicker } from '../../../../../src/renderer/src/hooks/use-now';
import { LiveControl, runOrder } from '../../../../../src/renderer/src/features/live-control/LiveControlPage';
import { AuditTable, RunCard } from '../../../../../src/renderer/src/features/live-control/RunCard';
import { RunCountdown } from '../../../../../src/renderer/src/features/live-control/RunPanels';
import { FLASH_MS } from '../../../../../src/renderer/src/features/live-control/run-words';
import type { StrategyRuntimeWire, TradingStateWire } from '../../../../../src/shared/contract';
import { cooldownRun, definition, enteringRun, errorRun, exitingRun, iso, liveRun, position, run, T0 } from '../../../../helpers/strategy-fixtures';
import { attr, byTestId, render, testIdsStartingWith, textOf } from '../../../../helpers/static-render';

/** The clock offset that makes the desk's time exactly `serverNow` on the shared ticker. */
const offsetFor = (serverNow: number) => serverNow - appTicker.get();
const card = (r: StrategyRuntimeWire, opts: { now?: number; flash?: { kind: 'entry_succeeded' | 'entry_failed' | 'trailing_armed' | 'forced_exit'; at: number }; account?: TradingStateWire } = {}) =>
  render(<RunCard run={r} flash={opts.flash} account={opts.account} clockOffsetMs={offsetFor(opts.now ?? T0)} />);
const panel = (html: string, name: string) => byTestId(html, `run-panel-${name}`);

describe('Live Control components', () => {
  it('countdowns: the entry on the desk clock, one second at a time; due said as due; none is never a 0', () => {
    const r = run();
    const at = (now: number, x = r, which: 'entry' | 'exit' = 'entry') => byTestId(render(<RunCountdown run={x} which={which} clockOffsetMs={offsetFor(now)} testId="cd" />), 'cd');
    expect(textOf(at(T0))).toBe('in 20s');
    expect(attr(at(T0), 'data-level')).toBe('future');
    expect(textOf(at(T0 + 1_000))).toBe('in 19s');
    expect(textOf(at(T0 + 12_500))).toBe('in 8s');
    expect(attr(at(T0 + 12_500), 'data-level')).toBe('soon');
    expect(textOf(at(T0 + 20_000))).toBe('now');
    expect(textOf(at(T0 + 23_000))).toBe('due 3s ago');
    expect(attr(at(T0 + 23_000), 'data-level')).toBe('due');
    // no scheduled_entry_at: time_to_entry counted from the payload's time
    expect(textOf(at(T0 + 5_000, run({ scheduled_entry_at: null, time_to_entry: 30 })))).toBe('in 25s');
    // neither: unknown, a dash (never "in 0s")
    expect(textOf(at(T0, run({ scheduled_entry_at: null, time_to_entry: null })))).toBe('—');
    // the exit: hours away, then gone once the run ended
    expect(textOf(at(T0, r, 'exit'))).toBe('in 6h00m');
    expect(textOf(at(T0 + 125_000, r, 'exit'))).toBe('in 5h57m');
    expect(textOf(at(T0, cooldownRun(), 'exit'))).toBe('—');
    // an entering run shows when it entered, not a countdown
    expect(textOf(at(T0, enteringRun()))).toMatch(/^entered at \d\d:\d\d:\d\d$/);
    // a cooldown with a re-entry pending counts down to it; a finished one does not
    const pending = { ...cooldownRun(), status_reason: 'cooldown after stop loss: re-entry 2 of 2 at 11:00', scheduled_entry_at: iso(T0 + 90_000), time_to_entry: 90 };
    expect(textOf(at(T0, pending))).toBe('re-entry in 90s');
    expect(textOf(at(T0 + 90_000, pending))).toBe('re-entry now');
    expect(textOf(at(T0, cooldownRun()))).not.toMatch(/re-entry/);
  });

  it('waiting: schedule & status names config, underlying, account, target per leg, status with reason, entry and exit', () => {
    const html = card(run());
    expect(attr(byTestId(html, 'run-run-1'), 'data-status')).toBe('waiting');
    const s = panel(html, 'schedule')!;
    expect(textOf(s)).toContain('SPY short strangle (spy-strangle)');
    expect(textOf(byTestId(s, 'run-underlying'))).toBe('SPY · account default');
    expect(textOf(byTestId(s, 'run-target-0'))).toBe('SELL 1 CALL · |Δ| 0.15–0.25 · nearest expiry');
    expect(textOf(byTestId(s, 'run-target-1'))).toBe('SELL 1 PUT · |Δ| 0.15–0.25 · nearest expiry');
    expect(textOf(byTestId(s, 'run-status'))).toBe('Waiting');
    expect(textOf(byTestId(s, 'run-status-reason'))).toBe('waiting for 09:45 ET');
    expect(textOf(byTestId(s, 'run-entry-countdown'))).toBe('in 20s');
    expect(textOf(s)).toContain('(09:45 exch., mon tue wed thu fri)');
    expect(textOf(byTestId(s, 'run-exit-countdown'))).toBe('in 6h00m');
    // entry: nothing selected yet; health: no position; exit: nothing to exit
    expect(textOf(byTestId(panel(html, 'entry')!, 'run-entry-method'))).toBe('not started');
    expect(textOf(byTestId(panel(html, 'entry')!, 'run-entry-leg-0'))).toContain('not selected');
    expect(textOf(byTestId(panel(html, 'health')!, 'run-no-positions'))).toBe('No position yet.');
    expect(textOf(byTestId(html, 'run-total-pnl'))).toBe('—');
    expect(attr(byTestId(html, 'run-exit-all'), 'disabled')).not.toBeNull();
    expect(attr(byTestId(html, 'run-pause'), 'disabled')).toBeNull();
    expect(textOf(byTestId(html, 'run-pause'))).toBe('Pause');
  });

  it('entering: three limit attempts then market; per leg the contract, delta with its source and age, try, last vs bound, status', () => {
    const html = card(enteringRun());
    const e = panel(html, 'entry')!;
    expect(textOf(byTestId(e, 'run-entry-attempts'))).toBe('4 attempts of 3 limit → market');
    expect(textOf(byTestId(e, 'run-entry-method'))).toBe('limit → market');
    expect(attr(byTestId(e, 'run-entry-method'), 'data-method')).toBe('market');
    const call = byTestId(e, 'run-entry-leg-0')!;
    expect(attr(call, 'data-status')).toBe('working');
    expect(textOf(call)).toContain('SPY 7 Dec 26 610 C');
    expect(textOf(byTestId(call, 'run-entry-delta-0'))).toBe('0.21 venue · 0.4s');
    expect(textOf(byTestId(call, 'run-entry-try-0'))).toBe('#4 market');
    expect(textOf(call)).toContain('1.15 / 1.10');
    const put = byTestId(e, 'run-entry-leg-1')!;
    expect(textOf(byTestId(put, 'run-entry-delta-1'))).toBe('-0.19 desk · 1.2s');
    expect(textOf(byTestId(put, 'run-entry-try-1'))).toBe('#2 limit');
    expect(attr(put, 'data-status')).toBe('filled');
    expect(attr(byTestId(call, 'run-entry-contract-0'), 'title')).toBe('SPY261207C00610000 · expiry 2026-12-07 · strike 610');
    // a venue symbol that does not carry expiry and strike (Delta, NSE) gets them from the payload
    const nse = enteringRun();
    nse.entry.legs[0] = { ...nse.entry.legs[0]!, symbol: 'NIFTY26DEC24500CE', expiry: '2026-12-24', strike: 24500 };
    expect(textOf(byTestId(card(nse), 'run-entry-contract-0'))).toBe('NIFTY26DEC24500CE · 2026-12-24 · 24500');
    expect(textOf(byTestId(html, 'run-status'))).toBe('Entering');
    expect(textOf(byTestId(html, 'run-status-reason'))).toBe('limit attempts exhausted: market fallback');
  });

  it('live with trailing armed: per leg entry → current, P&L abs / %, quote age, SL/TP; trailing armed with level, best and last change', () => {
    const html = card(liveRun());
    const h = panel(html, 'health')!;
    expect(testIdsStartingWith(h, 'run-position-')).toEqual(['run-position-0', 'run-position-1']);
    const p0 = byTestId(h, 'run-position-0')!;
    expect(textOf(p0)).toContain('SELL 1 SPY 7 Dec 26 610 C');
    expect(textOf(p0)).toContain('1.20 → 0.80');
    expect(textOf(byTestId(p0, 'run-pnl-0'))).toBe('+40.00');
    expect(attr(byTestId(p0, 'run-pnl-0'), 'class')).toContain('tone-pos');
    expect(textOf(byTestId(p0, 'run-pnl-pct-0'))).toBe('+33.33%');
    expect(textOf(byTestId(p0, 'run-quote-age-0'))).toBe('0.3s');
    expect(attr(byTestId(p0, 'run-quote-age-0'), 'data-level')).toBe('fresh');
    expect(textOf(p0)).toContain('2.40 / —');
    expect(textOf(byTestId(h, 'run-total-pnl'))).toBe('+75.00');
    expect(textOf(byTestId(h, 'run-total-pnl-pct'))).toBe('+32.61%');
    const t = byTestId(h, 'run-trailing')!;
    expect(attr(t, 'data-armed')).toBe('true');
    expect(textOf(t)).toMatch(/^Trailing: armed · level 22\.61% · best 32\.61% · moved \d\d:\d\d:\d\d$/);
    // exit timeline: triggers listed, none fired; exit per open leg and all enabled
    const x = panel(html, 'exit')!;
    expect(testIdsStartingWith(x, 'run-trigger-')).toEqual(['run-trigger-stop_loss', 'run-trigger-take_profit', 'run-trigger-trailing', 'run-trigger-forced']);
    expect(textOf(byTestId(x, 'run-trigger-trailing'))).toBe('Trailing: armed · level 22.61%');
    expect(textOf(byTestId(x, 'run-trigger-forced'))).toBe('Forced exit: 15:45 exchange time');
    expect(textOf(byTestId(x, 'run-trigger-stop_loss'))).toBe('Structure SL: 50%');
    expect(attr(byTestId(x, 'run-trigger-forced'), 'data-fired')).toBe('false');
    expect(attr(byTestId(x, 'run-exit-all'), 'disabled')).toBeNull();
    expect(attr(byTestId(x, 'run-exit-leg-0'), 'disabled')).toBeNull();
    expect(attr(byTestId(x, 'run-exit-leg-1'), 'disabled')).toBeNull();
    expect(textOf(byTestId(x, 'run-exit-reason'))).toBe('—');
  });

  it('a stale quote is shown as stale; no quote says so; unknown P&L is "—", never 0', () => {
    const r = liveRun({ positions: [position(0, { quote_fresh: false, quote_age_ms: 12_000 }), position(1, { quote_age_ms: null, quote_fresh: false, current_price: null, pnl_abs: null, pnl_pct: null })] }, { total_pnl: null, total_pnl_pct: null });
    const h = panel(card(r), 'health')!;
    expect(textOf(byTestId(h, 'run-quote-age-0'))).toBe('stale 12s');
    expect(attr(byTestId(h, 'run-quote-age-0'), 'data-level')).toBe('stale');
    expect(attr(byTestId(h, 'run-quote-age-0'), 'class')).toContain('age-stale');
    expect(textOf(byTestId(h, 'run-quote-age-1'))).toBe('no quote');
    expect(attr(byTestId(h, 'run-quote-age-1'), 'class')).toContain('age-stale');
    expect(textOf(byTestId(h, 'run-pnl-1'))).toBe('—');
    expect(attr(byTestId(h, 'run-pnl-1'), 'class')).toContain('tone-unknown');
    expect(textOf(byTestId(h, 'run-pnl-pct-1'))).toBe('—');
    expect(textOf(byTestId(h, 'run-total-pnl'))).toBe('—');
    expect(textOf(byTestId(h, 'run-total-pnl-pct'))).toBe('unknown: a leg has no fresh mark');
    expect(textOf(byTestId(h, 'run-position-1'))).toContain('1.10 → —');
  });

  it('exiting on the forced exit: the trigger fired, the reason said, remaining time due', () => {
    const html = card(exitingRun(), { now: T0 + 2_000 });
    const x = panel(html, 'exit')!;
    expect(attr(byTestId(x, 'run-trigger-forced'), 'data-fired')).toBe('true');
    expect(textOf(byTestId(x, 'run-trigger-forced'))).toBe('● Forced exit: 15:45 exchange time');
    expect(attr(byTestId(x, 'run-trigger-trailing'), 'data-fired')).toBe('false');
    expect(textOf(byTestId(x, 'run-exit-reason'))).toBe('forced 15:45');
    expect(textOf(byTestId(x, 'run-exit-remaining'))).toBe('due 2s ago');
    expect(textOf(byTestId(html, 'run-status'))).toBe('Exiting');
  });

  it('cooldown finished: positions exited (by trailing), exit controls off, pause off (nothing left to act on)', () => {
    const html = card(cooldownRun());
    expect(textOf(byTestId(html, 'run-status'))).toBe('Cooldown');
    expect(textOf(byTestId(html, 'run-status-reason'))).toBe('finished: no re-entry left');
    expect(textOf(byTestId(html, 'run-position-0'))).toContain('exited: trailing');
    expect(attr(byTestId(html, 'run-trigger-trailing'), 'data-fired')).toBe('true');
    expect(attr(byTestId(html, 'run-exit-all'), 'disabled')).not.toBeNull();
    expect(attr(byTestId(html, 'run-exit-leg-0'), 'disabled')).not.toBeNull();
    expect(attr(byTestId(html, 'run-pause'), 'disabled')).not.toBeNull();
    expect(textOf(byTestId(html, 'run-exit-countdown'))).toBe('—');
  });

  it('error: the status says why; halt still offered; paused runs say so and offer Resume', () => {
    const html = card(errorRun());
    expect(attr(byTestId(html, 'run-status'), 'data-status')).toBe('error');
    expect(textOf(byTestId(html, 'run-status-reason'))).toBe('no fresh greeks for SPY 2026-12-07: no entry');
    expect(attr(byTestId(html, 'run-halt'), 'disabled')).toBeNull();
    const paused = card(run({}, { paused: true }));
    expect(textOf(byTestId(paused, 'run-status'))).toBe('Waiting · paused');
    expect(textOf(byTestId(paused, 'run-pause'))).toBe('Resume');
    expect(attr(byTestId(paused, 'run-pause'), 'data-paused')).toBe('true');
    expect(attr(byTestId(card(run({ status: 'halted', status_reason: 'halted: manual' })), 'run-halt'), 'disabled')).not.toBeNull();
    // a halted run acts no more (the engine ignores an exit then): its positions are exited on the Orders page, which the card says
    const halted = card(liveRun({ status: 'halted', status_reason: 'halted: e2e' }));
    expect(attr(byTestId(halted, 'run-exit-all'), 'disabled')).not.toBeNull();
    expect(attr(byTestId(halted, 'run-exit-leg-1'), 'disabled')).not.toBeNull();
    expect(byTestId(halted, 'run-exit-elsewhere')).toMatch(/exit its positions on the Orders page/);
    expect(attr(byTestId(halted, 'run-pause'), 'disabled')).not.toBeNull();
    // in cooldown the run is flat: no exit even if a leg's payload has no exit reason
    expect(attr(byTestId(card(liveRun({ status: 'cooldown' }, { reentries_left: 1 })), 'run-exit-all'), 'disabled')).not.toBeNull();
  });

  it('the flash: shown for a moment after the change, at its time, then gone (once per occurrence)', () => {
    const flash = { kind: 'trailing_armed' as const, at: T0 };
    const during = card(liveRun(), { now: T0 + 500, flash });
    expect(attr(byTestId(during, 'run-run-1'), 'data-flash')).toBe('trailing_armed');
    expect(attr(byTestId(during, 'run-run-1'), 'class')).toContain('run-flash-trailing_armed');
    expect(textOf(byTestId(during, 'run-flash'))).toBe('Trailing stop armed');
    expect(attr(byTestId(during, 'run-flash'), 'class')).toContain('warn-info'); // good news is not painted red
    const after = card(liveRun(), { now: T0 + FLASH_MS + 1, flash });
    expect(attr(byTestId(after, 'run-run-1'), 'data-flash')).toBeNull();
    expect(byTestId(after, 'run-flash')).toBeNull();
    // a flash stamped later than the clock (clock skew) does not show
    expect(byTestId(card(liveRun(), { now: T0 - 1, flash }), 'run-flash')).toBeNull();
    const forced = byTestId(card(exitingRun(), { now: T0 + 10, flash: { kind: 'forced_exit', at: T0 } }), 'run-flash');
    expect(textOf(forced)).toBe('Forced exit');
    expect(attr(forced, 'class')).toContain('warn-severe');
  });

  it('the card names the account and its mode (the confirmations use the same words)', () => {
    const acct = { account: 'default', venue_mode: 'PAPER', mode: 'trade' } as TradingStateWire;
    expect(textOf(card(run(), { account: acct }))).toContain('account default (PAPER, Trade mode)');
    expect(textOf(card(run()))).toContain('account default (unknown venue, mode unknown)');
  });

  it('audit table: time, kind, message; empty said', () => {
    const html = render(
      <AuditTable
        events={[
          { event_id: 1, run_id: 'run-1', at: iso(T0), kind: 'scheduled', execution_id: null, message: 'entry at 09:45 ET' },
          { event_id: 2, run_id: 'run-1', at: iso(T0 + 1_234), kind: 'entry_attempt', execution_id: 'x-1', message: null },
        ]}
      />,
    );
    expect(testIdsStartingWith(html, 'run-audit-')).toEqual(['run-audit-table', 'run-audit-1', 'run-audit-2']);
    expect(textOf(byTestId(html, 'run-audit-1'))).toMatch(/^\d\d:\d\d:\d\d\.000 scheduled entry at 09:45 ET$/);
    expect(textOf(byTestId(html, 'run-audit-2'))).toMatch(/\.234 entry_attempt —$/);
    expect(textOf(byTestId(render(<AuditTable events={[]} />), 'run-audit-empty'))).toBe('No audit entry yet.');
  });

  it('the page: acting runs first, then waiting, then ended; empty and not-reported said; the Strategies section lists definitions', () => {
    const list = runOrder([cooldownRun(), run({ run_id: 'w' }), { ...liveRun(), run_id: 'l' }, { ...enteringRun(), run_id: 'e' }]);
    expect(list.map((r) => r.run_id)).toEqual(['e', 'l', 'w', 'run-1']);
    const html = render(<LiveControl reported definitions={[definition()]} runs={{ a: run({ run_id: 'a' }), b: { ...liveRun(), run_id: 'b' } }} flashes={{}} trading={[]} clockOffsetMs={offsetFor(T0)} />);
    expect(testIdsStartingWith(html, 'run-').filter((id) => /^run-[ab]$/.test(id))).toEqual(['run-b', 'run-a']);
    expect(textOf(byTestId(html, 'strategy-spy-strangle'))).toContain('SPY short strangle spy-strangle · SPY · account default');
    expect(textOf(byTestId(html, 'strategy-spy-strangle'))).toContain('SELL 1 CALL |Δ| 0.15–0.25 + SELL 1 PUT |Δ| 0.15–0.25 · entry 09:45 mon tue wed thu fri · SL 50% · TP 80% · trail 30%/10% · forced 15:45');
    expect(byTestId(html, 'strategy-start-spy-strangle')).not.toBeNull();
    expect(textOf(byTestId(render(<LiveControl reported definitions={[]} runs={{}} flashes={{}} trading={[]} clockOffsetMs={0} />), 'runs-empty'))).toContain('No strategy run');
    const old = render(<LiveControl reported={false} definitions={[]} runs={{}} flashes={{}} trading={[]} clockOffsetMs={0} />);
    expect(textOf(byTestId(old, 'runs-empty'))).toBe('The desk has not reported strategy runs.');
    expect(textOf(byTestId(old, 'strategies-empty'))).toBe('The desk has not reported strategies.');
  });
});
