/**
 * The seams of the monitoring cycle (issue 17) with the rest of the desk, so each part is built and
 * tested on its own:
 *
 * - `MonitorOrders`: what the cycle asks of the order path. The trading service
 *   (app/trading/trading-service.ts) implements it; every order action goes through the account's
 *   order gateway (mode, kill switch, idempotency: journaled before it is sent).
 * - The venue: the cycle reads the account's ExecutionPort (orders, positions, reauthenticate) as the
 *   AccountLifecycle hook `accountStarted` hands it over (ports.ts of app/trading).
 */
import type { DeskOrderType, OrderOutcomeWire, OrderRole, OrderWire } from '../../../shared/trading';

/** An order the monitoring cycle places (SL/TP for a running position; a regenerated entry). */
export interface MonitorPlaceInput {
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  order_type: DeskOrderType;
  limit_price?: string | undefined;
  stop_price?: string | undefined;
  time_in_force?: 'day' | 'gtc' | undefined;
  role?: OrderRole | undefined;
  strategy?: string | undefined;
  /** SL/TP: the entry order of the protected position; a regenerated entry: the rejected order. */
  linked_client_order_id?: string | undefined;
  /**
   * The client order id to use (a regenerated entry's id is chosen and recorded in step 8 before step
   * 9 places it, so a crash between them never places it twice). Refused when the journal already
   * holds an order with this id. Default: the gateway assigns one.
   */
  client_order_id?: string | undefined;
  /** The caller's attempt number − 1 (a strategy's entry ladder), kept as the ledger's `retry_count`. */
  retry_count?: number | undefined;
}

export interface MonitorOrders {
  /** Why automation may not act on the account now (Monitor mode, kill switch, reconciliation …), null when it may. */
  automationBlocked(account: string): string | null;
  /** Places through the account's gateway with origin `monitor`. */
  place(input: MonitorPlaceInput, origin: 'monitor'): Promise<OrderOutcomeWire>;
  /** Replaces a working order's limit price (and/or quantity) through the gateway. */
  replace(account: string, clientOrderId: string, patch: { quantity?: string | undefined; limit_price?: string | undefined }): Promise<OrderOutcomeWire>;
  /** Cancels a working order through the gateway (a protective order whose position is gone). */
  cancel(account: string, clientOrderId: string): Promise<OrderOutcomeWire>;
  /** The account's journal orders (all, newest first), archived ones included (archived_at set). */
  list(opts: { account?: string | undefined; scope?: 'open' | 'all' | undefined; limit?: number | undefined }): OrderWire[];
  /**
   * Archives a final order (spec §8 step 7: rejected orders; never deleted): an `order_archive` row,
   * its status and history kept; announced as an order_event with the journal row. Idempotent: an
   * order already archived is returned as it is. Throws, naming the order and its status, for an order
   * that is not final.
   */
  archive(account: string, clientOrderId: string, why: { cycleId: string | null; reason: string }): OrderWire;
}
