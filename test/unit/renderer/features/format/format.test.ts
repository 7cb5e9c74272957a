import { describe, expect, it } from 'vitest';
import {
  ageLevel,
  decimalTone,
  formatAge,
  formatDte,
  formatMoney,
  formatPct,
  formatPrice,
  formatQty,
  numberTone,
} from '../../../../../src/renderer/src/features/format/format';

describe('formatMoney', () => {
  it('rounds once from the exact string, half away from zero, with grouping', () => {
    expect(formatMoney('1234567.125', 2)).toBe('1,234,567.13');
    expect(formatMoney('-1234.125', 2)).toBe('-1,234.13');
    expect(formatMoney('0.1', 2)).toBe('0.10');
    // Exact beyond float precision: a float would print 0.30000000000000004 → fine, but this one
    // would round wrongly through a double (1.005 is 1.00499999… as a float).
    expect(formatMoney('1.005', 2)).toBe('1.01');
  });
  it('signs P&L when asked, and never shows a rounded tiny loss as -0.00', () => {
    expect(formatMoney('12.5', 2, { signed: true })).toBe('+12.50');
    expect(formatMoney('-12.5', 2, { signed: true })).toBe('-12.50');
    expect(formatMoney('-0.001', 2, { signed: true })).toBe('0.00');
    expect(formatMoney('0', 2, { signed: true })).toBe('0.00');
  });
  it('shows unknown — never 0 — for a missing value', () => {
    expect(formatMoney(null, 2)).toBe('unknown');
    expect(formatMoney(undefined, 2, { signed: true })).toBe('unknown');
  });
  it('uses the currency decimals (crypto)', () => {
    expect(formatMoney('0.123456789', 8)).toBe('0.12345679');
  });
});

describe('tones', () => {
  it('reads the sign of a decimal string without a float', () => {
    expect(decimalTone('-0.0000000000000000001')).toBe('neg');
    expect(decimalTone('0.000')).toBe('zero');
    expect(decimalTone('-0')).toBe('zero');
    expect(decimalTone('5')).toBe('pos');
    expect(decimalTone(null)).toBe('unknown');
    expect(numberTone(-1)).toBe('neg');
    expect(numberTone(null)).toBe('unknown');
    expect(numberTone(Number.NaN)).toBe('unknown');
  });
});

describe('prices, percentages, quantities', () => {
  it('keeps a price’s significant decimals up to 4', () => {
    expect(formatPrice(585.2)).toBe('585.20');
    expect(formatPrice(0.0125)).toBe('0.0125');
    expect(formatPrice(1234.5)).toBe('1,234.50');
    expect(formatPrice(null)).toBe('—');
  });
  it('formats percentages with an explicit + for gains', () => {
    expect(formatPct(12.5, 2, { signed: true })).toBe('+12.50%');
    expect(formatPct(-3.2, 1)).toBe('-3.2%');
    expect(formatPct(-0.001, 2, { signed: true })).toBe('0.00%');
    expect(formatPct(null)).toBe('—');
  });
  it('shows shorts negative', () => {
    expect(formatQty(2, 'SELL')).toBe('-2');
    expect(formatQty(1500, 'BUY')).toBe('1,500');
    expect(formatQty(0.5)).toBe('0.5');
  });
  it('DTE', () => {
    expect(formatDte(0)).toBe('0d (today)');
    expect(formatDte(12)).toBe('12d');
    expect(formatDte(null)).toBe('—');
  });
});

describe('ages', () => {
  it('formats like a trader reads them', () => {
    expect(formatAge(420)).toBe('0.4s');
    expect(formatAge(12_900)).toBe('12s');
    expect(formatAge(185_000)).toBe('3m05s');
    expect(formatAge(2 * 3600_000 + 14 * 60_000)).toBe('2h14m');
    expect(formatAge(-5)).toBe('0.0s');
    expect(formatAge(null)).toBe('—');
  });
  it('turns amber past half the threshold and red past it; missing is stale', () => {
    expect(ageLevel(1000, 5000)).toBe('fresh');
    expect(ageLevel(2500, 5000)).toBe('fresh');
    expect(ageLevel(2501, 5000)).toBe('aging');
    expect(ageLevel(5000, 5000)).toBe('aging');
    expect(ageLevel(5001, 5000)).toBe('stale');
    expect(ageLevel(null, 5000)).toBe('stale');
  });
});

describe('points and plurals', () => {
  it('points: signed, 2–4 decimals, unknown as a dash (never 0)', async () => {
    const { formatPoints } = await import('../../../../../src/renderer/src/features/format/format');
    expect(formatPoints(0.65)).toBe('+0.65');
    expect(formatPoints(-0.7)).toBe('-0.70');
    expect(formatPoints(1.2345)).toBe('+1.2345');
    expect(formatPoints(0.125)).toBe('+0.125');
    expect(formatPoints(-0.00001)).toBe('0.00');
    expect(formatPoints(1234.5)).toBe('+1,234.50');
    expect(formatPoints(null)).toBe('—');
  });
  it('counts read right: "1 position", "2 positions", "1 leg", "0 legs"', async () => {
    const { plural } = await import('../../../../../src/renderer/src/features/format/format');
    expect(plural(1, 'position')).toBe('1 position');
    expect(plural(2, 'position')).toBe('2 positions');
    expect(plural(1, 'leg')).toBe('1 leg');
    expect(plural(0, 'leg')).toBe('0 legs');
    expect(plural(1200, 'quote')).toBe('1,200 quotes');
  });
});
