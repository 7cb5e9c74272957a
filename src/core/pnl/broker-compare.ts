/**
 * Our ledger beside the broker's (spec §6 "Our own FIFO ledger is shown beside the broker's reported
 * P&L; a difference is explained"; issue 16 item 6), pure and exact.
 *
 * Per symbol: our FIFO figures (signed open quantity, average of the open lots, realized net of
 * fees, unrealized at our mark — null without a fresh mark —, fees) next to the broker's report
 * (signed quantity, its average entry, unrealized_pl, market_value), the difference of the two
 * unrealized figures, and why they differ, each reason quantified where our own data allows:
 *
 * - **no fresh mark**: our unrealized is unknown (not zero), so no difference is computed;
 * - **fills outside the app / missing fills**: the quantities differ. When our journal's orders are
 *   given, the part our own orders explain (the venue reported them filled, the ledger has no fill
 *   for it) is "missing fills", the rest "fills outside the app";
 * - **average cost vs FIFO**: with equal quantities, the broker's average entry is the average cost
 *   of every fill (a partial close leaves it unchanged), ours the average of the FIFO lots still
 *   open. That accounts for (broker avg − FIFO avg) × quantity × multiplier of the difference; the
 *   average cost recomputed from our own fills says whether the broker's figure is exactly that;
 * - **marks**: what remains is the broker's price against our mark;
 * - **fees**: our realized P&L is net of every fee paid; the broker's unrealized P&L carries none.
 *
 * Amounts in explanations are shown to 2 decimals (display only); the wire figures are exact.
 */
import type { VenuePosition } from '../ports/venue';
import {
  MONEY_DP,
  PRICE_DP,
  QTY_DP,
  MULT_DP,
  absBig,
  divRound,
  money,
  scaledToFixed,
  scaledToString,
  toDecimalString,
  tryParseScaled,
  type Money,
} from '../model/money';
import { brokerSignedQty } from '../orders/reconcile';

export interface OurPnlPosition {
  symbol: string;
  /** Signed open quantity. */
  quantity: string;
  /** Average entry of the open FIFO lots; null when flat. */
  avgPrice: string | null;
  /** FIFO realized P&L, net of fees. */
  realized: string;
  /** At our mark; null when there is no fresh mark. */
  unrealized: string | null;
  fees: string;
  /** Contract multiplier (100 for US options, 1 for stock). */
  multiplier: string;
}

/** One of our ledger's fills of the symbol (chronological order is the caller's). */
export interface OurFill {
  clientOrderId: string | null;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  time: number;
}

/** One of our journal's orders of the symbol, with what the venue last reported filled across its venue orders. */
export interface OurOrderFilled {
  clientOrderId: string;
  side: 'buy' | 'sell';
  filledQuantity: string;
}

export interface PnlCompareInput {
  symbol: string;
  ours: OurPnlPosition | null;
  broker: VenuePosition | null;
  /** Used when `ours` is null (default 1; 100 for an option symbol is the caller's to say). */
  multiplier?: string;
  /** Our ledger's fills of the symbol, for the average cost and the missing-fill check; null: not available. */
  fills?: readonly OurFill[] | null;
  /** Our journal's orders of the symbol; null/absent: not available (no missing-fill split). */
  orders?: readonly OurOrderFilled[] | null;
}

/** The wire's PnlCompareWire, field for field. */
export interface PnlCompare {
  symbol: string;
  ours: { quantity: string; avg_price: string | null; realized: string; unrealized: string | null; fees: string } | null;
  broker: { quantity: string; avg_price: string | null; unrealized: string | null; market_value: string | null } | null;
  difference: string | null;
  explanation: string[];
}

/** Below half a cent, two money figures are the same for the explanation (display rounding). */
const MONEY_EPS = 5n * 10n ** BigInt(MONEY_DP - 3);
const PRICE_EPS = 5n * 10n ** BigInt(PRICE_DP - 3);

const m2 = (m: bigint) => scaledToFixed(m, MONEY_DP, 2);
const qs = (v: bigint) => scaledToString(v, QTY_DP);
const ps = (v: bigint) => scaledToString(v, PRICE_DP);
const qty = (t: string) => tryParseScaled(t, QTY_DP) ?? 0n;
const priceOf = (t: string | null | undefined) => (t === null || t === undefined || t.trim() === '' ? null : tryParseScaled(t, PRICE_DP));
const moneyOf = (t: string | null | undefined): Money | null => {
  if (t === null || t === undefined || t.trim() === '') return null;
  try {
    return money(t);
  } catch {
    return null;
  }
};

/** price × qty × multiplier in money (exact: Money = Price × Units × 10, Units = Qty × Mult). */
function notionalOf(price: bigint, q: bigint, mult: bigint): bigint {
  return price * q * mult * 10n;
}

/**
 * The average cost of the open quantity after `fills`, as a broker computes it: fills on the
 * position's side add at their price; fills against it reduce the quantity and leave the average
 * unchanged; a fill through zero opens the rest at its price. Exact rational, rounded once to the
 * price scale. Null when the fills leave the position flat (or there are none).
 */
export function averageCostOf(fills: readonly Pick<OurFill, 'side' | 'quantity' | 'price'>[]): { quantity: bigint; avg: bigint | null } {
  let pos = 0n; // signed, QTY scale
  let num = 0n; // average price = num / den (PRICE scale)
  let den = 1n;
  for (const f of fills) {
    const fq = qty(f.quantity);
    const fp = priceOf(f.price) ?? 0n;
    const s = f.side === 'buy' ? fq : -fq;
    if (pos === 0n || (pos > 0n) === (s > 0n)) {
      const a = absBig(pos);
      // (num/den × a + fp × fq) / (a + fq)
      num = num * a + fp * fq * den;
      den = den * (a + fq);
      const g = gcd(absBig(num), den);
      if (g > 1n) {
        num /= g;
        den /= g;
      }
      pos += s;
    } else if (absBig(s) <= absBig(pos)) {
      pos += s;
      if (pos === 0n) {
        num = 0n;
        den = 1n;
      }
    } else {
      pos += s;
      num = fp;
      den = 1n;
    }
  }
  return { quantity: pos, avg: pos === 0n ? null : divRound(num, den) };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function compareWithBroker(input: PnlCompareInput): PnlCompare {
  const { ours, broker } = input;
  const multText = ours?.multiplier ?? input.multiplier ?? '1';
  const mult = tryParseScaled(multText, MULT_DP) ?? 10n ** BigInt(MULT_DP);
  const ourQty = ours ? qty(ours.quantity) : 0n;
  const brokerQty = broker ? brokerSignedQty(broker) : 0n;
  const ourUnreal = ours ? moneyOf(ours.unrealized) : null;
  const brokerUnreal = broker ? moneyOf(broker.unrealizedPl) : null;
  const oursWire = ours ? { quantity: qs(ourQty), avg_price: ours.avgPrice, realized: ours.realized, unrealized: ours.unrealized, fees: ours.fees } : null;
  const brokerWire = broker ? { quantity: qs(brokerQty), avg_price: broker.avgEntryPrice || null, unrealized: broker.unrealizedPl, market_value: broker.marketValue } : null;
  const difference = ours && broker && ourUnreal !== null && brokerUnreal !== null ? ((ourUnreal - brokerUnreal) as bigint) : null;
  const why: string[] = [];

  if (ours && ourQty !== 0n && ourUnreal === null) why.push('no fresh mark: our unrealized P&L is unknown (not zero), so no difference is computed');
  if (broker && brokerUnreal === null) why.push('the broker reported no unrealized P&L');

  // Quantities: fills outside the app, fills of our own orders the ledger is missing.
  if (brokerQty !== ourQty) {
    const gap = brokerQty - ourQty;
    let missing = 0n;
    const missingOrders: string[] = [];
    if (input.orders && input.fills) {
      for (const o of input.orders) {
        const reported = qty(o.filledQuantity);
        let booked = 0n;
        for (const f of input.fills) if (f.clientOrderId !== null && (f.clientOrderId === o.clientOrderId || f.clientOrderId.startsWith(`${o.clientOrderId}.r`))) booked += qty(f.quantity);
        if (reported > booked) {
          const d = reported - booked;
          missing += o.side === 'buy' ? d : -d;
          missingOrders.push(`${o.clientOrderId} (${qs(d)})`);
        }
      }
    }
    if (missing !== 0n) why.push(`missing fills: the venue reported ${qs(missing)} filled on our orders ${missingOrders.join(', ')} that the ledger has no fill for`);
    const outside = gap - missing;
    if (outside !== 0n) {
      const known = input.orders && input.fills ? 'fills outside the app' : 'fills outside the app or missing fills';
      why.push(`${known}: the broker holds ${qs(brokerQty)}, our ledger ${qs(ourQty)}${missing !== 0n ? ' after the missing fills' : ''} — ${qs(outside)} traded where the desk did not see it (another app, the broker's site, an assignment or transfer)`);
    }
  }

  // Same quantity, other basis: average cost vs FIFO, then marks.
  let explained = 0n;
  const brokerAvg = broker ? priceOf(broker.avgEntryPrice) : null;
  const fifoAvg = ours ? priceOf(ours.avgPrice) : null;
  if (broker && ours && brokerQty === ourQty && ourQty !== 0n && brokerAvg !== null && fifoAvg !== null && absBig(brokerAvg - fifoAvg) > PRICE_EPS) {
    explained = notionalOf(brokerAvg - fifoAvg, ourQty, mult);
    let text = `average cost vs FIFO: the broker's average entry ${ps(brokerAvg)} is the average cost of every fill, ours ${ps(fifoAvg)} the average of the FIFO lots still open; that accounts for ${m2(explained)}`;
    if (input.fills && input.fills.length > 0) {
      const ac = averageCostOf(input.fills);
      if (ac.quantity === ourQty && ac.avg !== null) {
        text += absBig(ac.avg - brokerAvg) <= PRICE_EPS ? ` (our own fills' average cost is ${ps(ac.avg)}: the broker's figure)` : ` (our own fills' average cost is ${ps(ac.avg)}, not the broker's: its basis includes fills we do not have)`;
      }
    }
    why.push(text);
  }
  if (difference !== null && brokerQty === ourQty && absBig(difference - explained) > MONEY_EPS) {
    const rest = difference - explained;
    let ourMark: string | null = null;
    if (fifoAvg !== null && ourQty !== 0n && ourUnreal !== null) ourMark = ps(fifoAvg + divRound(ourUnreal, ourQty * mult * 10n));
    why.push(`marks: the broker values at ${broker!.currentPrice ?? 'a price it did not report'}${ourMark ? `, we at ${ourMark}` : ''}; that accounts for ${m2(rest)}`);
  }

  if (ours) {
    const fees = moneyOf(ours.fees);
    if (fees !== null && fees !== 0n) why.push(`fees: our realized P&L (${m2(moneyOf(ours.realized) ?? 0n)}) is net of ${m2(fees)} fees paid; the broker's unrealized P&L carries no fees`);
  }
  return { symbol: input.symbol, ours: oursWire, broker: brokerWire, difference: difference === null ? null : toDecimalString(difference as Money), explanation: why };
}
