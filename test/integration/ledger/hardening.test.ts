// Issue 13, item 8: the ledger's files are owner-only, a stored fill cannot be swapped by
// INSERT OR REPLACE, and a ledger that cannot write is shown (health row + notification).
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { StateDir } from '../../../src/node/state/state-dir';
import { createDesk } from '../../../src/node/desk';
import { ManualClock } from '../../../src/core/ports/clock';
import type { DeskEvent } from '../../../src/shared/contract';
import { newFill, openStore, seedAccount, tempLedgerDir } from './helpers';

const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  while (dirs.length) dirs.pop()!.cleanup();
});
const mode = (p: string) => statSync(p).mode & 0o777;

describe('ledger files are owner-only', () => {
  it('a new ledger and its WAL files are 0600; an existing 0644 ledger is narrowed to 0600', () => {
    const t = tempLedgerDir();
    dirs.push(t);
    const { store } = openStore(t.file('new.sqlite'));
    seedAccount(store);
    store.recordFill(newFill());
    expect(mode(t.file('new.sqlite'))).toBe(0o600);
    expect(mode(t.file('new.sqlite-wal'))).toBe(0o600);
    expect(mode(t.file('new.sqlite-shm'))).toBe(0o600);
    store.close();
    chmodSync(t.file('new.sqlite'), 0o644);
    const again = openStore(t.file('new.sqlite')).store;
    expect(mode(t.file('new.sqlite'))).toBe(0o600);
    again.close();
  });

  it('the state directory is 0700 even when it already existed with a wider mode', () => {
    const t = tempLedgerDir();
    dirs.push(t);
    const dir = join(t.dir, 'state');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    new StateDir(dir).ensure();
    expect(mode(dir)).toBe(0o700);
  });
});

describe('never-delete triggers hold against INSERT OR REPLACE', () => {
  it("a stored fill's price cannot be swapped by REPLACE (it deletes the row first)", () => {
    const t = tempLedgerDir();
    dirs.push(t);
    const { store } = openStore(t.file());
    seedAccount(store);
    const fill = newFill();
    store.recordFill(fill);
    const db = (store as unknown as { db: Database.Database }).db;
    const row = db.prepare('SELECT * FROM fills').get() as Record<string, unknown>;
    const swapped = { ...row, price: '0.01' };
    const cols = Object.keys(swapped);
    expect(() => db.prepare(`INSERT OR REPLACE INTO fills (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(swapped)).toThrow(/never deleted/);
    expect((db.prepare('SELECT price FROM fills').get() as { price: string }).price).toBe(row.price);
    store.close();
  });
});

describe('a ledger that cannot write is shown, not only logged', () => {
  it('read-only: onProblem says what is not recorded; the desk shows a ledger health row and raises a notification', () => {
    const t = tempLedgerDir();
    dirs.push(t);
    const problems: (string | null)[] = [];
    const clock = new ManualClock(Date.UTC(2026, 10, 20, 15));
    const desk = createDesk({ clock });
    const { store } = openStore(t.file(), clock, {
      onProblem: (p) => {
        problems.push(p);
        desk.reportLedgerProblem(p);
      },
    });
    const events: DeskEvent[] = [];
    desk.subscribe((e) => events.push(e));
    const batchDb = (store as unknown as { batchDb: Database.Database }).batchDb;
    batchDb.pragma('query_only = ON'); // the batch connection can no longer write, as with a read-only file
    store.appendPnlSample({ scope: 'portfolio:USD', at: clock.now(), realized: '1', unrealized: '0', total: '1', unknownReason: null });
    store.flush();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/read-only: the P&L curve, the audit log and recorded quotes are not being recorded/);
    const row = desk.snapshot().streams.find((s) => s.name === 'ledger');
    expect(row).toMatchObject({ state: 'error', lastError: problems[0] });
    expect(events.some((e) => e.type === 'alert' && e.kind === 'ledger_error' && e.severity === 'critical')).toBe(true);
    // Writable again: the kept rows are written, the row goes away.
    batchDb.pragma('query_only = OFF');
    store.flush();
    expect(problems.at(-1)).toBeNull();
    expect(desk.snapshot().streams.find((s) => s.name === 'ledger')).toBeUndefined();
    expect(store.pnlCurve('portfolio:USD', { fromMs: 0, toMs: clock.now() + 1 })).toHaveLength(1);
    store.close();
    void desk.dispose();
  });

  it('a disk-full error is named as such', async () => {
    const { describeLedgerProblem } = await import('../../../src/node/ledger/sqlite-ledger-store');
    expect(describeLedgerProblem(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toMatch(/^the disk is full: /);
  });
});

