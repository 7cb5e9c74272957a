/**
 * The renderer's picture of the desk, rebuilt from a snapshot plus events in seq order. Pure (no
 * React, no clock): `reduceDesk(state, event, localNow)`; the zustand store (desk-store.ts) only
 * calls it for events from the transport.
 *
 * Positions are kept twice: `records` (the exact FIFO state the backend sent) and `positions`
 * (the displayed LivePosition, valued with the core's `revaluePosition` — the same pure function
 * the backend's tracker uses, so the two cannot disagree). A tick_update revalues only the
 * positions holding a changed symbol, the open options whose underlying changed (their model
 * delta; index `openByUnderlying`), plus those whose quote (or underlying quote) crossed the stale
 * threshold since the last valuation; totals are the exact sums over positions (`totalsOf`).
 *
 * Quote ages move with time, not events: `positions[k].quote_age_sec` is as of `valuedAt`; a view
 * showing ages computes them from `quote_received_at` and the server-corrected now
 * (selectors.ts: `serverNow`, `quoteAgeSec`).
 */
import {
  isHistoryEvent,
  type DeskEvent,
  type DeskSettings,
  type VenueEndpointsWire,
  type SubscriptionPlanWire,
  type FillWire,
  type HistoryEvent,
  type KillSwitchWire,
  type LivePosition,
  type NodeEvent,
  type OrderUpdateWire,
  type PnlSampleWire,
  type PnlSnapshotWire,
  type PortfolioStatusWire,
  type PositionRecord,
  type QuoteWire,
  type ReplayProgress,
  type StreamHealthWire,
  type StreamerDiagnostics,
  type StructureDefWire,
  type StructureView,
  type ValuationSettings,
  type VenueMode,
} from '@shared/contract';
import { bookTimeOf } from '@core/market/mark';
import { defaultValuation, deltaUnderlyingOf, revalueDelta, revaluePosition, revalueStructure, totalsOf, withStructureTotals } from '@core/pnl/revalue';

/** Bounds of the in-memory lists (the SQLite ledger keeps everything). */
export const LIMITS = { history: 5000, fills: 2000, orders: 1000, pnlSamples: 20_000 } as const;

export interface DeskState {
  /** Seq of the last event applied; null until the first snapshot. */
  seq: number | null;
  /** Server clock minus local clock (ms), so quote ages are right even when the clocks differ. */
  clockOffsetMs: number;
  /** Set when a seq gap was seen; cleared by the next snapshot. */
  awaitingSnapshot: boolean;
  venue: string;
  mode: VenueMode;
  streaming: boolean;
  /** Latest quote per symbol. */
  quotes: Record<string, QuoteWire>;
  streams: StreamHealthWire[];
  /** The tracker's stream diagnostics (connection state, last tick age, subscription counts). */
  streamer: StreamerDiagnostics | null;
  killSwitch: KillSwitchWire | null;
  /** How positions are valued (from the backend; the same on both sides). */
  valuation: ValuationSettings;
  /** Exact position state by key `${position_id}#${re_entry_num}` (open and closed). */
  records: Record<string, PositionRecord>;
  /** Displayed positions by key, valued with `revaluePosition`. */
  positions: Record<string, LivePosition>;
  /** Server time (ms) of the latest valuation. */
  valuedAt: number;
  /** Open position keys by instrument (`venue:symbol`, the quote key: which positions a quote touches). */
  openBySymbol: Record<string, string[]>;
  /** Open option position keys by underlying instrument (whose model delta an underlying quote moves). */
  openByUnderlying: Record<string, string[]>;
  /** Keys of closed positions in the order they closed: the trade history. */
  tradeKeys: string[];
  structureDefs: Record<string, StructureDefWire>;
  structures: Record<string, StructureView>;
  /** Totals over `positions` alone (exact). */
  positionTotals: PnlSnapshotWire;
  /** Totals recomputed here: `positionTotals` plus the structures valued as a whole (withStructureTotals). */
  totals: PnlSnapshotWire;
  /** Totals as the backend last sent them (tick_update / snapshot); equal to `totals` when in sync. */
  serverPnl: PnlSnapshotWire | null;
  /** `totals.as_of` the last time every total was known: "As of" keeps it while prices are not good. */
  lastGoodAsOf: number | null;
  /** Recent fills, oldest first. */
  fills: FillWire[];
  /** Latest update of each recent order. */
  orders: Record<string, OrderUpdateWire>;
  /** Event history (node/position/portfolio/fill/order/alert/kill switch), oldest first. */
  history: HistoryEvent[];
  /** node_event by execution_id. */
  nodes: Record<string, NodeEvent>;
  /** execution_ids of each parent's children, in arrival order. */
  children: Record<string, string[]>;
  /** The day's P&L curve, oldest first (per currency; `gap` marks breaks). */
  pnlSamples: PnlSampleWire[];
  portfolio: PortfolioStatusWire | null;
  settings: DeskSettings | null;
  /** The subscription plan in force while streaming: its limit and the symbols left out (null when stopped). */
  plan: SubscriptionPlanWire | null;
  /** The venue's endpoints and where each came from (from the snapshot; read-only). */
  endpoints: VenueEndpointsWire | null;
  activeNodes: string[];
  progress: ReplayProgress | null;
  /** Server time of the last tick_update. */
  lastTickAt: number | null;
}

const emptyTotals: PnlSnapshotWire = { as_of: null, currency: null, realized: '0', unrealized: '0', total: '0', totals: [] };

export const initialDeskState: DeskState = {
  seq: null,
  clockOffsetMs: 0,
  awaitingSnapshot: true,
  venue: '',
  mode: 'SIM',
  streaming: false,
  quotes: {},
  streams: [],
  streamer: null,
  killSwitch: null,
  valuation: defaultValuation,
  records: {},
  positions: {},
  valuedAt: 0,
  openBySymbol: {},
  openByUnderlying: {},
  tradeKeys: [],
  structureDefs: {},
  structures: {},
  positionTotals: emptyTotals,
  totals: emptyTotals,
  serverPnl: null,
  lastGoodAsOf: null,
  fills: [],
  orders: {},
  history: [],
  nodes: {},
  children: {},
  pnlSamples: [],
  portfolio: null,
  settings: null,
  plan: null,
  endpoints: null,
  activeNodes: [],
  progress: null,
  lastTickAt: null,
};

export type ReduceResult = { state: DeskState; needResync: boolean };

// ---------- valuation helpers (pure) ----------

/**
 * Quotes are keyed by instrument (`venue:symbol`, QuoteWire.instrument): the same symbol at two
 * venues is two quotes. A venue symbol (a structure leg, an underlying) is looked up at a venue.
 */
export function quoteKey(venue: string, symbol: string): string {
  return `${venue}:${symbol}`;
}

/** The quote of a venue symbol at the desk's venue. */
export function quoteOfSymbol(s: Pick<DeskState, 'quotes' | 'venue'>, symbol: string): QuoteWire | undefined {
  return s.quotes[quoteKey(s.venue, symbol)];
}

/** The key of an underlying symbol at the venue of a position's instrument. */
function underlyingKey(r: PositionRecord, underlying: string): string {
  return quoteKey(r.instrument_id.slice(0, r.instrument_id.indexOf(':')), underlying);
}

function valueOne(r: PositionRecord, quotes: Record<string, QuoteWire>, now: number, v: ValuationSettings): LivePosition {
  // Closed positions are valued without a quote on both sides (nothing left to mark).
  if (r.status === 'CLOSED') return revaluePosition(r, null, now, v);
  const u = deltaUnderlyingOf(r);
  return revaluePosition(r, quotes[r.instrument_id] ?? null, now, v, u === null ? null : (quotes[underlyingKey(r, u)] ?? null));
}

function indexUnderlyings(records: Record<string, PositionRecord>): Record<string, string[]> {
  const idx: Record<string, string[]> = {};
  for (const r of Object.values(records)) {
    const u = deltaUnderlyingOf(r);
    if (u !== null) (idx[underlyingKey(r, u)] ??= []).push(r.key);
  }
  return idx;
}

function indexOpen(records: Record<string, PositionRecord>): Record<string, string[]> {
  const idx: Record<string, string[]> = {};
  for (const r of Object.values(records)) {
    if (r.status === 'CLOSED') continue;
    (idx[r.instrument_id] ??= []).push(r.key);
  }
  return idx;
}

function closeOrder(records: Record<string, PositionRecord>): string[] {
  return Object.values(records)
    .filter((r) => r.status === 'CLOSED')
    .sort((a, b) => (a.closed_at ?? 0) - (b.closed_at ?? 0) || (a.key < b.key ? -1 : 1))
    .map((r) => r.key);
}

function valueAllPositions(records: Record<string, PositionRecord>, quotes: Record<string, QuoteWire>, now: number, v: ValuationSettings): Record<string, LivePosition> {
  const out: Record<string, LivePosition> = {};
  for (const [k, r] of Object.entries(records)) out[k] = valueOne(r, quotes, now, v);
  return out;
}

function valueStructures(defs: Record<string, StructureDefWire>, quotes: Record<string, QuoteWire>, venue: string, now: number, v: ValuationSettings): Record<string, StructureView> {
  const out: Record<string, StructureView> = {};
  for (const [id, d] of Object.entries(defs)) out[id] = revalueStructure(d, (s) => quotes[quoteKey(venue, s)], now, v);
  return out;
}

/** The desk's totals: the positions' plus every structure valued as a whole (as the backend's). */
function allTotals(positionTotals: PnlSnapshotWire, defs: Record<string, StructureDefWire>, structures: Record<string, StructureView>): PnlSnapshotWire {
  return withStructureTotals(positionTotals, Object.values(defs), (id) => structures[id]);
}

/** Every position valued at `now` — what the backend's snapshot would say at that instant. */
export function revalueAll(state: DeskState, now: number): Record<string, LivePosition> {
  return valueAllPositions(state.records, state.quotes, now, state.valuation);
}

/** Recomputes every derived field from records, quotes and valuation at `now`. */
function rebuild(state: DeskState, now: number): DeskState {
  const positions = valueAllPositions(state.records, state.quotes, now, state.valuation);
  const structures = valueStructures(state.structureDefs, state.quotes, state.venue, now, state.valuation);
  const positionTotals = totalsOf(Object.values(positions));
  return {
    ...state,
    positions,
    valuedAt: now,
    openBySymbol: indexOpen(state.records),
    openByUnderlying: indexUnderlyings(state.records),
    tradeKeys: closeOrder(state.records),
    structures,
    positionTotals,
    totals: allTotals(positionTotals, state.structureDefs, structures),
  };
}

function appendBounded<T>(list: readonly T[], items: readonly T[], limit: number): T[] {
  const next = list.concat(items);
  // Trim in chunks so appends stay amortized O(1).
  return next.length > limit * 1.2 ? next.slice(next.length - limit) : next;
}

function withHistory(state: DeskState, event: HistoryEvent): DeskState {
  let { nodes, children } = state;
  if (event.type === 'node_event') {
    nodes = { ...nodes, [event.execution_id]: event };
    if (event.parent_execution_id !== null) {
      const siblings = children[event.parent_execution_id] ?? [];
      if (!siblings.includes(event.execution_id)) children = { ...children, [event.parent_execution_id]: [...siblings, event.execution_id] };
    }
  }
  return { ...state, history: appendBounded(state.history, [event], LIMITS.history), nodes, children };
}

function indexHistory(history: readonly HistoryEvent[]): { nodes: Record<string, NodeEvent>; children: Record<string, string[]> } {
  const nodes: Record<string, NodeEvent> = {};
  const children: Record<string, string[]> = {};
  for (const e of history) {
    if (e.type !== 'node_event') continue;
    nodes[e.execution_id] = e;
    if (e.parent_execution_id !== null) {
      const c = (children[e.parent_execution_id] ??= []);
      if (!c.includes(e.execution_id)) c.push(e.execution_id);
    }
  }
  return { nodes, children };
}

function boundedOrders(orders: Record<string, OrderUpdateWire>): Record<string, OrderUpdateWire> {
  const ids = Object.keys(orders);
  if (ids.length <= LIMITS.orders * 1.2) return orders;
  const keep = Object.values(orders)
    .sort((a, b) => a.time - b.time)
    .slice(-LIMITS.orders);
  return Object.fromEntries(keep.map((o) => [o.order_id, o]));
}

// ---------- the reducer ----------

/** The same object when nothing changed (health events arrive every second: no re-render for an unchanged plan). */
function samePlan(prev: SubscriptionPlanWire | null, next: SubscriptionPlanWire | null): SubscriptionPlanWire | null {
  if (prev === null || next === null) return next;
  const same = prev.max_option_contracts === next.max_option_contracts && prev.omitted.length === next.omitted.length && prev.omitted.every((s, i) => s === next.omitted[i]) && prev.warnings.join('\n') === next.warnings.join('\n');
  return same ? prev : next;
}

/**
 * Symbols the subscription plan left out have no stream behind them: a quote cached from before the
 * limit was lowered (or a late one) must not value them, age them red or make them "stale" — they
 * are "not subscribed" (issue 12 item 8). The plan rule wins, so their quotes are dropped.
 */
const omittedCache = new WeakMap<SubscriptionPlanWire, ReadonlySet<string>>();
function omittedOf(plan: SubscriptionPlanWire | null): ReadonlySet<string> | null {
  if (plan === null || plan.omitted.length === 0) return null;
  let set = omittedCache.get(plan);
  if (!set) omittedCache.set(plan, (set = new Set(plan.omitted)));
  return set;
}
function withoutOmitted(quotes: Record<string, QuoteWire>, plan: SubscriptionPlanWire | null, venue: string): Record<string, QuoteWire> {
  const omitted = omittedOf(plan);
  if (omitted === null) return quotes;
  let out: Record<string, QuoteWire> | null = null;
  for (const symbol of omitted) {
    const key = quoteKey(venue, symbol);
    if (quotes[key] === undefined) continue;
    out ??= { ...quotes };
    delete out[key];
  }
  return out ?? quotes;
}

/** Pure: applies one event. A gap in seq marks the state as awaiting a snapshot and asks for one. */
export function reduceDesk(state: DeskState, event: DeskEvent, localNow: number): ReduceResult {
  if (event.type === 'snapshot') {
    const s = event.snapshot;
    const quotes: Record<string, QuoteWire> = {};
    for (const q of s.quotes) quotes[q.instrument] = q;
    const records: Record<string, PositionRecord> = {};
    for (const r of s.positions ?? []) records[r.key] = r;
    const structureDefs: Record<string, StructureDefWire> = {};
    for (const d of s.structures ?? []) structureDefs[d.id] = d;
    const history = s.history ?? [];
    const base: DeskState = {
      ...initialDeskState,
      seq: event.seq,
      clockOffsetMs: s.serverTime - localNow,
      awaitingSnapshot: false,
      venue: s.venue,
      mode: s.mode,
      streaming: s.streaming,
      quotes,
      streams: s.streams,
      streamer: s.pnl?.streamer ?? null,
      killSwitch: s.killSwitch ?? null,
      valuation: s.valuation ?? defaultValuation,
      records,
      structureDefs,
      serverPnl: s.pnl_snapshot ?? null,
      fills: (s.fills ?? []).slice(-LIMITS.fills),
      orders: Object.fromEntries((s.orders ?? []).map((o) => [o.order_id, o])),
      history: history.slice(-LIMITS.history),
      ...indexHistory(history),
      pnlSamples: (s.pnl_samples ?? []).slice(-LIMITS.pnlSamples),
      portfolio: s.portfolio ?? null,
      settings: s.settings ?? null,
      endpoints: s.endpoints ?? null,
      plan: s.plan ?? null,
      activeNodes: s.active_nodes ?? [],
      progress: s.progress ?? null,
    };
    const rebuilt = rebuild({ ...base, quotes: withoutOmitted(quotes, base.plan, base.venue) }, s.serverTime);
    // The desk keeps when prices were last good (a reloaded page starts from its figure, not null).
    return { state: { ...rebuilt, lastGoodAsOf: lastGoodAsOf(rebuilt.totals, laterOf(state.lastGoodAsOf, s.pnl_snapshot?.last_good_as_of)) }, needResync: false };
  }
  if (state.awaitingSnapshot || state.seq === null) return { state, needResync: false };
  if (event.seq <= state.seq) return { state, needResync: false }; // duplicate or old
  if (event.seq !== state.seq + 1) return { state: { ...state, awaitingSnapshot: true }, needResync: true };
  const now = event.serverTime;
  // Staleness moves with time: every event brings the server's time, so positions whose quote
  // crossed the threshold since the last valuation are revalued first.
  const omitted = omittedOf(state.plan);
  const updates = event.type !== 'tick_update' ? [] : omitted === null ? event.ltp_updates : event.ltp_updates.filter((q) => !omitted.has(q.symbol));
  const base: DeskState = catchUp({ ...state, seq: event.seq, clockOffsetMs: event.serverTime - localNow }, now, updates);
  switch (event.type) {
    case 'tick_update':
      return { state: applyTick(base, now, event), needResync: false };
    case 'health_event': {
      const plan = event.plan === undefined ? base.plan : samePlan(base.plan, event.plan);
      const next: DeskState = { ...base, streaming: event.streaming, streams: event.streams, streamer: event.streamer ?? base.streamer, plan };
      // A plan that now leaves out symbols we hold quotes for: drop them and revalue.
      const quotes = plan === base.plan ? base.quotes : withoutOmitted(base.quotes, plan, base.venue);
      return { state: quotes === base.quotes ? next : rebuild({ ...next, quotes }, now), needResync: false };
    }
    case 'position_event': {
      const r = event.record;
      const records = { ...base.records, [r.key]: r };
      const positions = { ...base.positions, [r.key]: valueOne(r, base.quotes, now, base.valuation) };
      const wasOpen = base.records[r.key] !== undefined && base.records[r.key]!.status !== 'CLOSED';
      const isOpen = r.status !== 'CLOSED';
      const sameIndex = wasOpen === isOpen && base.records[r.key]?.symbol === r.symbol;
      const openBySymbol = sameIndex ? base.openBySymbol : indexOpen(records);
      const openByUnderlying = sameIndex ? base.openByUnderlying : indexUnderlyings(records);
      const tradeKeys = !isOpen && !base.tradeKeys.includes(r.key) ? [...base.tradeKeys, r.key] : base.tradeKeys;
      const positionTotals = totalsOf(Object.values(positions));
      const next: DeskState = { ...base, records, positions, openBySymbol, openByUnderlying, tradeKeys, positionTotals, totals: allTotals(positionTotals, base.structureDefs, base.structures) };
      return { state: withHistory(next, event), needResync: false };
    }
    case 'portfolio_event': {
      let next: DeskState = { ...base, portfolio: event.status };
      if (event.action !== 'rejected') {
        const records: Record<string, PositionRecord> = {};
        for (const [k, r] of Object.entries(base.records)) if (r.source !== 'portfolio') records[k] = r;
        for (const r of event.positions) records[r.key] = r;
        const structureDefs: Record<string, StructureDefWire> = {};
        for (const d of event.structures) structureDefs[d.id] = d;
        next = rebuild({ ...next, records, structureDefs }, now);
      }
      return { state: withHistory(next, event), needResync: false };
    }
    case 'settings_event':
      return { state: rebuild({ ...base, settings: event.settings, valuation: event.valuation }, now), needResync: false };
    case 'pnl_sample':
      return { state: { ...base, pnlSamples: appendBounded(base.pnlSamples, event.samples, LIMITS.pnlSamples) }, needResync: false };
    case 'fill_event':
      return { state: withHistory({ ...base, fills: appendBounded(base.fills, [event.fill], LIMITS.fills) }, event), needResync: false };
    case 'order_event':
      return { state: withHistory({ ...base, orders: boundedOrders({ ...base.orders, [event.order.order_id]: event.order }) }, event), needResync: false };
    case 'killswitch_event':
      return { state: withHistory({ ...base, killSwitch: event.killSwitch }, event), needResync: false };
    default:
      return { state: isHistoryEvent(event) ? withHistory(base, event) : base, needResync: false };
  }
}

/**
 * Brings the valuation to server time `now`: applies changed quotes (revaluing the open positions
 * holding them) and revalues those whose quote crossed the stale threshold since the last
 * valuation (their P&L turns unknown without any new quote). Totals follow when anything moved.
 */
function catchUp(state: DeskState, now: number, updates: readonly QuoteWire[]): DeskState {
  const touched = new Set<string>();
  // Options whose underlying moved (or went stale): only their delta (and ages) are revalued.
  const deltaTouched = new Set<string>();
  let quotes = state.quotes;
  if (updates.length > 0) {
    quotes = { ...state.quotes };
    for (const q of updates) {
      quotes[q.instrument] = q;
      for (const k of state.openBySymbol[q.instrument] ?? []) touched.add(k);
      // An underlying's quote moves the model delta of the options on it.
      for (const k of state.openByUnderlying[q.instrument] ?? []) deltaTouched.add(k);
    }
  }
  const staleMs = state.valuation.staleAfterMs;
  if (now > state.valuedAt) {
    // Stale once now − received > staleAfterMs: flipped in (valuedAt, now] if valuedAt ≤ staleAt < now.
    const flipped = (received: number) => received + staleMs < now && received + staleMs >= state.valuedAt;
    for (const keys of Object.values(state.openBySymbol)) {
      for (const k of keys) {
        const received = state.positions[k]?.quote_received_at;
        if (received != null && flipped(received)) touched.add(k);
      }
    }
    // An underlying quote going stale makes the options' model delta unknown.
    for (const [u, keys] of Object.entries(state.openByUnderlying)) {
      const uq = state.quotes[u];
      const received = uq ? bookTimeOf(uq) : null; // the model delta reads the underlying's book
      if (received != null && flipped(received)) for (const k of keys) deltaTouched.add(k);
    }
  }
  if (touched.size === 0 && deltaTouched.size === 0) return quotes === state.quotes && now <= state.valuedAt ? state : { ...state, quotes, valuedAt: Math.max(now, state.valuedAt) };
  const positions = { ...state.positions };
  for (const k of touched) {
    const r = state.records[k];
    if (r) positions[k] = valueOne(r, quotes, now, state.valuation);
  }
  for (const k of deltaTouched) {
    const r = state.records[k];
    const prev = state.positions[k];
    if (!r || !prev || touched.has(k)) continue;
    const u = deltaUnderlyingOf(r);
    positions[k] = revalueDelta(prev, r, quotes[r.instrument_id] ?? null, now, state.valuation, u === null ? null : (quotes[underlyingKey(r, u)] ?? null));
  }
  // A delta moves no money: totals change only with fully revalued positions.
  const positionTotals = touched.size > 0 ? totalsOf(Object.values(positions)) : state.positionTotals;
  return { ...state, quotes, positions, valuedAt: Math.max(now, state.valuedAt), positionTotals, totals: positionTotals === state.positionTotals ? state.totals : allTotals(positionTotals, state.structureDefs, state.structures) };
}

/** The later of two times (either may be unknown). */
function laterOf(a: number | null, b: number | null | undefined): number | null {
  if (b === null || b === undefined) return a;
  return a === null || b > a ? b : a;
}

/** The totals' as_of when every total is known (prices were good then), else the previous one. */
export function lastGoodAsOf(totals: PnlSnapshotWire, previous: number | null): number | null {
  if (totals.as_of === null || totals.totals.length === 0 || totals.totals.some((t) => t.total_pnl === null)) return previous;
  return totals.as_of;
}

/** tick_update: quotes were applied by catchUp; structures (few) are revalued whole. */
function applyTick(state: DeskState, now: number, event: { active_nodes: string[]; progress?: ReplayProgress; pnl_snapshot: PnlSnapshotWire }): DeskState {
  const structures = valueStructures(state.structureDefs, state.quotes, state.venue, now, state.valuation);
  const totals = allTotals(state.positionTotals, state.structureDefs, structures);
  return {
    ...state,
    structures,
    totals,
    lastGoodAsOf: lastGoodAsOf(totals, laterOf(state.lastGoodAsOf, event.pnl_snapshot.last_good_as_of)),
    serverPnl: event.pnl_snapshot,
    activeNodes: event.active_nodes,
    progress: event.progress ?? null,
    lastTickAt: now,
  };
}
