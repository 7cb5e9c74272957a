/** `settings` (schema v2) on SQLite: the SettingsLedger port. */
import type { EpochMs, JsonValue, SettingsLedger } from '../../../core/ports/ledger-store';
import type { LedgerDb } from '../ledger-db';
import { epochMs, freeJsonText, isoOf, msOf, readJson, text } from '../values';

export class SqliteSettingsLedger implements SettingsLedger {
  private readonly st;

  constructor(private readonly l: LedgerDb) {
    const s = (sql: string) => l.statement(sql);
    this.st = {
      get: s('SELECT value FROM settings WHERE key = ?'),
      set: s('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'),
      list: s('SELECT * FROM settings ORDER BY key'),
    };
  }

  getSetting(key: string): JsonValue | null {
    const r = this.st.get().get(key) as { value: string } | undefined;
    return r ? readJson(`settings.value (key ${key})`, r.value) : null;
  }

  setSetting(key: string, value: JsonValue, at: EpochMs): void {
    const k = text('settings.key', key);
    const v = freeJsonText(`settings.value (key ${k})`, value, false);
    const iso = isoOf(epochMs('settings.updated_at', at));
    this.l.transaction(() => this.st.set().run(k, v, iso));
  }

  listSettings(): { key: string; value: JsonValue; updatedAt: EpochMs }[] {
    return (this.st.list().all() as { key: string; value: string; updated_at: string }[]).map((r) => ({
      key: r.key,
      value: readJson(`settings.value (key ${r.key})`, r.value),
      updatedAt: msOf(r.updated_at),
    }));
  }
}
