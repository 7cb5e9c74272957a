// The pure strategy engine (issue 18 items 1, 3, 4; spec §9) with a manual clock: every transition,
// the entry ladder (mid, ticks, bound, market fallback, give-up, partial fills, one working order per
// leg), exits (per-leg / structure SL/TP, trailing one way, forced exit with a stale leg, manual),
// pause / halt, a restart in the middle of `entering`, and the payload's shape.
import { describe, expect, it } from 'vitest';
import { EXIT_QUOTE_WAIT_MS, ENTRY_QUOTE_WAIT_MS, REENTRY_COOLDOWN_MS, nextWakeAt, strategyEngine as E, type RunState } from '../../../../src/core/strategy/engine';
import { CALL, PUT, T0, T_ENTRY, World, contracts, definition, entering, live } from './world';

const ids = (w: World) => w.places().map((p) => `${p.clientOrderId} ${p.side} ${p.quantity} ${p.orderType}${p.limitPrice === null ? '' : ` @ ${p.limitPrice}`}`);

describe('waiting → entering: the schedule', () => {
  it('waits for entry_time on the next listed trading day in the exchange zone, then asks for contracts', () => {
    const w = new World();
    let s = w.carry(E.newRun('r1', definition(), 'NYSE', T0));
    expect(s.status).toBe('waiting');
    expect(E.payload(s, w.inputs()).scheduled_entry_at).toBe('2026-12-07T14:45:00.000Z'); // Monday 09:45 ET
    expect(E.payload(s, w.inputs()).time_to_entry).toBe((T_ENTRY - T0) / 1000);
    w.now = T_ENTRY - 1;
    s = w.advance(s);
    expect(s.status).toBe('waiting');
    expect(w.selectAsked).toBe(0);
    s = w.tick(s, 1);
    expect(s.status).toBe('entering');
    expect(w.selectAsked).toBe(1);
    expect(E.payload(s, w.inputs()).time_to_entry).toBeNull();
    expect(E.payload(s, w.inputs()).strategy.exit_time).toBe('2026-12-07T20:45:00.000Z'); // 15:45 ET
  });

  it('skips exchange holidays (Christmas and New Year fall on Fridays in 2026)', () => {
    const w = new World();
    const s = w.carry(E.newRun('r1', definition({ schedule: { entry_time: '09:45', days: ['fri'] } }), 'NYSE', Date.UTC(2026, 11, 24, 12)));
    expect(E.payload(s, w.inputs()).scheduled_entry_at).toBe('2027-01-08T14:45:00.000Z');
  });

  it('uses the exchange zone: NSE 09:20 IST is 03:50 UTC', () => {
    const w = new World();
    const s = w.carry(E.newRun('r1', definition({ schedule: { entry_time: '09:20', days: ['mon'] } }), 'NSE', T0));
    expect(E.payload(s, w.inputs()).scheduled_entry_at).toBe('2026-12-07T03:50:00.000Z');
  });

  it('enterNow enters at once', () => {
    const w = new World();
    const s = w.carry(E.newRun('r1', definition(), 'NYSE', T0, { enterNow: true }));
    expect(s.status).toBe('entering');
    expect(w.selectAsked).toBe(1);
    expect(E.symbols(s)).toEqual([]);
  });

  it('contract selection failing fails closed: no order, status error, entry_failed notified once', () => {
    const w = new World();
    let s = w.carry(E.newRun('r1', definition(), 'NYSE', T0, { enterNow: true }));
    s = w.carry(E.contractsSelected(s, { ok: false, reason: 'no fresh greeks for SPY 2026-12-18' }, w.inputs()));
    expect(s.status).toBe('error');
    expect(s.statusReason).toContain('no fresh greeks');
    expect(w.places()).toEqual([]);
    s = w.tick(s, 60_000);
    expect(s.status).toBe('error');
    expect(w.notifies()).toEqual(['entry_failed']);
  });

  it('a selection that does not cover every leg fails closed too', () => {
    const w = new World();
    let s = w.carry(E.newRun('r1', definition(), 'NYSE', T0, { enterNow: true }));
    s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts(1) }, w.inputs()));
    expect(s.status).toBe('error');
    expect(s.statusReason).toContain('leg 1: no contract selected');
  });
});

describe('the entry ladder', () => {
  it('first limit at the mid, then one step toward the far side per retry_delay (cancel, then place), then market for the rest', () => {
    const w = new World();
    let s = entering(w);
    expect(ids(w)).toEqual(['r1-e0-1 sell 1 limit @ 1.1', 'r1-e1-1 sell 1 limit @ 2.1']);
    expect(E.symbols(s).sort()).toEqual([CALL, PUT].sort());
    w.fill('r1-e1-1', 1); // the put fills at once
    s = w.tick(s, 1999);
    expect(w.cancels()).toEqual([]);
    s = w.tick(s, 1);
    expect(w.cancels()).toEqual(['r1-e0-1']);
    expect(ids(w).slice(2)).toEqual(['r1-e0-2 sell 1 limit @ 1.09']);
    s = w.tick(s, 2000);
    expect(ids(w).slice(3)).toEqual(['r1-e0-3 sell 1 limit @ 1.08']);
    s = w.tick(s, 2000);
    expect(ids(w).slice(4)).toEqual(['r1-e0-4 sell 1 market']);
    expect(w.places().map((p) => p.retryCount)).toEqual([0, 0, 1, 2, 3]);
    expect(E.payload(s, w.inputs()).entry.method).toBe('market');
    w.fill('r1-e0-4', 1, 1.0);
    s = w.advance(s);
    expect(s.status).toBe('live');
    expect(w.notifies()).toEqual(['entry_succeeded']);
    const p = E.payload(s, w.inputs());
    expect(p.entry.legs[0]).toMatchObject({ method: 'market', attempts: 4, last_price: 1.08, bound_price: 1.05, status: 'filled', filled_quantity: 1 });
    expect(p.positions.map((x) => x.entry_price)).toEqual([1.0, 2.1]);
  });

  it('never past the bound frozen at the decision, even when the market runs away', () => {
    const w = new World();
    let s = entering(w, definition({ entry: { max_retry: 8, retry_delay_ms: 1000, step_ticks: 2, bound_spread_fraction: 0.5, fallback: 'give_up' } }));
    w.fill('r1-e1-1', 1);
    for (let i = 0; i < 7; i++) {
      w.quote(CALL, 0.5 - i * 0.05, 0.7 - i * 0.05); // the call falls: a sell would chase it down
      s = w.tick(s, 1000);
    }
    const prices = w.places().filter((p) => p.symbol === CALL).map((p) => p.limitPrice);
    expect(prices).toEqual([1.1, 1.08, 1.06, 1.05, 1.05, 1.05, 1.05, 1.05]);
    expect(E.payload(s, w.inputs()).entry.legs[0]!.bound_price).toBe(1.05);
  });

  it('a step crossing 3.00 lands on the 0.05 grid of US options (never past the bound)', () => {
    const w = new World();
    w.now = T_ENTRY;
    w.quote(CALL, 2.8, 3.1);
    let s = w.carry(E.newRun('r1', definition({ entry: { max_retry: 5, retry_delay_ms: 1000, step_ticks: 3, bound_spread_fraction: 1, fallback: 'give_up' } }, [{ side: 'buy' }]), 'NYSE', w.now, { enterNow: true }));
    s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts(1) }, w.inputs()));
    for (let i = 0; i < 4; i++) s = w.tick(s, 1000);
    expect(w.places().map((p) => p.limitPrice)).toEqual([2.95, 2.98, 3.0, 3.1, 3.1]);
  });

  it('give_up: after max_retry limits it cancels, fails the entry (notified once) and closes what was filled', () => {
    const w = new World();
    let s = entering(w, definition({ entry: { max_retry: 2, retry_delay_ms: 1000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'give_up' } }));
    w.fill('r1-e1-1', 1); // the put was sold
    s = w.tick(s, 1000); // attempt 2
    s = w.tick(s, 1000); // attempt 2 unfilled → cancel → give up
    expect(w.places().filter((p) => p.orderType === 'market' && p.purpose === 'entry')).toEqual([]);
    expect(w.notifies()).toEqual(['entry_failed']);
    expect(s.status).toBe('exiting');
    const close = w.places().filter((p) => p.purpose === 'exit');
    expect(close.map((p) => `${p.clientOrderId} ${p.side} ${p.symbol}`)).toEqual([`r1-x1-1 buy ${PUT}`]);
    w.fill('r1-x1-1', 1);
    s = w.tick(s, 10);
    expect(s.status).toBe('error');
    expect(s.statusReason).toContain('entry failed');
    expect(w.notifies()).toEqual(['entry_failed']);
  });

  it('give_up with nothing filled: status error, no exit order', () => {
    const w = new World();
    let s = entering(w, definition({ entry: { max_retry: 1, retry_delay_ms: 1000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'give_up' } }));
    s = w.tick(s, 1000);
    s = w.tick(s, 10);
    expect(s.status).toBe('error');
    expect(w.places().filter((p) => p.purpose === 'exit')).toEqual([]);
  });

  it('a partial fill: the next attempt is for the rest', () => {
    const w = new World();
    let s = entering(w, definition({}, [{ lots: 5 }, { lots: 5 }]));
    w.fill('r1-e0-1', 2);
    w.fill('r1-e1-1', 5);
    s = w.tick(s, 2000);
    expect(ids(w).slice(2)).toEqual(['r1-e0-2 sell 3 limit @ 1.09']);
    w.fill('r1-e0-2', 3, 1.09);
    s = w.advance(s);
    expect(s.status).toBe('live');
    expect(E.payload(s, w.inputs()).positions[0]!.entry_price).toBe(1.094); // (2×1.10 + 3×1.09)/5
  });

  it('never two working orders of a leg: the next attempt waits for the cancel to be final', () => {
    const w = new World();
    w.holdCancels = true;
    let s = entering(w);
    s = w.tick(s, 2000);
    expect(w.cancels()).toEqual(['r1-e0-1', 'r1-e1-1']);
    s = w.tick(s, 5000);
    expect(w.places()).toHaveLength(2); // pending_cancel: nothing placed
    expect(w.working(CALL)).toHaveLength(1);
    w.confirmCancel('r1-e0-1');
    s = w.advance(s);
    expect(ids(w).slice(2)).toEqual(['r1-e0-2 sell 1 limit @ 1.09']);
    expect(w.working(CALL)).toHaveLength(1);
    expect(s.status).toBe('entering');
  });

  it('a cancel that does not take effect is asked again after the delay (never a second order)', () => {
    const w = new World();
    w.holdCancels = true;
    let s = entering(w);
    s = w.tick(s, 2000);
    // the venue refuses the cancel: the order is working again
    w.journal.get('r1-e0-1')!.status = 'accepted';
    s = w.tick(s, 2000);
    expect(s.legs[0]!.entry!.order).toBe('cancelling');
    expect(w.cancels().filter((c) => c === 'r1-e0-1')).toHaveLength(2);
    expect(w.places().filter((p) => p.symbol === CALL)).toHaveLength(1);
  });

  it('a stale quote at an attempt is not priced on: refresh asked, the wait recorded, placed once fresh', () => {
    const w = new World();
    w.now = T_ENTRY;
    w.quote(CALL, 1.0, 1.2, false);
    w.quote(PUT, 2.0, 2.2);
    let s = w.carry(E.newRun('r1', definition(), 'NYSE', w.now, { enterNow: true }));
    s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts() }, w.inputs()));
    expect(w.places().map((p) => p.symbol)).toEqual([PUT]);
    expect(w.refreshes()).toEqual([CALL]);
    expect(w.audit.find((a) => a.kind === 'quote_wait')?.message).toContain('stale quote');
    s = w.tick(s, 1000);
    expect(w.refreshes()).toEqual([CALL]); // asked again only after REFRESH_EVERY_MS
    w.quote(CALL, 1.0, 1.2);
    s = w.tick(s, 100);
    expect(ids(w)[1]).toBe('r1-e0-1 sell 1 limit @ 1.1');
    expect(w.auditKinds()).toContain('quote_wait_end');
    expect(s.legs[0]!.entry!.quoteWaits).toBe(1);
  });

  it('an entry leg that never gets a fresh quote gives up after ENTRY_QUOTE_WAIT_MS (fails closed)', () => {
    const w = new World();
    let s = entering(w);
    w.fill('r1-e1-1', 1);
    w.stale(CALL);
    s = w.tick(s, 2000); // attempt 2 due: stale → wait, the working order stays
    expect(w.cancels()).toEqual([]);
    s = w.tick(s, ENTRY_QUOTE_WAIT_MS);
    expect(w.cancels()).toEqual(['r1-e0-1']);
    s = w.tick(s, 10);
    expect(w.notifies()).toEqual(['entry_failed']);
    expect(s.status).toBe('exiting'); // the put is closed
  });

  it('buy legs are entered before sell legs', () => {
    const w = new World();
    let s = entering(w, definition({}, [{}, { side: 'buy' }]));
    expect(w.places().map((p) => `${p.side} ${p.symbol}`)).toEqual([`buy ${PUT}`]);
    w.fill('r1-e1-1', 1);
    s = w.advance(s);
    expect(w.places().map((p) => `${p.side} ${p.symbol}`)).toEqual([`buy ${PUT}`, `sell ${CALL}`]);
    expect(s.status).toBe('entering');
  });

  it('a rejected attempt steps on at its time (the venue refusing the first limit)', () => {
    const w = new World();
    w.outcomes = [{ kind: 'rejected', reason: 'sim: refused' }, { kind: 'accepted' }];
    let s = entering(w);
    expect(s.legs[0]!.entry!.order).toBe('none');
    s = w.tick(s, 1000);
    expect(w.places()).toHaveLength(2);
    w.fill('r1-e1-1', 1);
    s = w.tick(s, 1000);
    expect(ids(w).slice(2)).toEqual(['r1-e0-2 sell 1 limit @ 1.09']);
    w.fill('r1-e0-2', 1);
    s = w.advance(s);
    expect(s.status).toBe('live');
  });

  it('a rejected entry market order fails the entry', () => {
    const w = new World();
    w.outcomes = [{ kind: 'accepted' }, { kind: 'accepted' }, { kind: 'rejected', reason: 'buying power' }];
    let s = entering(w, definition({ entry: { max_retry: 1, retry_delay_ms: 1000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' } }));
    w.fill('r1-e1-1', 1);
    s = w.tick(s, 1000);
    expect(ids(w).slice(2)).toEqual(['r1-e0-2 sell 1 market', 'r1-x1-1 buy 1 limit @ 2.1']); // failed at once: the put is closed
    expect(w.notifies()).toEqual(['entry_failed']);
    expect(s.status).toBe('exiting');
  });

  it('an unknown outcome blocks the leg until the journal resolves it', () => {
    const w = new World();
    w.outcomes = [{ kind: 'unknown', reason: 'timeout' }];
    let s = entering(w);
    s = w.tick(s, 10_000);
    expect(w.places().filter((p) => p.symbol === CALL)).toHaveLength(1);
    expect(w.cancels()).not.toContain('r1-e0-1');
    w.journal.get('r1-e0-1')!.status = 'accepted'; // resolved: the venue has it
    s = w.advance(s);
    expect(w.auditKinds()).toContain('order_adopted');
    s = w.tick(s, 10);
    expect(s.legs[0]!.entry!.attempts).toBe(2);
    expect(w.cancels()).toContain('r1-e0-1'); // overdue: it steps now
  });

  it('a place refused by the gateway (nothing sent) fails the entry closed', () => {
    const w = new World();
    w.outcomes = [{ kind: 'refused', reason: 'kill_switch: Reducing' }];
    let s = entering(w);
    s = w.advance(s);
    s = w.advance(s);
    expect(w.notifies()).toEqual(['entry_failed']);
    expect(s.status).toBe('error');
  });
});

describe('a restart in the middle of entering', () => {
  it('the persisted state resumes without a duplicate order (the journal holds the in-flight attempt)', () => {
    const w = new World();
    w.holdPlaces = true; // the process dies after the gateway committed, before the outcome came back
    const s = entering(w);
    expect(s.legs[0]!.entry!.order).toBe('placing');
    // the gateway had committed r1-e0-1 (commit before send); r1-e1-1 never reached the journal
    const p = w.places()[0]!;
    w.journal.set(p.clientOrderId, { clientOrderId: p.clientOrderId, side: p.side, symbol: p.symbol, orderType: 'limit', limitPrice: p.limitPrice, quantity: 1, status: 'accepted', filledQuantity: 0, avgFillPrice: null, reason: null });
    const restored = JSON.parse(JSON.stringify(s)) as RunState;
    w.holdPlaces = false;
    w.clear();
    w.now += 500;
    let r = w.carry(E.resume(restored, w.inputs()));
    expect(w.places().map((x) => x.clientOrderId)).toEqual(['r1-e1-1']); // the same id, only for the one never journaled
    expect(w.auditKinds()).toContain('order_adopted');
    r = w.tick(r, 1500);
    expect(r.status).toBe('entering');
    expect(w.places().map((x) => x.clientOrderId)).toEqual(['r1-e1-1', 'r1-e0-2']);
    expect(w.working(CALL)).toHaveLength(1);
  });

  it('a state persisted before the attempt was decided: the same attempt comes again with the same id, the journal copy is adopted', () => {
    const w = new World();
    let s = entering(w);
    s = w.tick(s, 1999);
    const persisted = JSON.stringify(s); // the last state saved
    w.tick(s, 1); // attempt 2 decided and sent; the process dies before saving
    expect(w.places().map((p) => p.clientOrderId)).toEqual(['r1-e0-1', 'r1-e1-1', 'r1-e0-2', 'r1-e1-2']);
    const journaled = w.journal.size;
    w.clear();
    w.now += 300;
    let r = w.carry(E.resume(JSON.parse(persisted) as RunState, w.inputs()));
    // attempt 1 is cancelled in the journal: the engine decides attempt 2 again (same ids); the journal
    // already holds them, so nothing new is sent
    expect(w.cancels()).toEqual([]);
    expect(w.places().map((p) => p.clientOrderId)).toEqual(['r1-e0-2', 'r1-e1-2']);
    expect(w.journal.size).toBe(journaled);
    r = w.advance(r);
    expect(r.legs.map((l) => l.entry!.order)).toEqual(['working', 'working']);
    expect(w.working(CALL)).toHaveLength(1);
    expect(w.working(PUT)).toHaveLength(1);
  });

  it('resume while selecting asks for contracts again', () => {
    const w = new World();
    const s = w.carry(E.newRun('r1', definition(), 'NYSE', T0, { enterNow: true }));
    w.clear();
    w.carry(E.resume(JSON.parse(JSON.stringify(s)) as RunState, w.inputs()));
    expect(w.actions.map((a) => a.kind)).toEqual(['select_contracts']);
  });
});

describe('live: P&L and exits', () => {
  it('P&L per leg and for the structure (short premium); unknown when a leg has no fresh mark', () => {
    const w = new World();
    let s = live(w);
    expect(s.status).toBe('live');
    w.quote(CALL, 0.9, 1.0); // 0.95
    w.quote(PUT, 2.2, 2.4); // 2.30
    s = w.tick(s, 1000);
    const p = E.payload(s, w.inputs());
    expect(p.positions.map((x) => [x.current_price, x.pnl_abs, x.pnl_pct])).toEqual([
      [0.95, 15, 13.64],
      [2.3, -20, -9.52],
    ]);
    expect(p.strategy.total_pnl).toBe(-5);
    expect(p.strategy.total_pnl_pct).toBe(-1.56); // −5 / 320
    w.stale(PUT);
    const q = E.payload(s, w.inputs());
    expect(q.strategy.total_pnl).toBeNull();
    expect(q.positions[1]).toMatchObject({ current_price: null, pnl_abs: null, quote_fresh: false, quote_age_ms: 30_000 });
  });

  it('a per-leg stop loss never fires on a stale mark: it waits (recorded, refresh asked) and fires on the fresh one', () => {
    const w = new World();
    let s = live(w, definition({}, [{ stop_loss: { kind: 'pct', value: '50' } }, {}]));
    w.clear();
    w.quote(CALL, 3.0, 3.2, false); // stale, far past the stop
    s = w.tick(s, 1000);
    expect(s.status).toBe('live');
    expect(w.places()).toEqual([]);
    expect(w.refreshes()).toEqual([CALL]);
    expect(w.auditKinds()).toContain('risk_wait');
    expect(s.riskWaits).toBe(1);
    w.quote(CALL, 3.0, 3.2);
    s = w.tick(s, 100);
    expect(w.auditKinds()).toContain('risk_wait_end');
    expect(w.places().map((p) => `${p.clientOrderId} ${p.side} ${p.symbol}`)).toEqual([`r1-x0-1 buy ${CALL}`]);
    expect(s.status).toBe('live'); // the put stays
    expect(E.payload(s, w.inputs()).positions[0]!.exit_reason).toContain('leg stop loss 50%');
    expect(E.payload(s, w.inputs()).positions[0]!.stop_loss_price).toBe(1.65);
  });

  it('structure take profit on the combined premium (points)', () => {
    const w = new World();
    let s = live(w, definition({ exits: { stop_loss: null, take_profit: { kind: 'points', value: '1' }, trailing: null, forced_exit_time: '15:45' } }));
    w.quote(CALL, 0.5, 0.6);
    w.quote(PUT, 1.4, 1.6); // (1.10 − 0.55) + (2.10 − 1.50) = 1.15 points
    s = w.tick(s, 1000);
    expect(s.status).toBe('exiting');
    expect(s.exit?.kind).toBe('take_profit');
  });

  it('structure stop loss never on a stale mark', () => {
    const w = new World();
    let s = live(w, definition({ exits: { stop_loss: { kind: 'pct', value: '20' }, take_profit: null, trailing: null, forced_exit_time: '15:45' } }));
    w.quote(CALL, 2.0, 2.2, false);
    s = w.tick(s, 1000);
    expect(s.status).toBe('live');
    expect(w.auditKinds()).toContain('risk_wait');
    w.quote(CALL, 2.0, 2.2);
    s = w.tick(s, 1000);
    expect(s.status).toBe('exiting');
    expect(s.exit?.kind).toBe('stop_loss');
  });

  it('trailing arms at activation, its level moves only one way, exits at the level; notified once', () => {
    const w = new World();
    const def = definition({ exits: { stop_loss: null, take_profit: null, trailing: { activation_pct: '20', distance_pct: '10' }, forced_exit_time: '15:45' } });
    let s = live(w, def);
    // premium 320: P&L % = (3.20 − call − put) / 3.20 × 100
    const at = (pct: number) => {
      const sum = 3.2 * (1 - pct / 100);
      w.quote(CALL, sum / 2 - 0.01, sum / 2 + 0.01);
      w.quote(PUT, sum / 2 - 0.01, sum / 2 + 0.01);
      s = w.tick(s, 1000);
      return E.payload(s, w.inputs()).strategy.trailing!;
    };
    expect(at(15).armed).toBe(false);
    let t = at(25);
    expect(t).toMatchObject({ armed: true, level_pct: 15, best_pct: 25 });
    const armedAt = t.last_change_at;
    t = at(22);
    expect(t).toMatchObject({ level_pct: 15, last_change_at: armedAt }); // never down
    t = at(30);
    expect(t.level_pct).toBeCloseTo(20, 6);
    t = at(28);
    expect(t.level_pct).toBeCloseTo(20, 6);
    w.stale(CALL);
    const levels: number[] = [];
    for (const pct of [35, 12]) {
      const sum = 3.2 * (1 - pct / 100);
      w.quotes.set(CALL, { bid: sum / 2 - 0.01, ask: sum / 2 + 0.01, fresh: false, ageMs: 9000 });
      w.quote(PUT, sum / 2 - 0.01, sum / 2 + 0.01);
      s = w.tick(s, 1000);
      levels.push(E.payload(s, w.inputs()).strategy.trailing!.level_pct!);
    }
    expect(levels.map((x) => Math.round(x))).toEqual([20, 20]); // a stale mark neither moves nor triggers it
    expect(w.audit.filter((a) => a.kind === 'risk_wait').at(-1)?.message).toContain(CALL); // and the wait is recorded
    expect(w.refreshes()).toContain(CALL);
    expect(s.status).toBe('live');
    at(19.5);
    expect(s.status).toBe('exiting');
    expect(s.exit?.kind).toBe('trailing');
    expect(w.notifies().filter((n) => n === 'trailing_stop_activated')).toHaveLength(1);
  });

  it('forced exit at its time even with a stale leg: REST refresh asked, market after the bounded wait, both recorded', () => {
    const w = new World();
    let s = live(w);
    w.stale(PUT);
    w.clear();
    w.now = Date.UTC(2026, 11, 7, 20, 45) - 1;
    s = w.advance(s);
    expect(s.status).toBe('live');
    s = w.tick(s, 1);
    expect(s.status).toBe('exiting');
    expect(w.notifies()).toEqual(['forced_exit']);
    expect(w.places().map((p) => `${p.clientOrderId} ${p.orderType} ${p.symbol}`)).toEqual([`r1-x0-1 limit ${CALL}`]);
    expect(w.refreshes()).toEqual([PUT]);
    expect(w.audit.find((a) => a.kind === 'quote_wait')?.message).toContain(PUT);
    s = w.tick(s, EXIT_QUOTE_WAIT_MS);
    const put = w.places().filter((p) => p.symbol === PUT);
    expect(put.map((p) => `${p.clientOrderId} ${p.side} ${p.orderType}`)).toEqual(['r1-x1-1 buy market']);
    expect(w.audit.find((a) => a.kind === 'quote_timeout')?.message).toContain('market');
    w.fillWorking();
    s = w.tick(s, 10);
    expect(s.status).toBe('cooldown');
    expect(s.finished).toBe(true);
    expect(E.payload(s, w.inputs()).strategy.reentries_left).toBe(0);
    expect(s.statusReason).toContain('finished');
    s = w.tick(s, 60_000);
    expect(s.status).toBe('cooldown');
    expect(w.notifies()).toEqual(['forced_exit']);
  });

  it('the exit ladder buys shorts back before selling longs, then steps and goes to market', () => {
    const w = new World();
    let s = live(w, definition({}, [{}, { side: 'buy' }]));
    w.clear();
    s = w.carry(E.manualExit(s, undefined, w.inputs()));
    expect(w.places().map((p) => `${p.clientOrderId} ${p.side} ${p.symbol} @ ${p.limitPrice}`)).toEqual([`r1-x0-1 buy ${CALL} @ 1.1`]);
    s = w.tick(s, 2000);
    s = w.tick(s, 2000);
    s = w.tick(s, 2000);
    expect(ids(w)).toEqual(['r1-x0-1 buy 1 limit @ 1.1', 'r1-x0-2 buy 1 limit @ 1.11', 'r1-x0-3 buy 1 limit @ 1.12', 'r1-x0-4 buy 1 market']);
    w.fill('r1-x0-4', 1, 1.2);
    s = w.advance(s);
    expect(s.status).toBe('exiting');
    expect(w.places().at(-1)).toMatchObject({ clientOrderId: 'r1-x1-1', side: 'sell', symbol: PUT });
  });

  it('manual exit of one leg keeps the other live; all legs flat → finished (no re-entry after manual)', () => {
    const w = new World();
    let s = live(w, definition({ reentry: { count: 2, cutoff_time: null } }));
    w.clear();
    s = w.carry(E.manualExit(s, 1, w.inputs()));
    expect(w.places().map((p) => p.clientOrderId)).toEqual(['r1-x1-1']);
    w.fill('r1-x1-1', 1);
    s = w.advance(s);
    expect(s.status).toBe('live');
    expect(E.payload(s, w.inputs()).positions.map((p) => p.quantity)).toEqual([1, 0]);
    s = w.carry(E.manualExit(s, undefined, w.inputs()));
    w.fill('r1-x0-1', 1);
    s = w.advance(s);
    expect(s.status).toBe('cooldown');
    expect(s.finished).toBe(true);
    expect(s.statusReason).toContain('no re-entry after a manual exit');
    expect(E.payload(s, w.inputs()).strategy.total_pnl).toBe(0);
  });
});

describe('more transitions', () => {
  it('entering → exiting at the forced exit time: entry orders cancelled, the filled leg closed', () => {
    const w = new World();
    let s = entering(w, definition({ entry: { max_retry: 50, retry_delay_ms: 600_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' } }));
    w.fill('r1-e1-1', 1);
    s = w.advance(s);
    w.clear();
    w.now = Date.UTC(2026, 11, 7, 20, 45);
    s = w.advance(s);
    expect(s.status).toBe('exiting');
    expect(w.cancels()).toEqual(['r1-e0-1']);
    expect(w.places().map((p) => p.clientOrderId)).toEqual(['r1-x1-1']);
    expect(w.notifies()).toEqual(['forced_exit']);
    w.fillWorking();
    s = w.advance(s);
    expect(s.status).toBe('cooldown');
    expect(s.finished).toBe(true);
  });

  it('manual exit (all) while entering stops the ladder and closes what was filled', () => {
    const w = new World();
    let s = entering(w);
    w.fill('r1-e0-1', 1);
    s = w.advance(s);
    w.clear();
    s = w.carry(E.manualExit(s, undefined, w.inputs()));
    expect(w.cancels()).toEqual(['r1-e1-1']);
    expect(w.places().map((p) => `${p.clientOrderId} ${p.side} ${p.symbol}`)).toEqual([`r1-x0-1 buy ${CALL}`]);
    expect(s.status).toBe('exiting');
  });

  it('a per-leg manual exit while entering is refused (exit all instead)', () => {
    const w = new World();
    let s = entering(w);
    w.clear();
    s = w.carry(E.manualExit(s, 0, w.inputs()));
    expect(w.actions).toEqual([]);
    expect(w.audit[0]!.message).toContain('per-leg exits only once live');
    expect(s.status).toBe('entering');
  });

  it('exiting → error when the exit market order is rejected 3 times (the position is still open)', () => {
    const w = new World();
    let s = live(w, definition({ entry: { max_retry: 1, retry_delay_ms: 1000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' } }, [{}]));
    w.outcomes = [{ kind: 'accepted' }, { kind: 'rejected', reason: 'r1' }, { kind: 'rejected', reason: 'r2' }, { kind: 'rejected', reason: 'r3' }];
    s = w.carry(E.manualExit(s, undefined, w.inputs()));
    for (let i = 0; i < 5; i++) s = w.tick(s, 1000);
    expect(w.places().filter((p) => p.purpose === 'exit').map((p) => `${p.clientOrderId} ${p.orderType}`)).toEqual(['r1-x0-1 limit', 'r1-x0-2 market', 'r1-x0-3 market', 'r1-x0-4 market']);
    expect(s.status).toBe('error');
    expect(s.statusReason).toContain('still open');
    expect(E.payload(s, w.inputs()).positions[0]!.quantity).toBe(1);
  });
});

describe('re-entry', () => {
  it('after a risk exit: cooldown, then a new entry with new ids; not after the cut-off', () => {
    const w = new World();
    const def = definition({ exits: { stop_loss: { kind: 'pct', value: '20' }, take_profit: null, trailing: null, forced_exit_time: '15:45' }, reentry: { count: 1, cutoff_time: '12:00' } });
    let s = live(w, def);
    w.quote(CALL, 2.0, 2.2);
    s = w.tick(s, 1000);
    expect(s.exit?.kind).toBe('stop_loss');
    for (const p of w.places().filter((x) => x.purpose === 'exit')) w.fill(p.clientOrderId, 1);
    s = w.advance(s);
    expect(s.status).toBe('cooldown');
    expect(s.finished).toBe(false);
    expect(E.payload(s, w.inputs()).time_to_entry).toBe(REENTRY_COOLDOWN_MS / 1000);
    expect(E.payload(s, w.inputs()).strategy.total_pnl).toBe(-100); // call 1.10 → 2.10
    w.quote(CALL, 1.0, 1.2);
    w.clear();
    s = w.tick(s, REENTRY_COOLDOWN_MS);
    expect(s.status).toBe('entering');
    expect(w.selectAsked).toBe(2);
    s = w.carry(E.contractsSelected(s, { ok: true, contracts: contracts() }, w.inputs()));
    expect(w.places().map((p) => p.clientOrderId)).toEqual(['r1-r1e0-1', 'r1-r1e1-1']);
    expect(E.payload(s, w.inputs()).strategy.reentries_left).toBe(0);
  });

  it('no re-entry past the cut-off time', () => {
    const w = new World();
    const def = definition({ exits: { stop_loss: { kind: 'pct', value: '20' }, take_profit: null, trailing: null, forced_exit_time: '15:45' }, reentry: { count: 1, cutoff_time: '09:46' } });
    let s = live(w, def);
    w.now += 60_000;
    w.quote(CALL, 2.0, 2.2);
    s = w.advance(s);
    for (const p of w.places().filter((x) => x.purpose === 'exit')) w.fill(p.clientOrderId, 1);
    s = w.advance(s);
    expect(s.status).toBe('cooldown');
    expect(s.finished).toBe(true);
    expect(s.statusReason).toContain('cut-off');
  });
});

describe('pause and halt', () => {
  it('paused: the scheduled entry waits; after resume it starts', () => {
    const w = new World();
    let s = w.carry(E.newRun('r1', definition(), 'NYSE', T0));
    s = w.carry(E.pause(s, true, w.inputs()));
    w.now = T_ENTRY + 5000;
    s = w.advance(s);
    expect(s.status).toBe('waiting');
    expect(w.selectAsked).toBe(0);
    s = w.carry(E.pause(s, false, w.inputs()));
    expect(s.status).toBe('entering');
  });

  it('paused while entering: no new attempt (the working order stays)', () => {
    const w = new World();
    let s = entering(w);
    s = w.carry(E.pause(s, true, w.inputs()));
    s = w.tick(s, 10_000);
    expect(w.cancels()).toEqual([]);
    expect(w.places()).toHaveLength(2);
    s = w.carry(E.pause(s, false, w.inputs()));
    expect(s.legs[0]!.entry!.attempts).toBe(2);
    expect(w.cancels()).toEqual(['r1-e0-1', 'r1-e1-1']);
  });

  it('paused while live: trailing does not arm, a stop loss still acts', () => {
    const w = new World();
    const def = definition({ exits: { stop_loss: { kind: 'pct', value: '20' }, take_profit: null, trailing: { activation_pct: '10', distance_pct: '5' }, forced_exit_time: '15:45' } });
    let s = live(w, def);
    s = w.carry(E.pause(s, true, w.inputs()));
    w.quote(CALL, 0.5, 0.6);
    s = w.tick(s, 1000);
    expect(s.trailing.armed).toBe(false);
    w.quote(CALL, 2.0, 2.2);
    s = w.tick(s, 1000);
    expect(s.status).toBe('exiting');
    expect(s.exit?.kind).toBe('stop_loss');
  });

  it('halt cancels the working orders and acts no more; positions kept', () => {
    const w = new World();
    let s = entering(w);
    w.fill('r1-e1-1', 1);
    s = w.advance(s);
    w.clear();
    s = w.carry(E.halt(s, 'kill switch', w.inputs()));
    expect(s.status).toBe('halted');
    expect(w.cancels()).toEqual(['r1-e0-1']);
    s = w.tick(s, 60_000);
    w.now = Date.UTC(2026, 11, 7, 21, 0); // past the forced exit
    s = w.advance(s);
    expect(w.places()).toEqual([]);
    expect(E.payload(s, w.inputs()).positions.map((p) => [p.symbol, p.quantity])).toEqual([[PUT, 1]]);
    expect(E.symbols(s)).toEqual([PUT]);
  });
});

describe('the payload (spec §9)', () => {
  it('has exactly the spec names, ISO times, numeric numbers, seconds', () => {
    const w = new World();
    const s = live(w, definition({ exits: { stop_loss: null, take_profit: null, trailing: { activation_pct: '20', distance_pct: '10' }, forced_exit_time: '15:45' } }));
    w.now += 30_000;
    const p = E.payload(s, w.inputs());
    expect(Object.keys(p).sort()).toEqual(['account', 'entry', 'positions', 'run_id', 'scheduled_entry_at', 'status', 'status_reason', 'strategy', 'strategy_id', 'time_to_entry', 'updated_at'].sort());
    expect(Object.keys(p.entry).sort()).toEqual(['attempts', 'legs', 'method', 'timestamp']);
    expect(Object.keys(p.strategy).sort()).toEqual(['config', 'exit_reason', 'exit_time', 'paused', 'reentries_left', 'time_to_exit', 'total_pnl', 'total_pnl_pct', 'trailing'].sort());
    expect(Object.keys(p.positions[0]!).sort()).toEqual(
      ['current_price', 'entry_price', 'entry_time', 'exit_reason', 'leg', 'pnl_abs', 'pnl_pct', 'quantity', 'quote_age_ms', 'quote_fresh', 'side', 'stop_loss_price', 'symbol', 'take_profit_price'].sort(),
    );
    expect(Object.keys(p.entry.legs[0]!).sort()).toEqual(
      ['attempts', 'bound_price', 'client_order_id', 'delta', 'delta_age_ms', 'delta_source', 'expiry', 'filled_quantity', 'last_price', 'leg', 'method', 'quantity', 'reason', 'right', 'side', 'status', 'strike', 'symbol'].sort(),
    );
    expect(p).toMatchObject({ run_id: 'r1', strategy_id: 'strangle', account: 'paper1', status: 'live', time_to_entry: null, updated_at: new Date(w.now).toISOString() });
    expect(p.entry.timestamp).toBe(new Date(T_ENTRY).toISOString());
    expect(p.strategy.exit_time).toBe('2026-12-07T20:45:00.000Z');
    expect(p.strategy.time_to_exit).toBe(6 * 3600 - 30);
    expect(p.positions[0]!.entry_time).toBe(new Date(T_ENTRY).toISOString());
    expect(p.entry.legs[0]).toMatchObject({ symbol: CALL, delta: 0.18, delta_source: 'venue', method: 'limit', attempts: 1, last_price: 1.1, bound_price: 1.05, status: 'filled', client_order_id: 'r1-e0-1' });
    expect(p.strategy.trailing).toEqual({ activation_pct: 20, distance_pct: 10, armed: false, level_pct: null, best_pct: null, last_change_at: null });
    expect(p.strategy.total_pnl).toBe(0);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    // the state itself is plain JSON
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('before any fill the P&L is unknown (null), not zero', () => {
    const w = new World();
    const s = w.carry(E.newRun('r1', definition(), 'NYSE', T0));
    const p = E.payload(s, w.inputs());
    expect(p.strategy.total_pnl).toBeNull();
    expect(p.positions).toEqual([]);
    expect(p.entry.legs.map((l) => l.status)).toEqual(['pending', 'pending']);
  });
});

describe('nextWakeAt: when the service must advance without any event', () => {
  it('waiting: the scheduled entry; entering: the next attempt; nothing happens before it', () => {
    const w = new World();
    const waiting = w.carry(E.newRun('r1', definition(), 'NYSE', T0));
    expect(nextWakeAt(waiting)).toBe(T_ENTRY);
    const e = entering(w);
    expect(nextWakeAt(e)).toBe(T_ENTRY + 2000);
    w.clear();
    w.now = T_ENTRY + 1999;
    let s = w.advance(e);
    expect(w.actions).toEqual([]);
    w.now = T_ENTRY + 2000;
    s = w.advance(s);
    expect(w.cancels()).toEqual(['r1-e0-1', 'r1-e1-1']);
    expect(nextWakeAt(s)).toBe(T_ENTRY + 4000);
  });

  it('live: the forced exit; finished: nothing', () => {
    const w = new World();
    let s = live(w);
    expect(nextWakeAt(s)).toBe(Date.UTC(2026, 11, 7, 20, 45));
    s = w.carry(E.manualExit(s, undefined, w.inputs()));
    w.fillWorking();
    s = w.advance(s);
    expect(s.finished).toBe(true);
    expect(nextWakeAt(s)).toBeNull();
  });
});
