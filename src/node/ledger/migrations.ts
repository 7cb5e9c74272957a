/**
 * Versioned schema. `PRAGMA user_version` is the authoritative version; `schema_migrations` keeps
 * the history (version, name, when). Each migration runs in its own IMMEDIATE transaction together
 * with its history row and the user_version bump, so a crash mid-migration leaves the previous
 * version intact.
 *
 * Migrations are frozen once released: never edit one, append a new one. A test checks that a
 * database migrated step by step from every earlier version ends with the same schema as a fresh one.
 *
 * Column conventions (docs/ledger.md): decimals are TEXT (never REAL) and checked for type and
 * alphabet; times are ISO-8601 UTC TEXT with milliseconds, plus an `_ms` INTEGER where queries need
 * ranges or ordering; JSON columns are TEXT checked with json_valid. Every table is STRICT.
 * Triggers make the order/fill history append-only: automation archives, it never deletes.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LedgerError } from './errors';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// SQL fragments, frozen with the migrations that use them.
const ISO_GLOB = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'";
const iso = (col: string) => `${col} TEXT NOT NULL CHECK (${col} GLOB ${ISO_GLOB})`;
const optIso = (col: string) => `${col} TEXT CHECK (${col} IS NULL OR ${col} GLOB ${ISO_GLOB})`;
const decCheck = (col: string) => `typeof(${col}) = 'text' AND ${col} GLOB '*[0-9]*' AND ${col} NOT GLOB '*[^0-9.-]*'`;
const dec = (col: string) => `${col} TEXT NOT NULL CHECK (${decCheck(col)})`;
const optDec = (col: string) => `${col} TEXT CHECK (${col} IS NULL OR (${decCheck(col)}))`;
const json = (col: string) => `${col} TEXT NOT NULL CHECK (json_valid(${col}))`;
const optJson = (col: string) => `${col} TEXT CHECK (${col} IS NULL OR json_valid(${col}))`;
const neverDelete = (table: string, hint: string) => `
CREATE TRIGGER ${table}_never_deleted BEFORE DELETE ON ${table}
BEGIN SELECT RAISE(ABORT, 'ledger: rows of ${table} are never deleted (${hint})'); END;`;
const neverUpdate = (table: string) => `
CREATE TRIGGER ${table}_append_only BEFORE UPDATE ON ${table}
BEGIN SELECT RAISE(ABORT, 'ledger: ${table} is append-only'); END;`;

const V1_CORE = `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  ${iso('applied_at')}
) STRICT;

CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY NOT NULL,
  venue TEXT NOT NULL,
  label TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
  kill_switch TEXT NOT NULL DEFAULT 'active' CHECK (kill_switch IN ('active', 'reducing', 'halted')),
  ${iso('created_at')},
  ${iso('updated_at')}
) STRICT;

CREATE TABLE instruments (
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  kind TEXT NOT NULL,
  underlying TEXT,
  expiry TEXT CHECK (expiry IS NULL OR expiry GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  ${optDec('strike')},
  option_right TEXT CHECK (option_right IS NULL OR option_right IN ('call', 'put')),
  ${dec('multiplier')},
  ${optDec('tick_size')},
  ${optDec('lot_size')},
  token TEXT,
  currency TEXT NOT NULL,
  ${iso('updated_at')},
  PRIMARY KEY (venue, symbol)
) STRICT;

CREATE TABLE strategy_runs (
  run_id TEXT PRIMARY KEY NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  strategy_name TEXT NOT NULL,
  status TEXT NOT NULL,
  ${iso('started_at')},
  started_at_ms INTEGER NOT NULL,
  ${optIso('ended_at')},
  ${json('session_metadata')},
  ${iso('updated_at')}
) STRICT;
CREATE INDEX strategy_runs_account ON strategy_runs (account_id, started_at_ms);

CREATE TABLE orders (
  client_order_id TEXT PRIMARY KEY NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  broker_order_id TEXT,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  ${dec('quantity')},
  order_type TEXT NOT NULL CHECK (order_type IN ('limit', 'market')),
  ${optDec('limit_price')},
  status TEXT NOT NULL,
  retry_count INTEGER NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
  strategy_run_id TEXT REFERENCES strategy_runs (run_id),
  position_id TEXT,
  re_entry_num INTEGER CHECK (re_entry_num IS NULL OR re_entry_num >= 0),
  reason TEXT,
  ${dec('filled_quantity')},
  ${optDec('avg_fill_price')},
  ${iso('created_at')},
  created_at_ms INTEGER NOT NULL,
  ${iso('updated_at')},
  ${optIso('submitted_at')},
  ${optIso('archived_at')},
  archived_from TEXT,
  CHECK ((order_type = 'limit') = (limit_price IS NOT NULL)),
  CHECK ((status = 'archived') = (archived_at IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX orders_broker_id ON orders (account_id, broker_order_id) WHERE broker_order_id IS NOT NULL;
CREATE INDEX orders_status ON orders (status, created_at_ms);
CREATE INDEX orders_run ON orders (strategy_run_id) WHERE strategy_run_id IS NOT NULL;
${neverDelete('orders', 'archive the order instead')}

CREATE TABLE order_events (
  event_id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
  ${iso('at')},
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('created', 'status', 'modified')),
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT,
  ${optJson('detail')}
) STRICT;
CREATE INDEX order_events_order ON order_events (client_order_id, event_id);
${neverDelete('order_events', 'order history is kept')}
${neverUpdate('order_events')}

CREATE TABLE fills (
  seq INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  fill_id TEXT NOT NULL,
  client_order_id TEXT REFERENCES orders (client_order_id),
  broker_order_id TEXT,
  position_id TEXT NOT NULL,
  re_entry_num INTEGER NOT NULL CHECK (re_entry_num >= 0),
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  ${dec('quantity')},
  ${dec('price')},
  ${dec('fee')},
  fee_currency TEXT NOT NULL,
  ${iso('filled_at')},
  filled_at_ms INTEGER NOT NULL,
  ${iso('recorded_at')},
  UNIQUE (account_id, fill_id)
) STRICT;
CREATE INDEX fills_time ON fills (filled_at_ms, seq);
CREATE INDEX fills_position ON fills (position_id, re_entry_num);
${neverDelete('fills', 'fills are the source of truth')}
${neverUpdate('fills')}

CREATE TABLE positions (
  position_id TEXT NOT NULL,
  re_entry_num INTEGER NOT NULL CHECK (re_entry_num >= 0),
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('long', 'short')),
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'PARTIAL', 'CLOSED')),
  ${dec('quantity_total')},
  ${dec('quantity_closed')},
  ${dec('quantity_open')},
  ${optDec('avg_entry_price')},
  ${optDec('avg_exit_price')},
  ${dec('realized_pnl')},
  ${dec('fees')},
  ${iso('opened_at')},
  opened_at_ms INTEGER NOT NULL,
  ${optIso('closed_at')},
  strategy_run_id TEXT,
  ${optDec('mark_price')},
  ${optDec('pnl_abs')},
  ${optDec('pnl_pct')},
  analytics_reason TEXT,
  ${optIso('analytics_at')},
  ${iso('updated_at')},
  PRIMARY KEY (position_id, re_entry_num)
) STRICT;
CREATE INDEX positions_status ON positions (status, account_id);
${neverDelete('positions', 'a closed position stays CLOSED')}

CREATE TABLE monitor_cycles (
  cycle_id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  ${iso('started_at')},
  started_at_ms INTEGER NOT NULL,
  ${iso('finished_at')},
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'errors', 'stopped')),
  error_count INTEGER NOT NULL CHECK (error_count >= 0),
  ${json('steps')},
  ${json('errors')}
) STRICT;
CREATE INDEX monitor_cycles_account ON monitor_cycles (account_id, started_at_ms);
CREATE INDEX monitor_cycles_time ON monitor_cycles (started_at_ms);

-- Batched tables: written off the hot path in bulk. No foreign keys on purpose: one dangling
-- reference must not make a whole batch of audit rows fail.
CREATE TABLE strategy_events (
  event_id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL,
  ${iso('at')},
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  execution_id TEXT,
  parent_execution_id TEXT,
  message TEXT,
  ${optJson('payload')}
) STRICT;
CREATE INDEX strategy_events_run ON strategy_events (run_id, event_id);
${neverDelete('strategy_events', 'the audit log is kept')}
${neverUpdate('strategy_events')}

CREATE TABLE pnl_samples (
  sample_id INTEGER PRIMARY KEY,
  scope TEXT NOT NULL,
  ${iso('at')},
  at_ms INTEGER NOT NULL,
  ${dec('realized')},
  ${optDec('unrealized')},
  ${optDec('total')},
  unknown_reason TEXT,
  CHECK ((unrealized IS NOT NULL AND total IS NOT NULL) OR unknown_reason IS NOT NULL)
) STRICT;
CREATE INDEX pnl_samples_scope_time ON pnl_samples (scope, at_ms);
`;

const V2_QUOTES_SETTINGS = `
CREATE TABLE recorded_quotes (
  quote_id INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ${iso('received_at')},
  received_at_ms INTEGER NOT NULL,
  ${optIso('exchange_time')},
  exchange_time_ms INTEGER,
  ${optDec('bid')},
  ${optDec('ask')},
  ${optDec('last')},
  ${optDec('bid_size')},
  ${optDec('ask_size')}
) STRICT;
CREATE INDEX recorded_quotes_time ON recorded_quotes (received_at_ms);

CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  ${json('value')},
  ${iso('updated_at')}
) STRICT;
`;

/**
 * v3: accounts accept mode `sim` (the simulated venue's accounts: issue 15). SQLite cannot alter a
 * CHECK, so the table is rebuilt under the same name, every row kept as it was. Foreign keys stay
 * on (they cannot be switched off inside the migration's transaction): they are deferred, so the
 * drop counts the rows of orders, runs, positions… that point at `accounts`, and putting the same
 * rows back into the new `accounts` settles that count before the commit checks it.
 */
const V3_ACCOUNTS_SIM = `
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE accounts_before_v3 AS SELECT * FROM accounts;
DROP TABLE accounts;
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY NOT NULL,
  venue TEXT NOT NULL,
  label TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('sim', 'paper', 'live')),
  kill_switch TEXT NOT NULL DEFAULT 'active' CHECK (kill_switch IN ('active', 'reducing', 'halted')),
  ${iso('created_at')},
  ${iso('updated_at')}
) STRICT;
INSERT INTO accounts (account_id, venue, label, mode, kill_switch, created_at, updated_at)
  SELECT account_id, venue, label, mode, kill_switch, created_at, updated_at FROM accounts_before_v3;
DROP TABLE accounts_before_v3;
`;

/**
 * v4: the order gateway's journal (core/ports/order-journal.ts) lives in `orders` + `order_events`.
 * `orders` gains the gateway's columns (all NULL on rows the OrderLedger wrote): the client order id
 * of the order's current venue order, the replace count, the quantity filled by replaced venue orders,
 * and the pending command (kind, the client order id the venue knows it by, the replace's quantity /
 * limit, state `sending` | `unknown`, since, attempts). `order_venue_client_ids` maps every client
 * order id an order's venue orders ever had to the order (append-only). `order_events` accepts the journal's event
 * kinds and gains `command`; SQLite cannot alter a CHECK, so it is rebuilt under the same name, every
 * row kept with its event id (nothing references order_events; its triggers are recreated).
 */
const JOURNAL_EVENT_KINDS = "'created', 'status', 'modified', 'sent', 'answered', 'unknown', 'resolved', 'resent', 'update'";
const V4_ORDER_JOURNAL = `
ALTER TABLE orders ADD COLUMN venue_client_order_id TEXT;
ALTER TABLE orders ADD COLUMN replace_count INTEGER CHECK (replace_count IS NULL OR replace_count >= 0);
ALTER TABLE orders ADD COLUMN ${optDec('prior_filled_quantity')};
ALTER TABLE orders ADD COLUMN pending_command TEXT CHECK (pending_command IS NULL OR pending_command IN ('place', 'replace', 'cancel'));
ALTER TABLE orders ADD COLUMN pending_venue_client_order_id TEXT;
ALTER TABLE orders ADD COLUMN ${optDec('pending_quantity')};
ALTER TABLE orders ADD COLUMN ${optDec('pending_limit_price')};
ALTER TABLE orders ADD COLUMN pending_state TEXT CHECK (pending_state IS NULL OR pending_state IN ('sending', 'unknown'));
ALTER TABLE orders ADD COLUMN pending_since_ms INTEGER;
ALTER TABLE orders ADD COLUMN pending_attempts INTEGER CHECK (pending_attempts IS NULL OR pending_attempts >= 1);
ALTER TABLE orders ADD COLUMN updated_at_ms INTEGER;
CREATE INDEX orders_journal_account ON orders (account_id, created_at_ms) WHERE venue_client_order_id IS NOT NULL;

-- Every client order id a journal order's venue orders have had (its own, each replace's successor,
-- including a successor the venue never got): an order update about any of them is the order's.
CREATE TABLE order_venue_client_ids (
  venue_client_order_id TEXT PRIMARY KEY NOT NULL,
  client_order_id TEXT NOT NULL REFERENCES orders (client_order_id)
) STRICT;
CREATE INDEX order_venue_client_ids_order ON order_venue_client_ids (client_order_id);
${neverDelete('order_venue_client_ids', 'an id once used stays known')}
${neverUpdate('order_venue_client_ids')}

CREATE TABLE order_events_v4 (
  event_id INTEGER PRIMARY KEY,
  client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
  ${iso('at')},
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN (${JOURNAL_EVENT_KINDS})),
  command TEXT CHECK (command IS NULL OR command IN ('place', 'replace', 'cancel')),
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT,
  ${optJson('detail')}
) STRICT;
INSERT INTO order_events_v4 (event_id, client_order_id, at, at_ms, kind, command, from_status, to_status, reason, detail)
  SELECT event_id, client_order_id, at, at_ms, kind, NULL, from_status, to_status, reason, detail FROM order_events;
DROP TABLE order_events;
ALTER TABLE order_events_v4 RENAME TO order_events;
CREATE INDEX order_events_order ON order_events (client_order_id, event_id);
${neverDelete('order_events', 'order history is kept')}
${neverUpdate('order_events')}
`;

/**
 * v5 (issue 16, account fills): where a fill came from and the venue's names for it. `origin`:
 * `venue` (an execution on the order-update stream), `fetched` (the part of a venue order's cumulative
 * filled quantity found by REST and not yet recorded), `adopted` (reconciliation's adjustment to the
 * broker's position). A fill with an origin is numbered by the FIFO engine in execution-time order
 * (its `re_entry_num` is the number when it was recorded); legacy rows (origin NULL) keep theirs.
 * `cum_quantity`: the venue order's cumulative filled quantity after this fill — with
 * `broker_order_id` the idempotency key across the stream and REST (docs/ledger.md).
 */
const V5_ACCOUNT_FILLS = `
ALTER TABLE fills ADD COLUMN origin TEXT CHECK (origin IS NULL OR origin IN ('venue', 'fetched', 'adopted'));
ALTER TABLE fills ADD COLUMN ${optDec('cum_quantity')};
ALTER TABLE fills ADD COLUMN execution_id TEXT;
ALTER TABLE fills ADD COLUMN venue_client_order_id TEXT;
CREATE UNIQUE INDEX fills_venue_order_cum ON fills (account_id, broker_order_id, cum_quantity) WHERE cum_quantity IS NOT NULL;
`;

// v6 (issue 17): order roles and stop prices (the monitoring cycle's SL/TP, fair-price modifications
// and entry regenerate), the archive of rejected orders, and the monitoring cycle's own tables.
const V6_MONITORING = `
ALTER TABLE orders ADD COLUMN ${optDec('stop_price')};
ALTER TABLE orders ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('entry', 'exit', 'sl', 'tp'));
ALTER TABLE orders ADD COLUMN strategy TEXT;
ALTER TABLE orders ADD COLUMN linked_client_order_id TEXT;

-- Automation never deletes an order: a rejected one is archived here (it keeps its status and history).
CREATE TABLE order_archive (
  client_order_id TEXT PRIMARY KEY NOT NULL REFERENCES orders (client_order_id),
  account_id TEXT NOT NULL,
  ${iso('archived_at')},
  archived_at_ms INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  cycle_id TEXT,
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX order_archive_account ON order_archive (account_id, archived_at_ms);
${neverDelete('order_archive', 'the archive is kept')}
${neverUpdate('order_archive')}

-- The v1 monitor_cycles table gains the cycle's execution id (its actions' node_events carry it),
-- what triggered it, how late a slow predecessor made it, and its one-line summary.
ALTER TABLE monitor_cycles ADD COLUMN execution_id TEXT;
ALTER TABLE monitor_cycles ADD COLUMN trigger TEXT CHECK (trigger IS NULL OR trigger IN ('schedule', 'run_now'));
ALTER TABLE monitor_cycles ADD COLUMN delayed_ms INTEGER CHECK (delayed_ms IS NULL OR delayed_ms >= 0);
ALTER TABLE monitor_cycles ADD COLUMN summary TEXT;
ALTER TABLE monitor_cycles ADD COLUMN session_needed INTEGER NOT NULL DEFAULT 0 CHECK (session_needed IN (0, 1));
CREATE UNIQUE INDEX monitor_cycles_execution ON monitor_cycles (execution_id) WHERE execution_id IS NOT NULL;

-- Step 2: FIFO P&L of the day's broker order book, per account and symbol (replaced as a whole per
-- account and day, in one transaction: a computed table, like the design note's live history).
CREATE TABLE monitor_pnl (
  account_id TEXT NOT NULL,
  trade_date TEXT NOT NULL CHECK (trade_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  symbol TEXT NOT NULL,
  ${dec('bought_quantity')},
  ${dec('sold_quantity')},
  ${dec('open_quantity')},
  ${optDec('avg_open_price')},
  ${dec('realized_pnl')},
  ${dec('multiplier')},
  orders INTEGER NOT NULL CHECK (orders >= 0),
  cycle_id TEXT NOT NULL,
  ${iso('computed_at')},
  PRIMARY KEY (account_id, trade_date, symbol)
) STRICT;

-- Steps 8-9: entry regenerate. A row per rejected entry regenerated (new client order id linked to
-- the rejected one); status NULL until step 9 places it.
CREATE TABLE entry_regenerate (
  rejected_client_order_id TEXT PRIMARY KEY NOT NULL REFERENCES orders (client_order_id),
  account_id TEXT NOT NULL,
  new_client_order_id TEXT NOT NULL UNIQUE,
  strategy TEXT,
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  cycle_id TEXT NOT NULL,
  ${iso('created_at')},
  status TEXT CHECK (status IS NULL OR status IN ('placed', 'refused', 'rejected', 'unknown', 'failed')),
  reason TEXT,
  ${optIso('placed_at')}
) STRICT;
CREATE INDEX entry_regenerate_account ON entry_regenerate (account_id, status);
${neverDelete('entry_regenerate', 'regenerations are history')}
`;

// SmartAPI instrument master cache (issue 19): the last downloaded OpenAPIScripMaster.json rows
// the adapter supports, every value as sent (strings), and when it was fetched (one IST day).
const V7_SMARTAPI_MASTER = `
CREATE TABLE smartapi_master (
  exch_seg TEXT NOT NULL,
  token TEXT NOT NULL,
  symbol TEXT NOT NULL,
  name TEXT NOT NULL,
  expiry TEXT NOT NULL,
  strike TEXT NOT NULL,
  lotsize TEXT NOT NULL,
  instrumenttype TEXT NOT NULL,
  tick_size TEXT NOT NULL,
  PRIMARY KEY (exch_seg, token)
) STRICT;
CREATE TABLE smartapi_master_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  source TEXT NOT NULL,
  fetched_day TEXT NOT NULL,
  ${iso('fetched_at')},
  rows INTEGER NOT NULL CHECK (rows >= 0)
) STRICT;
`;

// Replay (issue 21): saved results of replay runs, to compare run with run. The result (summary,
// strategy outcomes, event-stream hash) is kept whole as JSON; append-only, never deleted.
const V8_REPLAY_RESULTS = `
CREATE TABLE replay_results (
  result_id INTEGER PRIMARY KEY,
  day_id TEXT NOT NULL CHECK (length(day_id) BETWEEN 1 AND 200),
  label TEXT NOT NULL CHECK (length(label) <= 120),
  ${iso('saved_at')},
  saved_at_ms INTEGER NOT NULL,
  hash TEXT NOT NULL CHECK (length(hash) = 64),
  result_json TEXT NOT NULL CHECK (json_valid(result_json))
) STRICT;
CREATE INDEX replay_results_day ON replay_results (day_id, saved_at_ms);
${neverDelete('replay_results', 'results are kept to compare runs')}
${neverUpdate('replay_results')}
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core_tables', sql: V1_CORE },
  { version: 2, name: 'recorded_quotes_and_settings', sql: V2_QUOTES_SETTINGS },
  { version: 3, name: 'accounts_mode_sim', sql: V3_ACCOUNTS_SIM },
  { version: 4, name: 'order_journal', sql: V4_ORDER_JOURNAL },
  { version: 5, name: 'account_fills', sql: V5_ACCOUNT_FILLS },
  { version: 6, name: 'monitoring', sql: V6_MONITORING },
  { version: 7, name: 'smartapi_master', sql: V7_SMARTAPI_MASTER },
  { version: 8, name: 'replay_results', sql: V8_REPLAY_RESULTS },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * The schema version of the file at `path` without modifying it in any way (0 for a missing or
 * empty file). A cleanly closed database has no `-wal` file and its header (user_version at byte
 * 60) is authoritative, so it is read directly — opening SQLite even read-only would leave -wal/-shm
 * files behind. With a non-empty WAL the header may be stale, so SQLite reads it (read-only).
 */
export function readSchemaVersion(path: string): number {
  if (!existsSync(path) || statSync(path).size === 0) return 0;
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  }
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, header, 0, 100, 0);
    if (n < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw new LedgerError('not_a_ledger', `${path} is not a SQLite database; refusing to open it as the ledger (it was not modified)`);
    }
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(60);
}

export function newerSchemaError(path: string, found: number, known: number): LedgerError {
  return new LedgerError(
    'newer_schema',
    `ledger ${path} has schema version ${found}, written by a newer Live Desk; this build knows versions up to ${known}. ` +
      'Refusing to open it; the file was not modified. Run the newer Live Desk, or point this one at another ledger file.',
  );
}

/**
 * Refuses, before anything is written, a database newer than `migrations`, one whose history names
 * differ from this build's (another lineage), and a non-empty database without a version (not a
 * ledger). Returns the current version.
 */
export function checkMigratable(db: Database.Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const known = latestOf(migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) throw newerSchemaError(path, current, known);
  if (current === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) {
      throw new LedgerError('not_a_ledger', `${path} has tables but no ledger schema version; refusing to use it as the ledger (it was not modified)`);
    }
    return 0;
  }
  const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
  for (const row of applied) {
    const mine = migrations.find((m) => m.version === row.version);
    if (!mine || mine.name !== row.name) {
      throw new LedgerError(
        'not_a_ledger',
        `ledger ${path} records migration v${row.version} "${row.name}", which this build does not have (it has "${mine?.name ?? 'nothing'}"); refusing to open it (it was not modified)`,
      );
    }
  }
  return current;
}

/** Applies the pending migrations, each in its own IMMEDIATE transaction. Returns the new version. */
export function applyMigrations(db: Database.Database, path: string, now: () => number, migrations: readonly Migration[] = MIGRATIONS): number {
  let current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if ((db.pragma('user_version', { simple: true }) as number) >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date(now()).toISOString());
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new LedgerError(
        'migration_failed',
        `ledger ${path}: migration v${m.version} "${m.name}" failed and was rolled back (the ledger stays at v${current}): ${(err as Error).message}`,
        { cause: err },
      );
    }
    current = m.version;
  }
  return current;
}

/** Checks, then migrates `db` to the last version of `migrations`. */
export function migrate(db: Database.Database, path: string, now: () => number, migrations: readonly Migration[] = MIGRATIONS): number {
  checkMigratable(db, path, migrations);
  return applyMigrations(db, path, now, migrations);
}

function latestOf(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}
