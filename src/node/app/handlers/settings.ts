/**
 * Desk settings: read, and change (validated, persisted, applied live where possible). Venue
 * settings restart a running stream: `applyVenueSettings` (the desk's applyConfig) decides.
 */
import type { DeskSettings, DeskSettingsPatch, SettingsResult } from '../../../shared/contract';
import type { HandlersFor } from '../commands';

export interface SettingsPort {
  isStreaming(): boolean;
  getSettings(): SettingsResult;
  /** Validates (a new portfolio path is read and checked first, async and bounded), saves, applies. */
  setSettings(patch: DeskSettingsPatch, streaming: boolean): Promise<SettingsResult>;
  /** Applies the settings to the running desk (thresholds at once; venue changes restart streaming). */
  applyVenueSettings(settings: DeskSettings): Promise<unknown>;
}

export function settingsHandlers(port: SettingsPort): HandlersFor<'settings.get' | 'settings.set'> {
  return {
    'settings.get': () => port.getSettings(),
    'settings.set': async (patch) => {
      const r = await port.setSettings(patch, port.isStreaming());
      void port.applyVenueSettings(r.settings);
      return r;
    },
  };
}
