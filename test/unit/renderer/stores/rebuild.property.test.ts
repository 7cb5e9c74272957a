/**
 * Done-when property (issue 6): for random sequences of fills and quotes, the renderer store
 * rebuilt from a snapshot plus the event stream equals the backend's snapshot at every step —
 * positions (exact records and every displayed field), realized, unrealized and totals.
 *
 * Issue 15 item 6: the renderer computes no totals — the totals it holds and shows are the desk's
 * `pnl_snapshot`, exactly, at every step (the desk sends them whenever they move).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveHarness } from '../../../helpers/live-harness';
import { initialDeskState, reduceDesk, type DeskState } from '../../../../src/renderer/src/stores/desk-state';
import { shownTotals } from '../../../../src/renderer/src/features/portfolio/stale-now';
import { deltaUnderlyingOf, revaluePosition, totalsOf, type LivePosition } from '../../../../src/core/pnl/revalue';
import { symbolKey } from '../../../../src/renderer/src/stores/slices/quote-key';

// AAPL: the option's underlying (its quotes move the option's model delta, never its P&L).
const SYMBOLS = ['AAA', 'BBB', 'AAPL261218C00240000', 'SPY', 'AAPL'] as const;
/** position_id → symbol (a position keeps its symbol). */
const POSITIONS = [
  ['p1', 'AAA'],
  ['p2', 'BBB'],
  ['p3', 'AAPL261218C00240000'],
  ['p4', 'AAA'],
] as const;

const cents = (n: number) => Number((n / 100).toFixed(2));

type Step =
  | { k: 'quote'; s: number; bid: number | null; ask: number | null; last: number | null }
  | { k: 'fill'; p: number; side: 'BUY' | 'SELL'; qty: number; price: number; fee: number }
  | { k: 'advance'; ms: number }
  | { k: 'policy'; policy: 'mid' | 'last' | 'conservative' }
  | { k: 'stale'; sec: number }
  | { k: 'reconnect' };

const price = fc.integer({ min: 1, max: 50_000 }).map(cents);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('quote' as const),
      s: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      bid: fc.option(price, { freq: 6 }),
      ask: fc.option(price, { freq: 6 }),
      last: fc.option(price, { freq: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('fill' as const),
      p: fc.integer({ min: 0, max: POSITIONS.length - 1 }),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      qty: fc.integer({ min: 1, max: 6 }),
      price,
      fee: fc.integer({ min: 0, max: 300 }).map(cents),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 7000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('policy' as const), policy: fc.constantFrom('mid' as const, 'last' as const, 'conservative' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('stale' as const), sec: fc.constantFrom(1, 2.5, 5, 10) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reconnect' as const) }) },
);

let dir: string;
let portfolioPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-desk-prop-'));
  portfolioPath = join(dir, 'portfolio.json');
  writeFileSync(
    portfolioPath,
    JSON.stringify({
      version: 1,
      positions: [
        { id: 'file-spy', type: 'stock', symbol: 'SPY', side: 'long', quantity: '10', cost_basis: '585.20', opened_at: '2026-11-01T14:00:00Z' },
        { id: 'file-call', type: 'option', symbol: 'AAPL261218C00240000', side: 'short', contracts: '2', cost_basis: '9.85', opened_at: '2026-11-02T14:00:00Z' },
      ],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Fields that move with time alone: ages (a stale warning's text names the age), and an option's
 * model delta (time to expiry enters Black-Scholes; whether the IV solves can change with it too).
 */
function timeless(p: LivePosition) {
  const { quote_age_sec: _a, delta_age_sec: _d, delta: _x, delta_model: _m, position_delta: _p, delta_iv_failure: _f, delta_unknown_reason: reason, warnings, ...rest } = p;
  return { ...rest, delta_known: p.delta !== null, delta_reason: reason, warnings: warnings.map((w) => w.code) };
}

function deltaFields(p: LivePosition) {
  return { delta: p.delta, delta_model: p.delta_model, position_delta: p.position_delta, delta_unknown_reason: p.delta_unknown_reason, delta_iv_failure: p.delta_iv_failure, delta_as_of: p.delta_as_of };
}

/** Every record valued at `now` from the store's records and quotes (what the desk would show then). */
function revalueAll(state: DeskState, now: number): Record<string, LivePosition> {
  const out: Record<string, LivePosition> = {};
  for (const [k, r] of Object.entries(state.records)) {
    const u = deltaUnderlyingOf(r);
    out[k] = r.status === 'CLOSED' ? revaluePosition(r, null, now, state.valuation) : revaluePosition(r, state.quotes[r.instrument_id] ?? null, now, state.valuation, u === null ? null : state.quotes[symbolKey(state.venue, u)]);
  }
  return out;
}

function check(h: LiveHarness, state: DeskState): void {
  const T = h.clock.now();
  const snap = h.snapshot();
  // 1. Exact position state: the same records, key by key (position_id#re_entry_num).
  expect(state.records).toEqual(Object.fromEntries(snap.positions.map((r) => [r.key, r])));
  // 2. Every displayed field, valued at the backend's now, from the renderer's records and quotes.
  const mine = revalueAll(state, T);
  for (const r of snap.positions) expect(mine[r.key]).toEqual(h.live.tracker.position(r.key, T));
  expect(Object.keys(mine).sort()).toEqual(snap.positions.map((r) => r.key).sort());
  // The tracker's trades are exactly the open positions.
  expect(snap.pnl.trades.map((t) => t.key).sort()).toEqual(snap.positions.filter((r) => r.status !== 'CLOSED').map((r) => r.key).sort());
  for (const t of snap.pnl.trades) {
    const { quantity: _q, entry, ...view } = t;
    expect(view).toEqual(mine[t.key]);
    expect(entry).toBe(mine[t.key]!.open_price);
  }
  // 3. Realized/unrealized/total per currency: exact sums over positions == the incremental book.
  // (last_good_as_of is the desk's memory of when prices were good, not part of a valuation: absent from the renderer's totals)
  expect(totalsOf(Object.values(mine))).toEqual({ ...snap.pnl_snapshot, last_good_as_of: undefined });
  // 4. The store's incremental positions are right as of its last valuation (time-only fields aside).
  for (const [k, p] of Object.entries(state.positions)) {
    const r = state.records[k]!;
    const u = deltaUnderlyingOf(r);
    const at = (t: number) => revaluePosition(r, r.status === 'CLOSED' ? null : (state.quotes[r.instrument_id] ?? null), t, state.valuation, u === null ? null : state.quotes[symbolKey(state.venue, u)]);
    const expected = at(state.valuedAt);
    // Whether the IV solves can change with time alone; everything else about the delta (known or
    // not, and why: quotes missing, stale, one-sided…) must hold at the store's valuation time.
    if (p.delta_unknown_reason === 'iv_failed' || expected.delta_unknown_reason === 'iv_failed') expect({ ...timeless(p), delta_known: null, delta_reason: null }).toEqual({ ...timeless(expected), delta_known: null, delta_reason: null });
    else expect(timeless(p)).toEqual(timeless(expected));
    // The delta itself is exactly the valuation at the time this position was valued (from its quote age).
    const valuedAt = p.quote_received_at !== null && p.quote_age_sec !== null ? p.quote_received_at + Math.round(p.quote_age_sec * 1000) : state.valuedAt;
    expect(deltaFields(p)).toEqual(deltaFields(at(valuedAt)));
  }
  // 5. The totals the UI holds are the desk's pnl_snapshot, exactly (last_good_as_of included), and
  // the totals bar shows them unchanged at the desk's now.
  expect(state.pnl).toEqual(snap.pnl_snapshot);
  expect(shownTotals(state.pnl, state.positions, state.structures, state.structureDefs, T, state.valuation.staleAfterMs)).toEqual(snap.pnl_snapshot);
  expect(state.lastGoodAsOf).toBe(snap.pnl_snapshot.last_good_as_of ?? null);
}

describe('renderer store rebuilt from snapshot + events', () => {
  it('equals the backend snapshot at every step (fills, quotes, staleness, policy changes, reconnects)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const h = new LiveHarness();
        h.live.loadPortfolio(portfolioPath);
        h.live.startStreaming();
        let consumed = h.events.length;
        let state = reduceDesk(initialDeskState, h.snapshotEvent(), 0).state;
        let n = 0;
        for (const s of steps) {
          switch (s.k) {
            case 'quote':
              h.quote({ symbol: SYMBOLS[s.s]!, bid: s.bid, ask: s.ask, last: s.last });
              break;
            case 'fill': {
              const [pid, symbol] = POSITIONS[s.p]!;
              h.live.applyFill({ fill_id: `f${++n}`, position_id: pid, symbol, side: s.side, quantity: s.qty, price: s.price, fee: s.fee, time: h.clock.now() });
              break;
            }
            case 'advance':
              h.clock.advance(s.ms);
              break;
            case 'policy':
              h.live.setSettings({ mark_policy: s.policy }, true);
              break;
            case 'stale':
              h.live.setSettings({ stale_after_sec: s.sec }, true);
              break;
            case 'reconnect':
              // A new connection: the snapshot first, then only newer events.
              state = reduceDesk(initialDeskState, h.snapshotEvent(), 0).state;
              consumed = h.events.length;
              break;
          }
          // A quote goes out after one coalescing window; fills and settings changes go out at once
          // with their totals. Time alone moved staleness: what the desk's refresh timer does every
          // few seconds. (No other time passes, so the desk's totals at now are what it last sent.)
          if (s.k === 'quote') h.clock.advance(50);
          if (s.k === 'advance') h.live.tracker.refresh();
          for (; consumed < h.events.length; consumed++) {
            const r = reduceDesk(state, h.events[consumed]!, 0);
            expect(r.needResync).toBe(false);
            state = r.state;
          }
          check(h, state);
        }
        h.live.dispose();
        expect(h.clock.pendingTimers()).toBe(0);
      }),
      {
        numRuns: 60,
        // Found by a 1,500-run search: a position whose quote is older than the others joins the
        // totals, the desk's last_good_as_of moves back; the store kept the later one.
        examples: [
          [
            [
              { k: 'quote', s: 1, bid: 0.01, ask: 0.01, last: null },
              { k: 'quote', s: 3, bid: 0.01, ask: 0.01, last: null },
              { k: 'quote', s: 2, bid: 0.01, ask: 0.01, last: null },
              { k: 'fill', p: 1, side: 'BUY', qty: 1, price: 0.01, fee: 0 },
            ],
          ],
        ],
      },
    );
  });
});
