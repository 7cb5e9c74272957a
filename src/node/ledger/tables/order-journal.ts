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
 *
 * v6 (issue 17): a stop_limit order is stored as order_type 'limit' with its `stop_price` (the v1
 * CHECK allows only limit/market) and read back as 'stop_limit'; `role`, `strategy` and
 * `linked_client_order_id` are written at insert and never changed by an update. `archive` writes an
 * `order_archive` row (append-only): the order keeps its status and history; `archivedAt` is read
 * back from it.
 */
import type { ArchiveEntry, JournalEvent, JournalOrder, NewJournalEvent, OrderCommandKind, OrderJournal, PendingCommand } from '../../../core/ports/order-journal';
import { isTerminal, ORDER_STATUSES } from '../../../core/orders/lifecycle';
import { ORDER_ROLES, type OrderRole, type OrderStatus } from '../../../core/orders/types';
import { LedgerError } from '../errors';
import { SIDES, type LedgerDb } from '../ledger-db';
import { decimal, epochMs, freeJsonText, int, isoOf, jsonObjectSchema, msOf, oneOf, optDecimal, optText, readOptJson, record, show, text } from '../values';

const COMMANDS: readonly OrderCommandKind[] = ['place', 'replace', 'cancel'];
const EVENT_KINDS: readonly JournalEvent['kind'][] = ['created', 'sent', 'answered', 'unknown', 'resolved', 'resent', 'update'];
/** Fields an update may not change: they name the intended order. */
const IDENTITY = ['account_id', 'symbol', 'side', 'order_type', 'created_at_ms'] as const;
/** Fields fixed at insert; an update that leaves one out keeps it, one that names another value is refused. */
const FIXED = ['stop_price', 'role', 'strategy', 'linked_client_order_id'] as const;

interface JournalRowDb {
  client_order_id: string;
  account_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  order_type: 'limit' | 'market';
  limit_price: string | null;
  stop_price: string | null;
  role: OrderRole | null;
  strategy: string | null;
  linked_client_order_id: string | null;
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
  /** From order_archive (a LEFT JOIN): null while the order is not archived. */
  archive_ms?: number | null;
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

type OrderParams = Omit<JournalRowDb, 'updated_at' | 'archive_ms'> & { created_at: string; updated_at: string };
/** Which fixed fields the caller gave (undefined on the journal order: keep the stored value). */
type GivenFixed = Partial<Record<(typeof FIXED)[number], boolean>>;

/** The archive's columns joined to an order row. */
const WITH_ARCHIVE = 'o.*, a.archived_at_ms AS archive_ms FROM orders o LEFT JOIN order_archive a ON a.client_order_id = o.client_order_id';

export class SqliteOrderJournal implements OrderJournal {
  private readonly st;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    const cols = `client_order_id, account_id, symbol, side, quantity, order_type, limit_price, status, broker_order_id, venue_client_order_id,
      filled_quantity, prior_filled_quantity, replace_count, pending_command, pending_venue_client_order_id, pending_quantity, pending_limit_price,
      pending_state, pending_since_ms, pending_attempts, reason, created_at, created_at_ms, updated_at, updated_at_ms,
      stop_price, role, strategy, linked_client_order_id`;
    this.st = {
      insert: s(
        `INSERT INTO orders (${cols}, retry_count)
         VALUES (@client_order_id, @account_id, @symbol, @side, @quantity, @order_type, @limit_price, @status, @broker_order_id, @venue_client_order_id,
           @filled_quantity, @prior_filled_quantity, @replace_count, @pending_command, @pending_venue_client_order_id, @pending_quantity, @pending_limit_price,
           @pending_state, @pending_since_ms, @pending_attempts, @reason, @created_at, @created_at_ms, @updated_at, @updated_at_ms,
           @stop_price, @role, @strategy, @linked_client_order_id, @retry_count)`,
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
      get: s(`SELECT ${WITH_ARCHIVE} WHERE o.client_order_id = ?`),
      byVenueClientId: s(
        `SELECT ${WITH_ARCHIVE} JOIN order_venue_client_ids v ON o.client_order_id = v.client_order_id WHERE v.venue_client_order_id = ?`,
      ),
      owner: s('SELECT client_order_id FROM order_venue_client_ids WHERE venue_client_order_id = ?'),
      ledgerOrder: s('SELECT client_order_id FROM orders WHERE client_order_id = ?'),
      addVenueId: s('INSERT INTO order_venue_client_ids (venue_client_order_id, client_order_id) VALUES (?, ?)'),
      list: s(
        `SELECT ${WITH_ARCHIVE} WHERE o.venue_client_order_id IS NOT NULL AND (@account IS NULL OR o.account_id = @account)
         ORDER BY o.created_at_ms, o.client_order_id`,
      ),
      archived: s('SELECT archived_at_ms FROM order_archive WHERE client_order_id = ?'),
      archive: s(
        `INSERT INTO order_archive (client_order_id, account_id, archived_at, archived_at_ms, from_status, cycle_id, reason)
         VALUES (@client_order_id, @account_id, @archived_at, @archived_at_ms, @from_status, @cycle_id, @reason)`,
      ),
      events: s('SELECT * FROM order_events WHERE client_order_id = ? ORDER BY event_id'),
    };
  }

  insert(order: JournalOrder, event: NewJournalEvent): void {
    const { params: p } = orderParams(order, 'insert');
    const e = eventParams(event, p);
    if (e.kind !== 'created') throw invalid('order_events.kind', 'created (the first event of an order)', e.kind);
    this.l.transaction(() => {
      const taken = (this.st.ledgerOrder().get(p.client_order_id) ?? this.st.owner().get(p.client_order_id)) as { client_order_id: string } | undefined;
      if (taken) throw new LedgerError('duplicate', `orders.client_order_id ${show(p.client_order_id)}: already in the journal (order ${show(taken.client_order_id)}); nothing was written`);
      this.l.requireAccount('orders.account_id', p.account_id);
      this.st.insert().run({ ...p, retry_count: order.retryCount === undefined ? 0 : int('orders.retry_count', order.retryCount) });
      this.claimVenueIds(p);
      this.st.event().run(e);
    });
  }

  update(order: JournalOrder, event: NewJournalEvent): void {
    const { params: p, given } = orderParams(order, 'update');
    const e = eventParams(event, p);
    this.l.transaction(() => {
      const cur = this.st.get().get(p.client_order_id) as JournalRowDb | undefined;
      if (!cur || cur.venue_client_order_id === null) {
        throw new LedgerError('not_found', `orders.client_order_id ${show(p.client_order_id)}: not in the journal; nothing was written`);
      }
      for (const col of IDENTITY) {
        if (cur[col] !== p[col]) throw new LedgerError('conflict', `orders.${col} of ${show(p.client_order_id)} is ${show(cur[col])}: an update cannot change it to ${show(p[col])}; nothing was written`);
      }
      for (const col of FIXED) {
        if (given[col] && cur[col] !== p[col]) throw new LedgerError('conflict', `orders.${col} of ${show(p.client_order_id)} is ${show(cur[col])}: it is fixed when the order is journaled, an update cannot change it to ${show(p[col])}; nothing was written`);
      }
      this.claimVenueIds(p);
      const { account_id: _a, symbol: _s, side: _d, order_type: _t, created_at: _c, created_at_ms: _m, stop_price: _sp, role: _r, strategy: _st, linked_client_order_id: _l, ...changed } = p;
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

  archive(clientOrderId: string, entry: ArchiveEntry): JournalOrder {
    const e = record('order_archive (archive entry)', entry);
    const atMs = epochMs('order_archive.archived_at', e.at);
    const reason = text('order_archive.reason', e.reason);
    const cycleId = e.cycleId === null || e.cycleId === undefined ? null : text('order_archive.cycle_id', e.cycleId);
    this.l.transaction(() => {
      const cur = this.st.get().get(clientOrderId) as JournalRowDb | undefined;
      if (!cur || cur.venue_client_order_id === null) throw new LedgerError('not_found', `orders.client_order_id ${show(clientOrderId)}: not in the journal, nothing to archive; nothing was written`);
      if (this.st.archived().get(clientOrderId) !== undefined) return; // already archived: the first archive stands
      if (!isTerminal(cur.status) || cur.pending_command !== null) {
        throw new LedgerError(
          'conflict',
          `order ${show(clientOrderId)} is ${cur.status}${cur.pending_command !== null ? ` with a ${cur.pending_command} pending` : ''}: only a final order (filled, cancelled, rejected, expired) is archived; nothing was written`,
        );
      }
      this.st.archive().run({ client_order_id: clientOrderId, account_id: cur.account_id, archived_at: isoOf(atMs), archived_at_ms: atMs, from_status: cur.status, cycle_id: cycleId, reason });
    });
    return this.get(clientOrderId)!;
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
function orderParams(order: JournalOrder, op: 'insert' | 'update'): { params: OrderParams; given: GivenFixed } {
  const o = record('orders (journal order)', order);
  const deskType = oneOf('orders.order_type', o.orderType, ['limit', 'market', 'stop_limit'] as const);
  // stop_limit is stored as a limit with a stop price (the v1 CHECK allows only limit / market).
  const orderType = deskType === 'market' ? 'market' : 'limit';
  const limitPrice = o.limitPrice === undefined ? null : optDecimal('orders.limit_price', o.limitPrice, 'positive');
  if ((orderType === 'limit') !== (limitPrice !== null)) {
    throw invalid('orders.limit_price', `${orderType === 'limit' ? `a limit price for a ${deskType} order` : 'no limit price for a market order'}`, limitPrice);
  }
  const stopPrice = o.stopPrice === undefined ? null : optDecimal('orders.stop_price', o.stopPrice, 'positive');
  // An update that leaves the stop out keeps the stored one (checked against it in the transaction).
  const stopKept = op === 'update' && o.stopPrice === undefined;
  if (!stopKept && (deskType === 'stop_limit') !== (stopPrice !== null)) {
    throw invalid('orders.stop_price', deskType === 'stop_limit' ? 'a stop price for a stop_limit order' : `no stop price for a ${deskType} order`, stopPrice);
  }
  const role = o.role === undefined || o.role === null ? null : oneOf('orders.role', o.role, ORDER_ROLES);
  const strategy = o.strategy === undefined ? null : optText('orders.strategy', o.strategy);
  const linked = o.linkedClientOrderId === undefined || o.linkedClientOrderId === null ? null : text('orders.linked_client_order_id', o.linkedClientOrderId, 128);
  const createdMs = epochMs('orders.created_at', o.createdAt);
  const updatedMs = epochMs('orders.updated_at', o.updatedAt);
  const pending = pendingParams(o.pending);
  const given: GivenFixed = { stop_price: o.stopPrice !== undefined, role: o.role !== undefined, strategy: o.strategy !== undefined, linked_client_order_id: o.linkedClientOrderId !== undefined };
  const params: OrderParams = {
    client_order_id: text('orders.client_order_id', o.clientOrderId, 100),
    account_id: text('orders.account_id', o.accountId),
    symbol: text('orders.symbol', o.symbol),
    side: oneOf('orders.side', o.side, SIDES),
    quantity: decimal('orders.quantity', o.quantity, 'positive'),
    order_type: orderType,
    limit_price: limitPrice,
    stop_price: stopPrice,
    role,
    strategy,
    linked_client_order_id: linked,
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
  return { params, given };
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
    orderType: r.order_type === 'limit' && r.stop_price !== null ? 'stop_limit' : r.order_type,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    role: r.role,
    strategy: r.strategy,
    linkedClientOrderId: r.linked_client_order_id,
    archivedAt: r.archive_ms ?? null,
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
