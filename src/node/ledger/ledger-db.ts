/**
 * What the SQLite table families share inside the adapter (never exported through a port): the
 * durable connection, its transactions, lazily prepared statements and the cross-family reference
 * checks (an order, fill, position, run or cycle names an existing account).
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports/clock';
import type { StrategyRunStatus, TimeRange, VenueId } from '../../core/ports/ledger-store';
import { LedgerError } from './errors';
import { epochMs, isoOf, show } from './values';

export class LedgerDb {
  constructor(
    readonly db: Database.Database,
    readonly clock: Clock,
  ) {}

  /** A statement prepared on first use and then reused (a ledger opened with an older schema lacks some tables). */
  statement(sql: string): () => Database.Statement {
    let stmt: Database.Statement | null = null;
    return () => (stmt ??= this.db.prepare(sql));
  }

  private readonly accountExists = this.statement('SELECT 1 FROM accounts WHERE account_id = ?');
  private readonly runExists = this.statement('SELECT 1 FROM strategy_runs WHERE run_id = ?');

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  requireAccount(where: string, accountId: string): void {
    if (!this.accountExists().get(accountId)) throw new LedgerError('not_found', `${where}: no account ${show(accountId)}; nothing was written`);
  }

  hasStrategyRun(runId: string): boolean {
    return this.runExists().get(runId) !== undefined;
  }
}

export const VENUES: readonly VenueId[] = ['sim', 'alpaca', 'smartapi', 'delta'];
export const RUN_STATUSES: readonly StrategyRunStatus[] = ['waiting', 'entering', 'live', 'exiting', 'cooldown', 'halted', 'error'];
export const SIDES = ['buy', 'sell'] as const;

export function range(where: string, r: TimeRange): { from: number; to: number } {
  const from = epochMs(`${where} range.fromMs`, r.fromMs);
  const to = epochMs(`${where} range.toMs`, r.toMs);
  if (to < from) throw new LedgerError('invalid_value', `${where}: range ends (${isoOf(to)}) before it starts (${isoOf(from)})`);
  return { from, to };
}

export function notFound(what: string, id: string): LedgerError {
  return new LedgerError('not_found', `no ${what} ${show(id)}`);
}
