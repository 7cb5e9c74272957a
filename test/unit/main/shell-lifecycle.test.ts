import { describe, expect, it } from 'vitest';
import { boot } from './boot';
import { IPC } from '../../../src/shared/electron-ipc';

describe('shell lifecycle', () => {
  it('closing the window keeps the app in the tray (default), once telling the user', async () => {
    const { win, facade, shell } = await boot();
    expect(shell.settings.closeToTray).toBe(true);
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    expect(facade.app.quitCalls).toBe(0);
    win.close();
    expect(facade.notifications.shown.filter((n) => n.options.title === 'Live Desk is still running')).toHaveLength(1);
  });

  it('with closeToTray off, closing the window quits', async () => {
    const { win, facade } = await boot((f) => f.stateFiles.write('shell-settings.json', '{"closeToTray": false}'));
    expect(win.close()).toBe(true);
    expect(facade.app.quitCalls).toBe(1);
  });

  it('an invalid settings file is kept aside and defaults apply', async () => {
    const { shell, facade, logger } = await boot((f) => f.stateFiles.write('shell-settings.json', '{"closeToTray": "yes"}'));
    expect(shell.settings.closeToTray).toBe(true);
    expect(facade.stateFiles.read('shell-settings.json.invalid')).toContain('"yes"');
    expect(logger.lines.some((l) => l.msg === 'shell settings are invalid; using defaults' && String(l.fields?.issues).includes('closeToTray'))).toBe(true);
  });

  it('quitting disposes everything: no timers, no IPC handlers, tray gone, desk stopped', async () => {
    const { facade, shell, clock, invoke } = await boot();
    await invoke('stream.start', {});
    clock.advance(2000);
    shell.quit();
    expect(facade.app.quitCalls).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(facade.ipc.handlers.size).toBe(0);
    expect(facade.ipc.listeners.get(IPC.resync)).toBeUndefined();
    expect(facade.tray.destroyed).toBe(true);
    expect(shell.desk.isStreaming).toBe(false);
    expect(facade.windows.every((w) => w.destroyed)).toBe(true);
  });

  it('a second launch or a dock click shows the window', async () => {
    const { facade, win } = await boot();
    win.close();
    for (const l of facade.app.secondInstance) l();
    expect(win.visible).toBe(true);
    win.close();
    for (const l of facade.app.activate) l();
    expect(win.visible).toBe(true);
  });

  it('events are not sent to a destroyed window', async () => {
    const { facade, win, shell } = await boot((f) => f.stateFiles.write('shell-settings.json', '{"closeToTray": false}'));
    facade.app.windowAllClosed.length = 0; // keep the app alive after the close
    win.close();
    const before = win.webContents.sent.length;
    shell.desk.alerts.entryFailed({ subject: 'r', symbol: 'SPY', method: 'limit' });
    expect(win.webContents.sent.length).toBe(before);
  });
});
