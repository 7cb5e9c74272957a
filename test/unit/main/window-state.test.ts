import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, WINDOW_STATE_FILE, WindowStateKeeper, loadWindowState, placeWindow } from '../../../src/main/window-state';
import { MemoryStateFiles } from '../../../src/node/state/state-dir';
import { ManualClock } from '../../../src/core/ports/clock';
import { boot } from './boot';
import { captureLogger } from './fake-electron';

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

describe('window state', () => {
  it('validates what it reads, naming the problem, and falls back to defaults', () => {
    const files = new MemoryStateFiles();
    const logger = captureLogger();
    expect(loadWindowState(files, logger)).toBeNull();
    files.write(WINDOW_STATE_FILE, '{"width": 1000, "height": 700, "maximized": false, "x": 10, "y": 20}');
    expect(loadWindowState(files, logger)).toEqual({ width: 1000, height: 700, maximized: false, x: 10, y: 20 });
    files.write(WINDOW_STATE_FILE, '{"width": -5, "height": "tall", "maximized": false}');
    expect(loadWindowState(files, logger)).toBeNull();
    expect(logger.lines.at(-1)?.fields?.issues).toMatch(/width: .*; height: /);
    files.write(WINDOW_STATE_FILE, '{not json');
    expect(loadWindowState(files, logger)).toBeNull();
  });

  it('restores bounds only where a display can show them', () => {
    expect(placeWindow({ x: 100, y: 100, width: 1200, height: 800, maximized: true }, screen)).toEqual({ x: 100, y: 100, width: 1200, height: 800, maximized: true });
    // the monitor it was on is gone: same size, centered
    expect(placeWindow({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, screen)).toEqual({ width: 1200, height: 800, maximized: false });
    // only a sliver visible → centered
    expect(placeWindow({ x: 1900, y: 100, width: 1200, height: 800, maximized: false }, screen)).toEqual({ width: 1200, height: 800, maximized: false });
    // larger than the display → capped; never below the minimum
    expect(placeWindow({ width: 5000, height: 3000, maximized: false }, screen)).toEqual({ width: 1920, height: 1080, maximized: false });
    expect(placeWindow({ width: 300, height: 200, maximized: false }, screen)).toEqual({ width: 900, height: 600, maximized: false });
    expect(placeWindow(null, screen)).toEqual({ width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height, maximized: false });
  });

  it('saves debounced after moves and at once on close', () => {
    const files = new MemoryStateFiles();
    const clock = new ManualClock();
    const keeper = new WindowStateKeeper(files, clock, captureLogger(), 500);
    const win = { getNormalBounds: () => ({ x: 5, y: 6, width: 1000, height: 700 }), isMaximized: () => false, isDestroyed: () => false };
    keeper.changed(win);
    keeper.changed(win);
    clock.advance(499);
    expect(files.read(WINDOW_STATE_FILE)).toBeNull();
    clock.advance(1);
    expect(JSON.parse(files.read(WINDOW_STATE_FILE)!)).toEqual({ x: 5, y: 6, width: 1000, height: 700, maximized: false });
    keeper.changed(win);
    keeper.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the shell remembers bounds and maximized state across restarts', async () => {
    const first = await boot();
    first.win.bounds = { x: 50, y: 60, width: 1400, height: 900 };
    first.win.maximize();
    first.clock.advance(600);
    first.win.close(); // to the tray, but the state is saved
    const saved = first.facade.stateFiles.read(WINDOW_STATE_FILE)!;
    expect(JSON.parse(saved)).toEqual({ x: 50, y: 60, width: 1400, height: 900, maximized: true });
    const second = await boot((f) => f.stateFiles.write(WINDOW_STATE_FILE, saved));
    expect(second.win.options).toMatchObject({ x: 50, y: 60, width: 1400, height: 900 });
    expect(second.win.maximized).toBe(true);
  });
});
