/**
 * The seams between the three parts of the order path in the desk (issue 16), so each is built and
 * tested on its own and the desk only composes them:
 *
 * - the trading service (`trading-service.ts`): modes and LIVE arming, one OrderGateway per running
 *   account, the manual exits, the `orders.*` / `trading.*` commands;
 * - the account fills (`account-fills.ts`): venue fills into the ledger durably and idempotently,
 *   our FIFO positions per account, missed fills fetched at start and on resync, late fills re-applied;
 * - the reconciler (`reconciler.ts`): broker vs ledger at start, after reconnects and on demand, the
 *   automation gate, the `reconcile.*` commands, our P&L beside the broker's.
 *
 * Each is an AccountLifecycle participant: the desk forwards the supervisor's account events to
 * every participant, in the order trading → fills → reconciler.
 */
import type { Account } from '../../../core/model/account';
import type { OrderUpdate } from '../../../core/ports/venue';
import type { OrderGateway } from '../../../core/orders/gateway';
import type { OurPnlPosition } from '../../../core/pnl/broker-compare';
import type { ExitRunWire, ExitTargetWire, OrderWire, ReconciliationWire, TradingMode } from '../../../shared/trading';
import type { VenueRun } from '../../compose';

/** What a participant hears of an account's venue. */
export interface AccountLifecycle {
  /** The account's venue started (its execution port connected). */
  accountStarted?(account: Account, venue: VenueRun): void | Promise<void>;
  /** Stop: the account's venue is about to be disposed. */
  accountStopping?(account: Account): void;
  /** The order channel caught up after a gap (the venue's `resync`). */
  resync?(account: Account, stream: string): void | Promise<void>;
  /** An order update from the account's execution port (trade_updates). */
  orderUpdate?(account: Account, update: OrderUpdate): void;
}

/**
 * One open position of our ledger (from venue fills), per account and symbol: the core's
 * OurPnlPosition (signed quantity, FIFO average entry, realized net of fees, unrealized at the
 * mark — null without a fresh one, unknown is not zero —, fees, multiplier) and its account.
 */
export interface LedgerPositionView extends OurPnlPosition {
  account: string;
}

/** The account fills' view for the others (exposure for the kill switch, exits, reconciliation). */
export interface AccountPositions {
  /** Signed open quantity scaled by QTY_DP; null when the account's positions are not known (not started / not loaded). */
  signedQuantity(account: string, symbol: string): bigint | null;
  /** Every open position of the account (and closed ones with realized P&L today when `withClosed`). */
  positions(account: string, opts?: { withClosed?: boolean }): LedgerPositionView[];
  /**
   * Makes our ledger agree with the broker's explicit report for one symbol (reconciliation "adopt
   * broker"): an adjustment fill, recorded as such (source `adopted`), brings the ledger's signed
   * quantity to `quantity` at `avgPrice` (the broker's average entry; null when it reported none).
   */
  adoptBroker(account: string, symbol: string, quantity: string, avgPrice: string | null, reason: string): void;
  /**
   * Resolves when the account's fills are caught up: the ledger's positions loaded and the fills
   * missed while the order channel was down fetched (at start and after each resync). The reconciler
   * compares only then (a comparison before would report fills still on their way as differences).
   */
  whenSynced(account: string): Promise<void>;
  /**
   * Catches the account's fills up now (the REST fetch of the fills missed while the order channel
   * was down, as on a resync); resolves when done, rejects when it could not be done. The reconciler
   * calls it before "adopt broker" records anything: a fill still on its way would otherwise be
   * counted twice (once adopted, once when it arrives).
   */
  catchUp(account: string): Promise<void>;
}

/** The trading service's view for the others (the reconciler's "close", the automation gate). */
export interface TradingPort {
  mode(account: string): TradingMode;
  /** The account's gateway while its venue runs, else null. */
  gateway(account: string): OrderGateway | null;
  /** Working orders of the account (journal rows not terminal). */
  workingOrders(account: string): OrderWire[];
  /** Starts a manual exit (the reconciler's "close" uses it for one position). */
  exit(account: string, target: ExitTargetWire): Promise<ExitRunWire>;
}

/** The reconciler's view for the others (the automation gate; the monitoring cycle calls `run`). */
export interface ReconciliationGate {
  /** True when the account's last reconciliation is clean (diff empty, or every line resolved). */
  clean(account: string): boolean;
  state(account: string): ReconciliationWire;
  run(account: string, trigger: NonNullable<ReconciliationWire['trigger']>): Promise<ReconciliationWire>;
}
