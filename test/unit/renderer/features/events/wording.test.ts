import { describe, expect, it } from 'vitest';
import { orderChange } from '../../../../../src/renderer/src/features/events/order-words';
import { describeEvent } from '../../../../../src/renderer/src/features/events/describe';
import { problemLine } from '../../../../../src/renderer/src/features/portfolio/portfolio-errors';
import { extremeTone, toneColor } from '../../../../../src/renderer/src/features/charts/pnl-series';
import { parsePortfolio } from '../../../../../src/core/model/portfolio-file';
import type { HistoryEvent, OrderUpdateWire } from '../../../../../src/shared/contract';

const order = (event: string, status: OrderUpdateWire['status'], extra: Partial<OrderUpdateWire> = {}): OrderUpdateWire => ({
  order_id: 'o1',
  client_order_id: null,
  symbol: 'SPY',
  side: 'BUY',
  event,
  status,
  quantity: '3',
  filled_quantity: '0',
  limit_price: null,
  avg_fill_price: null,
  time: 1,
  ...extra,
});

describe('words a trader uses', () => {
  it('order events say what changed ("accepted", not "new → new")', () => {
    expect(orderChange(order('new', 'new'))).toBe('accepted');
    expect(orderChange(order('partial_fill', 'partially_filled', { filled_quantity: '1', avg_fill_price: '4.1' }))).toBe('partly filled (1 of 3 @ 4.1)');
    expect(orderChange(order('fill', 'filled', { filled_quantity: '3', avg_fill_price: '4.1' }))).toBe('filled 3 @ 4.1');
    expect(orderChange(order('canceled', 'canceled'))).toBe('canceled');
    expect(orderChange(order('pending_cancel', 'new'))).toBe('cancel requested (order now accepted)');
    const e = { type: 'order_event', seq: 1, serverTime: 1, order: order('new', 'new') } as unknown as HistoryEvent;
    expect(describeEvent(e).title).toBe('Order o1 BUY 3 SPY: accepted');
    expect(describeEvent(e).title).not.toContain('→');
  });

  it('a JSON syntax error says where once', () => {
    const r = parsePortfolio('{\n  "version": 1,\n  "positions": [\n    { "id": "x" "type": "stock" }\n  ]\n}');
    if (r.ok) throw new Error('expected an error');
    const line = problemLine(r.errors[0]!);
    expect(line.where).toBeNull();
    expect(line.message.match(/line 4, column 17/g)).toHaveLength(1);
    expect(problemLine({ path: '$', message: 'bad token', line: 2, column: 3 })).toEqual({ where: null, message: 'line 2, column 3: bad token' });
    expect(problemLine({ path: '$.positions[0].strike', message: 'must be greater than 0' })).toEqual({ where: '$.positions[0].strike', message: 'must be greater than 0' });
  });

  it('a negative peak is not drawn green; a positive trough is not drawn red', () => {
    const c = { pos: 'green', neg: 'red', zero: 'grey' };
    expect(extremeTone({ value: '-120.5' })).toBe('neg');
    expect(toneColor('-120.5', c)).toBe('red');
    expect(extremeTone({ value: '35' })).toBe('pos');
    expect(toneColor('35', c)).toBe('green');
    expect(extremeTone({ value: '0' })).toBe('zero');
    expect(extremeTone(null)).toBe('zero');
  });

  it('portfolio event titles count right ("1 position", "1 structure", "1 error")', () => {
    const loaded = { type: 'portfolio_event', seq: 2, serverTime: 1, action: 'loaded', path: '/p.json', status: { positions: 1, structures: 1 }, errors: [], positions: [], structures: [] } as unknown as HistoryEvent;
    expect(describeEvent(loaded).title).toBe('Portfolio loaded: /p.json (1 position, 1 structure)');
    const rejected = { ...loaded, action: 'rejected', errors: [{ path: '$', message: 'x' }] } as unknown as HistoryEvent;
    expect(describeEvent(rejected).title).toContain('(1 error;');
  });
});
