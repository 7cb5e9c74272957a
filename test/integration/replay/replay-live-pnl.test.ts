// Issue 21, "Done when": live recording, then replay of the same quotes, gives the same P&L curve
// as the live run saw, to the cent. A live desk on the simulated venue (real sockets, the system
// clock) values the sample portfolio with `record_quotes` on; its quotes are recorded as the ledger
// records them. The recording is then replayed through a replay desk with the same portfolio: at
// every instant a live tick_update reported, the replayed desk's total is the same decimal string.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDesk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { MemoryDeskSettingsStore } from '../../../src/node/state/desk-settings-file';
import { defaultDeskSettings } from '../../../src/shared/contract';
import type { RecordedQuoteInput } from '../../../src/core/ports/ledger-store';
import { recordedDay } from '../../../src/core/replay/recorded';
import { ReplaySession } from '../../../src/node/app/replay/session';

const PORTFOLIO = resolve(import.meta.dirname, '../../../resources/portfolio.sample.json');

describe('live recording, then replay', () => {
  it('the replayed desk reports the live P&L curve to the cent', { timeout: 60_000 }, async () => {
    const recorded: RecordedQuoteInput[] = [];
    const live: { t: number; total: string | null }[] = [];
    let liveProgress = 0;
    const desk = createDesk({
      clock: new SystemClock(),
      portfolioPath: PORTFOLIO,
      config: { simIntervalMs: 40 },
      settings: new MemoryDeskSettingsStore({ ...defaultDeskSettings, record_quotes: true }),
      quoteRecorder: { appendRecordedQuote: (q) => recorded.push(q) },
      monitorDefaults: { enabled: false },
    });
    desk.subscribe((e) => {
      if (e.type === 'tick_update') {
        live.push({ t: e.serverTime, total: e.pnl_snapshot.total });
        if (e.progress !== undefined) liveProgress++;
      }
    });
    await desk.start();
    await new Promise((r) => setTimeout(r, 3_000));
    await desk.dispose();
    expect(recorded.length).toBeGreaterThan(100);
    expect(liveProgress).toBe(0); // progress is a replay's only
    const known = live.filter((p) => p.total !== null);
    expect(known.length).toBeGreaterThan(10);

    const day = recordedDay('sim', new Date(recorded[0]!.receivedAt).toISOString().slice(0, 10), recorded);
    // the replayed desk's total after each step, read from its tracker (no event of its own)
    const after: { t: number; total: string | null }[] = [];
    const s = new ReplaySession({
      createDesk,
      day,
      portfolioPath: PORTFOLIO,
      monitor: false,
      onStep: (i, sess) => after.push({ t: day.steps[i]!.t, total: sess.desk.live.tracker.pnlSnapshot().total }),
    });
    await s.open();
    await s.play('max');
    expect(s.state).toBe('done');

    // A live tick at T saw every quote received up to T; a quote received exactly at T may have come
    // after the flush, so instants with a quote of their own are ambiguous and left out.
    const stepTimes = new Set(day.steps.map((x) => x.t));
    let compared = 0;
    let j = -1;
    for (const p of live) {
      if (p.t < day.steps[0]!.t || stepTimes.has(p.t)) continue;
      while (j + 1 < after.length && after[j + 1]!.t <= p.t) j++;
      if (j < 0) continue;
      expect({ t: p.t, total: after[j]!.total }).toEqual({ t: p.t, total: p.total });
      if (p.total !== null) compared++;
    }
    expect(compared).toBeGreaterThan(10);
    // and the replay's own tick_updates end on the live run's last total
    expect(s.result()!.total_pnl).toBe(known[known.length - 1]!.total);
  });
});
