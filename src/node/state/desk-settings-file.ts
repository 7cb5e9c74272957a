/**
 * The desk's settings (venue selection and options, stale threshold, refresh cadence, max option
 * contracts, mark policy, portfolio file) as a JSON state file next to the shell's. Validated with
 * the contract's zod schema on read; an unusable file is kept aside (never overwritten or lost),
 * reported, and defaults apply.
 */
import type { Logger } from '../../core/ports/logger';
import { defaultDeskSettings, deskSettingsSchema, type DeskSettings } from '../../shared/contract';
import type { StateFiles } from './state-dir';

export const DESK_SETTINGS_FILE = 'desk-settings.json';

export function defaultSettings(): DeskSettings {
  return { ...defaultDeskSettings, alpaca: { ...defaultDeskSettings.alpaca } };
}

export interface DeskSettingsStore {
  load(): DeskSettings;
  /** Returns false when the file could not be written (the settings still apply for this run). */
  save(settings: DeskSettings): boolean;
}

/** Settings kept in memory only (no state directory: tests, or a desk without one). */
export class MemoryDeskSettingsStore implements DeskSettingsStore {
  constructor(private settings: DeskSettings = defaultSettings()) {}
  load(): DeskSettings {
    return this.settings;
  }
  save(settings: DeskSettings): boolean {
    this.settings = settings;
    return true;
  }
}

export class DeskSettingsFile implements DeskSettingsStore {
  constructor(
    private readonly files: StateFiles,
    private readonly logger: Logger,
  ) {}

  load(): DeskSettings {
    let text: string | null;
    try {
      text = this.files.read(DESK_SETTINGS_FILE);
    } catch (err) {
      this.logger.warn('desk settings could not be read; using defaults', { file: this.files.describe(DESK_SETTINGS_FILE), message: String(err) });
      return defaultSettings();
    }
    if (text === null) return defaultSettings();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      const aside = this.files.preserve(DESK_SETTINGS_FILE, 'unreadable');
      this.logger.warn('desk settings are not valid JSON; using defaults', { file: this.files.describe(DESK_SETTINGS_FILE), keptAs: aside });
      return defaultSettings();
    }
    const parsed = deskSettingsSchema.safeParse(raw);
    if (!parsed.success) {
      const aside = this.files.preserve(DESK_SETTINGS_FILE, 'invalid');
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      this.logger.warn('desk settings are invalid; using defaults', { file: this.files.describe(DESK_SETTINGS_FILE), keptAs: aside, issues });
      return defaultSettings();
    }
    return parsed.data;
  }

  save(settings: DeskSettings): boolean {
    try {
      this.files.write(DESK_SETTINGS_FILE, `${JSON.stringify(settings, null, 2)}\n`);
      return true;
    } catch (err) {
      this.logger.error('desk settings could not be saved', { file: this.files.describe(DESK_SETTINGS_FILE), message: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }
}
