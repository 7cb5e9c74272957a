/**
 * The one row mapper: a stored row (snake_case columns, ISO-8601 time text) to the port's row type
 * (camelCase fields, epoch ms). Each table family declares its columns once, as text:
 *
 *   rowMapper<StoredFillRow>('seq account_id fill_id … filled_at:time recorded_at:time')
 *
 * - `col` copies the column to its camelCase field (`fill_id` → `fillId`);
 * - `col:time` reads ISO-8601 text as epoch ms, `col:time?` the same or null;
 * - `col>field` names the field explicitly (`option_right>right`), combinable with `:time`.
 * The column list is parsed once; the mapper is a tight loop over it. Columns not listed are not
 * copied (a family adds composite fields, e.g. position analytics, after mapping).
 */
import { LedgerError } from './errors';

type Kind = 'copy' | 'time' | 'optTime';

export interface RowMapper<T> {
  (row: Record<string, unknown>): T;
  /** The listed columns, comma-separated, for a SELECT. */
  readonly columns: string;
}

const camel = (col: string) => col.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function rowMapper<T>(spec: string): RowMapper<T> {
  const cols: string[] = [];
  const fields: string[] = [];
  const kinds: Kind[] = [];
  for (const token of spec.trim().split(/\s+/)) {
    const m = /^([a-z0-9_]+)(?:>([A-Za-z0-9]+))?(?::(time\??))?$/.exec(token);
    if (!m) throw new LedgerError('invalid_value', `row mapper: cannot read column spec ${JSON.stringify(token)}`);
    cols.push(m[1]!);
    fields.push(m[2] ?? camel(m[1]!));
    kinds.push(m[3] === 'time' ? 'time' : m[3] === 'time?' ? 'optTime' : 'copy');
  }
  const n = cols.length;
  const map = ((row: Record<string, unknown>): T => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const v = row[cols[i]!];
      const k = kinds[i];
      out[fields[i]!] = k === 'copy' ? v : k === 'time' ? Date.parse(v as string) : v === null ? null : Date.parse(v as string);
    }
    return out as T;
  }) as RowMapper<T>;
  Object.defineProperty(map, 'columns', { value: cols.join(', ') });
  return map;
}
