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
  JsonObject,
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
  SessionMetadata,
  StoredFillRow,
  StrategyEventInput,
  StrategyEventRow,
  StrategyRunRow,
  StrategyRunStatus,
  StrategyRunUpdate,
  TimeRange,
  VenueId,
} from '../../core/ports/ledger-store';
import { SystemClock } from '../system-clock';
import { BatchWriter, type BatchWriterOptions } from './batch-writer';
import { LedgerError } from './errors';
import { applyMigrations, checkMigratable, MIGRATIONS, newerSchemaError, readSchemaVersion, type Migration } from './migrations';
import { isLegalTransition, legalNextStatuses, MODIFIABLE, ORDER_STATUSES } from '../../core/orders/lifecycle';
import {
  canonicalDecimal,
  decimal,
  epochMs,
  freeJsonText,
  int,
  isoOf,
  jsonObjectSchema,
  jsonText,
  msOf,
  oneOf,
  optDecimal,
  optEpochMs,
  optInt,
  optIsoOf,
  optMsOf,
  optText,
  readJson,
  readOptJson,
  record,
  sessionMetadataSchema,
  show,
  storedStepsSchema,
  stringArraySchema,
  text,
} from './values';

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

const VENUES: readonly VenueId[] = ['sim', 'alpaca', 'smartapi', 'delta'];
const RUN_STATUSES: readonly StrategyRunStatus[] = ['waiting', 'entering', 'live', 'exiting', 'cooldown', 'halted', 'error'];
const KILL_SWITCH: readonly KillSwitchState[] = ['active', 'reducing', 'halted'];
const SIDES = ['buy', 'sell'] as const;

// ------------------------------------------------------------------------------------ stored rows

interface AccountDb {
  account_id: string;
  venue: VenueId;
  label: string;
  mode: 'paper' | 'live';
  kill_switch: KillSwitchState;
  created_at: string;
  updated_at: string;
}

interface InstrumentDb {
  venue: VenueId;
  symbol: string;
  kind: InstrumentRow['kind'];
  underlying: string | null;
  expiry: string | null;
  strike: string | null;
  option_right: 'call' | 'put' | null;
  multiplier: string;
  tick_size: string | null;
  lot_size: string | null;
  token: string | null;
  currency: string;
  updated_at: string;
}

interface RunDb {
  run_id: string;
  account_id: string;
  strategy_name: string;
  status: StrategyRunStatus;
  started_at: string;
  ended_at: string | null;
  session_metadata: string;
  updated_at: string;
}

interface OrderDb {
  client_order_id: string;
  account_id: string;
  broker_order_id: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  order_type: 'limit' | 'market';
  limit_price: string | null;
  status: OrderStatus;
  retry_count: number;
  strategy_run_id: string | null;
  position_id: string | null;
  re_entry_num: number | null;
  reason: string | null;
  filled_quantity: string;
  avg_fill_price: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  archived_at: string | null;
  archived_from: OrderStatus | null;
}

interface OrderEventDb {
  event_id: number;
  client_order_id: string;
  at: string;
  kind: OrderEventRow['kind'];
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  detail: string | null;
}

interface FillDb {
  seq: number;
  account_id: string;
  fill_id: string;
  client_order_id: string | null;
  broker_order_id: string | null;
  position_id: string;
  re_entry_num: number;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  fee: string;
  fee_currency: string;
  filled_at: string;
  recorded_at: string;
}

interface PositionDb {
  position_id: string;
  re_entry_num: number;
  account_id: string;
  symbol: string;
  side: 'long' | 'short';
  status: PositionState['status'];
  quantity_total: string;
  quantity_closed: string;
  quantity_open: string;
  avg_entry_price: string | null;
  avg_exit_price: string | null;
  realized_pnl: string;
  fees: string;
  opened_at: string;
  closed_at: string | null;
  strategy_run_id: string | null;
  mark_price: string | null;
  pnl_abs: string | null;
  pnl_pct: string | null;
  analytics_reason: string | null;
  analytics_at: string | null;
  updated_at: string;
}

interface CycleDb {
  cycle_id: number;
  account_id: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  outcome: MonitorCycleRow['outcome'];
  steps: string;
  errors: string;
}

interface EventDb {
  event_id: number;
  run_id: string;
  at: string;
  kind: string;
  execution_id: string | null;
  parent_execution_id: string | null;
  message: string | null;
  payload: string | null;
}

interface SampleDb {
  sample_id: number;
  scope: string;
  at: string;
  realized: string;
  unrealized: string | null;
  total: string | null;
  unknown_reason: string | null;
}

interface QuoteDb {
  quote_id: number;
  venue: VenueId;
  symbol: string;
  received_at: string;
  exchange_time: string | null;
  bid: string | null;
  ask: string | null;
  last: string | null;
  bid_size: string | null;
  ask_size: string | null;
}

const FILL_COLUMNS = `seq, account_id, fill_id, client_order_id, broker_order_id, position_id, re_entry_num, symbol, side,
  quantity, price, fee, fee_currency, filled_at, recorded_at`;

// ----------------------------------------------------------------------------------------- store

export class SqliteLedgerStore implements LedgerStore {
  private readonly batch: BatchWriter;
  private readonly sinks: { events: number; samples: number; quotes: number };
  private readonly st: ReturnType<typeof prepareStatements>;
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
    private readonly clock: Clock & Scheduler,
    private readonly logger: Logger,
    batchOptions: Partial<BatchWriterOptions>,
    onProblem?: (problem: string | null) => void,
  ) {
    this.st = prepareStatements(db);
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
    const hasQuotes = (db.pragma('user_version', { simple: true }) as number) >= 2;
    this.sinks = {
      events: this.batch.register(
        'strategy_events',
        `INSERT INTO strategy_events (run_id, at, at_ms, kind, execution_id, parent_execution_id, message, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      samples: this.batch.register(
        'pnl_samples',
        `INSERT INTO pnl_samples (scope, at, at_ms, realized, unrealized, total, unknown_reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      quotes: hasQuotes
        ? this.batch.register(
            'recorded_quotes',
            `INSERT INTO recorded_quotes (venue, symbol, received_at, received_at_ms, exchange_time, exchange_time_ms, bid, ask, last, bid_size, ask_size)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
        : -1,
    };
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---------------------------------------------------------------------------------- accounts

  upsertAccount(account: AccountConfig, at: EpochMs): AccountRow {
    const a = record('accounts', account);
    const id = text('accounts.account_id', a.accountId);
    const venue = oneOf('accounts.venue', a.venue, VENUES);
    const label = text('accounts.label', a.label);
    const mode = oneOf('accounts.mode', a.mode, ['paper', 'live'] as const);
    const iso = isoOf(epochMs('accounts.updated_at', at));
    return this.transaction(() => {
      this.st.upsertAccount().run({ id, venue, label, mode, iso });
      return this.getAccount(id)!;
    });
  }

  setKillSwitch(accountId: string, state: KillSwitchState, at: EpochMs): AccountRow {
    const s = oneOf('accounts.kill_switch', state, KILL_SWITCH);
    const iso = isoOf(epochMs('accounts.updated_at', at));
    return this.transaction(() => {
      const r = this.st.setKillSwitch().run(s, iso, accountId);
      if (r.changes === 0) throw notFound('account', accountId);
      return this.getAccount(accountId)!;
    });
  }

  getAccount(accountId: string): AccountRow | null {
    const r = this.st.getAccount().get(accountId) as AccountDb | undefined;
    return r ? toAccount(r) : null;
  }

  listAccounts(): AccountRow[] {
    return (this.st.listAccounts().all() as AccountDb[]).map(toAccount);
  }

  // ------------------------------------------------------------------------------- instruments

  upsertInstrument(instrument: InstrumentRow): void {
    const i = record('instruments', instrument);
    const expiry = i.expiry === null ? null : text('instruments.expiry', i.expiry, 10);
    if (expiry !== null && !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) {
      throw new LedgerError('invalid_value', `instruments.expiry: expected a date as YYYY-MM-DD, got ${show(expiry)}; nothing was written`);
    }
    const params = {
      venue: oneOf('instruments.venue', i.venue, VENUES),
      symbol: text('instruments.symbol', i.symbol),
      kind: oneOf('instruments.kind', i.kind, ['stock', 'option', 'future', 'perpetual', 'index', 'other'] as const),
      underlying: optText('instruments.underlying', i.underlying, 200),
      expiry,
      strike: optDecimal('instruments.strike', i.strike, 'nonNegative'),
      option_right: i.right === null ? null : oneOf('instruments.option_right', i.right, ['call', 'put'] as const),
      multiplier: decimal('instruments.multiplier', i.multiplier, 'positive'),
      tick_size: optDecimal('instruments.tick_size', i.tickSize, 'positive'),
      lot_size: optDecimal('instruments.lot_size', i.lotSize, 'positive'),
      token: optText('instruments.token', i.token, 200),
      currency: text('instruments.currency', i.currency, 16),
      updated_at: isoOf(epochMs('instruments.updated_at', i.updatedAt)),
    };
    this.transaction(() => this.st.upsertInstrument().run(params));
  }

  getInstrument(venue: VenueId, symbol: string): InstrumentRow | null {
    const r = this.st.getInstrument().get(venue, symbol) as InstrumentDb | undefined;
    return r ? toInstrument(r) : null;
  }

  // ------------------------------------------------------------------------------ strategy runs

  createStrategyRun(run: Omit<StrategyRunRow, 'updatedAt' | 'endedAt'>): StrategyRunRow {
    const r = record('strategy_runs', run);
    const runId = text('strategy_runs.run_id', r.runId);
    const accountId = text('strategy_runs.account_id', r.accountId);
    const name = text('strategy_runs.strategy_name', r.strategyName);
    const status = oneOf('strategy_runs.status', r.status, RUN_STATUSES);
    const startedMs = epochMs('strategy_runs.started_at', r.startedAt);
    const meta = jsonText('strategy_runs.session_metadata', r.sessionMetadata, sessionMetadataSchema);
    return this.transaction(() => {
      if (this.st.getRun().get(runId)) throw new LedgerError('duplicate', `strategy_runs.run_id ${show(runId)} already exists; nothing was written`);
      this.requireAccount('strategy_runs.account_id', accountId);
      const iso = isoOf(startedMs);
      this.st.insertRun().run(runId, accountId, name, status, iso, startedMs, meta, iso);
      return this.getStrategyRun(runId)!;
    });
  }

  updateStrategyRun(runId: string, update: StrategyRunUpdate): StrategyRunRow {
    const u = record('strategy_runs', update);
    const at = isoOf(epochMs('strategy_runs.updated_at', u.at));
    const status = u.status === undefined ? undefined : oneOf('strategy_runs.status', u.status, RUN_STATUSES);
    const endedAt = u.endedAt === undefined ? undefined : optIsoOf(optEpochMs('strategy_runs.ended_at', u.endedAt));
    const meta = u.sessionMetadata === undefined ? undefined : jsonText('strategy_runs.session_metadata', u.sessionMetadata, sessionMetadataSchema);
    return this.transaction(() => {
      const cur = this.st.getRun().get(runId) as RunDb | undefined;
      if (!cur) throw notFound('strategy run', runId);
      this.st.updateRun().run(status ?? cur.status, endedAt === undefined ? cur.ended_at : endedAt, meta ?? cur.session_metadata, at, runId);
      return this.getStrategyRun(runId)!;
    });
  }

  getStrategyRun(runId: string): StrategyRunRow | null {
    const r = this.st.getRun().get(runId) as RunDb | undefined;
    return r ? toRun(r) : null;
  }

  // ------------------------------------------------------------------------------------ orders

  insertOrder(order: NewOrder): OrderRow {
    const o = record('orders', order);
    const id = text('orders.client_order_id', o.clientOrderId);
    const orderType = oneOf('orders.order_type', o.orderType, ['limit', 'market'] as const);
    const limitPrice = optDecimal('orders.limit_price', o.limitPrice, 'positive');
    if ((orderType === 'limit') !== (limitPrice !== null)) {
      throw new LedgerError(
        'invalid_value',
        `orders.limit_price: a ${orderType} order ${orderType === 'limit' ? 'needs' : 'takes no'} limit price, got ${show(limitPrice)}; nothing was written`,
      );
    }
    const createdMs = epochMs('orders.created_at', o.createdAt);
    const p = {
      id,
      account_id: text('orders.account_id', o.accountId),
      symbol: text('orders.symbol', o.symbol),
      side: oneOf('orders.side', o.side, SIDES),
      quantity: decimal('orders.quantity', o.quantity, 'positive'),
      order_type: orderType,
      limit_price: limitPrice,
      retry_count: int('orders.retry_count', o.retryCount),
      strategy_run_id: optText('orders.strategy_run_id', o.strategyRunId, 200),
      position_id: optText('orders.position_id', o.positionId, 200),
      re_entry_num: optInt('orders.re_entry_num', o.reEntryNum),
      reason: optText('orders.reason', o.reason),
      created_at: isoOf(createdMs),
      created_at_ms: createdMs,
    };
    return this.transaction(() => {
      const existing = this.st.getOrder().get(id) as OrderDb | undefined;
      if (existing) {
        throw new LedgerError('duplicate', `orders.client_order_id ${show(id)} already exists (status ${existing.status}): a client order id is used once; nothing was written`);
      }
      this.requireAccount('orders.account_id', p.account_id);
      if (p.strategy_run_id !== null && !this.st.getRun().get(p.strategy_run_id)) {
        throw new LedgerError('not_found', `orders.strategy_run_id: no strategy run ${show(p.strategy_run_id)}; nothing was written`);
      }
      this.st.insertOrder().run(p);
      this.st.insertOrderEvent().run(id, p.created_at, createdMs, 'created', null, 'pending_submit', p.reason, null);
      return this.getOrder(id)!;
    });
  }

  transitionOrder(clientOrderId: string, to: OrderStatus, change: OrderTransition): OrderRow {
    const target = oneOf('orders.status', to, ORDER_STATUSES);
    const c = record('order transition', change);
    const atMs = epochMs('order_events.at', c.at);
    if (target === 'archived') return this.archiveOrder(clientOrderId, atMs, optText('order_events.reason', c.reason));
    const reason = optText('order_events.reason', c.reason);
    const brokerId = c.brokerOrderId === undefined ? undefined : text('orders.broker_order_id', c.brokerOrderId);
    const filledQty = c.filledQuantity === undefined ? undefined : decimal('orders.filled_quantity', c.filledQuantity, 'nonNegative');
    const avgPrice = c.avgFillPrice === undefined ? undefined : decimal('orders.avg_fill_price', c.avgFillPrice, 'nonNegative');
    if (c.detail !== undefined) freeJsonText('order_events.detail', c.detail, true);
    const detailIn = (c.detail ?? {}) as JsonObject;
    const detail: JsonObject = {
      ...detailIn,
      ...(brokerId !== undefined ? { broker_order_id: brokerId } : {}),
      ...(filledQty !== undefined ? { filled_quantity: filledQty } : {}),
      ...(avgPrice !== undefined ? { avg_fill_price: avgPrice } : {}),
    };
    return this.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!isLegalTransition(cur.status, target)) throw illegal(clientOrderId, cur.status, target);
      if (brokerId !== undefined && cur.broker_order_id !== null && cur.broker_order_id !== brokerId) {
        throw new LedgerError(
          'conflict',
          `order ${show(clientOrderId)} already has broker id ${show(cur.broker_order_id)}; refusing to replace it with ${show(brokerId)}`,
        );
      }
      if (brokerId !== undefined && cur.broker_order_id === null) {
        const other = this.st.getOrderByBroker().get(cur.account_id, brokerId) as OrderDb | undefined;
        if (other) throw new LedgerError('conflict', `broker order id ${show(brokerId)} already belongs to order ${show(other.client_order_id)}`);
      }
      const iso = isoOf(atMs);
      // Sent means the broker has it: pending_submit → rejected/cancelled/unknown were never (known to be) sent.
      const sent = cur.status === 'pending_submit' && (target === 'submitted' || target === 'accepted');
      const submittedAt = cur.submitted_at ?? (sent ? iso : null);
      this.st.updateOrderStatus().run({
        id: clientOrderId,
        status: target,
        broker_order_id: brokerId ?? cur.broker_order_id,
        filled_quantity: filledQty ?? cur.filled_quantity,
        avg_fill_price: avgPrice ?? cur.avg_fill_price,
        updated_at: iso,
        submitted_at: submittedAt,
      });
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'status', cur.status, target, reason, Object.keys(detail).length ? JSON.stringify(detail) : null);
      return this.getOrder(clientOrderId)!;
    });
  }

  modifyOrder(clientOrderId: string, change: OrderModification): OrderRow {
    const c = record('order modification', change);
    const atMs = epochMs('order_events.at', c.at);
    const limitPrice = c.limitPrice === undefined ? undefined : decimal('orders.limit_price', c.limitPrice, 'positive');
    const quantity = c.quantity === undefined ? undefined : decimal('orders.quantity', c.quantity, 'positive');
    const reason = optText('order_events.reason', c.reason);
    if (limitPrice === undefined && quantity === undefined) {
      throw new LedgerError('invalid_value', `order ${show(clientOrderId)}: a modification changes the limit price or the quantity; nothing was written`);
    }
    return this.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!MODIFIABLE.includes(cur.status)) {
        throw new LedgerError('illegal_transition', `order ${show(clientOrderId)} is ${cur.status} and cannot be modified (only ${MODIFIABLE.join(', ')} can)`);
      }
      if (limitPrice !== undefined && cur.order_type === 'market') {
        throw new LedgerError('invalid_value', `order ${show(clientOrderId)} is a market order: it takes no limit price; nothing was written`);
      }
      const iso = isoOf(atMs);
      const next = { limit_price: limitPrice ?? cur.limit_price, quantity: quantity ?? cur.quantity };
      this.st.modifyOrder().run(next.limit_price, next.quantity, iso, clientOrderId);
      const detail = { from: { limit_price: cur.limit_price, quantity: cur.quantity }, to: next };
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'modified', cur.status, cur.status, reason, JSON.stringify(detail));
      return this.getOrder(clientOrderId)!;
    });
  }

  archiveOrder(clientOrderId: string, at: EpochMs, reason: string | null): OrderRow {
    const atMs = epochMs('orders.archived_at', at);
    const why = optText('order_events.reason', reason);
    return this.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!isLegalTransition(cur.status, 'archived')) throw illegal(clientOrderId, cur.status, 'archived');
      const iso = isoOf(atMs);
      this.st.archiveOrder().run(iso, cur.status, iso, clientOrderId);
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'status', cur.status, 'archived', why, null);
      return this.getOrder(clientOrderId)!;
    });
  }

  getOrder(clientOrderId: string): OrderRow | null {
    const r = this.st.getOrder().get(clientOrderId) as OrderDb | undefined;
    return r ? toOrder(r) : null;
  }

  getOrderByBrokerId(accountId: string, brokerOrderId: string): OrderRow | null {
    const r = this.st.getOrderByBroker().get(accountId, brokerOrderId) as OrderDb | undefined;
    return r ? toOrder(r) : null;
  }

  ordersByStatus(statuses: readonly OrderStatus[], opts: { accountId?: string; limit?: number } = {}): OrderRow[] {
    const list = statuses.map((s) => oneOf('orders.status', s, ORDER_STATUSES));
    const rows = this.st.ordersByStatus().all({ statuses: JSON.stringify(list), account: opts.accountId ?? null, limit: opts.limit ?? -1 }) as OrderDb[];
    return rows.map(toOrder);
  }

  orderEvents(clientOrderId: string): OrderEventRow[] {
    return (this.st.orderEvents().all(clientOrderId) as OrderEventDb[]).map((r) => ({
      eventId: r.event_id,
      clientOrderId: r.client_order_id,
      at: msOf(r.at),
      kind: r.kind,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      reason: r.reason,
      detail: readOptJson(`order_events.detail (event ${r.event_id})`, r.detail, jsonObjectSchema),
    }));
  }

  // ------------------------------------------------------------------------------------- fills

  recordFill(fill: FillRow): boolean {
    return this.recordFills([fill]) === 1;
  }

  recordFills(fills: readonly FillRow[]): number {
    const rows = fills.map((f, i) => fillParams(f, fills.length > 1 ? `fills[${i}]` : 'fills'));
    const recordedAt = isoOf(this.clock.now());
    return this.transaction(() => {
      let inserted = 0;
      for (const p of rows) {
        const existing = this.st.getFill().get(p.account_id, p.fill_id) as FillDb | undefined;
        if (existing) {
          assertSameFill(existing, p);
          continue;
        }
        this.requireAccount('fills.account_id', p.account_id);
        if (p.client_order_id !== null && !this.st.getOrder().get(p.client_order_id)) {
          throw new LedgerError('not_found', `fills.client_order_id: fill ${show(p.fill_id)} references unknown order ${show(p.client_order_id)}; nothing was written`);
        }
        this.st.insertFill().run({ ...p, recorded_at: recordedAt });
        inserted++;
      }
      return inserted;
    });
  }

  fillsForDay(day: TimeRange, opts: { accountId?: string } = {}): StoredFillRow[] {
    const { from, to } = range('fills.filled_at', day);
    return (this.st.fillsInRange().all({ from, to, account: opts.accountId ?? null }) as FillDb[]).map(toFill);
  }

  fillsForRebuild(opts: { accountId?: string } = {}): StoredFillRow[] {
    return (this.st.fillsAll().all({ account: opts.accountId ?? null }) as FillDb[]).map(toFill);
  }

  // --------------------------------------------------------------------------------- positions

  upsertPositions(positions: readonly PositionState[], at: EpochMs): void {
    const iso = isoOf(epochMs('positions.updated_at', at));
    const rows = positions.map((p, i) => positionParams(p, positions.length > 1 ? `positions[${i}]` : 'positions'));
    this.transaction(() => {
      for (const p of rows) {
        this.requireAccount('positions.account_id', p.account_id);
        this.st.upsertPosition().run({ ...p, updated_at: iso });
      }
    });
  }

  updatePositionAnalytics(key: PositionKey, analytics: PositionAnalytics): PositionRow {
    const a = record('positions analytics', analytics);
    const mark = optDecimal('positions.mark_price', a.markPrice, 'nonNegative');
    const pnlAbs = optDecimal('positions.pnl_abs', a.pnlAbs);
    const pnlPct = optDecimal('positions.pnl_pct', a.pnlPct);
    const reason = optText('positions.analytics_reason', a.reason);
    const iso = isoOf(epochMs('positions.analytics_at', a.at));
    if ((mark === null || pnlAbs === null || pnlPct === null) && reason === null) {
      throw new LedgerError('invalid_value', 'positions.analytics_reason: an unknown (null) mark or P&L needs a reason; nothing was written');
    }
    return this.transaction(() => {
      const r = this.st.updateAnalytics().run(mark, pnlAbs, pnlPct, reason, iso, iso, key.positionId, key.reEntryNum);
      if (r.changes === 0) throw notFound('position', `${key.positionId}#${key.reEntryNum}`);
      return this.getPosition(key)!;
    });
  }

  getPosition(key: PositionKey): PositionRow | null {
    const r = this.st.getPosition().get(key.positionId, key.reEntryNum) as PositionDb | undefined;
    return r ? toPosition(r) : null;
  }

  listPositions(opts: { accountId?: string } = {}): PositionRow[] {
    return (this.st.listPositions().all({ account: opts.accountId ?? null }) as PositionDb[]).map(toPosition);
  }

  openPositions(opts: { accountId?: string } = {}): PositionRow[] {
    return (this.st.openPositions().all({ account: opts.accountId ?? null }) as PositionDb[]).map(toPosition);
  }

  // --------------------------------------------------------------------------- monitor cycles

  recordMonitorCycle(cycle: MonitorCycleInput): MonitorCycleRow {
    const c = record('monitor_cycles', cycle);
    const accountId = text('monitor_cycles.account_id', c.accountId);
    const startedMs = epochMs('monitor_cycles.started_at', c.startedAt);
    const finishedMs = epochMs('monitor_cycles.finished_at', c.finishedAt);
    if (finishedMs < startedMs) {
      throw new LedgerError('invalid_value', `monitor_cycles.finished_at: ${isoOf(finishedMs)} is before started_at ${isoOf(startedMs)}; nothing was written`);
    }
    const outcome = oneOf('monitor_cycles.outcome', c.outcome, ['ok', 'errors', 'stopped'] as const);
    if (!Array.isArray(c.steps)) throw new LedgerError('invalid_value', `monitor_cycles.steps: expected an array of step results, got ${show(c.steps)}; nothing was written`);
    const steps = jsonText('monitor_cycles.steps', c.steps.map(stepToStored), storedStepsSchema);
    const errors = jsonText('monitor_cycles.errors', c.errors, stringArraySchema);
    return this.transaction(() => {
      this.requireAccount('monitor_cycles.account_id', accountId);
      const errorCount = (c.errors as string[]).length;
      const r = this.st.insertCycle().run(accountId, isoOf(startedMs), startedMs, isoOf(finishedMs), finishedMs - startedMs, outcome, errorCount, steps, errors);
      return toCycle(this.st.getCycle().get(r.lastInsertRowid) as CycleDb);
    });
  }

  lastMonitorCycles(n: number, opts: { accountId?: string } = {}): MonitorCycleRow[] {
    const limit = int('lastMonitorCycles n', n);
    return (this.st.lastCycles().all({ account: opts.accountId ?? null, limit }) as CycleDb[]).map(toCycle);
  }

  // ---------------------------------------------------------------------------------- settings

  getSetting(key: string): JsonValue | null {
    const r = this.st.getSetting().get(key) as { value: string } | undefined;
    return r ? readJson(`settings.value (key ${key})`, r.value) : null;
  }

  setSetting(key: string, value: JsonValue, at: EpochMs): void {
    const k = text('settings.key', key);
    const v = freeJsonText(`settings.value (key ${k})`, value, false);
    const iso = isoOf(epochMs('settings.updated_at', at));
    this.transaction(() => this.st.setSetting().run(k, v, iso));
  }

  listSettings(): { key: string; value: JsonValue; updatedAt: EpochMs }[] {
    return (this.st.listSettings().all() as { key: string; value: string; updated_at: string }[]).map((r) => ({
      key: r.key,
      value: readJson(`settings.value (key ${r.key})`, r.value),
      updatedAt: msOf(r.updated_at),
    }));
  }

  // --------------------------------------------------------------------------- batched tables

  appendStrategyEvent(event: StrategyEventInput): void {
    const e = record('strategy_events', event);
    const atMs = epochMs('strategy_events.at', e.at);
    this.batch.append(this.sinks.events, [
      text('strategy_events.run_id', e.runId),
      isoOf(atMs),
      atMs,
      text('strategy_events.kind', e.kind),
      optText('strategy_events.execution_id', e.executionId, 200),
      optText('strategy_events.parent_execution_id', e.parentExecutionId, 200),
      optText('strategy_events.message', e.message, 4000),
      e.payload === null ? null : freeJsonText('strategy_events.payload', e.payload, true),
    ]);
  }

  appendPnlSample(sample: PnlSampleInput): void {
    const s = record('pnl_samples', sample);
    const atMs = epochMs('pnl_samples.at', s.at);
    const unrealized = optDecimal('pnl_samples.unrealized', s.unrealized);
    const total = optDecimal('pnl_samples.total', s.total);
    const reason = optText('pnl_samples.unknown_reason', s.unknownReason);
    if ((unrealized === null || total === null) && reason === null) {
      throw new LedgerError('invalid_value', 'pnl_samples.unknown_reason: an unknown (null) unrealized or total P&L needs a reason; nothing was written');
    }
    this.batch.append(this.sinks.samples, [text('pnl_samples.scope', s.scope), isoOf(atMs), atMs, decimal('pnl_samples.realized', s.realized), unrealized, total, reason]);
  }

  appendRecordedQuote(quote: RecordedQuoteInput): void {
    const q = record('recorded_quotes', quote);
    if (this.sinks.quotes < 0) throw new LedgerError('invalid_value', 'recorded_quotes: this ledger was opened with a schema that has no recorded quotes');
    const receivedMs = epochMs('recorded_quotes.received_at', q.receivedAt);
    const exchangeMs = optEpochMs('recorded_quotes.exchange_time', q.exchangeTime);
    this.batch.append(this.sinks.quotes, [
      oneOf('recorded_quotes.venue', q.venue, VENUES),
      text('recorded_quotes.symbol', q.symbol),
      isoOf(receivedMs),
      receivedMs,
      optIsoOf(exchangeMs),
      exchangeMs,
      optDecimal('recorded_quotes.bid', q.bid),
      optDecimal('recorded_quotes.ask', q.ask),
      optDecimal('recorded_quotes.last', q.last),
      optDecimal('recorded_quotes.bid_size', q.bidSize, 'nonNegative'),
      optDecimal('recorded_quotes.ask_size', q.askSize, 'nonNegative'),
    ]);
  }

  strategyEventsForRun(runId: string, opts: { afterEventId?: number; limit?: number } = {}): StrategyEventRow[] {
    const rows = this.st.eventsForRun().all(runId, opts.afterEventId ?? 0, opts.limit ?? -1) as EventDb[];
    return rows.map((r) => ({
      eventId: r.event_id,
      runId: r.run_id,
      at: msOf(r.at),
      kind: r.kind,
      executionId: r.execution_id,
      parentExecutionId: r.parent_execution_id,
      message: r.message,
      payload: readOptJson(`strategy_events.payload (event ${r.event_id})`, r.payload, jsonObjectSchema),
    }));
  }

  pnlCurve(scope: string, day: TimeRange): PnlSampleRow[] {
    const { from, to } = range('pnl_samples.at', day);
    return (this.st.pnlCurve().all(scope, from, to) as SampleDb[]).map((r) => ({
      sampleId: r.sample_id,
      scope: r.scope,
      at: msOf(r.at),
      realized: r.realized,
      unrealized: r.unrealized,
      total: r.total,
      unknownReason: r.unknown_reason,
    }));
  }

  recordedQuotes(window: TimeRange, opts: { afterQuoteId?: number; limit?: number } = {}): RecordedQuoteRow[] {
    const { from, to } = range('recorded_quotes.received_at', window);
    const rows = this.st.recordedQuotes().all(from, to, opts.afterQuoteId ?? 0, opts.limit ?? 10_000) as QuoteDb[];
    return rows.map((r) => ({
      quoteId: r.quote_id,
      venue: r.venue,
      symbol: r.symbol,
      receivedAt: msOf(r.received_at),
      exchangeTime: optMsOf(r.exchange_time),
      bid: r.bid,
      ask: r.ask,
      last: r.last,
      bidSize: r.bid_size,
      askSize: r.ask_size,
    }));
  }

  batchStats(): BatchStats {
    return this.batch.stats();
  }

  // -------------------------------------------------------------------------------- lifecycle

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

  // ----------------------------------------------------------------------------------- helpers

  private requireAccount(where: string, accountId: string): void {
    if (!this.st.getAccount().get(accountId)) throw new LedgerError('not_found', `${where}: no account ${show(accountId)}; nothing was written`);
  }

  private requireOrder(clientOrderId: string): OrderDb {
    const cur = this.st.getOrder().get(clientOrderId) as OrderDb | undefined;
    if (!cur) throw notFound('order', clientOrderId);
    return cur;
  }
}

// ------------------------------------------------------------------------------ statements

/**
 * Statements are prepared on first use and then reused: preparing them all at open would fail on a
 * ledger opened with an older schema (tests and tools pass `migrations`).
 */
function prepareStatements(db: Database.Database) {
  const lazy = (sql: string) => {
    let stmt: Database.Statement | null = null;
    return () => (stmt ??= db.prepare(sql));
  };
  return {
    upsertAccount: lazy(
      `INSERT INTO accounts (account_id, venue, label, mode, kill_switch, created_at, updated_at) VALUES (@id, @venue, @label, @mode, 'active', @iso, @iso)
       ON CONFLICT (account_id) DO UPDATE SET venue = excluded.venue, label = excluded.label, mode = excluded.mode, updated_at = excluded.updated_at`,
    ),
    setKillSwitch: lazy('UPDATE accounts SET kill_switch = ?, updated_at = ? WHERE account_id = ?'),
    getAccount: lazy('SELECT * FROM accounts WHERE account_id = ?'),
    listAccounts: lazy('SELECT * FROM accounts ORDER BY account_id'),
    upsertInstrument: lazy(
      `INSERT INTO instruments (venue, symbol, kind, underlying, expiry, strike, option_right, multiplier, tick_size, lot_size, token, currency, updated_at)
       VALUES (@venue, @symbol, @kind, @underlying, @expiry, @strike, @option_right, @multiplier, @tick_size, @lot_size, @token, @currency, @updated_at)
       ON CONFLICT (venue, symbol) DO UPDATE SET kind = excluded.kind, underlying = excluded.underlying, expiry = excluded.expiry, strike = excluded.strike,
         option_right = excluded.option_right, multiplier = excluded.multiplier, tick_size = excluded.tick_size, lot_size = excluded.lot_size,
         token = excluded.token, currency = excluded.currency, updated_at = excluded.updated_at`,
    ),
    getInstrument: lazy('SELECT * FROM instruments WHERE venue = ? AND symbol = ?'),
    insertRun: lazy(
      `INSERT INTO strategy_runs (run_id, account_id, strategy_name, status, started_at, started_at_ms, session_metadata, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateRun: lazy('UPDATE strategy_runs SET status = ?, ended_at = ?, session_metadata = ?, updated_at = ? WHERE run_id = ?'),
    getRun: lazy('SELECT * FROM strategy_runs WHERE run_id = ?'),
    insertOrder: lazy(
      `INSERT INTO orders (client_order_id, account_id, symbol, side, quantity, order_type, limit_price, status, retry_count, strategy_run_id, position_id,
         re_entry_num, reason, filled_quantity, created_at, created_at_ms, updated_at)
       VALUES (@id, @account_id, @symbol, @side, @quantity, @order_type, @limit_price, 'pending_submit', @retry_count, @strategy_run_id, @position_id,
         @re_entry_num, @reason, '0', @created_at, @created_at_ms, @created_at)`,
    ),
    updateOrderStatus: lazy(
      `UPDATE orders SET status = @status, broker_order_id = @broker_order_id, filled_quantity = @filled_quantity, avg_fill_price = @avg_fill_price,
         updated_at = @updated_at, submitted_at = @submitted_at WHERE client_order_id = @id`,
    ),
    modifyOrder: lazy('UPDATE orders SET limit_price = ?, quantity = ?, updated_at = ? WHERE client_order_id = ?'),
    archiveOrder: lazy(`UPDATE orders SET status = 'archived', archived_at = ?, archived_from = ?, updated_at = ? WHERE client_order_id = ?`),
    getOrder: lazy('SELECT * FROM orders WHERE client_order_id = ?'),
    getOrderByBroker: lazy('SELECT * FROM orders WHERE account_id = ? AND broker_order_id = ?'),
    ordersByStatus: lazy(
      `SELECT * FROM orders WHERE status IN (SELECT value FROM json_each(@statuses)) AND (@account IS NULL OR account_id = @account)
       ORDER BY created_at_ms, client_order_id LIMIT @limit`,
    ),
    insertOrderEvent: lazy(
      'INSERT INTO order_events (client_order_id, at, at_ms, kind, from_status, to_status, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    orderEvents: lazy('SELECT * FROM order_events WHERE client_order_id = ? ORDER BY event_id'),
    getFill: lazy(`SELECT ${FILL_COLUMNS} FROM fills WHERE account_id = ? AND fill_id = ?`),
    insertFill: lazy(
      `INSERT INTO fills (account_id, fill_id, client_order_id, broker_order_id, position_id, re_entry_num, symbol, side, quantity, price, fee, fee_currency,
         filled_at, filled_at_ms, recorded_at)
       VALUES (@account_id, @fill_id, @client_order_id, @broker_order_id, @position_id, @re_entry_num, @symbol, @side, @quantity, @price, @fee, @fee_currency,
         @filled_at, @filled_at_ms, @recorded_at)`,
    ),
    fillsInRange: lazy(
      `SELECT ${FILL_COLUMNS} FROM fills WHERE filled_at_ms >= @from AND filled_at_ms < @to AND (@account IS NULL OR account_id = @account) ORDER BY filled_at_ms, seq`,
    ),
    fillsAll: lazy(`SELECT ${FILL_COLUMNS} FROM fills WHERE (@account IS NULL OR account_id = @account) ORDER BY filled_at_ms, seq`),
    upsertPosition: lazy(
      `INSERT INTO positions (position_id, re_entry_num, account_id, symbol, side, status, quantity_total, quantity_closed, quantity_open, avg_entry_price,
         avg_exit_price, realized_pnl, fees, opened_at, opened_at_ms, closed_at, strategy_run_id, updated_at)
       VALUES (@position_id, @re_entry_num, @account_id, @symbol, @side, @status, @quantity_total, @quantity_closed, @quantity_open, @avg_entry_price,
         @avg_exit_price, @realized_pnl, @fees, @opened_at, @opened_at_ms, @closed_at, @strategy_run_id, @updated_at)
       ON CONFLICT (position_id, re_entry_num) DO UPDATE SET account_id = excluded.account_id, symbol = excluded.symbol, side = excluded.side,
         status = excluded.status, quantity_total = excluded.quantity_total, quantity_closed = excluded.quantity_closed,
         quantity_open = excluded.quantity_open, avg_entry_price = excluded.avg_entry_price, avg_exit_price = excluded.avg_exit_price,
         realized_pnl = excluded.realized_pnl, fees = excluded.fees, opened_at = excluded.opened_at, opened_at_ms = excluded.opened_at_ms,
         closed_at = excluded.closed_at, strategy_run_id = excluded.strategy_run_id, updated_at = excluded.updated_at`,
    ),
    updateAnalytics: lazy(
      `UPDATE positions SET mark_price = ?, pnl_abs = ?, pnl_pct = ?, analytics_reason = ?, analytics_at = ?, updated_at = ?
       WHERE position_id = ? AND re_entry_num = ?`,
    ),
    getPosition: lazy('SELECT * FROM positions WHERE position_id = ? AND re_entry_num = ?'),
    listPositions: lazy('SELECT * FROM positions WHERE (@account IS NULL OR account_id = @account) ORDER BY opened_at_ms, position_id, re_entry_num'),
    openPositions: lazy(
      `SELECT * FROM positions WHERE status IN ('OPEN', 'PARTIAL') AND (@account IS NULL OR account_id = @account) ORDER BY opened_at_ms, position_id, re_entry_num`,
    ),
    insertCycle: lazy(
      `INSERT INTO monitor_cycles (account_id, started_at, started_at_ms, finished_at, duration_ms, outcome, error_count, steps, errors)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getCycle: lazy('SELECT * FROM monitor_cycles WHERE cycle_id = ?'),
    lastCycles: lazy(
      'SELECT * FROM monitor_cycles WHERE (@account IS NULL OR account_id = @account) ORDER BY started_at_ms DESC, cycle_id DESC LIMIT @limit',
    ),
    getSetting: lazy('SELECT value FROM settings WHERE key = ?'),
    setSetting: lazy(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ),
    listSettings: lazy('SELECT * FROM settings ORDER BY key'),
    eventsForRun: lazy('SELECT * FROM strategy_events WHERE run_id = ? AND event_id > ? ORDER BY event_id LIMIT ?'),
    pnlCurve: lazy('SELECT * FROM pnl_samples WHERE scope = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, sample_id'),
    recordedQuotes: lazy('SELECT * FROM recorded_quotes WHERE received_at_ms >= ? AND received_at_ms < ? AND quote_id > ? ORDER BY quote_id LIMIT ?'),
  };
}

// ------------------------------------------------------------------------------ validation

type FillParams = ReturnType<typeof fillParams>;

function fillParams(fill: FillRow, where: string) {
  const f = record(where, fill);
  const filledMs = epochMs(`${where}.filled_at`, f.filledAt);
  return {
    account_id: text(`${where}.account_id`, f.accountId),
    fill_id: text(`${where}.fill_id`, f.fillId),
    client_order_id: optText(`${where}.client_order_id`, f.clientOrderId, 200),
    broker_order_id: optText(`${where}.broker_order_id`, f.brokerOrderId, 200),
    position_id: text(`${where}.position_id`, f.positionId),
    re_entry_num: int(`${where}.re_entry_num`, f.reEntryNum),
    symbol: text(`${where}.symbol`, f.symbol),
    side: oneOf(`${where}.side`, f.side, SIDES),
    quantity: decimal(`${where}.quantity`, f.quantity, 'positive'),
    price: decimal(`${where}.price`, f.price),
    fee: decimal(`${where}.fee`, f.fee),
    fee_currency: text(`${where}.fee_currency`, f.feeCurrency, 16),
    filled_at: isoOf(filledMs),
    filled_at_ms: filledMs,
  };
}

/** A replayed fill must be the same execution; a different one under the same id is refused. */
function assertSameFill(stored: FillDb, p: FillParams): void {
  const pairs: [string, string | number | null, string | number | null, boolean][] = [
    ['client_order_id', stored.client_order_id, p.client_order_id, false],
    ['broker_order_id', stored.broker_order_id, p.broker_order_id, false],
    ['position_id', stored.position_id, p.position_id, false],
    ['re_entry_num', stored.re_entry_num, p.re_entry_num, false],
    ['symbol', stored.symbol, p.symbol, false],
    ['side', stored.side, p.side, false],
    ['quantity', stored.quantity, p.quantity, true],
    ['price', stored.price, p.price, true],
    ['fee', stored.fee, p.fee, true],
    ['fee_currency', stored.fee_currency, p.fee_currency, false],
    ['filled_at', stored.filled_at, p.filled_at, false],
  ];
  for (const [col, a, b, isDecimal] of pairs) {
    const same = isDecimal ? canonicalDecimal(a as string) === canonicalDecimal(b as string) : a === b;
    if (!same) {
      throw new LedgerError(
        'conflict',
        `fills: fill ${show(p.fill_id)} of account ${show(p.account_id)} is already stored with ${col} ${show(a)}; this report says ${show(b)}. ` +
          'A fill is never overwritten; nothing was written',
      );
    }
  }
}

function positionParams(position: PositionState, where: string) {
  const p = record(where, position);
  const openedMs = epochMs(`${where}.opened_at`, p.openedAt);
  return {
    position_id: text(`${where}.position_id`, p.positionId),
    re_entry_num: int(`${where}.re_entry_num`, p.reEntryNum),
    account_id: text(`${where}.account_id`, p.accountId),
    symbol: text(`${where}.symbol`, p.symbol),
    side: oneOf(`${where}.side`, p.side, ['long', 'short'] as const),
    status: oneOf(`${where}.status`, p.status, ['OPEN', 'PARTIAL', 'CLOSED'] as const),
    quantity_total: decimal(`${where}.quantity_total`, p.quantityTotal, 'nonNegative'),
    quantity_closed: decimal(`${where}.quantity_closed`, p.quantityClosed, 'nonNegative'),
    quantity_open: decimal(`${where}.quantity_open`, p.quantityOpen, 'nonNegative'),
    avg_entry_price: optDecimal(`${where}.avg_entry_price`, p.avgEntryPrice),
    avg_exit_price: optDecimal(`${where}.avg_exit_price`, p.avgExitPrice),
    realized_pnl: decimal(`${where}.realized_pnl`, p.realizedPnl),
    fees: decimal(`${where}.fees`, p.fees),
    opened_at: isoOf(openedMs),
    opened_at_ms: openedMs,
    closed_at: optIsoOf(optEpochMs(`${where}.closed_at`, p.closedAt)),
    strategy_run_id: optText(`${where}.strategy_run_id`, p.strategyRunId, 200),
  };
}

function stepToStored(step: unknown, i: number): JsonObject {
  const s = record(`monitor_cycles.steps[${i}]`, step);
  return {
    step: s.step as number,
    name: s.name as string,
    status: s.status as string,
    started_at: isoOf(epochMs(`monitor_cycles.steps[${i}].started_at`, s.startedAt)),
    duration_ms: s.durationMs as number,
    errors: s.errors as string[],
    detail: (s.detail ?? null) as JsonObject | null,
  };
}

function range(where: string, r: TimeRange): { from: number; to: number } {
  const from = epochMs(`${where} range.fromMs`, r.fromMs);
  const to = epochMs(`${where} range.toMs`, r.toMs);
  if (to < from) throw new LedgerError('invalid_value', `${where}: range ends (${isoOf(to)}) before it starts (${isoOf(from)})`);
  return { from, to };
}

function notFound(what: string, id: string): LedgerError {
  return new LedgerError('not_found', `no ${what} ${show(id)}`);
}

function illegal(id: string, from: OrderStatus, to: OrderStatus): LedgerError {
  const allowed = legalNextStatuses(from);
  return new LedgerError(
    'illegal_transition',
    `order ${show(id)} cannot go from ${from} to ${to} (from ${from} it can go to ${allowed.length ? allowed.join(', ') : 'nothing: it is final'})`,
  );
}

// ---------------------------------------------------------------------------------- mapping

function toAccount(r: AccountDb): AccountRow {
  return { accountId: r.account_id, venue: r.venue, label: r.label, mode: r.mode, killSwitch: r.kill_switch, createdAt: msOf(r.created_at), updatedAt: msOf(r.updated_at) };
}

function toInstrument(r: InstrumentDb): InstrumentRow {
  return {
    venue: r.venue,
    symbol: r.symbol,
    kind: r.kind,
    underlying: r.underlying,
    expiry: r.expiry,
    strike: r.strike,
    right: r.option_right,
    multiplier: r.multiplier,
    tickSize: r.tick_size,
    lotSize: r.lot_size,
    token: r.token,
    currency: r.currency,
    updatedAt: msOf(r.updated_at),
  };
}

function toRun(r: RunDb): StrategyRunRow {
  return {
    runId: r.run_id,
    accountId: r.account_id,
    strategyName: r.strategy_name,
    status: r.status,
    startedAt: msOf(r.started_at),
    endedAt: optMsOf(r.ended_at),
    sessionMetadata: readJson(`strategy_runs.session_metadata (run ${r.run_id})`, r.session_metadata, sessionMetadataSchema) as SessionMetadata,
    updatedAt: msOf(r.updated_at),
  };
}

function toOrder(r: OrderDb): OrderRow {
  return {
    clientOrderId: r.client_order_id,
    accountId: r.account_id,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    orderType: r.order_type,
    limitPrice: r.limit_price,
    retryCount: r.retry_count,
    strategyRunId: r.strategy_run_id,
    positionId: r.position_id,
    reEntryNum: r.re_entry_num,
    reason: r.reason,
    createdAt: msOf(r.created_at),
    status: r.status,
    brokerOrderId: r.broker_order_id,
    filledQuantity: r.filled_quantity,
    avgFillPrice: r.avg_fill_price,
    updatedAt: msOf(r.updated_at),
    submittedAt: optMsOf(r.submitted_at),
    archivedAt: optMsOf(r.archived_at),
    archivedFrom: r.archived_from,
  };
}

function toFill(r: FillDb): StoredFillRow {
  return {
    seq: r.seq,
    accountId: r.account_id,
    fillId: r.fill_id,
    clientOrderId: r.client_order_id,
    brokerOrderId: r.broker_order_id,
    positionId: r.position_id,
    reEntryNum: r.re_entry_num,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    price: r.price,
    fee: r.fee,
    feeCurrency: r.fee_currency,
    filledAt: msOf(r.filled_at),
    recordedAt: msOf(r.recorded_at),
  };
}

function toPosition(r: PositionDb): PositionRow {
  return {
    positionId: r.position_id,
    reEntryNum: r.re_entry_num,
    accountId: r.account_id,
    symbol: r.symbol,
    side: r.side,
    status: r.status,
    quantityTotal: r.quantity_total,
    quantityClosed: r.quantity_closed,
    quantityOpen: r.quantity_open,
    avgEntryPrice: r.avg_entry_price,
    avgExitPrice: r.avg_exit_price,
    realizedPnl: r.realized_pnl,
    fees: r.fees,
    openedAt: msOf(r.opened_at),
    closedAt: optMsOf(r.closed_at),
    strategyRunId: r.strategy_run_id,
    analytics:
      r.analytics_at === null
        ? null
        : { markPrice: r.mark_price, pnlAbs: r.pnl_abs, pnlPct: r.pnl_pct, reason: r.analytics_reason, at: msOf(r.analytics_at) },
    updatedAt: msOf(r.updated_at),
  };
}

function toCycle(r: CycleDb): MonitorCycleRow {
  const steps = readJson(`monitor_cycles.steps (cycle ${r.cycle_id})`, r.steps, storedStepsSchema);
  return {
    cycleId: r.cycle_id,
    accountId: r.account_id,
    startedAt: msOf(r.started_at),
    finishedAt: msOf(r.finished_at),
    durationMs: r.duration_ms,
    outcome: r.outcome,
    steps: steps.map((s) => ({
      step: s.step,
      name: s.name,
      status: s.status,
      startedAt: msOf(s.started_at),
      durationMs: s.duration_ms,
      errors: s.errors,
      detail: s.detail,
    })),
    errors: readJson(`monitor_cycles.errors (cycle ${r.cycle_id})`, r.errors, stringArraySchema),
  };
}
