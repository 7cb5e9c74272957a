/**
 * Times of a strategy run (issue 18; spec §9), in the exchange's zone: the next scheduled entry, the
 * forced exit and the re-entry cut-off of an entry's day. Pure: the time is given (epoch ms); zones
 * come from luxon's IANA data through session-hours' `exchangeZone`.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS, type StrategyDefinition } from './definition';
import { exchangeDay, exchangeZone, nextOpen, type Exchange } from '../monitor/session-hours';

function hm(text: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`time of day: expected HH:mm, got "${text}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** `time` (HH:mm) on the exchange day of `dayMs`, in epoch ms. */
export function atTimeOfDay(exchange: Exchange, dayMs: number, time: string): number {
  return DateTime.fromMillis(dayMs, { zone: exchangeZone(exchange) }).startOf('day').set({ ...hm(time), second: 0, millisecond: 0 }).toMillis();
}

/** Is the exchange day of `dayStartMs` a trading day (not a weekend or holiday of the exchange's calendar)? */
function tradingDay(exchange: Exchange, dayStartMs: number): boolean {
  const date = exchangeDay(exchange, dayStartMs).date;
  try {
    return exchangeDay(exchange, nextOpen(exchange, dayStartMs)).date === date;
  } catch {
    return false;
  }
}

/**
 * The next scheduled entry at or after `now`: `schedule.entry_time` on one of `schedule.days` that is
 * a trading day of the exchange (holidays are skipped), in the exchange's zone. Null when none within
 * 30 days (a calendar problem; the run says so).
 */
export function nextEntryAt(def: StrategyDefinition, exchange: Exchange, now: number): number | null {
  const zone = exchangeZone(exchange);
  let day = DateTime.fromMillis(now, { zone }).startOf('day');
  for (let i = 0; i < 30; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const weekday = WEEKDAYS[day.weekday - 1];
    if (weekday === undefined || !def.schedule.days.includes(weekday)) continue;
    const at = day.set({ ...hm(def.schedule.entry_time), second: 0, millisecond: 0 }).toMillis();
    if (at < now) continue;
    if (!tradingDay(exchange, day.toMillis())) continue;
    return at;
  }
  return null;
}

/** The forced exit of an entry started at `entryAt`: `forced_exit_time` that day, or the next day's when that is not after the entry. */
export function forcedExitAt(def: StrategyDefinition, exchange: Exchange, entryAt: number): number | null {
  const t = def.exits.forced_exit_time;
  if (t === null) return null;
  const same = atTimeOfDay(exchange, entryAt, t);
  if (same > entryAt) return same;
  return DateTime.fromMillis(same, { zone: exchangeZone(exchange) }).plus({ days: 1 }).toMillis();
}

/**
 * The re-entry cut-off of a run whose first entry started at `firstEntryAt`: `reentry.cutoff_time`
 * that day; when null, the forced exit time; when both are null, none (Infinity).
 */
export function reentryCutoffAt(def: StrategyDefinition, exchange: Exchange, firstEntryAt: number): number {
  if (def.reentry.cutoff_time !== null) return atTimeOfDay(exchange, firstEntryAt, def.reentry.cutoff_time);
  return forcedExitAt(def, exchange, firstEntryAt) ?? Number.POSITIVE_INFINITY;
}
