// Rebuild (issue item 5): positions and realized P&L recomputed from the fills table alone equal
// what was stored; a difference is reported field by field and can be repaired.
// The engine is the core's FIFO (src/core/pnl/fifo.ts) through the ledger's row adapter.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FillRow } from '../../../src/core/ports/ledger-store';
import { createFifoPositionEngine, RebuildError } from '../../../src/node/ledger/fifo-engine';
import { rebuildPositions } from '../../../src/node/ledger/rebuild';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { newFill, openStore, seedAccount, T0, tempLedgerDir } from './helpers';

// Multiplier 1 keeps the hand-computed figures below per unit; a separate test uses 100.
const engine = createFifoPositionEngine(() => 1);

// ------------------------------------------------------------------------------------- tests

let tmp: ReturnType<typeof tempLedgerDir>;
let path: string;
let store: SqliteLedgerStore;

/** The day's fills: a short straddle leg scaled out in two exits, a long re-entry, a second account. */
const day: FillRow[] = [
  newFill({ fillId: 'f1', side: 'sell', quantity: '2', price: '181.60', fee: '0.65', filledAt: T0 + 1_000 }),
  newFill({ fillId: 'f2', side: 'sell', quantity: '1', price: '182.00', fee: '0.35', filledAt: T0 + 2_000 }),
  newFill({ fillId: 'f3', side: 'buy', quantity: '1.5', price: '200.00', fee: '0.50', filledAt: T0 + 60_000 }),
  newFill({ fillId: 'f5', side: 'buy', quantity: '1.5', price: '150.25', fee: '0.50', filledAt: T0 + 120_000 }),
  // re-entry 1 opens after re-entry 0 has closed (the engine refuses a re-entry while the previous one is open)
  newFill({ fillId: 'f4', positionId: 'entry-2-pos1', reEntryNum: 1, side: 'buy', quantity: '1', price: '12.05', fee: '0.01', filledAt: T0 + 130_000 }),
  newFill({ fillId: 'f6', accountId: 'acct-2', positionId: 'p-delta', symbol: 'C-BTC-90000-310125', side: 'buy', quantity: '0.005', price: '1520.5', fee: '0.12', feeCurrency: 'USDT', filledAt: T0 + 5_000 }),
];

beforeEach(() => {
  tmp = tempLedgerDir('ledger-rebuild-');
  path = tmp.file();
  store = openStore(path).store;
  seedAccount(store);
  seedAccount(store, 'acct-2');
});

afterEach(() => {
  store.close();
  tmp.cleanup();
});

/** The live path: after every fill the engine runs on what is known so far and positions are upserted. */
function runLive(fills: FillRow[]): void {
  for (const f of fills) {
    store.recordFill(f);
    store.upsertPositions(engine(store.fillsForRebuild()), f.filledAt);
  }
}

describe('rebuildPositions with the core FIFO engine', () => {
  it('recomputes from fills alone exactly what was stored', () => {
    runLive(day);
    store.updatePositionAnalytics({ positionId: 'entry-2-pos1', reEntryNum: 1 }, { markPrice: '12.40', pnlAbs: '0.34', pnlPct: '2.82', reason: null, at: T0 + 135_000 });
    store.close();
    store = openStore(path).store; // from the file alone

    const result = rebuildPositions(store, engine);
    expect(result.mismatches).toEqual([]);
    expect(result.fillsRead).toBe(6);
    expect(result.written).toBe(false);
    const main = result.positions.find((p) => p.positionId === 'entry-2-pos1' && p.reEntryNum === 0)!;
    // Sold 2 @ 181.60 then 1 @ 182.00; bought back 1.5 @ 200.00 (from the first lot: -27.60) and
    // 1.5 @ 150.25 (0.5 from the first lot: +15.675, 1 from the second: +31.75); fees 2.00.
    expect(main).toMatchObject({ status: 'CLOSED', quantityClosed: '3', realizedPnl: '17.825', fees: '2', closedAt: T0 + 120_000 });
    expect(rebuildPositions(store, engine, { accountId: 'acct-2' }).positions.map((p) => p.positionId)).toEqual(['p-delta']);
  });

  it('feeds the engine fills in time order even when a late report arrived after later fills', () => {
    const late = day[5]!; // the second account's fill, filled at T0 + 5 s
    runLive(day.filter((f) => f !== late));
    store.recordFill(late); // reported late: stored last (highest seq), but filled second
    const seen: string[] = [];
    rebuildPositions(store, (fills) => {
      seen.push(...fills.map((f) => f.fillId));
      return engine(fills);
    });
    expect(store.fillsForRebuild().map((f) => [f.fillId, f.seq])).toContainEqual(['f6', 6]);
    expect(seen).toEqual(['f1', 'f2', 'f6', 'f3', 'f5', 'f4']);
  });

  it('reports every difference, and repairs with write while keeping analytics', () => {
    runLive(day);
    const key = { positionId: 'entry-2-pos1', reEntryNum: 1 };
    store.updatePositionAnalytics(key, { markPrice: '12.40', pnlAbs: '0.34', pnlPct: '2.82', reason: null, at: T0 + 95_000 });
    const db = new Database(path);
    db.prepare("UPDATE positions SET realized_pnl = '99.00', quantity_open = '1.000' WHERE position_id = 'entry-2-pos1' AND re_entry_num = 1").run();
    db.prepare(
      `INSERT INTO positions (position_id, re_entry_num, account_id, symbol, side, status, quantity_total, quantity_closed, quantity_open, realized_pnl, fees,
         opened_at, opened_at_ms, updated_at) VALUES ('ghost', 0, 'acct-1', 'X', 'long', 'OPEN', '1', '0', '1', '0', '0', '2026-11-20T14:30:00.000Z', 0,
         '2026-11-20T14:30:00.000Z')`,
    ).run();
    db.close();

    const report = rebuildPositions(store, engine);
    // '1.000' equals '1' as a decimal: only the real differences are reported.
    expect(report.mismatches).toEqual([
      { key, field: 'realizedPnl', stored: '99.00', rebuilt: '-0.01' },
      { key: { positionId: 'ghost', reEntryNum: 0 }, field: 'position', stored: 'present', rebuilt: null },
    ]);

    const repaired = rebuildPositions(store, engine, { write: { at: T0 + 200_000 } });
    expect(repaired.written).toBe(true);
    const row = store.getPosition(key)!;
    expect(row.realizedPnl).toBe('-0.01');
    expect(row.analytics?.markPrice).toBe('12.40');
    expect(rebuildPositions(store, engine).mismatches).toEqual([{ key: { positionId: 'ghost', reEntryNum: 0 }, field: 'position', stored: 'present', rebuilt: null }]);
  });

  it('reports a position that fills explain but the ledger lacks', () => {
    store.recordFills(day);
    const report = rebuildPositions(store, engine);
    expect(report.mismatches).toHaveLength(3);
    expect(report.mismatches.every((m) => m.field === 'position' && m.stored === null)).toBe(true);
  });

  it('uses the instrument multiplier and follows a flip through zero into the next re-entry', () => {
    const options = createFifoPositionEngine((f) => (/^[A-Z]+\d{6}[CP]\d{8}$/.test(f.symbol) ? 100 : 1));
    const sym = 'SPY261218C00600000';
    store.recordFills([
      newFill({ fillId: 'o1', positionId: 'spy-call', reEntryNum: 0, symbol: sym, side: 'buy', quantity: '2', price: '4.10', fee: '1.30', filledAt: T0 + 1_000 }),
      // sells 5: closes the 2 long (+0.40 × 2 × 100 = +80) and opens 3 short as re-entry 1
      newFill({ fillId: 'o2', positionId: 'spy-call', reEntryNum: 0, symbol: sym, side: 'sell', quantity: '5', price: '4.50', fee: '3.25', filledAt: T0 + 2_000 }),
    ]);
    const { positions } = rebuildPositions(store, options);
    const closed = positions.find((p) => p.reEntryNum === 0)!;
    const flipped = positions.find((p) => p.reEntryNum === 1)!;
    // fees: 1.30 on the opening fill; the flipping fill's 3.25 is split 2:3 by quantity (1.30 / 1.95)
    expect(closed).toMatchObject({ status: 'CLOSED', side: 'long', quantityClosed: '2', avgEntryPrice: '4.1', avgExitPrice: '4.5', realizedPnl: '77.4', fees: '2.6' });
    expect(flipped).toMatchObject({ status: 'OPEN', side: 'short', quantityOpen: '3', avgEntryPrice: '4.5', accountId: 'acct-1' });
  });

  it('refuses to rebuild from fills the engine rejects, naming them', () => {
    const dup = createFifoPositionEngine(() => 1);
    const rows = store.fillsForRebuild();
    expect(rows).toEqual([]);
    const fake = [{ ...newFill({ fillId: 'x1', side: 'buy', quantity: '1', price: '1', fee: '0', filledAt: T0 }), seq: 1, recordedAt: T0 }];
    expect(() => dup([...fake, { ...fake[0]!, seq: 2 }])).toThrow(RebuildError);
    expect(() => dup([...fake, { ...fake[0]!, seq: 2 }])).toThrow(/x1/);
  });
});
