/**
 * Contract selection for a strategy run (issue 18 item 2): for each leg of a definition, the
 * contract of the venue's option chain that the leg's rules pick — by target |delta| range (the
 * strike whose |delta| is inside [min, max], nearest the middle of the range) or by strike offset
 * from the at-the-money strike — in the expiry its rule picks. Pure: the chain snapshot, the
 * underlying's price and `now` are given.
 *
 * Delta source: the venue's greeks when they are fresh (`greeksMaxAgeMs`); otherwise the desk's own —
 * the implied volatility solved from the contract's mid, then the Black-Scholes delta
 * (core/greeks/model-delta.ts) — which needs a fresh two-sided quote of the contract and a fresh
 * underlying price. The source and its age are recorded on the selected contract.
 *
 * Fails closed: no contract is returned unless every leg has one whose delta is known and fresh by
 * one of the two sources; the reason names the leg (`legs.1 (sell put)`, as the definition's field
 * paths) and what is missing or stale. Delta is monotonic in the strike, so the pick is only trusted
 * when the strikes next to it have a usable delta too (otherwise an unknown neighbour could be the
 * nearer one): an unknown neighbour fails closed as well.
 *
 * Deterministic: ties (two strikes equally near the middle of the range, or equally near the
 * underlying for ATM) go to the lower strike; contracts are read in (expiry, strike, symbol) order.
 * Expiry dates are the exchange's calendar dates (its zone: session-hours.ts `exchangeZone`).
 */
import { DateTime } from 'luxon';
import { describeDeltaFailure, modelDelta, type ModelDeltaQuote } from '../greeks/model-delta';
import { bookTimeOf } from '../market/mark';
import { midOf, type QuoteValues } from '../market/quote';
import { makeExpiry } from '../model/instrument';
import { price } from '../model/money';
import { looksLikeOcc } from '../model/occ';
import { exchangeZone, type Exchange } from '../monitor/session-hours';
import { tickCents } from '../orders/exit-run';
import type { OptionChain, OptionChainFilter } from '../ports/market-data';
import type { StrategyDefinition, StrategyLeg, ExpiryRule } from './definition';
import type { SelectedContract } from './engine-api';

/** One contract of the chain snapshot, as selection reads it. */
export interface ChainContract {
  symbol: string;
  /** Expiry date in the exchange's zone (YYYY-MM-DD). */
  expiry: string;
  /** The exact expiry instant (epoch ms): time to expiry for the desk's delta, and whether it still trades. */
  expiresAt: number;
  strike: number;
  right: 'call' | 'put';
  bid: number | null;
  ask: number | null;
  /** When the quote (bid/ask) was made or received, epoch ms; null: unknown (treated as stale). */
  quoteAt: number | null;
  /** The venue's greeks (delta signed: puts negative) and when they were computed; null: the venue gave none. */
  greeks: { delta: number; iv: number | null; asOf: number | null } | null;
  /** Contract multiplier (default: the settings' `multiplier`). */
  multiplier?: number;
  /** Price tick of the contract (default: the desk's option tick rule at the mid: 0.05 from 3.00, else 0.01). */
  tick?: number;
}

export interface ChainSnapshot {
  underlying: string;
  contracts: readonly ChainContract[];
}

/** The underlying's price (a mid or last) and when it was observed; null when unknown. */
export interface UnderlyingPrice {
  price: number | null;
  at: number | null;
}

export interface SelectionSettings {
  /** The account's exchange: its zone is the calendar of expiry dates. */
  exchange: Exchange;
  /** Venue greeks older than this are not used (the desk solves its own). */
  greeksMaxAgeMs: number;
  /** A quote (option or underlying) older than this is stale. */
  quoteMaxAgeMs: number;
  /** For the desk's delta (continuously compounded). */
  riskFreeRate: number;
  dividendYield: number;
  /** Multiplier when a contract does not say (100: US options). */
  multiplier: number;
}

export const DEFAULT_SELECTION_SETTINGS: Omit<SelectionSettings, 'exchange'> = {
  greeksMaxAgeMs: 60_000,
  quoteMaxAgeMs: 30_000,
  riskFreeRate: 0.04,
  dividendYield: 0,
  multiplier: 100,
};

export type SelectionResult = { ok: true; contracts: SelectedContract[] } | { ok: false; reason: string };

type DeltaOf = { ok: true; delta: number; source: 'venue' | 'desk'; ageMs: number } | { ok: false; why: string };

const legName = (i: number, leg: Pick<StrategyLeg, 'side' | 'right'>) => `legs.${i} (${leg.side} ${leg.right})`;

/** The contract's delta: the venue's when fresh, else the desk's (IV from the mid); or why neither. */
export function contractDelta(c: ChainContract, underlying: UnderlyingPrice, now: number, s: Omit<SelectionSettings, 'exchange' | 'multiplier'>): DeltaOf {
  let venueWhy: string;
  if (c.greeks === null || !Number.isFinite(c.greeks.delta)) venueWhy = 'no venue greeks';
  else if (c.greeks.asOf === null) venueWhy = 'venue greeks of unknown age';
  else if (now - c.greeks.asOf > s.greeksMaxAgeMs) venueWhy = `venue greeks ${Math.round((now - c.greeks.asOf) / 1000)} s old (max ${Math.round(s.greeksMaxAgeMs / 1000)} s)`;
  else if (Math.abs(c.greeks.delta) > 1) venueWhy = `venue delta ${c.greeks.delta} outside [-1, 1]`;
  else return { ok: true, delta: c.greeks.delta, source: 'venue', ageMs: Math.max(0, now - c.greeks.asOf) };
  const book: ModelDeltaQuote = { bid: c.bid, ask: c.ask, receivedAt: c.quoteAt ?? 0, bookReceivedAt: c.quoteAt };
  const u: ModelDeltaQuote | null = underlying.price === null ? null : { bid: underlying.price, ask: underlying.price, receivedAt: underlying.at ?? 0, bookReceivedAt: underlying.at };
  let strike;
  try {
    strike = price(c.strike);
  } catch {
    return { ok: false, why: `${venueWhy}; strike ${c.strike} is not a price` };
  }
  const expiry = { date: c.expiry, time: '', zone: 'UTC', epochMs: c.expiresAt };
  const r = modelDelta({
    instrument: { kind: 'option', right: c.right, strike, expiry, underlying: '' },
    optionQuote: book,
    underlyingQuote: u,
    now,
    settings: { staleAfterMs: s.quoteMaxAgeMs, riskFreeRate: s.riskFreeRate, dividendYield: s.dividendYield },
  });
  if (!r.ok) return { ok: false, why: `${venueWhy}, and no desk delta: ${describeDeltaFailure(r.reason, r.ivFailure)}` };
  return { ok: true, delta: r.delta, source: 'desk', ageMs: Math.max(0, now - r.asOf) };
}

const byOrder = (a: ChainContract, b: ChainContract) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : a.strike - b.strike || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));

/**
 * The expiry date `rule` picks among `dates` (exchange-zone dates of contracts that still trade), or
 * why none: `nearest` — the first at least `min_days` calendar days after today (exchange zone);
 * `weekly` n — the n-th week's last expiry (Friday, or the day before when Friday is a holiday);
 * `monthly` n — the n-th month's expiry of the week holding its third Friday.
 */
export function pickExpiry(rule: ExpiryRule, dates: readonly string[], now: number, zone: string): { ok: true; expiry: string } | { ok: false; why: string } {
  const sorted = [...new Set(dates)].sort();
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const dayOf = (d: string) => DateTime.fromISO(d, { zone }).startOf('day');
  if (rule.kind === 'nearest') {
    const hit = sorted.find((d) => Math.round(dayOf(d).diff(today, 'days').days) >= rule.min_days);
    return hit ? { ok: true, expiry: hit } : { ok: false, why: `no expiry at least ${rule.min_days} days away (chain expiries: ${sorted.join(', ') || 'none'})` };
  }
  // The last listed expiry of each ISO week (Monday–Sunday).
  const weekly = new Map<string, string>();
  for (const d of sorted) {
    const dt = dayOf(d);
    weekly.set(`${dt.weekYear}-W${dt.weekNumber}`, d);
  }
  const weeks = [...weekly.values()];
  if (rule.kind === 'weekly') {
    const hit = weeks[rule.n - 1];
    return hit ? { ok: true, expiry: hit } : { ok: false, why: `no ${ordinal(rule.n)} weekly expiry (the chain has ${weeks.length}: ${weeks.join(', ') || 'none'})` };
  }
  const monthly = weeks.filter((d) => {
    const dt = dayOf(d);
    const first = dt.startOf('month');
    const thirdFriday = first.plus({ days: ((5 - first.weekday + 7) % 7) + 14 });
    return thirdFriday.weekYear === dt.weekYear && thirdFriday.weekNumber === dt.weekNumber && thirdFriday.month === dt.month;
  });
  const hit = monthly[rule.n - 1];
  return hit ? { ok: true, expiry: hit } : { ok: false, why: `no ${ordinal(rule.n)} monthly expiry (3rd Friday; the chain has ${monthly.length}: ${monthly.join(', ') || 'none'})` };
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/**
 * The contracts `definition`'s legs select from `chain` at `now`: one per leg, in leg order (`leg` =
 * the index in `legs`), or the first leg's reason for failing (closed: nothing is selected then).
 */
export function selectContracts(
  definition: Pick<StrategyDefinition, 'underlying' | 'legs'>,
  chain: ChainSnapshot,
  underlying: UnderlyingPrice,
  now: number,
  settings: SelectionSettings,
): SelectionResult {
  if (chain.underlying !== definition.underlying) return { ok: false, reason: `the chain is of ${chain.underlying}, the definition trades ${definition.underlying}` };
  const zone = exchangeZone(settings.exchange);
  const live = chain.contracts.filter((c) => c.expiresAt > now && Number.isFinite(c.strike) && c.strike > 0).sort(byOrder);
  const out: SelectedContract[] = [];
  for (let i = 0; i < definition.legs.length; i++) {
    const leg = definition.legs[i]!;
    const name = legName(i, leg);
    const ofRight = live.filter((c) => c.right === leg.right);
    if (ofRight.length === 0) return { ok: false, reason: `${name}: the ${chain.underlying} chain has no ${leg.right} that still trades` };
    const ex = pickExpiry(leg.expiry, ofRight.map((c) => c.expiry), now, zone);
    if (!ex.ok) return { ok: false, reason: `${name}: ${ex.why}` };
    // One contract per strike (the first in symbol order if the venue lists two).
    const strikes: ChainContract[] = [];
    for (const c of ofRight) if (c.expiry === ex.expiry && strikes[strikes.length - 1]?.strike !== c.strike) strikes.push(c);
    const deltas = new Map<ChainContract, DeltaOf>();
    const deltaOf = (c: ChainContract) => {
      let d = deltas.get(c);
      if (!d) deltas.set(c, (d = contractDelta(c, underlying, now, settings)));
      return d;
    };
    let index: number;
    if (leg.select.by === 'delta') {
      const { min, max } = leg.select;
      const mid = (min + max) / 2;
      let best = -1;
      let bestDist = Infinity;
      let unknown = 0;
      for (let k = 0; k < strikes.length; k++) {
        const d = deltaOf(strikes[k]!);
        if (!d.ok) {
          unknown++;
          continue;
        }
        const abs = Math.abs(d.delta);
        if (abs < min || abs > max) continue;
        const dist = Math.abs(abs - mid);
        // Strikes ascend, so a tie keeps the lower strike.
        if (dist < bestDist - 1e-12) {
          best = k;
          bestDist = dist;
        }
      }
      if (best < 0) {
        const why = unknown === strikes.length ? `no contract has a usable delta (e.g. ${strikes[0]!.symbol}: ${(deltaOf(strikes[0]!) as { why: string }).why})` : `no contract with |delta| in [${min}, ${max}]${unknown > 0 ? ` among those with a usable delta (${unknown} of ${strikes.length} have none)` : ''}`;
        return { ok: false, reason: `${name}: expiry ${ex.expiry}: ${why}` };
      }
      for (const k of [best - 1, best + 1]) {
        const n = strikes[k];
        const d = n ? deltaOf(n) : null;
        if (n && d && !d.ok) return { ok: false, reason: `${name}: expiry ${ex.expiry}: ${n.symbol} next to the pick ${strikes[best]!.symbol} has no usable delta (${d.why}), so the nearest strike cannot be told` };
      }
      index = best;
    } else {
      if (underlying.price === null || !(underlying.price > 0)) return { ok: false, reason: `${name}: no ${chain.underlying} price for the at-the-money strike` };
      if (underlying.at === null || now - underlying.at > settings.quoteMaxAgeMs) {
        return { ok: false, reason: `${name}: the ${chain.underlying} price is stale (${underlying.at === null ? 'of unknown age' : `${Math.round((now - underlying.at) / 1000)} s old`}), no at-the-money strike` };
      }
      let atm = 0;
      for (let k = 1; k < strikes.length; k++) if (Math.abs(strikes[k]!.strike - underlying.price) < Math.abs(strikes[atm]!.strike - underlying.price) - 1e-9) atm = k;
      index = atm + leg.select.offset;
      if (index < 0 || index >= strikes.length) {
        return { ok: false, reason: `${name}: expiry ${ex.expiry}: no strike ${leg.select.offset} away from the at-the-money ${strikes[atm]!.strike} (the chain lists ${strikes.length} strikes, ${strikes[0]!.strike}–${strikes[strikes.length - 1]!.strike})` };
      }
    }
    const c = strikes[index]!;
    const d = deltaOf(c);
    if (!d.ok) return { ok: false, reason: `${name}: ${c.symbol}: ${d.why}` };
    out.push({
      leg: i,
      symbol: c.symbol,
      expiry: c.expiry,
      strike: c.strike,
      delta: d.delta,
      deltaSource: d.source,
      deltaAgeMs: d.ageMs,
      multiplier: c.multiplier ?? settings.multiplier,
      tick: c.tick ?? tickOf(c),
    });
  }
  return { ok: true, contracts: out };
}

/** The desk's option tick at the contract's mid (exit-run's rule); 0.01 without a two-sided quote. */
function tickOf(c: ChainContract): number {
  const mid = c.bid !== null && c.ask !== null && c.bid > 0 && c.ask >= c.bid ? (c.bid + c.ask) / 2 : null;
  const symbol = looksLikeOcc(c.symbol) ? c.symbol : 'X';
  return tickCents(symbol, mid === null ? 0 : Math.round(mid * 100)) / 100;
}

/** The exact expiry instant of a US option expiring on `date` (16:00 New York, as core/model/occ.ts). */
export function usOptionExpiresAt(date: string): number {
  return makeExpiry(date, date, '16:00', 'America/New_York').epochMs;
}

/**
 * The port's chain (MarketDataPort.optionChain) as selection reads it. A quote's time is the venue's
 * quote time (`t`), capped at its receipt: a REST snapshot received now may hold a book hours old.
 * Without a venue time the quote's age is unknown (null: stale). A delta that is not a number is no
 * greeks at all.
 */
export function chainSnapshotOf(chain: OptionChain): ChainSnapshot {
  const contracts: ChainContract[] = chain.contracts.map((c) => {
    const q = c.quote;
    const delta = c.delta === null ? Number.NaN : Number(c.delta);
    const iv = c.impliedVolatility === null ? null : Number(c.impliedVolatility);
    return {
      symbol: c.symbol,
      expiry: c.expiry,
      expiresAt: c.expiresAt,
      strike: c.strike,
      right: c.right,
      bid: q?.bid ?? null,
      ask: q?.ask ?? null,
      quoteAt: q && q.exchangeTime !== null ? Math.min(q.exchangeTime, q.receivedAt) : null,
      greeks: c.greeks && Number.isFinite(delta) ? { delta, iv: iv !== null && Number.isFinite(iv) ? iv : null, asOf: c.greeks.asOf } : null,
    };
  });
  return { underlying: chain.underlying, contracts };
}

/** The underlying's price for selection from a cached quote: its mid and the book's receive time (null: unknown). */
export function underlyingPriceOf(q: QuoteValues | null | undefined): UnderlyingPrice {
  if (!q) return { price: null, at: null };
  return { price: midOf(q), at: bookTimeOf(q) };
}

/**
 * A chain request narrow enough for `definition`'s legs (fewer pages): expiries from today (exchange
 * zone) up to the farthest any leg's rule can reach — `nearest` min_days + 45 days (room for a chain of monthlies only), `weekly` n → 7n + 7
 * days, `monthly` n → 31n + 31 days — and only the rights the legs trade. The rules still pick
 * among what comes back; a bound too tight only shows as "no expiry", never as a wrong contract.
 */
export function chainFilterFor(definition: Pick<StrategyDefinition, 'legs'>, now: number, exchange: Exchange): OptionChainFilter {
  const today = DateTime.fromMillis(now, { zone: exchangeZone(exchange) }).startOf('day');
  let days = 0;
  for (const leg of definition.legs) {
    const e = leg.expiry;
    days = Math.max(days, e.kind === 'nearest' ? e.min_days + 45 : e.kind === 'weekly' ? 7 * e.n + 7 : 31 * e.n + 31);
  }
  const rights = new Set(definition.legs.map((l) => l.right));
  return {
    expirationGte: today.toISODate()!,
    expirationLte: today.plus({ days }).toISODate()!,
    ...(rights.size === 1 ? { right: [...rights][0]! } : {}),
  };
}
