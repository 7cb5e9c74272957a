/**
 * The monitoring cycle's records in the ledger (issue 17; spec §8, §10): `monitor_cycles` (one row
 * per finished cycle: its steps with status, reason, error, duration, note and actions — the v1
 * steps JSON shape, read by the AuditLedger too), `monitor_pnl` (step 2), `positions` with their
 * analytics (step 3), `entry_regenerate` (steps 8–9) and each account's settings (a `settings` row,
 * key `monitor.settings:<account>`). The MonitorStore of src/node/app/monitor/store.ts (structurally: the ledger does not import the app layer).
 *
 * Step 2 and step 3 each write in one transaction: all of the account's rows or none (a failure
 * rolls back and the previous rows stay).
 */
import { z } from 'zod';
import type { DayPnlRow } from '../../core/monitor/actions';
import type { MonitorActionWire, MonitorCycleWire, MonitorSettingsWire, MonitorStepName } from '../../shared/monitor';
import type { LedgerDb } from './ledger-db';
import type { SqliteSettingsLedger } from './tables/settings';
import { decimal, epochMs, int, isoOf, jsonText, msOf, optDecimal, optText, readJson, storedStepsSchema, text } from './values';

import type { PositionSyncRow, RegenerationRow } from '../../core/monitor/records';

/** The store's row types (core/monitor/records.ts), under the names the ledger's tests use. */
export type LedgerPositionSyncRow = PositionSyncRow;
export type LedgerRegenerationRow = RegenerationRow;

const SETTINGS_KEY = 'monitor.settings:';

const actionSchema = z.object({
  execution_id: z.string(),
  step: z.number(),
  kind: z.string(),
  symbol: z.string().nullable(),
  client_order_id: z.string().nullable(),
  linked_client_order_id: z.string().nullable(),
  outcome: z.string(),
  detail: z.string(),
  at: z.string(),
});
const detailSchema = z.object({
  reason: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  actions: z.array(actionSchema).optional(),
});

const settingsSchema = z
  .object({
    enabled: z.boolean(),
    interval_ms: z.number().int().positive(),
    earliest: z.string().nullable(),
    sl_tp: z.object({ stop_loss: z.any(), take_profit: z.any(), by_strategy: z.record(z.string(), z.any()) }),
    regenerate: z.object({ permitted: z.boolean(), strategies: z.array(z.string()), max_attempts: z.number().int().min(1) }),
    fresh_quote_wait_ms: z.number().int().min(0),
    paused: z.boolean(),
  })
  .partial();

export class SqliteMonitorStore {
  private readonly st;

  constructor(
    private readonly l: LedgerDb,
    private readonly settingsLedger: Pick<SqliteSettingsLedger, 'getSetting' | 'setSetting'>,
  ) {
    const s = (sql: string) => l.statement(sql);
    this.st = {
      insertCycle: s(
        `INSERT INTO monitor_cycles (account_id, started_at, started_at_ms, finished_at, duration_ms, outcome, error_count, steps, errors,
           execution_id, trigger, delayed_ms, summary, session_needed)
         VALUES (@account_id, @started_at, @started_at_ms, @finished_at, @duration_ms, @outcome, @error_count, @steps, @errors,
           @execution_id, @trigger, @delayed_ms, @summary, @session_needed)`,
      ),
      cycles: s(
        `SELECT * FROM monitor_cycles WHERE account_id = @account AND execution_id IS NOT NULL AND started_at_ms < @before
         ORDER BY started_at_ms DESC, cycle_id DESC LIMIT @limit`,
      ),
      deletePnl: s('DELETE FROM monitor_pnl WHERE account_id = ? AND trade_date = ?'),
      insertPnl: s(
        `INSERT INTO monitor_pnl (account_id, trade_date, symbol, bought_quantity, sold_quantity, open_quantity, avg_open_price, realized_pnl, multiplier, orders, cycle_id, computed_at)
         VALUES (@account_id, @trade_date, @symbol, @bought_quantity, @sold_quantity, @open_quantity, @avg_open_price, @realized_pnl, @multiplier, @orders, @cycle_id, @computed_at)`,
      ),
      pnl: s('SELECT * FROM monitor_pnl WHERE account_id = ? AND trade_date = ? ORDER BY symbol'),
      upsertPosition: s(
        `INSERT INTO positions (position_id, re_entry_num, account_id, symbol, side, status, quantity_total, quantity_closed, quantity_open, avg_entry_price,
           avg_exit_price, realized_pnl, fees, opened_at, opened_at_ms, closed_at, strategy_run_id, mark_price, pnl_abs, pnl_pct, analytics_reason, analytics_at, updated_at)
         VALUES (@position_id, @re_entry_num, @account_id, @symbol, @side, @status, @quantity_total, @quantity_closed, @quantity_open, @avg_entry_price,
           @avg_exit_price, @realized_pnl, @fees, @opened_at, @opened_at_ms, @closed_at, NULL, @mark_price, @pnl_abs, @pnl_pct, @analytics_reason, @analytics_at, @updated_at)
         ON CONFLICT (position_id, re_entry_num) DO UPDATE SET side = excluded.side, status = excluded.status, quantity_total = excluded.quantity_total,
           quantity_closed = excluded.quantity_closed, quantity_open = excluded.quantity_open, avg_entry_price = excluded.avg_entry_price,
           avg_exit_price = excluded.avg_exit_price, realized_pnl = excluded.realized_pnl, fees = excluded.fees, closed_at = excluded.closed_at,
           mark_price = excluded.mark_price, pnl_abs = excluded.pnl_abs, pnl_pct = excluded.pnl_pct, analytics_reason = excluded.analytics_reason,
           analytics_at = excluded.analytics_at, updated_at = excluded.updated_at`,
      ),
      positions: s('SELECT * FROM positions WHERE account_id = ? ORDER BY opened_at_ms, position_id, re_entry_num'),
      regens: s('SELECT * FROM entry_regenerate WHERE account_id = ? ORDER BY created_at, rejected_client_order_id'),
      insertRegen: s(
        `INSERT INTO entry_regenerate (rejected_client_order_id, account_id, new_client_order_id, strategy, attempt, cycle_id, created_at, status, reason, placed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)`,
      ),
      settleRegen: s('UPDATE entry_regenerate SET status = ?, reason = ?, placed_at = ? WHERE rejected_client_order_id = ?'),
    };
  }

  settings(account: string): (Partial<MonitorSettingsWire> & { paused?: boolean }) | null {
    const v = this.settingsLedger.getSetting(SETTINGS_KEY + account);
    if (v === null) return null;
    const r = settingsSchema.safeParse(v);
    // A stored value that does not read as settings is ignored (defaults apply), never guessed.
    return r.success ? (r.data as Partial<MonitorSettingsWire> & { paused?: boolean }) : null;
  }

  saveSettings(account: string, settings: MonitorSettingsWire & { paused?: boolean }, at: number): void {
    this.settingsLedger.setSetting(SETTINGS_KEY + account, JSON.parse(JSON.stringify(settings)) as never, at);
  }

  recordCycle(c: MonitorCycleWire): void {
    this.l.requireAccount('monitor_cycles.account_id', c.account);
    let t = c.started_at;
    const steps = c.steps.map((s) => {
      const started = t;
      t += s.duration_ms;
      return {
        step: s.step,
        name: s.name,
        status: s.status,
        started_at: isoOf(epochMs('monitor_cycles.steps.started_at', Math.round(started))),
        duration_ms: s.duration_ms,
        errors: s.error === null ? [] : [s.error],
        // (the ledger keeps times in JSON as ISO-8601 text)
        detail: { reason: s.reason, note: s.note, actions: s.actions.map((a) => ({ ...a, at: isoOf(epochMs('monitor_cycles.steps.actions.at', Math.round(a.at))) })) as unknown as never[] },
      };
    });
    const outcome = c.status === 'ok' ? 'ok' : c.status === 'errors' ? 'errors' : 'stopped';
    this.l.transaction(() =>
      this.st.insertCycle().run({
        account_id: text('monitor_cycles.account_id', c.account),
        started_at: isoOf(epochMs('monitor_cycles.started_at', Math.round(c.started_at))),
        started_at_ms: Math.round(c.started_at),
        finished_at: isoOf(epochMs('monitor_cycles.finished_at', Math.round(c.finished_at))),
        duration_ms: Math.max(0, Math.round(c.duration_ms)),
        outcome,
        error_count: c.errors.length,
        steps: jsonText('monitor_cycles.steps', steps, storedStepsSchema),
        errors: jsonText('monitor_cycles.errors', c.errors.map((e) => `step ${e.step} ${e.name}: ${e.message}`)),
        execution_id: text('monitor_cycles.execution_id', c.id),
        trigger: c.trigger,
        delayed_ms: c.delayed_ms === null ? null : Math.max(0, Math.round(c.delayed_ms)),
        summary: optText('monitor_cycles.summary', c.summary, 20_000),
        session_needed: c.status === 'session_needed' ? 1 : 0,
      }),
    );
  }

  cycles(account: string, limit: number, before?: number): MonitorCycleWire[] {
    const rows = this.st.cycles().all({ account, before: before ?? Number.MAX_SAFE_INTEGER, limit }) as Record<string, unknown>[];
    return rows.map((r) => this.toCycle(r));
  }

  private toCycle(r: Record<string, unknown>): MonitorCycleWire {
    const id = r.execution_id as string;
    const steps = readJson(`monitor_cycles.steps (cycle ${id})`, r.steps as string, storedStepsSchema).map((s) => {
      const d = detailSchema.safeParse(s.detail ?? {});
      const detail = d.success ? d.data : {};
      return {
        step: s.step,
        name: s.name as MonitorStepName,
        status: s.status,
        reason: detail.reason ?? null,
        error: s.errors[0] ?? null,
        duration_ms: s.duration_ms,
        note: detail.note ?? null,
        actions: (detail.actions ?? []).map((a) => ({ ...a, at: Date.parse(a.at) })) as MonitorActionWire[],
      };
    });
    const started = r.started_at_ms as number;
    const duration = r.duration_ms as number;
    const stopped = steps.find((s) => (s.step === 1 || s.step === 2) && s.status === 'failed');
    return {
      id,
      account: r.account_id as string,
      trigger: (r.trigger as 'schedule' | 'run_now' | null) ?? 'schedule',
      started_at: started,
      finished_at: msOf(r.finished_at as string),
      duration_ms: duration,
      status: (r.session_needed as number) === 1 ? 'session_needed' : (r.outcome as 'ok' | 'errors' | 'stopped'),
      stopped_at: stopped ? stopped.step : null,
      steps,
      errors: steps.filter((s) => s.error !== null).map((s) => ({ step: s.step, name: s.name, message: s.error! })),
      summary: (r.summary as string | null) ?? '',
      delayed_ms: (r.delayed_ms as number | null) ?? null,
    };
  }

  replaceDayPnl(account: string, tradeDate: string, rows: readonly DayPnlRow[], cycleId: string, at: number): void {
    const computed = isoOf(epochMs('monitor_pnl.computed_at', at));
    const params = rows.map((r, i) => ({
      account_id: text('monitor_pnl.account_id', account),
      trade_date: text('monitor_pnl.trade_date', tradeDate),
      symbol: text(`monitor_pnl[${i}].symbol`, r.symbol),
      bought_quantity: decimal(`monitor_pnl[${i}].bought_quantity`, r.boughtQuantity, 'nonNegative'),
      sold_quantity: decimal(`monitor_pnl[${i}].sold_quantity`, r.soldQuantity, 'nonNegative'),
      open_quantity: decimal(`monitor_pnl[${i}].open_quantity`, r.openQuantity),
      avg_open_price: optDecimal(`monitor_pnl[${i}].avg_open_price`, r.avgOpenPrice, 'nonNegative'),
      realized_pnl: decimal(`monitor_pnl[${i}].realized_pnl`, r.realizedPnl),
      multiplier: decimal(`monitor_pnl[${i}].multiplier`, r.multiplier, 'positive'),
      orders: int(`monitor_pnl[${i}].orders`, r.orders),
      cycle_id: text('monitor_pnl.cycle_id', cycleId),
      computed_at: computed,
    }));
    this.l.transaction(() => {
      this.st.deletePnl().run(account, tradeDate);
      for (const p of params) this.st.insertPnl().run(p);
    });
  }

  dayPnl(account: string, tradeDate: string): DayPnlRow[] {
    return (this.st.pnl().all(account, tradeDate) as Record<string, unknown>[]).map((r) => ({
      symbol: r.symbol as string,
      boughtQuantity: r.bought_quantity as string,
      soldQuantity: r.sold_quantity as string,
      openQuantity: r.open_quantity as string,
      avgOpenPrice: r.avg_open_price as string | null,
      realizedPnl: r.realized_pnl as string,
      multiplier: r.multiplier as string,
      orders: r.orders as number,
    }));
  }

  syncPositions(account: string, rows: readonly LedgerPositionSyncRow[], at: number): void {
    const iso = isoOf(epochMs('positions.analytics_at', at));
    const params = rows.map((p, i) => {
      const where = `positions[${i}] (${p.symbol})`;
      const mark = optDecimal(`${where}.mark_price`, p.markPrice, 'nonNegative');
      const pnlAbs = optDecimal(`${where}.pnl_abs`, p.pnlAbs);
      const pnlPct = optDecimal(`${where}.pnl_pct`, p.pnlPct);
      const reason = optText(`${where}.analytics_reason`, p.reason);
      if ((mark === null || pnlAbs === null || pnlPct === null) && reason === null) throw new Error(`${where}: an unknown (null) mark or P&L needs a reason; nothing was written`);
      const opened = epochMs(`${where}.opened_at`, p.openedAt);
      return {
        position_id: text(`${where}.position_id`, p.positionId),
        re_entry_num: int(`${where}.re_entry_num`, p.reEntryNum),
        account_id: account,
        symbol: p.symbol,
        side: p.side,
        status: p.status,
        quantity_total: decimal(`${where}.quantity_total`, p.quantityTotal, 'nonNegative'),
        quantity_closed: decimal(`${where}.quantity_closed`, p.quantityClosed, 'nonNegative'),
        quantity_open: decimal(`${where}.quantity_open`, p.quantityOpen, 'nonNegative'),
        avg_entry_price: optDecimal(`${where}.avg_entry_price`, p.avgEntryPrice),
        avg_exit_price: optDecimal(`${where}.avg_exit_price`, p.avgExitPrice),
        realized_pnl: decimal(`${where}.realized_pnl`, p.realizedPnl),
        fees: decimal(`${where}.fees`, p.fees),
        opened_at: isoOf(opened),
        opened_at_ms: opened,
        closed_at: p.closedAt === null ? null : isoOf(epochMs(`${where}.closed_at`, p.closedAt)),
        mark_price: mark,
        pnl_abs: pnlAbs,
        pnl_pct: pnlPct,
        analytics_reason: reason,
        analytics_at: iso,
        updated_at: iso,
      };
    });
    this.l.transaction(() => {
      this.l.requireAccount('positions.account_id', account);
      for (const p of params) this.st.upsertPosition().run(p);
    });
  }

  positions(account: string): LedgerPositionSyncRow[] {
    return (this.st.positions().all(account) as Record<string, unknown>[]).map((r) => ({
      positionId: r.position_id as string,
      reEntryNum: r.re_entry_num as number,
      symbol: r.symbol as string,
      side: r.side as 'long' | 'short',
      status: r.status as 'OPEN' | 'PARTIAL' | 'CLOSED',
      quantityTotal: r.quantity_total as string,
      quantityClosed: r.quantity_closed as string,
      quantityOpen: r.quantity_open as string,
      avgEntryPrice: r.avg_entry_price as string | null,
      avgExitPrice: r.avg_exit_price as string | null,
      realizedPnl: r.realized_pnl as string,
      fees: r.fees as string,
      openedAt: r.opened_at_ms as number,
      closedAt: r.closed_at === null ? null : msOf(r.closed_at as string),
      markPrice: r.mark_price as string | null,
      pnlAbs: r.pnl_abs as string | null,
      pnlPct: r.pnl_pct as string | null,
      reason: r.analytics_reason as string | null,
    }));
  }

  regenerations(account: string): LedgerRegenerationRow[] {
    return (this.st.regens().all(account) as Record<string, unknown>[]).map((r) => ({
      rejectedClientOrderId: r.rejected_client_order_id as string,
      account: r.account_id as string,
      newClientOrderId: r.new_client_order_id as string,
      strategy: r.strategy as string | null,
      attempt: r.attempt as number,
      cycleId: r.cycle_id as string,
      createdAt: msOf(r.created_at as string),
      status: r.status as LedgerRegenerationRow['status'],
      reason: r.reason as string | null,
      placedAt: r.placed_at === null ? null : msOf(r.placed_at as string),
    }));
  }

  addRegeneration(row: LedgerRegenerationRow): void {
    this.l.transaction(() =>
      this.st
        .insertRegen()
        .run(
          text('entry_regenerate.rejected_client_order_id', row.rejectedClientOrderId),
          text('entry_regenerate.account_id', row.account),
          text('entry_regenerate.new_client_order_id', row.newClientOrderId),
          optText('entry_regenerate.strategy', row.strategy, 64),
          int('entry_regenerate.attempt', row.attempt, 1),
          text('entry_regenerate.cycle_id', row.cycleId),
          isoOf(epochMs('entry_regenerate.created_at', row.createdAt)),
        ),
    );
  }

  settleRegeneration(rejectedClientOrderId: string, status: NonNullable<LedgerRegenerationRow['status']>, reason: string | null, at: number): void {
    this.l.transaction(() => {
      const r = this.st.settleRegen().run(status, optText('entry_regenerate.reason', reason), isoOf(epochMs('entry_regenerate.placed_at', at)), rejectedClientOrderId);
      if (r.changes === 0) throw new Error(`entry_regenerate: no regeneration of order ${rejectedClientOrderId}; nothing was written`);
    });
  }
}
