import { describe, expect, it } from 'vitest';
import { makeKeysSelector, orderedKeys } from '../../../../../src/renderer/src/features/portfolio/position-keys';
import type { PositionRecord } from '../../../../../src/shared/contract';

function rec(key: string, symbol: string, status: PositionRecord['status'], inst?: Partial<NonNullable<PositionRecord['instrument']>>): PositionRecord {
  return {
    key,
    symbol,
    status,
    re_entry_num: 0,
    instrument: inst ? ({ symbol, venue: 'alpaca', kind: 'option', underlying: 'SPY', expiry: null, strike: null, right: null, multiplier: '100', currency: 'USD', currency_decimals: 2, tick_size: '0.01', ...inst } as PositionRecord['instrument']) : null,
  } as PositionRecord;
}

describe('positions row order', () => {
  const records = {
    a: rec('a', 'SPY261218C00600000', 'OPEN', { underlying: 'SPY', strike: '600', expiry: { date: '2026-12-18', time: '16:00', zone: 'America/New_York', epochMs: 2 } }),
    b: rec('b', 'SPY', 'OPEN', { underlying: 'SPY', kind: 'stock' }),
    c: rec('c', 'AAPL', 'CLOSED', { underlying: 'AAPL', kind: 'stock' }),
    d: rec('d', 'SPY261218C00590000', 'PARTIAL', { underlying: 'SPY', strike: '590', expiry: { date: '2026-12-18', time: '16:00', zone: 'America/New_York', epochMs: 2 } }),
    e: rec('e', 'SPY261120P00590000', 'OPEN', { underlying: 'SPY', strike: '590', expiry: { date: '2026-11-20', time: '16:00', zone: 'America/New_York', epochMs: 1 } }),
  };
  it('groups by underlying, stock first, then expiry and strike; hides closed unless asked', () => {
    expect(orderedKeys(records, 'open')).toEqual(['b', 'e', 'd', 'a']);
    expect(orderedKeys(records, 'all')).toEqual(['c', 'b', 'e', 'd', 'a']);
  });
  it('keeps the same array while the records object is the same, and when the order did not change', () => {
    const sel = makeKeysSelector('open');
    const first = sel(records);
    expect(sel(records)).toBe(first);
    // A new records object (e.g. a position_event changing quantities) with the same order.
    expect(sel({ ...records, a: { ...records.a } })).toBe(first);
    const next = sel({ ...records, f: rec('f', 'AAPL', 'OPEN', { underlying: 'AAPL', kind: 'stock' }) });
    expect(next).not.toBe(first);
    expect(next[0]).toBe('f');
  });
});
