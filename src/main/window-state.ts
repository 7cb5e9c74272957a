/**
 * Remembers the window's bounds and maximized state in a small JSON file, validated on read, and
 * puts the window back only where a display can show it (a monitor may have been unplugged).
 */
import { z } from 'zod';
import type { Rectangle } from 'electron';
import type { Logger } from '../core/ports/logger';
import type { Cancel, Scheduler } from '../core/ports/clock';
import type { StateFiles } from '../node/state/state-dir';

export const WINDOW_STATE_FILE = 'window-state.json';

const coord = z.number().int().min(-100_000).max(100_000);
export const windowStateSchema = z
  .object({
    x: coord.optional(),
    y: coord.optional(),
    width: z.number().int().min(200).max(20_000),
    height: z.number().int().min(150).max(20_000),
    maximized: z.boolean(),
  })
  .strict();

export type WindowState = z.infer<typeof windowStateSchema>;

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 800, maximized: false };
export const MIN_SIZE = { width: 900, height: 600 };

export function loadWindowState(files: StateFiles, logger: Logger): WindowState | null {
  const text = files.read(WINDOW_STATE_FILE);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    logger.warn('window state is not valid JSON; using the default size', { file: files.describe(WINDOW_STATE_FILE) });
    return null;
  }
  const parsed = windowStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    logger.warn('window state is invalid; using the default size', { file: files.describe(WINDOW_STATE_FILE), issues });
    return null;
  }
  return parsed.data;
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * Where to open the window: the saved bounds when at least a grabbable part (160×80 px) is on
 * some display's work area; otherwise the saved size (capped to the largest display), centered.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rectangle[]): WindowState {
  const s = saved ?? DEFAULT_WINDOW;
  const largest = workAreas.reduce<Rectangle | null>((m, w) => (m === null || w.width * w.height > m.width * m.height ? w : m), null);
  const width = Math.max(MIN_SIZE.width, largest ? Math.min(s.width, largest.width) : s.width);
  const height = Math.max(MIN_SIZE.height, largest ? Math.min(s.height, largest.height) : s.height);
  if (s.x !== undefined && s.y !== undefined) {
    const rect = { x: s.x, y: s.y, width, height };
    if (workAreas.some((w) => {
      const o = overlap(rect, w);
      return o.width >= 160 && o.height >= 80;
    })) {
      return { x: s.x, y: s.y, width, height, maximized: s.maximized };
    }
  }
  return { width, height, maximized: s.maximized };
}

export interface TrackedWindow {
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

/** Saves the state shortly after moves/resizes (debounced) and at once on close. */
export class WindowStateKeeper {
  private pending: Cancel | null = null;

  constructor(
    private readonly files: StateFiles,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly debounceMs = 500,
  ) {}

  changed(win: TrackedWindow): void {
    this.pending?.();
    this.pending = this.scheduler.setTimeout(() => {
      this.pending = null;
      this.save(win);
    }, this.debounceMs);
  }

  save(win: TrackedWindow): void {
    this.pending?.();
    this.pending = null;
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    const state: WindowState = { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height), maximized: win.isMaximized() };
    const valid = windowStateSchema.safeParse(state);
    if (!valid.success) return; // e.g. a zero-size window while minimized on some platforms
    try {
      this.files.write(WINDOW_STATE_FILE, `${JSON.stringify(valid.data)}\n`);
    } catch (err) {
      this.logger.warn('window state could not be saved', { message: err instanceof Error ? err.message : String(err) });
    }
  }

  dispose(): void {
    this.pending?.();
    this.pending = null;
  }
}
