/**
 * Time is injected into the core: it never reads the wall clock or starts timers itself, so tests
 * advance time by hand and a replay behaves exactly like live.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export type Cancel = () => void;

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): Cancel;
  setInterval(fn: () => void, ms: number): Cancel;
}

/** A clock the test (or the replay engine) moves forward explicitly. */
export class ManualClock implements Clock, Scheduler {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; every: number | null; fn: () => void }>();

  constructor(startMs = 0) {
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

  /** Number of timers still pending (for leak checks in tests). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  /** Fires every timer due up to `t` in order (synchronously), then moves to `t`. */
  advanceTo(t: number): void {
    while (this.fireNext(t));
    this.moveTo(t);
  }

  /**
   * Fires the earliest timer due at or before `limit` (time moves to its instant first) and returns
   * true; returns false when none is due (time is left where it is). Timers due at the same instant
   * fire in the order they were set.
   */
  fireNext(limit: number): boolean {
    let nextId = -1;
    let nextAt = Infinity;
    for (const [id, timer] of this.timers) {
      if (timer.at <= limit && timer.at < nextAt) {
        nextAt = timer.at;
        nextId = id;
      }
    }
    if (nextId < 0) return false;
    const timer = this.timers.get(nextId)!;
    this.t = Math.max(this.t, timer.at);
    if (timer.every === null) this.timers.delete(nextId);
    else timer.at += timer.every;
    timer.fn();
    return true;
  }

  /** Moves time to `t` without firing anything. Never backwards. */
  moveTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  private add(fn: () => void, ms: number, every: number | null): Cancel {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), every, fn });
    return () => {
      this.timers.delete(id);
    };
  }
}
