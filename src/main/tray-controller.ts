/**
 * Renders the tray from the desk: icon and tooltip from `deriveTrayView` (core), menu items that
 * run desk commands through the same validated command path as the renderer. Re-derived on desk
 * events and every second (staleness needs time to pass, not an event); the native tray is only
 * touched when something visible changed.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { Cancel, Clock, Scheduler } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import { deriveTrayView, deskModeOf, type TrayIcon, type TrayView } from '../core/shell/tray-state';
import type { CommandOutcome, DeskEvent } from '../shared/contract';
import type { DeskStatus } from '../node/desk';
import type { TrayLike } from './facade';

export const KILL_SWITCH_REASON = 'tray: halt all automation';
export const KILL_SWITCH_REDUCE_REASON = 'tray: reducing only, all accounts';

export interface TrayControllerDeps {
  tray: TrayLike;
  /** The icon the tray was created with. */
  initialIcon: TrayIcon;
  clock: Clock & Scheduler;
  /** The desk's status slice (`Desk.status()`), read once a second. */
  readDesk(): DeskStatus;
  runCommand(name: string, payload: unknown): Promise<CommandOutcome>;
  showWindow(): void;
  quit(): void;
  feedStaleAfterMs: number;
  logger: Logger;
  refreshEveryMs?: number;
}

/**
 * Total P&L from whatever the desk reports, read defensively: `total_pnl` on a snapshot or event,
 * or `pnl_snapshot.total` (spec §7). A decimal string, null (unknown), or undefined (not reported).
 */
export function readTotalPnl(source: unknown): string | null | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const o = source as Record<string, unknown>;
  const pick = (v: unknown): string | null | undefined => (typeof v === 'string' || v === null ? v : undefined);
  if ('total_pnl' in o) return pick(o.total_pnl);
  const snap = o.pnl_snapshot;
  if (typeof snap === 'object' && snap !== null && 'total' in snap) return pick((snap as Record<string, unknown>).total);
  return undefined;
}

export class TrayController {
  private totalPnl: string | null | undefined = undefined;
  private shown: { icon?: string; tooltip?: string; menuKey?: string } = {};
  private readonly timer: Cancel;
  private disposed = false;

  constructor(private readonly deps: TrayControllerDeps) {
    this.shown.icon = deps.initialIcon;
    deps.tray.onClick(() => deps.showWindow());
    this.refresh();
    this.timer = deps.clock.setInterval(() => this.refresh(), deps.refreshEveryMs ?? 1000);
  }

  onEvent(event: DeskEvent): void {
    if (this.disposed) return;
    const pnl = event.type === 'snapshot' ? readTotalPnl(event.snapshot) : readTotalPnl(event);
    if (pnl !== undefined) this.totalPnl = pnl;
    // Ticks arrive up to 20/s: their P&L shows at the next periodic refresh.
    if (event.type !== 'tick_update') this.refresh();
  }

  /** The view currently shown (for tests and diagnostics). */
  view(): TrayView {
    const snap = this.deps.readDesk();
    const fromSnapshot = readTotalPnl(snap);
    if (fromSnapshot !== undefined) this.totalPnl = fromSnapshot;
    return deriveTrayView({
      now: this.deps.clock.now(),
      streaming: snap.streaming,
      ...deskModeOf(snap.mode, snap.trading),
      streams: snap.streams,
      feedStaleAfterMs: this.deps.feedStaleAfterMs,
      totalPnl: this.totalPnl,
      killSwitch: snap.killSwitch?.global.level ?? 'active',
    });
  }

  refresh(): void {
    if (this.disposed) return;
    const v = this.view();
    const { tray } = this.deps;
    if (v.icon !== this.shown.icon) tray.setImage(v.icon);
    if (v.tooltip !== this.shown.tooltip) tray.setToolTip(v.tooltip);
    const menuKey = JSON.stringify([v.headline, v.canStart, v.canStop, v.halted, v.reducing]);
    if (menuKey !== this.shown.menuKey) tray.setContextMenu(this.menu(v));
    this.shown = { icon: v.icon, tooltip: v.tooltip, menuKey };
  }

  dispose(): void {
    this.disposed = true;
    this.timer();
    this.deps.tray.destroy();
  }

  private menu(v: TrayView): MenuItemConstructorOptions[] {
    return [
      { id: 'status', label: v.headline, enabled: false },
      { type: 'separator' },
      { id: 'start', label: 'Start streaming', enabled: v.canStart, click: () => this.run('stream.start', {}) },
      { id: 'stop', label: 'Stop streaming', enabled: v.canStop, click: () => this.run('stream.stop', {}) },
      { type: 'separator' },
      { id: 'show', label: 'Show window', click: () => this.deps.showWindow() },
      {
        id: 'kill',
        label: v.halted ? 'Automation halted (re-arm in the app)' : 'Kill switch — halt all automation',
        enabled: !v.halted,
        click: () => this.run('killswitch.set', { account: '*', level: 'halted', reason: KILL_SWITCH_REASON }),
      },
      {
        // Tightening only: loosening (re-arming) is a deliberate act done in the app with a reason.
        id: 'reduce',
        label: v.halted || v.reducing ? 'Only reducing orders pass (re-arm in the app)' : 'Kill switch — reducing only (all accounts)',
        enabled: !v.halted && !v.reducing,
        click: () => this.run('killswitch.set', { account: '*', level: 'reducing', reason: KILL_SWITCH_REDUCE_REASON }),
      },
      { type: 'separator' },
      { id: 'quit', label: 'Quit Live Desk', click: () => this.deps.quit() },
    ];
  }

  private run(name: string, payload: unknown): void {
    void this.deps.runCommand(name, payload).then((outcome) => {
      if (!outcome.ok) this.deps.logger.error('tray command failed', { name, code: outcome.error.code, message: outcome.error.message });
      this.refresh();
    });
  }
}
