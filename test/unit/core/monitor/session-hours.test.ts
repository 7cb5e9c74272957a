// Issue 17 item 1's hours gate: exchange sessions in the exchange's zone (NYSE across DST, NSE/BSE),
// weekends, holidays and early closes as data, Delta 24/7, and the earliest-time gate's reasons.
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  HOLIDAY_COVERAGE,
  NSE_HOLIDAYS,
  NYSE_EARLY_CLOSES,
  NYSE_HOLIDAYS,
  defaultEarliest,
  isOpen,
  nextOpen,
  whyNotNow,
} from '../../../../src/core/monitor/session-hours';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('NYSE across New York DST', () => {
  it('opens 09:30 ET: 14:30Z before the spring change (EST), 13:30Z after it (EDT)', () => {
    // DST starts Sunday 2026-03-08
    expect(isOpen('NYSE', t('2026-03-06T14:29:59.999Z'))).toBe(false);
    expect(isOpen('NYSE', t('2026-03-06T14:30:00Z'))).toBe(true);
    expect(isOpen('NYSE', t('2026-03-09T13:29:59.999Z'))).toBe(false);
    expect(isOpen('NYSE', t('2026-03-09T13:30:00Z'))).toBe(true);
    // close 16:00 is exclusive
    expect(isOpen('NYSE', t('2026-03-09T19:59:59.999Z'))).toBe(true);
    expect(isOpen('NYSE', t('2026-03-09T20:00:00Z'))).toBe(false);
  });

  it('next open across the spring and autumn weekends lands on 09:30 local', () => {
    expect(iso(nextOpen('NYSE', t('2026-03-06T21:00:00Z')))).toBe('2026-03-09T13:30:00.000Z');
    // DST ends Sunday 2026-11-01
    expect(iso(nextOpen('NYSE', t('2026-10-30T20:00:00Z')))).toBe('2026-11-02T14:30:00.000Z');
    expect(isOpen('NYSE', t('2026-11-02T14:29:00Z'))).toBe(false);
    expect(isOpen('NYSE', t('2026-11-02T14:30:00Z'))).toBe(true);
  });

  it('open now: nextOpen is the instant itself', () => {
    expect(nextOpen('NYSE', t('2026-03-09T15:00:00Z'))).toBe(t('2026-03-09T15:00:00Z'));
  });

  it('weekend reason names the next open in ET', () => {
    expect(whyNotNow('NYSE', t('2026-03-07T15:00:00Z'))).toBe('outside NYSE hours: opens 09:30 ET Monday 2026-03-09');
    expect(whyNotNow('NYSE', t('2026-03-09T15:00:00Z'))).toBeNull();
  });
});

describe('NYSE holidays and early closes', () => {
  it('a holiday is closed all day, with its name and the next open', () => {
    expect(isOpen('NYSE', t('2026-07-03T15:00:00Z'))).toBe(false);
    expect(whyNotNow('NYSE', t('2026-07-03T15:00:00Z'))).toBe(
      'NYSE holiday: Independence Day (observed) (Friday 2026-07-03); opens 09:30 ET Monday 2026-07-06',
    );
    expect(iso(nextOpen('NYSE', t('2026-11-26T15:00:00Z')))).toBe('2026-11-27T14:30:00.000Z');
    expect(iso(nextOpen('NYSE', t('2027-12-23T21:30:00Z')))).toBe('2027-12-27T14:30:00.000Z');
  });

  it('the day after Thanksgiving closes at 13:00 ET and says so', () => {
    expect(isOpen('NYSE', t('2026-11-27T17:59:59Z'))).toBe(true);
    expect(isOpen('NYSE', t('2026-11-27T18:00:00Z'))).toBe(false);
    expect(whyNotNow('NYSE', t('2026-11-27T18:30:00Z'))).toBe(
      'outside NYSE hours (early close 13:00 ET: day after Thanksgiving); opens 09:30 ET Monday 2026-11-30',
    );
  });

  it('no earliest-time gate by default for NYSE', () => {
    expect(defaultEarliest('NYSE')).toBeNull();
    expect(whyNotNow('NYSE', t('2026-03-09T13:31:00Z'))).toBeNull();
    expect(whyNotNow('NYSE', t('2026-03-09T13:31:00Z'), { earliest: '09:45' })).toBe('before the earliest time 09:45 ET');
  });
});

describe('NSE / BSE (Asia/Kolkata, no DST)', () => {
  // Sunday 2026-12-06 14:01 IST
  const SUNDAY = t('2026-12-06T08:31:00Z');
  const MON_0915 = t('2026-12-07T03:45:00Z');

  it('weekend: opens 09:15 IST Monday', () => {
    expect(isOpen('NSE', SUNDAY)).toBe(false);
    expect(whyNotNow('NSE', SUNDAY)).toBe('outside NSE hours: opens 09:15 IST Monday 2026-12-07');
    expect(nextOpen('NSE', SUNDAY)).toBe(MON_0915);
  });

  it('09:15–15:30 IST, close exclusive', () => {
    expect(isOpen('NSE', MON_0915 - 1)).toBe(false);
    expect(isOpen('NSE', MON_0915)).toBe(true);
    expect(isOpen('NSE', t('2026-12-07T09:59:59.999Z'))).toBe(true);
    expect(isOpen('NSE', t('2026-12-07T10:00:00Z'))).toBe(false);
    expect(whyNotNow('NSE', t('2026-12-07T10:00:00Z'))).toBe('outside NSE hours: opens 09:15 IST Tuesday 2026-12-08');
  });

  it('the earliest-time gate: 09:26 IST by default, configurable, or off', () => {
    expect(defaultEarliest('NSE')).toBe('09:26');
    expect(whyNotNow('NSE', t('2026-12-07T03:55:59Z'))).toBe('before the earliest time 09:26 IST');
    expect(whyNotNow('NSE', t('2026-12-07T03:56:00Z'))).toBeNull();
    expect(whyNotNow('NSE', t('2026-12-07T03:50:00Z'), { earliest: null })).toBeNull();
    expect(whyNotNow('NSE', t('2026-12-07T03:50:00Z'), { earliest: '09:40' })).toBe('before the earliest time 09:40 IST');
    // outside hours wins over the earliest time
    expect(whyNotNow('NSE', t('2026-12-07T03:00:00Z'))).toBe('outside NSE hours: opens 09:15 IST Monday 2026-12-07');
    expect(() => whyNotNow('NSE', MON_0915, { earliest: '9:26' })).toThrow(/NSE earliest time: expected HH:mm \(24 h\), got "9:26"/);
  });

  it('holidays: Christmas Friday → Monday; Diwali Balipratipada; BSE follows NSE', () => {
    expect(whyNotNow('NSE', t('2026-12-25T05:00:00Z'))).toBe('NSE holiday: Christmas (Friday 2026-12-25); opens 09:15 IST Monday 2026-12-28');
    expect(isOpen('NSE', t('2026-11-10T05:00:00Z'))).toBe(false);
    expect(isOpen('NSE', t('2026-11-09T05:00:00Z'))).toBe(true);
    expect(whyNotNow('BSE', t('2026-11-10T05:00:00Z'))).toBe(
      'BSE holiday: Diwali-Balipratipada (Tuesday 2026-11-10); opens 09:15 IST Wednesday 2026-11-11',
    );
  });

  it('a year beyond the calendar still follows weekdays (coverage is data, not a guess)', () => {
    expect(HOLIDAY_COVERAGE.NSE[2027]).toBe('partial');
    expect(HOLIDAY_COVERAGE.NSE[2028]).toBeUndefined();
    expect(iso(nextOpen('NSE', t('2028-01-08T05:00:00Z')))).toBe('2028-01-10T03:45:00.000Z');
  });
});

describe('Delta Exchange (24/7)', () => {
  it('always open, never gated by default', () => {
    for (const at of ['2026-12-06T08:31:00Z', '2026-12-25T00:00:00Z', '2026-03-08T07:00:00Z']) {
      expect(isOpen('DELTA', t(at))).toBe(true);
      expect(nextOpen('DELTA', t(at))).toBe(t(at));
      expect(whyNotNow('DELTA', t(at))).toBeNull();
    }
  });
});

describe('calendar data', () => {
  it('every holiday and early close is a weekday of 2026–2027 (a typo in the table would show here)', () => {
    for (const [zone, dates] of [
      ['America/New_York', [...NYSE_HOLIDAYS.keys(), ...NYSE_EARLY_CLOSES.keys()]],
      ['Asia/Kolkata', [...NSE_HOLIDAYS.keys()]],
    ] as const) {
      for (const d of dates) {
        const day = DateTime.fromISO(d, { zone });
        expect(day.isValid, d).toBe(true);
        expect(day.weekday, d).toBeLessThan(6);
        expect([2026, 2027], d).toContain(day.year);
      }
    }
    expect(NYSE_HOLIDAYS.size).toBe(20);
    expect([...NSE_HOLIDAYS.keys()].filter((d) => d.startsWith('2026'))).toHaveLength(16);
  });
});
