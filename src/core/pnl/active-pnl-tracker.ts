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
import { markTimeOf } from '../market/mark';
import type { SymbolTable } from '../market/symbol-table';
import { VenueInstruments } from '../market/instruments';
import { instrumentSymbol, type InstrumentId } from '../model/ids';
import type { Cancel, Clock, Scheduler } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import { nullPnlSampleSink, type PnlSampleSink } from '../ports/pnl-sample-sink';
import type { Instrument } from '../model/instrument';
import type { Portfolio } from '../model/portfolio-file';
import { alpacaInstrument } from '../model/alpaca-symbols';
import { FIAT_DECIMALS, MULT_ONE, qtyToNumber, toDecimalString, type Money, type Multiplier, type Qty } from '../model/money';
import { PortfolioBook, type BookTotals } from './book';
import { currencyTotalsWire } from './metrics';
import { FifoLedger, type ApplyResult, type Fill, type FillRejection, type PositionChange, type PositionSnapshot } from './fifo';
import { portfolioFills, portfolioInstruments, portfolioPositionId, portfolioStructures } from './portfolio';
import {
  defaultValuation,
  deltaUnderlyingOf,
  instrumentToWire,
  isWholeStructure,
  pnlSnapshotOf,
  positionRecordOf,
  revaluePosition,
  revalueStructure,
  structureDefToWire,
  withStructureTotals,
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
  get(instrument: InstrumentId): Quote | undefined;
  onQuote(listener: (q: Quote) => void): () => void;
  /** The source's instrument interning (QuoteCache.symbols): the book then indexes by `Quote.sid`. */
  readonly symbols?: SymbolTable<InstrumentId>;
}

/** Symbol subscriptions on behalf of a consumer (the QuoteCache's ref-counted API satisfies it). */
export interface TrackerSubscriptions {
  /** The consumer needs exactly these instruments now. */
  replaceSubscriptions(consumerId: string, instruments: readonly InstrumentId[]): unknown;
  /** The consumer needs nothing any more. */
  release(consumerId: string): unknown;
  /** Every instrument subscribed (all consumers). */
  subscribedInstruments(): readonly InstrumentId[];
}

/**
 * The shared, rate-limited REST refresh (the desk's LtpProvider satisfies it): the tracker asks it
 * for the quotes it needs that the stream stopped delivering. A quote it fetches lands in the quote
 * source (with `source: 'rest'` and its own receive time), so the tracker values it like any other.
 */
export interface TrackerRestRefresh {
  getFresh(instrument: InstrumentId, maxAgeMs?: number): Promise<{ fresh: boolean; source: 'cache' | 'rest'; reason: string | null }>;
}

/** What the desk knows about its streams, for `streamer` diagnostics. */
export interface StreamerProbe {
  state: StreamerState;
  streaming: boolean;
}

export interface ActivePnlTrackerOptions {
  clock: Clock & Scheduler;
  /**
   * The venue instance the positions belong to (the desk's configured venue: `sim`, `alpaca`):
   * a position in `symbol` is valued from the quote of InstrumentId `venue:symbol`.
   */
  venue: string;
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
  /**
   * The REST fallback while streaming (null when there is none, e.g. before Start). When given, the
   * tracker checks several times per stale threshold for needed, subscribed quotes that are about to
   * go stale (older than `restAheadFraction` × the threshold) and asks it for them.
   */
  restRefresh?: () => TrackerRestRefresh | null;
  /** Default 0.8: under a 5 s threshold, checked every 0.5 s, a quote older than 4 s is refreshed by REST (it lands before 5 s). */
  restAheadFraction?: number;
}

export interface FillMeta {
  source?: PositionSource;
  /** The flow (node_event) that produced the fill. */
  executionId?: string | null;
  /** Why it entered (first entry) / why it exited (exits). */
  trigger?: string | null;
  reason?: string | null;
  /**
   * The account the fill belongs to. A fill reduces or adds to a portfolio-file position only when
   * the file's `account` is unset, the fill's is unknown, or the two are the same.
   */
  account?: string | null;
  /**
   * Another account's fill: the venue instance whose quotes value its position (e.g. `sim2`). Such a
   * fill stands as that account's own position (its position_id names the account) and never joins
   * the portfolio file's positions, which are the default account's. Omitted: the positions' venue.
   */
  venue?: string;
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
  /** Symbol → InstrumentId at the positions' venue (interned once per symbol). */
  private ids: VenueInstruments;
  /** Positions of other accounts (by position_id): the venue whose quotes value them (fills with FillMeta.venue). */
  private readonly accountVenues = new Map<string, VenueInstruments>();
  private readonly subs: TrackerSubscriptions | null;
  private readonly streamer: () => StreamerProbe;
  private readonly sink: PnlSampleSink;
  private readonly instrumentOfFallback: (symbol: string) => Instrument | null;
  private readonly logger: Logger;
  private valuation: ValuationSettings;
  private refreshMs: number;
  private readonly restRefresh: (() => TrackerRestRefresh | null) | null;
  private readonly restAhead: number;
  private restTimer: Cancel | null = null;
  /** Symbols whose REST refresh is on the wire (one request per symbol at a time). */
  private readonly restPending = new Set<string>();
  /** Why the last REST refresh of a symbol did not give a fresh quote (cleared by a fresh one). */
  private readonly restFailures = new Map<string, string>();

  /** Fills that are not from the portfolio file (persist across portfolio reloads). */
  private readonly fills: FifoLedger;
  private readonly held = new Map<string, Held>();
  private portfolioKeys = new Set<string>();
  /** The file's positions as a FIFO ledger (its cost bases as opening fills), plus the fills routed to them. */
  private portfolioLedger: FifoLedger | null = null;
  private portfolio: Portfolio | null = null;
  /** A portfolio file was loaded before (the next load is a swap, marked on the P&L curve). */
  private portfolioLoaded = false;
  /**
   * Fills applied to file positions (as received, with the account they were booked to), replayed on
   * every reload of the file. A fill stays here while its instrument is out of the file (it then
   * stands as an orphan position), so it goes back to the file position when the instrument returns.
   */
  private fileFills: { fill: Fill; meta: FillMeta }[] = [];
  private readonly fileFillIds = new Set<string>();
  /**
   * File fills whose instrument the current file does not hold: their own positions (`fills:<symbol>`),
   * rebuilt on every reload from `fileFills` — never carried into a file that takes them back, nor
   * shown with a portfolio of another account.
   */
  private orphans: FifoLedger;
  private orphanKeys = new Set<string>();
  /** Needed option contracts the venue does not list (streamer diagnostics). */
  private unlisted = new Set<string>();
  private portfolioInstruments = new Map<string, Instrument>();
  private readonly instruments = new Map<string, Instrument | null>();
  private readonly instrumentWires = new Map<string, InstrumentWire | null>();
  private structureDefs: StructureDefWire[] = [];
  /** Leg instruments of the structures valued as a whole (their quotes move the totals). */
  private wholeStructureLegs = new Set<InstrumentId>();
  /** Underlying instruments of the open options (their model delta reads these quotes). */
  private deltaUnderlyings: Set<InstrumentId> | null = null;
  private book: PortfolioBook;

  private offQuote: (() => void) | null = null;
  private refreshTimer: Cancel | null = null;
  private readonly refreshListeners = new Set<(t: number) => void>();
  private readonly sampleListeners = new Set<(samples: PnlSampleWire[]) => void>();
  private subscribedFor: InstrumentId[] = [];

  /** Bumped by every change that can alter the snapshot (quotes, fills, portfolio, settings). */
  private version = 0;
  private cached: { version: number; at: number; snapshot: ActivePnlSnapshot } | null = null;
  private lastTickAt: number | null = null;
  /** The totals' `as_of` the last time every total was known (PnlSnapshotWire.last_good_as_of). */
  private lastGoodAsOf: number | null = null;
  /** The earliest expiry among the open positions the book values (the book is rebuilt when it passes). */
  private nextExpiryAt = Infinity;
  /** Symbols of open positions in expired contracts (not valued by the book, still needed: the venue is asked about them). */
  private readonly expiredInstruments = new Set<InstrumentId>();
  private lastSampleGap: PnlGap | null | undefined = undefined;

  constructor(opts: ActivePnlTrackerOptions) {
    this.clock = opts.clock;
    this.quotes = opts.quotes;
    this.ids = new VenueInstruments(opts.venue);
    this.subs = opts.subscriptions ?? null;
    this.streamer = opts.streamer ?? (() => ({ state: this.offQuote ? 'running' : 'stopped', streaming: this.offQuote !== null }));
    this.sink = opts.sampleSink ?? nullPnlSampleSink;
    this.instrumentOfFallback = opts.instrumentOf ?? defaultInstrumentOf;
    this.logger = opts.logger ?? silentLogger;
    this.valuation = { ...defaultValuation, ...opts.valuation };
    this.refreshMs = Math.round((opts.refreshSeconds ?? 5) * 1000);
    this.restRefresh = opts.restRefresh ?? null;
    this.restAhead = opts.restAheadFraction ?? 0.8;
    this.fills = new FifoLedger({ multiplierOf: (s) => this.multiplierOf(s) });
    this.orphans = new FifoLedger({ multiplierOf: (s) => this.multiplierOf(s) });
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
    this.armRestTimer();
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
    this.restTimer?.();
    this.restTimer = null;
    this.restPending.clear();
    this.restFailures.clear();
    if (this.subs && this.subscribedFor.length > 0) this.subs.release(TRACKER_CONSUMER_ID);
    this.subscribedFor = [];
    this.version++;
    this.sample(this.clock.now(), 'stopped');
  }

  /** Timers the tracker holds while running (refresh, and the REST check when there is a REST fallback). */
  get timerCount(): number {
    return (this.refreshTimer ? 1 : 0) + (this.restTimer ? 1 : 0);
  }

  /** Symbols (another account's venue: instruments) whose last REST refresh failed, with the reason (for diagnostics). */
  restFailuresNow(): ReadonlyMap<string, string> {
    return this.restFailures;
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

  /** The venue instance the positions belong to. */
  get venue(): string {
    return this.ids.venue;
  }

  /**
   * The positions now belong to another venue instance (the desk's venue changed): every position
   * is valued from that venue's quotes from now on (the book is rebuilt, subscriptions follow).
   */
  setVenue(venue: string): void {
    if (venue === this.ids.venue) return;
    this.ids = new VenueInstruments(venue);
    for (const h of this.held.values()) h.record = { ...h.record, instrument_id: this.idOf(h.snap) };
    this.restPending.clear();
    this.restFailures.clear();
    this.deltaUnderlyings = null;
    this.wholeStructureLegs = this.wholeStructureLegIds();
    this.rebuildBook();
    this.syncSubscriptions();
  }

  /** The InstrumentId of a position's symbol at the positions' venue. */
  instrumentOf(symbol: string): InstrumentId {
    return this.ids.of(symbol);
  }

  /** Applies live: the book is rebuilt with the new mark policy / thresholds. */
  setValuation(v: Partial<ValuationSettings>): void {
    const next = { ...this.valuation, ...v };
    const prev = this.valuation;
    const bookChanged = next.markPolicy !== prev.markPolicy || next.staleAfterMs !== prev.staleAfterMs;
    if (!bookChanged && next.wideSpreadPct === prev.wideSpreadPct && next.riskFreeRate === prev.riskFreeRate && next.dividendYield === prev.dividendYield) return;
    this.valuation = next;
    if (next.staleAfterMs !== prev.staleAfterMs && this.restTimer) {
      this.restTimer();
      this.restTimer = null;
      this.armRestTimer();
    }
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
    const before = this.portfolioLoaded ? this.pnlSnapshot().totals.map((t) => t.currency) : [];
    for (const k of this.portfolioKeys) this.held.delete(k);
    for (const k of this.orphanKeys) this.held.delete(k);
    this.orphanKeys = new Set();
    this.orphans = new FifoLedger({ multiplierOf: (s) => this.multiplierOf(s) });
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
    this.portfolioLedger = ledger;
    this.portfolio = p;
    // Fills that reduced or added to the previous file's positions apply to this one's (by instrument,
    // FIFO); one that no longer meets a file position becomes a position of its own (never lost) and
    // stays in the replay list, so a later file holding its instrument again takes it back.
    const replay = this.fileFills;
    this.fileFills = [];
    this.fileFillIds.clear();
    const orphans: { fill: Fill; meta: FillMeta }[] = [];
    for (const f of replay) {
      if (this.applyToFile(f.fill, f.meta)) continue;
      this.recordFileFill(f.fill, f.meta);
      orphans.push(f);
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
    for (const o of orphans) {
      // A fill booked to another account's file is not shown with this one (it waits for its own).
      if (!this.sameAccount(o.meta.account ?? null)) continue;
      this.logger.warn('a fill on a position that left the portfolio file now stands as its own position', { fill: o.fill.fill_id, symbol: o.fill.symbol });
      const r = this.applyOrphan(o.fill);
      if (r.ok) for (const c of r.changes) this.holdOrphan(c.position);
    }
    const swapped = this.portfolioLoaded;
    this.portfolioLoaded = true;
    this.structureDefs = portfolioStructures(p).map(structureDefToWire);
    this.wholeStructureLegs = this.wholeStructureLegIds();
    this.rebuildBook();
    this.syncSubscriptions();
    // A swap marks the P&L curve of every currency either portfolio has: the samples before and
    // after are different books, never joined into one line or one drawdown.
    if (swapped) {
      const now = this.clock.now();
      const currencies = new Set([...before, ...this.pnlSnapshot(now).totals.map((t) => t.currency)]);
      const samples: PnlSampleWire[] = [...currencies].sort().map((currency) => ({ t: now, currency, realized: '0', unrealized: null, total: null, gap: 'portfolio_changed' }));
      if (samples.length > 0) {
        this.lastSampleGap = 'portfolio_changed';
        this.sink.record(samples);
        for (const l of this.sampleListeners) l(samples);
      }
    }
    return { positions: records, structures: this.structureDefs };
  }

  /** Applies one fill through the FIFO engine; returns the position events (entry / partial_exit / exit). */
  applyFill(fill: Fill, meta: FillMeta = {}): FillOutcome {
    // A fill on an instrument the portfolio file holds reduces or adds to that position (FIFO over
    // the file's positions in that instrument, oldest first), with realized P&L — not a new one.
    if (this.fileFillIds.has(fill.fill_id)) return { ok: false, rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason: 'duplicate fill_id (already applied)' } };
    // The position will be valued from its instrument at the positions' venue: a symbol that cannot be one is refused here.
    const foreign = meta.venue !== undefined ? this.venueIdsOf(meta.venue, fill) : null;
    if (foreign && 'rejection' in foreign) return { ok: false, rejection: foreign.rejection };
    const at = foreign ? foreign.ids : this.ids;
    if (at.tryOf(fill.symbol) === null) {
      return { ok: false, rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason: `symbol ${JSON.stringify(fill.symbol.slice(0, 40))} is not an instrument at venue ${at.venue} (1–64 printable characters without spaces)` } };
    }
    if (foreign) {
      const known = this.accountVenues.get(fill.position_id);
      if (known && known.venue !== at.venue) return { ok: false, rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason: `position ${fill.position_id} is valued at venue ${known.venue}, not ${at.venue}` } };
      this.accountVenues.set(fill.position_id, at);
    }
    const routed = foreign ? null : this.applyToFile(fill, meta);
    // A fill on an instrument whose file fills stand as an orphan position (the file left it) joins
    // that position, and its history: when the instrument returns to the file, both go back to it.
    let orphaned: ApplyResult | null = null;
    if (!routed && !foreign && this.orphans.positions().some((x) => x.symbol === fill.symbol && x.quantity_remaining > 0n) && this.sameAccount(meta.account ?? null)) {
      orphaned = this.applyOrphan(fill);
      if (orphaned.ok) this.recordFileFill(fill, meta);
    }
    const r: ApplyResult = routed ?? orphaned ?? this.fills.apply(fill);
    if (!r.ok) return r;
    const now = this.clock.now();
    const events: PositionEventBody[] = [];
    for (const change of r.changes) {
      const prev = this.held.get(change.position.key);
      const m: PositionMeta = prev
        ? { ...prev.meta, entry_flow_ids: [...prev.meta.entry_flow_ids], exit_flow_ids: [...prev.meta.exit_flow_ids] }
        : { source: routed ? 'portfolio' : (meta.source ?? 'fills'), entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null };
      const exec = meta.executionId ?? null;
      if (change.action === 'entry') {
        if (exec && !m.entry_flow_ids.includes(exec)) m.entry_flow_ids.push(exec);
        m.entry_trigger ??= meta.trigger ?? null;
      } else {
        if (exec && !m.exit_flow_ids.includes(exec)) m.exit_flow_ids.push(exec);
        m.exit_reason = meta.reason ?? m.exit_reason;
      }
      if (routed) this.portfolioKeys.add(change.position.key);
      if (orphaned) this.orphanKeys.add(change.position.key);
      const h = this.hold(change.position, m);
      this.bookSet(change.position);
      events.push(this.positionEvent(change, h, fill, exec, now));
    }
    this.version++;
    this.syncSubscriptions();
    return { ok: true, events };
  }

  /** Whether a position id is one of the tracker's own fill positions (not merged into the portfolio file's). */
  holdsFillPosition(positionId: string): boolean {
    return this.fills.has(positionId);
  }

  /**
   * Re-applies every fill of one fill position (position id) in the order given — a late fill's
   * correction, execution-time order — replacing its re-entries. Returns a position event per
   * re-entry as it stands now (action by status: entry OPEN, partial_exit PARTIAL, exit CLOSED) and
   * the keys of re-entries that no longer exist (dropped from the positions and the totals).
   */
  replaceFillPosition(positionId: string, fills: readonly Fill[], meta: FillMeta = {}): { ok: true; events: PositionEventBody[]; removed: string[] } | { ok: false; rejection: FillRejection } {
    const last = fills.at(-1);
    if (!last) return { ok: false, rejection: { fill_id: '', position_id: positionId, reason: 'no fills to apply' } };
    const foreign = meta.venue !== undefined ? this.venueIdsOf(meta.venue, last) : null;
    if (foreign && 'rejection' in foreign) return { ok: false, rejection: foreign.rejection };
    if (foreign) this.accountVenues.set(positionId, foreign.ids);
    const prevKeys = this.fills.positions().filter((p) => p.position_id === positionId).map((p) => p.key);
    this.fills.resetPosition(positionId);
    for (const f of fills) {
      const r = this.fills.apply({ ...f, position_id: positionId, re_entry_num: null });
      if (!r.ok) {
        // Cannot leave the position half re-applied: the fills of a book already went through the same engine in this order.
        this.logger.error('re-applying a fill position failed', { position: positionId, fill: r.rejection.fill_id, reason: r.rejection.reason });
        return r;
      }
    }
    const now = this.clock.now();
    const snaps = this.fills.positions().filter((p) => p.position_id === positionId);
    const keep = new Set(snaps.map((p) => p.key));
    const removed = prevKeys.filter((k) => !keep.has(k));
    for (const k of removed) this.held.delete(k);
    const events: PositionEventBody[] = [];
    for (const snap of snaps) {
      const prev = this.held.get(snap.key);
      const m: PositionMeta = prev ? prev.meta : { source: meta.source ?? 'fills', entry_flow_ids: [], exit_flow_ids: [], entry_trigger: meta.trigger ?? null, exit_reason: null };
      const h = this.hold(snap, m);
      const action = snap.status === 'OPEN' ? 'entry' : snap.status === 'PARTIAL' ? 'partial_exit' : 'exit';
      const change: PositionChange = { action, fill_id: last.fill_id, position: snap, opened: snap.quantity_total, closed: snap.quantity_closed, realized: snap.realized_gross, fee: snap.fees, matches: [] };
      events.push(this.positionEvent(change, h, last, meta.executionId ?? null, now));
    }
    // Re-entries may have gone: the book is rebuilt (rare: late fills only).
    this.rebuildBook();
    this.deltaUnderlyings = null;
    this.version++;
    this.syncSubscriptions();
    return { ok: true, events, removed };
  }

  /**
   * Applies a fill to the portfolio file's positions in its instrument, or returns null when it
   * meets none. Which positions: those naming the fill's position_id, or else every file position
   * in the fill's symbol still open and opened no later than the fill (an older fill is taken to be
   * in the file already), of the fill's account (FillMeta.account). A fill on the positions' side
   * adds to the oldest; one on the other side closes them oldest first (FIFO, realized P&L), and
   * what is left after closing them all flips the last one through zero (its next re-entry).
   */
  private applyToFile(fill: Fill, meta: FillMeta): ApplyResult | null {
    const ledger = this.portfolioLedger;
    const p = this.portfolio;
    if (!ledger || !p) return null;
    if (p.account !== null && meta.account != null && meta.account !== p.account) return null;
    const openedAt = new Map<string, number>();
    for (const pos of p.positions) pos.legs.forEach((_, j) => openedAt.set(portfolioPositionId(pos.id, pos.kind === 'single' ? null : j), pos.openedAt));
    let targets: PositionSnapshot[];
    if (openedAt.has(fill.position_id)) {
      const open = ledger.open(fill.position_id);
      targets = open ? [open] : [];
      if (!open) {
        // A closed file position named explicitly: its next re-entry.
        const r = ledger.apply(fill);
        if (r.ok) this.recordFileFill(fill, meta);
        return r;
      }
    } else {
      targets = ledger
        .positions()
        .filter((s) => s.symbol === fill.symbol && s.quantity_remaining > 0n && (openedAt.get(s.position_id) ?? Infinity) <= fill.time)
        .sort((a, b) => openedAt.get(a.position_id)! - openedAt.get(b.position_id)!);
    }
    if (targets.length === 0) return null;
    const fillSide = fill.side === 'BUY' ? 'LONG' : 'SHORT';
    const pieces: Fill[] = [];
    if (targets[0]!.side === fillSide) pieces.push({ ...fill, position_id: targets[0]!.position_id, re_entry_num: null });
    else {
      let left = fill.quantity as bigint;
      for (let i = 0; i < targets.length && left > 0n; i++) {
        const t = targets[i]!;
        const last = i === targets.length - 1;
        const q = last ? left : left < t.quantity_remaining ? left : (t.quantity_remaining as bigint);
        // The fee is split in proportion to quantity; the last piece takes the remainder (exact).
        pieces.push({ ...fill, position_id: t.position_id, re_entry_num: null, quantity: q as Qty, fill_id: pieces.length === 0 ? fill.fill_id : `${fill.fill_id}/${pieces.length + 1}` });
        left -= q;
      }
      if (pieces.length > 1) {
        let feeLeft = fill.fee as bigint;
        for (let i = 0; i < pieces.length; i++) {
          const part = i === pieces.length - 1 ? feeLeft : ((fill.fee as bigint) * (pieces[i]!.quantity as bigint)) / (fill.quantity as bigint);
          pieces[i] = { ...pieces[i]!, fee: part as Money };
          feeLeft -= part;
        }
      }
    }
    const changes: PositionChange[] = [];
    for (const piece of pieces) {
      const r = ledger.apply(piece);
      if (!r.ok) return r; // cannot happen for an open target of the same symbol; reported if it does
      changes.push(...r.changes);
    }
    this.recordFileFill(fill, meta);
    return { ok: true, changes };
  }

  /** Keeps a file fill for replay, with the account it was booked to (the fill's, else the file's). */
  private recordFileFill(fill: Fill, meta: FillMeta): void {
    this.fileFills.push({ fill, meta: meta.account != null ? meta : { ...meta, account: this.portfolio?.account ?? null } });
    this.fileFillIds.add(fill.fill_id);
  }

  /** The current file's account accepts a fill of `account` (either unknown, or the same). */
  private sameAccount(account: string | null): boolean {
    const mine = this.portfolio?.account ?? null;
    return mine === null || account === null || mine === account;
  }

  private applyOrphan(fill: Fill): ApplyResult {
    return this.orphans.apply({ ...fill, position_id: `fills:${fill.symbol}`, re_entry_num: null });
  }

  private holdOrphan(snap: PositionSnapshot): void {
    this.hold(snap, { source: 'fills', entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null });
    this.orphanKeys.add(snap.key);
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
    return [...new Set(this.neededInstruments().map(instrumentSymbol))].sort();
  }

  /**
   * The instruments the open positions need (and structure legs, and the underlyings of open
   * options), each at the venue valuing its position (what the tracker subscribes).
   */
  neededInstruments(): InstrumentId[] {
    const s = new Set<InstrumentId>(this.book.instruments());
    for (const x of this.expiredInstruments) s.add(x);
    for (const d of this.structureDefs) for (const l of d.legs) s.add(this.ids.of(l.symbol));
    for (const u of this.underlyings()) s.add(u);
    // One venue (every position the default account's): sorted by symbol, as before, at plain string-compare cost.
    if (this.accountVenues.size === 0) return [...s].sort();
    return [...s]
      .map((id) => ({ id, symbol: instrumentSymbol(id) }))
      .sort(bySymbolThenVenue)
      .map((x) => x.id);
  }

  // ---------- reading ----------

  /** Totals at `now` from the incremental book (cheap: what every tick_update carries). */
  pnlSnapshot(now = this.clock.now()): PnlSnapshotWire {
    // A contract that expired since the book was built leaves the unrealized totals (rare: rebuilt once).
    if (now >= this.nextExpiryAt) this.rebuildBook();
    const t = this.pnlFromBook(this.book.totals(now));
    // Structures valued as a whole (net_debit only) are in the totals too (few: valued per read).
    const p = withStructureTotals(t, this.structureDefs, (id) => {
      const d = this.structureDefs.find((x) => x.id === id);
      return d ? revalueStructure(d, (sym) => this.quotes.get(this.ids.of(sym)), now, this.valuation) : undefined;
    });
    // "As of" keeps when prices were last good: the desk holds it, so a reloaded page still knows.
    if (p.as_of !== null && p.totals.length > 0 && p.totals.every((x) => x.total_pnl !== null)) this.lastGoodAsOf = p.as_of;
    p.last_good_as_of = this.lastGoodAsOf;
    return p;
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
      // (an expired contract is left out of the totals, points included: see expired_excluded)
      if (points !== null && v.unknown_reason !== 'expired') points = v.unrealized_points === null ? null : points + v.unrealized_points;
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
    const neededIds = [...new Set(this.neededInstruments())];
    const subscribed = new Set(this.subs ? this.subs.subscribedInstruments() : neededIds);
    // Counted per instrument (`sim:SPY` and `sim2:SPY` are two); named by symbol at the desk's own
    // venue and by `venue:symbol` at another, so two venues' symbols never read as one.
    const ownPrefix = `${this.venue}:`;
    const name = (i: InstrumentId) => (i.startsWith(ownPrefix) ? instrumentSymbol(i) : i);
    const missing = neededIds.filter((i) => !subscribed.has(i)).map(name).sort();
    return {
      state: probe.state,
      streaming: probe.streaming,
      last_tick_at: this.lastTickAt,
      last_tick_age_sec: this.lastTickAt === null ? null : (now - this.lastTickAt) / 1000,
      subscriptions: { needed: neededIds.length, subscribed: subscribed.size, missing },
      // The contract check asks the desk's own venue: its listing covers its instruments only.
      ...(this.unlisted.size > 0 ? { unlisted_contracts: neededIds.filter((i) => i.startsWith(ownPrefix)).map(instrumentSymbol).filter((s) => this.unlisted.has(s)).sort() } : {}),
    };
  }

  /** Option contracts the venue does not list (from the desk's contract check); replaces the set. */
  setUnlistedContracts(symbols: Iterable<string>): void {
    this.unlisted = new Set(symbols);
    this.version++;
  }

  /** Recomputes the snapshot now, records P&L samples and tells refresh listeners. */
  refresh(): void {
    const now = this.clock.now();
    this.version++; // time-dependent fields (ages, staleness) moved
    const snap = this.snapshot(now);
    this.syncSubscriptions();
    this.sample(now, null, snap.pnl);
    for (const l of this.refreshListeners) l(now);
    this.refreshStaleByRest();
  }

  /**
   * The REST fallback (spec §7: the socket's quote when fresh, otherwise the broker's): every needed
   * symbol that has a stream behind it (subscribed: a symbol left out by the plan has none to stall)
   * and whose quote is missing or about to go stale is asked of the shared, rate-limited refresh.
   * The REST quote lands in the quote source and is valued like any other; when REST fails too the
   * quote simply goes stale and its P&L turns unknown.
   */
  refreshStaleByRest(): void {
    const ltp = this.restRefresh?.() ?? null;
    if (!ltp || !this.offQuote) return;
    const now = this.clock.now();
    const maxAge = Math.floor(this.valuation.staleAfterMs * this.restAhead);
    const subscribed = this.subs ? new Set(this.subs.subscribedInstruments()) : null;
    for (const id of this.neededInstruments()) {
      // (the positions' venue by symbol, as before; another account's venue by instrument: two venues' quotes of one symbol are refreshed each from its venue)
      const symbol: string = this.ids.owns(id) ? instrumentSymbol(id) : id;
      if (this.restPending.has(symbol) || (subscribed && !subscribed.has(id))) continue;
      const q = this.quotes.get(id);
      const at = q ? this.quoteTime(q) : null;
      if (at !== null && now - at <= maxAge) continue;
      this.restPending.add(symbol);
      ltp.getFresh(id, maxAge).then(
        (r) => {
          this.restPending.delete(symbol);
          if (r.fresh) this.restFailures.delete(symbol);
          // (a refresh skipped by the rate limit says nothing new about REST: keep the last verdict)
          else if (r.source === 'rest' && r.reason !== null) this.restFailures.set(symbol, r.reason);
        },
        (err: unknown) => {
          this.restPending.delete(symbol);
          this.restFailures.set(symbol, err instanceof Error ? err.message : String(err));
        },
      );
    }
  }

  // ---------- internals ----------

  /** The time the mark is taken from: the book's for mid/conservative, the trade's for `last`. */
  private quoteTime(q: Quote): number | null {
    return markTimeOf(q, this.valuation.markPolicy);
  }

  private armRestTimer(): void {
    if (!this.restRefresh || this.restTimer) return;
    const every = Math.max(250, Math.floor(this.valuation.staleAfterMs / 10));
    this.restTimer = this.clock.setInterval(() => this.refreshStaleByRest(), every);
  }

  private onQuote(q: Quote): void {
    this.lastTickAt = q.receivedAt;
    // A quote moves the snapshot when a position holds its instrument, or an option's delta reads it.
    if (this.book.onQuote(q) || this.underlyings().has(q.instrument) || this.wholeStructureLegs.has(q.instrument)) this.version++;
  }

  /** Underlyings of the open options (their model delta reads these quotes); cached until positions change. */
  private underlyings(): ReadonlySet<InstrumentId> {
    if (this.deltaUnderlyings === null) {
      const s = new Set<InstrumentId>();
      for (const h of this.held.values()) {
        const u = deltaUnderlyingOf(h.record);
        if (u !== null) s.add(this.idsOf(h.snap).of(u));
      }
      this.deltaUnderlyings = s;
    }
    return this.deltaUnderlyings;
  }

  private value(r: PositionRecord, now: number): LivePosition {
    if (r.status === 'CLOSED') return revaluePosition(r, null, now, this.valuation);
    const u = deltaUnderlyingOf(r);
    const ids = this.accountVenues.size === 0 ? this.ids : (this.accountVenues.get(r.position_id) ?? this.ids);
    return revaluePosition(r, this.quotes.get(ids.of(r.symbol)) ?? null, now, this.valuation, u === null ? null : (this.quotes.get(ids.of(u)) ?? null));
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
      t.currencies.filter((c) => held.has(c.currency)).map((c) => currencyTotalsWire(c, this.decimalsOf(c.currency))),
    );
  }

  private hold(snap: PositionSnapshot, meta: PositionMeta): Held {
    const h: Held = { snap, meta, record: positionRecordOf(snap, this.idOf(snap), this.instrumentWire(snap.symbol), meta) };
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
      currencyOf: (id) => this.currencyOf(instrumentSymbol(id)),
      quoteOf: (id) => this.quotes.get(id),
      symbols: this.quotes.symbols,
    });
  }

  private rebuildBook(): void {
    this.book = this.newBook();
    this.nextExpiryAt = Infinity;
    this.expiredInstruments.clear();
    for (const h of this.held.values()) this.bookSet(h.snap);
    this.version++;
  }

  /** Puts a position in the book, marking it expired when its contract is (and noting the next expiry to watch). */
  private bookSet(snap: PositionSnapshot): void {
    const exp = snap.quantity_remaining > 0n ? this.instrument(snap.symbol)?.expiry?.epochMs : undefined;
    const expired = exp !== undefined && this.clock.now() >= exp;
    if (exp !== undefined && !expired && exp < this.nextExpiryAt) this.nextExpiryAt = exp;
    const id = this.idOf(snap);
    if (expired) this.expiredInstruments.add(id);
    this.book.setPosition(id, snap, expired);
  }

  /** The symbol → InstrumentId mapping of the venue valuing this position (another account's, or the positions' venue). */
  private idsOf(snap: { position_id: string }): VenueInstruments {
    return this.accountVenues.size === 0 ? this.ids : (this.accountVenues.get(snap.position_id) ?? this.ids);
  }

  private idOf(snap: { position_id: string; symbol: string }): InstrumentId {
    return this.idsOf(snap).of(snap.symbol);
  }

  /** The mapping of another account's venue (one per venue name, interned), or why the name cannot be one. */
  private venueIdsOf(venue: string, fill: Fill): { ids: VenueInstruments } | { rejection: FillRejection } {
    for (const v of this.accountVenues.values()) if (v.venue === venue) return { ids: v };
    try {
      return { ids: new VenueInstruments(venue) };
    } catch (err) {
      return { rejection: { fill_id: fill.fill_id, position_id: fill.position_id, reason: err instanceof Error ? err.message : String(err) } };
    }
  }

  private syncSubscriptions(): void {
    if (!this.subs || !this.offQuote) return;
    const needed = this.neededInstruments();
    if (needed.length === this.subscribedFor.length && needed.every((s, i) => s === this.subscribedFor[i])) return;
    this.subs.replaceSubscriptions(TRACKER_CONSUMER_ID, needed);
    this.subscribedFor = needed;
  }

  private wholeStructureLegIds(): Set<InstrumentId> {
    return new Set(this.structureDefs.filter(isWholeStructure).flatMap((d) => d.legs.map((l) => this.ids.of(l.symbol))));
  }

  private instrument(symbol: string): Instrument | null {
    const known = this.instruments.get(symbol);
    if (known) return known;
    // An unknown symbol is asked again next time: a venue's records (SmartAPI's instrument master,
    // Delta's products) may arrive after its first fill or quote.
    const i = this.portfolioInstruments.get(symbol) ?? this.instrumentOfFallback(symbol);
    if (i) this.instruments.set(symbol, i);
    return i;
  }

  private instrumentWire(symbol: string): InstrumentWire | null {
    const known = this.instrumentWires.get(symbol);
    if (known) return known;
    const i = this.instrument(symbol);
    const w = i ? instrumentToWire(i) : null;
    if (w) this.instrumentWires.set(symbol, w);
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

/** Needed instruments in a stable order: by symbol, then venue (one venue: the symbols' order, as before). */
function bySymbolThenVenue(a: { id: InstrumentId; symbol: string }, b: { id: InstrumentId; symbol: string }): number {
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
