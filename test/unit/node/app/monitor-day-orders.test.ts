// Step 1 reads the whole day's order book, page by page (it read at most 500 orders before).
import { describe, expect, it } from 'vitest';
import { dayOrders } from '../../../../src/node/app/monitor/monitor-service';
import type { VenueOrder } from '../../../../src/core/ports/venue';

const DAY = Date.parse('2026-12-07T14:30:00Z');

/** A venue book answering Alpaca's `after` (exclusive, by submission time), `direction: asc` and `limit`. */
function book(n: number, spacingMs: number) {
  const orders = Array.from({ length: n }, (_, i) => ({ id: `o${i}`, createdAt: new Date(DAY + Math.floor(i * spacingMs)).toISOString() }) as VenueOrder);
  const asked: string[] = [];
  return {
    asked,
    orders: (q: { after?: string; limit?: number } = {}) => {
      asked.push(q.after ?? '');
      const after = q.after ? Date.parse(q.after) : -Infinity;
      return Promise.resolve(orders.filter((o) => Date.parse(o.createdAt!) > after).slice(0, q.limit ?? 500));
    },
  };
}

describe("the monitoring cycle's day order book", () => {
  it('reads past 500 orders: every order once, oldest first, pages until a short one', async () => {
    const b = book(1_234, 7);
    const got = await dayOrders(b, DAY);
    expect(got.map((o) => o.id)).toEqual(Array.from({ length: 1_234 }, (_, i) => `o${i}`));
    expect(b.asked.length).toBe(3);
  });

  it('orders sharing a millisecond across a page boundary are neither lost nor doubled', async () => {
    const b = book(1_100, 0.25); // four orders per millisecond
    const got = await dayOrders(b, DAY);
    expect(new Set(got.map((o) => o.id)).size).toBe(1_100);
    expect(got.length).toBe(1_100);
  });

  it('a venue that ignores `after` (the whole book every time) ends after the page that brings nothing new', async () => {
    const all = book(600, 5);
    const ignoring = { orders: () => all.orders({ limit: 500 }) };
    const got = await dayOrders(ignoring, DAY);
    expect(got.length).toBe(500);
  });
});
