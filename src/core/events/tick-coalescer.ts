import type { Scheduler, Cancel } from '../ports/clock';

/**
 * Collects changed keys and flushes at most once per `intervalMs` (latest value per key wins), so
 * the UI gets a bounded number of small messages however fast quotes arrive.
 */
export class TickCoalescer<T> {
  private pending = new Map<string, T>();
  private timer: Cancel | null = null;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly intervalMs: number,
    private readonly flush: (changed: T[]) => void,
  ) {}

  push(key: string, value: T): void {
    this.pending.set(key, value);
    if (this.timer === null) {
      this.timer = this.scheduler.setTimeout(() => this.fire(), this.intervalMs);
    }
  }

  /** Flushes what is pending now (if anything) and cancels the timer. */
  flushNow(): void {
    this.timer?.();
    this.fire();
  }

  /** Drops anything pending and cancels the timer. */
  stop(): void {
    this.timer?.();
    this.timer = null;
    this.pending.clear();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private fire(): void {
    this.timer = null;
    if (this.pending.size === 0) return;
    const changed = [...this.pending.values()];
    this.pending = new Map();
    this.flush(changed);
  }
}
