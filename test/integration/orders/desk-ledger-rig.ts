/**
 * A desk on the simulated venue with a real SQLite ledger wired as the headless desk wires it (fills,
 * order journal, accounts), for the order path's desk-level tests; closed after each test.
 */
import { afterEach } from 'vitest';
import { createDesk, type Desk, type DeskDeps } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { tempLedgerDir } from '../ledger/helpers';
export { waitFor, command } from '../../helpers/desk-wait';

const open: { desk: Desk; store: SqliteLedgerStore; tmp: ReturnType<typeof tempLedgerDir> }[] = [];

/** Registers the cleanup (call once at the top of a test file). */
export function useDeskLedgers(): void {
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.desk.dispose();
      o.store.close();
      o.tmp.cleanup();
    }
  });
}

/** A desk (sim, SPY watchlist, 20 ms sim interval) on a fresh SQLite ledger; `config` adds to the desk's. */
export function deskWithLedger(prefix: string, config: DeskDeps['config'] = {}): { desk: Desk; store: SqliteLedgerStore } {
  const tmp = tempLedgerDir(prefix);
  const clock = new SystemClock();
  const store = SqliteLedgerStore.open({ path: tmp.file(), clock });
  const desk = createDesk({
    clock,
    portfolioPath: null,
    config: { simIntervalMs: 20, watchlist: ['SPY'], ...config },
    accountLedger: store.accounts,
    fillLedger: store.orders,
    orderJournal: store.orderJournal,
  });
  open.push({ desk, store, tmp });
  return { desk, store };
}

