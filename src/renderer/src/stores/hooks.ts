/**
 * React hooks over the desk store for the pages. Read-only: the store is written by the transport
 * alone; commands go through `useTransport().call(...)`.
 */
import { useDeskStore } from './desk-store';
import * as sel from './selectors';
import type { FlowNode, StaleSummary } from './selectors';
import type { FillWire, HistoryEvent, LivePosition, OrderUpdateWire, PnlSampleWire, PnlSnapshotWire, StructureView } from '@shared/contract';

export const usePositions = (): LivePosition[] => useDeskStore(sel.selectPositions);
export const useOpenPositions = (): LivePosition[] => useDeskStore(sel.selectOpenPositions);
export const usePosition = (positionId: string, reEntryNum: number): LivePosition | undefined =>
  useDeskStore((s) => s.positions[sel.positionKey(positionId, reEntryNum)]);
export const useTrades = (): LivePosition[] => useDeskStore(sel.selectTrades);
export const useStructures = (): StructureView[] => useDeskStore(sel.selectStructures);
export const useTotals = (): PnlSnapshotWire => useDeskStore(sel.selectTotals);
export const useFills = (): FillWire[] => useDeskStore(sel.selectFills);
export const useOrders = (): OrderUpdateWire[] => useDeskStore(sel.selectOrders);
export const useHistory = (): HistoryEvent[] => useDeskStore(sel.selectHistory);
export const useFlow = (executionId: string): FlowNode | null => {
  // Nodes/children change identity only when a node_event arrives.
  const nodes = useDeskStore((s) => s.nodes);
  const children = useDeskStore((s) => s.children);
  return sel.selectFlow({ nodes, children } as Parameters<typeof sel.selectFlow>[0], executionId);
};
export const usePnlSamples = (currency: string): PnlSampleWire[] => useDeskStore((s) => sel.selectPnlSamples(currency)(s));
export const usePortfolioStatus = () => useDeskStore(sel.selectPortfolio);
export const useSettings = () => useDeskStore(sel.selectSettings);
export const useStreams = () => useDeskStore(sel.selectStreams);
export const useStreamer = () => useDeskStore(sel.selectStreamer);
/** The stale banner at server time `now` (pass a ticking now, e.g. from hooks/use-now). */
export const useStaleSummary = (localNow: number): StaleSummary => {
  const positions = useDeskStore((s) => s.positions);
  const quotes = useDeskStore((s) => s.quotes);
  const venue = useDeskStore((s) => s.venue);
  const valuation = useDeskStore((s) => s.valuation);
  const clockOffsetMs = useDeskStore((s) => s.clockOffsetMs);
  return sel.selectStaleSummary({ positions, quotes, venue, valuation } as Parameters<typeof sel.selectStaleSummary>[0], localNow + clockOffsetMs);
};
