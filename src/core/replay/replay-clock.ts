import { ManualClock } from '../ports/clock';

/**
 * The replay's Clock & Scheduler: virtual time that only moves when the replay moves it. Jumping to
 * the next step's instant fires every timer due on the way, in time order, at its own instant (the
 * monitoring cycle, the strategy tick, retry delays, the tick coalescer), so the desk sees the same
 * sequence of instants whatever the playback speed: speed only changes how long the replay waits
 * (in real time) between two jumps, never what happens at them.
 */
export class ReplayClock extends ManualClock {
  /** Moves virtual time to `t` (never backwards: a replay seeks back by replaying from the start). */
  advanceTo(t: number): void {
    const now = this.now();
    if (t > now) this.advance(t - now);
  }
}
