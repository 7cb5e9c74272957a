// Issue 21: the Replay page's commands on a desk — the sources (the shipped synthetic sample, imports),
// the import's line-numbered refusals, a run of the sample with a strategy of the live desk, its
// progress and result, saving and listing results; the controls (pause, step, seek back and forward).
// The live desk itself is never touched by a replay.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import type { ReplayStatusWire } from '../../../src/shared/replay';
import { generateSampleQuotes, quotesCsv } from '../../../src/node/app/replay/sample';
import { strangle } from './replay-helpers';

const SAMPLE = resolve(import.meta.dirname, '../../../resources/replay-sample-spy.csv');
let desk: Desk | null = null;
afterEach(async () => {
  await desk?.dispose();
  desk = null;
});

async function command<T>(d: Desk, name: string, args: unknown): Promise<T> {
  const r = await d.handle(name as never, args as never);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.result as T;
}

async function until(d: Desk, cond: (s: ReplayStatusWire) => boolean, ms: number): Promise<ReplayStatusWire> {
  const end = Date.now() + ms;
  for (;;) {
    const { status } = await command<{ status: ReplayStatusWire }>(d, 'replay.status', {});
    if (cond(status)) return status;
    if (Date.now() > end) throw new Error(`timed out; last status ${JSON.stringify({ ...status, points: status.points.length, feed: status.feed.length })}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the Replay page commands', () => {
  it('plays the shipped sample with a strategy of the live desk: progress to 100 %, trades, a result with its hash; saved and listed', { timeout: 120_000 }, async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null, replay: { samplePath: SAMPLE } });
    await command(desk, 'strategy.save', { definition: strangle('10:00', '15:30') });
    const { days } = await command<{ days: { id: string; synthetic: boolean; steps: number; label: string }[] }>(desk, 'replay.sources', {});
    const sample = days.find((d) => d.id === 'sample:spy')!;
    expect(sample.synthetic).toBe(true);
    expect(sample.label).toMatch(/synthetic/);
    expect(sample.steps).toBe(390);
    await command(desk, 'replay.start', { day_id: 'sample:spy', strategy_ids: ['replay-strangle'], speed: 'max' });
    const done = await until(desk, (s) => s.state === 'done', 100_000);
    expect(done.ticks_processed).toBe(390);
    expect(done.progress_percentage).toBe(100);
    const r = done.result!;
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.trades).toBeGreaterThanOrEqual(4);
    expect(r.strategies.map((s) => s.strategy_id)).toEqual(['replay-strangle']);
    expect(r.max_drawdown).not.toBeNull();
    expect(done.points_total).toBeGreaterThan(10);
    // the live desk: not streaming, no run of its own, no fills
    expect(desk.snapshot().streaming).toBe(false);
    expect(desk.strategy.payloads()).toEqual([]);
    expect(desk.snapshot().fills).toEqual([]);
    const { saved } = await command<{ saved: { result_id: number; hash: string } }>(desk, 'replay.save', { label: 'first' });
    expect(saved.hash).toBe(r.hash);
    // a second run of the same day and strategy: the same hash (compare run to run)
    await command(desk, 'replay.start', { day_id: 'sample:spy', strategy_ids: ['replay-strangle'], speed: 'max' });
    const again = await until(desk, (s) => s.state === 'done', 100_000);
    expect(again.result!.hash).toBe(r.hash);
    await command(desk, 'replay.save', {});
    const { results } = await command<{ results: { label: string; hash: string }[] }>(desk, 'replay.results', {});
    expect(results.map((x) => x.hash)).toEqual([r.hash, r.hash]);
    expect(results[1]!.label).toBe('first');
  });

  it('an import with problems imports nothing and names each line; a good one becomes a source', async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null });
    const bad = ['time,symbol,bid,ask,last,bid_size,ask_size', '2026-12-04T09:30:00Z,SPY,585.1,585.0,,,', 'yesterday,SPY,1,2,,,', '2026-12-04T09:31:00Z,SPY,1,2,3'].join('\n');
    const r = await command<{ ok: boolean; errors: string[] }>(desk, 'replay.import', { name: 'bad.csv', csv: bad });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      'line 2, column "ask": is below the bid (585.1)',
      'line 3, column "time": must be ISO-8601 with a zone (2026-12-04T14:30:00Z) or epoch milliseconds',
      'line 4: 5 columns, expected 7 (time,symbol,bid,ask,last,bid_size,ask_size)',
    ]);
    expect((await command<{ days: unknown[] }>(desk, 'replay.sources', {})).days).toEqual([]);
    const good = quotesCsv(generateSampleQuotes({ steps: 5 }), 'synthetic test');
    const ok = await command<{ ok: boolean; day: { id: string; steps: number; synthetic: boolean } }>(desk, 'replay.import', { name: 'good.csv', csv: good });
    expect(ok.day).toMatchObject({ id: 'import:good.csv', steps: 5, synthetic: true });
    expect((await command<{ days: { id: string }[] }>(desk, 'replay.sources', {})).days.map((d) => d.id)).toEqual(['import:good.csv']);
  });

  it('pause, step, seek forward and back: the position in the day follows, and a day seeked back replays to the same point', { timeout: 60_000 }, async () => {
    desk = createDesk({ clock: new SystemClock(), portfolioPath: null });
    await command(desk, 'replay.import', { name: 'day.csv', csv: quotesCsv(generateSampleQuotes({ steps: 60 }), 'synthetic test') });
    await command(desk, 'replay.start', { day_id: 'import:day.csv', strategy_ids: [], speed: '1' });
    await until(desk, (x) => x.state === 'playing', 10_000);
    let s = (await command<{ status: ReplayStatusWire }>(desk, 'replay.control', { action: 'pause' })).status;
    expect(s.state).toBe('paused');
    const at = (await command<{ status: ReplayStatusWire }>(desk, 'replay.status', {})).status.ticks_processed;
    s = (await command<{ status: ReplayStatusWire }>(desk, 'replay.control', { action: 'step' })).status;
    expect(s.ticks_processed).toBe(at + 1);
    const t30 = Date.parse('2026-12-04T09:59:00Z'); // step 29 (09:30 + 29 min)
    s = (await command<{ status: ReplayStatusWire }>(desk, 'replay.control', { action: 'seek', time: t30 })).status;
    expect(s.ticks_processed).toBe(29);
    expect(s.state).toBe('paused');
    const pnlAt29 = s.total_pnl;
    const t10 = Date.parse('2026-12-04T09:40:00Z');
    s = (await command<{ status: ReplayStatusWire }>(desk, 'replay.control', { action: 'seek', time: t10 })).status;
    expect(s.ticks_processed).toBe(10);
    s = (await command<{ status: ReplayStatusWire }>(desk, 'replay.control', { action: 'seek', time: t30 })).status;
    expect(s.ticks_processed).toBe(29);
    expect(s.total_pnl).toBe(pnlAt29);
    await command(desk, 'replay.control', { action: 'resume', speed: 'max' });
    const done = await until(desk, (x) => x.state === 'done', 30_000);
    expect(done.ticks_processed).toBe(60);
  });
});
