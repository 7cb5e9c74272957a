/**
 * Exchange sessions for the monitoring cycle's hours gate (spec §8, issue 17): when an account's
 * exchange is open, when it next opens, and why a cycle may not run now. Pure: the time is given
 * (epoch ms), zones come from luxon's IANA data, the holiday calendars are data below.
 *
 * Not modelled: pre-open / closing sessions, NSE's Muhurat trading (a special evening session on a
 * holiday), unscheduled closures. Calendars must be extended each year (see HOLIDAY_COVERAGE).
 */
import { DateTime } from 'luxon';

/** `SIM`: the simulated venue, which trades around the clock (like DELTA); it has no exchange hours. */
export type Exchange = 'NYSE' | 'NSE' | 'BSE' | 'DELTA' | 'SIM';

interface Session {
  readonly zone: string;
  /** Short zone label for messages. */
  readonly label: string;
  readonly open: string;
  readonly close: string;
  /** ISO date (exchange zone) → name. */
  readonly holidays: ReadonlyMap<string, string>;
  /** ISO date → the early close time and why. */
  readonly earlyCloses: ReadonlyMap<string, { close: string; name: string }>;
}

/**
 * NYSE full-day holidays 2026–2027 (NYSE's published calendar; observed dates when the holiday falls
 * on a weekend). New Year's Day 2028 falls on a Saturday and is not observed on 2027-12-31.
 */
export const NYSE_HOLIDAYS: ReadonlyMap<string, string> = new Map([
  ['2026-01-01', "New Year's Day"],
  ['2026-01-19', 'Martin Luther King Jr. Day'],
  ['2026-02-16', "Washington's Birthday"],
  ['2026-04-03', 'Good Friday'],
  ['2026-05-25', 'Memorial Day'],
  ['2026-06-19', 'Juneteenth'],
  ['2026-07-03', 'Independence Day (observed)'],
  ['2026-09-07', 'Labor Day'],
  ['2026-11-26', 'Thanksgiving Day'],
  ['2026-12-25', 'Christmas Day'],
  ['2027-01-01', "New Year's Day"],
  ['2027-01-18', 'Martin Luther King Jr. Day'],
  ['2027-02-15', "Washington's Birthday"],
  ['2027-03-26', 'Good Friday'],
  ['2027-05-31', 'Memorial Day'],
  ['2027-06-18', 'Juneteenth (observed)'],
  ['2027-07-05', 'Independence Day (observed)'],
  ['2027-09-06', 'Labor Day'],
  ['2027-11-25', 'Thanksgiving Day'],
  ['2027-12-24', 'Christmas Day (observed)'],
]);

/** NYSE early closes (13:00 ET) 2026–2027. */
export const NYSE_EARLY_CLOSES: ReadonlyMap<string, { close: string; name: string }> = new Map([
  ['2026-11-27', { close: '13:00', name: 'day after Thanksgiving' }],
  ['2026-12-24', { close: '13:00', name: 'Christmas Eve' }],
  ['2027-11-26', { close: '13:00', name: 'day after Thanksgiving' }],
]);

/**
 * NSE equity trading holidays on weekdays. 2026: NSE's published list (its circular of December
 * 2025; weekend holidays omitted; 2026-11-08 Diwali Laxmi Pujan is a Sunday with Muhurat trading,
 * not modelled). 2027: PARTIAL — NSE publishes the year's list in mid-December; until then only the
 * fixed-date weekday holidays and Good Friday are here. BSE follows the same list.
 */
export const NSE_HOLIDAYS: ReadonlyMap<string, string> = new Map([
  ['2026-01-15', 'Municipal Corporation Election - Maharashtra'],
  ['2026-01-26', 'Republic Day'],
  ['2026-03-03', 'Holi'],
  ['2026-03-26', 'Shri Ram Navami'],
  ['2026-03-31', 'Shri Mahavir Jayanti'],
  ['2026-04-03', 'Good Friday'],
  ['2026-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'],
  ['2026-05-01', 'Maharashtra Day'],
  ['2026-05-28', 'Bakri Id'],
  ['2026-06-26', 'Muharram'],
  ['2026-09-14', 'Ganesh Chaturthi'],
  ['2026-10-02', 'Mahatma Gandhi Jayanti'],
  ['2026-10-20', 'Dussehra'],
  ['2026-11-10', 'Diwali-Balipratipada'],
  ['2026-11-24', 'Prakash Gurpurb Sri Guru Nanak Dev'],
  ['2026-12-25', 'Christmas'],
  ['2027-01-26', 'Republic Day'],
  ['2027-03-26', 'Good Friday'],
  ['2027-04-14', 'Dr. Baba Saheb Ambedkar Jayanti'],
]);

/** How complete each calendar is per year: 'partial' years lack the exchange's published list. */
export const HOLIDAY_COVERAGE: Readonly<Record<Exchange, Readonly<Record<number, 'complete' | 'partial'>>>> = {
  NYSE: { 2026: 'complete', 2027: 'complete' },
  NSE: { 2026: 'complete', 2027: 'partial' },
  BSE: { 2026: 'complete', 2027: 'partial' },
  SIM: {},
  DELTA: {},
};

const NONE = new Map<string, never>();
const INDIA: Omit<Session, 'holidays'> = { zone: 'Asia/Kolkata', label: 'IST', open: '09:15', close: '15:30', earlyCloses: NONE };

/** null: trades around the clock (Delta Exchange, 24/7). */
const SESSIONS: Record<Exchange, Session | null> = {
  NYSE: { zone: 'America/New_York', label: 'ET', open: '09:30', close: '16:00', holidays: NYSE_HOLIDAYS, earlyCloses: NYSE_EARLY_CLOSES },
  NSE: { ...INDIA, holidays: NSE_HOLIDAYS },
  BSE: { ...INDIA, holidays: NSE_HOLIDAYS },
  DELTA: null,
  SIM: null,
};

/** The exchange's zone (UTC for the 24/7 venue). */
export function exchangeZone(exchange: Exchange): string {
  return SESSIONS[exchange]?.zone ?? 'UTC';
}

/** The default earliest time of the gate: 09:26 for Indian exchange accounts, none elsewhere. */
export function defaultEarliest(exchange: Exchange): string | null {
  return exchange === 'NSE' || exchange === 'BSE' ? '09:26' : null;
}

function hhmm(text: string, what: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`${what}: expected HH:mm (24 h), got "${text}"`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

const at = (day: DateTime, time: string, what: string) => day.set({ ...hhmm(time, what), second: 0, millisecond: 0 });

/** The day's session in ms, or why there is none (weekend / holiday). */
function dayWindow(s: Session, day: DateTime): { open: number; close: number; early?: string } | { closed: string } {
  if (day.weekday >= 6) return { closed: 'weekend' };
  const iso = day.toISODate()!;
  const holiday = s.holidays.get(iso);
  if (holiday !== undefined) return { closed: `holiday: ${holiday}` };
  const early = s.earlyCloses.get(iso);
  return {
    open: at(day, s.open, 'session open').toMillis(),
    close: at(day, early?.close ?? s.close, 'session close').toMillis(),
    ...(early ? { early: `early close ${early.close} ${s.label}: ${early.name}` } : {}),
  };
}

/** Is the exchange's regular session open at `epochMs` (open inclusive, close exclusive)? */
export function isOpen(exchange: Exchange, epochMs: number): boolean {
  const s = SESSIONS[exchange];
  if (!s) return true;
  const w = dayWindow(s, DateTime.fromMillis(epochMs, { zone: s.zone }).startOf('day'));
  return 'open' in w && epochMs >= w.open && epochMs < w.close;
}

/** `epochMs` itself when open now, else when the session next opens. */
export function nextOpen(exchange: Exchange, epochMs: number): number {
  const s = SESSIONS[exchange];
  if (!s) return epochMs;
  let day = DateTime.fromMillis(epochMs, { zone: s.zone }).startOf('day');
  // the longest run of closed days in any calendar is well under two weeks; 30 bounds a bad table
  for (let i = 0; i < 30; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const w = dayWindow(s, day);
    if (!('open' in w) || epochMs >= w.close) continue;
    return Math.max(epochMs, w.open);
  }
  throw new Error(`${exchange}: no session within 30 days of ${DateTime.fromMillis(epochMs, { zone: s.zone }).toISO()} (holiday table wrong?)`);
}

const describeOpen = (s: Session, ms: number) =>
  `opens ${s.open} ${s.label} ${DateTime.fromMillis(ms, { zone: s.zone }).setLocale('en-US').toFormat('cccc yyyy-MM-dd')}`;

export interface GateOptions {
  /** Earliest time of day (HH:mm, exchange zone) a cycle may run; undefined → the exchange default; null → none. */
  readonly earliest?: string | null;
}

/** null when a cycle may run at `epochMs`; otherwise the reason, for the Monitor page. */
export function whyNotNow(exchange: Exchange, epochMs: number, opts: GateOptions = {}): string | null {
  const s = SESSIONS[exchange];
  const zone = s?.zone ?? 'UTC';
  const earliest = opts.earliest === undefined ? defaultEarliest(exchange) : opts.earliest;
  if (s && !isOpen(exchange, epochMs)) {
    const local = DateTime.fromMillis(epochMs, { zone: s.zone });
    const w = dayWindow(s, local.startOf('day'));
    const next = describeOpen(s, nextOpen(exchange, epochMs));
    if ('closed' in w && w.closed !== 'weekend') {
      return `${exchange} ${w.closed} (${local.setLocale('en-US').toFormat('cccc yyyy-MM-dd')}); ${next}`;
    }
    if ('early' in w && w.early !== undefined && epochMs >= w.close) return `outside ${exchange} hours (${w.early}); ${next}`;
    return `outside ${exchange} hours: ${next}`;
  }
  if (earliest !== null) {
    const local = DateTime.fromMillis(epochMs, { zone });
    if (epochMs < at(local.startOf('day'), earliest, `${exchange} earliest time`).toMillis()) {
      return `before the earliest time ${earliest} ${s?.label ?? 'UTC'}`;
    }
  }
  return null;
}

/** The exchange day `ms` falls in: its start (epoch ms, midnight in the exchange's zone) and its date (YYYY-MM-DD there). */
export function exchangeDay(exchange: Exchange, ms: number): { start: number; date: string } {
  const day = DateTime.fromMillis(ms, { zone: exchangeZone(exchange) }).startOf('day');
  return { start: day.toMillis(), date: day.toISODate() ?? '' };
}
