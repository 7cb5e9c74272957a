/**
 * Portfolio: quotes, positions, structures and the desk's P&L totals.
 *
 * Positions are kept twice: `records` (the exact FIFO state the desk sent) and `positions` (the
 * displayed rows, valued with the core's `revaluePosition` — the function the desk's tracker uses).
 * A tick_update revalues only the positions holding a changed quote, the open options whose
 * underlying changed (their model delta; index `openByUnderlying`), plus those whose quote (or
 * underlying quote) crossed the stale threshold since the last valuation.
 *
 * Totals are never computed here: `pnl` is the desk's `pnl_snapshot` exactly as the last snapshot
 * or tick_update carried it (the desk sends a tick_update whenever its totals change: quotes,
 * fills, portfolio loads, settings, a quote going stale while streaming).
 *
 * Quote ages move with time, not events: `positions[k].quote_age_sec` is as of `valuedAt`; a view
 * showing ages computes them from `quote_received_at` and the server-corrected now.
 */
import type { LivePosition, PnlSnapshotWire, PortfolioStatusWire, PositionRecord, QuoteWire, StructureDefWire, StructureView, SubscriptionPlanWire, ValuationSettings } from '@shared/contract';
import { bookTimeOf } from '@core/market/mark';
import { defaultValuation, deltaUnderlyingOf, revalueDelta, revaluePosition, revalueStructure } from '@core/pnl/revalue';
import type { Slice } from './slice';
import type { StreamingSlice } from './streaming';
import { quoteKey, quoteKeyOf, symbolKey, underlyingKeyOf } from './quote-key';

export interface PortfolioSlice {
  /** Latest quote per quote key (quote-key.ts). */
  quotes: Record<string, QuoteWire>;
  /** How positions are valued (from the desk; the same on both sides). */
  valuation: ValuationSettings;
  /** Exact position state by key `${position_id}#${re_entry_num}` (open and closed). */
  records: Record<string, PositionRecord>;
  /** Displayed positions by key, valued with `revaluePosition`. */
  positions: Record<string, LivePosition>;
  /** Server time (ms) of the latest valuation. */
  valuedAt: number;
  /** Open position keys by quote key (which positions a quote touches). */
  openBySymbol: Record<string, string[]>;
  /** Open option position keys by underlying quote key (whose model delta an underlying quote moves). */
  openByUnderlying: Record<string, string[]>;
  /** Keys of closed positions in the order they closed: the trade history. */
  tradeKeys: string[];
  structureDefs: Record<string, StructureDefWire>;
  structures: Record<string, StructureView>;
  /** The desk's totals (`pnl_snapshot`) as last sent: what the totals bar and the window title show. */
  pnl: PnlSnapshotWire;
  /** When prices were last good (the desk's `last_good_as_of`): "As of" keeps it while prices are not good. */
  lastGoodAsOf: number | null;
  portfolio: PortfolioStatusWire | null;
}

type Whole = PortfolioSlice & Pick<StreamingSlice, 'plan' | 'venue'>;

export const EMPTY_PNL: PnlSnapshotWire = { as_of: null, currency: null, realized: '0', unrealized: '0', total: '0', totals: [] };

// ---------- valuation helpers (pure) ----------

function valueOne(r: PositionRecord, quotes: Record<string, QuoteWire>, now: number, v: ValuationSettings): LivePosition {
  // Closed positions are valued without a quote on both sides (nothing left to mark).
  if (r.status === 'CLOSED') return revaluePosition(r, null, now, v);
  const u = deltaUnderlyingOf(r);
  return revaluePosition(r, quotes[quoteKeyOf(r)] ?? null, now, v, u === null ? null : (quotes[underlyingKeyOf(r, u)] ?? null));
}

function indexUnderlyings(records: Record<string, PositionRecord>): Record<string, string[]> {
  const idx: Record<string, string[]> = {};
  for (const r of Object.values(records)) {
    const u = deltaUnderlyingOf(r);
    if (u !== null) (idx[underlyingKeyOf(r, u)] ??= []).push(r.key);
  }
  return idx;
}

function indexOpen(records: Record<string, PositionRecord>): Record<string, string[]> {
  const idx: Record<string, string[]> = {};
  for (const r of Object.values(records)) {
    if (r.status === 'CLOSED') continue;
    (idx[quoteKeyOf(r)] ??= []).push(r.key);
  }
  return idx;
}

function closeOrder(records: Record<string, PositionRecord>): string[] {
  return Object.values(records)
    .filter((r) => r.status === 'CLOSED')
    .sort((a, b) => (a.closed_at ?? 0) - (b.closed_at ?? 0) || (a.key < b.key ? -1 : 1))
    .map((r) => r.key);
}

function valueStructures(defs: Record<string, StructureDefWire>, quotes: Record<string, QuoteWire>, venue: string, now: number, v: ValuationSettings): Record<string, StructureView> {
  const out: Record<string, StructureView> = {};
  for (const [id, d] of Object.entries(defs)) out[id] = revalueStructure(d, (s) => quotes[symbolKey(venue, s)], now, v);
  return out;
}

/** Recomputes every displayed row from records, quotes and valuation at `now`. */
function rebuild<S extends PortfolioSlice>(state: S, venue: string, now: number): S {
  const positions: Record<string, LivePosition> = {};
  for (const [k, r] of Object.entries(state.records)) positions[k] = valueOne(r, state.quotes, now, state.valuation);
  return {
    ...state,
    positions,
    valuedAt: now,
    openBySymbol: indexOpen(state.records),
    openByUnderlying: indexUnderlyings(state.records),
    tradeKeys: closeOrder(state.records),
    structures: valueStructures(state.structureDefs, state.quotes, venue, now, state.valuation),
  };
}

/**
 * Symbols the subscription plan left out have no stream behind them: a quote cached from before the
 * limit was lowered (or a late one) must not value them, age them red or make them "stale" — they
 * are "not subscribed" (issue 12 item 8). The plan rule wins, so their quotes are dropped.
 */
const omittedCache = new WeakMap<SubscriptionPlanWire, { venue: string; keys: ReadonlySet<string> }>();
/** The quote keys the plan left out (its symbols are the desk's venue's). */
function omittedOf(plan: SubscriptionPlanWire | null, venue: string): ReadonlySet<string> | null {
  if (plan === null || plan.omitted.length === 0) return null;
  let hit = omittedCache.get(plan);
  if (hit?.venue !== venue) omittedCache.set(plan, (hit = { venue, keys: new Set(plan.omitted.map((s) => symbolKey(venue, s))) }));
  return hit.keys;
}
function withoutOmitted(quotes: Record<string, QuoteWire>, plan: SubscriptionPlanWire | null, venue: string): Record<string, QuoteWire> {
  const omitted = omittedOf(plan, venue);
  if (omitted === null) return quotes;
  let out: Record<string, QuoteWire> | null = null;
  for (const key of omitted) {
    if (quotes[key] === undefined) continue;
    out ??= { ...quotes };
    delete out[key];
  }
  return out ?? quotes;
}

/**
 * When prices were last good: the desk's figure as sent (it keeps it across bad prices itself, and it
 * may move back — a position whose quote is older than the others joins the totals); a desk that
 * does not send one (undefined) leaves the last known.
 */
function desksLastGood(known: number | null, sent: number | null | undefined): number | null {
  return sent === undefined ? known : sent;
}

/**
 * Brings the displayed rows to server time `now`: applies changed quotes (revaluing the open
 * positions holding them) and revalues those whose quote crossed the stale threshold since the
 * last valuation (their P&L turns unknown without any new quote).
 */
function catchUp(state: PortfolioSlice, now: number, updates: readonly QuoteWire[]): PortfolioSlice {
  const touched = new Set<string>();
  // Options whose underlying moved (or went stale): only their delta (and ages) are revalued.
  const deltaTouched = new Set<string>();
  let quotes = state.quotes;
  if (updates.length > 0) {
    quotes = { ...state.quotes };
    for (const q of updates) {
      const key = quoteKey(q);
      quotes[key] = q;
      for (const k of state.openBySymbol[key] ?? []) touched.add(k);
      // An underlying's quote moves the model delta of the options on it.
      for (const k of state.openByUnderlying[key] ?? []) deltaTouched.add(k);
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
    positions[k] = revalueDelta(prev, r, quotes[quoteKeyOf(r)] ?? null, now, state.valuation, u === null ? null : (quotes[underlyingKeyOf(r, u)] ?? null));
  }
  return { ...state, quotes, positions, valuedAt: Math.max(now, state.valuedAt) };
}

const PORTFOLIO_KEYS = [
  'quotes', 'valuation', 'records', 'positions', 'valuedAt', 'openBySymbol', 'openByUnderlying', 'tradeKeys', 'structureDefs', 'structures', 'pnl', 'lastGoodAsOf', 'portfolio',
] as const satisfies readonly (keyof PortfolioSlice)[];

function pick(s: PortfolioSlice): PortfolioSlice {
  const out = {} as Record<string, unknown>;
  for (const k of PORTFOLIO_KEYS) out[k] = s[k];
  return out as unknown as PortfolioSlice;
}

export const portfolioSlice: Slice<PortfolioSlice, Whole> = {
  name: 'portfolio',
  initial: {
    quotes: {},
    valuation: defaultValuation,
    records: {},
    positions: {},
    valuedAt: 0,
    openBySymbol: {},
    openByUnderlying: {},
    tradeKeys: [],
    structureDefs: {},
    structures: {},
    pnl: EMPTY_PNL,
    lastGoodAsOf: null,
    portfolio: null,
  },
  fromSnapshot(s, next, prev) {
    const quotes: Record<string, QuoteWire> = {};
    for (const q of s.quotes) quotes[quoteKey(q)] = q;
    const records: Record<string, PositionRecord> = {};
    for (const r of s.positions ?? []) records[r.key] = r;
    const structureDefs: Record<string, StructureDefWire> = {};
    for (const d of s.structures ?? []) structureDefs[d.id] = d;
    const pnl = s.pnl_snapshot ?? EMPTY_PNL;
    const base: PortfolioSlice = {
      ...portfolioSlice.initial,
      quotes: withoutOmitted(quotes, next.plan, next.venue),
      valuation: s.valuation ?? defaultValuation,
      records,
      structureDefs,
      pnl,
      // The desk keeps when prices were last good (a reloaded page starts from its figure, not null).
      lastGoodAsOf: desksLastGood(prev.lastGoodAsOf, pnl.last_good_as_of),
      portfolio: s.portfolio ?? null,
    };
    return rebuild(base, next.venue, s.serverTime);
  },
  reduce(whole, event, now, prev) {
    const state = pick(whole);
    // Staleness moves with time: every event brings the server's time, so positions whose quote
    // crossed the threshold since the last valuation are revalued first.
    const venue = whole.venue;
    const omitted = omittedOf(prev.plan, prev.venue);
    const updates = event.type !== 'tick_update' ? [] : omitted === null ? event.ltp_updates : event.ltp_updates.filter((q) => !omitted.has(quoteKey(q)));
    const base = catchUp(state, now, updates);
    switch (event.type) {
      case 'tick_update':
        // Structures (few) are revalued whole; the totals are the desk's.
        return {
          ...base,
          structures: valueStructures(base.structureDefs, base.quotes, venue, now, base.valuation),
          pnl: event.pnl_snapshot,
          lastGoodAsOf: desksLastGood(base.lastGoodAsOf, event.pnl_snapshot.last_good_as_of),
        };
      case 'health_event': {
        // A plan that now leaves out symbols we hold quotes for: drop them and revalue.
        if (whole.plan === prev.plan) return base;
        const quotes = withoutOmitted(base.quotes, whole.plan, venue);
        return quotes === base.quotes ? base : rebuild({ ...base, quotes }, venue, now);
      }
      case 'position_event': {
        const r = event.record;
        const records = { ...base.records, [r.key]: r };
        const positions = { ...base.positions, [r.key]: valueOne(r, base.quotes, now, base.valuation) };
        const was = base.records[r.key];
        const wasOpen = was !== undefined && was.status !== 'CLOSED';
        const isOpen = r.status !== 'CLOSED';
        const sameIndex = wasOpen === isOpen && was !== undefined && quoteKeyOf(was) === quoteKeyOf(r);
        const openBySymbol = sameIndex ? base.openBySymbol : indexOpen(records);
        const openByUnderlying = sameIndex ? base.openByUnderlying : indexUnderlyings(records);
        const tradeKeys = !isOpen && !base.tradeKeys.includes(r.key) ? [...base.tradeKeys, r.key] : base.tradeKeys;
        return { ...base, records, positions, openBySymbol, openByUnderlying, tradeKeys };
      }
      case 'portfolio_event': {
        const next: PortfolioSlice = { ...base, portfolio: event.status };
        if (event.action === 'rejected') return next;
        const records: Record<string, PositionRecord> = {};
        for (const [k, r] of Object.entries(base.records)) if (r.source !== 'portfolio') records[k] = r;
        for (const r of event.positions) records[r.key] = r;
        const structureDefs: Record<string, StructureDefWire> = {};
        for (const d of event.structures) structureDefs[d.id] = d;
        return rebuild({ ...next, records, structureDefs }, venue, now);
      }
      case 'settings_event':
        return rebuild({ ...base, valuation: event.valuation }, venue, now);
      default:
        return base === state ? null : base;
    }
  },
};
