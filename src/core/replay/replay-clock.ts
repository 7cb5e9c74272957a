import { ManualClock } from '../ports/clock';

/**
 * The replay's Clock & Scheduler: virtual time that only moves when the replay moves it — the
 * core's ManualClock, driven one due timer at a time (`fireNext`), letting the desk's work of that
 * timer run before the next one, as it would live (the monitoring cycle, the strategy tick, retry
 * delays, the tick coalescer each at its own instant), so the desk sees the same sequence of instants
 * whatever the playback speed: speed only changes how long the replay waits in real time between two
 * steps, never what happens at them. Timers due at the same instant fire in the order they were set.
 */
export class ReplayClock extends ManualClock {
  constructor(startMs: number) {
    super(startMs);
  }
}
