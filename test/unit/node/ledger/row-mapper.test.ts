// Issue 15, item 8: one row mapper for every ledger table family (the hand-copied snake_case →
// camelCase mappers are gone); what it reads must be exact.
import { describe, expect, it } from 'vitest';
import { rowMapper } from '../../../../src/node/ledger/row-mapper';

describe('rowMapper', () => {
  const map = rowMapper<Record<string, unknown>>('fill_id re_entry_num option_right>right filled_at:time closed_at:time? analytics_at>at:time?');

  it('copies columns to camelCase fields, reads ISO times as epoch ms, renames on request', () => {
    expect(
      map({ fill_id: 'f-1', re_entry_num: 0, option_right: 'put', filled_at: '2026-11-20T14:30:00.123Z', closed_at: null, analytics_at: '2026-11-20T14:31:00.000Z', extra: 1 }),
    ).toEqual({ fillId: 'f-1', reEntryNum: 0, right: 'put', filledAt: Date.UTC(2026, 10, 20, 14, 30, 0, 123), closedAt: null, at: Date.UTC(2026, 10, 20, 14, 31) });
  });

  it('keeps decimal text and nulls as stored (never numbers, never zero)', () => {
    const m = rowMapper<Record<string, unknown>>('price avg_fill_price');
    expect(m({ price: '181.60', avg_fill_price: null })).toEqual({ price: '181.60', avgFillPrice: null });
  });

  it('lists its columns for a SELECT, in the declared order', () => {
    expect(map.columns).toBe('fill_id, re_entry_num, option_right, filled_at, closed_at, analytics_at');
  });

  it('refuses a column spec it cannot read, naming it', () => {
    expect(() => rowMapper('fill_id filled_at:date')).toThrow(/filled_at:date/);
    // The mapper is compiled from the names: anything but [a-z0-9_] columns and [A-Za-z0-9] fields is refused.
    expect(() => rowMapper('a);globalThis.x=1;(b')).toThrow(/cannot read column spec/);
    expect(() => rowMapper('a>b.c')).toThrow(/cannot read column spec/);
  });
});
