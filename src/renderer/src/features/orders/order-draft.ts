/** A manual order as typed (pure, unit-tested): what is wrong with it, named, before it can be reviewed. */

export interface OrderDraft {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  orderType: 'limit' | 'market';
  limitPrice: string;
}

const DECIMAL = /^\d{1,12}(\.\d{1,8})?$/;

/** Null when the draft can be reviewed; else what is wrong, naming the field (the desk checks again). */
export function orderDraftProblem(d: OrderDraft): string | null {
  if (d.symbol.trim() === '') return 'Symbol: name what to trade';
  if (!DECIMAL.test(d.quantity.trim()) || Number(d.quantity) <= 0) return 'Quantity: a positive number such as 1 or 2.5';
  if (d.orderType === 'limit') {
    if (!DECIMAL.test(d.limitPrice.trim()) || Number(d.limitPrice) <= 0) return 'Limit price: a positive price such as 1.25';
  }
  return null;
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
