import { describe, expect, it } from 'vitest';
import { Ticker } from '../../../../src/renderer/src/hooks/ticker';

function fakeTimers() {
  const active = new Map<number, () => void>();
  let id = 0;
  return {
    active,
    timers: {
      setInterval: (fn: () => void) => {
        active.set(++id, fn);
        return id as unknown as ReturnType<typeof setInterval>;
      },
      clearInterval: (t: ReturnType<typeof setInterval>) => void active.delete(t as unknown as number),
    },
    fire: () => [...active.values()].forEach((f) => f()),
  };
}

describe('Ticker (the one shared age timer)', () => {
  it('runs one interval however many subscribers, and stops with the last one', () => {
    let now = 1000;
    const ft = fakeTimers();
    const t = new Ticker(250, () => now, ft.timers);
    expect(t.running).toBe(false);
    const seen: number[] = [];
    const offs = Array.from({ length: 500 }, () => t.subscribe(() => seen.push(t.get())));
    expect(ft.active.size).toBe(1);
    now = 1250;
    ft.fire();
    expect(seen).toHaveLength(500);
    expect(t.get()).toBe(1250);
    offs.forEach((off) => off());
    expect(ft.active.size).toBe(0);
    expect(t.running).toBe(false);
    expect(t.subscriberCount).toBe(0);
  });
  it('refreshes the time when the first subscriber arrives after idling', () => {
    let now = 1;
    const ft = fakeTimers();
    const t = new Ticker(250, () => now, ft.timers);
    now = 99;
    const off = t.subscribe(() => {});
    expect(t.get()).toBe(99);
    off();
  });
});
