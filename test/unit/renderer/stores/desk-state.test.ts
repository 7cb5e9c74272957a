import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk } from '../../../../src/renderer/src/stores/desk-state';
import type { DeskEvent, QuoteWire } from '../../../../src/shared/contract';
import { EMPTY_PNL, makeSnapshot } from '../../../helpers/desk-fixtures';

const quote = (symbol: string, bid: number, receivedAt = 1000): QuoteWire => ({
  symbol, bid, ask: bid + 0.1, last: bid, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt,
});

const snapshot = (seq: number, quotes: QuoteWire[]): DeskEvent => ({
  type: 'snapshot', seq, serverTime: 5000,
  snapshot: makeSnapshot({ serverTime: 5000, streaming: true, quotes }),
});

const tick = (seq: number, quotes: QuoteWire[]): DeskEvent => ({
  type: 'tick_update', seq, serverTime: 6000, timestamp: new Date(6000).toISOString(), active_nodes: [], ltp_updates: quotes, pnl_snapshot: EMPTY_PNL,
});

describe('reduceDesk', () => {
  it('ignores events until the first snapshot, then applies them in seq order', () => {
    let r = reduceDesk(initialDeskState, tick(1, [quote('SPY', 1)]), 0);
    expect(r.state.quotes).toEqual({});
    r = reduceDesk(r.state, snapshot(10, [quote('SPY', 1)]), 4000);
    expect(r.state.seq).toBe(10);
    expect(r.state.clockOffsetMs).toBe(1000);
    r = reduceDesk(r.state, tick(11, [quote('SPY', 2), quote('QQQ', 3)]), 4100);
    expect(r.state.quotes.SPY!.bid).toBe(2);
    expect(r.state.quotes.QQQ!.bid).toBe(3);
    expect(r.needResync).toBe(false);
  });

  it('asks for a snapshot on a seq gap and ignores events until it comes', () => {
    let r = reduceDesk(initialDeskState, snapshot(10, [quote('SPY', 1)]), 0);
    r = reduceDesk(r.state, tick(12, [quote('SPY', 9)]), 0);
    expect(r.needResync).toBe(true);
    expect(r.state.awaitingSnapshot).toBe(true);
    expect(r.state.quotes.SPY!.bid).toBe(1);
    r = reduceDesk(r.state, tick(13, [quote('SPY', 9)]), 0);
    expect(r.state.quotes.SPY!.bid).toBe(1);
    r = reduceDesk(r.state, snapshot(13, [quote('SPY', 9)]), 0);
    expect(r.state.awaitingSnapshot).toBe(false);
    expect(r.state.quotes.SPY!.bid).toBe(9);
  });

  it('drops duplicates', () => {
    let r = reduceDesk(initialDeskState, snapshot(10, [quote('SPY', 1)]), 0);
    r = reduceDesk(r.state, tick(10, [quote('SPY', 5)]), 0);
    expect(r.state.quotes.SPY!.bid).toBe(1);
    expect(r.needResync).toBe(false);
  });
});
