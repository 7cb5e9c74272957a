/**
 * Derived views of the desk state for the pages. Every selector returning a new array/object is
 * memoized on the identity of the state slices it reads (the reducer replaces a slice only when it
 * changed), so `useDeskStore(selectX)` does not re-render on unrelated events.
 */
import { markTimeOf } from '@core/market/mark';
import type {
  FillWire,
  HistoryEvent,
  LivePosition,
  NodeEvent,
  OrderUpdateWire,
  PnlSampleWire,
} from '@shared/contract';
import type { DeskState } from './desk-state';
import { quoteOfSymbol } from './slices/quote-key';

/** Caches the last result per input identity (one slot: selectors run on the latest state). */
function memo<A extends object, R>(fn: (a: A) => R): (a: A) => R {
  let lastA: A | undefined;
  let lastR: R;
  return (a: A) => {
    if (a !== lastA) {
      lastA = a;
      lastR = fn(a);
    }
    return lastR;
  };
}

function memo2<A extends object, B extends object, R>(fn: (a: A, b: B) => R): (a: A, b: B) => R {
  let lastA: A | undefined;
  let lastB: B | undefined;
  let lastR: R;
  return (a: A, b: B) => {
    if (a !== lastA || b !== lastB) {
      lastA = a;
      lastB = b;
      lastR = fn(a, b);
    }
    return lastR;
  };
}

const byOpenOrder = (a: LivePosition, b: LivePosition) => a.entry_time - b.entry_time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const allPositions = memo((positions: Record<string, LivePosition>) => Object.values(positions).sort(byOpenOrder));
const openPositions = memo((positions: Record<string, LivePosition>) => Object.values(positions).filter((p) => p.status !== 'CLOSED').sort(byOpenOrder));
const trades = memo2((keys: string[], positions: Record<string, LivePosition>) => keys.map((k) => positions[k]).filter((p): p is LivePosition => p !== undefined));
const orders = memo((o: Record<string, OrderUpdateWire>) => Object.values(o).sort((a, b) => a.time - b.time));

/** Every position (open and closed), by entry time. */
export const selectPositions = (s: DeskState): LivePosition[] => allPositions(s.positions);
/** Open and partially closed positions, by entry time. */
export const selectOpenPositions = (s: DeskState): LivePosition[] => openPositions(s.positions);
/** Trade history: closed positions in the order they closed. */
export const selectTrades = (s: DeskState): LivePosition[] => trades(s.tradeKeys, s.positions);
export const selectFills = (s: DeskState): FillWire[] => s.fills;
export const selectOrders = (s: DeskState): OrderUpdateWire[] => orders(s.orders);
export const selectHistory = (s: DeskState): HistoryEvent[] => s.history;
export const selectPortfolio = (s: DeskState) => s.portfolio;
export const selectSettings = (s: DeskState) => s.settings;

/** P&L samples of one currency (the chart's series), oldest first. */
const samplesByCurrency = memo((samples: PnlSampleWire[]) => {
  const m = new Map<string, PnlSampleWire[]>();
  for (const x of samples) {
    let l = m.get(x.currency);
    if (!l) m.set(x.currency, (l = []));
    l.push(x);
  }
  return m;
});
const NO_SAMPLES: PnlSampleWire[] = [];
export const selectPnlSamples =
  (currency: string) =>
  (s: DeskState): PnlSampleWire[] =>
    samplesByCurrency(s.pnlSamples).get(currency) ?? NO_SAMPLES;

// ---------- execution flows (Events page) ----------

export interface FlowNode {
  event: NodeEvent;
  children: FlowNode[];
}

/** The flow under an execution id (the node and its descendants), or null when unknown. */
export function selectFlow(s: DeskState, executionId: string): FlowNode | null {
  const seen = new Set<string>();
  const build = (id: string): FlowNode | null => {
    const event = s.nodes[id];
    if (!event || seen.has(id)) return null;
    seen.add(id);
    return { event, children: (s.children[id] ?? []).map(build).filter((n): n is FlowNode => n !== null) };
  };
  return build(executionId);
}

/** The chain of parents from the root flow down to `executionId` (for "why did this happen"). */
export function selectAncestry(s: DeskState, executionId: string): NodeEvent[] {
  const chain: NodeEvent[] = [];
  const seen = new Set<string>();
  let id: string | null = executionId;
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const e: NodeEvent | undefined = s.nodes[id];
    if (!e) break;
    chain.unshift(e);
    id = e.parent_execution_id;
  }
  return chain;
}

/** Root flows (node events without a known parent), newest last. */
export const selectRootFlows = memo((nodes: Record<string, NodeEvent>) =>
  Object.values(nodes).filter((n) => n.parent_execution_id === null || nodes[n.parent_execution_id] === undefined),
);

// ---------- time and staleness ----------

export interface StaleSummary {
  /** Open positions whose P&L is unknown (no/stale/one-sided/crossed quote …). */
  unknown: number;
  /** Of those, the ones with a stale quote at `now`. */
  stale: number;
  /** Open positions without any quote. */
  missing: number;
  open: number;
  /** Age (s) of the oldest quote behind an open position. */
  oldestQuoteAgeSec: number | null;
  /** Symbols of the stale/missing positions (for the banner). */
  symbols: string[];
}

/** The stale banner's figures at server time `now` (ages move with time, so `now` is an input). */
export function selectStaleSummary(s: DeskState, now: number): StaleSummary {
  let unknown = 0;
  let stale = 0;
  let missing = 0;
  let open = 0;
  let oldest: number | null = null;
  const symbols = new Set<string>();
  for (const p of Object.values(s.positions)) {
    if (p.status === 'CLOSED') continue;
    open++;
    const q = quoteOfSymbol(s, p.symbol);
    const received = q ? markTimeOf(q, s.valuation.markPolicy) : null;
    if (received === null) {
      missing++;
      unknown++;
      symbols.add(p.symbol);
      continue;
    }
    const age = now - received;
    if (oldest === null || age > oldest) oldest = age;
    if (age > s.valuation.staleAfterMs) {
      stale++;
      unknown++;
      symbols.add(p.symbol);
    } else if (p.unrealized_value === null) unknown++;
  }
  return { unknown, stale, missing, open, oldestQuoteAgeSec: oldest === null ? null : oldest / 1000, symbols: [...symbols].sort() };
}
