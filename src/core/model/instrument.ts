/**
 * The canonical instrument every venue's symbols resolve to. An instrument knows what P&L and
 * greeks need: underlying, expiry (with the exchange's time zone and expiry time), strike, right,
 * multiplier, currency and tick size. Built by the per-venue symbol modules (occ.ts, nse.ts,
 * delta-symbols.ts, alpaca-symbols.ts).
 */
import { DateTime } from 'luxon';
import type { Currency, Multiplier, Price } from './money';

export type Venue = 'alpaca' | 'smartapi' | 'delta' | 'sim';
export type InstrumentKind = 'stock' | 'option' | 'future' | 'perpetual' | 'index';
export type OptionRight = 'call' | 'put';

export interface Expiry {
  /** Calendar date of expiry in the exchange's time zone, YYYY-MM-DD. */
  date: string;
  /** Local expiry/settlement time in the exchange's time zone, HH:mm. */
  time: string;
  /** IANA time zone of the exchange, e.g. America/New_York, Asia/Kolkata, UTC. */
  zone: string;
  /** The same instant as epoch milliseconds. */
  epochMs: number;
}

export interface Instrument {
  /** The venue's own symbol (compact OCC for Alpaca, trading symbol for SmartAPI, product symbol for Delta). */
  symbol: string;
  venue: Venue;
  kind: InstrumentKind;
  underlying: string;
  expiry: Expiry | null;
  strike: Price | null;
  right: OptionRight | null;
  /** Money per 1.0 of price per 1 quantity: 100 (US options), lot size (NSE, quantities in lots), contract value (Delta). */
  multiplier: Multiplier;
  currency: Currency;
  tickSize: Price;
  /** Venue token / product id when the venue addresses instruments by one (SmartAPI token, Delta product id). */
  token?: string;
  /** Exchange segment, e.g. NFO, BFO (SmartAPI). */
  exchange?: string;
  /** NSE lot size in units, when quantities are counted in lots. */
  lotSize?: number;
}

/** Thrown for any symbol that cannot be parsed or built; names the symbol and what is wrong. */
export class InstrumentError extends Error {
  constructor(
    readonly symbol: string,
    readonly reason: string,
  ) {
    super(`invalid instrument ${JSON.stringify(symbol)}: ${reason}`);
    this.name = 'InstrumentError';
  }
}

export const EXCHANGE_ZONES = {
  us: 'America/New_York',
  india: 'Asia/Kolkata',
  utc: 'UTC',
} as const;

/** Builds an Expiry from a local date and time in a zone; throws InstrumentError on an impossible date. */
export function makeExpiry(symbol: string, date: string, time: string, zone: string): Expiry {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new InstrumentError(symbol, `expiry ${date} ${time} ${zone} is not a valid date/time (${dt.invalidExplanation ?? dt.invalidReason})`);
  return { date, time, zone, epochMs: dt.toMillis() };
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const dim = DateTime.utc(year, month, 1).daysInMonth ?? 0;
  return day <= dim;
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Days to expiry in the exchange's calendar: the number of calendar days from `now`'s date in the
 * exchange time zone to the expiry date (0 on expiry day, negative once past). Time comes from the
 * caller (the core never reads the wall clock).
 */
export function daysToExpiry(expiry: Expiry, nowMs: number): number {
  // Hot path (every revaluation of every option position): time-zone arithmetic is slow, so the
  // answer is cached per (zone, date) together with the span of instants — one exchange-calendar
  // day — for which it holds.
  const key = `${expiry.zone}|${expiry.date}`;
  const hit = dteCache.get(key);
  if (hit && nowMs >= hit.from && nowMs < hit.to) return hit.days;
  const now = DateTime.fromMillis(nowMs, { zone: expiry.zone });
  const today = now.startOf('day');
  const exp = DateTime.fromISO(expiry.date, { zone: expiry.zone }).startOf('day');
  const days = Math.round(exp.diff(today, 'days').days);
  if (dteCache.size > 4096) dteCache.clear();
  dteCache.set(key, { from: today.toMillis(), to: today.plus({ days: 1 }).toMillis(), days });
  return days;
}

const dteCache = new Map<string, { from: number; to: number; days: number }>();

/** Time to expiry in years (365-day years, from the exact expiry instant), floored at 0. */
export function yearsToExpiry(expiry: Expiry, nowMs: number): number {
  return Math.max(0, expiry.epochMs - nowMs) / (365 * 24 * 3600 * 1000);
}

export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

export function monthIndex(mmm: string): number {
  return MONTHS.indexOf(mmm.toUpperCase() as (typeof MONTHS)[number]) + 1;
}
