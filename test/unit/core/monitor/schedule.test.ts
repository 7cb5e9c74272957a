// Issue 17 item 1: per-account scheduling on the injected clock — cadence, the hours gate, no two
// cycles of one account at once (a slow cycle delays the next and records by how much), one
// account's failure never stops another's, start/stop without leaked timers.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import { MonitorScheduler, type ScheduleEvent } from '../../../../src/core/monitor/schedule';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** A controllable cycle: each call returns a promise the test settles. */
class Cycles {
  calls: { account: string; at: number }[] = [];
  running = new Map<string, number>();
  maxConcurrent = new Map<string, number>();
  private settle: (() => void)[] = [];
  mode: Record<string, 'instant' | 'manual' | 'reject' | 'throw'> = {};

  constructor(private readonly clock: ManualClock) {}

  run = (account: string): Promise<void> => {
    this.calls.push({ account, at: this.clock.now() });
    const mode = this.mode[account] ?? 'instant';
    if (mode === 'throw') throw new Error(`account ${account}: broker unreachable (sync throw)`);
    if (mode === 'reject') return Promise.reject(new Error(`account ${account}: step 1 failed`));
    if (mode === 'instant') return Promise.resolve();
    const n = (this.running.get(account) ?? 0) + 1;
    this.running.set(account, n);
    this.maxConcurrent.set(account, Math.max(n, this.maxConcurrent.get(account) ?? 0));
    return new Promise<void>((resolve) =>
      this.settle.push(() => {
        this.running.set(account, (this.running.get(account) ?? 1) - 1);
        resolve();
      }),
    );
  };

  finishAll(): void {
    const s = this.settle;
    this.settle = [];
    for (const f of s) f();
  }

  at(account: string): number[] {
    return this.calls.filter((c) => c.account === account).map((c) => c.at);
  }
}

function rig(startMs: number) {
  const clock = new ManualClock(startMs);
  const cycles = new Cycles(clock);
  const events: ScheduleEvent[] = [];
  const sched = new MonitorScheduler({ clock, scheduler: clock, run: cycles.run, onEvent: (e) => events.push(e) });
  /** Moves time in steps, letting cycle promises settle between timer firings. */
  const advance = async (ms: number, step = 1_000) => {
    for (let done = 0; done < ms; done += step) {
      clock.advance(Math.min(step, ms - done));
      await flush();
    }
  };
  return { clock, cycles, events, sched, advance };
}

const T0 = Date.parse('2026-12-06T08:00:00Z'); // Sunday: Delta trades, NSE does not

describe('MonitorScheduler', () => {
  it('runs a 24/7 account every intervalMs, the first cycle at start', async () => {
    const { cycles, sched, advance } = rig(T0);
    sched.start({ accountId: 'D1', exchange: 'DELTA' });
    await advance(180_000);
    expect(cycles.at('D1')).toEqual([T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]);
    sched.start({ accountId: 'D2', exchange: 'DELTA', intervalMs: 15_000 });
    await advance(30_000);
    expect(cycles.at('D2')).toEqual([T0 + 180_000, T0 + 195_000, T0 + 210_000]);
    sched.stopAll();
  });

  it('never runs two cycles of one account at once; a slow cycle delays the next and records by how much', async () => {
    const { cycles, events, sched, advance, clock } = rig(T0);
    cycles.mode.A = 'manual';
    sched.start({ accountId: 'A', exchange: 'DELTA' });
    await advance(150_000);
    expect(cycles.at('A')).toEqual([T0]); // due at +60 s and +120 s, but the first is still running
    expect(sched.state('A')).toMatchObject({ running: true, nextDueAt: null });
    cycles.finishAll();
    await flush();
    expect(cycles.at('A')).toEqual([T0, T0 + 150_000]); // one delayed cycle, not a burst
    expect(events.filter((e) => e.kind === 'delayed')).toEqual([
      { kind: 'delayed', accountId: 'A', at: T0 + 150_000, dueAt: T0 + 60_000, delayMs: 90_000, cause: 'the previous cycle was still running' },
    ]);
    expect(sched.state('A')?.lastDelayMs).toBe(90_000);
    expect(events.find((e) => e.kind === 'cycle_finished')).toMatchObject({ ok: true, durationMs: 150_000 });
    // a fast cycle afterwards: back on cadence from the delayed start
    cycles.finishAll();
    await flush();
    await advance(60_000);
    expect(cycles.at('A')).toEqual([T0, T0 + 150_000, T0 + 210_000]);
    expect(cycles.maxConcurrent.get('A')).toBe(1);
    expect(events.filter((e) => e.kind === 'delayed')).toHaveLength(1);
    sched.stopAll();
    cycles.finishAll();
    await flush();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("one account's failures (rejected or thrown) never stop another's, nor its own schedule", async () => {
    const { cycles, events, sched, advance } = rig(T0);
    cycles.mode.BAD = 'reject';
    cycles.mode.WORSE = 'throw';
    for (const accountId of ['BAD', 'WORSE', 'GOOD']) sched.start({ accountId, exchange: 'DELTA' });
    await advance(120_000);
    for (const a of ['BAD', 'WORSE', 'GOOD']) expect(cycles.at(a), a).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    const failed = events.filter((e) => e.kind === 'cycle_finished' && !e.ok);
    expect(failed).toHaveLength(6);
    expect(failed.find((e) => e.accountId === 'BAD')).toMatchObject({ error: 'account BAD: step 1 failed' });
    expect(failed.find((e) => e.accountId === 'WORSE')).toMatchObject({ error: 'account WORSE: broker unreachable (sync throw)' });
    expect(events.filter((e) => e.kind === 'cycle_finished' && e.accountId === 'GOOD' && e.ok)).toHaveLength(3);
    sched.stopAll();
  });

  it('stop leaves no timer; a cycle running at stop finishes and nothing follows', async () => {
    const { cycles, sched, advance, clock } = rig(T0);
    cycles.mode.A = 'manual';
    sched.start({ accountId: 'A', exchange: 'DELTA' });
    sched.start({ accountId: 'B', exchange: 'DELTA' });
    await advance(1_000);
    expect(clock.pendingTimers()).toBe(1); // B's next tick; A is running (its next is set when it ends)
    sched.stop('B');
    sched.stop('A');
    expect(clock.pendingTimers()).toBe(0);
    cycles.finishAll();
    await flush();
    await advance(300_000, 60_000);
    expect(cycles.at('A')).toEqual([T0]);
    expect(cycles.at('B')).toEqual([T0]);
    expect(clock.pendingTimers()).toBe(0);
    expect(sched.state('A')).toBeNull();
  });

  it('restarted while the previous start’s cycle runs: the new tick waits for it (still never two at once)', async () => {
    const { cycles, sched, advance, events } = rig(T0);
    cycles.mode.A = 'manual';
    sched.start({ accountId: 'A', exchange: 'DELTA' });
    await advance(1_000);
    sched.stop('A');
    sched.start({ accountId: 'A', exchange: 'DELTA' });
    await advance(5_000);
    expect(cycles.at('A')).toEqual([T0]);
    cycles.finishAll();
    await flush();
    expect(cycles.at('A')).toEqual([T0, T0 + 6_000]);
    expect(events.filter((e) => e.kind === 'delayed')).toEqual([
      expect.objectContaining({ dueAt: T0 + 1_000, delayMs: 5_000 }),
    ]);
    expect(cycles.maxConcurrent.get('A')).toBe(1);
    expect(() => sched.start({ accountId: 'A', exchange: 'DELTA' })).toThrow('monitor schedule for account A is already started');
    sched.stopAll();
    cycles.finishAll();
    await flush();
  });

  it('inside the hours gate only: NSE runs from the 09:26 IST earliest time to the 15:30 close; the reason is recorded once per change', async () => {
    const MON_0915 = Date.parse('2026-12-07T03:45:00Z');
    const { cycles, events, sched, advance } = rig(MON_0915 - 120_000); // 09:13 IST
    sched.start({ accountId: 'N', exchange: 'NSE' });
    await advance(12 * 60_000, 60_000); // to 09:25
    expect(cycles.at('N')).toEqual([]);
    expect(sched.state('N')?.gateReason).toBe('before the earliest time 09:26 IST');
    await advance(60_000, 60_000); // 09:26
    expect(cycles.at('N')).toEqual([Date.parse('2026-12-07T03:56:00Z')]);
    await advance(7 * 3_600_000, 60_000); // past the close
    const runs = cycles.at('N');
    expect(runs.at(-1)).toBe(Date.parse('2026-12-07T09:59:00Z')); // 15:29 IST, the last tick before the close
    expect(runs).toHaveLength(364); // 09:26 … 15:29 every minute
    expect(events.filter((e) => e.kind === 'gated').map((e) => (e.kind === 'gated' ? e.reason : ''))).toEqual([
      'outside NSE hours: opens 09:15 IST Monday 2026-12-07',
      'before the earliest time 09:26 IST',
      'outside NSE hours: opens 09:15 IST Tuesday 2026-12-08',
    ]);
    expect(events.filter((e) => e.kind === 'ungated')).toHaveLength(1);
    sched.stopAll();
  });

  it('refuses a non-positive interval, naming the account', () => {
    const { sched } = rig(T0);
    expect(() => sched.start({ accountId: 'X', exchange: 'DELTA', intervalMs: 0 })).toThrow(
      'monitor schedule for account X: intervalMs must be a positive number, got 0',
    );
  });
});
