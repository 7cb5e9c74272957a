/**
 * Multi-leg structures (verticals, straddles, iron condors …): live net mark and P&L, and the
 * payoff at expiry with max profit / max loss / breakevens.
 *
 *   net mark  = Σ mark × signed quantity × multiplier
 *   net debit = Σ entry × signed quantity × multiplier   (negative: a credit was received)
 *   net P&L   = net mark − net debit
 *
 * All exact (money.ts). A leg without a usable mark makes the net figures unknown (null) with a
 * `missing_leg` / `stale_quote` warning naming the leg; the known part is still reported.
 */
import type { QuoteValues } from '../market/quote';
import type { Instrument } from '../model/instrument';
import {
  FIAT_DECIMALS,
  PRICE_DP,
  divRound,
  notional,
  priceToNumber,
  qtyToNumber,
  ratio,
  scaledToNumber,
  toDecimalString,
  toUnits,
  MONEY_DP,
  type Money,
  type Multiplier,
  type Price,
  type Qty,
  absBig,
} from '../model/money';
import { markOf, markTimeOf, markToNumber, quotePrices, type MarkPolicy, type UnknownReason } from '../market/mark';
import { warning } from './metrics';
import { pnlPoints, structureUnits } from './points';
import type { BoundView, PayoffView, StructureLegView, StructureView, WarningView } from './views';

export interface StructureLeg {
  symbol: string;
  /** Signed: positive long, negative short. */
  quantity: Qty;
  multiplier: Multiplier;
  /** Entry price per unit; null when only the structure's net debit is known. */
  entryPrice: Price | null;
  /** Needed for the payoff (strike, right, expiry, underlying). */
  instrument?: Instrument | null;
}

export interface StructureDef {
  id: string;
  name: string;
  legs: StructureLeg[];
  /** Overrides Σ entry × qty × multiplier (e.g. a net debit from the portfolio file). */
  netDebit?: Money;
  currency?: string;
  currencyDecimals?: number;
}

export interface StructureValueOptions {
  now: number;
  quoteOf: (symbol: string) => QuoteValues | null | undefined;
  markPolicy?: MarkPolicy;
  staleAfterMs?: number;
}

/** The net debit of a structure: its explicit value, or Σ entry × signed qty × multiplier. */
export function netDebitOf(def: StructureDef): Money | null {
  if (def.netDebit !== undefined) return def.netDebit;
  let sum = 0n;
  for (const leg of def.legs) {
    if (leg.entryPrice === null) return null;
    sum += notional(leg.entryPrice, toUnits(leg.quantity, leg.multiplier));
  }
  return sum as Money;
}

export function valueStructure(def: StructureDef, opts: StructureValueOptions): StructureView {
  const policy = opts.markPolicy ?? 'mid';
  const staleAfter = opts.staleAfterMs ?? 5000;
  const netDebit = netDebitOf(def);
  if (netDebit === null) throw new RangeError(`structure ${def.id}: needs a net debit or an entry price on every leg`);
  const warnings: WarningView[] = [];
  const legs: StructureLegView[] = [];
  let netMark = 0n;
  let knownPnl = 0n;
  let unknownLegs = 0;
  let asOf: number | null = null;
  const legUnits: bigint[] = [];
  for (const leg of def.legs) {
    const q = opts.quoteOf(leg.symbol) ?? null;
    const units = toUnits(leg.quantity, leg.multiplier);
    legUnits.push(units as bigint);
    const prices = q ? quotePrices(q) : null;
    const markAt = q ? markTimeOf(q, policy) : null;
    const ageMs = markAt !== null ? opts.now - markAt : null;
    let reason: UnknownReason | null = null;
    let markX2: bigint | null = null;
    if (!prices) reason = 'no_quote';
    else {
      const m = markOf(prices, policy, leg.quantity >= 0n ? 'LONG' : 'SHORT');
      if (m.ok) markX2 = m.markX2;
      else reason = m.reason;
      if (reason === null && (ageMs === null || ageMs > staleAfter)) reason = 'stale_quote';
    }
    const exp = leg.instrument?.expiry;
    if (exp && opts.now >= exp.epochMs) reason = 'expired';
    const legWarnings: WarningView[] = [];
    const entryValue = leg.entryPrice !== null ? notional(leg.entryPrice, units) : null;
    let markValue: bigint | null = null;
    if (reason === null && markX2 !== null) {
      markValue = markX2 * units * 5n;
      netMark += markValue;
      if (entryValue !== null) knownPnl += markValue - entryValue;
      if (markAt !== null && (asOf === null || markAt < asOf)) asOf = markAt;
    } else {
      unknownLegs++;
      const w = warning(reason === 'stale_quote' ? 'stale_quote' : reason === 'expired' ? 'expired' : 'missing_leg', leg.symbol, reason === 'expired' ? undefined : (reason ?? undefined));
      legWarnings.push(w);
      warnings.push(w);
    }
    legs.push({
      symbol: leg.symbol,
      quantity: qtyToNumber(leg.quantity),
      multiplier: scaledToNumber(leg.multiplier as bigint, 6),
      entry_price: leg.entryPrice !== null ? priceToNumber(leg.entryPrice) : null,
      mark: markX2 !== null ? markToNumber(markX2) : null,
      bid: prices?.bid != null ? priceToNumber(prices.bid) : null,
      ask: prices?.ask != null ? priceToNumber(prices.ask) : null,
      mark_value: markValue !== null ? toDecimalString(markValue as Money) : null,
      entry_value: entryValue !== null ? toDecimalString(entryValue) : null,
      pnl: markValue !== null && entryValue !== null ? toDecimalString((markValue - entryValue) as Money) : null,
      pnl_points: markValue !== null && entryValue !== null ? pnlPoints(markValue - entryValue, units) : null,
      unknown_reason: reason,
      quote_age_sec: ageMs !== null ? ageMs / 1000 : null,
      warnings: legWarnings,
    });
  }
  const known = unknownLegs === 0;
  const netPnl = known ? netMark - netDebit : null;
  return {
    id: def.id,
    name: def.name,
    currency: def.currency ?? 'USD',
    currency_decimals: def.currencyDecimals ?? FIAT_DECIMALS[def.currency ?? 'USD'] ?? 2,
    net_mark: known ? toDecimalString(netMark as Money) : null,
    net_debit: toDecimalString(netDebit),
    net_pnl: netPnl === null ? null : toDecimalString(netPnl as Money),
    net_pnl_pct: netPnl === null ? null : ratio(netPnl * 100n, absBig(netDebit as bigint)),
    net_pnl_points: pnlPoints(netPnl, structureUnits(legUnits)),
    net_pnl_known: toDecimalString(knownPnl as Money),
    unknown_legs: unknownLegs,
    as_of: asOf,
    legs,
    warnings,
  };
}

// ---------- payoff at expiry ----------

interface PayoffLeg {
  kind: 'call' | 'put' | 'linear';
  strike: bigint;
  units: bigint;
}

/** P&L at expiry (money) for underlying price s (Price scale). */
function payoffAt(legs: PayoffLeg[], netDebit: bigint, s: bigint): bigint {
  let v = 0n;
  for (const l of legs) {
    const intrinsic = l.kind === 'call' ? (s > l.strike ? s - l.strike : 0n) : l.kind === 'put' ? (l.strike > s ? l.strike - s : 0n) : s;
    v += intrinsic * l.units * 10n;
  }
  return v - netDebit;
}

export interface PayoffOptions {
  /** Chart range of the underlying (defaults around the strikes). */
  from?: number;
  to?: number;
  points?: number;
}

/**
 * The payoff at expiry. Defined when every leg is an option (or the underlying itself) on one
 * underlying and the options share one expiry; otherwise says why. Unbounded profit or loss is
 * reported as unbounded, never as a large number.
 */
export function payoffAtExpiry(def: StructureDef, opts: PayoffOptions = {}): PayoffView {
  const netDebit = netDebitOf(def);
  if (netDebit === null) return { ok: false, reason: 'needs a net debit or an entry price on every leg' };
  if (def.legs.length === 0) return { ok: false, reason: 'structure has no legs' };
  const legs: PayoffLeg[] = [];
  let underlying: string | null = null;
  let expiry: number | null = null;
  for (const leg of def.legs) {
    const inst = leg.instrument;
    if (!inst) return { ok: false, reason: `leg ${leg.symbol}: instrument unknown` };
    const ul = inst.kind === 'option' ? inst.underlying : inst.underlying;
    if (underlying !== null && ul !== underlying) return { ok: false, reason: `legs are on different underlyings (${underlying}, ${ul})` };
    underlying = ul;
    const units = toUnits(leg.quantity, leg.multiplier) as bigint;
    if (inst.kind === 'option') {
      if (!inst.expiry || inst.strike === null || !inst.right) return { ok: false, reason: `leg ${leg.symbol}: option without expiry/strike/right` };
      if (expiry !== null && inst.expiry.epochMs !== expiry) return { ok: false, reason: 'legs expire at different times: the payoff at one expiry is undefined' };
      expiry = inst.expiry.epochMs;
      legs.push({ kind: inst.right, strike: inst.strike as bigint, units });
    } else if (inst.kind === 'stock' || inst.kind === 'future' || inst.kind === 'perpetual') {
      legs.push({ kind: 'linear', strike: 0n, units });
    } else {
      return { ok: false, reason: `leg ${leg.symbol}: ${inst.kind} has no payoff at expiry` };
    }
  }
  const nd = netDebit as bigint;
  const strikes = [...new Set(legs.filter((l) => l.kind !== 'linear').map((l) => l.strike))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const points = [0n, ...strikes.filter((k) => k > 0n)];
  const values = points.map((s) => payoffAt(legs, nd, s));
  // Slope beyond the highest strike, in money per price unit: calls and linear legs move 1:1.
  let slopeRight = 0n;
  for (const l of legs) if (l.kind === 'call' || l.kind === 'linear') slopeRight += l.units;
  const best = (pick: (a: bigint, b: bigint) => boolean): BoundView => {
    let bi = 0;
    for (let i = 1; i < values.length; i++) if (pick(values[i]!, values[bi]!)) bi = i;
    return { bounded: true, value: toDecimalString(values[bi]! as Money), at_price: priceToNumber(points[bi]! as Price) };
  };
  const maxProfit: BoundView = slopeRight > 0n ? { bounded: false, value: null } : best((a, b) => a > b);
  const maxLoss: BoundView = slopeRight < 0n ? { bounded: false, value: null } : best((a, b) => a < b);

  const roots: bigint[] = [];
  const addRoot = (r: bigint) => {
    if (!roots.includes(r)) roots.push(r);
  };
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const va = values[i]!;
    if (va === 0n) addRoot(a);
    if (i + 1 < points.length) {
      const b = points[i + 1]!;
      const vb = values[i + 1]!;
      if ((va < 0n && vb > 0n) || (va > 0n && vb < 0n)) addRoot(a + divRound(-va * (b - a), vb - va, 'half-even'));
    }
  }
  const last = points.at(-1)!;
  const vLast = values.at(-1)!;
  if (slopeRight !== 0n && ((vLast < 0n && slopeRight > 0n) || (vLast > 0n && slopeRight < 0n))) {
    // v(s) = vLast + slope × (s − last) × 10 (money scale = price × units × 10)
    addRoot(last + divRound(-vLast, slopeRight * 10n, 'half-even'));
  }
  roots.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const hiStrike = strikes.length ? Number(strikes.at(-1)!) / 10 ** PRICE_DP : 100;
  const loStrike = strikes.length ? Number(strikes[0]!) / 10 ** PRICE_DP : 100;
  const from = opts.from ?? Math.max(0, loStrike - 0.25 * (hiStrike - loStrike || hiStrike) - 0.05 * loStrike);
  const to = opts.to ?? hiStrike + 0.25 * (hiStrike - loStrike || hiStrike) + 0.05 * hiStrike;
  const n = Math.max(2, opts.points ?? 101);
  const curve = [];
  for (let i = 0; i < n; i++) {
    const x = from + ((to - from) * i) / (n - 1);
    const s = BigInt(Math.round(x * 1e4)) * 10n ** BigInt(PRICE_DP - 4);
    curve.push({ underlying_price: x, pnl: scaledToNumber(payoffAt(legs, nd, s), MONEY_DP) });
  }
  return {
    ok: true,
    underlying: underlying!,
    expiry_ms: expiry,
    kinks: points.map((s, i) => ({ underlying_price: priceToNumber(s as Price), pnl: toDecimalString(values[i]! as Money) })),
    max_profit: maxProfit,
    max_loss: maxLoss,
    breakevens: roots.map((r) => priceToNumber(r as Price)),
    curve,
  };
}
