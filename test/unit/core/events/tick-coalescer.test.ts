import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { TickCoalescer } from '../../../../src/core/events/tick-coalescer';

describe('TickCoalescer', () => {
  it('flushes at most once per interval with only the latest value of each changed key', () => {
    const clock = new ManualClock();
    const flushes: number[][] = [];
    const c = new TickCoalescer<number>(clock, 50, (changed) => flushes.push(changed));
    for (let i = 0; i < 1000; i++) {
      c.push(`k${i % 3}`, i);
      clock.advance(1);
    }
    // 1000 ms of pushes at 1 per ms → 20 flushes, each with the 3 keys' latest values.
    expect(flushes.length).toBe(20);
    for (const f of flushes) expect(f).toHaveLength(3);
    expect(flushes[0]).toEqual([48, 49, 47]);
  });

  it('stop() drops pending changes and leaves no timer behind', () => {
    const clock = new ManualClock();
    const flushes: number[][] = [];
    const c = new TickCoalescer<number>(clock, 50, (changed) => flushes.push(changed));
    c.push('a', 1);
    c.stop();
    clock.advance(1000);
    expect(flushes).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
