import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../../../src/core/orders/types';
import { isLegalTransition, legalNextStatuses, ORDER_STATUSES } from '../../../../src/core/orders/lifecycle';

describe('order lifecycle', () => {
  it('every status is reachable from pending_submit', () => {
    const seen = new Set<OrderStatus>(['pending_submit']);
    const todo: OrderStatus[] = ['pending_submit'];
    while (todo.length) {
      for (const next of legalNextStatuses(todo.pop()!)) {
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(next);
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('nothing leads back to pending_submit: an order is never resent', () => {
    for (const s of ORDER_STATUSES) expect(isLegalTransition(s, 'pending_submit')).toBe(false);
  });

  it('filled and archived are final; only rejected, cancelled and expired orders are archived', () => {
    expect(legalNextStatuses('filled')).toEqual([]);
    expect(legalNextStatuses('archived')).toEqual([]);
    const archivable = ORDER_STATUSES.filter((s) => isLegalTransition(s, 'archived')).sort();
    expect(archivable).toEqual(['cancelled', 'expired', 'rejected']);
  });

  it('an unknown order is resolved to what the broker reports', () => {
    for (const s of ['accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const) expect(isLegalTransition('unknown', s)).toBe(true);
    expect(isLegalTransition('unknown', 'submitted')).toBe(false);
  });
});
