// Issue 21, "Done when": replaying one day twice gives the same hash; a strategy of the strategy
// runtime runs on a replayed day and produces its trades, identical at 1× (a shortened day) and at
// max speed. The replay is a separate desk (replay venue, replay clock, memory stores).
import { describe, expect, it } from 'vitest';
import { session, shortDay, strangle } from './replay-helpers';
import { dayOfQuotes } from '../../../src/core/replay/day';
import { generateSampleQuotes } from '../../../src/node/app/replay/sample';
import type { TickUpdateEvent } from '../../../src/shared/contract';

describe('replay determinism', () => {
  it('the same day and strategy twice at max speed: byte-identical event streams (same sha256), trades made', { timeout: 60_000 }, async () => {
    const day = shortDay(40);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const s = session({ day, strategies: [strangle('09:35', '09:55')] });
      await s.open();
      await s.play('max');
      expect(s.state).toBe('done');
      runs.push(s.result()!);
    }
    const [a, b] = runs;
    expect(a!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b!.hash).toBe(a!.hash);
    expect(b!.events).toBe(a!.events);
    expect(a!.trades).toBeGreaterThanOrEqual(4); // two legs in, two legs out
    expect(a!.strategies).toHaveLength(1);
    expect(a!.strategies[0]!.entry_attempts).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe('replay speed', () => {
  it('a strategy run on a shortened day at 1× (real time) and at max speed: the same trades, the same event stream', { timeout: 90_000 }, async () => {
    // a shortened day: 09:34:58–09:35:05 and 09:36:58–09:37:04, one-second steps (the gap between
    // them waited at most 5 s at 1×); the strangle enters at 09:35 and is forced out at 09:37
    const quotes = [
      ...generateSampleQuotes({ startMs: Date.parse('2026-12-04T09:34:58Z'), steps: 8, stepMs: 1_000 }),
      ...generateSampleQuotes({ startMs: Date.parse('2026-12-04T09:36:58Z'), steps: 7, stepMs: 1_000 }),
    ];
    const day = dayOfQuotes({ id: 'sample:short', label: 'short — synthetic', kind: 'sample', synthetic: true, venue: 'sim' }, quotes);
    const definition = strangle('09:35', '09:37', { entry: { max_retry: 2, retry_delay_ms: 1_000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' } });
    const results = [];
    const fills: string[][] = [];
    for (const speed of ['1', 'max'] as const) {
      const s = session({ day, strategies: [definition], warmupMs: 2_000 });
      await s.open();
      const t0 = performance.now();
      await s.play(speed);
      const wall = performance.now() - t0;
      expect(s.state).toBe('done');
      // paced in real time: 13 one-second gaps + the long one capped at 5 s (~18 s)
      if (speed === '1') {
        expect(wall).toBeGreaterThan(10_000);
        expect(wall).toBeLessThan(30_000);
      }
      else expect(wall).toBeLessThan(5_000);
      results.push(s.result()!);
      fills.push(s.feed.filter((f) => f.kind === 'fill').map((f) => `${f.t} ${f.text}`));
    }
    expect(fills[0]!.length).toBeGreaterThanOrEqual(4);
    expect(fills[1]).toEqual(fills[0]);
    expect(results[1]!.hash).toBe(results[0]!.hash);
    expect(results[1]).toEqual(results[0]);
  });
});

describe('replay progress in tick_update', () => {
  it('every tick_update of a replay carries the progress (steps done of the day) and the strategy runtime’s active nodes', { timeout: 60_000 }, async () => {
    const day = shortDay(20);
    const ticks: TickUpdateEvent[] = [];
    const s = session({ day, strategies: [strangle('09:35', '09:45')], onEvent: (e) => e.type === 'tick_update' && ticks.push(e) });
    await s.open();
    await s.play('max');
    expect(ticks.length).toBeGreaterThan(10);
    let last = -1;
    for (const t of ticks) {
      expect(t.progress).toBeDefined();
      const p = t.progress!;
      expect(p.total_ticks).toBe(20);
      expect(p.ticks_processed).toBeGreaterThanOrEqual(last);
      expect(p.progress_percentage).toBe(Math.round((p.ticks_processed / 20) * 10_000) / 100);
      last = p.ticks_processed;
    }
    expect(last).toBe(20);
    const runId = s.result()!.strategies[0]!.run_id;
    expect(ticks.some((t) => t.active_nodes.includes(`strategy:${runId}`))).toBe(true);
  });
});
