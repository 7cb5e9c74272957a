// Manual exits (issue 16 item 7; spec §9's ladder): shorts bought back before longs are sold, a limit
// at mid stepping one tick toward the far side every retry delay (at most N steps), then cancel and
// market; a stale quote is waited for (and the wait recorded), never acted on. Pure: time is given.
import { describe, expect, it } from 'vitest';
import {
  advanceExit,
  cancelExit,
  exitActionDone,
  newExitRun,
  tickCents,
  type ExitAction,
  type ExitInputs,
  type ExitOrderView,
  type ExitQuote,
  type ExitRun,
} from '../../../../src/core/orders/exit-run';
import { QTY_DP, parseScaled } from '../../../../src/core/model/money';

const q = (n: string) => parseScaled(n, QTY_DP);
const T0 = 1_000_000;
const CONFIG = { steps: 3, retryDelayMs: 2000 };

/** A world the run acts on: quotes by symbol, orders by id (the runner's journal view). */
class World {
  quotes = new Map<string, ExitQuote>();
  orders = new Map<string, ExitOrderView>();
  now = T0;
  private n = 0;
  log: string[] = [];
  inputs(): ExitInputs {
    return { now: this.now, quote: (s) => this.quotes.get(s) ?? null, order: (id) => this.orders.get(id) ?? null };
  }
  /** Advances the run and carries out its actions as a gateway would (orders rest until told otherwise). */
  step(run: ExitRun): ExitRun {
    const { run: r, actions } = advanceExit(run, this.inputs());
    let cur = r;
    for (const a of actions) {
      this.log.push(describe_(a));
      let clientOrderId: string | undefined;
      if (a.kind === 'place') {
        clientOrderId = `o${++this.n}`;
        this.orders.set(clientOrderId, { status: a.orderType === 'market' ? 'accepted' : 'accepted', filled: 0n, pending: false, reason: null });
      }
      if (a.kind === 'cancel') this.orders.set(a.clientOrderId, { ...this.orders.get(a.clientOrderId)!, status: 'cancelled' });
      cur = exitActionDone(cur, a, { kind: 'ok', ...(clientOrderId ? { clientOrderId } : {}) }, this.now);
    }
    return cur;
  }
}

function describe_(a: ExitAction): string {
  if (a.kind === 'place') return `place ${a.side} ${a.quantity} ${a.symbol} ${a.orderType}${a.limitPrice ? ` @ ${a.limitPrice}` : ''}`;
  if (a.kind === 'replace') return `replace ${a.clientOrderId} @ ${a.limitPrice}`;
  return `cancel ${a.clientOrderId}`;
}

const fresh = (bid: number, ask: number): ExitQuote => ({ bid, ask, fresh: true });

describe('exit planner: legs', () => {
  it('shorts are bought back (phase 1) and longs sold (phase 2); flat positions skipped', () => {
    const run = newExitRun('x', 'acc', { kind: 'all' }, [
      { symbol: 'SPY', quantity: q('10') },
      { symbol: 'QQQ', quantity: q('-3') },
      { symbol: 'AAPL', quantity: 0n },
    ], T0, CONFIG);
    expect(run.legs.map((l) => [l.symbol, l.side, l.phase, l.status])).toEqual([
      ['QQQ', 'buy', 1, 'waiting'],
      ['SPY', 'sell', 2, 'waiting'],
    ]);
    const empty = newExitRun('y', 'acc', { kind: 'all' }, [], T0, CONFIG);
    expect([empty.status, empty.reason]).toEqual(['done', 'nothing to close: no open position in the target']);
  });

  it('phase 2 sends nothing until every phase-1 leg is filled', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    w.quotes.set('QQQ', fresh(50, 50.2));
    let run = newExitRun('x', 'acc', { kind: 'all' }, [{ symbol: 'SPY', quantity: q('10') }, { symbol: 'QQQ', quantity: q('-3') }], T0, CONFIG);
    run = w.step(run);
    expect(w.log).toEqual(['place buy 3 QQQ limit @ 50.10']);
    run = w.step(run);
    expect(w.log).toHaveLength(1); // the long waits
    w.orders.set('o1', { status: 'filled', filled: q('3'), pending: false, reason: null });
    run = w.step(run);
    expect(run.legs[0]!.status).toBe('filled');
    expect(w.log.at(-1)).toBe('place sell 10 SPY limit @ 100.05');
    w.orders.set('o2', { status: 'filled', filled: q('10'), pending: false, reason: null });
    run = w.step(run);
    expect([run.status, run.finishedAt]).toEqual(['done', T0]);
  });

  it('a failed phase-1 leg: the longs are not sold, the run fails', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    w.quotes.set('QQQ', fresh(50, 50.2));
    let run = newExitRun('x', 'acc', { kind: 'all' }, [{ symbol: 'SPY', quantity: q('10') }, { symbol: 'QQQ', quantity: q('-3') }], T0, CONFIG);
    run = w.step(run);
    w.orders.set('o1', { status: 'rejected', filled: 0n, pending: false, reason: 'insufficient buying power' });
    run = w.step(run);
    run = w.step(run);
    expect(run.legs.map((l) => [l.symbol, l.status])).toEqual([
      ['QQQ', 'failed'],
      ['SPY', 'cancelled'],
    ]);
    expect(run.status).toBe('failed');
    expect(w.log).toEqual(['place buy 3 QQQ limit @ 50.10']);
  });
});

describe('exit planner: the ladder', () => {
  it('limit at mid, one tick toward the far side every retry delay for N steps, then cancel and market for the remainder', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    let run = newExitRun('x', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: q('10') }], T0, CONFIG);
    run = w.step(run);
    expect(w.log).toEqual(['place sell 10 SPY limit @ 100.05']);
    w.now += 1999;
    run = w.step(run);
    expect(w.log).toHaveLength(1); // not yet due
    for (let i = 0; i < 3; i++) {
      w.now += 2000;
      run = w.step(run);
    }
    expect(w.log.slice(1)).toEqual(['replace o1 @ 100.04', 'replace o1 @ 100.03', 'replace o1 @ 100.02']);
    expect(run.legs[0]!.attempts).toBe(4);
    // partly filled meanwhile: after the last step's delay, cancel, then market for what remains
    w.orders.set('o1', { status: 'partially_filled', filled: q('4'), pending: false, reason: null });
    w.now += 2000;
    run = w.step(run);
    expect(w.log.at(-1)).toBe('cancel o1');
    expect(w.orders.get('o1')!.status).toBe('cancelled');
    run = w.step(run);
    expect(w.log.at(-1)).toBe('place sell 6 SPY market');
    expect(run.legs[0]).toMatchObject({ method: 'market', attempts: 5, clientOrderId: 'o2', filledBefore: q('4') });
    w.orders.set('o2', { status: 'filled', filled: q('6'), pending: false, reason: null });
    run = w.step(run);
    expect([run.status, run.legs[0]!.status]).toEqual(['done', 'filled']);
  });

  it('never past the far side, and never less aggressive than the mid now', () => {
    const w = new World();
    w.quotes.set('QQQ', fresh(50, 50.02)); // mid 50.01
    let run = newExitRun('x', 'acc', { kind: 'all' }, [{ symbol: 'QQQ', quantity: q('-1') }], T0, CONFIG);
    run = w.step(run);
    w.now += 2000;
    run = w.step(run);
    w.now += 2000;
    run = w.step(run); // at the ask: no replace (nothing to change), still a step
    expect(w.log).toEqual(['place buy 1 QQQ limit @ 50.01', 'replace o1 @ 50.02']);
    w.quotes.set('QQQ', fresh(51, 51.4)); // the market moved up: mid 51.20 beats last + tick
    w.now += 2000;
    run = w.step(run);
    expect(w.log.at(-1)).toBe('replace o1 @ 51.20');
    expect(run.legs[0]!.steps).toBe(3);
  });

  it('option ticks: 0.05 at 3.00 and above, else 0.01; stocks 0.01', () => {
    expect(tickCents('SPY260116C00500000', 450)).toBe(5);
    expect(tickCents('SPY260116C00500000', 250)).toBe(1);
    expect(tickCents('SPY', 50000)).toBe(1);
    const w = new World();
    w.quotes.set('SPY260116C00500000', fresh(4.1, 4.3));
    let run = newExitRun('x', 'acc', { kind: 'all' }, [{ symbol: 'SPY260116C00500000', quantity: q('2') }], T0, CONFIG);
    run = w.step(run);
    w.now += 2000;
    expect(w.step(run).legs[0]!.lastPriceCents).toBe(415);
    expect(w.log).toEqual(['place sell 2 SPY260116C00500000 limit @ 4.20', 'replace o1 @ 4.15']);
  });

  it('a stale quote is waited for, the wait recorded; nothing is sent until a fresh one', () => {
    const w = new World();
    w.quotes.set('SPY', { bid: 100, ask: 100.1, fresh: false });
    let run = newExitRun('x', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: q('1') }], T0, CONFIG);
    run = w.step(run);
    run = w.step(run);
    expect(w.log).toEqual([]);
    expect(run.legs[0]).toMatchObject({ status: 'waiting', waits: 1, reason: 'waiting for a fresh quote of SPY (stale; waited 1×)' });
    w.quotes.set('SPY', fresh(100, 100.1));
    run = w.step(run);
    expect(w.log).toEqual(['place sell 1 SPY limit @ 100.05']);
    expect(run.legs[0]!.reason).toBe('limit at mid after waiting 1× for a fresh quote');
    // stale again when a step is due: no step until fresh
    w.quotes.set('SPY', { bid: 99, ask: 99.1, fresh: false });
    w.now += 2000;
    run = w.step(run);
    expect(w.log).toHaveLength(1);
    expect(run.legs[0]!.waits).toBe(2);
    w.quotes.set('SPY', fresh(100, 100.1));
    w.now += 10;
    expect(w.step(run).legs[0]!.steps).toBe(1);
    expect(w.log.at(-1)).toBe('replace o1 @ 100.04');
  });

  it('the market fallback waits for a fresh quote too', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    let run = newExitRun('x', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: q('1') }], T0, { steps: 0, retryDelayMs: 2000 });
    run = w.step(run);
    w.now += 2000;
    run = w.step(run);
    expect(w.log).toEqual(['place sell 1 SPY limit @ 100.05', 'cancel o1']);
    w.quotes.set('SPY', { bid: 100, ask: 100.1, fresh: false });
    run = w.step(run);
    run = w.step(run);
    expect(w.log).toHaveLength(2);
    expect(run.legs[0]).toMatchObject({ stage: 'market', clientOrderId: null, waits: 1 });
    w.quotes.set('SPY', fresh(100, 100.1));
    run = w.step(run);
    expect(w.log.at(-1)).toBe('place sell 1 SPY market');
    expect(run.legs[0]!.reason).toBe('market after 0 limit steps (waited 1× for a fresh quote)');
  });

  it('a limit cancelled outside the exit (the user, the venue) is not chased with a market order: the leg fails, saying so', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    let run = newExitRun('x', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: q('5') }], T0, CONFIG);
    run = w.step(run);
    w.orders.set('o1', { status: 'cancelled', filled: q('2'), pending: false, reason: null });
    run = w.step(run);
    expect(w.log).toEqual(['place sell 5 SPY limit @ 100.05']);
    expect(run.legs[0]).toMatchObject({ status: 'failed', filledBefore: q('2'), reason: 'limit order cancelled outside the exit: the remainder is not pursued' });
    expect(run.status).toBe('failed');
  });

  it('cancel: waiting legs cancelled, working orders cancelled, the run ends', () => {
    const w = new World();
    w.quotes.set('QQQ', fresh(50, 50.2));
    w.quotes.set('SPY', fresh(100, 100.1));
    let run = newExitRun('x', 'acc', { kind: 'all' }, [{ symbol: 'SPY', quantity: q('10') }, { symbol: 'QQQ', quantity: q('-3') }], T0, CONFIG);
    run = w.step(run);
    const { run: stopped, actions } = cancelExit(run, T0 + 5, 'stopped by the user', (id) => w.orders.get(id)?.status === 'accepted');
    expect(actions).toEqual([{ kind: 'cancel', leg: 0, clientOrderId: 'o1' }]);
    expect([stopped.status, stopped.finishedAt, stopped.legs.map((l) => l.status)]).toEqual(['cancelled', T0 + 5, ['cancelled', 'cancelled']]);
    expect(advanceExit(stopped, w.inputs()).actions).toEqual([]);
  });

  it('a place refused as busy is decided again; refused for good fails the leg', () => {
    const w = new World();
    w.quotes.set('SPY', fresh(100, 100.1));
    let run = newExitRun('x', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: q('1') }], T0, CONFIG);
    const first = advanceExit(run, w.inputs());
    run = exitActionDone(first.run, first.actions[0]!, { kind: 'retry', reason: 'busy' }, T0);
    expect(run.legs[0]).toMatchObject({ status: 'waiting', stage: 'idle', attempts: 0 });
    const second = advanceExit(run, w.inputs());
    expect(second.actions).toHaveLength(1);
    run = exitActionDone(second.run, second.actions[0]!, { kind: 'failed', reason: 'kill switch Halted on account acc: only cancels pass' }, T0);
    expect(run.legs[0]).toMatchObject({ status: 'failed', reason: 'limit order not placed: kill switch Halted on account acc: only cancels pass' });
    expect(run.status).toBe('failed');
  });
});
