/**
 * The trading part of the contract (issue 16: Trade mode and the order path): trading modes and LIVE
 * arming, the order gateway's orders and their history, manual exits, reconciliation with the
 * broker and our ledger beside the broker's P&L. `contract.ts` gathers these into the one command
 * map and event union; this module only keeps that file readable.
 *
 * Wire conventions as in contract.ts: quantities and prices are exact decimal strings, times epoch ms.
 */
import { z } from 'zod';
import type { OrderRole as CoreOrderRole, OrderStatus, OrderType as CoreOrderType } from '../core/orders/types';
import type { VenueMode } from '../core/model/venue-mode';
import type { KillSwitchLevel } from '../core/risk/kill-switch';

// ---------- modes ----------

/** Monitor (the default at every start): read-only, the gateway refuses every order. Trade: orders may be sent. */
export type TradingMode = 'monitor' | 'trade';

/** One account's trading state. */
export interface TradingStateWire {
  account: string;
  mode: TradingMode;
  /** SIM / PAPER / LIVE: what the account trades against. */
  venue_mode: VenueMode;
  /** LIVE accounts only: armed this session (typed confirmation); never carried over a restart. */
  live_armed: boolean;
  /** When Trade was switched on (epoch ms), null in Monitor. */
  since: number | null;
  /** The kill switch level in force for the account. */
  kill_switch: KillSwitchLevel;
  /**
   * Why automation (monitoring cycle, strategies) may not act on this account now, null when it may:
   * Monitor mode, or a reconciliation diff not yet empty / not resolved line by line.
   */
  automation_blocked: string | null;
}

/** The phrase a user types to arm a LIVE account: `LIVE <account id>` (exactly). */
export function liveArmPhrase(account: string): string {
  return `LIVE ${account}`;
}

// ---------- orders (the gateway's journal) ----------

/** Who asked for the order. */
export type OrderOrigin = 'manual' | 'exit' | 'monitor' | 'strategy' | 'reconcile';

/**
 * What the order is for: `entry` opens or adds to a position, `exit` closes; `sl` / `tp` are the
 * protective orders of a running position (the monitoring cycle places them: spec §8 step 4).
 * A manual order given no role is an entry when it adds exposure, an exit when it reduces it.
 */
export type OrderRole = CoreOrderRole;

/** `stop_limit`: rests until the stop price trades (buy: at or above; sell: at or below), then works as a limit at `limit_price`. */
export type DeskOrderType = CoreOrderType;

export interface PendingCommandWire {
  kind: 'place' | 'replace' | 'cancel';
  /** `sending`: in flight; `unknown`: the answer was lost — resolved by asking the venue, never by sending again. */
  state: 'sending' | 'unknown';
  since: number;
  attempts: number;
}

/** An intended order as the gateway's journal holds it (its venue orders across replaces). */
export interface OrderWire {
  client_order_id: string;
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  /** The current venue order's quantity. */
  quantity: string;
  order_type: DeskOrderType;
  limit_price: string | null;
  /** The stop (trigger) price of a stop_limit order, else null. */
  stop_price: string | null;
  /** Null on orders journaled before roles existed. */
  role: OrderRole | null;
  /** The strategy the order belongs to (a name), null for none. */
  strategy: string | null;
  /** SL/TP: the entry order of the position they protect (null when not known); a regenerated entry: the rejected order it replaces. */
  linked_client_order_id: string | null;
  /** When automation archived it (a rejected order: spec §8 step 7; it is kept with its history, never deleted), else null. */
  archived_at: number | null;
  /** Includes `unknown` (outcome not known: shown as such, resolved by asking the venue). */
  status: OrderStatus;
  venue_order_id: string | null;
  venue_client_order_id: string;
  /** Filled across every venue order of this intended order. */
  filled_quantity: string;
  replace_count: number;
  pending: PendingCommandWire | null;
  /** Why it was rejected, or what left it unknown. */
  reason: string | null;
  origin: OrderOrigin;
  created_at: number;
  updated_at: number;
}

/** One row of an order's history (`order_events`). */
export interface OrderHistoryWire {
  seq: number;
  client_order_id: string;
  at: number;
  kind: 'created' | 'sent' | 'answered' | 'unknown' | 'resolved' | 'resent' | 'update';
  command: 'place' | 'replace' | 'cancel' | null;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  detail: Readonly<Record<string, string | number | boolean | null>> | null;
}

/** A command's outcome, as the gateway classified it. */
export type OrderOutcomeWire =
  | { kind: 'refused'; cause: 'mode' | 'kill_switch' | 'validation' | 'busy' | 'not_found' | 'not_open' | 'journal' | 'not_reconciled'; reason: string; order: OrderWire | null }
  | { kind: 'accepted'; order: OrderWire }
  | { kind: 'rejected'; reason: string; http_status: number | null; order: OrderWire }
  | { kind: 'unknown'; reason: string; order: OrderWire };

// ---------- manual exits ----------

/** What an exit closes: one position (account + symbol), one structure of the portfolio, or everything of the account. */
export type ExitTargetWire = { kind: 'position'; symbol: string } | { kind: 'structure'; structure_id: string } | { kind: 'all' };

export interface ExitLegWire {
  symbol: string;
  /** buy (to close a short) or sell (to close a long). */
  side: 'buy' | 'sell';
  quantity: string;
  /** Shorts are bought back first (phase 1), then longs sold (phase 2). */
  phase: 1 | 2;
  /** `limit` while stepping from mid toward the far side, `market` after the last step. */
  method: 'limit' | 'market';
  attempts: number;
  last_price: string | null;
  client_order_id: string | null;
  filled_quantity: string;
  status: 'waiting' | 'working' | 'filled' | 'failed' | 'cancelled';
  reason: string | null;
}

export interface ExitRunWire {
  id: string;
  account: string;
  target: ExitTargetWire;
  status: 'working' | 'done' | 'failed' | 'cancelled';
  legs: ExitLegWire[];
  started_at: number;
  finished_at: number | null;
  reason: string | null;
}

// ---------- reconciliation ----------

export type ReconLineKind = 'matched' | 'broker_only' | 'ledger_only' | 'quantity_mismatch' | 'price_mismatch';

export interface ReconSideWire {
  /** Signed quantity (long > 0) for positions; remaining quantity for orders. */
  quantity: string;
  /** Average entry price (positions) or limit price (orders); null when not reported. */
  price: string | null;
}

export interface ReconLineWire {
  /** Stable within a reconciliation: `<subject>:<symbol or client order id>`. */
  id: string;
  subject: 'position' | 'order';
  kind: ReconLineKind;
  symbol: string;
  /** The order's client order id (orders), else null. */
  client_order_id: string | null;
  /** The broker's explicit report, null when the broker reported none. */
  broker: ReconSideWire | null;
  /** Our ledger's, null when the ledger has none. */
  ledger: ReconSideWire | null;
  /** How the user resolved the line (null: not yet; `matched` lines need none). */
  resolution: 'adopt_broker' | 'keep_local' | 'close' | null;
  note: string | null;
}

/** Our FIFO beside the broker's reported P&L for one position, with the difference explained. */
export interface PnlCompareWire {
  symbol: string;
  /** Our ledger: signed open quantity, FIFO realized (net of fees), unrealized at the mark (null: no fresh mark), fees. */
  ours: { quantity: string; avg_price: string | null; realized: string; unrealized: string | null; fees: string } | null;
  /** The broker's report: signed quantity, its average entry, its unrealized P&L (null when it reported none). */
  broker: { quantity: string; avg_price: string | null; unrealized: string | null; market_value: string | null } | null;
  /** ours.unrealized − broker.unrealized, null when either is unknown. */
  difference: string | null;
  /**
   * Why they differ, quantified where our data allows (no fresh mark, missing fills, fills outside the
   * app, average cost vs FIFO, marks, fees: core/pnl/broker-compare.ts). Empty when nothing differs
   * and no fees were paid (a fee line explains our realized figure, which is net of fees).
   */
  explanation: string[];
}

export interface ReconciliationWire {
  account: string;
  /** When the broker was last asked (epoch ms), null before the first run. */
  at: number | null;
  /**
   * `clean`: the diff is empty (or every line resolved); `diff`: lines wait for the user;
   * `unavailable`: the broker could not be asked (a missing report is not "flat"); `pending`: not run yet.
   */
  status: 'pending' | 'clean' | 'diff' | 'unavailable';
  error: string | null;
  /** What triggered the last run. */
  trigger: 'start' | 'reconnect' | 'manual' | 'monitor' | 'resolve' | null;
  lines: ReconLineWire[];
  pnl: PnlCompareWire[];
}

// ---------- commands ----------

const accountId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an account id');
/** A positive exact decimal (up to 8 decimals), as text. */
const decimal = (what: string) => z.string().trim().regex(/^\d{1,12}(\.\d{1,8})?$/, `must be a positive decimal ${what} such as "1" or "2.35"`);
const clientOrderId = z.string().min(1).max(128);
const symbol = z.string().trim().min(1, 'must name a symbol').max(64);

export const tradingCommandSchemas = {
  /** Every held account's trading state. */
  'trading.get': z.object({}).strict(),
  /**
   * Switch an account between Monitor and Trade. Trade on a LIVE account needs `confirm` equal to
   * `LIVE <account id>` (liveArmPhrase) — every session.
   */
  'trading.set_mode': z
    .object({
      account: accountId,
      mode: z.enum(['monitor', 'trade']),
      confirm: z.string().max(100).optional(),
    })
    .strict(),
  'orders.place': z
    .object({
      account: accountId,
      symbol,
      side: z.enum(['buy', 'sell']),
      quantity: decimal('quantity'),
      order_type: z.enum(['limit', 'market', 'stop_limit']),
      limit_price: decimal('price').optional(),
      /** stop_limit only: the trigger price. */
      stop_price: decimal('price').optional(),
      time_in_force: z.enum(['day', 'gtc']).optional(),
      /** Default: entry when the order adds exposure, exit when it reduces it. */
      role: z.enum(['entry', 'exit', 'sl', 'tp']).optional(),
      strategy: z.string().trim().min(1).max(64).optional(),
    })
    .strict()
    .refine((o) => (o.order_type !== 'market') === (o.limit_price !== undefined), { message: 'a limit or stop_limit order needs limit_price; a market order takes none', path: ['limit_price'] })
    .refine((o) => (o.order_type === 'stop_limit') === (o.stop_price !== undefined), { message: 'a stop_limit order needs stop_price; limit and market orders take none', path: ['stop_price'] }),
  'orders.replace': z
    .object({ account: accountId, client_order_id: clientOrderId, quantity: decimal('quantity').optional(), limit_price: decimal('price').optional() })
    .strict()
    .refine((o) => o.quantity !== undefined || o.limit_price !== undefined, { message: 'give a new quantity or limit_price', path: ['quantity'] }),
  'orders.cancel': z.object({ account: accountId, client_order_id: clientOrderId }).strict(),
  /** Ask the venue about an order whose outcome is unknown (never re-sends it). */
  'orders.resolve': z.object({ account: accountId, client_order_id: clientOrderId }).strict(),
  /** Open orders and history (newest first), optionally for one account. */
  'orders.list': z
    .object({ account: accountId.optional(), scope: z.enum(['open', 'all']).optional(), limit: z.number().int().min(1).max(5_000).optional() })
    .strict(),
  /** One order's history (`order_events`). */
  'orders.history': z.object({ account: accountId, client_order_id: clientOrderId }).strict(),
  /** Manual exit: a position, a structure, or all of an account (limit at mid stepping toward the far side, then market; shorts first). */
  'orders.exit': z
    .object({
      account: accountId,
      target: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('position'), symbol }).strict(),
        z.object({ kind: z.literal('structure'), structure_id: z.string().min(1).max(128) }).strict(),
        z.object({ kind: z.literal('all') }).strict(),
      ]),
    })
    .strict(),
  /** Stop a working exit (its working orders are cancelled). */
  'orders.exit_cancel': z.object({ id: z.string().min(1).max(128) }).strict(),
  /** Run the reconciliation of an account now. */
  'reconcile.run': z.object({ account: accountId }).strict(),
  /** Resolve one line: take the broker's word, keep ours, or close the position. */
  'reconcile.resolve': z
    .object({ account: accountId, line_id: z.string().min(1).max(200), action: z.enum(['adopt_broker', 'keep_local', 'close']) })
    .strict(),
} as const;

export interface TradingCommandResults {
  'trading.get': { accounts: TradingStateWire[] };
  'trading.set_mode': { trading: TradingStateWire };
  'orders.place': { outcome: OrderOutcomeWire };
  'orders.replace': { outcome: OrderOutcomeWire };
  'orders.cancel': { outcome: OrderOutcomeWire };
  'orders.resolve': { outcome: OrderOutcomeWire };
  'orders.list': { orders: OrderWire[] };
  'orders.history': { order: OrderWire; history: OrderHistoryWire[] };
  'orders.exit': { exit: ExitRunWire };
  'orders.exit_cancel': { exit: ExitRunWire };
  'reconcile.run': { reconciliation: ReconciliationWire };
  /** `note`: what was done (an adopt_broker whose line matched once the fills were caught up says nothing was adopted). */
  'reconcile.resolve': { reconciliation: ReconciliationWire; note: string };
}

// ---------- events ----------

/** Trading state changed (mode, arming, automation gate) or an exit progressed. */
export interface TradingEventBody {
  type: 'trading_event';
  accounts: TradingStateWire[];
  /** Exits started this session (working first, then recent), bounded. */
  exits: ExitRunWire[];
}

/** A reconciliation ran or a line was resolved. */
export interface ReconciliationEventBody {
  type: 'reconciliation_event';
  reconciliation: ReconciliationWire;
}

/** What the snapshot carries for trading (absent from older desks). */
export interface TradingSnapshotParts {
  trading?: TradingStateWire[];
  /** Open orders, then recent ones (newest first), bounded. */
  journal_orders?: OrderWire[];
  exits?: ExitRunWire[];
  reconciliation?: ReconciliationWire[];
}
