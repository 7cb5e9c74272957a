/**
 * The local ledger port (spec §10): everything the desk must keep on disk, exactly, across crashes.
 *
 * Conventions of every row type here:
 * - Money, prices, quantities and percentages are `Decimal`: exact decimal text such as "181.60" or
 *   "-0.005", never a binary float. The ledger stores the text as given (trailing zeros kept) and
 *   rejects anything that is not a plain decimal.
 * - Times are `EpochMs` (integer milliseconds since the Unix epoch, from the injected Clock); the
 *   ledger stores them as ISO-8601 UTC text with milliseconds.
 * - `null` means unknown or not applicable, never zero.
 * - JSON payloads (`JsonObject`) hold strings, finite numbers, booleans and nulls; any key that names
 *   a time (`*_at`, `*_time`, `timestamp`) holds an ISO-8601 string.
 *
 * The API is synchronous: a durable write (orders, fills, positions, runs, cycles, settings) returns
 * after its transaction is committed durably. High-volume rows (strategy events, P&L samples,
 * recorded quotes) are `append`ed to a batch writer instead and become visible once flushed.
 */

export type Decimal = string;
export type EpochMs = number;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A half-open time range [fromMs, toMs): e.g. an exchange's trading day, computed by the caller. */
export interface TimeRange {
  fromMs: EpochMs;
  toMs: EpochMs;
}

// ---------------------------------------------------------------------------------------------------
// Reference data

export type VenueId = 'sim' | 'alpaca' | 'smartapi' | 'delta';
/** An account's mode as the ledger stores it (`sim` since schema v3). */
export type TradingMode = 'sim' | 'paper' | 'live';
/** The graded kill switch of spec §2, persisted per account. */
export type KillSwitchState = 'active' | 'reducing' | 'halted';

export interface AccountRow {
  accountId: string;
  venue: VenueId;
  label: string;
  mode: TradingMode;
  killSwitch: KillSwitchState;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export type AccountConfig = Pick<AccountRow, 'accountId' | 'venue' | 'label' | 'mode'>;

export type InstrumentKind = 'stock' | 'option' | 'future' | 'perpetual' | 'index' | 'other';

export interface InstrumentRow {
  venue: VenueId;
  symbol: string;
  kind: InstrumentKind;
  underlying: string | null;
  /** Expiry date as `YYYY-MM-DD` (exchange date), null for non-expiring instruments. */
  expiry: string | null;
  strike: Decimal | null;
  right: 'call' | 'put' | null;
  /** 100 for US equity options, the lot size for NSE, the contract value for Delta. */
  multiplier: Decimal;
  tickSize: Decimal | null;
  lotSize: Decimal | null;
  /** Venue token (SmartAPI instrument token), null where the venue has none. */
  token: string | null;
  currency: string;
  updatedAt: EpochMs;
}

// ---------------------------------------------------------------------------------------------------
// Strategy runs

export type StrategyRunStatus = 'waiting' | 'entering' | 'live' | 'exiting' | 'cooldown' | 'halted' | 'error';

/** Known `session_metadata` fields (live-control-telemetry.md); further JSON fields are kept as given. */
export interface SessionMetadata {
  config_id?: string;
  config_name?: string;
  underlying?: string;
  scheduled_entry_at?: string;
  planned_exit_at?: string;
  entry_method?: 'limit' | 'market' | 'limit_then_market';
  entry_attempts?: number;
  max_retry?: number;
  retry_delay_sec?: number;
  target_delta_range?: [number, number];
  selected_contracts?: { leg: string; symbol: string; expiry: string; strike: number; delta: number | null }[];
  [key: string]: JsonValue | undefined;
}

export interface StrategyRunRow {
  runId: string;
  accountId: string;
  strategyName: string;
  status: StrategyRunStatus;
  startedAt: EpochMs;
  endedAt: EpochMs | null;
  sessionMetadata: SessionMetadata;
  updatedAt: EpochMs;
}

export interface StrategyRunUpdate {
  at: EpochMs;
  status?: StrategyRunStatus;
  endedAt?: EpochMs | null;
  /** Replaces the stored metadata as a whole (callers merge). */
  sessionMetadata?: SessionMetadata;
}

// ---------------------------------------------------------------------------------------------------
// Orders

// The order domain's vocabulary lives in core/orders; the ledger persists it, it does not define it.
import type { OrderSide, OrderStatus, OrderType } from '../orders/types';
export type { OrderSide, OrderStatus, OrderType };

export interface NewOrder {
  clientOrderId: string;
  accountId: string;
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  orderType: OrderType;
  /** Required for limit orders, null for market orders. */
  limitPrice: Decimal | null;
  /** 0 for the first attempt, n for the n-th retry of an entry ladder. */
  retryCount: number;
  strategyRunId: string | null;
  positionId: string | null;
  reEntryNum: number | null;
  reason: string | null;
  createdAt: EpochMs;
}

export interface OrderRow extends NewOrder {
  status: OrderStatus;
  brokerOrderId: string | null;
  /** As last reported by the broker. */
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  updatedAt: EpochMs;
  submittedAt: EpochMs | null;
  archivedAt: EpochMs | null;
  /** The status the order had when it was archived. */
  archivedFrom: OrderStatus | null;
}

export interface OrderTransition {
  at: EpochMs;
  reason?: string | null;
  brokerOrderId?: string;
  filledQuantity?: Decimal;
  avgFillPrice?: Decimal;
  detail?: JsonObject;
}

export interface OrderModification {
  at: EpochMs;
  limitPrice?: Decimal;
  quantity?: Decimal;
  reason?: string | null;
}

export type OrderEventKind = 'created' | 'status' | 'modified';

/** One entry of an order's append-only history. */
export interface OrderEventRow {
  eventId: number;
  clientOrderId: string;
  at: EpochMs;
  kind: OrderEventKind;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  reason: string | null;
  detail: JsonObject | null;
}

// ---------------------------------------------------------------------------------------------------
// Fills and positions

/** One execution as the venue reported it: everything a FIFO engine needs. */
export interface FillRow {
  accountId: string;
  /** The venue's fill/trade id; (accountId, fillId) is unique, so a replayed fill is stored once. */
  fillId: string;
  clientOrderId: string | null;
  brokerOrderId: string | null;
  positionId: string;
  reEntryNum: number;
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
  feeCurrency: string;
  filledAt: EpochMs;
  /**
   * Where the fill came from (v5): `venue` (the order-update stream's execution), `fetched` (REST: the
   * part of a venue order's cumulative filled quantity not yet recorded), `adopted` (reconciliation's
   * adjustment to the broker's position). A fill with an origin is numbered by the FIFO engine in
   * execution-time order (`reEntryNum` is only the number it had when recorded); without one
   * (omitted / null: fills written before v5 and by other writers) `reEntryNum` is binding.
   */
  origin?: FillOrigin | null;
  /** The venue order's cumulative filled quantity after this fill (with `brokerOrderId`, unique per account). */
  cumQuantity?: Decimal | null;
  /** The venue's execution id (the stream's `execution_id`), when it gave one. */
  executionId?: string | null;
  /** The venue order's client order id as the venue reported it (the journal's order may be another row). */
  venueClientOrderId?: string | null;
}

export type FillOrigin = 'venue' | 'fetched' | 'adopted';

export interface StoredFillRow extends FillRow {
  /** Insertion order: breaks ties between fills with the same time. */
  seq: number;
  recordedAt: EpochMs;
}

export type PositionStatus = 'OPEN' | 'PARTIAL' | 'CLOSED';

export interface PositionKey {
  positionId: string;
  reEntryNum: number;
}

/** What a FIFO engine derives from fills alone. */
export interface PositionState extends PositionKey {
  accountId: string;
  symbol: string;
  side: 'long' | 'short';
  status: PositionStatus;
  quantityTotal: Decimal;
  quantityClosed: Decimal;
  quantityOpen: Decimal;
  avgEntryPrice: Decimal | null;
  avgExitPrice: Decimal | null;
  realizedPnl: Decimal;
  fees: Decimal;
  openedAt: EpochMs;
  closedAt: EpochMs | null;
  strategyRunId: string | null;
}

/** Mark-based analytics; a null value is unknown and `reason` says why. */
export interface PositionAnalytics {
  markPrice: Decimal | null;
  pnlAbs: Decimal | null;
  pnlPct: Decimal | null;
  reason: string | null;
  at: EpochMs;
}

export interface PositionRow extends PositionState {
  analytics: PositionAnalytics | null;
  updatedAt: EpochMs;
}

/**
 * The FIFO engine, passed in (the core's FIFO logic is the single implementation): fills in time
 * order (ties by `seq`) in, positions out.
 */
export type PositionEngine = (fills: readonly StoredFillRow[]) => PositionState[];

// ---------------------------------------------------------------------------------------------------
// Monitoring cycles

export type MonitorStepStatus = 'ok' | 'failed' | 'skipped';

export interface MonitorStepResult {
  /** 1..10 as in spec §8. */
  step: number;
  name: string;
  status: MonitorStepStatus;
  startedAt: EpochMs;
  durationMs: number;
  errors: string[];
  detail: JsonObject | null;
}

export type MonitorCycleOutcome = 'ok' | 'errors' | 'stopped';

export interface MonitorCycleInput {
  accountId: string;
  startedAt: EpochMs;
  finishedAt: EpochMs;
  outcome: MonitorCycleOutcome;
  steps: MonitorStepResult[];
  /** Every error of the cycle, as sent in the aggregated report. */
  errors: string[];
}

export interface MonitorCycleRow extends MonitorCycleInput {
  cycleId: number;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------------
// High-volume (batched) rows

export interface StrategyEventInput {
  runId: string;
  at: EpochMs;
  kind: string;
  executionId: string | null;
  parentExecutionId: string | null;
  message: string | null;
  payload: JsonObject | null;
}

export interface StrategyEventRow extends StrategyEventInput {
  eventId: number;
}

/** One point of a P&L curve; unrealized/total are null (unknown) only with a reason. */
export interface PnlSampleInput {
  /** What the sample is of: an account id, a strategy run id, or "portfolio". */
  scope: string;
  at: EpochMs;
  realized: Decimal;
  unrealized: Decimal | null;
  total: Decimal | null;
  unknownReason: string | null;
}

export interface PnlSampleRow extends PnlSampleInput {
  sampleId: number;
}

export interface RecordedQuoteInput {
  /** The venue instance of the quote's InstrumentId (`sim`, `sim2`, `alpaca`; the kind for a desk's default account). */
  venue: string;
  symbol: string;
  receivedAt: EpochMs;
  exchangeTime: EpochMs | null;
  bid: Decimal | null;
  ask: Decimal | null;
  last: Decimal | null;
  bidSize: Decimal | null;
  askSize: Decimal | null;
}

export interface RecordedQuoteRow extends RecordedQuoteInput {
  quoteId: number;
}

export interface BatchStats {
  /** Rows appended and not yet committed. */
  queued: number;
  /** Rows committed since open. */
  written: number;
  /** Rows refused because the backlog was at its cap (data lost on purpose, counted). */
  dropped: number;
  /** Rows the database refused at flush (constraint violations), counted and logged. */
  rejected: number;
  flushes: number;
  flushErrors: number;
  /** Longest single flush transaction so far, ms. */
  maxFlushMs: number;
}

// ---------------------------------------------------------------------------------------------------
// Errors

export type LedgerErrorCode =
  | 'invalid_value'
  | 'illegal_transition'
  | 'duplicate'
  | 'conflict'
  | 'not_found'
  | 'newer_schema'
  | 'not_a_ledger'
  | 'migration_failed'
  | 'closed';

/** Every error the ledger throws on purpose carries one of these codes (and says what and where). */
export interface LedgerErrorLike extends Error {
  code: LedgerErrorCode;
}

// ---------------------------------------------------------------------------------------------------
// The ports, one per table family
//
// Each consumer depends on the narrowest port it needs. Nothing here names SQLite, a connection, a
// statement or a timer: an adapter on another database (e.g. PostgreSQL for a server deployment)
// implements the same ports. `LedgerStore` is the composite of all of them (one adapter, one
// database), kept for callers that need several families at once.

/** Several durable writes, all or none. */
export interface LedgerTransactions {
  /** Runs `fn` in one durable transaction (nested ledger writes join it; a throw rolls all back). */
  transaction<T>(fn: () => T): T;
}

/** `accounts` and `instruments`: reference data. */
export interface AccountLedger {
  /**
   * Inserts or updates an account's configuration. A new account starts `active`; an existing one
   * keeps its persisted kill switch (only `setKillSwitch` changes it, deliberately).
   */
  upsertAccount(account: AccountConfig, at: EpochMs): AccountRow;
  setKillSwitch(accountId: string, state: KillSwitchState, at: EpochMs): AccountRow;
  getAccount(accountId: string): AccountRow | null;
  listAccounts(): AccountRow[];

  upsertInstrument(instrument: InstrumentRow): void;
  getInstrument(venue: VenueId, symbol: string): InstrumentRow | null;
}

/** `orders`, `order_events` and `fills`: what was sent and what was executed. */
export interface OrderLedger {
  /** Writes the order as `pending_submit` before it is sent; a second insert of the id is refused. */
  insertOrder(order: NewOrder): OrderRow;
  /** Moves an order to `to`, refusing transitions the order lifecycle does not allow. */
  transitionOrder(clientOrderId: string, to: OrderStatus, change: OrderTransition): OrderRow;
  modifyOrder(clientOrderId: string, change: OrderModification): OrderRow;
  /** Archives a rejected, cancelled or expired order: the row and its history stay. */
  archiveOrder(clientOrderId: string, at: EpochMs, reason: string | null): OrderRow;
  getOrder(clientOrderId: string): OrderRow | null;
  getOrderByBrokerId(accountId: string, brokerOrderId: string): OrderRow | null;
  ordersByStatus(statuses: readonly OrderStatus[], opts?: { accountId?: string; limit?: number }): OrderRow[];
  orderEvents(clientOrderId: string): OrderEventRow[];

  /** Idempotent: the same fill again is a no-op (`false`); the same id with other values is an error. */
  recordFill(fill: FillRow): boolean;
  /** Several fills in one transaction (all or none); returns how many were new. */
  recordFills(fills: readonly FillRow[]): number;
  /** Fills with filledAt in `day` (the caller computes the exchange or local day), in time order. */
  fillsForDay(day: TimeRange, opts?: { accountId?: string }): StoredFillRow[];
  /** Every fill in FIFO order (time, then seq), for rebuilding positions. */
  fillsForRebuild(opts?: { accountId?: string }): StoredFillRow[];
}

/** `positions`: FIFO state derived from fills, plus mark-based analytics. */
export interface PositionLedger {
  /** Inserts or updates positions (analytics are kept) in one transaction. */
  upsertPositions(positions: readonly PositionState[], at: EpochMs): void;
  updatePositionAnalytics(key: PositionKey, analytics: PositionAnalytics): PositionRow;
  getPosition(key: PositionKey): PositionRow | null;
  listPositions(opts?: { accountId?: string }): PositionRow[];
  /** Positions with status OPEN or PARTIAL, with their analytics. */
  openPositions(opts?: { accountId?: string }): PositionRow[];
}

/** `strategy_runs`, `strategy_events` (batched) and `monitor_cycles`: what automation did and why. */
export interface AuditLedger {
  createStrategyRun(run: Omit<StrategyRunRow, 'updatedAt' | 'endedAt'>): StrategyRunRow;
  updateStrategyRun(runId: string, update: StrategyRunUpdate): StrategyRunRow;
  getStrategyRun(runId: string): StrategyRunRow | null;

  /** O(1), no database work on the caller: validated and queued for the batch writer. */
  appendStrategyEvent(event: StrategyEventInput): void;
  strategyEventsForRun(runId: string, opts?: { afterEventId?: number; limit?: number }): StrategyEventRow[];

  recordMonitorCycle(cycle: MonitorCycleInput): MonitorCycleRow;
  /** The last `n` cycles, newest first. */
  lastMonitorCycles(n: number, opts?: { accountId?: string }): MonitorCycleRow[];
}

/** `pnl_samples` (batched): the P&L curve per scope. */
export interface PnlSampleLedger {
  /** O(1), no database work on the caller: validated and queued. */
  appendPnlSample(sample: PnlSampleInput): void;
  /** The P&L curve of `scope` over `day`, ordered by time. */
  pnlCurve(scope: string, day: TimeRange): PnlSampleRow[];
}

/** The write side of `recorded_quotes` (batched): what the quote path needs, nothing more. */
export interface QuoteRecorder {
  /** O(1), no database work on the caller: validated and queued. */
  appendRecordedQuote(quote: RecordedQuoteInput): void;
}

/** `recorded_quotes`: recording and reading back (replay). */
export interface QuoteLedger extends QuoteRecorder {
  recordedQuotes(range: TimeRange, opts?: { afterQuoteId?: number; limit?: number }): RecordedQuoteRow[];
}

/** `settings`: JSON values by key. */
export interface SettingsLedger {
  getSetting(key: string): JsonValue | null;
  setSetting(key: string, value: JsonValue, at: EpochMs): void;
  listSettings(): { key: string; value: JsonValue; updatedAt: EpochMs }[];
}

/** The batched (high-volume) rows as a whole, and the adapter's lifetime. */
export interface LedgerLifecycle {
  batchStats(): BatchStats;
  /** Writes every queued batched row now. */
  flush(): void;
  /** Drains the queued rows and closes the ledger. */
  close(): void;
}

/** The whole ledger: every family behind one adapter (one database, one batch writer). */
export interface LedgerStore
  extends LedgerTransactions,
    AccountLedger,
    OrderLedger,
    PositionLedger,
    AuditLedger,
    PnlSampleLedger,
    QuoteLedger,
    SettingsLedger,
    LedgerLifecycle {}
