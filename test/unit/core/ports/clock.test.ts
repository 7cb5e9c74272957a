import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';

describe('ManualClock', () => {
  it('fires timeouts and intervals in time order as time advances', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`t@${clock.now()}`), 300);
    const cancel = clock.setInterval(() => fired.push(`i@${clock.now()}`), 200);
    clock.advance(450);
    expect(fired).toEqual(['i@1200', 't@1300', 'i@1400']);
    expect(clock.now()).toBe(1450);
    cancel();
    clock.advance(1000);
    expect(fired).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancels a timeout before it fires', () => {
    const clock = new ManualClock();
    let fired = false;
    const cancel = clock.setTimeout(() => (fired = true), 10);
    cancel();
    clock.advance(100);
    expect(fired).toBe(false);
  });
});
