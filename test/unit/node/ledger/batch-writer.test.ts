import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cancel, Scheduler } from '../../../../src/core/ports/clock';
import type { Logger } from '../../../../src/core/ports/logger';
import { BatchWriter, type BatchWriterOptions } from '../../../../src/node/ledger/batch-writer';

/**
 * Like an event loop: `advance(ms)` moves time and runs the timers that were due *before* the call;
 * a timer set while they run (even with 0 ms) waits for the next turn. (ManualClock would run a
 * 0 ms follow-up inside the same advance, hiding the chunking under test.)
 */
class TurnScheduler implements Scheduler {
  private now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): Cancel {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return () => this.timers.delete(id);
  }

  setInterval(): Cancel {
    throw new Error('the batch writer uses timeouts only');
  }

  advance(ms: number): void {
    this.now += ms;
    const due = [...this.timers].filter(([, t]) => t.at <= this.now).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
    for (const [id] of due) this.timers.delete(id);
    for (const [, t] of due) t.fn();
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}

interface Logged {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

let dir: string;
let db: Database.Database;
let clock: TurnScheduler;
let logs: Logged[];
let fakeMs: number;
const logger: Logger = {
  debug: (msg, fields) => logs.push({ level: 'debug', msg, fields }),
  info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => logs.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => logs.push({ level: 'error', msg, fields }),
};

function writer(opts: Partial<BatchWriterOptions> = {}, elapsed?: () => number): { w: BatchWriter; sink: number } {
  const w = new BatchWriter(db, { scheduler: clock, logger, ...(elapsed ? { elapsed } : {}) }, opts);
  const sink = w.register('rows', 'INSERT INTO rows (v) VALUES (?)');
  return { w, sink };
}

const count = () => (db.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;
const values = () => (db.prepare('SELECT v FROM rows ORDER BY id').all() as { v: number }[]).map((r) => r.v);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-batch-'));
  db = new Database(join(dir, 'b.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))');
  clock = new TurnScheduler();
  logs = [];
  fakeMs = 0;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('BatchWriter', () => {
  it('append only queues: nothing reaches SQLite until the timer fires', () => {
    const { w, sink } = writer({ intervalMs: 250 });
    for (let i = 0; i < 10; i++) w.append(sink, [i]);
    expect(count()).toBe(0);
    expect(w.stats().queued).toBe(10);
    clock.advance(249);
    expect(count()).toBe(0);
    clock.advance(1);
    expect(values()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.stats()).toMatchObject({ queued: 0, written: 10, flushes: 1 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('flushes early, on the next turn, once batchSize rows wait', () => {
    const { w, sink } = writer({ intervalMs: 1000, batchSize: 5 });
    for (let i = 0; i < 4; i++) w.append(sink, [i]);
    clock.advance(0);
    expect(count()).toBe(0);
    w.append(sink, [4]);
    expect(count()).toBe(0); // still not synchronous: the hot path never writes
    clock.advance(0);
    expect(count()).toBe(5);
  });

  it('chunks a big backlog into bounded transactions across event-loop turns', () => {
    const { w, sink } = writer({ intervalMs: 100, batchSize: 10_000, maxRowsPerTransaction: 40 });
    for (let i = 0; i < 100; i++) w.append(sink, [i]);
    clock.advance(100);
    expect(count()).toBe(40);
    clock.advance(0);
    expect(count()).toBe(80);
    clock.advance(0);
    expect(count()).toBe(100);
    expect(w.stats().flushes).toBe(3);
    expect(values()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('cuts a transaction short when its time budget is spent', () => {
    // Every look at the clock costs 1 ms of fake time: with a 4 ms budget the chunk stops early.
    const { w, sink } = writer({ intervalMs: 10, maxRowsPerTransaction: 10_000, batchSize: 10_000, maxTransactionMs: 4 }, () => fakeMs++);
    for (let i = 0; i < 1000; i++) w.append(sink, [i]);
    clock.advance(10);
    const first = count();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(1000);
    expect(first % 32).toBe(0);
    for (let turns = 0; turns < 100 && count() < 1000; turns++) clock.advance(0);
    expect(count()).toBe(1000);
  });

  it('a flush round writes only what was queued when it started; later rows wait for the next interval', () => {
    const { w, sink } = writer({ intervalMs: 50, batchSize: 10_000, maxRowsPerTransaction: 10 });
    for (let i = 0; i < 20; i++) w.append(sink, [i]);
    clock.advance(50);
    expect(count()).toBe(10);
    w.append(sink, [20]);
    clock.advance(0);
    expect(count()).toBe(20);
    clock.advance(0);
    expect(count()).toBe(20);
    clock.advance(50);
    expect(count()).toBe(21);
  });

  it('bounds memory: past maxQueued rows are dropped, counted and logged', () => {
    const { w, sink } = writer({ maxQueued: 5, batchSize: 100 });
    const accepted = Array.from({ length: 8 }, (_, i) => w.append(sink, [i]));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(w.stats()).toMatchObject({ queued: 5, dropped: 3 });
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    w.flush();
    expect(values()).toEqual([0, 1, 2, 3, 4]);
  });

  it('flush() drains everything synchronously and close() drains and stops the timer', () => {
    const { w, sink } = writer({ maxRowsPerTransaction: 7 });
    for (let i = 0; i < 30; i++) w.append(sink, [i]);
    w.flush();
    expect(count()).toBe(30);
    w.append(sink, [30]);
    w.close();
    expect(count()).toBe(31);
    expect(clock.pendingTimers()).toBe(0);
    expect(() => w.append(sink, [1])).toThrow(/closed/);
  });

  it('isolates a row the database refuses: counted, logged, the rest written', () => {
    const { w, sink } = writer();
    w.append(sink, [1]);
    w.append(sink, [-1]); // violates CHECK (v >= 0)
    w.append(sink, [2]);
    w.flush();
    expect(values()).toEqual([1, 2]);
    expect(w.stats()).toMatchObject({ written: 2, rejected: 1, queued: 0 });
    expect(logs.some((l) => l.level === 'error' && l.fields?.table === 'rows')).toBe(true);
  });

  it('keeps every row and retries later when the database is busy', () => {
    const { w, sink } = writer({ intervalMs: 10, retryMs: 500 });
    db.pragma('busy_timeout = 0');
    const other = new Database(join(dir, 'b.sqlite'));
    other.exec('BEGIN IMMEDIATE'); // another writer holds the lock
    for (let i = 0; i < 3; i++) w.append(sink, [i]);
    clock.advance(10);
    expect(w.stats()).toMatchObject({ queued: 3, flushErrors: 1, written: 0 });
    other.exec('COMMIT');
    other.close();
    clock.advance(499);
    expect(count()).toBe(0);
    clock.advance(1);
    expect(values()).toEqual([0, 1, 2]);
    expect(w.stats()).toMatchObject({ queued: 0, written: 3 });
  });
});
