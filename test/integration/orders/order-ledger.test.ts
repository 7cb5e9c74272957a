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
    // v6's stop, role, strategy and link are the gateway journal's (tables/order-journal.ts), not this port's
    const { stopPrice: _s, role: _r, strategy: _t, linkedClientOrderId: _l, ...v1 } = order;
    expect(row).toMatchObject({ ...v1, status: 'pending_submit' });
    expect(store.getOrder(order.clientOrderId)).toEqual(row);
    // an order carrying one of them is refused naming it, never stored without it
    const sl = newOrder({ clientOrderId: 'run-1/sl-1/0', accountId: 'acct-1', symbol: 'AAPL261218C00200000', side: 'sell', quantity: '1', orderType: 'limit', limitPrice: '2.00', role: 'sl', createdAt: T0 });
    expect(() => store.insertOrder(sl)).toThrow(/^orders\.role: the order ledger \(insertOrder\) does not keep it/);
    expect(store.getOrder('run-1/sl-1/0')).toBeNull();
    store.close();
  });
});
