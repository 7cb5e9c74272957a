/** A manual order as typed (pure, unit-tested): what is wrong with it, named, before it can be reviewed. */
import type { CommandPayload, OrderWire } from '@shared/contract';

export interface OrderDraft {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  orderType: 'limit' | 'market' | 'stop_limit';
  limitPrice: string;
  /** stop_limit only: the trigger price. */
  stopPrice: string;
  /** '' = let the desk decide (entry when the order adds exposure, exit when it reduces it). */
  role: '' | 'entry' | 'exit';
}

export const EMPTY_DRAFT: OrderDraft = { symbol: '', side: 'buy', quantity: '1', orderType: 'limit', limitPrice: '', stopPrice: '', role: '' };

const DECIMAL = /^\d{1,12}(\.\d{1,8})?$/;

/** Null when the draft can be reviewed; else what is wrong, naming the field (the desk checks again). */
export function orderDraftProblem(d: OrderDraft): string | null {
  if (d.symbol.trim() === '') return 'Symbol: name what to trade';
  if (!DECIMAL.test(d.quantity.trim()) || Number(d.quantity) <= 0) return 'Quantity: a positive number such as 1 or 2.5';
  if (d.orderType === 'stop_limit') {
    if (!DECIMAL.test(d.stopPrice.trim()) || Number(d.stopPrice) <= 0) return 'Stop price: a positive price such as 2.10 (the order works once it trades)';
  }
  if (d.orderType !== 'market') {
    if (!DECIMAL.test(d.limitPrice.trim()) || Number(d.limitPrice) <= 0) return 'Limit price: a positive price such as 1.25';
  }
  return null;
}

/** The `orders.place` payload of a reviewed draft: prices only where the type takes them; the role only when chosen. */
export function placePayload(account: string, d: OrderDraft): CommandPayload<'orders.place'> {
  return {
    account,
    symbol: d.symbol.trim(),
    side: d.side,
    quantity: d.quantity.trim(),
    order_type: d.orderType,
    ...(d.orderType !== 'market' ? { limit_price: d.limitPrice.trim() } : {}),
    ...(d.orderType === 'stop_limit' ? { stop_price: d.stopPrice.trim() } : {}),
    ...(d.role !== '' ? { role: d.role } : {}),
  };
}

/** "limit 2.05", "stop 2.10 / lmt 2.05", "at market": an order's (or a draft's) prices in one phrase. */
export function pricePhrase(o: { orderType: OrderDraft['orderType']; limitPrice: string | null; stopPrice: string | null }): string {
  if (o.orderType === 'market') return 'at market';
  if (o.orderType === 'stop_limit') return `stop ${o.stopPrice ?? '?'} / lmt ${o.limitPrice ?? '?'}`;
  return `limit ${o.limitPrice ?? '?'}`;
}

/** The orders table's price cell: "2.05" (limit), "stop 2.10 / lmt 2.05" (stop_limit), "—" (market). */
export function priceCell(o: Pick<OrderWire, 'order_type' | 'limit_price' | 'stop_price'>): string {
  if (o.order_type === 'stop_limit') return pricePhrase({ orderType: 'stop_limit', limitPrice: o.limit_price, stopPrice: o.stop_price });
  return o.limit_price ?? '—';
}

const ROLE_WORD: Record<NonNullable<OrderWire['role']>, string> = { entry: 'Entry', exit: 'Exit', sl: 'SL', tp: 'TP' };

/** The orders table's role cell ('—' for an order journaled before roles existed). */
export function roleWord(role: OrderWire['role']): string {
  return role === null ? '—' : ROLE_WORD[role];
}

/** A modify's new values (empty = unchanged): null when valid, else what is wrong. */
export function modifyProblem(quantity: string, limitPrice: string): string | null {
  const q = quantity.trim();
  const p = limitPrice.trim();
  if (q === '' && p === '') return 'give a new quantity or limit price';
  if (q !== '' && (!DECIMAL.test(q) || Number(q) <= 0)) return 'Quantity: a positive number';
  if (p !== '' && (!DECIMAL.test(p) || Number(p) <= 0)) return 'Limit price: a positive price';
  return null;
}
