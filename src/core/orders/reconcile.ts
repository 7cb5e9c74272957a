/**
 * Reconciliation with the broker (spec §6, §8; issue 16 item 5), pure: the broker's explicit report
 * (positions and open orders, as the venue sent them: ports/venue.ts) against our ledger (our FIFO
 * positions per symbol and the gateway journal's working orders) → one line per position symbol and
 * per order:
 *
 * - `matched`           both sides agree (positions: signed quantity equal and average entry within
 *                       the tolerance; orders: side, remaining quantity and limit price equal);
 * - `broker_only`       the broker holds it, our ledger does not;
 * - `ledger_only`       our ledger holds it, the broker's report does not (the broker is flat there,
 *                       or the order is not open at the venue);
 * - `quantity_mismatch` both hold it with another signed quantity (orders: remaining quantity or side);
 * - `price_mismatch`    same quantity, but the average entry differs beyond the tolerance (orders:
 *                       the limit price differs).
 *
 * The broker's explicit report is authoritative: a symbol missing from a report that arrived means
 * the broker is flat there. A report that did not arrive (the call failed) is NOT "flat": the result
 * is `unavailable` and no line is inferred (`reconcile` with `broker: null`).
 *
 * Exact decimals throughout (model/money.ts); no float touches a quantity or a price.
 *
 * Tolerance on average entry (positions only; documented in docs/orders.md "Reconciliation"): the
 * broker reports its average entry rounded (Alpaca: a decimal string of its own precision; the sim:
 * 4 decimals) while ours is an exact FIFO average, so they are equal when they differ by at most
 * `priceTolerance` per unit (default 0.005: half a cent). A larger difference is a `price_mismatch`;
 * after a partial close it is expected (the broker averages cost, we match lots FIFO) and the P&L
 * compare (pnl/broker-compare.ts) quantifies it. Limit prices of orders are compared exactly.
 */
import type { VenueOrder, VenuePosition } from '../ports/venue';
import { PRICE_DP, QTY_DP, absBig, scaledToString, tryParseScaled } from '../model/money';
import type { OrderSide, OrderStatus } from './types';

export type ReconLineKind = 'matched' | 'broker_only' | 'ledger_only' | 'quantity_mismatch' | 'price_mismatch';
export type ReconResolution = 'adopt_broker' | 'keep_local' | 'close';

/** One side of a line (the wire's ReconSideWire, field for field). */
export interface ReconSide {
  /** Signed quantity (long > 0) for positions; remaining quantity for orders. */
  quantity: string;
  /** Average entry price (positions) or limit price (orders); null when not reported. */
  price: string | null;
}

/** One line (the wire's ReconLineWire, field for field). */
export interface ReconLine {
  /** `position:<symbol>` or `order:<client order id>`. */
  id: string;
  subject: 'position' | 'order';
  kind: ReconLineKind;
  symbol: string;
  client_order_id: string | null;
  broker: ReconSide | null;
  ledger: ReconSide | null;
  resolution: ReconResolution | null;
  note: string | null;
}

/** One open position of our ledger (a projection of the account fills' LedgerPositionView). */
export interface OurPosition {
  symbol: string;
  /** Signed open quantity, exact decimal. */
  quantity: string;
  /** Average entry of the open FIFO lots, null when flat. */
  avgPrice: string | null;
}

/** One working order of our journal (a projection of JournalOrder / OrderWire). */
export interface OurOrder {
  /** The intended order's id (the journal's key). */
  clientOrderId: string;
  /** The client order id of its current venue order (differs after a replace). */
  venueClientOrderId: string;
  /** A pending replace's successor id, if any (the venue may already show the successor). */
  pendingClientOrderId?: string | null;
  venueOrderId: string | null;
  symbol: string;
  side: OrderSide;
  /** The current venue order's quantity. */
  quantity: string;
  /** Filled by the current venue order. */
  filledQuantity: string;
  limitPrice: string | null;
  status: OrderStatus;
}

export interface ReconcileInput {
  /** The broker's explicit report; null when it could not be had (the call failed): nothing is inferred. */
  broker: { positions: readonly VenuePosition[]; openOrders: readonly VenueOrder[] } | null;
  /** Why the report is missing (shown as the reconciliation's error). */
  brokerError?: string | null;
  ledger: { positions: readonly OurPosition[]; orders: readonly OurOrder[] };
  /** Largest difference of average entry per unit still `matched` (decimal text; default DEFAULT_PRICE_TOLERANCE). */
  priceTolerance?: string;
}

export interface ReconcileResult {
  status: 'clean' | 'diff' | 'unavailable';
  error: string | null;
  lines: ReconLine[];
}

/** Half a cent per unit: below it, a broker's rounded average entry and our exact FIFO average are the same price. */
export const DEFAULT_PRICE_TOLERANCE = '0.005';

/** Statuses of a journal order working at the venue (or possibly there: unknown, not yet answered). */
const OPEN_STATUSES: readonly OrderStatus[] = ['pending_submit', 'submitted', 'accepted', 'partially_filled', 'pending_cancel', 'unknown'];

export class ReconcileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileError';
  }
}

function q(text: string | null | undefined, where: string): bigint {
  const v = tryParseScaled((text ?? '').trim() || 'x', QTY_DP);
  if (v === null) throw new ReconcileError(`${where}: quantity ${JSON.stringify(text)} is not an exact decimal (at most ${QTY_DP} places)`);
  return v;
}

function p(text: string | null | undefined, where: string): bigint | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const v = tryParseScaled(text, PRICE_DP);
  if (v === null) throw new ReconcileError(`${where}: price ${JSON.stringify(text)} is not an exact decimal (at most ${PRICE_DP} places)`);
  return v;
}

const qs = (v: bigint) => scaledToString(v, QTY_DP);
const ps = (v: bigint | null) => (v === null ? null : scaledToString(v, PRICE_DP));

/** The broker position's signed quantity: `side` is authoritative (alpaca.md pitfall 14), the sign of `qty` is not. */
export function brokerSignedQty(pos: Pick<VenuePosition, 'qty' | 'side' | 'symbol'>): bigint {
  const abs = absBig(q(pos.qty, `broker position ${pos.symbol}`));
  return pos.side === 'short' ? -abs : abs;
}

/** The symbol an order line names: its own, or its legs' (a multi-leg order has none of its own). */
function orderSymbol(o: VenueOrder): string {
  if (o.symbol) return o.symbol;
  return o.legs.map((l) => l.symbol).filter(Boolean).join('/') || '(no symbol)';
}

function orderRemaining(o: VenueOrder): bigint {
  const total = q(o.qty ?? '0', `broker order ${o.clientOrderId}`);
  const filled = q(o.filledQty || '0', `broker order ${o.clientOrderId}`);
  return total - filled;
}

/** Compares the broker's report with our ledger. Lines: positions by symbol, then orders, each sorted by id. */
export function reconcile(input: ReconcileInput): ReconcileResult {
  if (input.broker === null) {
    return {
      status: 'unavailable',
      error: `the broker's report could not be had${input.brokerError ? ` (${input.brokerError})` : ''}: nothing is compared, and a missing report is not "flat"`,
      lines: [],
    };
  }
  const tolerance = p(input.priceTolerance ?? DEFAULT_PRICE_TOLERANCE, 'price tolerance') ?? 0n;
  if (tolerance < 0n) throw new ReconcileError(`price tolerance ${input.priceTolerance} must not be negative`);
  const lines = [...positionLines(input.broker.positions, input.ledger.positions, tolerance), ...orderLines(input.broker.openOrders, input.ledger.orders)];
  return { status: lines.every((l) => l.kind === 'matched') ? 'clean' : 'diff', error: null, lines };
}

function positionLines(broker: readonly VenuePosition[], ours: readonly OurPosition[], tolerance: bigint): ReconLine[] {
  const b = new Map<string, { qty: bigint; price: bigint | null }>();
  for (const pos of broker) {
    if (b.has(pos.symbol)) throw new ReconcileError(`broker position ${pos.symbol}: reported twice`);
    const qty = brokerSignedQty(pos);
    if (qty !== 0n) b.set(pos.symbol, { qty, price: p(pos.avgEntryPrice, `broker position ${pos.symbol} avg_entry_price`) });
  }
  const l = new Map<string, { qty: bigint; price: bigint | null }>();
  for (const pos of ours) {
    const qty = q(pos.quantity, `ledger position ${pos.symbol}`);
    const prev = l.get(pos.symbol);
    if (prev) throw new ReconcileError(`ledger position ${pos.symbol}: listed twice`);
    if (qty !== 0n) l.set(pos.symbol, { qty, price: p(pos.avgPrice, `ledger position ${pos.symbol} average price`) });
  }
  const symbols = [...new Set([...b.keys(), ...l.keys()])].sort();
  return symbols.map((symbol) => {
    const bs = b.get(symbol);
    const ls = l.get(symbol);
    const broker = bs ? { quantity: qs(bs.qty), price: ps(bs.price) } : null;
    const ledger = ls ? { quantity: qs(ls.qty), price: ps(ls.price) } : null;
    const line = (kind: ReconLineKind, note: string | null): ReconLine => ({ id: `position:${symbol}`, subject: 'position', kind, symbol, client_order_id: null, broker, ledger, resolution: null, note });
    if (!ls) return line('broker_only', `the broker holds ${broker!.quantity}; our ledger is flat (fills outside the app, or fills not yet in the ledger)`);
    if (!bs) return line('ledger_only', `our ledger holds ${ledger!.quantity}; the broker reports no position (it is flat there)`);
    if (bs.qty !== ls.qty) return line('quantity_mismatch', `the broker holds ${broker!.quantity}, our ledger ${ledger!.quantity} (difference ${qs(bs.qty - ls.qty)})`);
    if (bs.price !== null && ls.price !== null && absBig(bs.price - ls.price) > tolerance) {
      return line('price_mismatch', `average entry: broker ${broker!.price}, ours (FIFO lots) ${ledger!.price}; beyond the tolerance of ${ps(tolerance)} per unit`);
    }
    return line('matched', null);
  });
}

function orderLines(broker: readonly VenueOrder[], ours: readonly OurOrder[]): ReconLine[] {
  const open = ours.filter((o) => OPEN_STATUSES.includes(o.status));
  const byClient = new Map<string, OurOrder>();
  const byVenueId = new Map<string, OurOrder>();
  for (const o of open) {
    byClient.set(o.venueClientOrderId, o);
    byClient.set(o.clientOrderId, o);
    if (o.pendingClientOrderId) byClient.set(o.pendingClientOrderId, o);
    if (o.venueOrderId) byVenueId.set(o.venueOrderId, o);
  }
  const seen = new Set<OurOrder>();
  const lines: ReconLine[] = [];
  for (const bo of broker) {
    const mine = byClient.get(bo.clientOrderId) ?? byVenueId.get(bo.id) ?? null;
    const remaining = orderRemaining(bo);
    const bside: ReconSide = { quantity: qs(remaining), price: ps(p(bo.limitPrice, `broker order ${bo.clientOrderId} limit_price`)) };
    if (!mine || seen.has(mine)) {
      lines.push({
        id: `order:${bo.clientOrderId}`,
        subject: 'order',
        kind: 'broker_only',
        symbol: orderSymbol(bo),
        client_order_id: bo.clientOrderId,
        broker: bside,
        ledger: null,
        resolution: null,
        note: `open at the broker (${bo.side || 'multi-leg'} ${bside.quantity} remaining, ${bo.type}${bo.limitPrice ? ` @ ${bo.limitPrice}` : ''}, venue id ${bo.id}) and not in our journal: placed outside the app`,
      });
      continue;
    }
    seen.add(mine);
    const ours = ourSide(mine);
    const base = { id: `order:${mine.clientOrderId}`, subject: 'order' as const, symbol: mine.symbol, client_order_id: mine.clientOrderId, broker: bside, ledger: ours, resolution: null };
    if (bo.side !== '' && bo.side !== mine.side) {
      lines.push({ ...base, kind: 'quantity_mismatch', note: `side: broker ${bo.side}, our journal ${mine.side}` });
    } else if (q(bside.quantity, 'broker') !== q(ours.quantity, 'ledger')) {
      lines.push({ ...base, kind: 'quantity_mismatch', note: `remaining quantity: broker ${bside.quantity}, our journal ${ours.quantity}${mine.status === 'unknown' ? ' (the order\'s outcome is unknown: resolve it)' : ''}` });
    } else if ((bside.price === null) !== (ours.price === null) || (bside.price !== null && ours.price !== null && p(bside.price, 'broker') !== p(ours.price, 'ledger'))) {
      lines.push({ ...base, kind: 'price_mismatch', note: `limit price: broker ${bside.price ?? 'none'}, our journal ${ours.price ?? 'none'}` });
    } else {
      lines.push({ ...base, kind: 'matched', note: mine.status === 'unknown' ? 'at the broker as our journal has it; its last command\'s outcome is still unknown (orders.resolve settles it)' : null });
    }
  }
  for (const mine of open) {
    if (seen.has(mine)) continue;
    const why =
      mine.status === 'pending_submit' || mine.status === 'submitted'
        ? 'not confirmed by the venue yet'
        : mine.status === 'unknown'
          ? 'its outcome is unknown; adopt_broker asks the venue by client order id'
          : `our journal has it ${mine.status}; the broker lists it among no open orders (filled, cancelled or expired there)`;
    lines.push({ id: `order:${mine.clientOrderId}`, subject: 'order', kind: 'ledger_only', symbol: mine.symbol, client_order_id: mine.clientOrderId, broker: null, ledger: ourSide(mine), resolution: null, note: why });
  }
  return lines.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function ourSide(o: OurOrder): ReconSide {
  const remaining = q(o.quantity, `journal order ${o.clientOrderId}`) - q(o.filledQuantity || '0', `journal order ${o.clientOrderId}`);
  return { quantity: qs(remaining), price: ps(p(o.limitPrice, `journal order ${o.clientOrderId} limit price`)) };
}

/**
 * What a resolution is pinned to: the line's kind and both sides. A resolution holds while the line
 * reads the same; when a re-run finds it changed (another quantity, another price), it blocks again.
 */
export function lineFingerprint(line: Pick<ReconLine, 'kind' | 'broker' | 'ledger'>): string {
  const side = (s: ReconSide | null) => (s === null ? '-' : `${s.quantity}@${s.price ?? '-'}`);
  return `${line.kind}|b=${side(line.broker)}|l=${side(line.ledger)}`;
}

/** A resolution the user gave, as stored. */
export interface StoredResolution {
  lineId: string;
  fingerprint: string;
  action: ReconResolution;
  at: number;
  note: string | null;
}

/**
 * Applies stored resolutions to fresh lines: a line whose fingerprint equals its resolution's keeps
 * it; a changed line is unresolved (its note says so). Status: `clean` when every line is matched or
 * resolved.
 */
export function applyResolutions(result: ReconcileResult, stored: ReadonlyMap<string, StoredResolution>): ReconcileResult {
  if (result.status === 'unavailable') return result;
  const lines = result.lines.map((line) => {
    if (line.kind === 'matched') return line;
    const r = stored.get(line.id);
    if (!r) return line;
    if (r.fingerprint === lineFingerprint(line)) return { ...line, resolution: r.action, note: r.note ?? line.note };
    return { ...line, note: `${line.note ?? ''}${line.note ? '; ' : ''}changed since it was resolved (${r.action}): resolve it again` };
  });
  return { ...result, lines, status: lines.every((l) => l.kind === 'matched' || l.resolution !== null) ? 'clean' : 'diff' };
}
