/**
 * One account's venue fills as FIFO positions (issue 16 item 4), pure and deterministic:
 *
 * - **Idempotency across sources.** The stream names an execution (`execution_id`), REST names only a
 *   venue order's cumulative filled quantity and average price. Both agree on one thing: where an
 *   execution sits in its venue order's cumulative filled quantity. A fill is keyed by
 *   `(venue order id, cumulative filled quantity after it)` and covers the interval
 *   `(cum − qty, cum]` of that order's filled quantity. A fill is counted only when its interval
 *   meets no interval already recorded for the order. A REST catch-up records each uncovered gap of
 *   `(0, filled_qty]` as one fill, priced so the order's recorded notional equals
 *   `filled_qty × filled_avg_price`; a stream execution later reported for a gap lies inside it (gaps
 *   are unions of whole executions) and is skipped. Whatever the order of arrival — stream first,
 *   REST first, executions out of order, the same report twice, after a restart (the intervals are
 *   rebuilt from the stored fills) — Σ recorded quantity per venue order = the venue's `filled_qty`.
 * - **Execution-time order.** Fills are kept per position (one position id per account and symbol)
 *   sorted by (execution time, arrival sequence) — the order a rebuild from the ledger's fills table
 *   uses (time, then seq). A fill arriving after fills executed later than it (a late fill) re-applies
 *   that position's FIFO from scratch in that order, so the live positions and a rebuild always agree.
 *   Re-entries are numbered by the engine (never taken from the fill).
 */
import { FifoLedger, type Fill, type FifoOptions, type PositionChange, type PositionSnapshot } from './fifo';
import { PRICE_DP, QTY_DP, divRound, price as toPrice, qty as toQty, scaledToString, type Qty } from '../model/money';

/** A fill of the book: the core Fill plus where it sits in arrival order and its venue-order key. */
export interface BookFill {
  fill: Fill;
  /** Arrival order (the ledger's seq order): breaks ties between equal execution times. */
  seq: number;
  /** The venue order and its cumulative filled quantity after this fill (null for adjustments). */
  venueOrderId: string | null;
  cumQty: Qty | null;
}

export type BookApply =
  | { ok: true; late: false; changes: PositionChange[] }
  /** A late fill: the position's FIFO was re-applied; `positions` is every re-entry of it now, `removed` the keys that no longer exist. */
  | { ok: true; late: true; positions: PositionSnapshot[]; removed: string[] }
  | { ok: false; reason: string };

interface PositionFills {
  fills: BookFill[];
  ledger: FifoLedger;
}

export class AccountFillBook {
  private readonly byPosition = new Map<string, PositionFills>();
  /** Venue order id → the recorded intervals of its filled quantity (sorted, disjoint) and the notional recorded (Σ qty × price, at QTY_DP + PRICE_DP). */
  private readonly marks = new Map<string, { intervals: [bigint, bigint][]; notional: bigint }>();
  private readonly ids = new Set<string>();
  private seqNext = 0;

  constructor(private readonly opts: Omit<FifoOptions, 'keepMatches'>) {}

  /** The next arrival sequence number (a loaded fill keeps its order). */
  nextSeq(): number {
    return this.seqNext++;
  }

  hasFill(fillId: string): boolean {
    return this.ids.has(fillId);
  }

  /** The quantity of a venue order recorded so far (0 when none). */
  filledOf(venueOrderId: string): Qty {
    let sum = 0n;
    for (const [a, b] of this.marks.get(venueOrderId)?.intervals ?? []) sum += b - a;
    return sum as Qty;
  }

  /** The largest cumulative quantity recorded for a venue order (the end of its last interval; 0 when none). */
  highWater(venueOrderId: string): Qty {
    return (this.marks.get(venueOrderId)?.intervals.at(-1)?.[1] ?? 0n) as Qty;
  }

  /** True when the interval (cum − qty, cum] of a venue order meets a recorded one (the execution is already counted). */
  covered(venueOrderId: string, cumQty: Qty, quantity: Qty): boolean {
    const lo = cumQty - quantity;
    for (const [a, b] of this.marks.get(venueOrderId)?.intervals ?? []) if (lo < b && a < cumQty) return true;
    return false;
  }

  /**
   * The fills REST implies for a venue order reporting `filledQty` at `avgPrice`: one per uncovered
   * gap of (0, filledQty] (`cumQty` = the gap's end), all at the price that makes the order's recorded
   * notional equal `filledQty × avgPrice` (half-even at PRICE_DP); empty when nothing is missing.
   * Throws on malformed decimals or a filled quantity without an average price.
   */
  missingFromOrder(venueOrderId: string, filledQty: string, avgPrice: string | null): { quantity: Qty; price: string; cumQty: Qty }[] {
    const cum = toQty(filledQty);
    const mark = this.marks.get(venueOrderId);
    const gaps: [bigint, bigint][] = [];
    let at = 0n;
    for (const [a, b] of mark?.intervals ?? []) {
      if (a >= cum) break;
      if (a > at) gaps.push([at, a]);
      if (b > at) at = b;
    }
    if (at < cum) gaps.push([at, cum]);
    if (gaps.length === 0) return [];
    if (avgPrice === null) throw new Error(`venue order ${venueOrderId} reports filled_qty ${filledQty} without filled_avg_price`);
    const avg = toPrice(avgPrice);
    let missing = 0n;
    for (const [a, b] of gaps) missing += b - a;
    const rest = cum * avg - (mark?.notional ?? 0n);
    const p = mark ? divRound(rest, missing, 'half-even') : avg;
    const priceText = scaledToString(p < 0n ? 0n : p, PRICE_DP);
    return gaps.map(([a, b]) => ({ quantity: (b - a) as Qty, price: priceText, cumQty: b as Qty }));
  }

  /** Applies a fill (a duplicate id or a covered venue-order quantity is refused with the reason). */
  apply(f: BookFill): BookApply {
    if (this.ids.has(f.fill.fill_id)) return { ok: false, reason: 'duplicate fill_id (already applied)' };
    if (f.venueOrderId !== null && f.cumQty !== null && this.covered(f.venueOrderId, f.cumQty, f.fill.quantity)) {
      return { ok: false, reason: `venue order ${f.venueOrderId}: the quantity up to ${scaledToString(f.cumQty, QTY_DP)} filled is already recorded` };
    }
    const fill: Fill = { ...f.fill, re_entry_num: null };
    const entry: BookFill = { ...f, fill };
    let pos = this.byPosition.get(fill.position_id);
    if (!pos) {
      pos = { fills: [], ledger: this.newLedger() };
      this.byPosition.set(fill.position_id, pos);
    }
    const last = pos.fills.at(-1);
    const late = last !== undefined && before(entry, last);
    if (!late) {
      const r = pos.ledger.apply(fill);
      if (!r.ok) return { ok: false, reason: r.rejection.reason };
      pos.fills.push(entry);
      this.note(entry);
      return { ok: true, late: false, changes: r.changes };
    }
    // Late: re-apply the position's fills in execution-time order with this one in its place.
    const fills = [...pos.fills];
    let i = fills.length;
    while (i > 0 && before(entry, fills[i - 1]!)) i--;
    fills.splice(i, 0, entry);
    const ledger = this.newLedger();
    for (const x of fills) {
      const r = ledger.apply(x.fill);
      if (!r.ok) return { ok: false, reason: `re-applying ${fill.position_id} from ${new Date(fill.time).toISOString()}: fill ${x.fill.fill_id}: ${r.rejection.reason}` };
    }
    const beforeKeys = new Set(pos.ledger.positions().map((p) => p.key));
    const positions = ledger.positions();
    for (const p of positions) beforeKeys.delete(p.key);
    pos.fills = fills;
    pos.ledger = ledger;
    this.note(entry);
    return { ok: true, late: true, positions, removed: [...beforeKeys] };
  }

  /** Every position (all re-entries), per position id in first-seen order. */
  positions(): PositionSnapshot[] {
    const out: PositionSnapshot[] = [];
    for (const p of this.byPosition.values()) out.push(...p.ledger.positions());
    return out;
  }

  /** The open re-entry of a position id, if any. */
  open(positionId: string): PositionSnapshot | undefined {
    return this.byPosition.get(positionId)?.ledger.open(positionId);
  }

  /** Every re-entry of one position id. */
  positionsOf(positionId: string): PositionSnapshot[] {
    return this.byPosition.get(positionId)?.ledger.positions() ?? [];
  }

  /** The fills of one position id in FIFO order (execution time, then arrival). */
  fillsOf(positionId: string): Fill[] {
    return this.byPosition.get(positionId)?.fills.map((x) => x.fill) ?? [];
  }

  get fillCount(): number {
    return this.ids.size;
  }

  private note(f: BookFill): void {
    this.ids.add(f.fill.fill_id);
    if (f.seq >= this.seqNext) this.seqNext = f.seq + 1;
    if (f.venueOrderId !== null && f.cumQty !== null) {
      const m = this.marks.get(f.venueOrderId) ?? { intervals: [], notional: 0n };
      m.intervals.push([f.cumQty - f.fill.quantity, f.cumQty]);
      m.intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      m.notional += f.fill.quantity * f.fill.price;
      this.marks.set(f.venueOrderId, m);
    }
  }

  private newLedger(): FifoLedger {
    return new FifoLedger({ multiplierOf: this.opts.multiplierOf, keepMatches: false });
  }
}

/** FIFO order: execution time, then arrival (the rebuild's time, then seq). */
function before(a: BookFill, b: BookFill): boolean {
  return a.fill.time < b.fill.time || (a.fill.time === b.fill.time && a.seq < b.seq);
}

