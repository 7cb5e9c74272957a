/**
 * Watches the portfolio file for changes. Editors save in different ways (in place, or a temp
 * file renamed over the original), so the directory is watched and events for the file's name are
 * debounced into one reload. The handle is closed on `close()`; nothing else is held.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Cancel, Scheduler } from '../core/ports/clock';

export type FileWatchFactory = (path: string, onChange: () => void) => { close(): void };

/** fs.watch on the file's directory, filtered to the file's name, debounced by `debounceMs`. */
export function watchFileDebounced(scheduler: Scheduler, debounceMs = 200): FileWatchFactory {
  return (path, onChange) => {
    const name = basename(path);
    let timer: Cancel | null = null;
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && file.toString() !== name) return;
        timer?.();
        timer = scheduler.setTimeout(() => {
          timer = null;
          onChange();
        }, debounceMs);
      });
      watcher.on('error', () => {
        // The directory went away: stop quietly; a later load sets up a new watch.
        watcher?.close();
      });
    } catch {
      watcher = null; // directory missing: nothing to watch
    }
    return {
      close: () => {
        timer?.();
        timer = null;
        watcher?.close();
        watcher = null;
      },
    };
  };
}
