import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openStore, tempLedgerDir } from './helpers';
import { InstrumentMaster, istDay, loadMaster } from '../../../src/node/venues/smartapi/master';
import { SqliteMasterStore } from '../../../src/node/ledger/smartapi-master-store';
import { NseSimModel } from '../../../src/node/venues/sim/nse/model';
import { parseNseSymbol } from '../../../src/core/model/nse';

const T0 = Date.UTC(2026, 11, 7, 4, 0); // Mon 7 Dec 2026, 09:30 IST
const tmp = tempLedgerDir('smartapi-master-');

describe('SmartAPI instrument master', () => {
  const rows = new NseSimModel(3, T0).master();

  it('builds instruments from master rows: token, lot size = multiplier, tick in rupees, segment; symbols round-trip with the NSE model', () => {
    const m = InstrumentMaster.fromJson([...rows, { token: 'x' }, { token: '1', symbol: 'GOLD', name: 'GOLD', expiry: '', strike: '-1', lotsize: '1', instrumenttype: 'FUTCOM', exch_seg: 'MCX', tick_size: '100' }]);
    expect(m.size).toBe(rows.length);
    expect(m.skipped).toBe(1); // the invalid row; the MCX row is outside the segments taken
    const ce = m.search({ name: 'nifty', right: 'call', strike: 24500 })[0]!;
    expect(ce).toMatchObject({ kind: 'option', lotSize: 65, exchange: 'NFO', tickSize: 500_000_000n, multiplier: 65_000_000n });
    expect(ce.expiry!.date).toBe('2026-12-08'); // the next Tuesday
    const r = parseNseSymbol(ce.symbol, { master: m.bySymbol(ce.symbol)!.record });
    expect(r).toMatchObject({ name: 'NIFTY', right: 'call', expiryDate: '2026-12-08' });
    expect(m.search({ name: 'BANKNIFTY', kind: 'option', expiry: '2026-12-15' })).toHaveLength(42);
    expect(m.instrument('NIFTY')).toMatchObject({ kind: 'index', token: '26000' });
    expect(m.search({ name: 'BANKNIFTY', kind: 'option' })[0]!.lotSize).toBe(30);
    expect(() => InstrumentMaster.fromJson({ not: 'an array' })).toThrow(/expected a JSON array/);
    // Angel's own index rows may say tick_size "-1": the index is kept (never traded), tick one paisa
    const idx = InstrumentMaster.fromJson([{ token: '99926000', symbol: 'Nifty 50', name: 'NIFTY', expiry: '', strike: '-1.000000', lotsize: '1', instrumenttype: 'AMXIDX', exch_seg: 'NSE', tick_size: '-1.000000' }]);
    expect(idx.instrument('Nifty 50')).toMatchObject({ kind: 'index', tickSize: 100_000_000n, token: '99926000' });
  });

  it('is cached in the ledger and refreshed once per IST day', async () => {
    const path = tmp.file();
    openStore(path).store.close();
    const db = new Database(path);
    try {
      const store = new SqliteMasterStore(db);
      let downloads = 0;
      const fetchJson = async () => {
        downloads++;
        return rows;
      };
      const a = await loadMaster({ url: 'u', now: T0, cache: store, fetchJson });
      const b = await loadMaster({ url: 'u', now: T0 + 3600_000, cache: store, fetchJson });
      expect(downloads).toBe(1);
      expect(b.size).toBe(a.size);
      expect(b.fetchedDay).toBe(istDay(T0));
      await loadMaster({ url: 'u', now: T0 + 24 * 3600_000, cache: store, fetchJson });
      expect(downloads).toBe(2);
      // a failed download falls back to the older cache, saying so
      const warnings: string[] = [];
      const c = await loadMaster({ url: 'u', now: T0 + 48 * 3600_000, cache: store, fetchJson: () => Promise.reject(new Error('offline')), onWarning: (w) => warnings.push(w) });
      expect(c.size).toBe(a.size);
      expect(warnings[0]).toMatch(/download failed \(offline\); using the cached master of 2026-12-08/);
      expect((db.prepare('SELECT rows FROM smartapi_master_meta').get() as { rows: number }).rows).toBe(rows.length);
    } finally {
      db.close();
      tmp.cleanup();
    }
  });
});
