/**
 * One shared clock for every age on screen. A single interval drives all subscribers (instead of
 * one timer per row), and it only runs while something is subscribed. Plain module, no React, so
 * it can be tested in node.
 */
export type NowSource = () => number;

export class Ticker {
  private now: number;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly everyMs: number,
    private readonly source: NowSource = Date.now,
    private readonly timers: {
      setInterval: (fn: () => void, ms: number) => ReturnType<typeof setInterval>;
      clearInterval: (t: ReturnType<typeof setInterval>) => void;
    } = { setInterval: (fn, ms) => setInterval(fn, ms), clearInterval: (t) => clearInterval(t) },
  ) {
    this.now = source();
  }

  get = (): number => this.now;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.timer === null) {
      this.now = this.source();
      this.timer = this.timers.setInterval(() => this.tick(), this.everyMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        this.timers.clearInterval(this.timer);
        this.timer = null;
      }
    };
  };

  get subscriberCount(): number {
    return this.listeners.size;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Advances to the source's time and notifies (the interval calls this). */
  tick(): void {
    this.now = this.source();
    for (const l of [...this.listeners]) l();
  }
}
