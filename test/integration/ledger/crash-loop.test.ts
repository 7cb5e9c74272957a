// kill -9 at random moments while a child writes orders, fills and audit rows: after every kill the
// ledger is intact and holds every fill the child had reported committed (spec §14, issue 4).
// More iterations: `npm run bench ledger`.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrashLoop, verifyLedger } from './crash-loop';
import { tempLedgerDir } from './helpers';

let tmp: ReturnType<typeof tempLedgerDir>;

beforeAll(() => {
  tmp = tempLedgerDir('ledger-crash-');
});

afterAll(() => tmp.cleanup());

describe('crash loop (SIGKILL)', () => {
  it('survives 50 kills: integrity ok, no reported fill lost, no half-written order or burst', async () => {
    const result = await runCrashLoop({ dir: tmp.dir, iterations: 50, seed: 20261120, maxKillDelayMs: 120 });
    expect(result.problems).toEqual([]);
    // The loop really exercised the ledger: the children committed work before being killed.
    expect(result.fillsReported).toBeGreaterThan(20);
    expect(result.ordersReported).toBeGreaterThan(10);
    expect(result.fillsStored).toBeGreaterThanOrEqual(result.fillsReported);
  }, 90_000);

  it('the checker itself catches a lost fill, a lost order, a half-written burst and an order off its history', () => {
    // Runs after the loop above: its ledger is known good, so any problem comes from what we add.
    const path = `${tmp.dir}/crash.sqlite`;
    expect(verifyLedger(path, new Set(), new Set()).problems).toEqual([]);
    expect(verifyLedger(path, new Set(), new Set(['never-committed-f0of1'])).problems).toEqual([expect.stringMatching(/1 reported fills missing/)]);
    expect(verifyLedger(path, new Set(['never-inserted-order']), new Set()).problems).toEqual([expect.stringMatching(/1 reported orders missing/)]);

    const db = new Database(path);
    const at = '2026-11-20T14:30:00.000Z';
    db.prepare(
      `INSERT INTO orders (client_order_id, account_id, symbol, side, quantity, order_type, status, filled_quantity, created_at, created_at_ms, updated_at)
       VALUES ('half', 'crash-acct', 'X', 'buy', '2', 'market', 'filled', '2', ?, 0, ?)`,
    ).run(at, at);
    db.prepare(`INSERT INTO order_events (client_order_id, at, at_ms, kind, to_status) VALUES ('half', ?, 0, 'created', 'pending_submit')`).run(at);
    db.prepare(
      `INSERT INTO fills (account_id, fill_id, client_order_id, position_id, re_entry_num, symbol, side, quantity, price, fee, fee_currency, filled_at, filled_at_ms, recorded_at)
       VALUES ('crash-acct', 'half-f0of2', 'half', 'p', 0, 'X', 'buy', '1', '1', '0', 'USD', ?, 0, ?)`,
    ).run(at, at);
    db.close();
    const problems = verifyLedger(path, new Set(), new Set()).problems;
    expect(problems).toContainEqual('order half: 1 of its 2 fills stored (half-written burst)');
    expect(problems).toContainEqual(expect.stringMatching(/orders disagreeing with their history: .*"id":"half"/));
  });
});
