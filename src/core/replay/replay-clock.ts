import type { Cancel, Clock, Scheduler } from '../ports/clock';

interface Timer {
  id: number;
  at: number;
  every: number | null;
  fn: () => void;
}

/**
 * The replay's Clock & Scheduler: virtual time that only moves when the replay moves it. The replay
 * moves it one due timer at a time (`fireNext`), letting the desk's work of that timer run before the
 * next one, as it would live (the monitoring cycle, the strategy tick, retry delays, the tick
 * coalescer each at its own instant), so the desk sees the same sequence of instants whatever the
 * playback speed: speed only changes how long the replay waits in real time between two steps,
 * never what happens at them. Timers due at the same instant fire in the order they were set.
 */
export class ReplayClock implements Clock, Scheduler {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Timers pending (leak checks). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Fires the earliest timer due at or before `limit` (time moves to its instant first) and returns
   * true; returns false when none is due (time is left where it is).
   */
  fireNext(limit: number): boolean {
    let next: Timer | null = null;
    for (const timer of this.timers.values()) if (timer.at <= limit && (next === null || timer.at < next.at)) next = timer;
    if (next === null) return false;
    if (next.at > this.t) this.t = next.at;
    if (next.every === null) this.timers.delete(next.id);
    else next.at += next.every;
    next.fn();
    return true;
  }

  /** Moves time to `t` without firing anything (call `fireNext(t)` until false first). Never backwards. */
  moveTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  /** Fires every timer due up to `t` in order (synchronously), then moves to `t`. */
  advanceTo(t: number): void {
    while (this.fireNext(t));
    this.moveTo(t);
  }

  private add(fn: () => void, ms: number, every: number | null): Cancel {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), every, fn });
    return () => {
      this.timers.delete(id);
    };
  }
}
