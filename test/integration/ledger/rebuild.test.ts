// Rebuild (issue item 5): positions and realized P&L recomputed from the fills table alone equal
// what was stored; a difference is reported field by field and can be repaired.
//
// ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
// │ STAND-IN FIFO ENGINE. `stubFifo` below is NOT the desk's FIFO logic: the real engine is being │
// │ written in parallel in src/core/pnl and is not on this branch. It exists only so this test    │
// │ can exercise rebuildPositions(store, engine). After merging, wire the core's engine in and   │
// │ replace this stub (and these expectations) with it — the core's FIFO is the single one.      │
// └──────────────────────────────────────────────────────────────────────────────────────────────┘
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FillRow, PositionEngine, PositionState, StoredFillRow } from '../../../src/core/ports/ledger-store';
import { rebuildPositions } from '../../../src/node/ledger/rebuild';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { newFill, openStore, seedAccount, T0, tempLedgerDir } from './helpers';

// ------------------------------------------------------------------ STAND-IN FIFO (test only)

const SCALE = 10n ** 8n;
const toFixed = (d: string): bigint => {
  const neg = d.startsWith('-');
  const [i, f = ''] = (neg ? d.slice(1) : d).split('.');
  const v = BigInt(i!) * SCALE + BigInt((f + '00000000').slice(0, 8));
  return neg ? -v : v;
};
const fromFixed = (v: bigint): string => {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % SCALE).toString().padStart(8, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / SCALE}${frac ? `.${frac}` : ''}`;
};
const mul = (a: bigint, b: bigint) => (a * b) / SCALE;
const div = (a: bigint, b: bigint) => (a * SCALE) / b;

/** Stand-in only (see the banner): FIFO lots per (position_id, re_entry_num), no flips, no multiplier. */
const stubFifo: PositionEngine = (fills) => {
  const groups = new Map<string, StoredFillRow[]>();
  for (const f of fills) {
    const k = `${f.positionId}#${f.reEntryNum}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const out: PositionState[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const openSide = first.side;
    const lots: { qty: bigint; price: bigint }[] = [];
    let total = 0n, closed = 0n, entryNotional = 0n, exitNotional = 0n, realized = 0n, fees = 0n;
    let closedAt: number | null = null;
    for (const f of group) {
      const qty = toFixed(f.quantity);
      const price = toFixed(f.price);
      fees += toFixed(f.fee);
      if (f.side === openSide) {
        lots.push({ qty, price });
        total += qty;
        entryNotional += mul(qty, price);
        continue;
      }
      let left = qty;
      while (left > 0n) {
        const lot = lots[0];
        if (!lot) throw new Error('stub FIFO does not flip through zero');
        const take = left < lot.qty ? left : lot.qty;
        const pnlPerUnit = openSide === 'buy' ? price - lot.price : lot.price - price;
        realized += mul(take, pnlPerUnit);
        lot.qty -= take;
        left -= take;
        if (lot.qty === 0n) lots.shift();
      }
      closed += qty;
      exitNotional += mul(qty, price);
      closedAt = f.filledAt;
    }
    const open = total - closed;
    out.push({
      positionId: first.positionId,
      reEntryNum: first.reEntryNum,
      accountId: first.accountId,
      symbol: first.symbol,
      side: openSide === 'buy' ? 'long' : 'short',
      status: open === 0n ? 'CLOSED' : closed > 0n ? 'PARTIAL' : 'OPEN',
      quantityTotal: fromFixed(total),
      quantityClosed: fromFixed(closed),
      quantityOpen: fromFixed(open),
      avgEntryPrice: fromFixed(div(entryNotional, total)),
      avgExitPrice: closed > 0n ? fromFixed(div(exitNotional, closed)) : null,
      realizedPnl: fromFixed(realized - fees),
      fees: fromFixed(fees),
      openedAt: first.filledAt,
      closedAt: open === 0n ? closedAt : null,
      strategyRunId: null,
    });
  }
  return out;
};

// ------------------------------------------------------------------------------------- tests

let tmp: ReturnType<typeof tempLedgerDir>;
let path: string;
let store: SqliteLedgerStore;

/** The day's fills: a short straddle leg scaled out in two exits, a long re-entry, a second account. */
const day: FillRow[] = [
  newFill({ fillId: 'f1', side: 'sell', quantity: '2', price: '181.60', fee: '0.65', filledAt: T0 + 1_000 }),
  newFill({ fillId: 'f2', side: 'sell', quantity: '1', price: '182.00', fee: '0.35', filledAt: T0 + 2_000 }),
  newFill({ fillId: 'f3', side: 'buy', quantity: '1.5', price: '200.00', fee: '0.50', filledAt: T0 + 60_000 }),
  newFill({ fillId: 'f4', positionId: 'entry-2-pos1', reEntryNum: 1, side: 'buy', quantity: '1', price: '12.05', fee: '0.01', filledAt: T0 + 90_000 }),
  newFill({ fillId: 'f5', side: 'buy', quantity: '1.5', price: '150.25', fee: '0.50', filledAt: T0 + 120_000 }),
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
    store.upsertPositions(stubFifo(store.fillsForRebuild()), f.filledAt);
  }
}

describe('rebuildPositions (with a STAND-IN FIFO engine)', () => {
  it('recomputes from fills alone exactly what was stored', () => {
    runLive(day);
    store.updatePositionAnalytics({ positionId: 'entry-2-pos1', reEntryNum: 1 }, { markPrice: '12.40', pnlAbs: '0.34', pnlPct: '2.82', reason: null, at: T0 + 95_000 });
    store.close();
    store = openStore(path).store; // from the file alone

    const result = rebuildPositions(store, stubFifo);
    expect(result.mismatches).toEqual([]);
    expect(result.fillsRead).toBe(6);
    expect(result.written).toBe(false);
    const main = result.positions.find((p) => p.positionId === 'entry-2-pos1' && p.reEntryNum === 0)!;
    // Sold 2 @ 181.60 then 1 @ 182.00; bought back 1.5 @ 200.00 (from the first lot: -27.60) and
    // 1.5 @ 150.25 (0.5 from the first lot: +15.675, 1 from the second: +31.75); fees 2.00.
    expect(main).toMatchObject({ status: 'CLOSED', quantityClosed: '3', realizedPnl: '17.825', fees: '2', closedAt: T0 + 120_000 });
    expect(rebuildPositions(store, stubFifo, { accountId: 'acct-2' }).positions.map((p) => p.positionId)).toEqual(['p-delta']);
  });

  it('feeds the engine fills in time order even when a late report arrived after later fills', () => {
    const late = day[3]!; // the re-entry fill
    runLive(day.filter((f) => f !== late));
    store.recordFill(late); // reported late: stored last (highest seq), but filled second
    const seen: string[] = [];
    rebuildPositions(store, (fills) => {
      seen.push(...fills.map((f) => f.fillId));
      return stubFifo(fills);
    });
    expect(store.fillsForRebuild().map((f) => [f.fillId, f.seq])).toContainEqual(['f4', 6]);
    expect(seen).toEqual(['f1', 'f2', 'f6', 'f3', 'f4', 'f5']);
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

    const report = rebuildPositions(store, stubFifo);
    // '1.000' equals '1' as a decimal: only the real differences are reported.
    expect(report.mismatches).toEqual([
      { key, field: 'realizedPnl', stored: '99.00', rebuilt: '-0.01' },
      { key: { positionId: 'ghost', reEntryNum: 0 }, field: 'position', stored: 'present', rebuilt: null },
    ]);

    const repaired = rebuildPositions(store, stubFifo, { write: { at: T0 + 200_000 } });
    expect(repaired.written).toBe(true);
    const row = store.getPosition(key)!;
    expect(row.realizedPnl).toBe('-0.01');
    expect(row.analytics?.markPrice).toBe('12.40');
    expect(rebuildPositions(store, stubFifo).mismatches).toEqual([{ key: { positionId: 'ghost', reEntryNum: 0 }, field: 'position', stored: 'present', rebuilt: null }]);
  });

  it('reports a position that fills explain but the ledger lacks', () => {
    store.recordFills(day);
    const report = rebuildPositions(store, stubFifo);
    expect(report.mismatches).toHaveLength(3);
    expect(report.mismatches.every((m) => m.field === 'position' && m.stored === null)).toBe(true);
  });
});
