/** `positions` on SQLite: the PositionLedger port. */
import type { EpochMs, PositionAnalytics, PositionKey, PositionLedger, PositionRow, PositionState } from '../../../core/ports/ledger-store';
import { LedgerError } from '../errors';
import { notFound, type LedgerDb } from '../ledger-db';
import { rowMapper } from '../row-mapper';
import { decimal, epochMs, int, isoOf, oneOf, optDecimal, optEpochMs, optIsoOf, optText, record, text } from '../values';

const toPositionState = rowMapper<PositionRow>(
  `position_id re_entry_num account_id symbol side status quantity_total quantity_closed quantity_open avg_entry_price avg_exit_price
   realized_pnl fees opened_at:time closed_at:time? strategy_run_id updated_at:time`,
);
const toAnalytics = rowMapper<PositionAnalytics>('mark_price pnl_abs pnl_pct analytics_reason>reason analytics_at>at:time');

function toPosition(r: Record<string, unknown>): PositionRow {
  const p = toPositionState(r);
  p.analytics = r.analytics_at === null ? null : toAnalytics(r);
  return p;
}

export class SqlitePositionLedger implements PositionLedger {
  private readonly st;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    this.st = {
      upsertPosition: s(
        `INSERT INTO positions (position_id, re_entry_num, account_id, symbol, side, status, quantity_total, quantity_closed, quantity_open, avg_entry_price,
           avg_exit_price, realized_pnl, fees, opened_at, opened_at_ms, closed_at, strategy_run_id, updated_at)
         VALUES (@position_id, @re_entry_num, @account_id, @symbol, @side, @status, @quantity_total, @quantity_closed, @quantity_open, @avg_entry_price,
           @avg_exit_price, @realized_pnl, @fees, @opened_at, @opened_at_ms, @closed_at, @strategy_run_id, @updated_at)
         ON CONFLICT (position_id, re_entry_num) DO UPDATE SET account_id = excluded.account_id, symbol = excluded.symbol, side = excluded.side,
           status = excluded.status, quantity_total = excluded.quantity_total, quantity_closed = excluded.quantity_closed,
           quantity_open = excluded.quantity_open, avg_entry_price = excluded.avg_entry_price, avg_exit_price = excluded.avg_exit_price,
           realized_pnl = excluded.realized_pnl, fees = excluded.fees, opened_at = excluded.opened_at, opened_at_ms = excluded.opened_at_ms,
           closed_at = excluded.closed_at, strategy_run_id = excluded.strategy_run_id, updated_at = excluded.updated_at`,
      ),
      updateAnalytics: s(
        `UPDATE positions SET mark_price = ?, pnl_abs = ?, pnl_pct = ?, analytics_reason = ?, analytics_at = ?, updated_at = ?
         WHERE position_id = ? AND re_entry_num = ?`,
      ),
      getPosition: s('SELECT * FROM positions WHERE position_id = ? AND re_entry_num = ?'),
      listPositions: s('SELECT * FROM positions WHERE (@account IS NULL OR account_id = @account) ORDER BY opened_at_ms, position_id, re_entry_num'),
      openPositions: s(
        `SELECT * FROM positions WHERE status IN ('OPEN', 'PARTIAL') AND (@account IS NULL OR account_id = @account) ORDER BY opened_at_ms, position_id, re_entry_num`,
      ),
    };
  }

  upsertPositions(positions: readonly PositionState[], at: EpochMs): void {
    const iso = isoOf(epochMs('positions.updated_at', at));
    const rows = positions.map((p, i) => positionParams(p, positions.length > 1 ? `positions[${i}]` : 'positions'));
    this.l.transaction(() => {
      for (const p of rows) {
        this.l.requireAccount('positions.account_id', p.account_id);
        this.st.upsertPosition().run({ ...p, updated_at: iso });
      }
    });
  }

  updatePositionAnalytics(key: PositionKey, analytics: PositionAnalytics): PositionRow {
    const a = record('positions analytics', analytics);
    const mark = optDecimal('positions.mark_price', a.markPrice, 'nonNegative');
    const pnlAbs = optDecimal('positions.pnl_abs', a.pnlAbs);
    const pnlPct = optDecimal('positions.pnl_pct', a.pnlPct);
    const reason = optText('positions.analytics_reason', a.reason);
    const iso = isoOf(epochMs('positions.analytics_at', a.at));
    if ((mark === null || pnlAbs === null || pnlPct === null) && reason === null) {
      throw new LedgerError('invalid_value', 'positions.analytics_reason: an unknown (null) mark or P&L needs a reason; nothing was written');
    }
    return this.l.transaction(() => {
      const r = this.st.updateAnalytics().run(mark, pnlAbs, pnlPct, reason, iso, iso, key.positionId, key.reEntryNum);
      if (r.changes === 0) throw notFound('position', `${key.positionId}#${key.reEntryNum}`);
      return this.getPosition(key)!;
    });
  }

  getPosition(key: PositionKey): PositionRow | null {
    const r = this.st.getPosition().get(key.positionId, key.reEntryNum) as Record<string, unknown> | undefined;
    return r ? toPosition(r) : null;
  }

  listPositions(opts: { accountId?: string } = {}): PositionRow[] {
    return (this.st.listPositions().all({ account: opts.accountId ?? null }) as Record<string, unknown>[]).map(toPosition);
  }

  openPositions(opts: { accountId?: string } = {}): PositionRow[] {
    return (this.st.openPositions().all({ account: opts.accountId ?? null }) as Record<string, unknown>[]).map(toPosition);
  }
}

function positionParams(position: PositionState, where: string) {
  const p = record(where, position);
  const openedMs = epochMs(`${where}.opened_at`, p.openedAt);
  return {
    position_id: text(`${where}.position_id`, p.positionId),
    re_entry_num: int(`${where}.re_entry_num`, p.reEntryNum),
    account_id: text(`${where}.account_id`, p.accountId),
    symbol: text(`${where}.symbol`, p.symbol),
    side: oneOf(`${where}.side`, p.side, ['long', 'short'] as const),
    status: oneOf(`${where}.status`, p.status, ['OPEN', 'PARTIAL', 'CLOSED'] as const),
    quantity_total: decimal(`${where}.quantity_total`, p.quantityTotal, 'nonNegative'),
    quantity_closed: decimal(`${where}.quantity_closed`, p.quantityClosed, 'nonNegative'),
    quantity_open: decimal(`${where}.quantity_open`, p.quantityOpen, 'nonNegative'),
    avg_entry_price: optDecimal(`${where}.avg_entry_price`, p.avgEntryPrice),
    avg_exit_price: optDecimal(`${where}.avg_exit_price`, p.avgExitPrice),
    realized_pnl: decimal(`${where}.realized_pnl`, p.realizedPnl),
    fees: decimal(`${where}.fees`, p.fees),
    opened_at: isoOf(openedMs),
    opened_at_ms: openedMs,
    closed_at: optIsoOf(optEpochMs(`${where}.closed_at`, p.closedAt)),
    strategy_run_id: optText(`${where}.strategy_run_id`, p.strategyRunId, 200),
  };
}
