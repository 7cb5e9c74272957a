import { describe, expect, it } from 'vitest';
import type { ClientOrderId } from '../../../../src/core/model/ids';
import { newOrder, OrderError, type Order, type OrderInput } from '../../../../src/core/orders/order';
import type { NewOrder } from '../../../../src/core/ports/ledger-store';

const T0 = Date.UTC(2026, 10, 20, 14, 30);

const input = (over: Partial<OrderInput> = {}): OrderInput => ({
  clientOrderId: 'ord-1',
  accountId: 'acct-1',
  symbol: 'AAPL261218C00200000',
  side: 'sell',
  quantity: '2',
  orderType: 'limit',
  limitPrice: '181.60',
  positionId: 'entry-2-pos1',
  reEntryNum: 0,
  createdAt: T0,
  ...over,
});

function errorOf(f: () => unknown): OrderError {
  try {
    f();
  } catch (err) {
    if (err instanceof OrderError) return err;
    throw err;
  }
  throw new Error('expected an OrderError');
}

describe('newOrder', () => {
  it('builds an order with branded ids and defaults for what was left out', () => {
    const o = newOrder(input());
    expect(o).toEqual({
      clientOrderId: 'ord-1',
      accountId: 'acct-1',
      symbol: 'AAPL261218C00200000',
      side: 'sell',
      quantity: '2',
      orderType: 'limit',
      limitPrice: '181.60',
      stopPrice: null,
      role: null,
      strategy: null,
      linkedClientOrderId: null,
      retryCount: 0,
      strategyRunId: null,
      positionId: 'entry-2-pos1',
      reEntryNum: 0,
      reason: null,
      createdAt: T0,
    });
    const id: ClientOrderId = o.clientOrderId;
    expect(id).toBe('ord-1');
  });

  it('refuses an order without a client order id', () => {
    expect(errorOf(() => newOrder(input({ clientOrderId: '' }))).message).toMatch(/^order\.clientOrderId: ClientOrderId: is required/);
    const { clientOrderId: _omitted, ...without } = input();
    expect(errorOf(() => newOrder(without as OrderInput)).field).toBe('clientOrderId');
    expect(errorOf(() => newOrder(input({ clientOrderId: 'has space' }))).field).toBe('clientOrderId');
  });

  it('names the field that is wrong', () => {
    expect(errorOf(() => newOrder(input({ accountId: '' }))).field).toBe('accountId');
    expect(errorOf(() => newOrder(input({ symbol: ' ' }))).field).toBe('symbol');
    expect(errorOf(() => newOrder(input({ side: 'short' as 'sell' }))).message).toBe('order.side: must be one of buy, sell (got short)');
    expect(errorOf(() => newOrder(input({ orderType: 'stop' as 'limit' }))).field).toBe('orderType');
    for (const q of ['0', '0.0', '-1', '1e3', '', '01']) expect(errorOf(() => newOrder(input({ quantity: q }))).field).toBe('quantity');
    expect(errorOf(() => newOrder(input({ limitPrice: null }))).message).toBe('order.limitPrice: a limit order needs a limit price');
    expect(errorOf(() => newOrder(input({ orderType: 'market' }))).message).toBe('order.limitPrice: a market order takes no limit price');
    expect(errorOf(() => newOrder(input({ limitPrice: '0' }))).field).toBe('limitPrice');
    expect(errorOf(() => newOrder(input({ retryCount: -1 }))).field).toBe('retryCount');
    expect(errorOf(() => newOrder(input({ reEntryNum: null }))).field).toBe('positionId');
    expect(errorOf(() => newOrder(input({ reEntryNum: 1.5 }))).message).toMatch(/^order\.positionId: PositionKey: re_entry_num/);
    expect(errorOf(() => newOrder(input({ createdAt: Number.NaN }))).field).toBe('createdAt');
  });

  it('accepts a market order and an order outside any position', () => {
    const o = newOrder(input({ orderType: 'market', limitPrice: null, positionId: null, reEntryNum: null, retryCount: 3, reason: 'exit' }));
    expect([o.orderType, o.limitPrice, o.positionId, o.reEntryNum, o.retryCount, o.reason]).toEqual(['market', null, null, null, 3, 'exit']);
  });

  it('is what the ledger persists: an Order is a NewOrder', () => {
    const persisted: NewOrder = newOrder(input()) satisfies Order;
    expect(persisted.clientOrderId).toBe('ord-1');
  });

  it('a stop_limit order carries both prices; each is required and positive, and the error names the field', () => {
    const o = newOrder(input({ orderType: 'stop_limit', limitPrice: '2.05', stopPrice: '2.10', role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-1' }));
    expect(o).toMatchObject({ orderType: 'stop_limit', limitPrice: '2.05', stopPrice: '2.10', role: 'sl', strategy: 'iron-fly', linkedClientOrderId: 'ld-entry-1' });
    expect(errorOf(() => newOrder(input({ orderType: 'stop_limit', limitPrice: '2.05' }))).message).toBe('order.stopPrice: a stop_limit order needs a stop price (its trigger)');
    expect(errorOf(() => newOrder(input({ orderType: 'stop_limit', limitPrice: null, stopPrice: '2.10' }))).field).toBe('limitPrice');
    expect(errorOf(() => newOrder(input({ orderType: 'stop_limit', limitPrice: '2.05', stopPrice: '0' }))).message).toMatch(/^order\.stopPrice: must be a positive decimal/);
    expect(errorOf(() => newOrder(input({ orderType: 'stop_limit', limitPrice: '2.05', stopPrice: '-1' }))).field).toBe('stopPrice');
    expect(errorOf(() => newOrder(input({ orderType: 'limit', stopPrice: '2.10' }))).message).toBe('order.stopPrice: a limit order takes no stop price (only stop_limit has one)');
    expect(errorOf(() => newOrder(input({ orderType: 'market', limitPrice: null, stopPrice: '2.10' }))).field).toBe('stopPrice');
  });

  it('role, strategy and link are checked: a known role, a short strategy name, a client order id as link', () => {
    expect(errorOf(() => newOrder(input({ role: 'hedge' as never }))).message).toBe('order.role: must be one of entry, exit, sl, tp (got hedge)');
    expect(errorOf(() => newOrder(input({ strategy: ' ' }))).field).toBe('strategy');
    expect(errorOf(() => newOrder(input({ strategy: 'x'.repeat(65) }))).field).toBe('strategy');
    expect(errorOf(() => newOrder(input({ linkedClientOrderId: 'has space' }))).field).toBe('linkedClientOrderId');
  });
});
