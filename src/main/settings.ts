/** The desktop shell's own settings, a small JSON file validated on read (defaults when absent). */
import { z } from 'zod';
import type { Logger } from '../core/ports/logger';
import type { StateFiles } from '../node/state/state-dir';
import { DEFAULT_FEED_STALE_MS } from '../core/alerts/feed-health';

export const SETTINGS_FILE = 'shell-settings.json';

export const shellSettingsSchema = z
  .object({
    /** Closing the window keeps Live Desk running in the tray. */
    closeToTray: z.boolean().default(true),
    /** Native notifications for critical states (they always land in the event history). */
    notifications: z.boolean().default(true),
    /** A running feed silent for longer than this is stale (tray icon + notification). */
    feedStaleAfterMs: z.number().int().min(1000).max(10 * 60_000).default(DEFAULT_FEED_STALE_MS),
  })
  .strict();

export type ShellSettings = z.infer<typeof shellSettingsSchema>;

export const defaultShellSettings: ShellSettings = shellSettingsSchema.parse({});

/** Reads the settings; an unusable file is kept aside (not lost), reported, and defaults apply. */
export function loadShellSettings(files: StateFiles, logger: Logger): ShellSettings {
  const text = files.read(SETTINGS_FILE);
  if (text === null) return defaultShellSettings;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const aside = files.preserve(SETTINGS_FILE, 'unreadable');
    logger.warn('shell settings are not valid JSON; using defaults', { file: files.describe(SETTINGS_FILE), keptAs: aside });
    return defaultShellSettings;
  }
  const parsed = shellSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const aside = files.preserve(SETTINGS_FILE, 'invalid');
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    logger.warn('shell settings are invalid; using defaults', { file: files.describe(SETTINGS_FILE), keptAs: aside, issues });
    return defaultShellSettings;
  }
  return parsed.data;
}
