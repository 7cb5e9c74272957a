// Versioned migrations on real files: from empty, from every earlier version (with data written by
// that version), refusal of a newer or foreign database without touching a byte of it, and a failed
// migration rolled back whole.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLedgerError } from '../../../src/node/ledger/errors';
import { LATEST_VERSION, MIGRATIONS, type Migration } from '../../../src/node/ledger/migrations';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { newFill, newOrder, openStore, seedAccount, T0, tempLedgerDir } from './helpers';

let tmp: ReturnType<typeof tempLedgerDir>;

beforeEach(() => {
  tmp = tempLedgerDir('ledger-migrate-');
});

afterEach(() => tmp.cleanup());

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every schema object as SQLite stores it: equal lists mean equal schemas. */
function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string }[]).map(
      (r) => `${r.type} ${r.name}: ${r.sql}`,
    );
  } finally {
    db.close();
  }
}

function pragmaOf(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('migrations', () => {
  it('keep at least two versions, numbered 1..n', () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('create the whole schema from empty, in WAL, with the history recorded', () => {
    const path = tmp.file();
    const { store } = openStore(path);
    expect(store.schemaVersion()).toBe(LATEST_VERSION);
    store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: new Date(T0).toISOString() })),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual([
        'accounts',
        'entry_regenerate',
        'fills',
        'instruments',
        'monitor_cycles',
        'monitor_pnl',
        'order_archive',
        'order_events',
        'order_venue_client_ids',
        'orders',
        'pnl_samples',
        'positions',
        'recorded_quotes',
        'replay_results',
        'schema_migrations',
        'settings',
        'smartapi_master',
        'smartapi_master_meta',
        'strategy_events',
        'strategy_runs',
      ]);
      // Money is never REAL: no column of any table has a floating-point type.
      for (const t of tables) {
        const types = (db.prepare(`SELECT type FROM pragma_table_info('${t}')`).all() as { type: string }[]).map((c) => c.type);
        expect(types.every((ty) => ty === 'TEXT' || ty === 'INTEGER'), `${t}: ${types.join(',')}`).toBe(true);
      }
    } finally {
      db.close();
    }
    // Reopening an up-to-date ledger applies nothing and changes no schema.
    const before = schemaOf(path);
    openStore(path).store.close();
    expect(schemaOf(path)).toEqual(before);
  });

  it.each(MIGRATIONS.slice(0, -1).map((m) => m.version))('migrate a v%i ledger with data to the latest, ending with the fresh schema', (version) => {
    const fresh = tmp.file('fresh.sqlite');
    openStore(fresh).store.close();

    const path = tmp.file(`v${version}.sqlite`);
    const old = openStore(path, undefined, { migrations: MIGRATIONS.slice(0, version) }).store;
    expect(old.schemaVersion()).toBe(version);
    seedAccount(old);
    old.createStrategyRun({ runId: 'run-1', accountId: 'acct-1', strategyName: 's', status: 'live', startedAt: T0, sessionMetadata: { config_id: 'c1' } });
    old.insertOrder(newOrder({ strategyRunId: 'run-1' }));
    old.transitionOrder('ord-1', 'accepted', { at: T0 + 1, brokerOrderId: 'B-1' });
    old.recordFill(newFill({ clientOrderId: 'ord-1' }));
    old.appendStrategyEvent({ runId: 'run-1', at: T0, kind: 'entered', executionId: null, parentExecutionId: null, message: null, payload: { price: 181.6 } });
    old.appendPnlSample({ scope: 'acct-1', at: T0, realized: '0', unrealized: '1.00', total: '1.00', unknownReason: null });
    old.close();

    const { store } = openStore(path);
    try {
      expect(store.schemaVersion()).toBe(LATEST_VERSION);
      expect(store.getOrder('ord-1')).toMatchObject({ status: 'accepted', brokerOrderId: 'B-1', strategyRunId: 'run-1' });
      expect(store.orderEvents('ord-1')).toHaveLength(2);
      expect(store.fillsForRebuild().map((f) => f.fillId)).toEqual(['fill-1']);
      expect(store.strategyEventsForRun('run-1')[0]!.payload).toEqual({ price: 181.6 });
      expect(store.pnlCurve('acct-1', { fromMs: T0, toMs: T0 + 1 })).toHaveLength(1);
      // What the newer versions add works on the migrated ledger.
      store.setSetting('recording', true, T0);
      store.appendRecordedQuote({ venue: 'sim', symbol: 'AAPL', receivedAt: T0, exchangeTime: null, bid: '1.00', ask: '1.05', last: null, bidSize: null, askSize: null });
      store.flush();
      expect(store.recordedQuotes({ fromMs: T0, toMs: T0 + 1 })).toHaveLength(1);
    } finally {
      store.close();
    }
    expect(schemaOf(path)).toEqual(schemaOf(fresh));
  });

  it('v3: a ledger made with the old accounts schema (paper/live only) keeps its accounts and their orders, and then accepts SIM accounts', () => {
    const path = tmp.file('v2.sqlite');
    const old = openStore(path, undefined, { migrations: MIGRATIONS.slice(0, 2) }).store;
    seedAccount(old);
    old.setKillSwitch('acct-1', 'reducing', T0 + 5);
    old.createStrategyRun({ runId: 'run-1', accountId: 'acct-1', strategyName: 's', status: 'live', startedAt: T0, sessionMetadata: {} });
    old.insertOrder(newOrder({ strategyRunId: 'run-1' }));
    // The old CHECK refuses a sim-mode account outright.
    expect(() => old.upsertAccount({ accountId: 'sim-1', venue: 'sim', label: 'Sim', mode: 'sim' }, T0)).toThrow();
    const before = old.listAccounts();
    old.close();

    const { store } = openStore(path);
    try {
      expect(store.schemaVersion()).toBe(LATEST_VERSION);
      expect(store.listAccounts()).toEqual(before);
      expect(store.getAccount('acct-1')).toMatchObject({ mode: 'paper', killSwitch: 'reducing' });
      expect(store.getOrder('ord-1')).toMatchObject({ strategyRunId: 'run-1' });
      expect(store.upsertAccount({ accountId: 'sim-1', venue: 'sim', label: 'Sim', mode: 'sim' }, T0 + 10)).toMatchObject({ accountId: 'sim-1', mode: 'sim' });
      // The foreign keys still hold on the rebuilt table.
      expect(() => store.createStrategyRun({ runId: 'run-x', accountId: 'nobody', strategyName: 's', status: 'live', startedAt: T0, sessionMetadata: {} })).toThrow();
    } finally {
      store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'accounts_%'").all()).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuse a ledger written by a newer version and leave it byte-for-byte untouched', () => {
    const path = tmp.file();
    const { store } = openStore(path);
    seedAccount(store);
    store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const files = readdirSync(tmp.dir).sort();
    const hash = sha256(path);

    const err = errorOf(() => openStore(path));
    expect(isLedgerError(err, 'newer_schema')).toBe(true);
    expect(err.message).toContain(`schema version ${LATEST_VERSION + 1}`);
    expect(err.message).toContain(`knows versions up to ${LATEST_VERSION}`);
    expect(err.message).toContain('the file was not modified');
    expect(sha256(path)).toBe(hash);
    expect(readdirSync(tmp.dir).sort()).toEqual(files); // not even a -wal or -shm left behind
  });

  it('refuse a newer ledger that still has a live WAL (a newer desk is running), touching neither file', () => {
    const path = tmp.file();
    openStore(path).store.close();
    const newer = new Database(path);
    newer.pragma('wal_autocheckpoint = 0');
    newer.pragma(`user_version = ${LATEST_VERSION + 7}`);
    newer.exec("INSERT INTO accounts VALUES ('x', 'sim', 'x', 'paper', 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
    try {
      expect(readFileSync(`${path}-wal`).length).toBeGreaterThan(0);
      const main = sha256(path);
      const wal = sha256(`${path}-wal`);
      expect(errorOf(() => openStore(path)).message).toContain(`schema version ${LATEST_VERSION + 7}`);
      expect(sha256(path)).toBe(main);
      expect(sha256(`${path}-wal`)).toBe(wal);
    } finally {
      newer.close();
    }
  });

  it('refuse files that are not ledgers, unmodified', () => {
    const junk = tmp.file('junk.sqlite');
    writeFileSync(junk, 'this is a text file, not a database\n'.repeat(10));
    const junkHash = sha256(junk);
    expect(errorOf(() => openStore(junk)).message).toMatch(/is not a SQLite database; refusing to open it as the ledger/);
    expect(sha256(junk)).toBe(junkHash);

    const foreign = tmp.file('foreign.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    const foreignHash = sha256(foreign);
    const err = errorOf(() => openStore(foreign));
    expect(isLedgerError(err, 'not_a_ledger')).toBe(true);
    expect(err.message).toMatch(/has tables but no ledger schema version/);
    expect(sha256(foreign)).toBe(foreignHash);
    expect(existsSync(`${foreign}-wal`)).toBe(false);
  });

  it('refuse a ledger whose migration history names another lineage', () => {
    const path = tmp.file();
    openStore(path).store.close();
    const db = new Database(path);
    db.prepare("UPDATE schema_migrations SET name = 'someone_elses_v2' WHERE version = 2").run();
    db.close();
    expect(errorOf(() => openStore(path)).message).toMatch(/records migration v2 "someone_elses_v2", which this build does not have/);
  });

  it('roll a failing migration back whole: the ledger stays at its version with its data', () => {
    const path = tmp.file();
    const { store } = openStore(path);
    seedAccount(store);
    store.close();
    const broken: Migration[] = [...MIGRATIONS, { version: LATEST_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half_done (a TEXT) STRICT; INSERT INTO no_such_table VALUES (1);' }];
    const err = errorOf(() => openStore(path, undefined, { migrations: broken }));
    expect(isLedgerError(err, 'migration_failed')).toBe(true);
    expect(err.message).toMatch(new RegExp(`migration v${LATEST_VERSION + 1} "broken" failed and was rolled back \\(the ledger stays at v${LATEST_VERSION}\\)`));
    expect(pragmaOf(path, 'user_version')).toBe(LATEST_VERSION);
    expect(schemaOf(path).some((s) => s.includes('half_done'))).toBe(false);
    const again = openStore(path).store;
    expect(again.getAccount('acct-1')).not.toBeNull();
    again.close();
  });

  it('needs a real file', () => {
    expect(errorOf(() => SqliteLedgerStore.open({ path: ':memory:' })).message).toMatch(/ledger path must be a file path/);
  });
});
