/**
 * The order gateway (spec §2, §8; issue 16 item 2): the one way an order reaches a venue, for every
 * caller (manual action, monitoring cycle, strategy). Per account, between the callers and the
 * account's ExecutionPort, with an OrderJournal (ports/order-journal.ts) and an injected clock.
 *
 * - A client order id is generated and the order committed to the journal *before* it is sent; so
 *   is every later command (the replace's successor id, the cancel) before it goes out.
 * - Each outcome is one of (docs/orders.md):
 *   `refused` locally — mode (Monitor refuses everything), kill switch, validation, or the order is
 *     busy / not open — nothing was sent;
 *   `accepted` / `rejected` — the venue answered (a rejection carries the venue's reason);
 *   `unknown` — no answer that can be trusted (timeout, socket dropped mid-request, 5xx, an
 *     unreadable 2xx): the order may or may not be at the venue. Unknown is a journal status,
 *     resolved by asking the venue (`resolve`: order by client order id), by an order update
 *     (`onOrderUpdate`), or by reconciliation — never by sending again. A place is re-sent only after
 *     the venue said it does not know the client order id, and with the same id (a venue that got it
 *     after all refuses the duplicate, and the gateway asks again).
 * - The kill switch is enforced here, per account: Active lets everything through, Reducing only
 *   orders that reduce exposure (positions + working orders, orders/exposure.ts) and cancels, Halted
 *   only cancels.
 * - Every state change is a journal event; listeners hear each one (for `order_event`s to the UI).
 *
 * Commands on one order are serialized: a second command while one is pending is refused (`busy`).
 */
import type { Clock } from '../ports/clock';
import type { ExecutionPort } from '../ports/execution';
import { VenueError, type OrderUpdate, type VenueOrder } from '../ports/venue';
import type { JournalEvent, JournalOrder, NewJournalEvent, OrderCommandKind, OrderJournal, PendingCommand } from '../ports/order-journal';
import { QTY_DP, scaledToString, tryParseScaled } from '../model/money';
import { levelAllows, type KillSwitchLevel, type OrderIntent } from '../risk/kill-switch';
import { isLegalTransition, isTerminal } from './lifecycle';
import { newOrder, OrderError, type OrderInput } from './order';
import { reducesExposure, roleByExposure, type WorkingOrder } from './exposure';
import type { OrderStatus } from './types';

export type TradingMode = 'monitor' | 'trade';

export type RefusalCause = 'mode' | 'kill_switch' | 'validation' | 'busy' | 'not_found' | 'not_open' | 'journal';

export type GatewayOutcome =
  | { kind: 'refused'; cause: RefusalCause; reason: string; order: JournalOrder | null }
  | { kind: 'accepted'; order: JournalOrder }
  | { kind: 'rejected'; reason: string; httpStatus: number | null; order: JournalOrder }
  | { kind: 'unknown'; reason: string; order: JournalOrder };

/** What a caller asks to place: the order domain's input (order.ts) without what the gateway assigns (ids, time). */
export type PlaceInput = Pick<OrderInput, 'accountId' | 'symbol' | 'side' | 'quantity' | 'orderType' | 'limitPrice' | 'stopPrice' | 'role' | 'strategy' | 'linkedClientOrderId' | 'reason' | 'retryCount'> & {
  timeInForce?: 'day' | 'gtc';
  /**
   * The client order id to use (e.g. one the monitoring cycle recorded before placing, so a crash
   * between the two never places it twice). Refused when the journal already knows the id. Default:
   * a fresh one (`newClientOrderId`).
   */
  clientOrderId?: string;
  /** Who asked (manual, exit, monitor, strategy, reconcile): kept in the `created` event's detail (no column of its own). */
  origin?: string;
};

export interface ReplaceInput {
  quantity?: string;
  limitPrice?: string;
}

/** How `resolve` settles a place the venue never got. */
export interface ResolveOptions {
  /** false: close it (rejected) instead of re-sending it — e.g. the user took the broker's word that there is no such order. Default true. */
  resend?: boolean;
  /** Why it is not re-sent (in the order's reason). */
  why?: string;
}

export interface GatewayDeps {
  clock: Clock;
  execution: Pick<ExecutionPort, 'accountId' | 'placeOrder' | 'replaceOrder' | 'cancelOrder' | 'orderByClientId'>;
  journal: OrderJournal;
  mode: () => TradingMode;
  killSwitch: { levelOf(account: string): KillSwitchLevel };
  /** The account's signed position in `symbol` (scaled by QTY_DP), or null when unknown. */
  position: (accountId: string, symbol: string) => bigint | null;
  /** A fresh client order id (≤ 100 characters: a replace appends `.rN`). */
  newClientOrderId: () => string;
  /** Re-send a place (and a cancel) the venue says it never got (default true). */
  resendWhenNeverReceived?: boolean;
}

/** Statuses in which an order works at the venue (can fill, be replaced or cancelled). */
const WORKING: readonly OrderStatus[] = ['accepted', 'partially_filled', 'pending_cancel'];

/** The venue's order status in the desk's terms; null for `replaced` (that venue order lives on as its successor). */
export function statusOfVenueOrder(o: Pick<VenueOrder, 'status' | 'filledQty'>): OrderStatus | null {
  switch (o.status) {
    case 'filled':
      return 'filled';
    case 'partially_filled':
      return 'partially_filled';
    case 'canceled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'pending_cancel':
      return 'pending_cancel';
    case 'replaced':
      return null;
    default: {
      // new, accepted, pending_new, pending_replace, done_for_day, … : at the venue and working
      const filled = tryParseScaled(o.filledQty || '0', QTY_DP);
      return filled !== null && filled > 0n ? 'partially_filled' : 'accepted';
    }
  }
}

/** Whether a failed venue call leaves the command's outcome unknown (the venue may have carried it out). */
export function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof VenueError)) return true;
  return err.kind === 'network' || err.kind === 'server' || err.kind === 'invalid_response';
}

/** The reason `failed` / `recover` write while a command's outcome is unknown. */
const UNKNOWN_REASON = /^(place|replace|cancel) outcome unknown/;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const qtyOf = (text: string | null | undefined): bigint => (text ? (tryParseScaled(text, QTY_DP) ?? 0n) : 0n);

export class OrderGateway {
  private readonly d: GatewayDeps;
  private readonly listeners = new Set<(order: JournalOrder, event: NewJournalEvent) => void>();
  readonly counters = { sent: 0, resent: 0, unknown: 0, resolved: 0, queries: 0 };

  constructor(deps: GatewayDeps) {
    this.d = { resendWhenNeverReceived: true, ...deps };
  }

  /** Hears every journal event the gateway writes (the UI's `order_event`s come from here). */
  onEvent(listener: (order: JournalOrder, event: NewJournalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get accountId(): string {
    return this.d.execution.accountId;
  }

  order(clientOrderId: string): JournalOrder | null {
    return this.d.journal.get(clientOrderId);
  }

  events(clientOrderId: string): JournalEvent[] {
    return this.d.journal.events(clientOrderId);
  }

  /** Orders with a command whose outcome is not known, or never confirmed sent. */
  unresolved(): JournalOrder[] {
    return this.d.journal.list({ accountId: this.accountId }).filter((o) => o.status === 'unknown' || o.status === 'pending_submit' || o.pending !== null);
  }

  // ---------------------------------------------------------------------------------------------
  // place

  async place(input: PlaceInput): Promise<GatewayOutcome> {
    if (this.d.mode() !== 'trade') return refused('mode', 'Monitor mode is read-only: no order is sent (switch to Trade to place orders)');
    if (input.accountId !== this.accountId) return refused('validation', `order.accountId: this gateway serves account ${this.accountId}, not ${input.accountId}`);
    const now = this.d.clock.now();
    let clientOrderId: string;
    let order: JournalOrder;
    try {
      if (input.clientOrderId !== undefined) {
        const chosen = input.clientOrderId;
        if (typeof chosen === 'string' && chosen.length > 100) throw new OrderError('clientOrderId', `a chosen client order id is at most 100 characters (a replace appends ".rN"); got ${chosen.length}`);
        const taken = typeof chosen === 'string' ? (this.d.journal.get(chosen) ?? this.d.journal.byVenueClientOrderId(chosen)) : null;
        if (taken) {
          return refused(
            'validation',
            `order.clientOrderId: ${chosen} is already in the journal (order ${taken.clientOrderId}, ${taken.accountId === this.accountId ? `${taken.symbol}, ${taken.status}` : `account ${taken.accountId}`}): a client order id is used once; nothing was sent`,
            taken.accountId === this.accountId ? taken : null,
          );
        }
      }
      clientOrderId = input.clientOrderId ?? this.d.newClientOrderId();
      const { clientOrderId: _chosen, ...rest } = input;
      const o = newOrder({ ...rest, clientOrderId, createdAt: now });
      const role = o.role ?? roleByExposure(this.d.position(o.accountId, o.symbol), o.side, qtyOf(o.quantity));
      order = {
        clientOrderId: o.clientOrderId,
        accountId: o.accountId,
        symbol: o.symbol,
        side: o.side,
        quantity: o.quantity,
        orderType: o.orderType,
        limitPrice: o.limitPrice,
        stopPrice: o.stopPrice,
        role,
        strategy: o.strategy,
        linkedClientOrderId: o.linkedClientOrderId,
        retryCount: o.retryCount,
        archivedAt: null,
        status: 'pending_submit',
        venueOrderId: null,
        venueClientOrderId: o.clientOrderId,
        filledQuantity: '0',
        priorFilledQuantity: '0',
        replaceCount: 0,
        pending: { kind: 'place', venueClientOrderId: o.clientOrderId, quantity: null, limitPrice: null, state: 'sending', since: now, attempts: 1 },
        reason: input.reason ?? null,
        createdAt: now,
        updatedAt: now,
      };
    } catch (err) {
      if (err instanceof OrderError) return refused('validation', err.message);
      throw err;
    }
    const gate = this.gate(order, qtyOf(order.quantity), null);
    if (gate) return refused('kill_switch', gate);
    try {
      this.d.journal.insert(order, this.event(order, 'created', 'place', null, null, {
          symbol: order.symbol,
          side: order.side,
          quantity: order.quantity,
          // kept for a re-send (neverReceived, recover) and to restore the reason once an unknown outcome is resolved
          timeInForce: input.timeInForce ?? 'day',
          role: order.role ?? null,
          ...(input.role == null ? { roleBy: 'exposure' } : {}),
          ...(input.clientOrderId !== undefined ? { clientOrderIdChosen: true } : {}),
          ...(input.reason != null ? { reason: input.reason } : {}),
          ...(input.origin !== undefined ? { origin: input.origin } : {}),
        }));
    } catch (err) {
      return refused('journal', `order not sent: it could not be committed first (${message(err)})`);
    }
    this.emit(order, 'created');
    return this.sendPlace(order.clientOrderId, input.timeInForce ?? 'day');
  }

  private async sendPlace(clientOrderId: string, timeInForce: 'day' | 'gtc'): Promise<GatewayOutcome> {
    const o = this.d.journal.get(clientOrderId)!;
    this.counters.sent++;
    let answer: VenueOrder;
    try {
      answer = await this.d.execution.placeOrder({
        clientOrderId: o.venueClientOrderId,
        symbol: o.symbol,
        qty: o.quantity,
        side: o.side,
        type: o.orderType,
        timeInForce,
        ...(o.limitPrice !== null ? { limitPrice: o.limitPrice } : {}),
        ...(o.stopPrice != null ? { stopPrice: o.stopPrice } : {}),
      });
    } catch (err) {
      return this.failed(clientOrderId, 'place', err);
    }
    return this.adopt(clientOrderId, answer, 'answered', 'place');
  }

  // ---------------------------------------------------------------------------------------------
  // replace

  async replace(clientOrderId: string, patch: ReplaceInput): Promise<GatewayOutcome> {
    if (this.d.mode() !== 'trade') return refused('mode', 'Monitor mode is read-only: no order is modified');
    const o = this.d.journal.get(clientOrderId);
    if (!o || o.accountId !== this.accountId) return refused('not_found', `order ${clientOrderId} is not in this account's journal`);
    if (o.pending) return refused('busy', `order ${clientOrderId} has a ${o.pending.kind} ${o.pending.state === 'unknown' ? 'whose outcome is unknown (resolve it first)' : 'in flight'}`, o);
    if (!(o.status === 'accepted' || o.status === 'partially_filled') || o.venueOrderId === null) return refused('not_open', `order ${clientOrderId} is ${o.status}: only a working order can be replaced`, o);
    if (patch.quantity === undefined && patch.limitPrice === undefined) return refused('validation', 'replace: give a new quantity or limit price');
    try {
      if (patch.quantity !== undefined) newOrder({ ...o, quantity: patch.quantity, createdAt: o.createdAt });
      if (patch.limitPrice !== undefined) {
        // A stop_limit's limit price changes; its stop stays as placed.
        if (o.orderType === 'market') throw new OrderError('limitPrice', 'a market order takes no limit price');
        newOrder({ ...o, limitPrice: patch.limitPrice, createdAt: o.createdAt });
      }
    } catch (err) {
      if (err instanceof OrderError) return refused('validation', err.message, o);
      throw err;
    }
    // The kill switch weighs the successor's whole quantity: whether a venue counts a replace's qty
    // as the new total or as what remains is not pinned down (alpaca.md §4.2); the sim makes the
    // successor a fresh order of that qty, and the larger reading is the safe one.
    const newQty = patch.quantity !== undefined ? qtyOf(patch.quantity) : qtyOf(o.quantity) - qtyOf(o.filledQuantity);
    const gate = this.gate(o, newQty, o.clientOrderId);
    if (gate) return refused('kill_switch', gate, o);
    const successor = `${o.clientOrderId}.r${o.replaceCount + 1}`;
    const now = this.d.clock.now();
    const pending: PendingCommand = { kind: 'replace', venueClientOrderId: successor, quantity: patch.quantity ?? null, limitPrice: patch.limitPrice ?? null, state: 'sending', since: now, attempts: 1 };
    const next: JournalOrder = { ...o, replaceCount: o.replaceCount + 1, pending, updatedAt: now };
    try {
      this.write(next, 'sent', 'replace', o.status, null, { successor, quantity: pending.quantity, limitPrice: pending.limitPrice });
    } catch (err) {
      return refused('journal', `replace not sent: it could not be committed first (${message(err)})`, o);
    }
    this.counters.sent++;
    let answer: VenueOrder;
    try {
      answer = await this.d.execution.replaceOrder(o.venueOrderId, {
        clientOrderId: successor,
        ...(patch.quantity !== undefined ? { qty: patch.quantity } : {}),
        ...(patch.limitPrice !== undefined ? { limitPrice: patch.limitPrice } : {}),
      });
    } catch (err) {
      return this.failed(clientOrderId, 'replace', err);
    }
    return this.adopt(clientOrderId, answer, 'answered', 'replace');
  }

  // ---------------------------------------------------------------------------------------------
  // cancel

  async cancel(clientOrderId: string): Promise<GatewayOutcome> {
    if (this.d.mode() !== 'trade') return refused('mode', 'Monitor mode is read-only: no order is cancelled');
    const o = this.d.journal.get(clientOrderId);
    if (!o || o.accountId !== this.accountId) return refused('not_found', `order ${clientOrderId} is not in this account's journal`);
    if (o.pending) return refused('busy', `order ${clientOrderId} has a ${o.pending.kind} ${o.pending.state === 'unknown' ? 'whose outcome is unknown (resolve it first)' : 'in flight'}`, o);
    if (!WORKING.includes(o.status) || o.venueOrderId === null) return refused('not_open', `order ${clientOrderId} is ${o.status}: nothing to cancel`, o);
    // Cancels pass every kill switch level (levelAllows(…, 'cancel')), so no gate here.
    const now = this.d.clock.now();
    const next: JournalOrder = {
      ...o,
      status: 'pending_cancel',
      pending: { kind: 'cancel', venueClientOrderId: o.venueClientOrderId, quantity: null, limitPrice: null, state: 'sending', since: now, attempts: 1 },
      updatedAt: now,
    };
    try {
      this.write(next, 'sent', 'cancel', o.status, null, null);
    } catch (err) {
      return refused('journal', `cancel not sent: it could not be committed first (${message(err)})`, o);
    }
    return this.sendCancel(clientOrderId, o.venueOrderId);
  }

  private async sendCancel(clientOrderId: string, venueOrderId: string): Promise<GatewayOutcome> {
    this.counters.sent++;
    try {
      await this.d.execution.cancelOrder(venueOrderId);
    } catch (err) {
      return this.failed(clientOrderId, 'cancel', err);
    }
    // 204: the venue took the cancel; the final state comes by order update (or `resolve`).
    const o = this.d.journal.get(clientOrderId)!;
    if (o.pending?.kind !== 'cancel') return { kind: 'accepted', order: o }; // an update settled it meanwhile
    const next: JournalOrder = { ...o, pending: null, updatedAt: this.d.clock.now() };
    this.write(next, 'answered', 'cancel', o.status, null, { accepted: true });
    return { kind: 'accepted', order: this.d.journal.get(clientOrderId)! };
  }

  // ---------------------------------------------------------------------------------------------
  // outcomes

  /** A command's call failed: a venue answer (rejected) or no trustworthy answer (unknown). */
  private failed(clientOrderId: string, command: OrderCommandKind, err: unknown): GatewayOutcome {
    const o = this.d.journal.get(clientOrderId)!;
    const now = this.d.clock.now();
    if (o.pending === null || o.pending.kind !== command) {
      // An order update resolved the command while its call was failing: the update's word stands.
      return { kind: 'accepted', order: o };
    }
    // A place refused for a duplicate client order id means the venue holds an order with our id:
    // it is there (this was a re-send, or an earlier process sent it), so ask rather than call it rejected.
    const duplicate = command === 'place' && err instanceof VenueError && err.status === 422 && /unique/i.test(err.message);
    if (outcomeUnknown(err) || duplicate) {
      this.counters.unknown++;
      const to: OrderStatus = isLegalTransition(o.status, 'unknown') ? 'unknown' : o.status;
      const reason = `${command} outcome unknown: ${message(err)}`;
      const next: JournalOrder = { ...o, status: to, pending: { ...o.pending, state: 'unknown' }, reason, updatedAt: now };
      this.write(next, 'unknown', command, o.status, reason, null);
      return { kind: 'unknown', reason, order: this.d.journal.get(clientOrderId)! };
    }
    const httpStatus = err instanceof VenueError ? err.status : null;
    const reason = message(err);
    let to: OrderStatus = o.status;
    if (command === 'place') to = 'rejected';
    else if (command === 'cancel' && o.status === 'pending_cancel') to = this.priorWorkingStatus(o); // not cancelable: as it was (an update or resolve settles it)
    const next: JournalOrder = { ...o, status: to, pending: null, reason: command === 'place' ? reason : o.reason, updatedAt: now };
    this.write(next, 'answered', command, o.status, reason, { rejected: true, httpStatus });
    return { kind: 'rejected', reason, httpStatus, order: this.d.journal.get(clientOrderId)! };
  }

  /** Takes the venue's word about a command's order (an answer, a query, or an update). */
  private adopt(clientOrderId: string, v: VenueOrder, kind: 'answered' | 'resolved' | 'update', command: OrderCommandKind | null, extra: Record<string, string | number | boolean | null> = {}): GatewayOutcome {
    const o = this.d.journal.get(clientOrderId)!;
    const now = this.d.clock.now();
    let next: JournalOrder = { ...o, updatedAt: now };
    if (o.pending?.kind === 'replace' && v.clientOrderId === o.pending.venueClientOrderId) {
      // The successor exists: the replace happened. Its fills count on top of its predecessors'.
      next = {
        ...next,
        priorFilledQuantity: scaledToString(qtyOf(o.priorFilledQuantity) + qtyOf(o.filledQuantity), QTY_DP),
        venueClientOrderId: v.clientOrderId,
        quantity: v.qty ?? o.pending.quantity ?? o.quantity,
        limitPrice: v.limitPrice ?? o.pending.limitPrice ?? o.limitPrice,
        filledQuantity: '0',
        pending: null,
      };
    } else if (v.clientOrderId !== o.venueClientOrderId) {
      return { kind: 'accepted', order: o }; // a report about a venue order this one replaced: history only
    } else if (o.pending?.kind === 'place') {
      next.pending = null; // any word from the venue about the order settles its place
    }
    next.venueOrderId = v.id;
    next.filledQuantity = v.filledQty || next.filledQuantity;
    const reported = statusOfVenueOrder(v);
    let to: OrderStatus = o.status;
    if (reported !== null && reported !== o.status) {
      const cancelInFlight = o.pending?.kind === 'cancel' && o.status === 'pending_cancel' && (reported === 'accepted' || reported === 'partially_filled');
      if (cancelInFlight) to = o.status; // a working report (even a fill) while our cancel is in flight: stays pending_cancel
      else if (isLegalTransition(o.status, reported)) to = reported;
      else if (isLegalTransition(o.status, 'accepted') && isLegalTransition('accepted', reported)) {
        // e.g. pending_submit → filled (a market order answered filled): through accepted, as the lifecycle reads
        this.write({ ...next, status: 'accepted', pending: next.pending }, kind, command, o.status, null, { venueOrderId: v.id, venueStatus: v.status, via: true });
        return this.adoptStatus(clientOrderId, next, 'accepted', reported, kind, command, v, extra);
      } else extra = { ...extra, ignoredStatus: v.status }; // a stale report does not move an order back
    }
    return this.adoptStatus(clientOrderId, next, o.status, to, kind, command, v, extra);
  }

  private adoptStatus(clientOrderId: string, next: JournalOrder, from: OrderStatus, to: OrderStatus, kind: 'answered' | 'resolved' | 'update', command: OrderCommandKind | null, v: VenueOrder, extra: Record<string, string | number | boolean | null>): GatewayOutcome {
    const reason = to === 'rejected' && from !== 'rejected' ? `rejected by the venue (status ${v.status})` : null;
    // The venue's word settled an unknown outcome: the reason no longer says "outcome unknown" (the history keeps it).
    const settled = next.pending === null && next.reason !== null && UNKNOWN_REASON.test(next.reason) ? this.createdReason(clientOrderId) : next.reason;
    const final: JournalOrder = { ...next, status: to, reason: reason ?? settled };
    this.write(final, kind, command, from, reason, { venueOrderId: v.id, venueStatus: v.status, filledQty: v.filledQty, ...extra });
    if (kind === 'resolved') this.counters.resolved++;
    const order = this.d.journal.get(clientOrderId)!;
    if (to === 'rejected') return { kind: 'rejected', reason: order.reason ?? 'rejected by the venue', httpStatus: null, order };
    return { kind: 'accepted', order };
  }

  // ---------------------------------------------------------------------------------------------
  // resolution

  /**
   * Settles an order whose command's outcome is unknown (or, after a restart, never confirmed
   * sent) by asking the venue for it by client order id; refreshes any other order's status.
   */
  async resolve(clientOrderId: string, opts: ResolveOptions = {}): Promise<GatewayOutcome> {
    const o = this.d.journal.get(clientOrderId);
    if (!o || o.accountId !== this.accountId) return refused('not_found', `order ${clientOrderId} is not in this account's journal`);
    const p = o.pending;
    if (p?.state === 'sending') return refused('busy', `order ${clientOrderId} has a ${p.kind} in flight (after a restart, recover() first)`, o);
    const ask = async (id: string): Promise<VenueOrder | null | Error> => {
      this.counters.queries++;
      try {
        return await this.d.execution.orderByClientId(id);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    };
    const stillUnknown = (why: string): GatewayOutcome => ({ kind: 'unknown', reason: `still unknown: ${why}`, order: this.d.journal.get(clientOrderId)! });

    if (p === null || p.kind === 'place') {
      const venueId = p?.venueClientOrderId ?? o.venueClientOrderId;
      const found = await ask(venueId);
      if (found instanceof Error) return stillUnknown(`the venue could not be asked (${found.message})`);
      if (found) return this.adopt(clientOrderId, found, 'resolved', p ? 'place' : null);
      if (p === null) return stillUnknown(`the venue does not know ${venueId}`);
      return this.neverReceived(clientOrderId, 'place', opts);
    }
    if (p.kind === 'replace') {
      const successor = await ask(p.venueClientOrderId);
      if (successor instanceof Error) return stillUnknown(`the venue could not be asked (${successor.message})`);
      if (successor) return this.adopt(clientOrderId, successor, 'resolved', 'replace');
      const current = await ask(o.venueClientOrderId);
      if (current instanceof Error) return stillUnknown(`the venue could not be asked (${current.message})`);
      if (current === null || current.status === 'replaced') return stillUnknown(`the successor ${p.venueClientOrderId} is not at the venue yet`);
      // The replace never reached the venue: the order stands as it was (not re-sent: the caller decides).
      const cleared = this.clearPending(clientOrderId, 'replace', 'the venue never got the replace');
      return this.adopt(cleared.clientOrderId, current, 'resolved', 'replace', { neverReceived: true });
    }
    // cancel
    const current = await ask(o.venueClientOrderId);
    if (current instanceof Error) return stillUnknown(`the venue could not be asked (${current.message})`);
    if (current === null) return stillUnknown(`the venue does not know ${o.venueClientOrderId}`);
    const status = statusOfVenueOrder(current);
    if (status === 'accepted' || status === 'partially_filled') {
      // Still working: the cancel never took effect; cancels cannot duplicate anything, so it goes again.
      this.clearPending(clientOrderId, 'cancel', 'the cancel never took effect');
      const out = this.adopt(clientOrderId, current, 'resolved', 'cancel', { neverReceived: true });
      if (!this.d.resendWhenNeverReceived || opts.resend === false || this.d.mode() !== 'trade') return out;
      this.counters.resent++;
      return this.cancel(clientOrderId);
    }
    this.clearPending(clientOrderId, 'cancel', null);
    return this.adopt(clientOrderId, current, 'resolved', 'cancel');
  }

  /**
   * At start, before anything is sent: a command still marked `sending` was cut off by the end of
   * the previous process (between commit and send, or between send and reply), so its outcome is
   * unknown; each is marked so, then every unresolved order is resolved by asking the venue.
   */
  async recover(): Promise<{ resolved: number; unknown: number }> {
    for (const o of this.unresolved()) {
      if (o.pending?.state !== 'sending') continue;
      const to: OrderStatus = isLegalTransition(o.status, 'unknown') ? 'unknown' : o.status;
      const reason = `${o.pending.kind} outcome unknown: the process ended before the venue's answer was recorded`;
      this.counters.unknown++;
      this.write({ ...o, status: to, pending: { ...o.pending, state: 'unknown' }, reason, updatedAt: this.d.clock.now() }, 'unknown', o.pending.kind, o.status, reason, { restart: true });
    }
    return this.resolveAll();
  }

  /** Resolves every unresolved order of the account (at start, after a reconnect). */
  async resolveAll(): Promise<{ resolved: number; unknown: number }> {
    let resolved = 0;
    let unknown = 0;
    for (const o of this.unresolved()) {
      if (o.pending?.state === 'sending') continue; // in flight: its answer settles it
      const out = await this.resolve(o.clientOrderId);
      if (out.kind === 'unknown') unknown++;
      else resolved++;
    }
    return { resolved, unknown };
  }

  /** The venue said it never got the place: re-send it (same client order id) if still allowed, else close it. */
  private async neverReceived(clientOrderId: string, command: 'place', opts: ResolveOptions): Promise<GatewayOutcome> {
    const o = this.d.journal.get(clientOrderId)!;
    const now = this.d.clock.now();
    const allowed = this.d.resendWhenNeverReceived && opts.resend !== false && this.d.mode() === 'trade';
    const gate = allowed ? this.gate(o, qtyOf(o.quantity), o.clientOrderId) : null;
    if (!allowed || gate) {
      const why = allowed ? gate : opts.resend === false ? (opts.why ?? 'the caller asked not to re-send') : this.d.mode() !== 'trade' ? 'Monitor mode' : 're-sending is off';
      const reason = `the venue never got the order; not re-sent (${why})`;
      const next: JournalOrder = { ...o, status: 'rejected', pending: null, reason, updatedAt: now };
      this.write(next, 'resolved', command, o.status, reason, { neverReceived: true });
      this.counters.resolved++;
      return { kind: 'rejected', reason, httpStatus: null, order: this.d.journal.get(clientOrderId)! };
    }
    const next: JournalOrder = { ...o, pending: { ...o.pending!, state: 'sending', attempts: o.pending!.attempts + 1 }, updatedAt: now };
    this.write(next, 'resent', command, o.status, 'the venue never got the order: sent again with the same client order id', { attempt: next.pending!.attempts });
    this.counters.resent++;
    this.counters.resolved++;
    const out = await this.sendPlace(clientOrderId, this.timeInForceOf(clientOrderId));
    // Refused as a duplicate: the venue got it after all — one more question settles it.
    if (out.kind === 'unknown' && /unique/i.test(out.reason)) return this.resolve(clientOrderId);
    return out;
  }

  private clearPending(clientOrderId: string, command: OrderCommandKind, reason: string | null): JournalOrder {
    const o = this.d.journal.get(clientOrderId)!;
    const next: JournalOrder = { ...o, pending: null, updatedAt: this.d.clock.now() };
    this.write(next, 'resolved', command, o.status, reason, reason ? { neverReceived: true } : null);
    return next;
  }

  // ---------------------------------------------------------------------------------------------
  // order updates

  /** An order update from the venue's stream; returns false when the order is not one of ours. */
  onOrderUpdate(u: OrderUpdate): boolean {
    const o = this.d.journal.byVenueClientOrderId(u.order.clientOrderId);
    if (!o || o.accountId !== this.accountId) return false;
    if (u.event === 'replaced') return true; // the successor's own events carry the order on
    const isCurrent = u.order.clientOrderId === o.venueClientOrderId;
    const isSuccessor = o.pending?.kind === 'replace' && u.order.clientOrderId === o.pending.venueClientOrderId;
    if (!isCurrent && !isSuccessor) return true; // an old venue order of ours: history only
    const wasUnknown = o.pending?.state === 'unknown' || o.status === 'unknown';
    const command = o.pending && (isSuccessor || o.pending.kind === 'place') ? o.pending.kind : null;
    if (o.pending?.kind === 'cancel' && o.pending.state === 'unknown' && (statusOfVenueOrder(u.order) === 'cancelled' || isTerminal(statusOfVenueOrder(u.order) ?? 'accepted'))) {
      this.clearPending(o.clientOrderId, 'cancel', null);
    }
    this.adopt(o.clientOrderId, u.order, wasUnknown ? 'resolved' : 'update', command, { event: u.event, executionId: u.executionId });
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // plumbing

  /** Null when the kill switch lets the order through, else why not. */
  private gate(o: Pick<JournalOrder, 'accountId' | 'symbol' | 'side'>, quantity: bigint, excluding: string | null): string | null {
    const level = this.d.killSwitch.levelOf(o.accountId);
    if (level === 'active') return null;
    const intent: OrderIntent = this.reduces(o, quantity, excluding) ? 'reduce' : 'open';
    if (levelAllows(level, intent)) return null;
    return level === 'halted'
      ? `kill switch Halted on account ${o.accountId}: only cancels pass`
      : `kill switch Reducing on account ${o.accountId}: this ${o.side} of ${scaledToString(quantity, QTY_DP)} ${o.symbol} does not reduce exposure (position and working orders considered)`;
  }

  private reduces(o: Pick<JournalOrder, 'accountId' | 'symbol' | 'side'>, quantity: bigint, excluding: string | null): boolean {
    const position = this.d.position(o.accountId, o.symbol);
    const working: WorkingOrder[] = this.d.journal
      .list({ accountId: o.accountId })
      .filter((w) => w.symbol === o.symbol && w.clientOrderId !== excluding && !isTerminal(w.status))
      .map((w) => {
        const remaining = qtyOf(w.quantity) - qtyOf(w.filledQuantity);
        // A replace sent or unknown: the venue may hold either the order as it was or the successor
        // (weighed by its whole quantity, as replace() gates it), so the larger counts.
        const asked = w.pending?.kind === 'replace' && w.pending.quantity !== null ? qtyOf(w.pending.quantity) : 0n;
        return { side: w.side, remaining: asked > remaining ? asked : remaining };
      });
    return reducesExposure(position, working, o.side, quantity);
  }

  /** The `created` event's detail (origin, time in force, the caller's reason). */
  private createdDetail(clientOrderId: string): NonNullable<NewJournalEvent['detail']> {
    const created = this.d.journal.events(clientOrderId).find((e) => e.kind === 'created');
    return created?.detail ?? {};
  }

  /** The order's time in force as placed ('day' for an order journaled before it was kept). */
  private timeInForceOf(clientOrderId: string): 'day' | 'gtc' {
    return this.createdDetail(clientOrderId)['timeInForce'] === 'gtc' ? 'gtc' : 'day';
  }

  private createdReason(clientOrderId: string): string | null {
    const r = this.createdDetail(clientOrderId)['reason'];
    return typeof r === 'string' ? r : null;
  }

  private priorWorkingStatus(o: JournalOrder): OrderStatus {
    return qtyOf(o.filledQuantity) > 0n ? 'partially_filled' : 'accepted';
  }

  private event(o: JournalOrder, kind: NewJournalEvent['kind'], command: OrderCommandKind | null, from: OrderStatus | null, reason: string | null, detail: NewJournalEvent['detail']): NewJournalEvent {
    return { clientOrderId: o.clientOrderId, at: this.d.clock.now(), kind, command, fromStatus: from, toStatus: o.status, reason, detail };
  }

  private write(next: JournalOrder, kind: NewJournalEvent['kind'], command: OrderCommandKind | null, from: OrderStatus, reason: string | null, detail: NewJournalEvent['detail']): void {
    const e = this.event(next, kind, command, from, reason, detail);
    this.d.journal.update(next, e);
    for (const l of this.listeners) l(next, e);
  }

  private emit(order: JournalOrder, _kind: 'created'): void {
    const events = this.d.journal.events(order.clientOrderId);
    const e = events[events.length - 1];
    if (e) for (const l of this.listeners) l(order, e);
  }
}

function refused(cause: RefusalCause, reason: string, order: JournalOrder | null = null): GatewayOutcome {
  return { kind: 'refused', cause, reason, order };
}
