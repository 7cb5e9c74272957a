/** `orders`, `order_events` and `fills` on SQLite: the OrderLedger port. */
import type {
  EpochMs,
  FillRow,
  JsonObject,
  NewOrder,
  OrderEventRow,
  OrderLedger,
  OrderModification,
  OrderRow,
  OrderStatus,
  OrderTransition,
  StoredFillRow,
  TimeRange,
} from '../../../core/ports/ledger-store';
import { LedgerError } from '../errors';
import { notFound, range, SIDES, type LedgerDb } from '../ledger-db';
import { isLegalTransition, legalNextStatuses, MODIFIABLE, ORDER_STATUSES } from '../../../core/orders/lifecycle';
import { rowMapper } from '../row-mapper';
import {
  canonicalDecimal,
  decimal,
  epochMs,
  freeJsonText,
  int,
  isoOf,
  jsonObjectSchema,
  oneOf,
  optDecimal,
  optInt,
  optText,
  readOptJson,
  record,
  show,
  text,
} from '../values';

/** The stored columns the write path reads back (status checks, broker id, current values). */
interface OrderDb {
  client_order_id: string;
  account_id: string;
  broker_order_id: string | null;
  order_type: 'limit' | 'market';
  quantity: string;
  limit_price: string | null;
  status: OrderStatus;
  filled_quantity: string;
  avg_fill_price: string | null;
  submitted_at: string | null;
}

const toOrder = rowMapper<OrderRow>(
  `client_order_id account_id symbol side quantity order_type limit_price retry_count strategy_run_id position_id re_entry_num reason
   created_at:time status broker_order_id filled_quantity avg_fill_price updated_at:time submitted_at:time? archived_at:time? archived_from`,
);
const toOrderEvent = rowMapper<OrderEventRow>('event_id client_order_id at:time kind from_status to_status reason');
const FILL_COLUMNS_V1 = `seq account_id fill_id client_order_id broker_order_id position_id re_entry_num symbol side quantity price fee fee_currency
   filled_at:time recorded_at:time`;
const toFill = rowMapper<StoredFillRow>(`${FILL_COLUMNS_V1} origin cum_quantity execution_id venue_client_order_id`);
/** A ledger opened with fewer migrations (tests of each migration step) has the v1 fills columns only. */
const toFillV1 = rowMapper<StoredFillRow>(FILL_COLUMNS_V1);

export class SqliteOrderLedger implements OrderLedger {
  private readonly st;
  private readonly mapFill: (row: Record<string, unknown>) => StoredFillRow;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    const v5 = (l.db.pragma('user_version', { simple: true }) as number) >= 5;
    const fillMapper = v5 ? toFill : toFillV1;
    this.mapFill = fillMapper;
    this.st = {
      insertOrder: s(
        `INSERT INTO orders (client_order_id, account_id, symbol, side, quantity, order_type, limit_price, status, retry_count, strategy_run_id, position_id,
           re_entry_num, reason, filled_quantity, created_at, created_at_ms, updated_at)
         VALUES (@id, @account_id, @symbol, @side, @quantity, @order_type, @limit_price, 'pending_submit', @retry_count, @strategy_run_id, @position_id,
           @re_entry_num, @reason, '0', @created_at, @created_at_ms, @created_at)`,
      ),
      updateOrderStatus: s(
        `UPDATE orders SET status = @status, broker_order_id = @broker_order_id, filled_quantity = @filled_quantity, avg_fill_price = @avg_fill_price,
           updated_at = @updated_at, submitted_at = @submitted_at WHERE client_order_id = @id`,
      ),
      modifyOrder: s('UPDATE orders SET limit_price = ?, quantity = ?, updated_at = ? WHERE client_order_id = ?'),
      archiveOrder: s(`UPDATE orders SET status = 'archived', archived_at = ?, archived_from = ?, updated_at = ? WHERE client_order_id = ?`),
      getOrder: s('SELECT * FROM orders WHERE client_order_id = ?'),
      getOrderByBroker: s('SELECT * FROM orders WHERE account_id = ? AND broker_order_id = ?'),
      ordersByStatus: s(
        `SELECT * FROM orders WHERE status IN (SELECT value FROM json_each(@statuses)) AND (@account IS NULL OR account_id = @account)
         ORDER BY created_at_ms, client_order_id LIMIT @limit`,
      ),
      insertOrderEvent: s(
        'INSERT INTO order_events (client_order_id, at, at_ms, kind, from_status, to_status, reason, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      orderEvents: s('SELECT * FROM order_events WHERE client_order_id = ? ORDER BY event_id'),
      getFill: s(`SELECT ${fillMapper.columns} FROM fills WHERE account_id = ? AND fill_id = ?`),
      insertFill: s(
        v5
          ? `INSERT INTO fills (account_id, fill_id, client_order_id, broker_order_id, position_id, re_entry_num, symbol, side, quantity, price, fee, fee_currency,
           filled_at, filled_at_ms, recorded_at, origin, cum_quantity, execution_id, venue_client_order_id)
         VALUES (@account_id, @fill_id, @client_order_id, @broker_order_id, @position_id, @re_entry_num, @symbol, @side, @quantity, @price, @fee, @fee_currency,
           @filled_at, @filled_at_ms, @recorded_at, @origin, @cum_quantity, @execution_id, @venue_client_order_id)`
          : `INSERT INTO fills (account_id, fill_id, client_order_id, broker_order_id, position_id, re_entry_num, symbol, side, quantity, price, fee, fee_currency,
           filled_at, filled_at_ms, recorded_at)
         VALUES (@account_id, @fill_id, @client_order_id, @broker_order_id, @position_id, @re_entry_num, @symbol, @side, @quantity, @price, @fee, @fee_currency,
           @filled_at, @filled_at_ms, @recorded_at)`,
      ),
      fillsInRange: s(
        `SELECT ${fillMapper.columns} FROM fills WHERE filled_at_ms >= @from AND filled_at_ms < @to AND (@account IS NULL OR account_id = @account) ORDER BY filled_at_ms, seq`,
      ),
      fillsAll: s(`SELECT ${fillMapper.columns} FROM fills WHERE (@account IS NULL OR account_id = @account) ORDER BY filled_at_ms, seq`),
    };
  }

  // ------------------------------------------------------------------------------------ orders

  insertOrder(order: NewOrder): OrderRow {
    const o = record('orders', order);
    const id = text('orders.client_order_id', o.clientOrderId);
    // An order of the core (core/orders/order.ts) may carry what this v1 port does not keep: a stop
    // limit's stop, a role, a strategy, a link. Refused rather than dropped: the gateway's journal
    // (tables/order-journal.ts) keeps them.
    const extra = o as Record<string, unknown>;
    for (const [field, col] of [['stopPrice', 'stop_price'], ['role', 'role'], ['strategy', 'strategy'], ['linkedClientOrderId', 'linked_client_order_id']] as const) {
      if (extra[field] !== undefined && extra[field] !== null) {
        throw new LedgerError('invalid_value', `orders.${col}: the order ledger (insertOrder) does not keep it; the gateway's journal does (orderJournal.insert); nothing was written`);
      }
    }
    const orderType = oneOf('orders.order_type', o.orderType, ['limit', 'market'] as const);
    const limitPrice = optDecimal('orders.limit_price', o.limitPrice, 'positive');
    if ((orderType === 'limit') !== (limitPrice !== null)) {
      throw new LedgerError(
        'invalid_value',
        `orders.limit_price: a ${orderType} order ${orderType === 'limit' ? 'needs' : 'takes no'} limit price, got ${show(limitPrice)}; nothing was written`,
      );
    }
    const createdMs = epochMs('orders.created_at', o.createdAt);
    const p = {
      id,
      account_id: text('orders.account_id', o.accountId),
      symbol: text('orders.symbol', o.symbol),
      side: oneOf('orders.side', o.side, SIDES),
      quantity: decimal('orders.quantity', o.quantity, 'positive'),
      order_type: orderType,
      limit_price: limitPrice,
      retry_count: int('orders.retry_count', o.retryCount),
      strategy_run_id: optText('orders.strategy_run_id', o.strategyRunId, 200),
      position_id: optText('orders.position_id', o.positionId, 200),
      re_entry_num: optInt('orders.re_entry_num', o.reEntryNum),
      reason: optText('orders.reason', o.reason),
      created_at: isoOf(createdMs),
      created_at_ms: createdMs,
    };
    return this.l.transaction(() => {
      const existing = this.st.getOrder().get(id) as OrderDb | undefined;
      if (existing) {
        throw new LedgerError('duplicate', `orders.client_order_id ${show(id)} already exists (status ${existing.status}): a client order id is used once; nothing was written`);
      }
      this.l.requireAccount('orders.account_id', p.account_id);
      if (p.strategy_run_id !== null && !this.l.hasStrategyRun(p.strategy_run_id)) {
        throw new LedgerError('not_found', `orders.strategy_run_id: no strategy run ${show(p.strategy_run_id)}; nothing was written`);
      }
      this.st.insertOrder().run(p);
      this.st.insertOrderEvent().run(id, p.created_at, createdMs, 'created', null, 'pending_submit', p.reason, null);
      return this.getOrder(id)!;
    });
  }

  transitionOrder(clientOrderId: string, to: OrderStatus, change: OrderTransition): OrderRow {
    const target = oneOf('orders.status', to, ORDER_STATUSES);
    const c = record('order transition', change);
    const atMs = epochMs('order_events.at', c.at);
    if (target === 'archived') return this.archiveOrder(clientOrderId, atMs, optText('order_events.reason', c.reason));
    const reason = optText('order_events.reason', c.reason);
    const brokerId = c.brokerOrderId === undefined ? undefined : text('orders.broker_order_id', c.brokerOrderId);
    const filledQty = c.filledQuantity === undefined ? undefined : decimal('orders.filled_quantity', c.filledQuantity, 'nonNegative');
    const avgPrice = c.avgFillPrice === undefined ? undefined : decimal('orders.avg_fill_price', c.avgFillPrice, 'nonNegative');
    if (c.detail !== undefined) freeJsonText('order_events.detail', c.detail, true);
    const detailIn = (c.detail ?? {}) as JsonObject;
    const detail: JsonObject = {
      ...detailIn,
      ...(brokerId !== undefined ? { broker_order_id: brokerId } : {}),
      ...(filledQty !== undefined ? { filled_quantity: filledQty } : {}),
      ...(avgPrice !== undefined ? { avg_fill_price: avgPrice } : {}),
    };
    return this.l.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!isLegalTransition(cur.status, target)) throw illegal(clientOrderId, cur.status, target);
      if (brokerId !== undefined && cur.broker_order_id !== null && cur.broker_order_id !== brokerId) {
        throw new LedgerError(
          'conflict',
          `order ${show(clientOrderId)} already has broker id ${show(cur.broker_order_id)}; refusing to replace it with ${show(brokerId)}`,
        );
      }
      if (brokerId !== undefined && cur.broker_order_id === null) {
        const other = this.st.getOrderByBroker().get(cur.account_id, brokerId) as OrderDb | undefined;
        if (other) throw new LedgerError('conflict', `broker order id ${show(brokerId)} already belongs to order ${show(other.client_order_id)}`);
      }
      const iso = isoOf(atMs);
      // Sent means the broker has it: pending_submit → rejected/cancelled/unknown were never (known to be) sent.
      const sent = cur.status === 'pending_submit' && (target === 'submitted' || target === 'accepted');
      const submittedAt = cur.submitted_at ?? (sent ? iso : null);
      this.st.updateOrderStatus().run({
        id: clientOrderId,
        status: target,
        broker_order_id: brokerId ?? cur.broker_order_id,
        filled_quantity: filledQty ?? cur.filled_quantity,
        avg_fill_price: avgPrice ?? cur.avg_fill_price,
        updated_at: iso,
        submitted_at: submittedAt,
      });
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'status', cur.status, target, reason, Object.keys(detail).length ? JSON.stringify(detail) : null);
      return this.getOrder(clientOrderId)!;
    });
  }

  modifyOrder(clientOrderId: string, change: OrderModification): OrderRow {
    const c = record('order modification', change);
    const atMs = epochMs('order_events.at', c.at);
    const limitPrice = c.limitPrice === undefined ? undefined : decimal('orders.limit_price', c.limitPrice, 'positive');
    const quantity = c.quantity === undefined ? undefined : decimal('orders.quantity', c.quantity, 'positive');
    const reason = optText('order_events.reason', c.reason);
    if (limitPrice === undefined && quantity === undefined) {
      throw new LedgerError('invalid_value', `order ${show(clientOrderId)}: a modification changes the limit price or the quantity; nothing was written`);
    }
    return this.l.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!MODIFIABLE.includes(cur.status)) {
        throw new LedgerError('illegal_transition', `order ${show(clientOrderId)} is ${cur.status} and cannot be modified (only ${MODIFIABLE.join(', ')} can)`);
      }
      if (limitPrice !== undefined && cur.order_type === 'market') {
        throw new LedgerError('invalid_value', `order ${show(clientOrderId)} is a market order: it takes no limit price; nothing was written`);
      }
      const iso = isoOf(atMs);
      const next = { limit_price: limitPrice ?? cur.limit_price, quantity: quantity ?? cur.quantity };
      this.st.modifyOrder().run(next.limit_price, next.quantity, iso, clientOrderId);
      const detail = { from: { limit_price: cur.limit_price, quantity: cur.quantity }, to: next };
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'modified', cur.status, cur.status, reason, JSON.stringify(detail));
      return this.getOrder(clientOrderId)!;
    });
  }

  archiveOrder(clientOrderId: string, at: EpochMs, reason: string | null): OrderRow {
    const atMs = epochMs('orders.archived_at', at);
    const why = optText('order_events.reason', reason);
    return this.l.transaction(() => {
      const cur = this.requireOrder(clientOrderId);
      if (!isLegalTransition(cur.status, 'archived')) throw illegal(clientOrderId, cur.status, 'archived');
      const iso = isoOf(atMs);
      this.st.archiveOrder().run(iso, cur.status, iso, clientOrderId);
      this.st.insertOrderEvent().run(clientOrderId, iso, atMs, 'status', cur.status, 'archived', why, null);
      return this.getOrder(clientOrderId)!;
    });
  }

  getOrder(clientOrderId: string): OrderRow | null {
    const r = this.st.getOrder().get(clientOrderId) as Record<string, unknown> | undefined;
    return r ? toOrder(r) : null;
  }

  getOrderByBrokerId(accountId: string, brokerOrderId: string): OrderRow | null {
    const r = this.st.getOrderByBroker().get(accountId, brokerOrderId) as Record<string, unknown> | undefined;
    return r ? toOrder(r) : null;
  }

  ordersByStatus(statuses: readonly OrderStatus[], opts: { accountId?: string; limit?: number } = {}): OrderRow[] {
    const list = statuses.map((s) => oneOf('orders.status', s, ORDER_STATUSES));
    const rows = this.st.ordersByStatus().all({ statuses: JSON.stringify(list), account: opts.accountId ?? null, limit: opts.limit ?? -1 }) as Record<string, unknown>[];
    return rows.map(toOrder);
  }

  orderEvents(clientOrderId: string): OrderEventRow[] {
    return (this.st.orderEvents().all(clientOrderId) as Record<string, unknown>[]).map((r) => {
      const e = toOrderEvent(r);
      e.detail = readOptJson(`order_events.detail (event ${e.eventId})`, r.detail as string | null, jsonObjectSchema);
      return e;
    });
  }

  // ------------------------------------------------------------------------------------- fills

  recordFill(fill: FillRow): boolean {
    return this.recordFills([fill]) === 1;
  }

  recordFills(fills: readonly FillRow[]): number {
    const rows = fills.map((f, i) => fillParams(f, fills.length > 1 ? `fills[${i}]` : 'fills'));
    const recordedAt = isoOf(this.l.clock.now());
    return this.l.transaction(() => {
      let inserted = 0;
      for (const p of rows) {
        const existing = this.st.getFill().get(p.account_id, p.fill_id) as Record<string, string | number | null> | undefined;
        if (existing) {
          assertSameFill(existing, p);
          continue;
        }
        this.l.requireAccount('fills.account_id', p.account_id);
        if (p.client_order_id !== null && !this.st.getOrder().get(p.client_order_id)) {
          throw new LedgerError('not_found', `fills.client_order_id: fill ${show(p.fill_id)} references unknown order ${show(p.client_order_id)}; nothing was written`);
        }
        this.st.insertFill().run({ ...p, recorded_at: recordedAt });
        inserted++;
      }
      return inserted;
    });
  }

  fillsForDay(day: TimeRange, opts: { accountId?: string } = {}): StoredFillRow[] {
    const { from, to } = range('fills.filled_at', day);
    return (this.st.fillsInRange().all({ from, to, account: opts.accountId ?? null }) as Record<string, unknown>[]).map(this.mapFill);
  }

  fillsForRebuild(opts: { accountId?: string } = {}): StoredFillRow[] {
    return (this.st.fillsAll().all({ account: opts.accountId ?? null }) as Record<string, unknown>[]).map(this.mapFill);
  }

  private requireOrder(clientOrderId: string): OrderDb {
    const cur = this.st.getOrder().get(clientOrderId) as OrderDb | undefined;
    if (!cur) throw notFound('order', clientOrderId);
    return cur;
  }
}

function illegal(id: string, from: OrderStatus, to: OrderStatus): LedgerError {
  const allowed = legalNextStatuses(from);
  return new LedgerError(
    'illegal_transition',
    `order ${show(id)} cannot go from ${from} to ${to} (from ${from} it can go to ${allowed.length ? allowed.join(', ') : 'nothing: it is final'})`,
  );
}

type FillParams = ReturnType<typeof fillParams>;

function fillParams(fill: FillRow, where: string) {
  const f = record(where, fill);
  const filledMs = epochMs(`${where}.filled_at`, f.filledAt);
  return {
    account_id: text(`${where}.account_id`, f.accountId),
    fill_id: text(`${where}.fill_id`, f.fillId),
    client_order_id: optText(`${where}.client_order_id`, f.clientOrderId, 200),
    broker_order_id: optText(`${where}.broker_order_id`, f.brokerOrderId, 200),
    position_id: text(`${where}.position_id`, f.positionId),
    re_entry_num: int(`${where}.re_entry_num`, f.reEntryNum),
    symbol: text(`${where}.symbol`, f.symbol),
    side: oneOf(`${where}.side`, f.side, SIDES),
    quantity: decimal(`${where}.quantity`, f.quantity, 'positive'),
    price: decimal(`${where}.price`, f.price),
    fee: decimal(`${where}.fee`, f.fee),
    fee_currency: text(`${where}.fee_currency`, f.feeCurrency, 16),
    filled_at: isoOf(filledMs),
    filled_at_ms: filledMs,
    origin: f.origin == null ? null : oneOf(`${where}.origin`, f.origin, FILL_ORIGINS),
    // Canonical, so the unique (account, venue order, cumulative quantity) key cannot be dodged by '10.0' vs '10'.
    cum_quantity: f.cumQuantity == null ? null : canonicalDecimal(decimal(`${where}.cum_quantity`, f.cumQuantity, 'positive')),
    execution_id: optText(`${where}.execution_id`, f.executionId ?? null, 200),
    venue_client_order_id: optText(`${where}.venue_client_order_id`, f.venueClientOrderId ?? null, 200),
  };
}

const FILL_ORIGINS = ['venue', 'fetched', 'adopted'] as const;

/** Columns a replayed fill must repeat; decimals compare numerically (trailing zeros aside). */
const SAME_FILL: readonly (readonly [keyof FillParams, boolean])[] = [
  ['client_order_id', false],
  ['broker_order_id', false],
  ['position_id', false],
  ['re_entry_num', false],
  ['symbol', false],
  ['side', false],
  ['quantity', true],
  ['price', true],
  ['fee', true],
  ['fee_currency', false],
  ['filled_at', false],
  ['origin', false],
  ['cum_quantity', true],
];

/** A replayed fill must be the same execution; a different one under the same id is refused. */
function assertSameFill(stored: Record<string, string | number | null>, p: FillParams): void {
  for (const [col, isDecimal] of SAME_FILL) {
    const a = stored[col] ?? null;
    const b = p[col];
    const same = isDecimal && a !== null && b !== null ? canonicalDecimal(a as string) === canonicalDecimal(b as string) : a === b;
    if (!same) {
      throw new LedgerError(
        'conflict',
        `fills: fill ${show(p.fill_id)} of account ${show(p.account_id)} is already stored with ${col} ${show(a)}; this report says ${show(b)}. ` +
          'A fill is never overwritten; nothing was written',
      );
    }
  }
}
