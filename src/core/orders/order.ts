/**
 * What an order is before it goes anywhere: every order — manual, monitor or strategy — is built
 * by `newOrder`, which refuses one without a client order id (the idempotency key written to the
 * ledger before the order is sent, spec §8) and checks the rest with errors that name the field.
 *
 * An `Order` is structurally the ledger's `NewOrder` (ports/ledger-store.ts) with branded ids, so
 * the ledger persists it as is (a test checks the two stay assignable) — except what issue 17 added
 * (a stop limit's stop, role, strategy, link), which only the gateway's journal keeps: the v1
 * `insertOrder` refuses an order carrying one, naming it. Fills are still the ledger's
 * `FillRow` until the ledger port is split by table family.
 */
import { accountId, clientOrderId, IdError, positionKey, type AccountId, type ClientOrderId } from '../model/ids';
import { ORDER_ROLES, ORDER_SIDES, ORDER_TYPES, type OrderRole, type OrderSide, type OrderType } from './types';

export interface Order {
  clientOrderId: ClientOrderId;
  accountId: AccountId;
  /** The venue's symbol (the account fixes the venue). */
  symbol: string;
  side: OrderSide;
  /** Exact decimal text, > 0. */
  quantity: string;
  orderType: OrderType;
  /** Required for limit and stop_limit orders, null for market orders. */
  limitPrice: string | null;
  /** The trigger price of a stop_limit order (required for it), null for the others. */
  stopPrice: string | null;
  /** What the order is for (null: not said — the gateway decides by exposure before it journals it). */
  role: OrderRole | null;
  /** The strategy the order belongs to (a name), null for none. */
  strategy: string | null;
  /** SL/TP: the entry order of the protected position; a regenerated entry: the rejected order it replaces. */
  linkedClientOrderId: ClientOrderId | null;
  /** 0 for the first attempt, n for the n-th retry of an entry ladder. */
  retryCount: number;
  strategyRunId: string | null;
  /** Both set (the position this order opens or closes) or both null. */
  positionId: string | null;
  reEntryNum: number | null;
  reason: string | null;
  /** Epoch ms from the injected clock. */
  createdAt: number;
}

/** What a caller supplies: ids as text (validated here); the optional fields default to null / 0. */
export interface OrderInput {
  clientOrderId: string;
  accountId: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  orderType: OrderType;
  limitPrice?: string | null;
  stopPrice?: string | null;
  role?: OrderRole | null;
  strategy?: string | null;
  linkedClientOrderId?: string | null;
  retryCount?: number;
  strategyRunId?: string | null;
  positionId?: string | null;
  reEntryNum?: number | null;
  reason?: string | null;
  createdAt: number;
}

export class OrderError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`order.${field}: ${message}`);
    this.name = 'OrderError';
  }
}

const POSITIVE_DECIMAL = /^(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?$/;

function positiveDecimal(field: string, v: unknown): string {
  if (typeof v !== 'string' || !POSITIVE_DECIMAL.test(v) || /^0(?:\.0+)?$/.test(v)) {
    throw new OrderError(field, `must be a positive decimal string such as "1" or "2.35" (got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v)})`);
  }
  return v;
}

function id<T>(field: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (err instanceof IdError) throw new OrderError(field, err.message);
    throw err;
  }
}

export function newOrder(input: OrderInput): Order {
  // The rule first: no client order id, no order.
  const coid = id('clientOrderId', () => clientOrderId(input.clientOrderId));
  const account = id('accountId', () => accountId(input.accountId));
  if (typeof input.symbol !== 'string' || input.symbol.trim() === '') throw new OrderError('symbol', 'is required');
  if (!ORDER_SIDES.includes(input.side)) throw new OrderError('side', `must be one of ${ORDER_SIDES.join(', ')} (got ${String(input.side)})`);
  if (!ORDER_TYPES.includes(input.orderType)) throw new OrderError('orderType', `must be one of ${ORDER_TYPES.join(', ')} (got ${String(input.orderType)})`);
  const quantity = positiveDecimal('quantity', input.quantity);
  const limit = input.limitPrice ?? null;
  if (input.orderType === 'limit' && limit === null) throw new OrderError('limitPrice', 'a limit order needs a limit price');
  if (input.orderType === 'stop_limit' && limit === null) throw new OrderError('limitPrice', 'a stop_limit order needs a limit price (it works as a limit once its stop trades)');
  if (input.orderType === 'market' && limit !== null) throw new OrderError('limitPrice', 'a market order takes no limit price');
  const limitPrice = limit === null ? null : positiveDecimal('limitPrice', limit);
  const stop = input.stopPrice ?? null;
  if (input.orderType === 'stop_limit' && stop === null) throw new OrderError('stopPrice', 'a stop_limit order needs a stop price (its trigger)');
  if (input.orderType !== 'stop_limit' && stop !== null) throw new OrderError('stopPrice', `a ${input.orderType} order takes no stop price (only stop_limit has one)`);
  const stopPrice = stop === null ? null : positiveDecimal('stopPrice', stop);
  const role = input.role ?? null;
  if (role !== null && !ORDER_ROLES.includes(role)) throw new OrderError('role', `must be one of ${ORDER_ROLES.join(', ')} (got ${String(role)})`);
  const strategy = input.strategy ?? null;
  if (strategy !== null && (typeof strategy !== 'string' || strategy.trim() === '' || strategy.length > 64)) {
    throw new OrderError('strategy', `must be a name of 1 to 64 characters (got ${typeof strategy === 'string' ? JSON.stringify(strategy.slice(0, 70)) : String(strategy)})`);
  }
  const link = input.linkedClientOrderId ?? null;
  const linkedClientOrderId = link === null ? null : id('linkedClientOrderId', () => clientOrderId(link));
  const retryCount = input.retryCount ?? 0;
  if (!Number.isSafeInteger(retryCount) || retryCount < 0) throw new OrderError('retryCount', `must be a whole number ≥ 0 (got ${String(retryCount)})`);
  const positionId = input.positionId ?? null;
  const reEntryNum = input.reEntryNum ?? null;
  if ((positionId === null) !== (reEntryNum === null)) throw new OrderError('positionId', 'positionId and reEntryNum are given together or not at all');
  if (positionId !== null && reEntryNum !== null) id('positionId', () => positionKey(positionId, reEntryNum));
  if (!Number.isSafeInteger(input.createdAt) || input.createdAt < 0) throw new OrderError('createdAt', `must be epoch milliseconds (got ${String(input.createdAt)})`);
  return {
    clientOrderId: coid,
    accountId: account,
    symbol: input.symbol,
    side: input.side,
    quantity,
    orderType: input.orderType,
    limitPrice,
    stopPrice,
    role,
    strategy,
    linkedClientOrderId,
    retryCount,
    strategyRunId: input.strategyRunId ?? null,
    positionId,
    reEntryNum,
    reason: input.reason ?? null,
    createdAt: input.createdAt,
  };
}
