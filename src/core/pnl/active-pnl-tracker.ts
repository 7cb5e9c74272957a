/**
 * The active P&L tracker (spec §7, reference active-pnl-tracker.md): keeps an always-fresh snapshot
 * of the open trades and their P&L that any consumer reads without recomputing.
 *
 * Data flow: quote → quote cache → `PortfolioBook.onQuote` (incremental, O(positions holding the
 * symbol)) → totals for every tick_update. The per-trade views (`trades[]`) depend on `now` (quote
 * ages, staleness), so they are materialized when read and at least every `pnl_refresh_seconds`,
 * never per quote: ingest stays O(1) per quote however many readers there are. Every read at the
 * same instant with no change in between returns the same frozen object (a reader cannot mutate
 * the tracker, and unchanged readers share one copy).
 *
 * Positions come from the portfolio file (synthetic opening fills through the FIFO engine, replaced
 * wholesale on reload) and from fills (`applyFill`, through a second FIFO ledger that persists
 * across reloads). Both are valued by the same code (`revaluePosition`), which the renderer also
 * uses on the records this tracker publishes.
 *
 * Lifecycle: `start()` attaches one quote listener and one refresh timer; `stop()` removes both and
 * releases the symbol subscriptions. Nothing else holds timers or listeners.
 */
import type { Quote } from '../market/quote';
import type { SymbolTable } from '../market/symbol-table';
import type { Cancel, Clock, Scheduler } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import { nullPnlSampleSink, type PnlSampleSink } from '../ports/pnl-sample-sink';
import type { Instrument } from '../model/instrument';
import type { Portfolio } from '../model/portfolio-file';
import { alpacaInstrument } from '../model/alpaca-symbols';
import { FIAT_DECIMALS, MULT_ONE, qtyToNumber, toDecimalString, type Multiplier } from '../model/money';
import { PortfolioBook, type BookTotals } from './book';
import { FifoLedger, type ApplyResult, type Fill, type FillRejection, type PositionChange, type PositionSnapshot } from './fifo';
import { portfolioFills, portfolioInstruments, portfolioStructures } from './portfolio';
import {
  defaultValuation,
  deltaUnderlyingOf,
  instrumentToWire,
  pnlSnapshotOf,
  positionRecordOf,
  revaluePosition,
  structureDefToWire,
  type InstrumentWire,
  type LivePosition,
  type PnlSnapshotWire,
  type PositionMeta,
  type PositionRecord,
  type PositionSource,
  type StructureDefWire,
  type ValuationSettings,
} from './revalue';
import type {
  ActivePnlSnapshot,
  ActiveTrade,
  PnlGap,
  PnlSampleWire,
  PositionEventBody,
  StreamerDiagnostics,
  StreamerState,
} from '../events/types';

export type { ActivePnlSnapshot, ActiveTrade } from '../events/types';

/** The quotes the tracker reads (the shared QuoteCache satisfies it). */
export interface TrackerQuoteSource {
  get(symbol: string): Quote | undefined;
  onQuote(listener: (q: Quote) => void): () => void;
  /** The source's symbol interning (QuoteCache.symbols): the book then indexes by `Quote.sid`. */
  readonly symbols?: SymbolTable;
}

/** Symbol subscriptions on behalf of a consumer (the QuoteCache's ref-counted API satisfies it). */
export interface TrackerSubscriptions {
  /** The consumer needs exactly these symbols now. */
  replaceSubscriptions(consumerId: string, symbols: readonly string[]): unknown;
  /** The consumer needs nothing any more. */
  release(consumerId: string): unknown;
  /** Every symbol subscribed at the venue (all consumers). */
  subscribedSymbols(): readonly string[];
}

/** What the desk knows about its streams, for `streamer` diagnostics. */
export interface StreamerProbe {
  state: StreamerState;
  streaming: boolean;
}

export interface ActivePnlTrackerOptions {
  clock: Clock & Scheduler;
  quotes: TrackerQuoteSource;
  subscriptions?: TrackerSubscriptions;
  streamer?: () => StreamerProbe;
  valuation?: Partial<ValuationSettings>;
  /** Recompute at least this often (default 5). */
  refreshSeconds?: number;
  sampleSink?: PnlSampleSink;
  /** Instrument of a symbol not in the portfolio (fills); default: Alpaca's symbol rules, else none. */
  instrumentOf?: (symbol: string) => Instrument | null;
  logger?: Logger;
}

export interface FillMeta {
  source?: PositionSource;
  /** The flow (node_event) that produced the fill. */
  executionId?: string | null;
  /** Why it entered (first entry) / why it exited (exits). */
  trigger?: string | null;
  reason?: string | null;
}

export type FillOutcome = { ok: true; events: PositionEventBody[] } | { ok: false; rejection: FillRejection };

export const TRACKER_CONSUMER_ID = 'pnl.tracker';

interface Held {
  snap: PositionSnapshot;
  record: PositionRecord;
  meta: PositionMeta;
}

/** Freezes a plain JSON-like value in place, deeply (arrays and objects). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

function defaultInstrumentOf(symbol: string): Instrument | null {
  try {
    return alpacaInstrument(symbol);
  } catch {
    return null;
  }
}

export class ActivePnlTracker {
  private readonly clock: Clock & Scheduler;
  private readonly quotes: TrackerQuoteSource;
  private readonly subs: TrackerSubscriptions | null;
  private readonly streamer: () => StreamerProbe;
  private readonly sink: PnlSampleSink;
  private readonly instrumentOfFallback: (symbol: string) => Instrument | null;
  private readonly logger: Logger;
  private valuation: ValuationSettings;
  private refreshMs: number;

  /** Fills that are not from the portfolio file (persist across portfolio reloads). */
  private readonly fills: FifoLedger;
  private readonly held = new Map<string, Held>();
  private portfolioKeys = new Set<string>();
  private portfolioInstruments = new Map<string, Instrument>();
  private readonly instruments = new Map<string, Instrument | null>();
  private readonly instrumentWires = new Map<string, InstrumentWire | null>();
  private structureDefs: StructureDefWire[] = [];
  private deltaUnderlyings: Set<string> | null = null;
  private book: PortfolioBook;

  private offQuote: (() => void) | null = null;
  private refreshTimer: Cancel | null = null;
  private readonly refreshListeners = new Set<(t: number) => void>();
  private readonly sampleListeners = new Set<(samples: PnlSampleWire[]) => void>();
  private subscribedFor: string[] = [];

  /** Bumped by every change that can alter the snapshot (quotes, fills, portfolio, settings). */
  private version = 0;
  private cached: { version: number; at: number; snapshot: ActivePnlSnapshot } | null = null;
  private lastTickAt: number | null = null;
  private lastSampleGap: PnlGap | null | undefined = undefined;

  constructor(opts: ActivePnlTrackerOptions) {
    this.clock = opts.clock;
    this.quotes = opts.quotes;
    this.subs = opts.subscriptions ?? null;
    this.streamer = opts.streamer ?? (() => ({ state: this.offQuote ? 'running' : 'stopped', streaming: this.offQuote !== null }));
    this.sink = opts.sampleSink ?? nullPnlSampleSink;
    this.instrumentOfFallback = opts.instrumentOf ?? defaultInstrumentOf;
    this.logger = opts.logger ?? silentLogger;
    this.valuation = { ...defaultValuation, ...opts.valuation };
    this.refreshMs = Math.round((opts.refreshSeconds ?? 5) * 1000);
    this.fills = new FifoLedger({ multiplierOf: (s) => this.multiplierOf(s) });
    this.book = this.newBook();
  }

  // ---------- lifecycle ----------

  get running(): boolean {
    return this.offQuote !== null;
  }

  /** Attaches to quotes, subscribes the open positions' symbols and starts the refresh timer. Idempotent. */
  start(): void {
    if (this.offQuote) return;
    this.offQuote = this.quotes.onQuote((q) => this.onQuote(q));
    this.refreshTimer = this.clock.setInterval(() => this.refresh(), this.refreshMs);
    this.lastSampleGap = undefined;
    this.syncSubscriptions();
    this.refresh();
  }

  /** Detaches from quotes, cancels the timer, releases subscriptions; marks the P&L curve with a gap. Idempotent. */
  stop(): void {
    if (!this.offQuote) return;
    this.offQuote();
    this.offQuote = null;
    this.refreshTimer?.();
    this.refreshTimer = null;
    if (this.subs && this.subscribedFor.length > 0) this.subs.release(TRACKER_CONSUMER_ID);
    this.subscribedFor = [];
    this.version++;
    this.sample(this.clock.now(), 'stopped');
  }

  /** Listeners the tracker holds (for leak checks). */
  get listenerCount(): number {
    return (this.offQuote ? 1 : 0) + this.refreshListeners.size + this.sampleListeners.size;
  }

  /** Called after each periodic refresh (the desk sends a tick_update when totals moved). */
  onRefresh(listener: (t: number) => void): () => void {
    this.refreshListeners.add(listener);
    return () => this.refreshListeners.delete(listener);
  }

  /** Called with each batch of new P&L samples (one per currency). */
  onSample(listener: (samples: PnlSampleWire[]) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  // ---------- settings ----------

  get valuationSettings(): ValuationSettings {
    return this.valuation;
  }

  /** Applies live: the book is rebuilt with the new mark policy / thresholds. */
  setValuation(v: Partial<ValuationSettings>): void {
    const next = { ...this.valuation, ...v };
    const prev = this.valuation;
    const bookChanged = next.markPolicy !== prev.markPolicy || next.staleAfterMs !== prev.staleAfterMs;
    if (!bookChanged && next.wideSpreadPct === prev.wideSpreadPct && next.riskFreeRate === prev.riskFreeRate && next.dividendYield === prev.dividendYield) return;
    this.valuation = next;
    // The book holds marks and staleness; spread warnings and the delta model only shape the views.
    if (bookChanged) this.rebuildBook();
    else this.version++;
  }

  setRefreshSeconds(seconds: number): void {
    const ms = Math.round(seconds * 1000);
    if (ms === this.refreshMs) return;
    this.refreshMs = ms;
    if (this.refreshTimer) {
      this.refreshTimer();
      this.refreshTimer = this.clock.setInterval(() => this.refresh(), this.refreshMs);
    }
  }

  // ---------- positions ----------

  /**
   * Replaces every position from the portfolio file (others stay). Returns the new portfolio
   * records and structures for the `portfolio_event`.
   */
  setPortfolio(p: Portfolio, executionId: string | null): { positions: PositionRecord[]; structures: StructureDefWire[] } {
    for (const k of this.portfolioKeys) this.held.delete(k);
    this.deltaUnderlyings = null;
    this.portfolioKeys = new Set();
    this.portfolioInstruments = portfolioInstruments(p);
    this.instruments.clear();
    this.instrumentWires.clear();
    const ledger = new FifoLedger({ multiplierOf: (s) => this.multiplierOf(s) });
    const records: PositionRecord[] = [];
    for (const fill of portfolioFills(p)) {
      const r = ledger.apply(fill);
      if (!r.ok) {
        this.logger.warn('portfolio position rejected by the FIFO engine', { fill: fill.fill_id, reason: r.rejection.reason });
        continue;
      }
    }
    // One lookup per position (a linear scan here made loading quadratic: 20k positions took seconds).
    const byId = new Map<string, number>();
    p.positions.forEach((x, i) => {
      if (!byId.has(x.id)) byId.set(x.id, i);
    });
    const positionOf = (id: string) => {
      let best = byId.get(id);
      for (let at = id.indexOf('/leg'); at >= 0; at = id.indexOf('/leg', at + 1)) {
        const i = byId.get(id.slice(0, at));
        if (i !== undefined && (best === undefined || i < best)) best = i;
      }
      return best === undefined ? undefined : p.positions[best];
    };
    for (const snap of ledger.positions()) {
      const pos = positionOf(snap.position_id);
      const meta: PositionMeta = {
        source: 'portfolio',
        entry_flow_ids: executionId ? [executionId] : [],
        exit_flow_ids: [],
        entry_trigger: pos ? `portfolio: ${pos.name}` : 'portfolio',
        exit_reason: null,
      };
      if (this.held.has(snap.key) && this.held.get(snap.key)!.meta.source !== 'portfolio') {
        this.logger.warn('portfolio position shadows a position from fills; keeping the fills', { key: snap.key });
        continue;
      }
      const h = this.hold(snap, meta);
      this.portfolioKeys.add(snap.key);
      records.push(h.record);
    }
    this.structureDefs = portfolioStructures(p).map(structureDefToWire);
    this.rebuildBook();
    this.syncSubscriptions();
    return { positions: records, structures: this.structureDefs };
  }

  /** Applies one fill through the FIFO engine; returns the position events (entry / partial_exit / exit). */
  applyFill(fill: Fill, meta: FillMeta = {}): FillOutcome {
    // The file's positions are valued from their cost basis, not from lots the fills ledger knows:
    // mixing the two would silently rewrite one of them. Reconciling sources is a later step.
    for (const k of this.portfolioKeys) {
      if (k.slice(0, k.lastIndexOf('#')) === fill.position_id) {
        return { ok: false, rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason: `position_id ${JSON.stringify(fill.position_id)} belongs to the portfolio file; fills cannot change it` } };
      }
    }
    const r: ApplyResult = this.fills.apply(fill);
    if (!r.ok) return r;
    const now = this.clock.now();
    const events: PositionEventBody[] = [];
    for (const change of r.changes) {
      const prev = this.held.get(change.position.key);
      const m: PositionMeta = prev
        ? { ...prev.meta, entry_flow_ids: [...prev.meta.entry_flow_ids], exit_flow_ids: [...prev.meta.exit_flow_ids] }
        : { source: meta.source ?? 'fills', entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null };
      const exec = meta.executionId ?? null;
      if (change.action === 'entry') {
        if (exec && !m.entry_flow_ids.includes(exec)) m.entry_flow_ids.push(exec);
        m.entry_trigger ??= meta.trigger ?? null;
      } else {
        if (exec && !m.exit_flow_ids.includes(exec)) m.exit_flow_ids.push(exec);
        m.exit_reason = meta.reason ?? m.exit_reason;
      }
      const h = this.hold(change.position, m);
      this.book.setPosition(change.position);
      events.push(this.positionEvent(change, h, fill, exec, now));
    }
    this.version++;
    this.syncSubscriptions();
    return { ok: true, events };
  }

  /** Every position (open and closed), exact, in the order first seen. */
  records(): PositionRecord[] {
    return [...this.held.values()].map((h) => h.record);
  }

  structures(): StructureDefWire[] {
    return this.structureDefs;
  }

  /** Symbols the open positions need (and structure legs), plus the underlyings of open options (their model delta). */
  neededSymbols(): string[] {
    const s = new Set(this.book.symbols());
    for (const d of this.structureDefs) for (const l of d.legs) s.add(l.symbol);
    for (const u of this.underlyings()) s.add(u);
    return [...s].sort();
  }

  // ---------- reading ----------

  /** Totals at `now` from the incremental book (cheap: what every tick_update carries). */
  pnlSnapshot(now = this.clock.now()): PnlSnapshotWire {
    return this.pnlFromBook(this.book.totals(now));
  }

  /** One position valued now (the same function the renderer uses). */
  position(key: string, now = this.clock.now()): LivePosition | undefined {
    const h = this.held.get(key);
    return h ? this.value(h.record, now) : undefined;
  }

  /**
   * The active snapshot at `now`, deeply frozen. Recomputed only when something changed or time
   * moved; otherwise every reader gets the same object.
   */
  snapshot(now = this.clock.now()): ActivePnlSnapshot {
    const c = this.cached;
    if (c && c.version === this.version && c.at === now) return c.snapshot;
    const trades: ActiveTrade[] = [];
    let points: number | null = 0;
    for (const h of this.held.values()) {
      if (h.record.status === 'CLOSED') continue;
      const v = this.value(h.record, now);
      const signed = qtyToNumber(h.snap.quantity_remaining) * (h.snap.side === 'LONG' ? 1 : -1);
      trades.push({ ...v, quantity: signed, entry: v.open_price });
      if (points !== null) points = v.unrealized_points === null ? null : points + v.unrealized_points;
    }
    const pnl = this.pnlSnapshot(now);
    const one = pnl.totals.length === 1 ? pnl.totals[0]! : null;
    const snapshot = deepFreeze<ActivePnlSnapshot>({
      trades,
      total_unrealized_value: pnl.totals.length === 0 ? '0' : (one?.unrealized_pnl ?? null),
      total_unrealized_points: points,
      pnl,
      last_updated: now,
      streamer: this.streamerDiagnostics(now),
    });
    this.cached = { version: this.version, at: now, snapshot };
    return snapshot;
  }

  streamerDiagnostics(now = this.clock.now()): StreamerDiagnostics {
    const probe = this.streamer();
    const needed = this.neededSymbols();
    const subscribed = new Set(this.subs ? this.subs.subscribedSymbols() : needed);
    const missing = needed.filter((s) => !subscribed.has(s));
    return {
      state: probe.state,
      streaming: probe.streaming,
      last_tick_at: this.lastTickAt,
      last_tick_age_sec: this.lastTickAt === null ? null : (now - this.lastTickAt) / 1000,
      subscriptions: { needed: needed.length, subscribed: subscribed.size, missing },
    };
  }

  /** Recomputes the snapshot now, records P&L samples and tells refresh listeners. */
  refresh(): void {
    const now = this.clock.now();
    this.version++; // time-dependent fields (ages, staleness) moved
    const snap = this.snapshot(now);
    this.syncSubscriptions();
    this.sample(now, null, snap.pnl);
    for (const l of this.refreshListeners) l(now);
  }

  // ---------- internals ----------

  private onQuote(q: Quote): void {
    this.lastTickAt = q.receivedAt;
    // A quote moves the snapshot when a position holds its symbol, or an option's delta reads it.
    if (this.book.onQuote(q) || this.underlyings().has(q.symbol)) this.version++;
  }

  /** Underlyings of the open options (their model delta reads these quotes); cached until positions change. */
  private underlyings(): ReadonlySet<string> {
    if (this.deltaUnderlyings === null) {
      const s = new Set<string>();
      for (const h of this.held.values()) {
        const u = deltaUnderlyingOf(h.record);
        if (u !== null) s.add(u);
      }
      this.deltaUnderlyings = s;
    }
    return this.deltaUnderlyings;
  }

  private value(r: PositionRecord, now: number): LivePosition {
    if (r.status === 'CLOSED') return revaluePosition(r, null, now, this.valuation);
    const u = deltaUnderlyingOf(r);
    return revaluePosition(r, this.quotes.get(r.symbol) ?? null, now, this.valuation, u === null ? null : (this.quotes.get(u) ?? null));
  }

  private sample(now: number, forced: PnlGap | null, pnl = this.pnlSnapshot(now)): void {
    const streaming = this.streamer().streaming;
    let gap: PnlGap | null = forced ?? (streaming ? null : 'stopped');
    if (gap === 'stopped' && this.lastSampleGap === 'stopped') return; // one marker per stop
    const samples: PnlSampleWire[] = pnl.totals.map((t) => {
      let g = gap;
      if (g === null && t.unrealized_pnl === null) g = this.book.totals(now).currencies.some((c) => c.currency === t.currency && c.unknown.some((u) => u.reason === 'stale_quote')) ? 'stale' : 'unknown';
      return { t: now, currency: t.currency, realized: t.realized_pnl, unrealized: t.unrealized_pnl, total: t.total_pnl, gap: g };
    });
    if (samples.length === 0) return;
    gap = samples.some((s) => s.gap !== null) ? (samples.find((s) => s.gap !== null)!.gap as PnlGap) : null;
    this.lastSampleGap = gap;
    this.sink.record(samples);
    for (const l of this.sampleListeners) l(samples);
  }

  private pnlFromBook(t: BookTotals): PnlSnapshotWire {
    // The book keeps a currency once seen; report only currencies the tracker still holds.
    const held = new Set<string>();
    for (const h of this.held.values()) held.add(this.currencyOf(h.snap.symbol));
    return pnlSnapshotOf(
      t.as_of,
      t.currencies
        .filter((c) => held.has(c.currency))
        .map((c) => ({
          currency: c.currency,
          currency_decimals: this.decimalsOf(c.currency),
          realized_pnl: toDecimalString(c.realized),
          realized_gross: toDecimalString(c.realized_gross),
          fees: toDecimalString(c.fees),
          unrealized_pnl: c.unrealized === null ? null : toDecimalString(c.unrealized),
          unrealized_known: toDecimalString(c.unrealized_known),
          unknown_count: c.unknown_count,
          total_pnl: c.total === null ? null : toDecimalString(c.total),
          open_positions: c.open_positions,
        })),
    );
  }

  private hold(snap: PositionSnapshot, meta: PositionMeta): Held {
    const h: Held = { snap, meta, record: positionRecordOf(snap, this.instrumentWire(snap.symbol), meta) };
    this.held.set(snap.key, h);
    this.deltaUnderlyings = null;
    this.version++;
    return h;
  }

  private positionEvent(change: PositionChange, h: Held, fill: Fill, exec: string | null, now: number): PositionEventBody {
    const v = this.value(h.record, now);
    const p = change.position;
    return {
      action: change.action,
      timestamp: new Date(fill.time).toISOString(),
      execution_id: exec,
      fill_id: fill.fill_id,
      position: {
        position_id: p.position_id,
        re_entry_num: p.re_entry_num,
        symbol: p.symbol,
        side: p.side === 'LONG' ? 'BUY' : 'SELL',
        quantity: qtyToNumber(change.action === 'entry' ? change.opened : change.closed),
        quantity_total: v.quantity_total,
        quantity_closed: v.quantity_closed,
        quantity_remaining: v.quantity_remaining,
        entry_price: v.entry_price,
        entry_time: v.entry_time,
        exit_price: v.exit_price,
        exit_time: change.action === 'entry' ? v.exit_time : fill.time,
        status: p.status,
        entry_flow_ids: h.meta.entry_flow_ids,
        exit_flow_ids: h.meta.exit_flow_ids,
        entry_trigger: h.meta.entry_trigger,
        exit_reason: h.meta.exit_reason,
      },
      pnl: {
        currency: v.currency,
        currency_decimals: v.currency_decimals,
        realized_pnl: v.realized_pnl,
        unrealized_pnl: v.unrealized_value,
        total_pnl: v.total_pnl,
        realized_by_change: toDecimalString(change.realized),
      },
      record: h.record,
    };
  }

  private newBook(): PortfolioBook {
    return new PortfolioBook({
      markPolicy: this.valuation.markPolicy,
      staleAfterMs: this.valuation.staleAfterMs,
      currencyOf: (s) => this.currencyOf(s),
      quoteOf: (s) => this.quotes.get(s),
      symbols: this.quotes.symbols,
    });
  }

  private rebuildBook(): void {
    this.book = this.newBook();
    for (const h of this.held.values()) this.book.setPosition(h.snap);
    this.version++;
  }

  private syncSubscriptions(): void {
    if (!this.subs || !this.offQuote) return;
    const needed = this.neededSymbols();
    if (needed.length === this.subscribedFor.length && needed.every((s, i) => s === this.subscribedFor[i])) return;
    this.subs.replaceSubscriptions(TRACKER_CONSUMER_ID, needed);
    this.subscribedFor = needed;
  }

  private instrument(symbol: string): Instrument | null {
    if (this.instruments.has(symbol)) return this.instruments.get(symbol)!;
    const i = this.portfolioInstruments.get(symbol) ?? this.instrumentOfFallback(symbol);
    this.instruments.set(symbol, i);
    return i;
  }

  private instrumentWire(symbol: string): InstrumentWire | null {
    if (this.instrumentWires.has(symbol)) return this.instrumentWires.get(symbol)!;
    const i = this.instrument(symbol);
    const w = i ? instrumentToWire(i) : null;
    this.instrumentWires.set(symbol, w);
    return w;
  }

  private multiplierOf(symbol: string): Multiplier {
    return this.instrument(symbol)?.multiplier ?? MULT_ONE;
  }

  private currencyOf(symbol: string): string {
    return this.instrument(symbol)?.currency.code ?? 'USD';
  }

  private decimalsOf(currency: string): number {
    for (const i of this.instruments.values()) if (i && i.currency.code === currency) return i.currency.decimals;
    return FIAT_DECIMALS[currency] ?? 2;
  }
}
