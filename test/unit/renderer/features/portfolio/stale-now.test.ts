import { describe, expect, it } from 'vitest';
import { countStaleNow, isStaleNow, structureStaleNow } from '../../../../../src/renderer/src/features/portfolio/stale-now';
import type { LivePosition } from '../../../../../src/shared/contract';

const pos = (over: Partial<LivePosition>): LivePosition => ({ status: 'OPEN', unrealized_value: '10', quote_received_at: 1000, ...over }) as LivePosition;

describe('stale at now (after the last tick)', () => {
  it('a known open P&L turns unknown once its quote ages past the threshold', () => {
    expect(isStaleNow(pos({}), 6000, 5000)).toBe(false);
    expect(isStaleNow(pos({}), 6001, 5000)).toBe(true);
  });
  it('closed positions and already-unknown values are not counted', () => {
    expect(isStaleNow(pos({ status: 'CLOSED' }), 99_999, 5000)).toBe(false);
    expect(isStaleNow(pos({ unrealized_value: null }), 99_999, 5000)).toBe(false);
    expect(isStaleNow(pos({ quote_received_at: null }), 99_999, 5000)).toBe(false);
  });
  it('counts across positions', () => {
    expect(countStaleNow({ a: pos({}), b: pos({ quote_received_at: 9000 }), c: pos({ status: 'CLOSED' }) }, 10_000, 5000)).toBe(1);
  });
  it('structures: by the oldest leg quote', () => {
    expect(structureStaleNow(1000, '5', 7000, 5000)).toBe(true);
    expect(structureStaleNow(1000, null, 7000, 5000)).toBe(false);
    expect(structureStaleNow(3000, '5', 7000, 5000)).toBe(false);
  });
});
