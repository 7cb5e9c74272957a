// Issue 17, first "Done when": a table-driven walk of spec §8's conditional matrix — each step forced
// to succeed or fail — checking which steps ran, which were skipped and why, and what was reported.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/ports/clock';
import {
  CYCLE_PLAN,
  SessionExpiredError,
  runCycle,
  type CycleOutcome,
  type StepNo,
} from '../../../../src/core/monitor/cycle-plan';

const ALL: StepNo[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Runs a cycle where the steps in `fail` throw; each step takes `step * 10` ms on the manual clock. */
async function cycle(fail: readonly StepNo[], regeneratePermitted: boolean, clock = new ManualClock(1_000)) {
  const ran: StepNo[] = [];
  const seenErrorsAtReport: string[] = [];
  const outcome = await runCycle(
    async (step, name, ctx) => {
      ran.push(step);
      clock.advance(step * 10);
      if (step === 10) seenErrorsAtReport.push(...ctx.errors.map((e) => `${e.step}:${e.message}`));
      if (fail.includes(step)) throw new Error(`${name} broke`);
    },
    clock,
    { regeneratePermitted },
  );
  return { outcome, ran, seenErrorsAtReport };
}

/** O ok, F failed, S skipped — one letter per step 1..10. */
const letters = (o: CycleOutcome) => o.steps.map((s) => ({ ok: 'O', failed: 'F', skipped: 'S' })[s.status]).join('');

// Each row: the steps forced to fail, the permission, the expected statuses of steps 1..10, and the
// reasons of the skipped steps (step → reason). Written out by hand from spec §8's table.
const STOP1 = 'cycle stopped: step 1 failed';
const STOP2 = 'cycle stopped: step 2 failed';
const NO_ERR = 'no errors: success summary recorded';
const NOT_PERMITTED = 'not permitted: entry regenerate is off for this account';
const ROWS: { name: string; fail: StepNo[]; perm: boolean; expect: string; reasons: Partial<Record<StepNo, string>> }[] = [
  { name: 'all ok, permitted', fail: [], perm: true, expect: 'OOOOOOOOOS', reasons: { 10: NO_ERR } },
  { name: 'all ok, not permitted', fail: [], perm: false, expect: 'OOOOOOOSSS', reasons: { 8: NOT_PERMITTED, 9: 'needs step 8 to have run; step 8 skipped', 10: NO_ERR } },
  {
    name: '1 fails: stop, report',
    fail: [1],
    perm: true,
    expect: 'FSSSSSSSSO',
    reasons: { 2: STOP1, 3: STOP1, 4: STOP1, 5: STOP1, 6: STOP1, 7: STOP1, 8: STOP1, 9: STOP1 },
  },
  {
    name: '2 fails: stop, report',
    fail: [2],
    perm: true,
    expect: 'OFSSSSSSSO',
    reasons: { 3: STOP2, 4: STOP2, 5: STOP2, 6: STOP2, 7: STOP2, 8: STOP2, 9: STOP2 },
  },
  { name: '3 fails: skip 4, continue at 5', fail: [3], perm: true, expect: 'OOFSOOOOOO', reasons: { 4: 'needs step 3 ok; step 3 failed' } },
  { name: '4 fails: report, continue', fail: [4], perm: true, expect: 'OOOFOOOOOO', reasons: {} },
  { name: '5 fails: report, continue', fail: [5], perm: true, expect: 'OOOOFOOOOO', reasons: {} },
  { name: '6 fails: report, continue', fail: [6], perm: true, expect: 'OOOOOFOOOO', reasons: {} },
  { name: '7 fails: report, continue', fail: [7], perm: true, expect: 'OOOOOOFOOO', reasons: {} },
  { name: '8 fails: skip 9', fail: [8], perm: true, expect: 'OOOOOOOFSO', reasons: { 9: 'needs step 8 to have run; step 8 failed' } },
  { name: '9 fails: report', fail: [9], perm: true, expect: 'OOOOOOOOFO', reasons: {} },
  { name: '8 would fail but is not permitted: never runs', fail: [8], perm: false, expect: 'OOOOOOOSSS', reasons: { 8: NOT_PERMITTED, 10: NO_ERR } },
  { name: '3 fails, not permitted', fail: [3], perm: false, expect: 'OOFSOOOSSO', reasons: { 4: 'needs step 3 ok; step 3 failed', 8: NOT_PERMITTED } },
  { name: '1 fails, not permitted: stop wins', fail: [1], perm: false, expect: 'FSSSSSSSSO', reasons: { 8: STOP1, 9: STOP1 } },
  { name: '10 would fail but no errors: never runs', fail: [10], perm: true, expect: 'OOOOOOOOOS', reasons: { 10: NO_ERR } },
  { name: '5 and the report fail: both reported', fail: [5, 10], perm: true, expect: 'OOOOFOOOOF', reasons: {} },
  { name: '3, 6 and 9 fail: each reported, 4 skipped', fail: [3, 6, 9], perm: true, expect: 'OOFSOFOOFO', reasons: { 4: 'needs step 3 ok; step 3 failed' } },
];

describe('spec §8 conditional matrix', () => {
  it('is the spec table: ten steps in order, 1 and 2 stop on failure, the rest continue', () => {
    expect(CYCLE_PLAN.map((r) => r.step)).toEqual(ALL);
    expect(CYCLE_PLAN.filter((r) => r.onFailure === 'stop').map((r) => r.step)).toEqual([1, 2]);
    expect(CYCLE_PLAN.map((r) => r.runsWhen)).toEqual([
      { kind: 'always' },
      { kind: 'step_ok', step: 1 },
      { kind: 'step_ok', step: 2 },
      { kind: 'step_ok', step: 3 },
      { kind: 'step_ok', step: 2 },
      { kind: 'step_ok', step: 2 },
      { kind: 'step_ok', step: 2 },
      { kind: 'permission_and_step_ok', step: 2 },
      { kind: 'step_ran_ok', step: 8 },
      { kind: 'errors_occurred' },
    ]);
  });

  for (const row of ROWS) {
    it(`row: ${row.name}`, async () => {
      const { outcome, ran, seenErrorsAtReport } = await cycle(row.fail, row.perm);
      expect(letters(outcome)).toBe(row.expect);
      // the runner was called exactly for the steps that ran (ok or failed), in order
      expect(ran).toEqual(outcome.steps.filter((s) => s.status !== 'skipped').map((s) => s.step));
      // skipped steps say which rule held them back
      const reasons = Object.fromEntries(outcome.steps.filter((s) => s.status === 'skipped').map((s) => [s.step, s.reason]));
      for (const [step, reason] of Object.entries(row.reasons)) expect(reasons[Number(step)]).toBe(reason);
      for (const s of outcome.steps) expect(s.status === 'skipped' ? typeof s.reason : s.reason).toBe(s.status === 'skipped' ? 'string' : undefined);
      // every failed step is reported, with its message, in step order
      const failed = outcome.steps.filter((s) => s.status === 'failed');
      expect(outcome.errors.map((e) => e.step)).toEqual(failed.map((s) => s.step));
      for (const e of outcome.errors) expect(e.message).toBe(`${e.name} broke`);
      // step 10 receives every error of steps 1..9
      if (ran.includes(10)) expect(seenErrorsAtReport).toEqual(outcome.errors.filter((e) => e.step !== 10).map((e) => `${e.step}:${e.name} broke`));
      expect(outcome.summary.kind).toBe(outcome.errors.length ? 'errors' : 'success');
      expect(outcome.stoppedAt).toBe(row.fail.includes(1) ? 1 : row.fail.includes(2) ? 2 : null);
      expect(outcome.sessionNeeded).toBe(false);
    });
  }

  it('every combination of step outcomes × permission follows the spec sentences (1024 × 2)', async () => {
    for (let mask = 0; mask < 1 << 10; mask++) {
      const fail = ALL.filter((s) => mask & (1 << (s - 1)));
      for (const perm of [true, false]) {
        const { outcome } = await cycle(fail, perm);
        // oracle written straight from the spec's table, independent of CYCLE_PLAN
        const st: Record<number, 'O' | 'F' | 'S'> = {};
        const run = (s: number, when: boolean) => (st[s] = when ? (fail.includes(s as StepNo) ? 'F' : 'O') : 'S');
        run(1, true);
        const stopped = () => st[1] !== 'O' || st[2] !== 'O';
        run(2, st[1] === 'O');
        run(3, !stopped());
        run(4, !stopped() && st[3] === 'O');
        run(5, !stopped());
        run(6, !stopped());
        run(7, !stopped());
        run(8, perm && !stopped());
        run(9, st[8] === 'O');
        run(10, ALL.slice(0, 9).some((s) => st[s] === 'F'));
        expect(letters(outcome), `fail=${fail.join(',')} perm=${perm}`).toBe(ALL.map((s) => st[s]).join(''));
        expect(outcome.errors.length).toBe(ALL.filter((s) => st[s] === 'F').length);
      }
    }
  });

  it('durations come from the injected clock; skipped steps take 0', async () => {
    const clock = new ManualClock(5_000);
    const { outcome } = await cycle([3], false, clock);
    expect(outcome.startedAt).toBe(5_000);
    const d = Object.fromEntries(outcome.steps.map((s) => [s.step, s.durationMs]));
    expect(d).toEqual({ 1: 10, 2: 20, 3: 30, 4: 0, 5: 50, 6: 60, 7: 70, 8: 0, 9: 0, 10: 100 });
    expect(outcome.durationMs).toBe(10 + 20 + 30 + 50 + 60 + 70 + 100);
  });

  it('a session error in step 1 marks session_needed and stops the cycle; a plain failure does not mark it', async () => {
    const clock = new ManualClock(0);
    const outcome = await runCycle(
      async (step) => {
        if (step === 1) throw new SessionExpiredError('venue said 401 for account A');
      },
      clock,
      { regeneratePermitted: true },
    );
    expect(outcome.sessionNeeded).toBe(true);
    expect(outcome.stoppedAt).toBe(1);
    expect(letters(outcome)).toBe('FSSSSSSSSO');
    expect(outcome.errors).toEqual([{ step: 1, name: 'fetch', message: 'venue said 401 for account A' }]);
    // a session error later in the cycle is not step 1's session verdict
    const later = await runCycle(
      async (step) => {
        if (step === 5) throw new SessionExpiredError('401 on modify');
      },
      clock,
      { regeneratePermitted: true },
    );
    expect(later.sessionNeeded).toBe(false);
  });

  it('a non-Error throw is reported by its text', async () => {
    const outcome = await runCycle(
      async (step) => {
        if (step === 7) throw 'archive table locked';
      },
      new ManualClock(0),
      { regeneratePermitted: true },
    );
    expect(outcome.errors).toEqual([{ step: 7, name: 'archive_rejected', message: 'archive table locked' }]);
  });
});
