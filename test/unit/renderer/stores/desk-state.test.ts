import { describe, expect, it } from 'vitest';
import { initialDeskState, reduceDesk } from '../../../../src/renderer/src/stores/desk-state';
import type { DeskEvent, QuoteWire } from '../../../../src/shared/contract';
import { EMPTY_PNL, makeSnapshot } from '../../../helpers/desk-fixtures';
import { sim } from '../../../helpers/ids';

const quote = (symbol: string, bid: number, receivedAt = 1000): QuoteWire => ({
  instrument: sim(symbol), symbol, bid, ask: bid + 0.1, last: bid, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt,
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
    expect(r.state.quotes[sim('SPY')]!.bid).toBe(2);
    expect(r.state.quotes[sim('QQQ')]!.bid).toBe(3);
    expect(r.needResync).toBe(false);
  });

  it('asks for a snapshot on a seq gap and ignores events until it comes', () => {
    let r = reduceDesk(initialDeskState, snapshot(10, [quote('SPY', 1)]), 0);
    r = reduceDesk(r.state, tick(12, [quote('SPY', 9)]), 0);
    expect(r.needResync).toBe(true);
    expect(r.state.awaitingSnapshot).toBe(true);
    expect(r.state.quotes[sim('SPY')]!.bid).toBe(1);
    r = reduceDesk(r.state, tick(13, [quote('SPY', 9)]), 0);
    expect(r.state.quotes[sim('SPY')]!.bid).toBe(1);
    r = reduceDesk(r.state, snapshot(13, [quote('SPY', 9)]), 0);
    expect(r.state.awaitingSnapshot).toBe(false);
    expect(r.state.quotes[sim('SPY')]!.bid).toBe(9);
  });

  it('drops duplicates', () => {
    let r = reduceDesk(initialDeskState, snapshot(10, [quote('SPY', 1)]), 0);
    r = reduceDesk(r.state, tick(10, [quote('SPY', 5)]), 0);
    expect(r.state.quotes[sim('SPY')]!.bid).toBe(1);
    expect(r.needResync).toBe(false);
  });
});

describe('reduceDesk: totals include every structure (issue 12 item 1)', () => {
  const straddle = {
    id: 'straddle',
    name: 'AAPL straddle',
    net_debit: '3120',
    currency: 'USD',
    currency_decimals: 2,
    legs: [
      { symbol: 'AAPL261218C00230000', quantity: '1', multiplier: '100', entry_price: null, instrument: null },
      { symbol: 'AAPL261218P00230000', quantity: '1', multiplier: '100', entry_price: null, instrument: null },
    ],
  };
  const legQuote = (symbol: string, bid: number, receivedAt: number): QuoteWire => ({ instrument: sim(symbol), symbol, bid, ask: bid + 0.2, last: null, bidSize: 1, askSize: 1, exchangeTime: receivedAt, receivedAt });

  // The totals with the structure in them are the desk's (core: issue12-freshness-totals.test.ts);
  // the renderer shows the structure's row and the desk's totals as sent (issue 15 item 6).
  it('a net-debit-only structure\'s row follows ticks; the totals are the desk\'s as sent', () => {
    const deskPnl = { ...EMPTY_PNL, as_of: 5000, currency: 'USD', unrealized: '-1200', total: '-1200' };
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 5000, snapshot: makeSnapshot({ serverTime: 5000, streaming: true, structures: [straddle], quotes: [legQuote('AAPL261218C00230000', 10, 5000), legQuote('AAPL261218P00230000', 9, 5000)], pnl_snapshot: deskPnl }) };
    let r = reduceDesk(initialDeskState, snap, 5000);
    // (10.1 + 9.1) × 100 − 3120 = −1200
    expect(r.state.structures.straddle!.net_pnl).toBe('-1200');
    expect(r.state.pnl).toBe(deskPnl);
    const tickPnl = { ...deskPnl, unrealized: '-1100', total: '-1100' };
    r = reduceDesk(r.state, { type: 'tick_update', seq: 2, serverTime: 6000, timestamp: new Date(6000).toISOString(), active_nodes: [], ltp_updates: [legQuote('AAPL261218C00230000', 11, 6000)], pnl_snapshot: tickPnl }, 6000);
    expect(r.state.structures.straddle!.net_pnl).toBe('-1100');
    expect(r.state.pnl).toBe(tickPnl);
  });

  it('a trade print does not make the leg\'s old book fresh: the structure turns unknown', () => {
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 5000, snapshot: makeSnapshot({ serverTime: 5000, streaming: true, structures: [straddle], quotes: [legQuote('AAPL261218C00230000', 10, 5000), legQuote('AAPL261218P00230000', 9, 5000)] }) };
    let r = reduceDesk(initialDeskState, snap, 5000);
    const print = { ...legQuote('AAPL261218P00230000', 9, 20_000), last: 9.05, receivedAt: 20_000, bookReceivedAt: 5000, lastReceivedAt: 20_000 };
    r = reduceDesk(r.state, { type: 'tick_update', seq: 2, serverTime: 20_000, timestamp: new Date(20_000).toISOString(), active_nodes: [], ltp_updates: [print, legQuote('AAPL261218C00230000', 10, 20_000)], pnl_snapshot: EMPTY_PNL }, 20_000);
    expect(r.state.structures.straddle!.legs[1]!.unknown_reason).toBe('stale_quote');
    expect(r.state.structures.straddle!.net_pnl).toBeNull();
  });
});

describe('reduceDesk: the plan rule wins over a cached quote (review #9, issue 12 item 8)', () => {
  const call = 'AAPL261218C00230000';
  const put = 'AAPL261218P00230000';
  const straddle = {
    id: 'straddle', name: 'AAPL straddle', net_debit: '3120', currency: 'USD', currency_decimals: 2,
    legs: [
      { symbol: call, quantity: '1', multiplier: '100', entry_price: null, instrument: null },
      { symbol: put, quantity: '1', multiplier: '100', entry_price: null, instrument: null },
    ],
  };
  const q = (symbol: string, bid: number, at: number): QuoteWire => ({ instrument: sim(symbol), symbol, bid, ask: bid + 0.2, last: null, bidSize: 1, askSize: 1, exchangeTime: at, receivedAt: at });
  const plan = { max_option_contracts: 1, omitted: [put], warnings: ['option subscription limit 1 reached'] };
  const health = (seq: number, at: number, p: typeof plan | null): DeskEvent => ({ type: 'health_event', seq, serverTime: at, streaming: true, streams: [], plan: p });

  it('lowering the limit while streaming drops the left-out leg\'s old quote: not valued, never stale', () => {
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 5000, snapshot: makeSnapshot({ serverTime: 5000, streaming: true, structures: [straddle], quotes: [q(call, 10, 5000), q(put, 9, 5000)] }) };
    let r = reduceDesk(initialDeskState, snap, 5000);
    expect(r.state.structures.straddle!.net_pnl).toBe('-1200');
    r = reduceDesk(r.state, health(2, 6000, plan), 6000);
    expect(r.state.plan?.omitted).toEqual([put]);
    expect(r.state.quotes[sim(put)]).toBeUndefined();
    expect(r.state.quotes[sim(call)]).toBeDefined();
    // the structure is unknown for want of the left-out leg, not stale
    expect(r.state.structures.straddle!.legs[1]!.unknown_reason).toBe('no_quote');
    expect(r.state.structures.straddle!.net_pnl).toBeNull();
    // a late quote for the left-out contract does not bring it back
    r = reduceDesk(r.state, { type: 'tick_update', seq: 3, serverTime: 7000, timestamp: new Date(7000).toISOString(), active_nodes: [], ltp_updates: [q(put, 9.5, 7000), q(call, 10, 7000)], pnl_snapshot: EMPTY_PNL }, 7000);
    expect(r.state.quotes[sim(put)]).toBeUndefined();
    expect(r.state.quotes[sim(call)]!.receivedAt).toBe(7000);
  });

  it('a snapshot with a plan leaves out the omitted symbols\' cached quotes; raising the limit lets quotes in again', () => {
    const snap: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 5000, snapshot: makeSnapshot({ serverTime: 5000, streaming: true, structures: [straddle], quotes: [q(call, 10, 5000), q(put, 9, 5000)], plan }) };
    let r = reduceDesk(initialDeskState, snap, 5000);
    expect(r.state.quotes[sim(put)]).toBeUndefined();
    r = reduceDesk(r.state, health(2, 6000, { ...plan, max_option_contracts: 10, omitted: [], warnings: [] }), 6000);
    r = reduceDesk(r.state, { type: 'tick_update', seq: 3, serverTime: 7000, timestamp: new Date(7000).toISOString(), active_nodes: [], ltp_updates: [q(put, 9, 7000), q(call, 10, 7000)], pnl_snapshot: EMPTY_PNL }, 7000);
    expect(r.state.quotes[sim(put)]!.receivedAt).toBe(7000);
    expect(r.state.structures.straddle!.net_pnl).toBe('-1200');
  });
});

describe('"As of" after a page reload (review item 11)', () => {
  it('a fresh store takes the time prices were last good from the desk snapshot and the ticks', () => {
    const ev: DeskEvent = { type: 'snapshot', seq: 1, serverTime: 9000, snapshot: makeSnapshot({ serverTime: 9000, streaming: true, pnl_snapshot: { ...EMPTY_PNL, last_good_as_of: 4000 } }) };
    let r = reduceDesk(initialDeskState, ev, 9000);
    expect(r.state.lastGoodAsOf).toBe(4000); // was null: only the store that saw the good prices knew
    r = reduceDesk(r.state, { ...(tick(2, []) as Extract<DeskEvent, { type: 'tick_update' }>), pnl_snapshot: { ...EMPTY_PNL, last_good_as_of: 4500 } }, 9000);
    expect(r.state.lastGoodAsOf).toBe(4500);
  });
});
