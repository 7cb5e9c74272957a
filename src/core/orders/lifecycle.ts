/**
 * The order state machine; the ledger enforces it when it persists an order. An order is written
 * `pending_submit` before it is sent; after that only the transitions below are accepted, so a bug
 * (or a replayed broker message) cannot move a filled order back to open or resurrect an archived one.
 *
 * `unknown` is where an order goes when its outcome cannot be known locally (the process died
 * between writing it and hearing back, a request timed out): it is resolved by asking the broker,
 * so it may move to whatever state the broker reports — but never back to `pending_submit`, because
 * resending is how duplicate orders happen.
 */
import { ORDER_STATUSES, type OrderStatus } from './types';

export { ORDER_STATUSES };

/** Broker-reported states an order can be found in once it reached the broker. */
const AT_BROKER: readonly OrderStatus[] = ['accepted', 'partially_filled', 'filled', 'pending_cancel', 'cancelled', 'rejected', 'expired'];

const LEGAL: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // Not yet confirmed sent: a local refusal (kill switch) rejects it; a crash leaves it unknown.
  pending_submit: ['submitted', 'accepted', 'rejected', 'cancelled', 'unknown'],
  submitted: [...AT_BROKER, 'unknown'],
  accepted: ['partially_filled', 'filled', 'pending_cancel', 'cancelled', 'rejected', 'expired', 'unknown'],
  // Repeated partial fills are transitions to the same state with a new filled quantity.
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'cancelled', 'expired', 'unknown'],
  // A cancel can lose the race against a fill, or be refused (back to accepted).
  pending_cancel: ['accepted', 'partially_filled', 'filled', 'cancelled', 'expired', 'unknown'],
  unknown: AT_BROKER,
  filled: [],
  cancelled: ['archived'],
  rejected: ['archived'],
  expired: ['archived'],
  archived: [],
};

/** Statuses from which an order can be modified (price/quantity) at the broker. */
export const MODIFIABLE: readonly OrderStatus[] = ['pending_submit', 'submitted', 'accepted', 'partially_filled'];

/** Final statuses: nothing moves an order on from them but archiving (filled, cancelled, rejected, expired, archived). */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter((s) => LEGAL[s].every((t) => t === 'archived'));

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return LEGAL[from].includes(to);
}

export function legalNextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return LEGAL[from];
}
