/**
 * The ledger on SQLite (better-sqlite3, synchronous): the `LedgerStore` port of spec §10.
 *
 * Two connections to one WAL database:
 * - the durable connection (synchronous=FULL, foreign keys on) writes orders, fills, positions,
 *   runs, cycles, accounts, instruments and settings; each write is one IMMEDIATE transaction that
 *   is on disk when the call returns;
 * - the batch connection (synchronous=NORMAL: a crash of the app loses nothing committed; a power
 *   loss may lose the last batches) writes strategy events, P&L samples and recorded quotes through
 *   the BatchWriter, off the hot path.
 * Reads go through the durable connection and see everything committed by either.
 *
 * Every value is validated (values.ts) before any SQL runs: a bad value is an error naming
 * `table.column` and nothing is written.
 *
 * This file is the composite: it opens the database, runs the migrations, owns the two connections
 * and the batch writer, and exposes each table family's narrow port (`accounts`, `orders`,
 * `positions`, `audit`, `pnlSamples`, `quotes`, `settings`; their SQL and row mapping live in
 * `tables/*.ts`). It also implements the whole `LedgerStore` by delegating to them.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Clock, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../../core/ports/logger';
import type {
  AccountConfig,
  AccountRow,
  BatchStats,
  EpochMs,
  FillRow,
  InstrumentRow,
  JsonValue,
  KillSwitchState,
  LedgerStore,
  MonitorCycleInput,
  MonitorCycleRow,
  NewOrder,
  OrderEventRow,
  OrderModification,
  OrderRow,
  OrderStatus,
  OrderTransition,
  PnlSampleInput,
  PnlSampleRow,
  PositionAnalytics,
  PositionKey,
  PositionRow,
  PositionState,
  RecordedQuoteInput,
  RecordedQuoteRow,
  StoredFillRow,
  StrategyEventInput,
  StrategyEventRow,
  StrategyRunRow,
  StrategyRunUpdate,
  TimeRange,
  VenueId,
} from '../../core/ports/ledger-store';
import { SystemClock } from '../system-clock';
import { BatchWriter, type BatchWriterOptions } from './batch-writer';
import { LedgerError } from './errors';
import { LedgerDb } from './ledger-db';
import { SqliteMasterStore } from './smartapi-master-store';
import { applyMigrations, checkMigratable, MIGRATIONS, newerSchemaError, readSchemaVersion, type Migration } from './migrations';
import { SqliteAccountLedger } from './tables/accounts';
import { SqliteAuditLedger } from './tables/audit';
import { SqliteOrderLedger } from './tables/orders';
import { SqliteOrderJournal } from './tables/order-journal';
import { SqlitePnlSampleLedger } from './tables/pnl-samples';
import { SqlitePositionLedger } from './tables/positions';
import { SqliteMonitorStore } from './monitor-store';
import { SqliteStrategyStore } from './strategy-store';
import { SqliteQuoteLedger } from './tables/recorded-quotes';
import { SqliteReplayLedger } from './tables/replay-results';
import { SqliteSettingsLedger } from './tables/settings';
import { show } from './values';

export interface SqliteLedgerOptions {
  /** A file path (the ledger is always a real file: WAL and two connections need one). */
  path: string;
  /** Time for `recorded_at`/`applied_at` stamps and the batch writer's timers. */
  clock?: Clock & Scheduler;
  logger?: Logger;
  batch?: Partial<BatchWriterOptions>;
  /** Only for tests and tools that need an older schema: the migrations this instance knows. */
  migrations?: readonly Migration[];
  /**
   * Told when batched writes start failing (what is not being recorded, and why) and when they
   * work again (null). The desk shows it as a health row and a notification.
   */
  onProblem?: (problem: string | null) => void;
}

/** Why batched writes fail, in words, and what is not being recorded meanwhile. */
export function describeLedgerProblem(err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  const why = code.startsWith('SQLITE_READONLY')
    ? 'the ledger file is read-only'
    : code === 'SQLITE_FULL'
      ? 'the disk is full'
      : code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_')
        ? 'the disk reports I/O errors'
        : `writes fail (${code || 'error'})`;
  return `${why}: the P&L curve, the audit log and recorded quotes are not being recorded (kept in memory and retried)`;
}

/**
 * Owner-only files: the ledger holds positions, fills and P&L. The database is created 0600 before
 * SQLite opens it (SQLite gives its -wal and -shm files the database's mode), and an existing one
 * is narrowed to 0600.
 */
function secureLedgerFiles(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(p, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

// ----------------------------------------------------------------------------------------- store

export class SqliteLedgerStore implements LedgerStore {
  /** `accounts`, `instruments`. */
  readonly accounts: SqliteAccountLedger;
  /** `orders`, `order_events`, `fills`. */
  readonly orders: SqliteOrderLedger;
  /** The order gateway's journal (`orders` + `order_events`, schema v4): core/ports/order-journal.ts. */
  readonly orderJournal: SqliteOrderJournal;
  /** `positions`. */
  readonly positions: SqlitePositionLedger;
  /** `strategy_runs`, `strategy_events` (batched), `monitor_cycles`. */
  readonly audit: SqliteAuditLedger;
  /** `pnl_samples` (batched). */
  readonly pnlSamples: SqlitePnlSampleLedger;
  /** `recorded_quotes` (batched). */
  readonly quotes: SqliteQuoteLedger;
  /** `settings`. */
  readonly settings: SqliteSettingsLedger;
  /** The monitoring cycle's records: `monitor_cycles`, `monitor_pnl`, positions with analytics, `entry_regenerate`, its settings (issue 17). */
  readonly monitor: SqliteMonitorStore;
  /** The strategy service's records: definitions, runs with their engine state, the audit log (issue 18). */
  readonly strategy: SqliteStrategyStore;
  /** The SmartAPI instrument master cache (`smartapi_master`, refreshed once per IST day; issue 19). */
  readonly smartapiMaster: SqliteMasterStore;
  /** Replay (issue 21): saved run results and the recorded days. */
  readonly replay: SqliteReplayLedger;
  private readonly batch: BatchWriter;
  private readonly ledger: LedgerDb;
  private closed = false;

  /**
   * Opens (creating if needed) and migrates the ledger at `options.path`. A ledger written by a
   * newer version is refused before anything touches the file.
   */
  static open(options: SqliteLedgerOptions): SqliteLedgerStore {
    const path = options.path;
    if (!path || path === ':memory:' || path.startsWith('file:')) {
      throw new LedgerError('invalid_value', `ledger path must be a file path, got ${show(path)}`);
    }
    const migrations = options.migrations ?? MIGRATIONS;
    const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
    const found = readSchemaVersion(path);
    if (found > known) throw newerSchemaError(path, found, known);

    const clock = options.clock ?? new SystemClock();
    secureLedgerFiles(path);
    const durable = new Database(path);
    let batchDb: Database.Database | null = null;
    try {
      durable.pragma('busy_timeout = 5000');
      checkMigratable(durable, path, migrations); // refuses before anything is written
      durable.pragma('journal_mode = WAL');
      durable.pragma('synchronous = FULL');
      durable.pragma('foreign_keys = ON');
      // REPLACE deletes the conflicting row: with recursive triggers that delete meets the
      // never-delete triggers, so INSERT OR REPLACE cannot swap a stored fill (or order, position…).
      durable.pragma('recursive_triggers = ON');
      applyMigrations(durable, path, () => clock.now(), migrations);
      batchDb = new Database(path);
      batchDb.pragma('busy_timeout = 5000');
      batchDb.pragma('synchronous = NORMAL');
      batchDb.pragma('recursive_triggers = ON');
      return new SqliteLedgerStore(durable, batchDb, clock, options.logger ?? silentLogger, options.batch ?? {}, options.onProblem);
    } catch (err) {
      batchDb?.close();
      durable.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly batchDb: Database.Database,
    clock: Clock & Scheduler,
    logger: Logger,
    batchOptions: Partial<BatchWriterOptions>,
    onProblem?: (problem: string | null) => void,
  ) {
    this.ledger = new LedgerDb(db, clock);
    this.batch = new BatchWriter(
      batchDb,
      {
        scheduler: clock,
        logger,
        nextTurn: (fn) => {
          const handle = setImmediate(fn);
          return () => clearImmediate(handle);
        },
        onProblem: onProblem ? (err) => onProblem(err === null ? null : describeLedgerProblem(err)) : undefined,
      },
      batchOptions,
    );
    this.accounts = new SqliteAccountLedger(this.ledger);
    this.orders = new SqliteOrderLedger(this.ledger);
    this.orderJournal = new SqliteOrderJournal(this.ledger);
    this.positions = new SqlitePositionLedger(this.ledger);
    // Batched sinks register in this order: strategy events, P&L samples, recorded quotes.
    this.audit = new SqliteAuditLedger(this.ledger, this.batch);
    this.pnlSamples = new SqlitePnlSampleLedger(this.ledger, this.batch);
    this.quotes = new SqliteQuoteLedger(this.ledger, this.batch, this.schemaVersion() >= 2);
    this.settings = new SqliteSettingsLedger(this.ledger);
    this.monitor = new SqliteMonitorStore(this.ledger, this.settings);
    this.strategy = new SqliteStrategyStore(this.ledger, this.settings, this.audit, () => this.flush());
    this.smartapiMaster = new SqliteMasterStore(this.db);
    this.replay = new SqliteReplayLedger(this.ledger, this.hasTable('replay_results'));
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  transaction<T>(fn: () => T): T {
    return this.ledger.transaction(fn);
  }

  // ------------------------------------------------------------------- LedgerStore, delegated

  upsertAccount(account: AccountConfig, at: EpochMs): AccountRow {
    return this.accounts.upsertAccount(account, at);
  }
  setKillSwitch(accountId: string, state: KillSwitchState, at: EpochMs): AccountRow {
    return this.accounts.setKillSwitch(accountId, state, at);
  }
  getAccount(accountId: string): AccountRow | null {
    return this.accounts.getAccount(accountId);
  }
  listAccounts(): AccountRow[] {
    return this.accounts.listAccounts();
  }
  upsertInstrument(instrument: InstrumentRow): void {
    this.accounts.upsertInstrument(instrument);
  }
  getInstrument(venue: VenueId, symbol: string): InstrumentRow | null {
    return this.accounts.getInstrument(venue, symbol);
  }

  createStrategyRun(run: Omit<StrategyRunRow, 'updatedAt' | 'endedAt'>): StrategyRunRow {
    return this.audit.createStrategyRun(run);
  }
  updateStrategyRun(runId: string, update: StrategyRunUpdate): StrategyRunRow {
    return this.audit.updateStrategyRun(runId, update);
  }
  getStrategyRun(runId: string): StrategyRunRow | null {
    return this.audit.getStrategyRun(runId);
  }
  appendStrategyEvent(event: StrategyEventInput): void {
    this.audit.appendStrategyEvent(event);
  }
  strategyEventsForRun(runId: string, opts?: { afterEventId?: number; limit?: number }): StrategyEventRow[] {
    return this.audit.strategyEventsForRun(runId, opts);
  }
  recordMonitorCycle(cycle: MonitorCycleInput): MonitorCycleRow {
    return this.audit.recordMonitorCycle(cycle);
  }
  lastMonitorCycles(n: number, opts?: { accountId?: string }): MonitorCycleRow[] {
    return this.audit.lastMonitorCycles(n, opts);
  }

  insertOrder(order: NewOrder): OrderRow {
    return this.orders.insertOrder(order);
  }
  transitionOrder(clientOrderId: string, to: OrderStatus, change: OrderTransition): OrderRow {
    return this.orders.transitionOrder(clientOrderId, to, change);
  }
  modifyOrder(clientOrderId: string, change: OrderModification): OrderRow {
    return this.orders.modifyOrder(clientOrderId, change);
  }
  archiveOrder(clientOrderId: string, at: EpochMs, reason: string | null): OrderRow {
    return this.orders.archiveOrder(clientOrderId, at, reason);
  }
  getOrder(clientOrderId: string): OrderRow | null {
    return this.orders.getOrder(clientOrderId);
  }
  getOrderByBrokerId(accountId: string, brokerOrderId: string): OrderRow | null {
    return this.orders.getOrderByBrokerId(accountId, brokerOrderId);
  }
  ordersByStatus(statuses: readonly OrderStatus[], opts?: { accountId?: string; limit?: number }): OrderRow[] {
    return this.orders.ordersByStatus(statuses, opts);
  }
  orderEvents(clientOrderId: string): OrderEventRow[] {
    return this.orders.orderEvents(clientOrderId);
  }
  recordFill(fill: FillRow): boolean {
    return this.orders.recordFill(fill);
  }
  recordFills(fills: readonly FillRow[]): number {
    return this.orders.recordFills(fills);
  }
  fillsForDay(day: TimeRange, opts?: { accountId?: string }): StoredFillRow[] {
    return this.orders.fillsForDay(day, opts);
  }
  fillsForRebuild(opts?: { accountId?: string }): StoredFillRow[] {
    return this.orders.fillsForRebuild(opts);
  }

  upsertPositions(positions: readonly PositionState[], at: EpochMs): void {
    this.positions.upsertPositions(positions, at);
  }
  updatePositionAnalytics(key: PositionKey, analytics: PositionAnalytics): PositionRow {
    return this.positions.updatePositionAnalytics(key, analytics);
  }
  getPosition(key: PositionKey): PositionRow | null {
    return this.positions.getPosition(key);
  }
  listPositions(opts?: { accountId?: string }): PositionRow[] {
    return this.positions.listPositions(opts);
  }
  openPositions(opts?: { accountId?: string }): PositionRow[] {
    return this.positions.openPositions(opts);
  }

  getSetting(key: string): JsonValue | null {
    return this.settings.getSetting(key);
  }
  setSetting(key: string, value: JsonValue, at: EpochMs): void {
    this.settings.setSetting(key, value, at);
  }
  listSettings(): { key: string; value: JsonValue; updatedAt: EpochMs }[] {
    return this.settings.listSettings();
  }

  appendPnlSample(sample: PnlSampleInput): void {
    this.pnlSamples.appendPnlSample(sample);
  }
  pnlCurve(scope: string, day: TimeRange): PnlSampleRow[] {
    return this.pnlSamples.pnlCurve(scope, day);
  }

  appendRecordedQuote(quote: RecordedQuoteInput): void {
    this.quotes.appendRecordedQuote(quote);
  }
  recordedQuotes(window: TimeRange, opts?: { afterQuoteId?: number; limit?: number }): RecordedQuoteRow[] {
    return this.quotes.recordedQuotes(window, opts);
  }

  // -------------------------------------------------------------------------------- lifecycle

  batchStats(): BatchStats {
    return this.batch.stats();
  }

  flush(): void {
    if (this.db.inTransaction) {
      throw new LedgerError('conflict', 'flush() inside transaction(): the batch connection would wait for this transaction’s write lock');
    }
    this.batch.flush();
  }

  close(): void {
    if (this.closed) return;
    if (this.db.inTransaction) throw new LedgerError('conflict', 'close() inside transaction()');
    this.closed = true;
    try {
      this.batch.close();
    } finally {
      this.batchDb.close();
      this.db.pragma('optimize');
      this.db.close();
    }
  }
}
