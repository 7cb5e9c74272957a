/**
 * Issue 15 item 6: the renderer store is one slice per domain (stores/slices/), not one reducer.
 * Every field belongs to exactly one slice, and an event leaves the slices of other domains alone
 * (the same objects: their subscribers do not re-render).
 */
import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk } from '../../../../src/renderer/src/stores/desk-state';
import { activitySlice } from '../../../../src/renderer/src/stores/slices/activity';
import { historySlice } from '../../../../src/renderer/src/stores/slices/history';
import { pnlCurveSlice } from '../../../../src/renderer/src/stores/slices/pnl-curve';
import { portfolioSlice } from '../../../../src/renderer/src/stores/slices/portfolio';
import { settingsSlice } from '../../../../src/renderer/src/stores/slices/settings';
import { streamingSlice } from '../../../../src/renderer/src/stores/slices/streaming';
import { tradingSlice } from '../../../../src/renderer/src/stores/slices/trading';
import { monitorSlice } from '../../../../src/renderer/src/stores/slices/monitor';
import { strategySlice } from '../../../../src/renderer/src/stores/slices/strategy';
import type { DeskEvent, QuoteWire } from '../../../../src/shared/contract';
import { EMPTY_PNL, makeSnapshot } from '../../../helpers/desk-fixtures';

const SLICES = [streamingSlice, settingsSlice, portfolioSlice, activitySlice, historySlice, pnlCurveSlice, tradingSlice, monitorSlice, strategySlice];
const SYNC = ['seq', 'clockOffsetMs', 'awaitingSnapshot'];

describe('renderer store slices', () => {
  it('every field of the store belongs to exactly one slice', () => {
    const owners = new Map<string, string>();
    for (const s of SLICES) {
      for (const k of Object.keys(s.initial)) {
        expect(owners.get(k), `${k} is in ${owners.get(k)} and ${s.name}`).toBeUndefined();
        owners.set(k, s.name);
      }
    }
    expect([...owners.keys(), ...SYNC].sort()).toEqual(Object.keys(initialDeskState).sort());
  });

  it('a tick changes the portfolio and streaming slices only; the others keep their objects', () => {
    const q = (bid: number, at: number): QuoteWire => ({ instrument: 'sim:SPY', symbol: 'SPY', bid, ask: bid + 0.1, last: null, bidSize: 1, askSize: 1, exchangeTime: at, receivedAt: at });
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 5000, snapshot: makeSnapshot({ serverTime: 5000, streaming: true, quotes: [q(1, 5000)] }) };
    const before = reduceDesk(initialDeskState, snap, 5000).state;
    const pnl = { ...EMPTY_PNL, as_of: 6000 };
    const after = reduceDesk(before, { type: 'tick_update', seq: 2, serverTime: 6000, timestamp: new Date(6000).toISOString(), active_nodes: [], ltp_updates: [q(2, 6000)], pnl_snapshot: pnl }, 6000).state;
    expect(after.quotes['sim:SPY']!.bid).toBe(2);
    expect(after.pnl).toBe(pnl);
    expect(after.lastTickAt).toBe(6000);
    for (const s of [settingsSlice, activitySlice, historySlice, pnlCurveSlice, tradingSlice, monitorSlice, strategySlice]) {
      for (const k of Object.keys(s.initial) as (keyof typeof after)[]) expect(after[k], `${s.name}.${k}`).toBe(before[k]);
    }
  });
});
