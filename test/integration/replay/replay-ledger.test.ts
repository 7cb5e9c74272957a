// Issue 21, item 1 and 4: a day recorded in the SQLite ledger (`recorded_quotes`, any venue) is a
// replay source and replays; a saved result is a `replay_results` row, listed again after the
// ledger is reopened (append-only: never updated or deleted).
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { recordedQuoteOf } from '../../../src/node/ledger/quote-recording';
import { generateSampleQuotes } from '../../../src/node/app/replay/sample';
import type { ReplayStatusWire } from '../../../src/shared/replay';
import { tempLedgerDir } from '../ledger/helpers';

const tmp = tempLedgerDir('replay-ledger');
let desk: Desk | null = null;
let store: SqliteLedgerStore | null = null;
afterEach(async () => {
  await desk?.dispose();
  store?.close();
  desk = null;
  store = null;
});

async function command<T>(d: Desk, name: string, args: unknown): Promise<T> {
  const r = await d.handle(name as never, args as never);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.result as T;
}

function open(): Desk {
  const clock = new SystemClock();
  store = SqliteLedgerStore.open({ path: tmp.file('ledger.sqlite'), clock });
  desk = createDesk({ clock, portfolioPath: null, replay: { ledger: store } });
  return desk;
}

describe('replay and the ledger', () => {
  it('a recorded day (two venues recorded) is offered per venue and date, replays, and its saved result survives a reopen', { timeout: 60_000 }, async () => {
    let d = open();
    // 30 one-minute steps of the chain, recorded at venue `sim`; a few quotes of another venue the same day
    for (const q of generateSampleQuotes({ steps: 30 })) store!.quotes.appendRecordedQuote(recordedQuoteOf('sim', { ...q, receivedAt: q.t, exchangeTime: q.t }));
    for (const q of generateSampleQuotes({ steps: 2 }).slice(0, 3)) store!.quotes.appendRecordedQuote(recordedQuoteOf('alpaca', { ...q, receivedAt: q.t, exchangeTime: q.t }));
    store!.flush();
    const { days } = await command<{ days: { id: string; kind: string; steps: number; symbols: number }[] }>(d, 'replay.sources', {});
    expect(days.map((x) => [x.id, x.kind, x.steps, x.symbols])).toEqual([
      ['recorded:alpaca:2026-12-04', 'recorded', 1, 3],
      ['recorded:sim:2026-12-04', 'recorded', 30, 27],
    ]);
    await command(d, 'replay.start', { day_id: 'recorded:sim:2026-12-04', strategy_ids: [], speed: 'max' });
    let status: ReplayStatusWire;
    for (;;) {
      status = (await command<{ status: ReplayStatusWire }>(d, 'replay.status', {})).status;
      if (status.state === 'done' || status.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status.state).toBe('done');
    expect(status.total_ticks).toBe(30); // one step per recorded instant
    const { saved } = await command<{ saved: { result_id: number; hash: string } }>(d, 'replay.save', { label: 'recorded run' });
    await d.dispose();
    store!.close();
    desk = null;

    d = open();
    const { results } = await command<{ results: { result_id: number; label: string; hash: string; day_id: string; steps: number }[] }>(d, 'replay.results', {});
    expect(results).toEqual([expect.objectContaining({ result_id: saved.result_id, label: 'recorded run', hash: saved.hash, day_id: 'recorded:sim:2026-12-04', steps: 30 })]);
  });
});
