/**
 * When streaming last started (local ms), tracked by watching the store (read-only): the stale
 * banner counts "no quote yet" as stale only after streaming has run longer than the threshold.
 */
import { useDeskStore } from '../../stores/desk-store';

let since: number | null = useDeskStore.getState().streaming ? Date.now() : null;
useDeskStore.subscribe((s, prev) => {
  if (s.streaming && !prev.streaming) since = Date.now();
  else if (!s.streaming) since = null;
});

export function streamingSince(): number | null {
  return since;
}
