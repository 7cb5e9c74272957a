/**
 * Where the monitoring cycle keeps what it records (spec §8, §10): every cycle with its steps, the
 * day's FIFO P&L of the broker's order book (step 2), the positions and their analytics (step 3),
 * the entry regenerations (steps 8–9) and each account's settings. The SQLite implementation is
 * src/node/ledger/tables/monitor.ts; this memory one serves a desk without a ledger and the tests.
 */
import type { DayPnlRow } from '../../../core/monitor/actions';
import type { MonitorCycleWire, MonitorSettingsWire } from '../../../shared/monitor';
import type { PositionSyncRow, RegenerationRow } from '../../../core/monitor/records';

export type { PositionSyncRow, RegenerationRow } from '../../../core/monitor/records';

export interface MonitorStore {
  /** The saved settings, and whether the user paused the account (kept across restarts). */
  settings(account: string): (Partial<MonitorSettingsWire> & { paused?: boolean }) | null;
  saveSettings(account: string, settings: MonitorSettingsWire & { paused?: boolean }, at: number): void;
  recordCycle(cycle: MonitorCycleWire): void;
  /** Newest first; `before`: cycles that started before it. */
  cycles(account: string, limit: number, before?: number): MonitorCycleWire[];
  /** Step 2: replaces the account's rows of `tradeDate` as a whole, in one transaction. */
  replaceDayPnl(account: string, tradeDate: string, rows: readonly DayPnlRow[], cycleId: string, at: number): void;
  dayPnl(account: string, tradeDate: string): DayPnlRow[];
  /** Step 3: every position of the account with its analytics, in one transaction (all or nothing). */
  syncPositions(account: string, rows: readonly PositionSyncRow[], at: number): void;
  positions(account: string): PositionSyncRow[];
  regenerations(account: string): RegenerationRow[];
  addRegeneration(row: RegenerationRow): void;
  settleRegeneration(rejectedClientOrderId: string, status: NonNullable<RegenerationRow['status']>, reason: string | null, at: number): void;
}

export class MemoryMonitorStore implements MonitorStore {
  private readonly settingsBy = new Map<string, MonitorSettingsWire & { paused?: boolean }>();
  private readonly cyclesBy = new Map<string, MonitorCycleWire[]>();
  private readonly pnl = new Map<string, DayPnlRow[]>();
  private readonly positionsBy = new Map<string, PositionSyncRow[]>();
  private readonly regens = new Map<string, RegenerationRow>();

  /** Cycles kept per account in memory (the SQLite store keeps them all). */
  constructor(private readonly keepCycles = 500) {}

  settings(account: string): (Partial<MonitorSettingsWire> & { paused?: boolean }) | null {
    return this.settingsBy.get(account) ?? null;
  }

  saveSettings(account: string, settings: MonitorSettingsWire & { paused?: boolean }): void {
    this.settingsBy.set(account, structuredClone(settings));
  }

  recordCycle(cycle: MonitorCycleWire): void {
    const list = this.cyclesBy.get(cycle.account) ?? [];
    if (list.some((c) => c.id === cycle.id)) throw new Error(`monitor cycle ${cycle.id} is already recorded`);
    list.unshift(structuredClone(cycle));
    if (list.length > this.keepCycles) list.length = this.keepCycles;
    this.cyclesBy.set(cycle.account, list);
  }

  cycles(account: string, limit: number, before?: number): MonitorCycleWire[] {
    return (this.cyclesBy.get(account) ?? []).filter((c) => before === undefined || c.started_at < before).slice(0, limit);
  }

  replaceDayPnl(account: string, tradeDate: string, rows: readonly DayPnlRow[]): void {
    this.pnl.set(`${account}|${tradeDate}`, [...rows]);
  }

  dayPnl(account: string, tradeDate: string): DayPnlRow[] {
    return [...(this.pnl.get(`${account}|${tradeDate}`) ?? [])];
  }

  syncPositions(account: string, rows: readonly PositionSyncRow[]): void {
    const next = new Map((this.positionsBy.get(account) ?? []).map((r) => [`${r.positionId}#${r.reEntryNum}`, r]));
    for (const r of rows) next.set(`${r.positionId}#${r.reEntryNum}`, { ...r });
    this.positionsBy.set(account, [...next.values()]);
  }

  positions(account: string): PositionSyncRow[] {
    return [...(this.positionsBy.get(account) ?? [])];
  }

  regenerations(account: string): RegenerationRow[] {
    return [...this.regens.values()].filter((r) => r.account === account);
  }

  addRegeneration(row: RegenerationRow): void {
    if (this.regens.has(row.rejectedClientOrderId)) throw new Error(`order ${row.rejectedClientOrderId} is already regenerated`);
    this.regens.set(row.rejectedClientOrderId, { ...row });
  }

  settleRegeneration(rejectedClientOrderId: string, status: NonNullable<RegenerationRow['status']>, reason: string | null, at: number): void {
    const r = this.regens.get(rejectedClientOrderId);
    if (!r) throw new Error(`no regeneration of order ${rejectedClientOrderId}`);
    this.regens.set(rejectedClientOrderId, { ...r, status, reason, placedAt: at });
  }
}
