/**
 * The FIFO position engine: the single implementation that turns fills into positions, realized
 * P&L and open lots. Live fills go through it one by one (`FifoLedger.apply`); the ledger rebuilds
 * stored positions through the same code (`rebuildPositions`). Pure: no clock, no I/O.
 *
 * Rules (docs/pnl.md has the worked examples):
 * - A position is identified by (position_id, re_entry_num). Within it, fills on the position's own
 *   side open lots; fills on the other side close the oldest lots first (FIFO).
 * - Realized P&L is booked per closed quantity: (close − open) × qty × multiplier for a long,
 *   (open − close) × … for a short, one `Match` per (opening lot, closing fill) pair.
 * - A fill larger than the open quantity flips through zero: it closes the position (CLOSED) and
 *   opens the remainder on the other side as the next re-entry (re_entry_num + 1).
 * - Re-entry numbering: a fill without re_entry_num joins the open re-entry of its position_id or,
 *   when that is closed (or none exists), starts the next number (0 first). An explicit number must
 *   be the open one, or a new one above every closed one; anything else is rejected.
 * - Fees: every fee paid on a position's fills is charged to it immediately; realized P&L is
 *   reported gross and net of fees, and fees separately. A flipping fill's fee is split between the
 *   closing and the opening part in proportion to quantity (exact to 10^-26, remainder to the open).
 * - Status: OPEN (nothing closed yet), PARTIAL (some quantity closed, some still open), CLOSED.
 * - A rejected fill changes nothing and says why.
 */
import {
  divRound,
  notional,
  toUnits,
  type Money,
  type Multiplier,
  type Price,
  type Qty,
  type Units,
  money,
  price as toPrice,
  qty as toQty,
  DecimalError,
} from '../model/money';

export type Side = 'BUY' | 'SELL';
export type PositionSide = 'LONG' | 'SHORT';
export type PositionStatus = 'OPEN' | 'PARTIAL' | 'CLOSED';

export interface Fill {
  fill_id: string;
  position_id: string;
  /** Omit (or null) to let the engine number re-entries. */
  re_entry_num?: number | null;
  symbol: string;
  side: Side;
  /** Positive. */
  quantity: Qty;
  /** Per unit, ≥ 0. */
  price: Price;
  /** Total fee paid on this fill (a rebate is negative). */
  fee: Money;
  /** Epoch ms. */
  time: number;
}

/** A fill as it arrives from a venue, a file or the ledger: decimals as strings or numbers. */
export interface FillInput {
  fill_id: string;
  position_id: string;
  re_entry_num?: number | null;
  symbol: string;
  side: Side | 'buy' | 'sell';
  quantity: string | number;
  price: string | number;
  fee?: string | number;
  time: number;
}

export class FillError extends Error {
  constructor(
    readonly fill_id: string,
    readonly field: string,
    reason: string,
  ) {
    super(`fill ${JSON.stringify(fill_id)}: ${field} ${reason}`);
    this.name = 'FillError';
  }
}

/** Converts a FillInput exactly (decimal strings or venue numbers), or throws FillError naming the field. */
export function makeFill(input: FillInput): Fill {
  const id = input.fill_id;
  const conv = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new FillError(id, field, e instanceof DecimalError ? e.message : String(e));
    }
  };
  if (!id) throw new FillError(String(id), 'fill_id', 'is empty');
  if (!input.position_id) throw new FillError(id, 'position_id', 'is empty');
  if (!input.symbol) throw new FillError(id, 'symbol', 'is empty');
  const side = String(input.side).toUpperCase();
  if (side !== 'BUY' && side !== 'SELL') throw new FillError(id, 'side', `must be BUY or SELL, got ${JSON.stringify(input.side)}`);
  const quantity = conv('quantity', () => toQty(input.quantity));
  if (quantity <= 0n) throw new FillError(id, 'quantity', `must be positive, got ${String(input.quantity)}`);
  const price = conv('price', () => toPrice(input.price));
  if (price < 0n) throw new FillError(id, 'price', `must not be negative, got ${String(input.price)}`);
  const fee = conv('fee', () => money(input.fee ?? 0));
  if (!Number.isFinite(input.time)) throw new FillError(id, 'time', 'must be epoch milliseconds');
  const rn = input.re_entry_num;
  if (rn != null && (!Number.isInteger(rn) || rn < 0)) throw new FillError(id, 're_entry_num', `must be a non-negative integer, got ${rn}`);
  return { fill_id: id, position_id: input.position_id, re_entry_num: rn ?? null, symbol: input.symbol, side, quantity, price, fee, time: input.time };
}

export interface Lot {
  fill_id: string;
  time: number;
  price: Price;
  /** Remaining open quantity of this lot (positive). */
  quantity: Qty;
}

/** Realized P&L of one closed quantity: which opening lot, which closing fill. */
export interface Match {
  open_fill_id: string;
  close_fill_id: string;
  quantity: Qty;
  open_price: Price;
  close_price: Price;
  /** Gross of fees. */
  realized: Money;
  time: number;
}

export interface PositionSnapshot {
  /** `${position_id}#${re_entry_num}` */
  key: string;
  position_id: string;
  re_entry_num: number;
  symbol: string;
  side: PositionSide;
  status: PositionStatus;
  multiplier: Multiplier;
  /** Quantity opened (sum of opening fills). */
  quantity_total: Qty;
  quantity_closed: Qty;
  quantity_remaining: Qty;
  /** Number of lots still (partly) open; the lots themselves via FifoLedger.lots(). */
  open_lot_count: number;
  /** Σ opening price × qty × multiplier (magnitude). */
  entry_value: Money;
  /** Σ closing price × qty × multiplier (magnitude). */
  exit_value: Money;
  /** Cost of the remaining lots, Σ lot price × qty × multiplier (magnitude). */
  open_cost: Money;
  /** Remaining quantity × multiplier, signed: positive long, negative short. */
  signed_units: Units;
  /** open_cost signed like signed_units; unrealized = mark × signed_units − signed_open_cost. */
  signed_open_cost: Money;
  realized_gross: Money;
  fees: Money;
  /** realized_gross − fees. */
  realized_net: Money;
  /** Number of FIFO matches booked; the matches themselves via FifoLedger.matches(). */
  match_count: number;
  entry_fill_count: number;
  exit_fill_count: number;
  opened_at: number;
  closed_at: number | null;
  last_fill_at: number;
}

export type PositionAction = 'entry' | 'partial_exit' | 'exit';

export interface PositionChange {
  action: PositionAction;
  fill_id: string;
  position: PositionSnapshot;
  /** Quantity this fill opened / closed on this position. */
  opened: Qty;
  closed: Qty;
  /** Realized gross P&L booked by this fill on this position. */
  realized: Money;
  fee: Money;
  /** The matches (closed quantities) this fill booked on this position. */
  matches: readonly Match[];
}

export interface FillRejection {
  fill_id: string;
  position_id: string;
  reason: string;
}

export type ApplyResult = { ok: true; changes: PositionChange[] } | { ok: false; rejection: FillRejection };

export interface FifoOptions {
  /** Multiplier of the instrument behind a symbol (100 for a US option, lot size, contract value). */
  multiplierOf: (symbol: string) => Multiplier;
  /** Keep one Match per closed quantity (default true). */
  keepMatches?: boolean;
}

class PositionState {
  readonly lots: Lot[] = [];
  private lotHead = 0;
  quantityTotal = 0n;
  quantityClosed = 0n;
  remaining = 0n;
  entryValue = 0n;
  exitValue = 0n;
  openCost = 0n;
  realizedGross = 0n;
  fees = 0n;
  readonly matches: Match[] = [];
  matchCount = 0;
  readonly entryFillIds: string[] = [];
  readonly exitFillIds: string[] = [];
  closedAt: number | null = null;
  lastFillAt: number;
  private cached: PositionSnapshot | null = null;

  constructor(
    readonly positionId: string,
    readonly reEntryNum: number,
    readonly symbol: string,
    readonly side: PositionSide,
    readonly multiplier: Multiplier,
    readonly openedAt: number,
  ) {
    this.lastFillAt = openedAt;
  }

  get key(): string {
    return `${this.positionId}#${this.reEntryNum}`;
  }

  get closed(): boolean {
    return this.remaining === 0n && this.quantityTotal > 0n;
  }

  open(fill: Fill, q: bigint, fee: bigint): void {
    const value = notional(fill.price, toUnits(q as Qty, this.multiplier));
    this.lots.push({ fill_id: fill.fill_id, time: fill.time, price: fill.price, quantity: q as Qty });
    this.quantityTotal += q;
    this.remaining += q;
    this.entryValue += value;
    this.openCost += value;
    this.fees += fee;
    this.entryFillIds.push(fill.fill_id);
    this.lastFillAt = fill.time;
    this.cached = null;
  }

  /** Closes up to q FIFO; returns the realized gross P&L. */
  close(fill: Fill, q: bigint, fee: bigint, keepMatches: boolean): bigint {
    const sign = this.side === 'LONG' ? 1n : -1n;
    let left = q;
    let realized = 0n;
    while (left > 0n) {
      const lot = this.lots[this.lotHead]!;
      const take = lot.quantity < left ? lot.quantity : (left as Qty);
      const units = toUnits(take, this.multiplier);
      const openValue = notional(lot.price, units);
      const closeValue = notional(fill.price, units);
      const r = sign * (closeValue - openValue);
      realized += r;
      this.openCost -= openValue;
      this.exitValue += closeValue;
      this.matchCount++;
      if (keepMatches) {
        this.matches.push({ open_fill_id: lot.fill_id, close_fill_id: fill.fill_id, quantity: take, open_price: lot.price, close_price: fill.price, realized: r as Money, time: fill.time });
      }
      const rest = lot.quantity - take;
      if (rest === 0n) {
        this.lots[this.lotHead] = undefined as unknown as Lot;
        this.lotHead++;
      } else {
        this.lots[this.lotHead] = { ...lot, quantity: rest as Qty };
      }
      left -= take;
    }
    // Compact the consumed head now and then so a long-lived position does not hold dead slots.
    if (this.lotHead > 64 && this.lotHead * 2 > this.lots.length) {
      this.lots.splice(0, this.lotHead);
      this.lotHead = 0;
    }
    this.quantityClosed += q;
    this.remaining -= q;
    this.realizedGross += realized;
    this.fees += fee;
    this.exitFillIds.push(fill.fill_id);
    this.lastFillAt = fill.time;
    if (this.remaining === 0n) this.closedAt = fill.time;
    this.cached = null;
    return realized;
  }

  openLots(): Lot[] {
    return this.lots.slice(this.lotHead);
  }

  snapshot(): PositionSnapshot {
    if (this.cached) return this.cached;
    const sign = this.side === 'LONG' ? 1n : -1n;
    const status: PositionStatus = this.remaining === 0n ? 'CLOSED' : this.quantityClosed > 0n ? 'PARTIAL' : 'OPEN';
    this.cached = Object.freeze({
      key: this.key,
      position_id: this.positionId,
      re_entry_num: this.reEntryNum,
      symbol: this.symbol,
      side: this.side,
      status,
      multiplier: this.multiplier,
      quantity_total: this.quantityTotal as Qty,
      quantity_closed: this.quantityClosed as Qty,
      quantity_remaining: this.remaining as Qty,
      open_lot_count: this.lots.length - this.lotHead,
      entry_value: this.entryValue as Money,
      exit_value: this.exitValue as Money,
      open_cost: this.openCost as Money,
      signed_units: (sign * this.remaining * this.multiplier) as Units,
      signed_open_cost: (sign * this.openCost) as Money,
      realized_gross: this.realizedGross as Money,
      fees: this.fees as Money,
      realized_net: (this.realizedGross - this.fees) as Money,
      match_count: this.matchCount,
      entry_fill_count: this.entryFillIds.length,
      exit_fill_count: this.exitFillIds.length,
      opened_at: this.openedAt,
      closed_at: this.closedAt,
      last_fill_at: this.lastFillAt,
    });
    return this.cached;
  }
}

/** Stateful FIFO engine over fills; every method is deterministic in the fills applied. */
export class FifoLedger {
  private readonly byId = new Map<string, PositionState[]>();
  private readonly seenFillIds = new Set<string>();
  private readonly keepMatches: boolean;

  constructor(private readonly opts: FifoOptions) {
    this.keepMatches = opts.keepMatches ?? true;
  }

  /** Applies one fill; on rejection nothing changes. */
  apply(fill: Fill): ApplyResult {
    const reject = (reason: string): ApplyResult => ({ ok: false, rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason } });
    if (this.seenFillIds.has(fill.fill_id)) return reject('duplicate fill_id (already applied)');
    if (fill.quantity <= 0n) return reject('quantity must be positive');
    if (fill.price < 0n) return reject('price must not be negative');
    const gens = this.byId.get(fill.position_id) ?? [];
    const current = gens.at(-1);
    const currentOpen = current && !current.closed ? current : undefined;
    const rn = fill.re_entry_num ?? null;
    let target: PositionState | undefined;
    let newNum: number | undefined;
    if (currentOpen) {
      if (rn !== null && rn !== currentOpen.reEntryNum) {
        return reject(`position ${currentOpen.key} is still open; the fill names re_entry_num ${rn}`);
      }
      if (fill.symbol !== currentOpen.symbol) {
        return reject(`position ${currentOpen.key} trades ${currentOpen.symbol}, the fill is for ${fill.symbol}`);
      }
      target = currentOpen;
    } else {
      const next = current ? current.reEntryNum + 1 : 0;
      if (rn !== null && rn < next) {
        return reject(`position ${fill.position_id}#${rn} is already CLOSED; a re-entry must use re_entry_num ≥ ${next}`);
      }
      newNum = rn ?? next;
    }
    let multiplier: Multiplier;
    try {
      multiplier = target ? target.multiplier : this.opts.multiplierOf(fill.symbol);
    } catch (e) {
      return reject(`no multiplier for ${fill.symbol}: ${(e as Error).message}`);
    }

    this.seenFillIds.add(fill.fill_id);
    if (!this.byId.has(fill.position_id)) this.byId.set(fill.position_id, gens);
    const fillSide: PositionSide = fill.side === 'BUY' ? 'LONG' : 'SHORT';
    const changes: PositionChange[] = [];
    if (!target) {
      const pos = new PositionState(fill.position_id, newNum!, fill.symbol, fillSide, multiplier, fill.time);
      gens.push(pos);
      pos.open(fill, fill.quantity, fill.fee);
      changes.push({ action: 'entry', fill_id: fill.fill_id, position: pos.snapshot(), opened: fill.quantity, closed: 0n as Qty, realized: 0n as Money, fee: fill.fee, matches: [] });
      return { ok: true, changes };
    }
    if (fillSide === target.side) {
      target.open(fill, fill.quantity, fill.fee);
      changes.push({ action: 'entry', fill_id: fill.fill_id, position: target.snapshot(), opened: fill.quantity, closed: 0n as Qty, realized: 0n as Money, fee: fill.fee, matches: [] });
      return { ok: true, changes };
    }
    const closeQty = fill.quantity < target.remaining ? fill.quantity : (target.remaining as Qty);
    const flipQty = fill.quantity - closeQty;
    // Split the fee exactly: the closing share rounded at 10^-MONEY_DP, the remainder to the opening part.
    const closeFee = flipQty === 0n ? fill.fee : divRound(fill.fee * closeQty, fill.quantity, 'half-even');
    const matchesBefore = target.matches.length;
    const realized = target.close(fill, closeQty, closeFee, this.keepMatches);
    changes.push({
      action: target.closed ? 'exit' : 'partial_exit',
      fill_id: fill.fill_id,
      position: target.snapshot(),
      opened: 0n as Qty,
      closed: closeQty,
      realized: realized as Money,
      fee: closeFee as Money,
      matches: target.matches.slice(matchesBefore),
    });
    if (flipQty > 0n) {
      const pos = new PositionState(fill.position_id, target.reEntryNum + 1, fill.symbol, fillSide, multiplier, fill.time);
      gens.push(pos);
      const openFee = fill.fee - closeFee;
      pos.open(fill, flipQty, openFee);
      changes.push({ action: 'entry', fill_id: fill.fill_id, position: pos.snapshot(), opened: flipQty as Qty, closed: 0n as Qty, realized: 0n as Money, fee: openFee as Money, matches: [] });
    }
    return { ok: true, changes };
  }

  /**
   * Forgets every re-entry of a position id and the ids of its fills, so its fills can be applied
   * again in another order (a late fill: execution-time order). Other positions are untouched.
   */
  resetPosition(positionId: string): void {
    const gens = this.byId.get(positionId);
    if (!gens) return;
    for (const p of gens) {
      for (const id of p.entryFillIds) this.seenFillIds.delete(id);
      for (const id of p.exitFillIds) this.seenFillIds.delete(id);
    }
    this.byId.delete(positionId);
  }

  /** Whether any fill of this position id was applied. */
  has(positionId: string): boolean {
    return this.byId.has(positionId);
  }

  /** Every position, in order of position_id first appearance and re_entry_num. */
  positions(): PositionSnapshot[] {
    const out: PositionSnapshot[] = [];
    for (const gens of this.byId.values()) for (const p of gens) out.push(p.snapshot());
    return out;
  }

  get(positionId: string, reEntryNum: number): PositionSnapshot | undefined {
    return this.state(positionId, reEntryNum)?.snapshot();
  }

  private state(positionId: string, reEntryNum: number): PositionState | undefined {
    return this.byId.get(positionId)?.find((p) => p.reEntryNum === reEntryNum);
  }

  /** The open lots of a position, oldest first (copies). */
  lots(positionId: string, reEntryNum: number): Lot[] {
    return this.state(positionId, reEntryNum)?.openLots() ?? [];
  }

  /** Realized P&L per closed quantity (empty when the ledger was built with keepMatches: false). */
  matches(positionId: string, reEntryNum: number): Match[] {
    return this.state(positionId, reEntryNum)?.matches.slice() ?? [];
  }

  fillIds(positionId: string, reEntryNum: number): { entry: string[]; exit: string[] } {
    const p = this.state(positionId, reEntryNum);
    return { entry: p?.entryFillIds.slice() ?? [], exit: p?.exitFillIds.slice() ?? [] };
  }

  /** The open re-entry of a position_id, if any. */
  open(positionId: string): PositionSnapshot | undefined {
    const last = this.byId.get(positionId)?.at(-1);
    return last && !last.closed ? last.snapshot() : undefined;
  }

  /** The re_entry_num the next entry of this position_id will get. */
  nextReEntryNum(positionId: string): number {
    const last = this.byId.get(positionId)?.at(-1);
    if (!last) return 0;
    return last.closed ? last.reEntryNum + 1 : last.reEntryNum;
  }

  /** Σ realized (gross, fees, net) over every position. */
  realizedTotals(): { gross: Money; fees: Money; net: Money } {
    let gross = 0n;
    let fees = 0n;
    for (const gens of this.byId.values()) {
      for (const p of gens) {
        gross += p.realizedGross;
        fees += p.fees;
      }
    }
    return { gross: gross as Money, fees: fees as Money, net: (gross - fees) as Money };
  }
}

/**
 * Rebuilds positions from stored fills — the same engine the live path uses. Fills are applied in
 * time order (stable for equal times); bad fills are reported and skipped, never half-applied.
 */
export function rebuildPositions(fills: readonly Fill[], opts: FifoOptions): { positions: PositionSnapshot[]; rejected: FillRejection[] } {
  const ledger = new FifoLedger(opts);
  const rejected: FillRejection[] = [];
  const ordered = fills.map((f, i) => ({ f, i })).sort((a, b) => a.f.time - b.f.time || a.i - b.i);
  for (const { f } of ordered) {
    const r = ledger.apply(f);
    if (!r.ok) rejected.push(r.rejection);
  }
  return { positions: ledger.positions(), rejected };
}

