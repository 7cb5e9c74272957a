import type { Cancel, Clock, Scheduler } from '../core/ports/clock';

/** The real clock and timers, for the running desk (the core only ever sees the ports). */
export class SystemClock implements Clock, Scheduler {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  }
}
