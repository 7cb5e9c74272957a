/**
 * Writes high-volume rows (audit events, P&L samples, recorded quotes) off the hot path.
 *
 * - `append` is O(1) and never touches SQLite: the row (already validated and turned into SQL
 *   parameters by the caller) is queued. A quote stream pays a push, not a disk write.
 * - A flush starts on a timer (`intervalMs`, on the injected Scheduler) or as soon as `batchSize`
 *   rows are waiting, and writes the rows that were queued when it started in one transaction — or,
 *   for a big backlog, in several transactions of at most `maxRowsPerTransaction` rows and about
 *   `maxTransactionMs` each, yielding to the event loop between them, so no single write blocks
 *   the stream for long.
 * - Memory is bounded: past `maxQueued` waiting rows new rows are dropped and counted (and logged),
 *   never silently.
 * - A row the database refuses (a constraint) is isolated with a savepoint, counted and logged, so
 *   one bad row cannot wedge the queue; any other failure (disk full, busy) keeps every row queued
 *   and retries after `retryMs`.
 * - `flush()` drains everything synchronously; `close()` drains and stops the timer.
 */
import type Database from 'better-sqlite3';
import type { Cancel, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import type { BatchStats } from '../../core/ports/ledger-store';

export interface BatchWriterOptions {
  intervalMs: number;
  batchSize: number;
  maxRowsPerTransaction: number;
  maxTransactionMs: number;
  maxQueued: number;
  retryMs: number;
}

export const defaultBatchWriterOptions: BatchWriterOptions = {
  intervalMs: 250,
  batchSize: 2_000,
  maxRowsPerTransaction: 2_000,
  // Short slices keep the event loop responsive (bench: p99 delay during a 20k quotes/s stream);
  // throughput comes from running them back to back on consecutive turns (1 ms measured slower
  // to drain a backlog, 4 ms worse for the stream's delay).
  maxTransactionMs: 2,
  maxQueued: 100_000,
  retryMs: 1_000,
};

export interface BatchWriterDeps {
  /** Runs the flush timer. */
  scheduler: Scheduler;
  logger: Logger;
  /** Monotonic milliseconds, for the per-transaction time budget and stats (default performance.now). */
  elapsed?: () => number;
  /**
   * Runs `fn` on the next event-loop turn, after pending I/O (default: a 0 ms timeout on the
   * scheduler). The store passes setImmediate: a 0 ms Node timer waits at least 1 ms, which would
   * leave the writer idle half the time while draining a backlog in short slices.
   */
  nextTurn?: (fn: () => void) => Cancel;
  /**
   * Told when flushing starts failing (the error) and when it works again (null), so the desk can
   * show it — a read-only or full ledger must not only be logged.
   */
  onProblem?: (error: unknown) => void;
}

interface Entry {
  sink: number;
  params: unknown[];
}

interface Sink {
  table: string;
  stmt: Database.Statement;
}

/** Rows between two looks at the time budget inside one transaction. */
const BUDGET_CHECK_EVERY = 32;

export class BatchWriter {
  private readonly opts: BatchWriterOptions;
  private readonly sinks: Sink[] = [];
  private queue: Entry[] = [];
  private head = 0;
  /** Rows still to write in the current flush round (rows queued when the round started). */
  private roundLeft = 0;
  private timer: Cancel | null = null;
  private timerImmediate = false;
  private closed = false;
  private readonly counters = { written: 0, dropped: 0, rejected: 0, flushes: 0, flushErrors: 0, maxFlushMs: 0 };
  private failing = false;
  private readonly onProblem: ((error: unknown) => void) | undefined;
  private readonly writeChunk: (limit: number) => number;
  private readonly writeOne: (entry: Entry) => void;

  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly elapsed: () => number;
  private readonly nextTurn: (fn: () => void) => Cancel;

  constructor(
    private readonly db: Database.Database,
    deps: BatchWriterDeps,
    options: Partial<BatchWriterOptions> = {},
  ) {
    this.scheduler = deps.scheduler;
    this.logger = deps.logger;
    this.elapsed = deps.elapsed ?? (() => performance.now());
    this.nextTurn = deps.nextTurn ?? ((fn) => deps.scheduler.setTimeout(fn, 0));
    this.onProblem = deps.onProblem;
    this.opts = { ...defaultBatchWriterOptions, ...options };
    this.writeOne = db.transaction((entry: Entry) => {
      this.sinks[entry.sink]!.stmt.run(...entry.params);
    });
    this.writeChunk = db.transaction((limit: number) => {
      const start = this.elapsed();
      let n = 0;
      while (n < limit) {
        const entry = this.queue[this.head + n]!;
        this.sinks[entry.sink]!.stmt.run(...entry.params);
        n++;
        if (n % BUDGET_CHECK_EVERY === 0 && this.elapsed() - start >= this.opts.maxTransactionMs) break;
      }
      return n;
    });
  }

  /** Registers a table; returns the sink id to append to. */
  register(table: string, insertSql: string): number {
    this.sinks.push({ table, stmt: this.db.prepare(insertSql) });
    return this.sinks.length - 1;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Queues one row. Returns false (and counts it) when the backlog is at its cap. */
  append(sink: number, params: unknown[]): boolean {
    if (this.closed) throw new Error('batch writer is closed');
    if (this.queued >= this.opts.maxQueued) {
      this.counters.dropped++;
      if (this.counters.dropped === 1 || this.counters.dropped % 10_000 === 0) {
        this.logger.warn('ledger batch backlog full: dropping rows', { table: this.sinks[sink]?.table, dropped: this.counters.dropped, maxQueued: this.opts.maxQueued });
      }
      return false;
    }
    this.queue.push({ sink, params });
    if (this.queued >= this.opts.batchSize) this.schedule(0);
    else if (this.timer === null) this.schedule(this.opts.intervalMs);
    return true;
  }

  /** Writes every queued row now (synchronously, in bounded transactions). */
  flush(): void {
    this.cancelTimer();
    this.roundLeft = 0;
    while (this.queued > 0) {
      const before = this.queued;
      if (!this.writeRound(this.queued)) break;
      if (this.queued >= before) break;
    }
    if (this.queued > 0 && !this.closed) this.schedule(this.opts.retryMs);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.cancelTimer();
    if (this.queued > 0) this.logger.error('ledger batch writer closed with rows it could not write', { lost: this.queued });
  }

  stats(): BatchStats {
    return { queued: this.queued, ...this.counters };
  }

  private readonly tick = (): void => {
    this.timer = null;
    this.timerImmediate = false;
    if (this.roundLeft === 0) this.roundLeft = this.queued;
    const ok = this.writeRound(Math.min(this.roundLeft, this.opts.maxRowsPerTransaction));
    if (!ok) {
      this.roundLeft = 0;
      this.schedule(this.opts.retryMs);
    } else if (this.roundLeft > 0) {
      this.schedule(0); // the rest of this round, after other events had their turn
    } else if (this.queued >= this.opts.batchSize) {
      this.schedule(0);
    } else if (this.queued > 0) {
      this.schedule(this.opts.intervalMs);
    }
  };

  /** One transaction of up to `limit` rows. Returns false if it failed for a reason other than a bad row. */
  private writeRound(limit: number): boolean {
    if (limit <= 0) return true;
    const start = this.elapsed();
    let processed: number;
    let rejected = 0;
    try {
      processed = this.writeChunk(limit);
    } catch (err) {
      if (!isConstraintError(err)) return this.failed(err);
      try {
        rejected = this.isolateBadRows(limit);
      } catch (err2) {
        return this.failed(err2);
      }
      processed = limit;
    }
    this.advance(processed);
    if (this.failing) {
      this.failing = false;
      try {
        this.onProblem?.(null);
      } catch {
        // as above
      }
    }
    this.counters.written += processed - rejected;
    this.counters.rejected += rejected;
    this.counters.flushes++;
    this.counters.maxFlushMs = Math.max(this.counters.maxFlushMs, this.elapsed() - start);
    return true;
  }

  private failed(err: unknown): false {
    this.counters.flushErrors++;
    this.failing = true;
    try {
      this.onProblem?.(err);
    } catch {
      // a listener's failure must not wedge the writer
    }
    this.logger.error('ledger batch flush failed; rows kept for retry', { error: (err as Error).message, queued: this.queued });
    return false;
  }

  /**
   * Re-runs `limit` rows one by one, each in its own savepoint inside one transaction: rows the
   * database refuses are logged and skipped. Returns how many were refused; throws (writing nothing)
   * on any other error.
   */
  private isolateBadRows(limit: number): number {
    let refused = 0;
    this.db.transaction(() => {
      for (let i = 0; i < limit; i++) {
        const entry = this.queue[this.head + i]!;
        try {
          this.writeOne(entry);
        } catch (err) {
          if (!isConstraintError(err)) throw err;
          refused++;
          this.logger.error('ledger batch row refused by the database; skipped', { table: this.sinks[entry.sink]!.table, error: (err as Error).message });
        }
      }
    })();
    return refused;
  }

  private advance(n: number): void {
    this.head += n;
    this.roundLeft = Math.max(0, this.roundLeft - n);
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head); // amortized O(1) per row
      this.head = 0;
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer !== null) {
      if (ms > 0 || this.timerImmediate) return; // an earlier or equal flush is already due
      this.cancelTimer();
    }
    this.timerImmediate = ms === 0;
    this.timer = ms === 0 ? this.nextTurn(this.tick) : this.scheduler.setTimeout(this.tick, ms);
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = null;
    this.timerImmediate = false;
  }
}

function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
