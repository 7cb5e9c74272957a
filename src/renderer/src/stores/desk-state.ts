/**
 * The renderer's picture of the desk, rebuilt from a snapshot plus events in seq order: one slice
 * per domain (slices/), side by side in one flat state so components select fields directly.
 * Pure (no React, no clock): `reduceDesk(state, event, localNow)`; the zustand store
 * (desk-store.ts) only calls it for events from the transport.
 *
 * | slice       | file                 | holds                                                        |
 * |-------------|----------------------|--------------------------------------------------------------|
 * | sync        | here                 | seq, clock offset, awaiting a snapshot                       |
 * | streaming   | slices/streaming.ts  | venue, mode, streams' health, plan, kill switch, ticks' meta |
 * | portfolio   | slices/portfolio.ts  | quotes, positions, structures, the desk's P&L totals         |
 * | activity    | slices/activity.ts   | fills and orders                                             |
 * | history     | slices/history.ts    | the event history (alerts included) and execution flows      |
 * | pnlCurve    | slices/pnl-curve.ts  | the day's P&L samples                                        |
 * | settings    | slices/settings.ts   | desk settings, venue endpoints                               |
 * | trading     | slices/trading.ts    | trading modes, gateway orders + history, exits, reconciliation |
 * | monitor     | slices/monitor.ts    | monitoring cycle: each account's state, its recent cycles      |
 * | strategy    | slices/strategy.ts   | strategy definitions, runs by run id (spec §9), their flashes  |
 *
 * Navigation is not in the store: the page lives in the URL hash (features/navigation/pages.ts).
 */
import type { DeskEvent } from '@shared/contract';
import { activitySlice, type ActivitySlice } from './slices/activity';
import { historySlice, type HistorySlice } from './slices/history';
import { monitorSlice, type MonitorSlice } from './slices/monitor';
import { pnlCurveSlice, type PnlCurveSlice } from './slices/pnl-curve';
import { portfolioSlice, type PortfolioSlice } from './slices/portfolio';
import { settingsSlice, type SettingsSlice } from './slices/settings';
import type { Slice } from './slices/slice';
import { strategySlice, type StrategySlice } from './slices/strategy';
import { streamingSlice, type StreamingSlice } from './slices/streaming';
import { tradingSlice, type TradingSlice } from './slices/trading';

export { LIMITS } from './slices/slice';

export interface SyncSlice {
  /** Seq of the last event applied; null until the first snapshot. */
  seq: number | null;
  /** Server clock minus local clock (ms), so quote ages are right even when the clocks differ. */
  clockOffsetMs: number;
  /** Set when a seq gap was seen; cleared by the next snapshot. */
  awaitingSnapshot: boolean;
}

export type DeskState = SyncSlice & StreamingSlice & PortfolioSlice & ActivitySlice & HistorySlice & PnlCurveSlice & SettingsSlice & TradingSlice & MonitorSlice & StrategySlice;

/** In order: a slice sees the values the earlier ones made (portfolio reads streaming's plan). */
const SLICES: readonly Slice<object, DeskState>[] = [streamingSlice, settingsSlice, portfolioSlice, activitySlice, historySlice, pnlCurveSlice, tradingSlice, monitorSlice, strategySlice] as Slice<object, DeskState>[];

export const initialDeskState: DeskState = {
  seq: null,
  clockOffsetMs: 0,
  awaitingSnapshot: true,
  ...streamingSlice.initial,
  ...settingsSlice.initial,
  ...portfolioSlice.initial,
  ...activitySlice.initial,
  ...historySlice.initial,
  ...pnlCurveSlice.initial,
  ...tradingSlice.initial,
  ...monitorSlice.initial,
  ...strategySlice.initial,
};

export type ReduceResult = { state: DeskState; needResync: boolean };

/** Pure: applies one event. A gap in seq marks the state as awaiting a snapshot and asks for one. */
export function reduceDesk(state: DeskState, event: DeskEvent, localNow: number): ReduceResult {
  if (event.type === 'snapshot') {
    const s = event.snapshot;
    let next: DeskState = { ...state, seq: event.seq, clockOffsetMs: s.serverTime - localNow, awaitingSnapshot: false };
    for (const slice of SLICES) next = { ...next, ...slice.fromSnapshot(s, next, state) };
    return { state: next, needResync: false };
  }
  if (state.awaitingSnapshot || state.seq === null) return { state, needResync: false };
  if (event.seq <= state.seq) return { state, needResync: false }; // duplicate or old
  if (event.seq !== state.seq + 1) return { state: { ...state, awaitingSnapshot: true }, needResync: true };
  let next: DeskState = { ...state, seq: event.seq, clockOffsetMs: event.serverTime - localNow };
  for (const slice of SLICES) {
    const part = slice.reduce(next, event, event.serverTime, state);
    if (part !== null) next = { ...next, ...part };
  }
  return { state: next, needResync: false };
}
