import { sim } from '../../../helpers/ids';
/** The reducer's handling of each event kind, and the selectors the pages read. */
import { describe, expect, it } from 'vitest';
import { LiveHarness } from '../../../helpers/live-harness';
import { initialDeskState, reduceDesk, LIMITS, type DeskState } from '../../../../src/renderer/src/stores/desk-state';
import {
  selectAncestry,
  selectFlow,
  selectOpenPositions,
  selectPnlSamples,
  selectPositions,
  selectStaleSummary,
  selectTrades,
  selectRootFlows,
} from '../../../../src/renderer/src/stores/selectors';
import type { DeskEvent } from '../../../../src/shared/contract';

/** A harness plus a renderer state that follows its events. */
function follow() {
  const h = new LiveHarness();
  let state = reduceDesk(initialDeskState, h.snapshotEvent(), 0).state;
  let consumed = h.events.length;
  const sync = (): DeskState => {
    for (; consumed < h.events.length; consumed++) state = reduceDesk(state, h.events[consumed]!, 0).state;
    return state;
  };
  return { h, sync };
}

const fill = (h: LiveHarness, id: string, pid: string, symbol: string, side: 'BUY' | 'SELL', quantity: number, price: number) =>
  h.live.applyFill({ fill_id: id, position_id: pid, symbol, side, quantity, price, time: h.clock.now() }, { order_id: `o-${id}` });

describe('desk store: events', () => {
  it('position store keyed by (position_id, re_entry_num); trade history from closed positions in close order', () => {
    const { h, sync } = follow();
    h.live.startStreaming();
    fill(h, 'a', 'p1', 'SPY', 'BUY', 2, 100);
    fill(h, 'b', 'p2', 'QQQ', 'SELL', 1, 50);
    h.clock.advance(1000);
    fill(h, 'c', 'p2', 'QQQ', 'BUY', 1, 40);
    fill(h, 'd', 'p1', 'SPY', 'SELL', 5, 110); // flips: p1#0 closed, p1#1 opened short 3
    const s = sync();
    expect(Object.keys(s.records).sort()).toEqual(['p1#0', 'p1#1', 'p2#0']);
    expect(selectTrades(s).map((p) => [p.key, p.realized_pnl])).toEqual([
      ['p2#0', '10'],
      ['p1#0', '20'],
    ]);
    expect(selectOpenPositions(s).map((p) => [p.key, p.side, p.quantity_remaining])).toEqual([['p1#1', 'SELL', 3]]);
    expect(selectPositions(s)).toBe(selectPositions(s)); // memoized: same array for the same state
    expect(s.fills.map((f) => f.fill_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(s.pnl).toMatchObject({ realized: '30' }); // the desk's totals, sent after the fills
    h.live.dispose();
  });

  it('ltp_updates revalue only the positions holding the changed symbols', () => {
    const { h, sync } = follow();
    h.live.startStreaming();
    fill(h, 'a', 'p1', 'SPY', 'BUY', 1, 100);
    fill(h, 'b', 'p2', 'QQQ', 'BUY', 1, 100);
    h.quote({ instrument: sim('SPY'), symbol: 'SPY', bid: 101, ask: 101, last: null });
    h.quote({ instrument: sim('QQQ'), symbol: 'QQQ', bid: 99, ask: 99, last: null });
    h.clock.advance(50);
    const s1 = sync();
    h.quote({ instrument: sim('SPY'), symbol: 'SPY', bid: 102, ask: 102, last: null });
    h.clock.advance(50);
    const s2 = sync();
    expect(s2.positions['p1#0']!.unrealized_value).toBe('2');
    expect(s2.positions['p2#0']).toBe(s1.positions['p2#0']); // untouched object
    expect(s2.pnl.unrealized).toBe('1');
    h.live.dispose();
  });

  it('a quote turning stale flips the position to unknown at the next event, even without a new quote', () => {
    const { h, sync } = follow();
    h.live.startStreaming();
    fill(h, 'a', 'p1', 'SPY', 'BUY', 1, 100);
    h.quote({ instrument: sim('SPY'), symbol: 'SPY', bid: 101, ask: 101, last: null });
    h.clock.advance(50);
    expect(sync().positions['p1#0']!.unknown_reason).toBeNull();
    h.clock.advance(10_000); // refreshes at 5 s and 10 s: the 10 s one reports the unknown total
    const s = sync();
    expect(s.positions['p1#0']!.unknown_reason).toBe('stale_quote');
    expect(s.pnl.unrealized).toBeNull(); // the desk's totals, from its refresh
    expect(selectStaleSummary(s, h.clock.now())).toMatchObject({ open: 1, stale: 1, unknown: 1, missing: 0, symbols: ['SPY'] });
    h.live.dispose();
  });

  it('portfolio_event replaces the file positions and structures, keeps positions from fills', () => {
    const { h, sync } = follow();
    fill(h, 'a', 'mine', 'SPY', 'BUY', 1, 100);
    const records = [{ ...h.live.tracker.records()[0]!, key: 'file#0', position_id: 'file', source: 'portfolio' as const }];
    h.events.push({
      type: 'portfolio_event',
      seq: h.lastSeq + 1,
      serverTime: h.clock.now(),
      action: 'loaded',
      path: '/x.json',
      status: { path: '/x.json', watching: false, loaded_at: 1, account: null, positions: 1, structures: 0, error: null },
      errors: [],
      positions: records,
      structures: [],
      execution_id: 'e1',
    } as DeskEvent);
    const s = sync();
    expect(Object.keys(s.records).sort()).toEqual(['file#0', 'mine#0']);
    expect(s.portfolio?.path).toBe('/x.json');
  });

  it('event history with parent/child flows', () => {
    const { h, sync } = follow();
    h.live.startStreaming('root-exec');
    fill(h, 'a', 'p1', 'SPY', 'BUY', 1, 100);
    const root = h.live.node({ parent: null, node_type: 'StreamNode', node_id: 'stream', node_name: 'Stream', action: 'stream_start', status: 'completed' });
    const child = h.live.node({ parent: root, node_type: 'SubscriptionPlanNode', node_id: 'plan', node_name: 'Plan', action: 'subscribe', status: 'completed' });
    h.live.node({ parent: child, node_type: 'RestRefreshNode', node_id: 'rest', node_name: 'REST', action: 'rest_refresh', status: 'failed', message: 'HTTP 429' });
    const s = sync();
    const flow = selectFlow(s, root)!;
    expect(flow.event.action).toBe('stream_start');
    expect(flow.children[0]!.children[0]!.event).toMatchObject({ action: 'rest_refresh', status: 'failed', message: 'HTTP 429' });
    const leaf = flow.children[0]!.children[0]!.event.execution_id;
    expect(selectAncestry(s, leaf).map((n) => n.action)).toEqual(['stream_start', 'subscribe', 'rest_refresh']);
    expect(selectRootFlows(s.nodes).map((n) => n.execution_id)).toContain(root);
    expect(s.history.map((e) => e.type)).toEqual(expect.arrayContaining(['node_event', 'fill_event', 'position_event']));
    h.live.dispose();
  });

  it('keeps P&L samples per currency for the chart and bounds the history', () => {
    const { h, sync } = follow();
    h.live.startStreaming();
    fill(h, 'a', 'p1', 'SPY', 'BUY', 1, 100);
    h.quote({ instrument: sim('SPY'), symbol: 'SPY', bid: 100, ask: 100, last: null });
    h.clock.advance(20_000);
    const s = sync();
    const usd = selectPnlSamples('USD')(s);
    expect(usd.length).toBeGreaterThanOrEqual(4);
    expect(usd.some((x) => x.gap === 'stale')).toBe(true);
    expect(selectPnlSamples('USD')(s)).toBe(usd);
    let big: DeskState = s;
    let seq = s.seq!;
    for (let i = 0; i < LIMITS.history * 1.3; i++) {
      big = reduceDesk(big, { type: 'alert', seq: ++seq, serverTime: h.clock.now(), id: `a${i}`, severity: 'info', kind: 'feed_stale', title: 't', body: 'b', subject: null } as DeskEvent, 0).state;
    }
    expect(big.history.length).toBeLessThanOrEqual(LIMITS.history * 1.2);
    expect(big.history.at(-1)).toMatchObject({ id: `a${Math.ceil(LIMITS.history * 1.3) - 1}` });
    h.live.dispose();
  });

  it('settings_event revalues with the new valuation', () => {
    const { h, sync } = follow();
    fill(h, 'a', 'p1', 'SPY', 'BUY', 1, 100);
    h.quote({ instrument: sim('SPY'), symbol: 'SPY', bid: 100, ask: 104, last: null });
    h.live.startStreaming();
    h.clock.advance(50);
    expect(sync().positions['p1#0']!.unrealized_value).toBe('2');
    h.live.setSettings({ mark_policy: 'conservative' }, true);
    const s = sync();
    expect(s.settings?.mark_policy).toBe('conservative');
    expect(s.positions['p1#0']!.unrealized_value).toBe('0');
    h.live.dispose();
  });
});
