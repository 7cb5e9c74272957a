import { describe, expect, it, vi } from 'vitest';
import { boot } from './boot';
import { KILL_SWITCH_REASON, KILL_SWITCH_REDUCE_REASON, readTotalPnl } from '../../../src/main/tray-controller';
import type { DeskEvent } from '../../../src/shared/contract';
import type { DeskStatus } from '../../../src/node/desk';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('tray', () => {
  it('has the menu of the issue, and its items call the right desk commands', async () => {
    const { facade, shell } = await boot();
    const tray = facade.tray;
    expect(tray.template.filter((i) => i.id).map((i) => i.id)).toEqual(['status', 'start', 'stop', 'show', 'kill', 'reduce', 'quit']);
    const handle = vi.spyOn(shell.desk, 'handle');
    tray.click('start');
    await flush();
    expect(handle).toHaveBeenLastCalledWith('stream.start', {});
    expect(shell.desk.isStreaming).toBe(true);
    expect(tray.item('start').enabled).toBe(false);
    tray.click('stop');
    await flush();
    expect(handle).toHaveBeenLastCalledWith('stream.stop', {});
    expect(shell.desk.isStreaming).toBe(false);
    tray.click('kill');
    await flush();
    expect(handle).toHaveBeenLastCalledWith('killswitch.set', { account: '*', level: 'halted', reason: KILL_SWITCH_REASON });
    expect(shell.desk.killSwitch.levelOf('any-account')).toBe('halted');
    expect(tray.item('kill').enabled).toBe(false);
    expect(tray.tooltip).toContain('automation HALTED');
  });

  it('the tray tightens to Reducing for all accounts; it never loosens (re-arming is done in the app)', async () => {
    const { facade, shell } = await boot();
    const handle = vi.spyOn(shell.desk, 'handle');
    expect(facade.tray.item('reduce').enabled).toBe(true);
    facade.tray.click('reduce');
    await flush();
    expect(handle).toHaveBeenLastCalledWith('killswitch.set', { account: '*', level: 'reducing', reason: KILL_SWITCH_REDUCE_REASON });
    expect(shell.desk.killSwitch.levelOf('any-account')).toBe('reducing');
    expect(facade.tray.item('reduce').enabled).toBe(false);
    expect(facade.tray.item('kill').enabled).toBe(true);
    facade.tray.click('kill');
    await flush();
    expect(shell.desk.killSwitch.levelOf('any-account')).toBe('halted');
    expect(facade.tray.item('reduce').enabled).toBe(false);
  });

  it('kill switch from the tray persists across a restart', async () => {
    const first = await boot();
    first.facade.tray.click('kill');
    await flush();
    const stored = first.facade.stateFiles.read('kill-switch.json');
    const second = await boot((f) => f.stateFiles.write('kill-switch.json', stored!));
    expect(second.shell.desk.killSwitch.levelOf('acct')).toBe('halted');
    expect(second.facade.tray.item('kill').enabled).toBe(false);
  });

  it('Show window brings a hidden window back; Quit quits', async () => {
    const { facade, win } = await boot();
    win.close(); // close-to-tray: hidden
    expect(win.visible).toBe(false);
    facade.tray.click('show');
    expect(win.visible).toBe(true);
    facade.tray.clickListener!();
    expect(win.focused).toBeGreaterThan(0);
    facade.tray.click('quit');
    expect(facade.app.quitCalls).toBe(1);
    expect(win.destroyed).toBe(true);
    expect(facade.tray.destroyed).toBe(true);
  });

  it('icon follows state: stopped → running → stale → running, and only changes when the state does', async () => {
    const { facade, shell, clock } = await boot(() => {}, { deskConfig: { simIntervalMs: 250 } });
    const tray = facade.tray;
    expect(tray.icon).toBe('stopped');
    tray.click('start');
    await flush();
    expect(tray.icon).toBe('running');
    clock.advance(5_000);
    expect(tray.icon).toBe('running');
    expect(tray.icons).toEqual(['stopped', 'running']);
    // the feed goes silent (the desk keeps reporting the last event time while time passes). Only
    // data streams can be stale: trade_updates and rest are quiet by nature (issue 12 item 7 — this
    // test used to accept the silent rest row as "stale", which is what raised false alerts).
    const original = shell.desk.status.bind(shell.desk);
    const stale = vi.spyOn(shell.desk, 'status').mockImplementation(() => {
      const s = original();
      return { ...s, streams: s.streams.map((x) => ({ ...x, state: 'running' as const, lastEventAt: clock.now() - 60_000 })) };
    });
    clock.advance(1000);
    expect(tray.icon).toBe('degraded');
    expect(tray.tooltip).toMatch(/(stocks|options) stale 60 s/);
    expect(tray.tooltip).not.toMatch(/(trade_updates|rest) stale/);
    stale.mockRestore();
    clock.advance(1000);
    expect(tray.icon).toBe('running');
    expect(tray.icons).toEqual(['stopped', 'running', 'degraded', 'running']);
    shell.desk.stop();
  });

  it('LIVE armed shows its own icon; P&L appears in the tooltip when the desk reports it', async () => {
    const { facade, shell, clock } = await boot();
    const original = shell.desk.status.bind(shell.desk);
    // Issue 16: "armed" is a LIVE account switched to Trade with its typed phrase; in Monitor it says so.
    const armed = (): Pick<DeskStatus, 'trading'> => ({
      trading: [{ account: 'default', mode: 'trade', venue_mode: 'LIVE', live_armed: true, since: 1, kill_switch: 'active', automation_blocked: null }],
    });
    const live = vi.spyOn(shell.desk, 'status').mockImplementation(() => ({ ...original(), mode: 'LIVE' }));
    clock.advance(1000);
    expect(facade.tray.icon).toBe('live');
    expect(facade.tray.tooltip).toBe('Live Desk — LIVE · monitor · stopped · P&L 0');
    live.mockImplementation(() => ({ ...original(), mode: 'LIVE', ...armed() }));
    clock.advance(1000);
    expect(facade.tray.icon).toBe('live');
    // The desk reports its P&L in its status (0 with no positions).
    expect(facade.tray.tooltip).toBe('Live Desk — LIVE armed · TRADE · stopped · P&L 0');
    // A desk whose status does not report P&L: the tray takes it from events.
    live.mockImplementation(() => ({ ...original(), mode: 'LIVE', ...armed(), pnl_snapshot: undefined }) as unknown as DeskStatus);
    const tick = { type: 'tick_update', seq: 99, serverTime: 0, timestamp: '', ltp_updates: [], pnl_snapshot: { realized: '1', unrealized: '2', total: '3.50' } } as unknown as DeskEvent;
    shell.tray.onEvent(tick);
    clock.advance(1000);
    expect(facade.tray.tooltip).toBe('Live Desk — LIVE armed · TRADE · stopped · P&L +3.50');
  });

  it('reads total P&L defensively', () => {
    expect(readTotalPnl({ total_pnl: '12.00' })).toBe('12.00');
    expect(readTotalPnl({ total_pnl: null })).toBeNull();
    expect(readTotalPnl({ total_pnl: 12 })).toBeUndefined();
    expect(readTotalPnl({ pnl_snapshot: { total: '-1.5' } })).toBe('-1.5');
    expect(readTotalPnl({})).toBeUndefined();
    expect(readTotalPnl(null)).toBeUndefined();
  });

  it('does not rebuild the menu on every tick or second', async () => {
    const { facade, clock } = await boot();
    facade.tray.click('start');
    await flush();
    const builds = facade.tray.menuBuilds;
    clock.advance(10_000);
    expect(facade.tray.menuBuilds).toBe(builds);
  });

  it('reads the desk\'s status slice once a second, never the full snapshot (no copy of every quote and position)', async () => {
    const { shell, clock } = await boot();
    const snapshot = vi.spyOn(shell.desk, 'snapshot');
    const status = vi.spyOn(shell.desk, 'status');
    clock.advance(3000);
    expect(status.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(snapshot).not.toHaveBeenCalled();
    const s = shell.desk.status();
    expect(Object.keys(s).sort()).toEqual(['killSwitch', 'mode', 'pnl_snapshot', 'serverTime', 'streaming', 'streams', 'trading']);
    expect(s.pnl_snapshot).toEqual(shell.desk.snapshot().pnl_snapshot);
  });
});
