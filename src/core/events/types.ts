/**
 * Payloads of the event stream to the UI (spec §7; field names from the reference notes
 * active-pnl-tracker.md and backend-ui-data-flow.md). Pure data: JSON-serializable, money as exact
 * decimal strings, prices and quantities for display as numbers, times as epoch ms unless named
 * `timestamp` (ISO-8601). The wire contract (src/shared/contract.ts) wraps these with `seq`.
 */
import type { PortfolioError } from '../model/portfolio-file';
import type { PositionAction } from '../pnl/fifo';
import type { LivePosition, PnlSnapshotWire, PositionRecord, StructureDefWire } from '../pnl/revalue';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

// ---------- node events (execution flows) ----------

export type NodeStatus = 'started' | 'completed' | 'failed' | 'info';

/**
 * One step that completed (or failed): a desk step now (stream start/stop, portfolio load,
 * subscription plan, REST refresh), strategy and monitor nodes later. `parent_execution_id` links
 * a step to the flow that caused it, so the Events page can draw why something happened.
 */
export interface NodeEventBody {
  execution_id: string;
  parent_execution_id: string | null;
  /** ISO-8601. */
  timestamp: string;
  /** e.g. `StreamNode`, `PortfolioNode`, `SubscriptionPlanNode`, `RestRefreshNode`, `FillNode`. */
  node_type: string;
  node_id: string;
  node_name: string;
  /** What the node did, e.g. `stream_start`, `portfolio_load`, `subscribe`, `rest_refresh`. */
  action: string;
  status: NodeStatus;
  /** Human-readable outcome (error message when failed). */
  message: string | null;
  /** Small structured details (symbol counts, paths, warnings). */
  details: { [k: string]: JsonValue };
}

// ---------- fills and orders ----------

export interface FillWire {
  fill_id: string;
  order_id: string | null;
  position_id: string;
  re_entry_num: number | null;
  symbol: string;
  side: 'BUY' | 'SELL';
  /** Exact decimals. */
  quantity: string;
  price: string;
  fee: string;
  /** Epoch ms of the execution. */
  time: number;
  /** Where it came from: the venue's trade updates, the portfolio file, or a manual/test entry. */
  source: 'venue' | 'portfolio' | 'manual';
  /** Set when the FIFO engine refused the fill (nothing changed). */
  rejected: string | null;
}

/**
 * An order update's status as the UI shows it: the venue's status in its own spelling, `pending_*` and
 * venue-specific ones as `unknown` (not the desk's lifecycle status, core/orders/types.ts OrderStatus).
 */
export type OrderUpdateStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired' | 'replaced' | 'unknown';

export interface OrderUpdateWire {
  order_id: string;
  client_order_id: string | null;
  symbol: string;
  side: 'BUY' | 'SELL';
  /** The venue's event name (new, fill, partial_fill, canceled …). */
  event: string;
  status: OrderUpdateStatus;
  quantity: string;
  filled_quantity: string;
  limit_price: string | null;
  avg_fill_price: string | null;
  /** Epoch ms. */
  time: number;
}

// ---------- positions ----------

/** The reference's position_event payload (display numbers; exact state is in `record`). */
export interface PositionEventPosition {
  position_id: string;
  re_entry_num: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  /** Quantity this change opened (entry) or closed (exit, partial_exit). */
  quantity: number;
  quantity_total: number;
  quantity_closed: number;
  quantity_remaining: number;
  entry_price: number | null;
  /** Epoch ms. */
  entry_time: number;
  /** Average of the closing fills so far (null before any exit). */
  exit_price: number | null;
  exit_time: number | null;
  status: 'OPEN' | 'PARTIAL' | 'CLOSED';
  entry_flow_ids: string[];
  exit_flow_ids: string[];
  entry_trigger: string | null;
  exit_reason: string | null;
}

export interface PositionEventPnl {
  currency: string;
  currency_decimals: number;
  /** Realized net of fees over the position's closed quantity. */
  realized_pnl: string;
  /** On the remaining quantity at the current mark; null when unknown (no usable quote). */
  unrealized_pnl: string | null;
  total_pnl: string | null;
  /** Realized (gross) by this change alone. */
  realized_by_change: string;
}

export interface PositionEventBody {
  action: PositionAction;
  /** ISO-8601 of the fill. */
  timestamp: string;
  execution_id: string | null;
  fill_id: string;
  position: PositionEventPosition;
  pnl: PositionEventPnl;
  /** The exact state after the change: the renderer's position store replaces its entry with it. */
  record: PositionRecord;
}

// ---------- portfolio file ----------

export interface PortfolioStatusWire {
  /** The file in force (null before any load). */
  path: string | null;
  /** Whether the Node layer watches the file for changes. */
  watching: boolean;
  loaded_at: number | null;
  account: string | null;
  positions: number;
  structures: number;
  /** The last load's errors when it failed (the previous good positions stay in force). */
  error: { at: number; path: string; errors: PortfolioError[] } | null;
}

export type PortfolioAction = 'loaded' | 'reloaded' | 'rejected';

export interface PortfolioEventBody {
  action: PortfolioAction;
  path: string;
  status: PortfolioStatusWire;
  /** JSON-path errors when rejected. */
  errors: PortfolioError[];
  /**
   * When loaded/reloaded: every position now sourced from the file (replaces all records with
   * source `portfolio`) and the file's structures (replace all structures). Empty when rejected.
   */
  positions: PositionRecord[];
  structures: StructureDefWire[];
  execution_id: string;
}

// ---------- P&L samples (the day's curve) ----------

/**
 * Why a P&L sample is not joined to the curve: streaming stopped, quotes stale or unknown, or
 * `portfolio_changed` — another portfolio was loaded at that moment, so the points before and after
 * are different books (the day's peak / trough / drawdown are scoped to the current one).
 */
export type PnlGap = 'stopped' | 'stale' | 'unknown' | 'portfolio_changed';

/** One point of the day's P&L curve, per currency. `gap` marks a point the chart must not join. */
export interface PnlSampleWire {
  t: number;
  currency: string;
  realized: string;
  /** null when unknown at that moment (gap `stale`/`unknown`). */
  unrealized: string | null;
  total: string | null;
  gap: PnlGap | null;
}

// ---------- stream diagnostics (the tracker's `streamer`) ----------

export type StreamerState = 'stopped' | 'connecting' | 'running' | 'degraded' | 'error' | 'session_needed';

export interface StreamerDiagnostics {
  state: StreamerState;
  streaming: boolean;
  /** Receive time of the last quote from the stream (any symbol). */
  last_tick_at: number | null;
  last_tick_age_sec: number | null;
  subscriptions: {
    /** Symbols the open positions need. */
    needed: number;
    /** Symbols subscribed at the venue (all consumers). */
    subscribed: number;
    /** Needed symbols not (yet) subscribed. */
    missing: string[];
  };
  /**
   * Needed option contracts the venue says it does not list (unknown to it, or listed but not
   * tradable — e.g. expired): they get no quotes, and are flagged as such rather than as stale.
   * Absent: none known.
   */
  unlisted_contracts?: string[];
}

/** A trade of the active snapshot: the live position plus the reference's short names. */
export interface ActiveTrade extends LivePosition {
  /** Signed open quantity (negative short). */
  quantity: number;
  /** Average price of the open lots. */
  entry: number | null;
}

/** The tracker's always-fresh snapshot (spec §7). Readers get a frozen copy. */
export interface ActivePnlSnapshot {
  /** Open positions only. */
  trades: ActiveTrade[];
  /** Σ unrealized in the single currency; null when unknown or positions span currencies (see totals). */
  total_unrealized_value: string | null;
  /** Σ unrealized points over open trades; null while any is unknown. */
  total_unrealized_points: number | null;
  /** Realized/unrealized/total per currency. */
  pnl: PnlSnapshotWire;
  /** Epoch ms of the last recomputation. */
  last_updated: number | null;
  streamer: StreamerDiagnostics;
}

/** Replay progress (tick_update.progress; absent when live). */
export interface ReplayProgress {
  ticks_processed: number;
  total_ticks: number;
  progress_percentage: number;
}
