/**
 * The Replay page's backend (issue 21): the days a replay can play — recorded days (the ledger's
 * `recorded_quotes`, any venue), imported CSV files (validated, line-numbered errors, nothing stored
 * on a bad file) and the shipped synthetic sample — one replay run at a time (a ReplaySession: a
 * separate desk; the live desk is never touched), its status for the page, and saved results.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Clock } from '../../../core/ports/clock';
import type { Logger } from '../../../core/ports/logger';
import type { RecordedQuoteRow, TimeRange } from '../../../core/ports/ledger-store';
import type { StrategyDefinition } from '../../../core/strategy/definition';
import type { Instrument } from '../../../core/model/instrument';
import type { ReplayDay } from '../../../core/replay/day';
import { parseReplayCsv } from '../../../core/replay/csv';
import { recordedDay } from '../../../core/replay/recorded';
import { downsample } from '../../../core/replay/result';
import type { ReplayDayWire, ReplayResultWire, ReplaySavedWire, ReplaySpeedWire, ReplayState, ReplayStatusWire } from '../../../shared/replay';
import type { Desk, DeskDeps } from '../../desk';
import { ReplaySession } from './session';

/** What the service reads and writes in the ledger (SqliteLedgerStore's `quotes` and `replay`). */
export interface ReplayLedger {
  quotes: { recordedQuotes(range: TimeRange, opts?: { afterQuoteId?: number; limit?: number }): RecordedQuoteRow[] };
  replay: {
    recordedDays(): { venue: string; date: string; quotes: number; steps: number; symbols: number; firstMs: number; lastMs: number }[];
    saveResult(r: { dayId: string; label: string; savedAt: number; hash: string; resultJson: string }): number;
    results(limit: number): { resultId: number; dayId: string; label: string; savedAt: number; hash: string; resultJson: string }[];
  };
}

export interface ReplayServiceDeps {
  createDesk: (deps: DeskDeps) => Desk;
  clock: Clock;
  logger: Logger;
  /** The ledger (recorded days, saved results); null: no recorded days, results kept in memory. */
  ledger: ReplayLedger | null;
  /** The shipped sample (resources/replay-sample-spy.csv); null: none offered. */
  samplePath: string | null;
  /** The live desk's strategy definitions (the page picks some). */
  strategies: () => readonly StrategyDefinition[];
  /** A replayed symbol's instrument as the live desk knows it (lot size, contract value); default: Alpaca's symbol rules. */
  instrumentOf?: (symbol: string) => Instrument | null;
}

export const SAMPLE_DAY_ID = 'sample:spy';
/** Largest recorded day loaded (rows). */
const MAX_RECORDED_ROWS = 6_000_000;
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Curve points a status carries at most (the page asks for those after the ones it has). */
const MAX_POINTS_PER_STATUS = 2_000;
const MAX_FEED_PER_STATUS = 500;

export class ReplayService {
  private readonly imports = new Map<string, ReplayDay>();
  private sample: ReplayDay | null = null;
  private session: ReplaySession | null = null;
  private strategyIds: string[] = [];
  private preparing = false;
  private startError: string | null = null;
  private readonly memoryResults: ReplaySavedWire[] = [];
  private generation = 0;

  constructor(private readonly d: ReplayServiceDeps) {}

  sources(): ReplayDayWire[] {
    const out: ReplayDayWire[] = [];
    const sample = this.sampleDay();
    if (sample) out.push(wireOf(sample));
    for (const day of this.imports.values()) out.push(wireOf(day));
    for (const r of this.d.ledger?.replay.recordedDays() ?? []) {
      out.push({ id: `recorded:${r.venue}:${r.date}`, label: `Recorded ${r.venue} ${r.date}`, kind: 'recorded', synthetic: false, venue: r.venue, date: r.date, steps: r.steps, symbols: r.symbols, first_at: r.firstMs, last_at: r.lastMs });
    }
    return out;
  }

  /** Imports a CSV (its text, or a file on this machine); a file with any problem imports nothing. */
  import(name: string, csv: string | undefined, path: string | undefined): { ok: boolean; day: ReplayDayWire | null; errors: string[] } {
    let text = csv;
    if (text === undefined) {
      try {
        const size = statSync(path!).size;
        if (size > MAX_IMPORT_BYTES) return { ok: false, day: null, errors: [`${path}: ${size} bytes; at most ${MAX_IMPORT_BYTES} are imported`] };
        text = readFileSync(path!, 'utf8');
      } catch (err) {
        return { ok: false, day: null, errors: [`${path}: cannot read it: ${err instanceof Error ? err.message : String(err)}`] };
      }
    }
    const parsed = parseReplayCsv(text, name);
    if (!parsed.ok) return { ok: false, day: null, errors: parsed.errors };
    this.imports.set(parsed.day.id, parsed.day);
    return { ok: true, day: wireOf(parsed.day), errors: [] };
  }

  private sampleDay(): ReplayDay | null {
    if (this.sample || !this.d.samplePath) return this.sample;
    try {
      const parsed = parseReplayCsv(readFileSync(this.d.samplePath, 'utf8'), 'SPY chain (sample)');
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      this.sample = { ...parsed.day, id: SAMPLE_DAY_ID, kind: 'sample', label: 'SPY chain, one session (sample) — synthetic' };
    } catch (err) {
      this.d.logger.warn('replay sample not available', { path: this.d.samplePath, error: err instanceof Error ? err.message : String(err) });
    }
    return this.sample;
  }

  private loadDay(id: string): ReplayDay {
    if (id === SAMPLE_DAY_ID) {
      const s = this.sampleDay();
      if (!s) throw new Error('the sample day is not available');
      return s;
    }
    const imported = this.imports.get(id);
    if (imported) return imported;
    const m = /^recorded:([^:]+):(\d{4}-\d{2}-\d{2})$/.exec(id);
    if (m && this.d.ledger) {
      const [, venue, date] = m as unknown as [string, string, string];
      const from = Date.parse(`${date}T00:00:00Z`);
      const rows: RecordedQuoteRow[] = [];
      let after = 0;
      for (;;) {
        const page = this.d.ledger.quotes.recordedQuotes({ fromMs: from, toMs: from + 86_400_000 }, { afterQuoteId: after, limit: 50_000 });
        for (const r of page) if (r.venue === venue) rows.push(r);
        if (page.length < 50_000) break;
        after = page[page.length - 1]!.quoteId;
        if (rows.length > MAX_RECORDED_ROWS) throw new Error(`recorded day ${venue} ${date} has more than ${MAX_RECORDED_ROWS} quotes: too large to replay`);
      }
      if (rows.length === 0) throw new Error(`no recorded quotes of ${venue} on ${date}`);
      return recordedDay(venue, date, rows);
    }
    throw new Error(`no replay day "${id}" (the sources are: ${this.sources().map((s) => s.id).join(', ') || 'none'})`);
  }

  /** Starts a run (a running one is stopped first); returns once it is prepared and playing. */
  async start(dayId: string, strategyIds: readonly string[], speed: ReplaySpeedWire = 'max'): Promise<ReplayStatusWire> {
    const all = this.d.strategies();
    const missing = strategyIds.filter((id) => !all.some((s) => s.id === id));
    if (missing.length) throw new Error(`no strategy definition ${missing.map((m) => `"${m}"`).join(', ')}`);
    const day = this.loadDay(dayId);
    await this.session?.stop();
    const definitions = strategyIds.map((id) => all.find((s) => s.id === id)!);
    this.strategyIds = [...strategyIds];
    await this.open(day, definitions, speed, null);
    return this.status(0, 0);
  }

  private async open(day: ReplayDay, definitions: readonly StrategyDefinition[], speed: ReplaySpeedWire, seekTo: number | null): Promise<void> {
    const gen = ++this.generation;
    this.startError = null;
    this.preparing = true;
    const session = new ReplaySession({ createDesk: this.d.createDesk, day, strategies: definitions, speed, logger: this.d.logger, ...(this.d.instrumentOf ? { instrumentOf: this.d.instrumentOf } : {}) });
    this.session = session;
    try {
      await session.open();
      if (gen !== this.generation) return;
      if (seekTo !== null) {
        await session.seek(seekTo);
      } else {
        void session.play(speed);
      }
    } catch (err) {
      this.startError = err instanceof Error ? err.message : String(err);
      await session.stop().catch(() => undefined);
    } finally {
      if (gen === this.generation) this.preparing = false;
    }
  }

  async control(action: 'pause' | 'resume' | 'step' | 'stop' | 'speed' | 'seek', speed: ReplaySpeedWire | undefined, time: number | undefined): Promise<ReplayStatusWire> {
    const s = this.session;
    if (!s) throw new Error('no replay is running: start one first');
    switch (action) {
      case 'pause':
        await s.pause();
        break;
      case 'resume':
        void s.play(speed);
        break;
      case 'step':
        await s.step();
        break;
      case 'stop':
        await s.stop();
        break;
      case 'speed':
        if (!speed) throw new Error('speed: give the speed (1, 10, 100 or max)');
        s.setSpeed(speed);
        break;
      case 'seek': {
        if (time === undefined) throw new Error('seek: give the time (epoch ms)');
        if (time < s.time) {
          // back: replay from the start (a day is deterministic), fast, up to the time
          const definitions = this.strategyIds.map((id) => this.d.strategies().find((x) => x.id === id)).filter((x): x is StrategyDefinition => x !== undefined);
          await s.stop();
          await this.open(s.day, definitions, s.speed, time);
        } else {
          await s.seek(time);
        }
        break;
      }
    }
    return this.status(0, 0);
  }

  status(sincePoints: number, sinceFeed: number): ReplayStatusWire {
    const s = this.session;
    if (!s) {
      return { run: this.generation, state: 'idle', day: null, strategy_ids: [], speed: 'max', ticks_processed: 0, total_ticks: 0, progress_percentage: 0, time: null, points: [], points_total: 0, feed: [], feed_total: 0, trades: 0, total_pnl: null, active_nodes: [], result: null, error: this.startError };
    }
    const state: ReplayState = this.preparing || s.state === 'new' ? 'preparing' : s.state === 'ready' ? 'paused' : s.state === 'stopped' ? 'idle' : s.state;
    const points = s.curve.points;
    const newPoints = points.slice(Math.min(sincePoints, points.length));
    return {
      run: this.generation,
      state,
      day: wireOf(s.day),
      strategy_ids: [...this.strategyIds],
      speed: s.speed,
      ticks_processed: s.index,
      total_ticks: s.total,
      progress_percentage: s.total === 0 ? 100 : Math.round((s.index / s.total) * 10_000) / 100,
      time: s.time,
      points: newPoints.length > MAX_POINTS_PER_STATUS ? downsample(newPoints, MAX_POINTS_PER_STATUS) : newPoints,
      points_total: points.length,
      feed: s.feed.slice(Math.max(sinceFeed, s.feed.length - MAX_FEED_PER_STATUS)),
      feed_total: s.feed.length,
      trades: s.trades,
      total_pnl: s.totalPnl,
      active_nodes: s.activeNodes,
      result: s.result(),
      error: s.error ?? this.startError,
    };
  }

  /** Saves the finished run's result (the ledger's `replay_results`; memory without a ledger). */
  save(label: string | undefined): ReplaySavedWire {
    const result = this.session?.result();
    if (!result) throw new Error('no finished replay to save: play a day to its end first');
    const savedAt = this.d.clock.now();
    const name = label && label.length > 0 ? label : `${result.day_label} · ${result.strategy_ids.join(', ') || 'no strategy'}`;
    if (this.d.ledger) {
      const id = this.d.ledger.replay.saveResult({ dayId: result.day_id, label: name, savedAt, hash: result.hash, resultJson: JSON.stringify(result) });
      return { ...result, result_id: id, saved_at: savedAt, label: name };
    }
    const saved = { ...result, result_id: this.memoryResults.length + 1, saved_at: savedAt, label: name };
    this.memoryResults.unshift(saved);
    return saved;
  }

  results(limit = 100): ReplaySavedWire[] {
    if (!this.d.ledger) return this.memoryResults.slice(0, limit);
    return this.d.ledger.replay.results(limit).map((r) => ({ ...(JSON.parse(r.resultJson) as ReplayResultWire), result_id: r.resultId, saved_at: r.savedAt, label: r.label }));
  }

  async dispose(): Promise<void> {
    this.generation++;
    await this.session?.stop();
  }
}

function wireOf(day: ReplayDay): ReplayDayWire {
  return { id: day.id, label: day.label, kind: day.kind, synthetic: day.synthetic, venue: day.venue, date: day.date, steps: day.steps.length, symbols: day.symbols.length, first_at: day.steps[0]!.t, last_at: day.steps[day.steps.length - 1]!.t };
}
