/**
 * Account fills (issue 16 item 4): every held account's venue fills into the ledger, durably and
 * idempotently, as our FIFO positions per account — and the AccountPositions view of them for the
 * trading service (exposure) and the reconciler.
 *
 * - A fill (trade_updates `fill` / `partial_fill`, or the part of a venue order's `filled_qty` REST
 *   reports and the ledger lacks) is keyed by (venue order id, cumulative filled quantity after it)
 *   and counted once whatever the source and order of arrival (core/pnl/account-fill-book.ts).
 * - It is committed to the ledger's `fills` table (the durable connection, synchronous=FULL) BEFORE
 *   the UI hears of it; a fill the ledger refuses is not applied (the next catch-up fetches it again).
 * - At an account's start: its stored fills are loaded into the live positions (positions survive a
 *   restart), then the fills made while the order channel was down are fetched (ExecutionPort
 *   `orders({status:'all', after})` plus the open orders) and the missing ones applied; the same on
 *   every `resync` of trade_updates. `whenSynced(account)` resolves when that is done. A stream
 *   execution showing earlier quantity of its order unreported (a lost execution) triggers a catch-up
 *   a second later unless the missing report arrives meanwhile.
 * - A late fill (executed before fills already applied to its position) re-applies that position's
 *   FIFO in execution-time order, so the live positions equal a rebuild from the fills table.
 *
 * Positions: one position id per account and symbol (`venue:<symbol>` for the default account,
 * `<account>:<symbol>` for another, valued at that account's venue), re-entries numbered by the FIFO.
 */
import type { Clock, Scheduler, Cancel } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { FillRow, OrderLedger, StoredFillRow } from '../../../core/ports/ledger-store';
import type { OrderUpdate, VenueOrder } from '../../../core/ports/venue';
import type { ExecutionPort } from '../../../core/ports/execution';
import type { Quote } from '../../../core/market/quote';
import { markOf, markTimeOf, quotePrices, type MarkPolicy } from '../../../core/market/mark';
import { DEFAULT_ACCOUNT_ID, type Account } from '../../../core/model/account';
import { instrumentId, type InstrumentId } from '../../../core/model/ids';
import { alpacaInstrument } from '../../../core/model/alpaca-symbols';
import { AccountFillBook, type BookFill } from '../../../core/pnl/account-fill-book';
import { makeFill, type Fill, type FillInput, type PositionSnapshot } from '../../../core/pnl/fifo';
import {
  MULT_ONE,
  PRICE_DP,
  absBig,
  divRound,
  multiplierToString,
  qty as toQty,
  qtyToString,
  scaledToString,
  toDecimalString,
  toUnits,
  type Money,
  type Multiplier,
  type Qty,
} from '../../../core/model/money';
import type { FillContext } from '../../live-portfolio';
import type { VenueRun } from '../../compose';
import { venueNameOf } from '../account-supervisor';
import type { AccountLifecycle, AccountPositions, LedgerPositionView } from './ports';

/** Where fills are shown (the live portfolio: fill_event, node_event, position_event). */
export interface FillDisplay {
  applyFill(input: FillInput, meta?: FillContext): { ok: boolean; reason?: string };
  loadFill(input: FillInput, meta?: FillContext): { ok: boolean; reason?: string };
  applyLateFill(late: FillInput, fills: readonly Fill[], meta?: FillContext): { ok: boolean; reason?: string };
}

/** The quotes that value our positions (the desk's quote cache). */
export interface FillQuotes {
  get(instrument: InstrumentId): Quote | undefined;
  readonly staleAfterMs: number;
  readonly markPolicy: MarkPolicy;
}

export interface AccountFillsDeps {
  clock: Clock & Scheduler;
  logger: Logger;
  /** The ledger's fills (SqliteLedgerStore); null: memory only (no durability: a desk without a ledger). */
  ledger: Pick<OrderLedger, 'recordFill' | 'fillsForRebuild'> | null;
  display: FillDisplay;
  quotes: FillQuotes;
  /** The flow (node_event) fills hang under: the desk's current stream start. */
  parentExecution?: () => string | null;
  /** A symbol's contract multiplier as its venue knows it (lot size, contract value); default: Alpaca's symbol rules, else 1. */
  multiplierOf?: (symbol: string) => Multiplier | null;
  /** How far back the first catch-up after a (re)start looks for orders (default 24 h); open orders are always fetched. */
  lookbackMs?: number;
  /** Delay before retrying a failed catch-up (default 2 s, doubling to 60 s). */
  retryMs?: number;
  /** A stream execution showing earlier quantity of its order unreported triggers a catch-up after this (default 1 s). */
  gapCheckMs?: number;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  done: boolean;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const d: Deferred = { promise: new Promise<void>((r) => (resolve = r)), resolve: () => {}, done: false };
  d.resolve = () => {
    d.done = true;
    resolve();
  };
  return d;
}

interface AccountState {
  account: Account;
  book: AccountFillBook;
  loaded: boolean;
  execution: ExecutionPort | null;
  synced: Deferred;
  /** Orders submitted after this (ms) are asked for at the next catch-up (besides the open ones). */
  syncFrom: number | null;
  /** A catch-up is running (another request joins it once it ends). */
  fetching: Promise<void> | null;
  again: boolean;
  retry: Cancel | null;
  retryDelay: number;
  /** A catch-up scheduled because a stream execution showed earlier quantity of its order unreported. */
  gapTimer: Cancel | null;
  /** Fills the ledger refused (logged): they stay missing until a catch-up brings them. */
  failures: number;
  /** Why the last catch-up failed (null: it succeeded, or none ran yet). */
  lastFetchError: string | null;
}

/** The counters a test or the bench reads. */
export interface AccountFillsStats {
  recorded: number;
  duplicates: number;
  late: number;
  fetched: number;
  refused: number;
}

const PAGE = 500;

export class AccountFills implements AccountLifecycle, AccountPositions {
  private readonly accounts = new Map<string, AccountState>();
  readonly stats: AccountFillsStats = { recorded: 0, duplicates: 0, late: 0, fetched: 0, refused: 0 };
  private readonly lookbackMs: number;
  private readonly retryMs: number;
  private readonly gapCheckMs: number;
  private adoptSeq = 0;

  constructor(private readonly deps: AccountFillsDeps) {
    this.lookbackMs = deps.lookbackMs ?? 24 * 3600_000;
    this.retryMs = deps.retryMs ?? 2000;
    this.gapCheckMs = deps.gapCheckMs ?? 1000;
  }

  // ---------------------------------------------------------------- AccountLifecycle

  accountStarted(account: Account, venue: VenueRun): Promise<void> {
    const s = this.stateOf(account);
    s.execution = venue.execution;
    s.retryDelay = this.retryMs;
    if (s.synced.done) s.synced = deferred();
    this.load(s);
    return this.fetchMissed(s, 'start');
  }

  accountStopping(account: Account): void {
    const s = this.accounts.get(account.id);
    if (!s) return;
    s.execution = null;
    s.retry?.();
    s.retry = null;
    s.gapTimer?.();
    s.gapTimer = null;
  }

  resync(account: Account, stream: string): Promise<void> {
    if (stream !== 'trade_updates') return Promise.resolve();
    const s = this.stateOf(account);
    if (s.synced.done) s.synced = deferred();
    return this.fetchMissed(s, 'resync');
  }

  orderUpdate(account: Account, u: OrderUpdate): void {
    if (u.event !== 'fill' && u.event !== 'partial_fill') return;
    const o = u.order;
    const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
    if (!side || u.price === null || u.qty === null) {
      this.deps.logger.warn('venue fill without side, price or quantity; not applied', { account: account.id, order: o.id, event: u.event });
      return;
    }
    const s = this.stateOf(account);
    if (!s.loaded) this.load(s);
    let q: Qty;
    let cum: Qty;
    try {
      q = toQty(u.qty);
      // The order object in a fill event is the order after this execution: its filled_qty is the
      // cumulative quantity up to and including it. A report without a usable one (missing, or
      // below this execution's quantity) is placed after everything recorded for the order.
      const reported = o.filledQty ? toQty(o.filledQty) : 0n;
      cum = (reported >= q ? reported : s.book.highWater(o.id) + q) as Qty;
    } catch (err) {
      this.deps.logger.warn('venue fill with a malformed quantity; not applied', { account: account.id, order: o.id, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.record(s, {
      order: o,
      symbol: o.symbol,
      side,
      quantity: qtyToString(q),
      price: u.price,
      cum,
      time: u.timestamp ?? u.receivedAt,
      origin: 'venue',
      executionId: u.executionId,
    });
    // Quantity of this order before this execution that nobody reported: an execution lost on the
    // stream (or still on its way). Unless it arrives meanwhile, a catch-up asks the venue.
    if (s.book.filledOf(o.id) < cum) this.scheduleGapCheck(s);
  }

  private scheduleGapCheck(s: AccountState): void {
    if (s.gapTimer || !s.execution) return;
    s.gapTimer = this.deps.clock.setTimeout(() => {
      s.gapTimer = null;
      void this.fetchMissed(s, 'gap');
    }, this.gapCheckMs);
  }

  // ---------------------------------------------------------------- AccountPositions

  signedQuantity(account: string, symbol: string): bigint | null {
    const s = this.accounts.get(account);
    if (!s || !s.loaded) return null;
    const open = s.book.open(this.positionIdOf(s.account, symbol));
    if (!open) return 0n;
    return open.side === 'LONG' ? open.quantity_remaining : -open.quantity_remaining;
  }

  positions(account: string, opts: { withClosed?: boolean } = {}): LedgerPositionView[] {
    const s = this.accounts.get(account);
    if (!s || !s.loaded) return [];
    const bySymbol = new Map<string, PositionSnapshot[]>();
    for (const p of s.book.positions()) {
      const list = bySymbol.get(p.symbol) ?? [];
      list.push(p);
      bySymbol.set(p.symbol, list);
    }
    const out: LedgerPositionView[] = [];
    const now = this.deps.clock.now();
    for (const [symbol, snaps] of bySymbol) {
      const open = snaps.find((p) => p.quantity_remaining > 0n);
      if (!open && !opts.withClosed) continue;
      let realized = 0n;
      let fees = 0n;
      for (const p of snaps) {
        realized += p.realized_net;
        fees += p.fees;
      }
      const mult = snaps[0]!.multiplier;
      out.push({
        account,
        symbol,
        quantity: open ? qtyToString((open.side === 'LONG' ? open.quantity_remaining : -open.quantity_remaining) as Qty) : '0',
        avgPrice: open ? scaledToString(divRound(open.open_cost, toUnits(open.quantity_remaining, open.multiplier) * 10n), PRICE_DP) : null,
        realized: toDecimalString(realized as Money),
        unrealized: open ? this.unrealized(s.account, open, now) : '0',
        fees: toDecimalString(fees as Money),
        multiplier: multiplierToString(mult),
      });
    }
    return out;
  }

  /**
   * Reconciliation's "adopt broker": one adjustment fill (origin `adopted`) brings our signed quantity
   * to the broker's, at the broker's average entry price (at our open lots' average when the broker
   * gave none and the adjustment only reduces; else at the mark). Realized P&L: the adjustment is a
   * fill like any other to the FIFO — where it closes our lots it realizes (broker average − our lot
   * price) × quantity, booked on an `adopted` fill so the P&L comparison can name it ("fills outside
   * the app"). Throws, recording nothing, when the account is not loaded or no price is known.
   */
  adoptBroker(account: string, symbol: string, quantity: string, avgPrice: string | null, reason: string): void {
    const s = this.accounts.get(account);
    if (!s || !s.loaded) throw new Error(`adopt broker: the positions of account ${account} are not loaded (its venue has not started)`);
    const target = toQty(quantity);
    const current = this.signedQuantity(account, symbol) ?? 0n;
    const delta = target - current;
    if (delta === 0n) return;
    const pid = this.positionIdOf(s.account, symbol);
    const open = s.book.open(pid);
    const reducing = current !== 0n && (delta > 0n) !== (current > 0n) && absBig(delta) <= absBig(current);
    let price = avgPrice;
    if (price === null && reducing && open) price = scaledToString(divRound(open.open_cost, toUnits(open.quantity_remaining, open.multiplier) * 10n), PRICE_DP);
    if (price === null) {
      const q = this.deps.quotes.get(this.instrumentOf(s.account, symbol));
      const m = q ? markOf(quotePrices(q), this.deps.quotes.markPolicy, delta > 0n ? 'LONG' : 'SHORT') : null;
      if (m?.ok) price = scaledToString(m.markX2 / 2n, PRICE_DP);
    }
    if (price === null) throw new Error(`adopt broker: no average price from the broker and no mark for ${symbol} on account ${account}; nothing was recorded`);
    const now = this.deps.clock.now();
    const abs = absBig(delta) as Qty;
    this.record(s, {
      order: null,
      symbol,
      side: delta > 0n ? 'BUY' : 'SELL',
      quantity: qtyToString(abs),
      price,
      cum: null,
      time: now,
      origin: 'adopted',
      executionId: null,
      fillId: `adopted:${symbol}:${now}:${++this.adoptSeq}`,
      trigger: `adopt broker: ${reason}`,
    });
  }

  /**
   * Catches the account's fills up NOW: the REST fetch of the fills missed while the order channel
   * was down (the same as on a resync; joins a running one, which then runs once more so the fetch
   * starts after this call). Resolves when done; rejects, saying why, when the account's venue is not
   * running or the fetch failed (the usual retry is still scheduled).
   */
  async catchUp(account: string): Promise<void> {
    const s = this.accounts.get(account);
    if (!s || !s.loaded || !s.execution) throw new Error(`the fills of account ${account} cannot be caught up: its venue is not running`);
    await this.fetchMissed(s, 'asked');
    if (s.lastFetchError !== null) throw new Error(`the fills of account ${account} could not be caught up from the venue: ${s.lastFetchError}`);
  }

  whenSynced(account: string): Promise<void> {
    const s = this.accounts.get(account);
    if (s) return s.synced.promise;
    // Not started yet: the promise of its first sync (the state is created now, loaded at start).
    const fresh: AccountState = this.newState({ id: account } as Account);
    this.accounts.set(account, fresh);
    return fresh.synced.promise;
  }

  /** The account's fills in FIFO order (tests, bench). */
  fillsOf(account: string, symbol: string): Fill[] {
    const s = this.accounts.get(account);
    return s ? s.book.fillsOf(this.positionIdOf(s.account, symbol)) : [];
  }

  /** The FIFO snapshots of an account (every re-entry; tests compare them with a rebuild). */
  snapshots(account: string): PositionSnapshot[] {
    return this.accounts.get(account)?.book.positions() ?? [];
  }

  // ---------------------------------------------------------------- internals

  private stateOf(account: Account): AccountState {
    let s = this.accounts.get(account.id);
    if (!s) {
      s = this.newState(account);
      this.accounts.set(account.id, s);
    } else if (s.account !== account) {
      s.account = account;
    }
    return s;
  }

  private newState(account: Account): AccountState {
    return {
      account,
      book: new AccountFillBook({ multiplierOf: (symbol) => this.deps.multiplierOf?.(symbol) ?? multiplierOfSymbol(symbol) }),
      loaded: false,
      execution: null,
      synced: deferred(),
      syncFrom: null,
      fetching: null,
      again: false,
      retry: null,
      retryDelay: this.retryMs,
      gapTimer: null,
      failures: 0,
      lastFetchError: null,
    };
  }

  private own(account: Account): boolean {
    return account.id === DEFAULT_ACCOUNT_ID;
  }

  private positionIdOf(account: Account, symbol: string): string {
    return this.own(account) ? `venue:${symbol}` : `${account.id}:${symbol}`;
  }

  /** The id the live portfolio knows a fill by (another account's are prefixed: two venues may number alike). */
  private displayId(account: Account, ledgerId: string): string {
    return this.own(account) ? ledgerId : `${account.id}:${ledgerId}`;
  }

  private instrumentOf(account: Account, symbol: string): InstrumentId {
    return instrumentId(venueNameOf(account), symbol);
  }

  private context(account: Account): Pick<FillContext, 'account' | 'venue'> {
    return this.own(account) ? {} : { account: account.id, venue: venueNameOf(account) };
  }

  private unrealized(account: Account, p: PositionSnapshot, now: number): string | null {
    const q = this.deps.quotes.get(this.instrumentOf(account, p.symbol));
    if (!q) return null;
    const at = markTimeOf(q, this.deps.quotes.markPolicy);
    if (at === null || now - at > this.deps.quotes.staleAfterMs) return null;
    const m = markOf(quotePrices(q), this.deps.quotes.markPolicy, p.side);
    if (!m.ok) return null;
    return toDecimalString((m.markX2 * p.signed_units * 5n - p.signed_open_cost) as Money);
  }

  /** Loads the account's stored fills into the book and the display (once per desk run). */
  private load(s: AccountState): void {
    if (s.loaded || !s.account.venue) return;
    s.loaded = true;
    if (!this.deps.ledger) return;
    let rows: StoredFillRow[];
    try {
      rows = this.deps.ledger.fillsForRebuild({ accountId: s.account.id });
    } catch (err) {
      this.deps.logger.error('account fills: the ledger could not be read; positions start empty', { account: s.account.id, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    for (const row of rows) {
      if (row.origin == null) continue; // written by another path (explicit re-entries): not a venue fill of this service
      const input = this.inputOf(s.account, row.fillId, row.symbol, row.side === 'buy' ? 'BUY' : 'SELL', row.quantity, row.price, row.fee, row.filledAt);
      let fill: Fill;
      try {
        fill = makeFill(input);
      } catch (err) {
        this.deps.logger.error('account fills: a stored fill is unreadable; skipped', { account: s.account.id, fill: row.fillId, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      const r = s.book.apply({ fill, seq: s.book.nextSeq(), venueOrderId: row.brokerOrderId, cumQty: row.cumQuantity == null ? null : toQty(row.cumQuantity) });
      if (!r.ok) {
        this.deps.logger.error('account fills: a stored fill was refused by the FIFO', { account: s.account.id, fill: row.fillId, reason: r.reason });
        continue;
      }
    }
    // Shown in execution-time order, position by position (no fill_event: not news).
    const pids = new Set<string>();
    for (const p of s.book.positions()) pids.add(p.position_id);
    for (const pid of pids) {
      for (const f of s.book.fillsOf(pid)) {
        const r = this.deps.display.loadFill(fillInputOf(f), this.context(s.account));
        if (!r.ok) this.deps.logger.warn('account fills: a stored fill could not be shown', { account: s.account.id, fill: f.fill_id, reason: r.reason });
      }
    }
    if (rows.length > 0) this.deps.logger.info('account fills loaded from the ledger', { account: s.account.id, fills: s.book.fillCount });
  }

  private inputOf(account: Account, ledgerId: string, symbol: string, side: 'BUY' | 'SELL', quantity: string, price: string, fee: string, time: number): FillInput {
    return { fill_id: this.displayId(account, ledgerId), position_id: this.positionIdOf(account, symbol), symbol, side, quantity, price, fee, time };
  }

  /**
   * One fill, from any source: skipped when already counted; else committed to the ledger
   * (synchronous=FULL) and only then applied to our FIFO and shown.
   */
  private record(
    s: AccountState,
    f: {
      order: VenueOrder | null;
      symbol: string;
      side: 'BUY' | 'SELL';
      quantity: string;
      price: string;
      cum: Qty | null;
      time: number;
      origin: 'venue' | 'fetched' | 'adopted';
      executionId: string | null;
      fillId?: string;
      trigger?: string;
    },
  ): boolean {
    const account = s.account;
    const o = f.order;
    const symbol = f.symbol;
    const ledgerId = f.fillId ?? `${o!.id}@${qtyToString(f.cum!)}`;
    const input = this.inputOf(account, ledgerId, symbol, f.side, f.quantity, f.price, '0', f.time);
    let fill: Fill;
    try {
      fill = makeFill(input);
    } catch (err) {
      this.deps.logger.warn('venue fill refused', { account: account.id, fill: ledgerId, reason: err instanceof Error ? err.message : String(err) });
      return false;
    }
    if (s.book.hasFill(fill.fill_id) || (o && f.cum !== null && s.book.covered(o.id, f.cum, fill.quantity))) {
      this.stats.duplicates++;
      return false;
    }
    const pid = fill.position_id;
    const open = s.book.open(pid);
    if (this.deps.ledger) {
      const row: FillRow = {
        accountId: account.id,
        fillId: ledgerId,
        clientOrderId: null,
        brokerOrderId: o ? o.id : null,
        positionId: pid,
        reEntryNum: open ? open.re_entry_num : s.book.positionsOf(pid).length,
        symbol,
        side: f.side === 'BUY' ? 'buy' : 'sell',
        quantity: f.quantity,
        price: f.price,
        fee: '0',
        feeCurrency: 'USD',
        filledAt: f.time,
        origin: f.origin,
        cumQuantity: f.cum === null ? null : qtyToString(f.cum),
        executionId: f.executionId,
        venueClientOrderId: o?.clientOrderId || null,
      };
      try {
        if (!this.deps.ledger.recordFill(row)) {
          // Stored before (e.g. by a run that crashed before applying it): counted once, from the ledger.
          this.stats.duplicates++;
          return false;
        }
      } catch (err) {
        s.failures++;
        this.stats.refused++;
        this.deps.logger.error('venue fill NOT recorded: the ledger refused it; not applied (the next catch-up fetches it again)', {
          account: account.id,
          fill: ledgerId,
          error: err instanceof Error ? err.message : String(err),
        });
        return false;
      }
    }
    const book: BookFill = { fill, seq: s.book.nextSeq(), venueOrderId: o ? o.id : null, cumQty: f.cum };
    const r = s.book.apply(book);
    if (!r.ok) {
      // Cannot happen for a validated fill of one symbol's position; the ledger has it, a rebuild will say so.
      this.deps.logger.error('venue fill recorded but refused by the FIFO', { account: account.id, fill: ledgerId, reason: r.reason });
      return false;
    }
    this.stats.recorded++;
    if (f.origin === 'fetched') this.stats.fetched++;
    const meta: FillContext = {
      order_id: o ? (this.own(account) ? o.id : `${account.id}:${o.id}`) : null,
      origin: f.origin === 'adopted' ? 'manual' : 'venue',
      executionId: this.deps.parentExecution?.() ?? null,
      trigger: f.trigger ?? (o ? (o.clientOrderId ? `order ${o.clientOrderId}` : `order ${o.id}`) : null),
      ...this.context(account),
    };
    const shown = r.late ? this.deps.display.applyLateFill(input, s.book.fillsOf(pid), meta) : this.deps.display.applyFill(input, meta);
    if (r.late) this.stats.late++;
    if (!shown.ok) this.deps.logger.warn('venue fill recorded but not shown', { account: account.id, fill: ledgerId, reason: shown.reason });
    return true;
  }

  /** Fetches the fills made while the order channel was down; joins a running one (then runs once more). */
  private fetchMissed(s: AccountState, why: 'start' | 'resync' | 'retry' | 'gap' | 'asked'): Promise<void> {
    if (s.fetching) {
      s.again = true;
      return s.fetching;
    }
    const run = (async () => {
      do {
        s.again = false;
        await this.fetchOnce(s, why);
      } while (s.again && s.execution);
    })().finally(() => {
      s.fetching = null;
    });
    s.fetching = run;
    return run;
  }

  private async fetchOnce(s: AccountState, why: string): Promise<void> {
    const ex = s.execution;
    if (!ex) return;
    const startedAt = this.deps.clock.now();
    try {
      const orders = new Map<string, VenueOrder>();
      for (const o of await ex.openOrders()) orders.set(o.id, o);
      let after = new Date((s.syncFrom ?? startedAt - this.lookbackMs) - 1).toISOString();
      for (let page = 0; page < 1000; page++) {
        const list = await ex.orders({ status: 'all', after, limit: PAGE, direction: 'asc' });
        let fresh = 0;
        let last: string | null = null;
        for (const o of list) {
          if (!orders.has(o.id)) fresh++;
          orders.set(o.id, o);
          if (o.createdAt && (last === null || o.createdAt > last)) last = o.createdAt;
        }
        if (list.length < PAGE || fresh === 0 || last === null) break;
        // `after` is exclusive: step back 1 ms so orders sharing the last timestamp are not skipped (ids dedupe).
        after = new Date(Date.parse(last) - 1).toISOString();
      }
      if (s.execution !== ex) return; // stopped meanwhile
      let found = 0;
      let oldestOpen: number | null = null;
      const sorted = [...orders.values()].sort((a, b) => (Date.parse(a.updatedAt ?? '') || 0) - (Date.parse(b.updatedAt ?? '') || 0));
      for (const o of sorted) {
        const open = !TERMINAL.has(o.status);
        const created = o.createdAt ? Date.parse(o.createdAt) : NaN;
        if (open && Number.isFinite(created) && (oldestOpen === null || created < oldestOpen)) oldestOpen = created;
        found += this.applyOrder(s, o);
      }
      // The next catch-up asks for what was submitted since this one began, and for the orders still open then.
      s.syncFrom = Math.min(startedAt, oldestOpen ?? startedAt);
      s.retryDelay = this.retryMs;
      s.lastFetchError = null;
      if (found > 0) this.deps.logger.info('account fills: missed fills fetched', { account: s.account.id, why, fills: found, orders: orders.size });
      s.synced.resolve();
    } catch (err) {
      s.lastFetchError = err instanceof Error ? err.message : String(err);
      const delay = s.retryDelay;
      s.retryDelay = Math.min(60_000, s.retryDelay * 2);
      this.deps.logger.warn('account fills: catching up missed fills failed; retrying', { account: s.account.id, why, inMs: delay, error: err instanceof Error ? err.message : String(err) });
      if (s.execution === ex) {
        s.retry?.();
        s.retry = this.deps.clock.setTimeout(() => {
          s.retry = null;
          void this.fetchMissed(s, 'retry');
        }, delay);
      }
    }
  }

  /** The fills a REST order implies beyond what is recorded; returns how many were recorded. */
  private applyOrder(s: AccountState, o: VenueOrder): number {
    const side = o.side === 'buy' ? 'BUY' : o.side === 'sell' ? 'SELL' : null;
    if (!side || !o.symbol || !o.filledQty) return 0;
    let missing;
    try {
      missing = s.book.missingFromOrder(o.id, o.filledQty, o.filledAvgPrice);
    } catch (err) {
      this.deps.logger.warn('account fills: a venue order\'s fill report is unreadable', { account: s.account.id, order: o.id, error: err instanceof Error ? err.message : String(err) });
      return 0;
    }
    let n = 0;
    const time = Date.parse(o.updatedAt ?? '') || this.deps.clock.now();
    for (const m of missing) {
      if (this.record(s, { order: o, symbol: o.symbol, side, quantity: qtyToString(m.quantity), price: m.price, cum: m.cumQty, time, origin: 'fetched', executionId: null })) n++;
    }
    return n;
  }
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected', 'done_for_day']);

function multiplierOfSymbol(symbol: string): Multiplier {
  try {
    return alpacaInstrument(symbol)?.multiplier ?? MULT_ONE;
  } catch {
    return MULT_ONE;
  }
}

function fillInputOf(f: Fill): FillInput {
  return {
    fill_id: f.fill_id,
    position_id: f.position_id,
    symbol: f.symbol,
    side: f.side,
    quantity: qtyToString(f.quantity),
    price: scaledToString(f.price, PRICE_DP),
    fee: toDecimalString(f.fee),
    time: f.time,
  };
}
