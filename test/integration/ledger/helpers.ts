import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/ports/clock';
import type { FillRow, NewOrder } from '../../../src/core/ports/ledger-store';
import { SqliteLedgerStore, type SqliteLedgerOptions } from '../../../src/node/ledger/sqlite-ledger-store';

/** 2026-11-20 14:30 UTC (09:30 New York): a trading morning. */
export const T0 = Date.UTC(2026, 10, 20, 14, 30);

/** A temp directory per test; `cleanup` removes it and everything in it. */
export function tempLedgerDir(prefix = 'ledger-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name = 'ledger.sqlite') => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openStore(path: string, clock = new ManualClock(T0), extra: Partial<SqliteLedgerOptions> = {}): { store: SqliteLedgerStore; clock: ManualClock } {
  return { store: SqliteLedgerStore.open({ path, clock, ...extra }), clock };
}

export function seedAccount(store: SqliteLedgerStore, accountId = 'acct-1'): void {
  store.upsertAccount({ accountId, venue: 'sim', label: `Sim ${accountId}`, mode: 'paper' }, T0);
}

export function newOrder(over: Partial<NewOrder> = {}): NewOrder {
  return {
    clientOrderId: 'ord-1',
    accountId: 'acct-1',
    symbol: 'AAPL261218C00200000',
    side: 'sell',
    quantity: '2',
    orderType: 'limit',
    limitPrice: '181.60',
    retryCount: 0,
    strategyRunId: null,
    positionId: 'entry-2-pos1',
    reEntryNum: 0,
    reason: 'Entry 2 - Bullish',
    createdAt: T0,
    ...over,
  };
}

export function newFill(over: Partial<FillRow> = {}): FillRow {
  return {
    accountId: 'acct-1',
    fillId: 'fill-1',
    clientOrderId: null,
    brokerOrderId: null,
    positionId: 'entry-2-pos1',
    reEntryNum: 0,
    symbol: 'AAPL261218C00200000',
    side: 'sell',
    quantity: '1',
    price: '181.60',
    fee: '0.65',
    feeCurrency: 'USD',
    filledAt: T0 + 1_000,
    ...over,
  };
}
