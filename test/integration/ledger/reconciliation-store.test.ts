// The reconciler's resolutions in the ledger (settings rows): durable across a reopen, the latest per
// line in force, per account; an entry that does not read as a resolution is ignored (the line then
// blocks again), never guessed.
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerReconciliationStore } from '../../../src/node/ledger/reconciliation-store';
import { openStore, tempLedgerDir, T0 } from './helpers';

const tmp = tempLedgerDir('recon-store-');
afterAll(() => tmp.cleanup());

describe('LedgerReconciliationStore', () => {
  it('keeps the latest resolution per line and account, across a reopen', () => {
    const path = tmp.file('a.sqlite');
    const { store } = openStore(path);
    const r = new LedgerReconciliationStore(store.settings);
    r.record('acc1', { lineId: 'position:SPY', fingerprint: 'f1', action: 'keep_local', at: T0, note: 'kept' });
    r.record('acc1', { lineId: 'position:SPY', fingerprint: 'f2', action: 'close', at: T0 + 1000, note: null });
    r.record('acc1', { lineId: 'order:x', fingerprint: 'g', action: 'keep_local', at: T0, note: null });
    r.record('acc2', { lineId: 'position:SPY', fingerprint: 'h', action: 'keep_local', at: T0, note: null });
    store.close();
    const { store: again } = openStore(path);
    const r2 = new LedgerReconciliationStore(again.settings);
    expect([...r2.resolutions('acc1').values()]).toEqual([
      { lineId: 'position:SPY', fingerprint: 'f2', action: 'close', at: T0 + 1000, note: null },
      { lineId: 'order:x', fingerprint: 'g', action: 'keep_local', at: T0, note: null },
    ]);
    expect(r2.resolutions('acc2').get('position:SPY')?.fingerprint).toBe('h');
    expect(r2.resolutions('nobody').size).toBe(0);
    again.close();
  });

  it('ignores entries that do not read as resolutions', () => {
    const { store } = openStore(tmp.file('b.sqlite'));
    store.settings.setSetting('reconciliation.resolutions:acc1', { 'position:SPY': { fingerprint: 'f', action: 'obliterate', resolved_at: '2026-11-20T14:30:00.000Z', note: null }, 'position:QQQ': { fingerprint: 'q', action: 'keep_local', resolved_at: '2026-11-20T14:30:00.000Z', note: null } }, T0);
    expect([...new LedgerReconciliationStore(store.settings).resolutions('acc1').keys()]).toEqual(['position:QQQ']);
    store.close();
  });
});
