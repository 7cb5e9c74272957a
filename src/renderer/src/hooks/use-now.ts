import { useSyncExternalStore } from 'react';
import { Ticker } from './ticker';

/** The app's one age timer (4 Hz: enough for 0.1 s-resolution ages to look continuous). */
export const appTicker = new Ticker(250);

/** Local time from the shared ticker; re-renders the caller on every tick. */
export function useNow(): number {
  return useSyncExternalStore(appTicker.subscribe, appTicker.get, appTicker.get);
}

/**
 * A value derived from the shared clock; the caller re-renders only when the derived value
 * changes (e.g. an age's formatted text or level), not on every tick. `derive` must return a
 * primitive (compared with Object.is).
 */
export function useNowDerived<T extends string | number | boolean | null>(derive: (now: number) => T): T {
  const get = () => derive(appTicker.get());
  // The third argument serves a server render (a static render of a component in the tests) the same value.
  return useSyncExternalStore(appTicker.subscribe, get, get);
}
