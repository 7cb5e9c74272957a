// The order domain defines orders; the SQLite ledger persists them unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import { newOrder } from '../../../src/core/orders/order';
import { openStore, seedAccount, T0, tempLedgerDir } from '../ledger/helpers';

describe('order domain → ledger', () => {
  const dirs: Array<() => void> = [];
  afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

  it('an order built by newOrder is stored as built, pending_submit, under its client order id', () => {
    const tmp = tempLedgerDir();
    dirs.push(tmp.cleanup);
    const { store } = openStore(tmp.file());
    seedAccount(store);
    const order = newOrder({
      clientOrderId: 'run-1/entry-1/0',
      accountId: 'acct-1',
      symbol: 'AAPL261218C00200000',
      side: 'buy',
      quantity: '1',
      orderType: 'limit',
      limitPrice: '2.35',
      createdAt: T0,
    });
    const row = store.insertOrder(order);
    expect(row).toMatchObject({ ...order, status: 'pending_submit' });
    expect(store.getOrder(order.clientOrderId)).toEqual(row);
    store.close();
  });
});
