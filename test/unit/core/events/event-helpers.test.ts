import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { TickCoalescer } from '../../../../src/core/events/tick-coalescer';
import { ExecutionIds } from '../../../../src/core/events/execution-ids';
import { PnlSampleRing, teeSinks } from '../../../../src/core/events/pnl-sample-ring';
import type { PnlSample } from '../../../../src/core/ports/pnl-sample-sink';

const sample = (t: number): PnlSample => ({ t, currency: 'USD', realized: '0', unrealized: '1', total: '1', gap: null });

describe('TickCoalescer.flushNow', () => {
  it('sends what is pending at once and cancels the timer; nothing pending sends nothing', () => {
    const clock = new ManualClock();
    const flushes: string[][] = [];
    const c = new TickCoalescer<string>(clock, 50, (x) => flushes.push(x));
    c.flushNow();
    expect(flushes).toEqual([]);
    c.push('a', 'A1');
    c.push('a', 'A2');
    expect(clock.pendingTimers()).toBe(1);
    c.flushNow();
    expect(flushes).toEqual([['A2']]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('ExecutionIds', () => {
  it('are readable, time-stamped from the given instant, and unique without randomness', () => {
    const ids = new ExecutionIds();
    const t = Date.UTC(2024, 9, 29, 9, 19, 0);
    const a = ids.next('entry-2', t);
    const b = ids.next('entry-2', t);
    expect(a).toBe('exec_entry-2_20241029_091900_0001');
    expect(b).not.toBe(a);
    expect(new ExecutionIds().next('entry-2', t)).toBe(a); // deterministic per process
  });
});

describe('PnlSampleRing', () => {
  it('keeps the newest samples in order when full', () => {
    const ring = new PnlSampleRing(3);
    ring.record([sample(1), sample(2)]);
    ring.record([sample(3), sample(4), sample(5)]);
    expect(ring.all().map((s) => s.t)).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(() => new PnlSampleRing(0)).toThrow(/positive integer/);
  });

  it('a failing sink does not stop the others', () => {
    const ring = new PnlSampleRing(10);
    const errors: unknown[] = [];
    const tee = teeSinks([{ record: () => { throw new Error('disk full'); } }, ring], (e) => errors.push(e));
    tee.record([sample(1)]);
    expect(ring.all()).toHaveLength(1);
    expect(String(errors[0])).toContain('disk full');
  });
});

describe('ledgerPnlSampleSink', () => {
  it('writes one row per sample, scoped per currency, with a reason for unknowns and gaps', async () => {
    const { ledgerPnlSampleSink } = await import('../../../../src/core/events/ledger-pnl-sink');
    const rows: unknown[] = [];
    const sink = ledgerPnlSampleSink({ appendPnlSample: (r) => void rows.push(r) });
    sink.record([sample(1), { t: 2, currency: 'INR', realized: '5', unrealized: null, total: null, gap: 'stale' }, { ...sample(3), gap: 'stopped' }]);
    expect(rows).toEqual([
      { scope: 'portfolio:USD', at: 1, realized: '0', unrealized: '1', total: '1', unknownReason: null },
      { scope: 'portfolio:INR', at: 2, realized: '5', unrealized: null, total: null, unknownReason: 'stale' },
      { scope: 'portfolio:USD', at: 3, realized: '0', unrealized: '1', total: '1', unknownReason: 'stopped' },
    ]);
  });
});
