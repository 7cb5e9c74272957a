/**
 * The order domain's vocabulary, defined once. The ledger persists orders in these terms, the
 * venue adapters translate their own (Alpaca's `canceled`, `pending_new` …) into them, and the
 * wire keeps its own spelling (`core/events/types.ts` OrderUpdateStatus) for what the UI shows.
 */

export const ORDER_SIDES = ['buy', 'sell'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

/**
 * Order types the desk itself places (a venue may know more: see ports/venue.ts VenueOrderType).
 * `stop_limit` rests until its stop price trades (buy: at or above it; sell: at or below), then works
 * as a limit at its limit price.
 */
export const ORDER_TYPES = ['limit', 'market', 'stop_limit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/**
 * What an order is for: `entry` opens or adds to a position, `exit` closes; `sl` / `tp` are the
 * protective orders of a running position (the monitoring cycle places them: spec §8 step 4).
 * An order given no role is an entry when it adds exposure, an exit when it reduces it
 * (exposure.ts `roleByExposure`).
 */
export const ORDER_ROLES = ['entry', 'exit', 'sl', 'tp'] as const;
export type OrderRole = (typeof ORDER_ROLES)[number];

/**
 * `pending_submit` is written before the order is sent; `unknown` is an order whose outcome is not
 * known (e.g. the process died between writing and hearing back) and is resolved by asking the
 * broker, never by resending; `archived` keeps a rejected/cancelled/expired order and its history.
 * The legal moves between them are in `lifecycle.ts`.
 */
export const ORDER_STATUSES = [
  'pending_submit',
  'submitted',
  'accepted',
  'partially_filled',
  'filled',
  'pending_cancel',
  'cancelled',
  'rejected',
  'expired',
  'unknown',
  'archived',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
