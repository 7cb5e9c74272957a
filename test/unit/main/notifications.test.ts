import { describe, expect, it, vi } from 'vitest';
import { boot, type Booted } from './boot';
import { IPC } from '../../../src/shared/electron-ipc';
import type { AlertEvent, DeskEvent, StreamHealthWire } from '../../../src/shared/contract';

const flush = () => new Promise((r) => setTimeout(r, 0));

/**
 * Lets a test set one stream's health as the desk reports it. The desk reports several streams
 * (stocks, options, trade_updates, rest); the test drives the `stocks` stream alone so each
 * transition is one notification.
 */
function controlHealth(b: Booted) {
  const desk = b.shell.desk as unknown as { streams(): StreamHealthWire[] };
  const original = desk.streams.bind(desk);
  let override: Partial<StreamHealthWire> | null = null;
  vi.spyOn(desk, 'streams').mockImplementation(() =>
    original()
      .filter((s) => s.name === 'stocks')
      .map((s) => ({ ...s, lastEventAt: s.lastEventAt ?? b.clock.now(), ...(override ?? {}) })),
  );
  return (o: Partial<StreamHealthWire> | null) => {
    override = o;
  };
}

const alertsSent = (b: Booted) => (b.win.webContents.payloads(IPC.event) as DeskEvent[]).filter((e): e is AlertEvent => e.type === 'alert');

describe('native notifications', () => {
  it('fire once per critical transition; every alert also lands in the event history', async () => {
    const b = await boot();
    const set = controlHealth(b);
    b.facade.tray.click('start');
    await flush();
    set({ state: 'error', lastError: 'socket closed (1006)' });
    b.clock.advance(1000);
    b.clock.advance(30_000); // still in error: nothing new
    const shown = b.facade.notifications.shown;
    expect(shown.map((n) => n.options.title)).toEqual(['[SIM] Stream error: stocks']);
    expect(shown[0]!.options).toMatchObject({ body: 'socket closed (1006)', urgency: 'critical' });
    set(null); // recovers
    b.clock.advance(1000);
    set({ state: 'error', lastError: 'again' }); // a new transition within the de-dup window
    b.clock.advance(1000);
    expect(alertsSent(b).filter((a) => a.kind === 'stream_error')).toHaveLength(2); // history has both
    expect(shown).toHaveLength(1); // the duplicate did not pop up again
    set(null);
    b.clock.advance(5 * 60_000);
    set({ state: 'session_needed' });
    b.clock.advance(1000);
    expect(shown.map((n) => n.options.title)).toEqual(['[SIM] Stream error: stocks', '[SIM] Broker session needed: stocks']);
    b.shell.desk.stop();
  });

  it('a feed stale beyond the threshold notifies once; its recovery only goes to history', async () => {
    const b = await boot();
    const set = controlHealth(b);
    b.facade.tray.click('start');
    await flush();
    const frozenAt = b.clock.now();
    set({ state: 'running', lastEventAt: frozenAt });
    b.clock.advance(10_000);
    expect(b.facade.notifications.shown).toHaveLength(0); // exactly at the threshold
    b.clock.advance(1000);
    b.clock.advance(20_000);
    expect(b.facade.notifications.shown.map((n) => n.options.title)).toEqual(['[SIM] Feed stale: stocks']);
    set({ state: 'running', lastEventAt: b.clock.now() }); // data flows again
    b.clock.advance(1000);
    expect(alertsSent(b).map((a) => a.kind)).toEqual(['feed_stale', 'feed_recovered']);
    expect(b.facade.notifications.shown).toHaveLength(1);
    b.shell.desk.stop();
  });

  it('are rate-limited, then summarized; the summary opens the Events page', async () => {
    const b = await boot();
    for (let i = 0; i < 10; i++) b.shell.desk.alerts.entryFailed({ subject: `run-${i}`, symbol: 'SPY', method: 'limit', reason: 'rejected' });
    expect(alertsSent(b)).toHaveLength(10);
    expect(b.facade.notifications.shown).toHaveLength(4);
    b.clock.advance(60_000);
    const summary = b.facade.notifications.shown.at(-1)!;
    expect(b.facade.notifications.shown).toHaveLength(5);
    expect(summary.options.title).toBe('[SIM] 6 more alerts');
    b.win.hide();
    summary.onClick();
    expect(b.win.visible).toBe(true);
    expect(b.win.webContents.payloads(IPC.navigate).at(-1)).toEqual({ view: 'events', alertId: null });
  });

  it('a click focuses the window on the page the alert is about', async () => {
    const b = await boot();
    const alert = b.shell.desk.alerts.trailingStopActivated({ subject: 'pos-1', symbol: 'NIFTY', level: '101.5' });
    b.win.close(); // hidden in the tray
    b.win.minimized = true;
    b.facade.notifications.shown[0]!.onClick();
    expect(b.win.visible).toBe(true);
    expect(b.win.minimized).toBe(false);
    expect(b.win.focused).toBe(1);
    expect(b.win.webContents.payloads(IPC.navigate)).toEqual([{ view: 'live-control', alertId: alert.id }]);
  });

  it('a click after the window was really closed reopens it and navigates once it is ready', async () => {
    const b = await boot((f) => f.stateFiles.write('shell-settings.json', '{"closeToTray": false}'));
    b.shell.desk.alerts.forcedExit({ subject: 'pos-2', symbol: 'SPY', reason: 'time exit' });
    // closeToTray off: closing quits the app in production; here we only close the window
    b.facade.app.windowAllClosed.length = 0;
    expect(b.win.close()).toBe(true);
    b.facade.notifications.shown.find((n) => n.options.title?.includes('Forced exit'))!.onClick();
    const reopened = b.facade.window;
    expect(reopened).not.toBe(b.win);
    expect(reopened.webContents.payloads(IPC.navigate)).toEqual([]);
    await Promise.resolve();
    reopened.emit('ready-to-show');
    expect(reopened.webContents.payloads(IPC.navigate)).toEqual([{ view: 'live-control', alertId: expect.stringMatching(/^alert-/) }]);
  });

  it('respect the notifications setting and platform support (history still gets every alert)', async () => {
    const off = await boot((f) => f.stateFiles.write('shell-settings.json', '{"notifications": false}'));
    off.shell.desk.alerts.entryFailed({ subject: 'r', symbol: 'SPY', method: 'limit' });
    expect(off.facade.notifications.shown).toHaveLength(0);
    expect(alertsSent(off)).toHaveLength(1);
    const unsupported = await boot((f) => (f.notifications.supported = false));
    unsupported.shell.desk.alerts.entryFailed({ subject: 'r', symbol: 'SPY', method: 'limit' });
    expect(unsupported.facade.notifications.shown).toHaveLength(0);
  });

  it('info alerts never pop up', async () => {
    const b = await boot();
    b.shell.desk.alerts.raise({ severity: 'info', kind: 'feed_recovered', subject: 'sim', title: 't', body: 'b' });
    expect(b.facade.notifications.shown).toHaveLength(0);
  });

  it('a strategy run’s entry, trailing activation and forced exit notify once each, through the facade; a repeat does not pop up again', async () => {
    const b = await boot();
    // the drafts exactly as the strategy service raises them for its engine's `notify` actions (severity by kind, subject run:kind)
    const notify = (kind: 'entry_succeeded' | 'trailing_stop_activated' | 'forced_exit', title: string) =>
      b.shell.desk.alerts.raise({ severity: kind === 'forced_exit' ? 'critical' : 'warning', kind, subject: `run-1:${kind}`, title, body: `${title}: details` });
    notify('entry_succeeded', 'Strangle: entry filled');
    b.clock.advance(20_000);
    notify('trailing_stop_activated', 'Strangle: trailing stop armed');
    b.clock.advance(20_000);
    notify('forced_exit', 'Strangle: forced exit');
    notify('forced_exit', 'Strangle: forced exit');
    expect(b.facade.notifications.shown.map((n) => n.options.title)).toEqual(['[SIM] Strangle: entry filled', '[SIM] Strangle: trailing stop armed', '[SIM] Strangle: forced exit']);
    expect(alertsSent(b).filter((a) => a.kind === 'forced_exit')).toHaveLength(2); // the history has both
  });
});
