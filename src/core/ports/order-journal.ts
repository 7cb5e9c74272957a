/**
 * The order gateway's journal (core/orders/gateway.ts): one row per intended order and its
 * append-only history. Every write is durable when it returns (the gateway commits an order before
 * it sends it, and the command it is about to send before sending it), and a row and its event are
 * written together or not at all.
 *
 * Why a port of its own rather than the ledger's OrderLedger: an intended order lives through
 * several venue orders (a replace creates a successor with its own client order id, Alpaca's
 * PATCH /v2/orders/{id}), and a command whose answer was lost must be remembered with the client
 * order id the venue knows it by, so it can be resolved by asking — after a restart too. The
 * durable adapter is the ledger's `SqliteOrderJournal` (node/ledger/tables/order-journal.ts: orders +
 * order_events, schema v4); `MemoryOrderJournal` below is the reference the gateway tests also run.
 */
import type { OrderRole, OrderSide, OrderStatus, OrderType } from '../orders/types';
import { isTerminal } from '../orders/lifecycle';

export type OrderCommandKind = 'place' | 'replace' | 'cancel';

/** A command committed to the journal whose answer is not in: in flight (`sending`) or lost (`unknown`). */
export interface PendingCommand {
  kind: OrderCommandKind;
  /** The client order id the venue knows the command's order by: the order's own (place, cancel) or its successor's (replace). */
  venueClientOrderId: string;
  /** For a replace: the quantity and limit asked for (null: unchanged). */
  quantity: string | null;
  limitPrice: string | null;
  state: 'sending' | 'unknown';
  /** Epoch ms when the command was committed. */
  since: number;
  /** Times the command was sent (a re-send follows only the venue's word that it never got it). */
  attempts: number;
}

export interface JournalOrder {
  /** The intended order's id: the client order id of its first venue order. */
  clientOrderId: string;
  accountId: string;
  symbol: string;
  side: OrderSide;
  /** Exact decimal text: the current venue order's quantity. */
  quantity: string;
  orderType: OrderType;
  limitPrice: string | null;
  /**
   * The fields below are fixed when the order is journaled (an update keeps them; absent reads as
   * null, so rows written before they existed stay valid). `stopPrice`: a stop_limit order's trigger.
   */
  stopPrice?: string | null;
  /** entry / exit / sl / tp (the gateway fills it in by exposure when the caller gave none). */
  role?: OrderRole | null;
  strategy?: string | null;
  /** SL/TP: the protected position's entry order; a regenerated entry: the rejected order it replaces. */
  linkedClientOrderId?: string | null;
  /** Which attempt of its caller this order is, − 1 (a strategy's entry ladder: the ledger's `retry_count`); 0 by default. */
  retryCount?: number;
  /** When the order was archived (epoch ms; `archive`), null while not: read only, an update never sets it. */
  archivedAt?: number | null;
  status: OrderStatus;
  /** The current venue order (null until the venue has answered or reported it). */
  venueOrderId: string | null;
  /** The client order id of the current venue order (`clientOrderId`, then each replace's successor). */
  venueClientOrderId: string;
  /** Filled by the current venue order, as last reported. */
  filledQuantity: string;
  /** Filled by the venue orders this one replaced. */
  priorFilledQuantity: string;
  replaceCount: number;
  pending: PendingCommand | null;
  /** Why the order was refused / rejected, or what left it unknown. */
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * `created` (committed before sending), `sent` (a command committed, about to go out), `answered`
 * (the venue's answer to a command), `unknown` (the answer was lost), `resolved` (an unknown settled
 * by asking the venue or by an order update), `resent` (after the venue said it never got it),
 * `update` (an order update from the venue's stream).
 */
export type JournalEventKind = 'created' | 'sent' | 'answered' | 'unknown' | 'resolved' | 'resent' | 'update';

export interface JournalEvent {
  seq: number;
  clientOrderId: string;
  at: number;
  kind: JournalEventKind;
  command: OrderCommandKind | null;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  reason: string | null;
  detail: Readonly<Record<string, string | number | boolean | null>> | null;
}

export type NewJournalEvent = Omit<JournalEvent, 'seq'>;

/** Why an order was archived (spec §8 step 7: a rejected order is archived, never deleted). */
export interface ArchiveEntry {
  at: number;
  /** The monitoring cycle that archived it (null: another caller). */
  cycleId: string | null;
  reason: string;
}

/** Fields fixed at insert: an update keeps the stored value when it leaves one out. */
const FIXED = ['stopPrice', 'role', 'strategy', 'linkedClientOrderId'] as const;

export interface OrderJournal {
  /** Writes a new order with its `created` event; throws when the id is taken. */
  insert(order: JournalOrder, event: NewJournalEvent): void;
  /** Replaces the order's row and appends its event, atomically; throws when the order is not there. */
  update(order: JournalOrder, event: NewJournalEvent): void;
  get(clientOrderId: string): JournalOrder | null;
  /** The order whose current venue order, or pending replace's successor, has this client order id. */
  byVenueClientOrderId(venueClientOrderId: string): JournalOrder | null;
  list(filter?: { accountId?: string }): JournalOrder[];
  events(clientOrderId: string): JournalEvent[];
  /**
   * Archives a final order (filled, cancelled, rejected, expired): an archive row beside it; the order
   * keeps its status and its history. Idempotent: an order already archived is returned as it is
   * (its first archive stands). Throws, naming the order and its status, for an order that is not
   * final or not in the journal. Returns the order with `archivedAt` set.
   */
  archive(clientOrderId: string, entry: ArchiveEntry): JournalOrder;
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

const copyOrder = (o: JournalOrder): JournalOrder => ({
  ...o,
  stopPrice: o.stopPrice ?? null,
  role: o.role ?? null,
  strategy: o.strategy ?? null,
  linkedClientOrderId: o.linkedClientOrderId ?? null,
  archivedAt: o.archivedAt ?? null,
  pending: o.pending ? { ...o.pending } : null,
});

/** In memory: for tests (`failWrites` makes the next writes throw, as a full disk would). */
export class MemoryOrderJournal implements OrderJournal {
  private readonly rows = new Map<string, JournalOrder>();
  private readonly history = new Map<string, JournalEvent[]>();
  private readonly byVenueId = new Map<string, string>();
  private readonly archived = new Map<string, ArchiveEntry & { fromStatus: OrderStatus }>();
  private seq = 0;
  failWrites = 0;

  insert(order: JournalOrder, event: NewJournalEvent): void {
    this.maybeFail('insert', order.clientOrderId);
    if (this.rows.has(order.clientOrderId) || this.byVenueId.has(order.clientOrderId)) throw new JournalError(`order ${order.clientOrderId}: already in the journal`);
    this.rows.set(order.clientOrderId, { ...copyOrder(order), archivedAt: null });
    this.history.set(order.clientOrderId, [{ ...event, seq: ++this.seq }]);
    this.index(order);
  }

  update(order: JournalOrder, event: NewJournalEvent): void {
    this.maybeFail('update', order.clientOrderId);
    const stored = this.rows.get(order.clientOrderId);
    if (!stored) throw new JournalError(`order ${order.clientOrderId}: not in the journal`);
    const next = copyOrder(order);
    for (const f of FIXED) {
      if (order[f] === undefined) continue;
      if (order[f] !== stored[f]) throw new JournalError(`order ${order.clientOrderId}: ${f} is ${JSON.stringify(stored[f])}, an update cannot change it to ${JSON.stringify(order[f])}`);
    }
    this.rows.set(order.clientOrderId, { ...next, stopPrice: stored.stopPrice ?? null, role: stored.role ?? null, strategy: stored.strategy ?? null, linkedClientOrderId: stored.linkedClientOrderId ?? null, archivedAt: stored.archivedAt ?? null });
    this.history.get(order.clientOrderId)!.push({ ...event, seq: ++this.seq });
    this.index(order);
  }

  get(clientOrderId: string): JournalOrder | null {
    const o = this.rows.get(clientOrderId);
    return o ? copyOrder(o) : null;
  }

  byVenueClientOrderId(venueClientOrderId: string): JournalOrder | null {
    const id = this.byVenueId.get(venueClientOrderId);
    return id === undefined ? null : this.get(id);
  }

  list(filter: { accountId?: string } = {}): JournalOrder[] {
    return [...this.rows.values()].filter((o) => filter.accountId === undefined || o.accountId === filter.accountId).map(copyOrder);
  }

  events(clientOrderId: string): JournalEvent[] {
    return (this.history.get(clientOrderId) ?? []).map((e) => ({ ...e }));
  }

  archive(clientOrderId: string, entry: ArchiveEntry): JournalOrder {
    const o = this.rows.get(clientOrderId);
    if (!o) throw new JournalError(`order ${clientOrderId}: not in the journal, nothing to archive`);
    if (this.archived.has(clientOrderId)) return copyOrder(o);
    this.maybeFail('archive', clientOrderId);
    if (!isTerminal(o.status) || o.pending !== null) {
      throw new JournalError(`order ${clientOrderId} is ${o.status}${o.pending ? ` with a ${o.pending.kind} pending` : ''}: only a final order (filled, cancelled, rejected, expired) is archived`);
    }
    this.archived.set(clientOrderId, { ...entry, fromStatus: o.status });
    o.archivedAt = entry.at;
    return copyOrder(o);
  }

  private index(o: JournalOrder): void {
    this.byVenueId.set(o.venueClientOrderId, o.clientOrderId);
    if (o.pending) this.byVenueId.set(o.pending.venueClientOrderId, o.clientOrderId);
  }

  private maybeFail(op: string, id: string): void {
    if (this.failWrites <= 0) return;
    this.failWrites--;
    throw new JournalError(`order ${id}: ${op} could not be written (injected journal failure)`);
  }
}
