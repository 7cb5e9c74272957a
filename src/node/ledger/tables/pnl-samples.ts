/** `pnl_samples` (batched) on SQLite: the PnlSampleLedger port. */
import type { PnlSampleInput, PnlSampleLedger, PnlSampleRow, TimeRange } from '../../../core/ports/ledger-store';
import type { BatchWriter } from '../batch-writer';
import { LedgerError } from '../errors';
import { range, type LedgerDb } from '../ledger-db';
import { rowMapper } from '../row-mapper';
import { decimal, epochMs, isoOf, optDecimal, optText, record, text } from '../values';

const toSample = rowMapper<PnlSampleRow>('sample_id scope at:time realized unrealized total unknown_reason');

export class SqlitePnlSampleLedger implements PnlSampleLedger {
  private readonly curve;
  private readonly sink: number;

  constructor(
    l: LedgerDb,
    private readonly batch: BatchWriter,
  ) {
    this.curve = l.statement('SELECT * FROM pnl_samples WHERE scope = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, sample_id');
    this.sink = batch.register(
      'pnl_samples',
      `INSERT INTO pnl_samples (scope, at, at_ms, realized, unrealized, total, unknown_reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  appendPnlSample(sample: PnlSampleInput): void {
    const s = record('pnl_samples', sample);
    const atMs = epochMs('pnl_samples.at', s.at);
    const unrealized = optDecimal('pnl_samples.unrealized', s.unrealized);
    const total = optDecimal('pnl_samples.total', s.total);
    const reason = optText('pnl_samples.unknown_reason', s.unknownReason);
    if ((unrealized === null || total === null) && reason === null) {
      throw new LedgerError('invalid_value', 'pnl_samples.unknown_reason: an unknown (null) unrealized or total P&L needs a reason; nothing was written');
    }
    this.batch.append(this.sink, [text('pnl_samples.scope', s.scope), isoOf(atMs), atMs, decimal('pnl_samples.realized', s.realized), unrealized, total, reason]);
  }

  pnlCurve(scope: string, day: TimeRange): PnlSampleRow[] {
    const { from, to } = range('pnl_samples.at', day);
    return (this.curve().all(scope, from, to) as Record<string, unknown>[]).map(toSample);
  }
}
