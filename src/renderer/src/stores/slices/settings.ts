/** Settings: the desk's settings and the venue's endpoints (where each came from; read-only). */
import type { DeskSettings, VenueEndpointsWire } from '@shared/contract';
import type { Slice } from './slice';

export interface SettingsSlice {
  settings: DeskSettings | null;
  /** The venue's endpoints and where each came from (from the snapshot; read-only). */
  endpoints: VenueEndpointsWire | null;
}

export const settingsSlice: Slice<SettingsSlice> = {
  name: 'settings',
  initial: { settings: null, endpoints: null },
  fromSnapshot: (s) => ({ settings: s.settings ?? null, endpoints: s.endpoints ?? null }),
  reduce: (_state, event) => (event.type === 'settings_event' ? { settings: event.settings } : null),
};
