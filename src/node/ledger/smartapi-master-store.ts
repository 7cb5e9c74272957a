/**
 * The SmartAPI instrument master cache in the ledger database (tables of migration `smartapi_master`):
 * the venue loads today's (IST) master from here instead of downloading it again, and falls back to an
 * older one when the download fails (venues/smartapi/master.ts loadMaster).
 */
import type Database from 'better-sqlite3';
import type { ScripMasterRecord } from '../../core/model/nse';

/** The IST calendar day (YYYY-MM-DD) of an instant: the master is refreshed once per such day. */
export function istDay(epochMs: number): string {
  return new Date(epochMs + 5.5 * 3600_000).toISOString().slice(0, 10);
}

/** The master cache in the ledger database (tables of migration `smartapi_master`). */
export class SqliteMasterStore {
  constructor(private readonly db: Database.Database) {}

  load(): { records: ScripMasterRecord[]; fetchedDay: string; source: string } | null {
    const meta = this.db.prepare('SELECT source, fetched_day FROM smartapi_master_meta WHERE id = 1').get() as { source: string; fetched_day: string } | undefined;
    if (!meta) return null;
    const records = this.db.prepare('SELECT token, symbol, name, expiry, strike, lotsize, instrumenttype, exch_seg, tick_size FROM smartapi_master').all() as ScripMasterRecord[];
    return { records, fetchedDay: meta.fetched_day, source: meta.source };
  }

  /** Replaces the cache in one transaction. */
  save(records: readonly ScripMasterRecord[], source: string, fetchedAt: number): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO smartapi_master (exch_seg, token, symbol, name, expiry, strike, lotsize, instrumenttype, tick_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM smartapi_master').run();
      for (const r of records) ins.run(r.exch_seg, r.token, r.symbol, r.name, r.expiry, r.strike, r.lotsize, r.instrumenttype, r.tick_size);
      this.db
        .prepare('INSERT INTO smartapi_master_meta (id, source, fetched_day, fetched_at, rows) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, fetched_day = excluded.fetched_day, fetched_at = excluded.fetched_at, rows = excluded.rows')
        .run(source, istDay(fetchedAt), new Date(fetchedAt).toISOString(), records.length);
    })();
  }
}

