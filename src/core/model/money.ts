/**
 * Exact price, quantity and money arithmetic: the one place where scales and rounding live.
 *
 * Every value is a `bigint` count of a fixed smallest unit (fixed-point). The scales are chosen so
 * that the only operations P&L needs — add, subtract, multiply, and the mid of two prices — are
 * exact, with no rounding anywhere until a value is displayed:
 *
 *   Price      10^-10            (venue prices have at most 10 decimals)
 *   Qty        10^-9             (fractional shares / crypto sizes)
 *   Multiplier 10^-6             (100, a lot size, or a contract value such as 0.001 BTC)
 *   Units      10^-15 = Qty × Multiplier   (quantity in priced units, e.g. 2 contracts × 100)
 *   Money      10^-26 = Price × Units × 10 (the extra digit makes a mid, (bid+ask)/2, exact)
 *
 * Conversion from a venue's JS number is exact for the decimal the venue meant: we take the number's
 * shortest round-trip decimal (what `String(x)` prints), never `x * 1e8`. A value with more decimals
 * than its scale is an error naming the value, never a silent rounding. Division happens only for
 * display figures (averages, percentages, points) through `divRound`, which says how it rounds.
 *
 * See docs/money.md for the choice and why.
 */

declare const brand: unique symbol;
type Branded<K extends string> = bigint & { readonly [brand]: K };

export type Price = Branded<'Price'>;
export type Qty = Branded<'Qty'>;
export type Multiplier = Branded<'Multiplier'>;
export type Units = Branded<'Units'>;
export type Money = Branded<'Money'>;

export const PRICE_DP = 10;
export const QTY_DP = 9;
export const MULT_DP = 6;
export const UNITS_DP = QTY_DP + MULT_DP;
export const MONEY_DP = PRICE_DP + UNITS_DP + 1;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 60; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint (n ≤ 60). */
export function pow10(n: number): bigint {
  const p = POW10[n];
  if (p === undefined) throw new RangeError(`pow10(${n}) out of range`);
  return p;
}

export const PRICE_ONE = POW10[PRICE_DP]! as Price;
export const QTY_ONE = POW10[QTY_DP]! as Qty;
export const MULT_ONE = POW10[MULT_DP]! as Multiplier;
export const ZERO_MONEY = 0n as Money;
export const ZERO_QTY = 0n as Qty;

export class DecimalError extends Error {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${reason}: ${value}`);
    this.name = 'DecimalError';
  }
}

// ---------- parsing ----------

const DECIMAL = /^([+-])?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal string (optionally with an exponent, as `String(number)` may print) into an
 * integer count of 10^-dp units. Throws DecimalError when the value has more than `dp` decimals.
 */
export function parseScaled(text: string, dp: number, what = 'decimal'): bigint {
  const r = scan(text, dp);
  if (typeof r === 'bigint') return r;
  if (r === -1) throw new DecimalError(JSON.stringify(text), `${what} is not a decimal number`);
  throw new DecimalError(text, `${what} has ${r} decimal places; at most ${dp} are supported`);
}

/** parseScaled without exceptions (hot path): null when not a decimal or too many decimals. */
export function tryParseScaled(text: string, dp: number): bigint | null {
  const r = scan(text, dp);
  return typeof r === 'bigint' ? r : null;
}

/** The value, or -1 (not a decimal), or the number of decimals when there are more than dp. */
function scan(text: string, dp: number): bigint | number {
  const m = DECIMAL.exec(text.trim());
  if (!m) return -1;
  const sign = m[1] === '-' ? -1n : 1n;
  const body = m[2]!;
  const exp = m[3] ? Number(m[3]) : 0;
  const dot = body.indexOf('.');
  let intPart = dot < 0 ? body : body.slice(0, dot);
  let frac = dot < 0 ? '' : body.slice(dot + 1);
  // Apply the exponent by moving the decimal point.
  if (exp > 0) {
    const moved = frac.slice(0, exp).padEnd(exp, '0');
    intPart += moved;
    frac = frac.slice(exp);
  } else if (exp < 0) {
    const n = -exp;
    const padded = intPart.padStart(n + 1, '0');
    frac = padded.slice(padded.length - n) + frac;
    intPart = padded.slice(0, padded.length - n);
  }
  frac = frac.replace(/0+$/, '');
  if (frac.length > dp) return frac.length;
  const digits = (intPart.replace(/^0+(?=\d)/, '') || '0') + frac.padEnd(dp, '0');
  return sign * BigInt(digits);
}

/**
 * Exact scaled integer of a JS number: the decimal the number's shortest round-trip string denotes.
 * Fast path without strings when it is provably the same answer (see docs/money.md).
 */
export function numberToScaled(x: number, dp: number, what = 'decimal'): bigint {
  if (!Number.isFinite(x)) throw new DecimalError(String(x), `${what} is not a finite number`);
  const scale = FAST_SCALE[dp];
  if (scale !== undefined && Math.abs(x) < FAST_LIMIT[dp]!) {
    const n = Math.round(x * scale);
    // n / scale is correctly rounded, so equality means the ≤dp-decimal n·10^-dp round-trips to x;
    // below FAST_LIMIT adjacent doubles are closer than 10^-dp, so that decimal is the shortest one.
    if (n / scale === x) return BigInt(n);
  }
  return parseScaled(String(x), dp, what);
}

const FAST_SCALE: Record<number, number> = {};
const FAST_LIMIT: Record<number, number> = {};
for (let dp = 0; dp <= 12; dp++) {
  FAST_SCALE[dp] = 10 ** dp;
  // Largest power of two whose ulp (2^(e-52)) is below 10^-dp, and with |x|·10^dp < 2^53.
  let limit = 2 ** 52;
  while (limit > 1 && (limit * 2 ** -52 >= 10 ** -dp || limit * 10 ** dp >= 2 ** 53)) limit /= 2;
  FAST_LIMIT[dp] = limit;
}

const PRICE_FAST_LIMIT = FAST_LIMIT[PRICE_DP]!;

function fromInput(x: number | string, dp: number, what: string): bigint {
  return typeof x === 'number' ? numberToScaled(x, dp, what) : parseScaled(x, dp, what);
}

export function price(x: number | string): Price {
  return fromInput(x, PRICE_DP, 'price') as Price;
}

export function qty(x: number | string): Qty {
  return fromInput(x, QTY_DP, 'quantity') as Qty;
}

export function multiplier(x: number | string): Multiplier {
  const m = fromInput(x, MULT_DP, 'multiplier');
  if (m <= 0n) throw new DecimalError(String(x), 'multiplier must be positive');
  return m as Multiplier;
}

/** Money from a decimal amount (e.g. a fee of "0.65" or a cost of "-290.00"). */
export function money(x: number | string): Money {
  return fromInput(x, MONEY_DP, 'money') as Money;
}

/** Price from a venue number without throwing (hot path): null when it is not an exact ≤10-dp decimal. */
export function tryPrice(x: number): Price | null {
  if (!Number.isFinite(x)) return null;
  if (Math.abs(x) < PRICE_FAST_LIMIT) {
    const n = Math.round(x * 1e10);
    if (n / 1e10 === x) return BigInt(n) as Price;
  }
  return tryParseScaled(String(x), PRICE_DP) as Price | null;
}

// ---------- exact arithmetic ----------

/** Quantity in priced units: qty × multiplier (exact). */
export function toUnits(q: Qty, m: Multiplier): Units {
  return (q * m) as Units;
}

/** price × units in money (exact). */
export function notional(p: Price, u: Units): Money {
  return (p * u * 10n) as Money;
}

/** ((bid + ask) / 2) × units in money — exact thanks to the extra money digit. */
export function midNotional(bid: Price, ask: Price, u: Units): Money {
  return ((bid + ask) * u * 5n) as Money;
}

export function addMoney(a: Money, b: Money): Money {
  return (a + b) as Money;
}

export function subMoney(a: Money, b: Money): Money {
  return (a - b) as Money;
}

export function negMoney(a: Money): Money {
  return -a as Money;
}

export function sumMoney(values: Iterable<Money>): Money {
  let s = 0n;
  for (const v of values) s += v;
  return s as Money;
}

export function absBig<T extends bigint>(a: T): T {
  return (a < 0n ? -a : a) as T;
}

// ---------- division and rounding (display only) ----------

export type RoundingMode = 'half-even' | 'half-up';

/**
 * num / den rounded to an integer. 'half-up' rounds ties away from zero (what a trader expects on
 * a statement: 0.125 → 0.13, −0.125 → −0.13); 'half-even' is banker's rounding.
 */
export function divRound(num: bigint, den: bigint, mode: RoundingMode = 'half-up'): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const neg = num < 0n;
  const a = neg ? -num : num;
  let q = a / den;
  const r2 = (a % den) * 2n;
  if (r2 > den || (r2 === den && (mode === 'half-up' || q % 2n === 1n))) q += 1n;
  return neg ? -q : q;
}

/** Rescales a value from `fromDp` to `toDp` decimals (exact when widening, rounded when narrowing). */
export function rescale(value: bigint, fromDp: number, toDp: number, mode: RoundingMode = 'half-up'): bigint {
  if (toDp >= fromDp) return value * pow10(toDp - fromDp);
  return divRound(value, pow10(fromDp - toDp), mode);
}

// ---------- strings ----------

/** Exact decimal string of `value`·10^-dp with trailing zeros removed (e.g. "-78.45", "100"). */
export function scaledToString(value: bigint, dp: number): string {
  const neg = value < 0n;
  let s = (neg ? -value : value).toString();
  if (dp > 0) {
    s = s.padStart(dp + 1, '0');
    const int = s.slice(0, s.length - dp);
    const frac = s.slice(s.length - dp).replace(/0+$/, '');
    s = frac ? `${int}.${frac}` : int;
  }
  return neg && s !== '0' ? `-${s}` : s;
}

/** Fixed-decimals string (rounded, for display): `value`·10^-dp to `decimals` places. */
export function scaledToFixed(value: bigint, dp: number, decimals: number, mode: RoundingMode = 'half-up'): string {
  const r = rescale(value, dp, decimals, mode);
  const neg = r < 0n;
  let s = (neg ? -r : r).toString();
  if (decimals > 0) {
    s = s.padStart(decimals + 1, '0');
    s = `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  }
  return neg ? `-${s}` : s;
}

/** The exact decimal of a money value, for the wire (money travels as decimal strings). */
export function toDecimalString(m: Money): string {
  return scaledToString(m, MONEY_DP);
}

export function priceToString(p: Price): string {
  return scaledToString(p, PRICE_DP);
}

export function qtyToString(q: Qty): string {
  return scaledToString(q, QTY_DP);
}

export function multiplierToString(m: Multiplier): string {
  return scaledToString(m, MULT_DP);
}

/**
 * A price as a JS number for the wire (prices travel as numbers). Exact for every price with at
 * most 15 significant digits, which covers every venue price; computed figures (a mid, an
 * average) are the nearest double to the exact decimal.
 */
export function priceToNumber(p: Price): number {
  return Number(scaledToString(p, PRICE_DP));
}

export function qtyToNumber(q: Qty): number {
  return Number(scaledToString(q, QTY_DP));
}

/** Any scaled value as the nearest double (display figures only). */
export function scaledToNumber(value: bigint, dp: number): number {
  return Number(scaledToString(value, dp));
}

// ---------- currencies and display ----------

/** Display decimals of fiat currencies; crypto (BTC, ETH, USDT…) is set per instrument. */
export const FIAT_DECIMALS: Readonly<Record<string, number>> = { USD: 2, INR: 2, EUR: 2, GBP: 2 };

export interface Currency {
  code: string;
  /** Decimals shown when a money value in this currency is displayed (rounding happens only there). */
  decimals: number;
}

export function currency(code: string, decimals?: number): Currency {
  const d = decimals ?? FIAT_DECIMALS[code];
  if (d === undefined) {
    throw new DecimalError(code, 'currency has no default display decimals; the instrument must set them');
  }
  return { code, decimals: d };
}

/** Money rounded once, for display, to the currency's decimals (ties away from zero). */
export function formatMoney(m: Money, cur: Currency | number): string {
  return scaledToFixed(m, MONEY_DP, typeof cur === 'number' ? cur : cur.decimals);
}

/**
 * Rounds an exact decimal string (as received on the wire) for display: the renderer's single
 * formatting helper, so the UI never turns money into a float before rounding.
 */
export function formatDecimalString(text: string, decimals: number): string {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new DecimalError(JSON.stringify(text), 'not a decimal string');
  const frac = (m[2]!.split('.')[1] ?? '').length + (m[3] ? Math.max(0, -Number(m[3])) : 0);
  const dp = Math.max(decimals, frac);
  return scaledToFixed(parseScaled(text, dp), dp, decimals);
}

/** Money value in the smallest currency unit (cents, paise …), rounded half-up. */
export function toMinorUnits(m: Money, decimals: number, mode: RoundingMode = 'half-up'): bigint {
  return rescale(m, MONEY_DP, decimals, mode);
}

/** a / b as a display number (percentages, points); null when b is 0. Rounded to 1e-12 relative steps. */
export function ratio(a: bigint, b: bigint): number | null {
  if (b === 0n) return null;
  const q = divRound(a * pow10(18), b, 'half-even');
  return Number(q) / 1e18;
}
