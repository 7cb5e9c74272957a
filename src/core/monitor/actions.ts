/**
 * What the monitoring cycle's steps decide, as pure functions of exact decimals (spec §8; issue 17):
 *
 * - step 2: the FIFO P&L of the day's order book (`dayFifoPnl`), on the core FIFO;
 * - step 4: the SL / TP a running position lacks (`protectiveOrders`), from the account's rules;
 * - steps 5 and 6: whether a stop_limit entry / SL order has been crossed by the fair price and the
 *   limit it is moved to (`fairPriceModification`);
 * - step 8: which rejected entries are regenerated (`regenerationCandidates`).
 *
 * Prices are scaled bigints at PRICE_DP inside and exact decimal strings outside. The node side
 * (app/monitor) does the I/O: it reads the venue, the journal and the quote cache, and sends what
 * these functions decide through the order gateway.
 */
import { absBig, divRound, multiplier as toMultiplier, parseScaled, PRICE_DP, QTY_DP, MULT_DP, MONEY_DP, scaledToString, tryParseScaled, pow10, type Multiplier } from '../model/money';
import { looksLikeOcc } from '../model/occ';
import { rebuildPositions, type Fill } from '../pnl/fifo';
import { tickCents } from '../orders/exit-run';

export type Side = 'buy' | 'sell';

/** A stop loss / take profit distance from the average entry: premium percent or points. */
export interface ProtectiveRule {
  readonly kind: 'pct' | 'points';
  /** Positive exact decimal. */
  readonly value: string;
}

/** US options (OCC symbols) have a multiplier of 100, stocks 1. */
export function defaultMultiplierOf(symbol: string): Multiplier {
  return toMultiplier(looksLikeOcc(symbol) ? 100 : 1);
}

/** The price tick of `symbol` at `p` (scaled at PRICE_DP): 0.01, or 0.05 for options at 3.00 and above (exit-run.ts tickCents). */
export function tickOf(symbol: string, p: bigint): bigint {
  const cents = Number(divRound(p, pow10(PRICE_DP - 2)));
  return BigInt(tickCents(symbol, cents)) * pow10(PRICE_DP - 2);
}

const CENT = pow10(PRICE_DP - 2);

function onGrid(p: bigint, t: bigint, dir: 'up' | 'down'): bigint {
  const floor = (p / t) * t;
  return floor === p || dir === 'down' ? floor : floor + t;
}

/**
 * `p` rounded to a tick of `symbol`, up or down. The tick depends on the price it lands on (options
 * trade in 0.05 from 3.00): first the cent grid, then the coarser tick only if the result is in its
 * band — so 2.998 rounds down to 2.99, not to 2.95.
 */
export function roundToTick(symbol: string, p: bigint, dir: 'up' | 'down'): bigint {
  const cents = onGrid(p, CENT, dir);
  const t = tickOf(symbol, cents);
  return t === CENT ? cents : onGrid(cents, t, dir);
}

const price = (p: bigint) => scaledToString(p, PRICE_DP);

// ---------------------------------------------------------------------------------------------------
// step 2: FIFO P&L of the day's order book

/** One order of the broker's day book with what it filled (cumulative) and at what average. */
export interface BookOrder {
  readonly symbol: string;
  readonly side: Side;
  readonly filledQty: string;
  readonly filledAvgPrice: string | null;
  /** When it (last) filled, epoch ms (the order's update time). */
  readonly time: number;
  readonly id: string;
}

export interface DayPnlRow {
  readonly symbol: string;
  readonly boughtQuantity: string;
  readonly soldQuantity: string;
  /** Signed: long > 0. */
  readonly openQuantity: string;
  /** Average entry of the open lots, null when flat. */
  readonly avgOpenPrice: string | null;
  /** FIFO realized P&L of the day's executions (no fees: the order book has none). */
  readonly realizedPnl: string;
  readonly multiplier: string;
  /** Orders with a fill. */
  readonly orders: number;
}

/**
 * The FIFO P&L of the day's executed orders, per symbol, in time order (the core FIFO, flips
 * included). An order with a fill but no average price cannot be valued: it is named in `problems`
 * and left out (unknown is not zero).
 */
export function dayFifoPnl(orders: readonly BookOrder[], multiplierOf: (symbol: string) => Multiplier = defaultMultiplierOf): { rows: DayPnlRow[]; problems: string[] } {
  const problems: string[] = [];
  const fills: Fill[] = [];
  const counts = new Map<string, { bought: bigint; sold: bigint; orders: number }>();
  for (const o of orders) {
    const q = tryParseScaled(o.filledQty, QTY_DP);
    if (q === null || q <= 0n) continue;
    const p = o.filledAvgPrice === null ? null : tryParseScaled(o.filledAvgPrice, PRICE_DP);
    if (p === null || p < 0n) {
      problems.push(`order ${o.id} (${o.symbol}) filled ${o.filledQty} without a usable average price (${o.filledAvgPrice ?? 'none'}): left out of the P&L`);
      continue;
    }
    fills.push({ fill_id: o.id, position_id: o.symbol, symbol: o.symbol, side: o.side === 'buy' ? 'BUY' : 'SELL', quantity: q as Fill['quantity'], price: p as Fill['price'], fee: 0n as Fill['fee'], time: o.time });
    const c = counts.get(o.symbol) ?? { bought: 0n, sold: 0n, orders: 0 };
    if (o.side === 'buy') c.bought += q;
    else c.sold += q;
    c.orders++;
    counts.set(o.symbol, c);
  }
  const { positions, rejected } = rebuildPositions(fills, { multiplierOf, keepMatches: false });
  for (const r of rejected) problems.push(`fill ${r.fill_id}: ${r.reason}`);
  const rows: DayPnlRow[] = [];
  for (const [symbol, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const mine = positions.filter((p) => p.symbol === symbol);
    const realized = mine.reduce((s, p) => s + p.realized_gross, 0n);
    const open = mine.find((p) => p.status !== 'CLOSED');
    const mult = multiplierOf(symbol);
    let openQty = 0n;
    let avg: string | null = null;
    if (open && open.quantity_remaining > 0n) {
      openQty = open.side === 'LONG' ? open.quantity_remaining : -open.quantity_remaining;
      // open_cost = Σ price × qty × mult at MONEY_DP; avg = open_cost / (qty × mult), at PRICE_DP.
      const units = open.quantity_remaining * mult; // QTY_DP + MULT_DP
      avg = price(divRound(open.open_cost, units * pow10(MONEY_DP - PRICE_DP - QTY_DP - MULT_DP)));
    }
    rows.push({
      symbol,
      boughtQuantity: scaledToString(c.bought, QTY_DP),
      soldQuantity: scaledToString(c.sold, QTY_DP),
      openQuantity: scaledToString(openQty, QTY_DP),
      avgOpenPrice: avg,
      realizedPnl: scaledToString(realized, MONEY_DP),
      multiplier: scaledToString(mult, MULT_DP),
      orders: c.orders,
    });
  }
  return { rows, problems };
}

// ---------------------------------------------------------------------------------------------------
// step 4: protective orders

/** A running position as step 4 sees it. */
export interface RunningPosition {
  readonly symbol: string;
  /** Signed exact decimal: long > 0. */
  readonly quantity: string;
  /** Average entry; null when unknown (no SL/TP can be priced). */
  readonly avgPrice: string | null;
}

export interface ProtectiveOrder {
  readonly role: 'sl' | 'tp';
  readonly side: Side;
  readonly quantity: string;
  readonly orderType: 'stop_limit' | 'limit';
  readonly limitPrice: string;
  /** SL only. */
  readonly stopPrice: string | null;
  /** "SL 30% below the average entry 2.50: sell stop 1.75 limit 1.75". */
  readonly why: string;
}

export type ProtectiveDecision = { kind: 'place'; order: ProtectiveOrder } | { kind: 'cannot'; role: 'sl' | 'tp'; reason: string };

function distance(avg: bigint, rule: ProtectiveRule): bigint {
  const v = parseScaled(rule.value, PRICE_DP, `${rule.kind} value`);
  return rule.kind === 'points' ? v : divRound(avg * v, 100n * pow10(PRICE_DP));
}

const ruleWords = (r: ProtectiveRule) => (r.kind === 'pct' ? `${r.value}%` : `${r.value} points`);

/**
 * The SL and TP `pos` lacks (`has.sl` / `has.tp`: a working one exists), from the rules (null: that
 * order is not placed). SL: a stop_limit on the closing side, its stop `rule` away from the average
 * entry on the losing side (rounded away from the entry to a tick, never tighter than the rule), its
 * limit at the stop (steps 5–6 move the limit to the fair price once the stop is crossed). TP: a
 * limit on the closing side, `rule` away on the winning side.
 */
export function protectiveOrders(pos: RunningPosition, rules: { sl: ProtectiveRule | null; tp: ProtectiveRule | null }, has: { sl: boolean; tp: boolean }): ProtectiveDecision[] {
  const q = parseScaled(pos.quantity, QTY_DP, 'position quantity');
  if (q === 0n) return [];
  const long = q > 0n;
  const side: Side = long ? 'sell' : 'buy';
  const quantity = scaledToString(absBig(q), QTY_DP);
  const out: ProtectiveDecision[] = [];
  const avg = pos.avgPrice === null ? null : tryParseScaled(pos.avgPrice, PRICE_DP);
  const want: ['sl' | 'tp', ProtectiveRule | null, boolean][] = [
    ['sl', rules.sl, has.sl],
    ['tp', rules.tp, has.tp],
  ];
  for (const [role, rule, present] of want) {
    if (rule === null || present) continue;
    if (avg === null || avg <= 0n) {
      out.push({ kind: 'cannot', role, reason: `${role.toUpperCase()} for ${pos.symbol}: the position's average entry is unknown, so no price can be set` });
      continue;
    }
    const d = distance(avg, rule);
    // SL: losing side (long: below; short: above). TP: winning side.
    const below = role === 'sl' ? long : !long;
    const raw = below ? avg - d : avg + d;
    // Round away from the entry: an SL never tighter, a TP never nearer than the rule.
    const p = roundToTick(pos.symbol, raw < 0n ? 0n : raw, below ? 'down' : 'up');
    if (p <= 0n) {
      out.push({ kind: 'cannot', role, reason: `${role.toUpperCase()} for ${pos.symbol}: ${ruleWords(rule)} ${below ? 'below' : 'above'} the average entry ${price(avg)} is not a positive price` });
      continue;
    }
    const words = `${role.toUpperCase()} ${ruleWords(rule)} ${below ? 'below' : 'above'} the average entry ${price(avg)}`;
    out.push({
      kind: 'place',
      order:
        role === 'sl'
          ? { role, side, quantity, orderType: 'stop_limit', limitPrice: price(p), stopPrice: price(p), why: `${words}: ${side} ${quantity} stop ${price(p)} limit ${price(p)}` }
          : { role, side, quantity, orderType: 'limit', limitPrice: price(p), stopPrice: null, why: `${words}: ${side} ${quantity} limit ${price(p)}` },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// steps 5 and 6: fair-price modifications

export interface StopOrderView {
  readonly symbol: string;
  readonly side: Side;
  readonly stopPrice: string | null;
  readonly limitPrice: string | null;
}

export type ModificationDecision = { kind: 'modify'; limitPrice: string; why: string } | { kind: 'none'; why: string };

/**
 * Spec §8 steps 5–6: a stop_limit order whose stop the fair price has crossed (a buy: fair ≥ stop —
 * the spec's entry case; a sell: fair ≤ stop — the spec's SL case) has its limit moved to the fair
 * price, rounded to a tick toward marketable (buy up, sell down), so it fills instead of resting
 * behind a market that ran through it. Not crossed, or already at that limit: nothing to do.
 */
export function fairPriceModification(order: StopOrderView, fairPrice: string): ModificationDecision {
  const stop = order.stopPrice === null ? null : tryParseScaled(order.stopPrice, PRICE_DP);
  if (stop === null) return { kind: 'none', why: `${order.symbol}: not a stop order` };
  const fair = parseScaled(fairPrice, PRICE_DP, 'fair price');
  const crossed = order.side === 'buy' ? fair >= stop : fair <= stop;
  const cmp = order.side === 'buy' ? '≥' : '≤';
  if (!crossed) return { kind: 'none', why: `${order.symbol}: fair ${price(fair)} has not crossed the stop ${price(stop)} (${order.side} needs fair ${cmp} stop)` };
  const target = roundToTick(order.symbol, fair, order.side === 'buy' ? 'up' : 'down');
  if (target <= 0n) return { kind: 'none', why: `${order.symbol}: fair ${price(fair)} rounds to no positive limit` };
  const current = order.limitPrice === null ? null : tryParseScaled(order.limitPrice, PRICE_DP);
  if (current === target) return { kind: 'none', why: `${order.symbol}: limit already at the fair price ${price(target)}` };
  return { kind: 'modify', limitPrice: price(target), why: `${order.symbol}: fair ${price(fair)} ${cmp} stop ${price(stop)}: limit ${current === null ? 'none' : price(current)} → ${price(target)}` };
}

/** The fair price of a quote: the mid of a two-sided quote (null when one side is missing or crossed). */
export function fairMid(bid: string | null, ask: string | null): string | null {
  const b = bid === null ? null : tryParseScaled(bid, PRICE_DP);
  const a = ask === null ? null : tryParseScaled(ask, PRICE_DP);
  if (b === null || a === null || b <= 0n || a <= 0n || a < b) return null;
  return price(divRound(a + b, 2n));
}

// ---------------------------------------------------------------------------------------------------
// step 8: entry regenerate

export interface RejectedOrderView {
  readonly clientOrderId: string;
  readonly role: string | null;
  readonly strategy: string | null;
  readonly status: string;
  readonly createdAt: number;
}

export interface RegenerationView {
  readonly rejectedClientOrderId: string;
  readonly newClientOrderId: string;
  readonly attempt: number;
}

export interface RegenerateSettings {
  /** Strategy names permitted ("*": any, including orders without a strategy). */
  readonly strategies: readonly string[];
  readonly maxAttempts: number;
}

export type RegenerationDecision =
  | { kind: 'regenerate'; rejectedClientOrderId: string; newClientOrderId: string; attempt: number }
  | { kind: 'not'; rejectedClientOrderId: string; why: string };

/**
 * Rejected entry orders of today (created at or after `dayStart`) that may be regenerated: the
 * strategy is permitted, no regeneration of that order exists yet, and the chain of regenerations
 * it ends (a regenerated order rejected again) is shorter than `maxAttempts`. The new client order
 * id is the rejected one's with `-r<attempt>` (the chain's root's id, so ids never grow), chosen
 * here so a crash between steps 8 and 9 never places it twice.
 */
export function regenerationCandidates(
  orders: readonly RejectedOrderView[],
  existing: readonly RegenerationView[],
  settings: RegenerateSettings,
  dayStart: number,
): RegenerationDecision[] {
  const byRejected = new Set(existing.map((r) => r.rejectedClientOrderId));
  const byNew = new Map(existing.map((r) => [r.newClientOrderId, r]));
  const any = settings.strategies.includes('*');
  const out: RegenerationDecision[] = [];
  for (const o of orders) {
    if (o.status !== 'rejected' || o.role !== 'entry' || o.createdAt < dayStart) continue;
    if (byRejected.has(o.clientOrderId)) continue;
    if (!any && (o.strategy === null || !settings.strategies.includes(o.strategy))) {
      out.push({ kind: 'not', rejectedClientOrderId: o.clientOrderId, why: `strategy ${o.strategy ?? '(none)'} is not in the regenerate list (${settings.strategies.join(', ') || 'empty'})` });
      continue;
    }
    const parent = byNew.get(o.clientOrderId);
    const attempt = parent ? parent.attempt + 1 : 1;
    if (attempt > settings.maxAttempts) {
      out.push({ kind: 'not', rejectedClientOrderId: o.clientOrderId, why: `already regenerated ${attempt - 1} time(s): the limit is ${settings.maxAttempts}` });
      continue;
    }
    const root = parent ? parent.newClientOrderId.replace(/-r\d+$/, '') : o.clientOrderId;
    out.push({ kind: 'regenerate', rejectedClientOrderId: o.clientOrderId, newClientOrderId: `${root}-r${attempt}`, attempt });
  }
  return out;
}
