/**
 * Display formatting — the one place where the renderer rounds anything, and only for display.
 *
 * Money arrives as exact decimal strings and is rounded once with the core's
 * `formatDecimalString` (never via a float). Unknown values are shown as "unknown", never as 0.
 */
import { formatDecimalString } from '@core/model/money';
import { looksLikeOcc, parseOcc } from '@core/model/occ';

export const UNKNOWN = 'unknown';
export const DASH = '—';

/** Tone of a signed value, for colouring P&L. `unknown` when there is no value. */
export type Tone = 'pos' | 'neg' | 'zero' | 'unknown';

/** The sign of an exact decimal string without converting it to a float. */
export function decimalTone(text: string | null | undefined): Tone {
  if (text === null || text === undefined) return 'unknown';
  const t = text.trim();
  if (!/[1-9]/.test(t.replace(/e.*$/i, ''))) return 'zero';
  return t.startsWith('-') ? 'neg' : 'pos';
}

export function numberTone(x: number | null | undefined): Tone {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'unknown';
  return x > 0 ? 'pos' : x < 0 ? 'neg' : 'zero';
}

/** Thousands separators on the integer part of an already rounded decimal string. */
function group(text: string): string {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const [int, frac] = body.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/**
 * Money for display: rounded to the currency's decimals, grouped, with an explicit sign when asked
 * (P&L). `null` → "unknown" — a missing P&L is never shown as 0.
 */
export function formatMoney(text: string | null | undefined, decimals: number, opts: { signed?: boolean } = {}): string {
  if (text === null || text === undefined) return UNKNOWN;
  let rounded = formatDecimalString(text, decimals);
  // "-0.00" after rounding a tiny negative reads as a loss; show it as zero.
  if (rounded.startsWith('-') && !/[1-9]/.test(rounded)) rounded = rounded.slice(1);
  const g = group(rounded);
  return opts.signed && !g.startsWith('-') && /[1-9]/.test(g) ? `+${g}` : g;
}

/**
 * A venue price as a number: at least 2 decimals, more only when the price has them (up to 4), so
 * a 0.0125 option premium is not shown as 0.01.
 */
export function formatPrice(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  for (let dp = 2; dp <= 4; dp++) {
    const s = v.toFixed(dp);
    if (Number(s) === v) return group(s);
  }
  return group(v.toFixed(4));
}

/** A computed display number (a mid, an interpolated level) to fixed decimals. */
export function formatFixed(v: number | null | undefined, dp = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return group(v.toFixed(dp));
}

export function formatPct(v: number | null | undefined, dp = 2, opts: { signed?: boolean } = {}): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const s = v.toFixed(dp);
  const zero = !/[1-9]/.test(s);
  if (zero) return `${(0).toFixed(dp)}%`;
  return `${opts.signed && v > 0 ? '+' : ''}${s}%`;
}

/**
 * P&L in points (price difference per unit): signed, at least 2 decimals, up to 4 when the value
 * has them. `null` → "—" (unknown, never 0).
 */
export function formatPoints(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  let s = v.toFixed(4).replace(/(\.\d\d\d?)0+$/, '$1').replace(/(\.\d\d)0$/, '$1');
  if (!/[1-9]/.test(s)) s = (0).toFixed(2);
  return `${v > 0 && /[1-9]/.test(s) ? '+' : ''}${group(s)}`;
}

/** "1 position", "2 positions", "0 legs": the count with the noun in the right number. */
/** A count with thousands separators: 12001 → "12,001". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, noun: string, pluralForm = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : pluralForm}`;
}

/** Quantity with sign for shorts; fractions kept as given (up to 4 decimals shown). */
export function formatQty(v: number, side?: 'BUY' | 'SELL'): string {
  const signed = side === 'SELL' ? -Math.abs(v) : v;
  const s = Number.isInteger(signed) ? String(signed) : String(Number(signed.toFixed(4)));
  return group(s);
}

export function formatDelta(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return v.toFixed(2);
}

/** A duration as a trader reads an age: 0.4s, 12s, 3m05s, 2h14m. */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 120) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export type AgeLevel = 'fresh' | 'aging' | 'stale';

/**
 * Freshness of a quote: stale past the threshold (red), aging past half of it (amber). A missing
 * quote is stale — it can never be trusted.
 */
export function ageLevel(ms: number | null | undefined, staleMs: number): AgeLevel {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms > staleMs) return 'stale';
  return ms > staleMs / 2 ? 'aging' : 'fresh';
}

/** Wall-clock time of day (local), e.g. 14:03:07. */
export function formatClock(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return DASH;
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Clock time with milliseconds, for event histories. */
export function formatClockMs(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return DASH;
  return `${formatClock(epochMs)}.${String(new Date(epochMs).getMilliseconds()).padStart(3, '0')}`;
}

export function formatDte(dte: number | null | undefined): string {
  if (dte === null || dte === undefined) return DASH;
  if (dte < 0) return `expired ${-dte}d ago`;
  return dte === 0 ? '0d (today)' : `${dte}d`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An option symbol as a trader reads it: "SPY261218P00550000" → "SPY 18 Dec 26 550 P"; anything
 * that is not an OCC symbol is returned as is (the exact symbol stays in the row's tooltip).
 */
export function contractLabel(symbol: string): string {
  if (!looksLikeOcc(symbol)) return symbol;
  try {
    const c = parseOcc(symbol);
    const [y, m, d] = c.expiry.split('-');
    const strike = String(c.strikeMilli / 1000);
    return `${c.root} ${Number(d)} ${MONTHS[Number(m) - 1]} ${y!.slice(2)} ${strike} ${c.right === 'call' ? 'C' : 'P'}`;
  } catch {
    return symbol;
  }
}
