import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { daysToExpiry, makeExpiry } from '../../../../src/core/model/instrument';

// daysToExpiry caches per (zone, date) and the exchange-calendar day the answer holds for (the
// renderer revalues hundreds of positions per tick). The cache must agree with a fresh computation
// at every instant, across midnights and DST changes, in any call order.
function reference(date: string, zone: string, nowMs: number): number {
  const today = DateTime.fromMillis(nowMs, { zone }).startOf('day');
  return Math.round(DateTime.fromISO(date, { zone }).startOf('day').diff(today, 'days').days);
}

describe('daysToExpiry (cached)', () => {
  const cases = [
    makeExpiry('X', '2026-12-18', '16:00', 'America/New_York'),
    makeExpiry('Y', '2026-11-05', '15:30', 'Asia/Kolkata'),
    makeExpiry('Z', '2026-03-09', '16:00', 'America/New_York'),
  ];
  it('matches a fresh computation hour by hour over weeks, in both directions', () => {
    const start = Date.UTC(2026, 1, 25);
    const hours = 24 * 50;
    const times = Array.from({ length: hours }, (_, h) => start + h * 3_600_000 + 59 * 60_000);
    for (const t of [...times, ...times.reverse()]) for (const e of cases) expect(daysToExpiry(e, t)).toBe(reference(e.date, e.zone, t));
  });
  it('is right just before and after midnight in the exchange zone', () => {
    const e = cases[0]!;
    const midnight = DateTime.fromISO('2026-12-10T00:00', { zone: e.zone }).toMillis();
    expect(daysToExpiry(e, midnight - 1)).toBe(9);
    expect(daysToExpiry(e, midnight)).toBe(8);
    expect(daysToExpiry(e, midnight - 1)).toBe(9);
  });
});
