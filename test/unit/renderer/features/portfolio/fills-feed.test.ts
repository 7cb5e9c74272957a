import { describe, expect, it } from 'vitest';
import { fillsFeed } from '../../../../../src/renderer/src/features/portfolio/fills-feed';
import type { FillWire, OrderUpdateWire } from '../../../../../src/shared/contract';

const fill = (id: string, time: number, over: Partial<FillWire> = {}): FillWire => ({
  fill_id: id,
  order_id: 'o1',
  position_id: 'p',
  re_entry_num: 0,
  symbol: 'SPY',
  side: 'BUY',
  quantity: '1',
  price: '590.1',
  fee: '0',
  time,
  source: 'venue',
  rejected: null,
  ...over,
});
const order = (id: string, time: number, over: Partial<OrderUpdateWire> = {}): OrderUpdateWire => ({
  order_id: id,
  client_order_id: null,
  symbol: 'SPY',
  side: 'SELL',
  event: 'new',
  status: 'new',
  quantity: '2',
  filled_quantity: '0',
  limit_price: '591',
  avg_fill_price: null,
  time,
  ...over,
});

describe('fillsFeed', () => {
  it('merges fills and orders newest first and bounds the list', () => {
    const rows = fillsFeed([fill('f1', 10), fill('f2', 30)], [order('o9', 20)], 2);
    expect(rows.map((r) => r.id)).toEqual(['fill:f2', 'order:o9']);
  });
  it('describes partial fills, limits and refused fills', () => {
    const [o] = fillsFeed([], [order('o1', 1, { filled_quantity: '1', status: 'partially_filled', avg_fill_price: '590.5' })]);
    expect(o).toMatchObject({ quantity: '1/2', price: '590.5', status: 'partially_filled', detail: 'accepted · limit 591' });
    const [f] = fillsFeed([fill('x', 1, { rejected: 'would flip a reducing-only position' })], []);
    expect(f).toMatchObject({ status: 'rejected', rejected: true });
    expect(f!.detail).toContain('refused');
  });

  it('the status badge says the current state in the detail\'s words: a "new" order is "accepted" in both (review of 12–14)', () => {
    const [row] = fillsFeed([], [order('o9', 1)]);
    expect(row!.status).toBe('new');
    expect(row!.statusLabel).toBe('accepted');
    expect(row!.detail).toMatch(/^accepted/);
    expect(fillsFeed([], [order('o9', 1, { event: 'partial_fill', status: 'partially_filled', filled_quantity: '1' })])[0]!.statusLabel).toBe('partly filled');
    expect(fillsFeed([fill('f1', 1)], [])[0]!.statusLabel).toBe('filled');
  });
});
