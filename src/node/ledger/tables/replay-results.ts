/**
 * Replay (issue 21) on SQLite: saved run results (`replay_results`, append-only) and the days the
 * `recorded_quotes` table holds (per venue and UTC date), which the Replay page offers.
 */
import type { LedgerDb } from '../ledger-db';
import { LedgerError } from '../errors';
import { isoOf } from '../values';

export interface RecordedDayRow {
  venue: string;
  /** UTC date (YYYY-MM-DD). */
  date: string;
  quotes: number;
  /** Distinct receive instants (the replay's steps) and symbols. */
  steps: number;
  symbols: number;
  firstMs: number;
  lastMs: number;
}

export interface ReplayResultRow {
  resultId: number;
  dayId: string;
  label: string;
  savedAt: number;
  hash: string;
  resultJson: string;
}

export class SqliteReplayLedger {
  private readonly insert;
  private readonly list;
  private readonly days;

  constructor(
    private readonly l: LedgerDb,
    private readonly hasTable: boolean,
  ) {
    this.insert = l.statement('INSERT INTO replay_results (day_id, label, saved_at, saved_at_ms, hash, result_json) VALUES (?, ?, ?, ?, ?, ?)');
    this.list = l.statement('SELECT result_id, day_id, label, saved_at_ms, hash, result_json FROM replay_results ORDER BY result_id DESC LIMIT ?');
    this.days = l.statement(
      "SELECT venue, substr(received_at, 1, 10) AS day, count(*) AS n, count(DISTINCT received_at_ms) AS steps, count(DISTINCT symbol) AS symbols, min(received_at_ms) AS first_ms, max(received_at_ms) AS last_ms FROM recorded_quotes GROUP BY venue, day ORDER BY day DESC, venue",
    );
  }

  saveResult(r: { dayId: string; label: string; savedAt: number; hash: string; resultJson: string }): number {
    if (!this.hasTable) throw new LedgerError('invalid_value', 'replay_results: this ledger was opened with a schema that has no replay results');
    const info = this.insert().run(r.dayId, r.label, isoOf(r.savedAt), r.savedAt, r.hash, r.resultJson);
    return Number(info.lastInsertRowid);
  }

  results(limit: number): ReplayResultRow[] {
    if (!this.hasTable) return [];
    return (this.list().all(limit) as { result_id: number; day_id: string; label: string; saved_at_ms: number; hash: string; result_json: string }[]).map((r) => ({
      resultId: r.result_id,
      dayId: r.day_id,
      label: r.label,
      savedAt: r.saved_at_ms,
      hash: r.hash,
      resultJson: r.result_json,
    }));
  }

  recordedDays(): RecordedDayRow[] {
    return (this.days().all() as { venue: string; day: string; n: number; steps: number; symbols: number; first_ms: number; last_ms: number }[]).map((r) => ({
      venue: r.venue,
      date: r.day,
      quotes: r.n,
      steps: r.steps,
      symbols: r.symbols,
      firstMs: r.first_ms,
      lastMs: r.last_ms,
    }));
  }
}
