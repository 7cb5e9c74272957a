/**
 * The order gateway's journal on SQLite (core/ports/order-journal.ts; issue 16 item 2): the intended
 * order is an `orders` row with the gateway's columns (migration v4: the current venue order's client
 * id, replace count, prior filled quantity, the pending command and its state), its history is
 * `order_events` rows (the journal's event kinds, with the command), and every client order id its
 * venue orders ever had is an `order_venue_client_ids` row (so a late report about a replaced venue
 * order is still found, as MemoryOrderJournal finds it).
 *
 * Every write is one IMMEDIATE transaction on the durable connection (synchronous=FULL, as the fill
 * commits): when `insert` / `update` returns, the row and its event are on disk, together — or, on
 * any error, neither is. Input is validated before the transaction opens; an error names the field
 * (`orders.quantity`, `order_events.kind`, …) and nothing stored changes.
 */
import type { JournalEvent, JournalOrder, NewJournalEvent, OrderCommandKind, OrderJournal, PendingCommand } from '../../../core/ports/order-journal';
import { ORDER_STATUSES } from '../../../core/orders/lifecycle';
import type { OrderStatus } from '../../../core/orders/types';
import { LedgerError } from '../errors';
import { SIDES, type LedgerDb } from '../ledger-db';
import { decimal, epochMs, freeJsonText, int, isoOf, jsonObjectSchema, msOf, oneOf, optDecimal, optText, readOptJson, record, show, text } from '../values';

const COMMANDS: readonly OrderCommandKind[] = ['place', 'replace', 'cancel'];
const EVENT_KINDS: readonly JournalEvent['kind'][] = ['created', 'sent', 'answered', 'unknown', 'resolved', 'resent', 'update'];
/** Fields an update may not change: they name the intended order. */
const IDENTITY = ['account_id', 'symbol', 'side', 'order_type', 'created_at_ms'] as const;

interface JournalRowDb {
  client_order_id: string;
  account_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  order_type: 'limit' | 'market';
  limit_price: string | null;
  status: OrderStatus;
  broker_order_id: string | null;
  venue_client_order_id: string | null;
  filled_quantity: string;
  prior_filled_quantity: string | null;
  replace_count: number | null;
  pending_command: OrderCommandKind | null;
  pending_venue_client_order_id: string | null;
  pending_quantity: string | null;
  pending_limit_price: string | null;
  pending_state: 'sending' | 'unknown' | null;
  pending_since_ms: number | null;
  pending_attempts: number | null;
  reason: string | null;
  created_at_ms: number;
  updated_at_ms: number | null;
  updated_at: string;
}

interface EventDb {
  event_id: number;
  client_order_id: string;
  at_ms: number;
  kind: JournalEvent['kind'];
  command: OrderCommandKind | null;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  detail: string | null;
}

type OrderParams = Omit<JournalRowDb, 'updated_at'> & { created_at: string; updated_at: string };

export class SqliteOrderJournal implements OrderJournal {
  private readonly st;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    const cols = `client_order_id, account_id, symbol, side, quantity, order_type, limit_price, status, broker_order_id, venue_client_order_id,
      filled_quantity, prior_filled_quantity, replace_count, pending_command, pending_venue_client_order_id, pending_quantity, pending_limit_price,
      pending_state, pending_since_ms, pending_attempts, reason, created_at, created_at_ms, updated_at, updated_at_ms`;
    this.st = {
      insert: s(
        `INSERT INTO orders (${cols}, retry_count)
         VALUES (@client_order_id, @account_id, @symbol, @side, @quantity, @order_type, @limit_price, @status, @broker_order_id, @venue_client_order_id,
           @filled_quantity, @prior_filled_quantity, @replace_count, @pending_command, @pending_venue_client_order_id, @pending_quantity, @pending_limit_price,
           @pending_state, @pending_since_ms, @pending_attempts, @reason, @created_at, @created_at_ms, @updated_at, @updated_at_ms, 0)`,
      ),
      update: s(
        `UPDATE orders SET quantity = @quantity, limit_price = @limit_price, status = @status, broker_order_id = @broker_order_id,
           venue_client_order_id = @venue_client_order_id, filled_quantity = @filled_quantity, prior_filled_quantity = @prior_filled_quantity,
           replace_count = @replace_count, pending_command = @pending_command, pending_venue_client_order_id = @pending_venue_client_order_id,
           pending_quantity = @pending_quantity, pending_limit_price = @pending_limit_price, pending_state = @pending_state,
           pending_since_ms = @pending_since_ms, pending_attempts = @pending_attempts, reason = @reason, updated_at = @updated_at, updated_at_ms = @updated_at_ms
         WHERE client_order_id = @client_order_id`,
      ),
      event: s(
        `INSERT INTO order_events (client_order_id, at, at_ms, kind, command, from_status, to_status, reason, detail)
         VALUES (@client_order_id, @at, @at_ms, @kind, @command, @from_status, @to_status, @reason, @detail)`,
      ),
      get: s('SELECT * FROM orders WHERE client_order_id = ?'),
      byVenueClientId: s(
        `SELECT o.* FROM order_venue_client_ids v JOIN orders o ON o.client_order_id = v.client_order_id WHERE v.venue_client_order_id = ?`,
      ),
      owner: s('SELECT client_order_id FROM order_venue_client_ids WHERE venue_client_order_id = ?'),
      ledgerOrder: s('SELECT client_order_id FROM orders WHERE client_order_id = ?'),
      addVenueId: s('INSERT INTO order_venue_client_ids (venue_client_order_id, client_order_id) VALUES (?, ?)'),
      list: s(
        `SELECT * FROM orders WHERE venue_client_order_id IS NOT NULL AND (@account IS NULL OR account_id = @account)
         ORDER BY created_at_ms, client_order_id`,
      ),
      events: s('SELECT * FROM order_events WHERE client_order_id = ? ORDER BY event_id'),
    };
  }

  insert(order: JournalOrder, event: NewJournalEvent): void {
    const p = orderParams(order);
    const e = eventParams(event, p);
    if (e.kind !== 'created') throw invalid('order_events.kind', 'created (the first event of an order)', e.kind);
    this.l.transaction(() => {
      const taken = (this.st.ledgerOrder().get(p.client_order_id) ?? this.st.owner().get(p.client_order_id)) as { client_order_id: string } | undefined;
      if (taken) throw new LedgerError('duplicate', `orders.client_order_id ${show(p.client_order_id)}: already in the journal (order ${show(taken.client_order_id)}); nothing was written`);
      this.l.requireAccount('orders.account_id', p.account_id);
      this.st.insert().run(p);
      this.claimVenueIds(p);
      this.st.event().run(e);
    });
  }

  update(order: JournalOrder, event: NewJournalEvent): void {
    const p = orderParams(order);
    const e = eventParams(event, p);
    this.l.transaction(() => {
      const cur = this.st.get().get(p.client_order_id) as JournalRowDb | undefined;
      if (!cur || cur.venue_client_order_id === null) {
        throw new LedgerError('not_found', `orders.client_order_id ${show(p.client_order_id)}: not in the journal; nothing was written`);
      }
      for (const col of IDENTITY) {
        if (cur[col] !== p[col]) throw new LedgerError('conflict', `orders.${col} of ${show(p.client_order_id)} is ${show(cur[col])}: an update cannot change it to ${show(p[col])}; nothing was written`);
      }
      this.claimVenueIds(p);
      const { account_id: _a, symbol: _s, side: _d, order_type: _t, created_at: _c, created_at_ms: _m, ...changed } = p;
      this.st.update().run(changed);
      this.st.event().run(e);
    });
  }

  /** Records the row's venue client order ids as the order's; refuses one that is another order's. */
  private claimVenueIds(p: OrderParams): void {
    const ids: [string, string][] = [['orders.venue_client_order_id', p.venue_client_order_id!]];
    if (p.pending_venue_client_order_id !== null) ids.push(['orders.pending_venue_client_order_id', p.pending_venue_client_order_id]);
    for (const [where, id] of ids) {
      const owner = this.st.owner().get(id) as { client_order_id: string } | undefined;
      if (owner === undefined) {
        const other = id === p.client_order_id ? undefined : (this.st.ledgerOrder().get(id) as { client_order_id: string } | undefined);
        if (other) throw new LedgerError('conflict', `${where} ${show(id)} is the id of order ${show(other.client_order_id)}; nothing was written`);
        this.st.addVenueId().run(id, p.client_order_id);
      } else if (owner.client_order_id !== p.client_order_id) {
        throw new LedgerError('conflict', `${where} ${show(id)} belongs to order ${show(owner.client_order_id)}; nothing was written`);
      }
    }
  }

  get(clientOrderId: string): JournalOrder | null {
    const row = this.st.get().get(clientOrderId) as JournalRowDb | undefined;
    return row && row.venue_client_order_id !== null ? toJournalOrder(row) : null;
  }

  byVenueClientOrderId(venueClientOrderId: string): JournalOrder | null {
    const row = this.st.byVenueClientId().get(venueClientOrderId) as JournalRowDb | undefined;
    return row ? toJournalOrder(row) : null;
  }

  list(filter: { accountId?: string } = {}): JournalOrder[] {
    return (this.st.list().all({ account: filter.accountId ?? null }) as JournalRowDb[]).map(toJournalOrder);
  }

  events(clientOrderId: string): JournalEvent[] {
    return (this.st.events().all(clientOrderId) as EventDb[]).map((r) => ({
      seq: r.event_id,
      clientOrderId: r.client_order_id,
      at: r.at_ms,
      kind: r.kind as JournalEvent['kind'],
      command: r.command,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      reason: r.reason,
      detail: readOptJson('order_events.detail', r.detail, jsonObjectSchema) as JournalEvent['detail'],
    }));
  }
}

function invalid(where: string, expected: string, got: unknown): LedgerError {
  return new LedgerError('invalid_value', `${where}: expected ${expected}, got ${show(got)}; nothing was written`);
}

/** Validates a journal order into the stored columns (errors name the column; nothing is written). */
function orderParams(order: JournalOrder): OrderParams {
  const o = record('orders (journal order)', order);
  const orderType = oneOf('orders.order_type', o.orderType, ['limit', 'market'] as const);
  const limitPrice = o.limitPrice === undefined ? null : optDecimal('orders.limit_price', o.limitPrice, 'positive');
  if ((orderType === 'limit') !== (limitPrice !== null)) {
    throw invalid('orders.limit_price', `${orderType === 'limit' ? 'a limit price for a limit order' : 'no limit price for a market order'}`, limitPrice);
  }
  const createdMs = epochMs('orders.created_at', o.createdAt);
  const updatedMs = epochMs('orders.updated_at', o.updatedAt);
  const pending = pendingParams(o.pending);
  return {
    client_order_id: text('orders.client_order_id', o.clientOrderId, 100),
    account_id: text('orders.account_id', o.accountId),
    symbol: text('orders.symbol', o.symbol),
    side: oneOf('orders.side', o.side, SIDES),
    quantity: decimal('orders.quantity', o.quantity, 'positive'),
    order_type: orderType,
    limit_price: limitPrice,
    status: oneOf('orders.status', o.status, ORDER_STATUSES),
    broker_order_id: o.venueOrderId === null ? null : text('orders.broker_order_id (venueOrderId)', o.venueOrderId),
    venue_client_order_id: text('orders.venue_client_order_id', o.venueClientOrderId, 128),
    filled_quantity: decimal('orders.filled_quantity', o.filledQuantity, 'nonNegative'),
    prior_filled_quantity: decimal('orders.prior_filled_quantity', o.priorFilledQuantity, 'nonNegative'),
    replace_count: int('orders.replace_count', o.replaceCount),
    ...pending,
    reason: optText('orders.reason', o.reason),
    created_at: isoOf(createdMs),
    created_at_ms: createdMs,
    updated_at: isoOf(updatedMs),
    updated_at_ms: updatedMs,
  };
}

function pendingParams(v: unknown): Pick<
  JournalRowDb,
  'pending_command' | 'pending_venue_client_order_id' | 'pending_quantity' | 'pending_limit_price' | 'pending_state' | 'pending_since_ms' | 'pending_attempts'
> {
  if (v === null) {
    return { pending_command: null, pending_venue_client_order_id: null, pending_quantity: null, pending_limit_price: null, pending_state: null, pending_since_ms: null, pending_attempts: null };
  }
  const p = record('orders.pending', v) as Partial<PendingCommand>;
  return {
    pending_command: oneOf('orders.pending_command', p.kind, COMMANDS),
    pending_venue_client_order_id: text('orders.pending_venue_client_order_id', p.venueClientOrderId, 128),
    pending_quantity: p.quantity === undefined ? null : optDecimal('orders.pending_quantity', p.quantity, 'positive'),
    pending_limit_price: p.limitPrice === undefined ? null : optDecimal('orders.pending_limit_price', p.limitPrice, 'positive'),
    pending_state: oneOf('orders.pending_state', p.state, ['sending', 'unknown'] as const),
    pending_since_ms: epochMs('orders.pending_since', p.since),
    pending_attempts: int('orders.pending_attempts', p.attempts, 1),
  };
}

function eventParams(event: NewJournalEvent, order: OrderParams) {
  const e = record('order_events (journal event)', event);
  const clientOrderId = text('order_events.client_order_id', e.clientOrderId, 100);
  if (clientOrderId !== order.client_order_id) throw invalid('order_events.client_order_id', `the order's id ${show(order.client_order_id)}`, clientOrderId);
  const atMs = epochMs('order_events.at', e.at);
  return {
    client_order_id: clientOrderId,
    at: isoOf(atMs),
    at_ms: atMs,
    kind: oneOf('order_events.kind', e.kind, EVENT_KINDS),
    command: e.command === null ? null : oneOf('order_events.command', e.command, COMMANDS),
    from_status: e.fromStatus === null ? null : oneOf('order_events.from_status', e.fromStatus, ORDER_STATUSES),
    to_status: oneOf('order_events.to_status', e.toStatus, ORDER_STATUSES),
    reason: optText('order_events.reason', e.reason),
    detail: e.detail === null || e.detail === undefined ? null : freeJsonText('order_events.detail', e.detail, true),
  };
}

function toJournalOrder(r: JournalRowDb): JournalOrder {
  const pending: PendingCommand | null =
    r.pending_command === null
      ? null
      : {
          kind: r.pending_command,
          venueClientOrderId: r.pending_venue_client_order_id!,
          quantity: r.pending_quantity,
          limitPrice: r.pending_limit_price,
          state: r.pending_state!,
          since: r.pending_since_ms!,
          attempts: r.pending_attempts!,
        };
  return {
    clientOrderId: r.client_order_id,
    accountId: r.account_id,
    symbol: r.symbol,
    side: r.side,
    quantity: r.quantity,
    orderType: r.order_type,
    limitPrice: r.limit_price,
    status: r.status,
    venueOrderId: r.broker_order_id,
    venueClientOrderId: r.venue_client_order_id!,
    filledQuantity: r.filled_quantity,
    priorFilledQuantity: r.prior_filled_quantity ?? '0',
    replaceCount: r.replace_count ?? 0,
    pending,
    reason: r.reason,
    createdAt: r.created_at_ms,
    updatedAt: r.updated_at_ms ?? msOf(r.updated_at),
  };
}
