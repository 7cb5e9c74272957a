/**
 * The SmartAPI instrument master (OpenAPIScripMaster.json; docs/protocols/smartapi.md §5): rows
 * validated at the edge (zod: every value a string), turned into Instruments by the core's NSE model
 * (token, lot size = multiplier, tick size in rupees, exchange segment), indexed by trading symbol
 * and by (exchange type, token) for the binary feed, searchable by name / expiry / strike / right.
 *
 * Cached in the ledger (migration `smartapi_master`) and refreshed once per IST day.
 */
import { z } from 'zod';
import type { Instrument } from '../../../core/model/instrument';
import { nseInstrument, type ScripMasterRecord } from '../../../core/model/nse';
import { scaledToNumber, PRICE_DP } from '../../../core/model/money';
import { SEGMENT_EXCHANGE_TYPE, tokenKey } from './tick-parser';
import { istDay } from '../../ledger/smartapi-master-store';

const RowSchema = z.object({
  token: z.string(),
  symbol: z.string(),
  name: z.string(),
  expiry: z.string(),
  strike: z.string(),
  lotsize: z.string(),
  instrumenttype: z.string(),
  exch_seg: z.string(),
  tick_size: z.string(),
});

export interface MasterEntry {
  record: ScripMasterRecord;
  instrument: Instrument;
  exchangeType: number;
  /** Numeric token (all SmartAPI tokens are digits). */
  tokenNum: number;
  /** tokenKey(exchangeType, tokenNum): the binary feed's lookup key. */
  key: number;
}

export interface MasterSearch {
  /** Underlying name (NIFTY, BANKNIFTY), exact, case-insensitive. */
  name?: string;
  /** YYYY-MM-DD. */
  expiry?: string;
  /** Rupees. */
  strike?: number;
  right?: 'call' | 'put';
  kind?: Instrument['kind'];
  exchange?: string;
  limit?: number;
}

/** Segments the adapter trades or quotes. */
const SEGMENTS = new Set(['NSE', 'NFO', 'BSE', 'BFO']);

export class InstrumentMaster {
  private readonly bySym = new Map<string, MasterEntry>();
  private readonly byKeyMap = new Map<number, MasterEntry>();
  /** Rows that were not valid or not supported (counted, not guessed at). */
  skipped = 0;
  duplicates = 0;

  constructor(
    records: readonly ScripMasterRecord[],
    readonly fetchedDay: string | null = null,
  ) {
    for (const r of records) this.add(r);
  }

  /** From the raw JSON (an array of rows); rows that fail validation are skipped and counted. */
  static fromJson(raw: unknown, fetchedDay: string | null = null): InstrumentMaster {
    if (!Array.isArray(raw)) throw new Error(`SmartAPI instrument master: expected a JSON array, got ${raw === null ? 'null' : typeof raw}`);
    const rows: ScripMasterRecord[] = [];
    let bad = 0;
    for (const r of raw) {
      const p = RowSchema.safeParse(r);
      if (!p.success) {
        bad++;
        continue;
      }
      if (SEGMENTS.has(p.data.exch_seg)) rows.push(p.data);
    }
    const m = new InstrumentMaster(rows, fetchedDay);
    m.skipped += bad;
    return m;
  }

  private add(r: ScripMasterRecord): void {
    const exchangeType = SEGMENT_EXCHANGE_TYPE[r.exch_seg];
    if (exchangeType === undefined || !/^\d{1,15}$/.test(r.token)) {
      this.skipped++;
      return;
    }
    let instrument: Instrument;
    try {
      // An index row (AMXIDX) is never traded and may carry tick_size "-1": its tick is then one paisa
      // (the feed's price unit), not a reason to drop the index the desk values options against.
      const row = r.instrumenttype === 'AMXIDX' && !(Number(r.tick_size) > 0) ? { ...r, tick_size: '1.000000' } : r;
      instrument = nseInstrument(row);
    } catch {
      this.skipped++;
      return;
    }
    const tokenNum = Number(r.token);
    const entry: MasterEntry = { record: r, instrument, exchangeType, tokenNum, key: tokenKey(exchangeType, tokenNum) };
    if (this.bySym.has(r.symbol)) {
      this.duplicates++;
      // NFO/NSE first: a BSE twin of a symbol never replaces it
      if (r.exch_seg === 'BSE' || r.exch_seg === 'BFO') {
        this.byKeyMap.set(entry.key, entry);
        return;
      }
    }
    this.bySym.set(r.symbol, entry);
    this.byKeyMap.set(entry.key, entry);
  }

  get size(): number {
    return this.bySym.size;
  }

  bySymbol(symbol: string): MasterEntry | null {
    return this.bySym.get(symbol) ?? null;
  }

  byKey(key: number): MasterEntry | null {
    return this.byKeyMap.get(key) ?? null;
  }

  instrument(symbol: string): Instrument | null {
    return this.bySym.get(symbol)?.instrument ?? null;
  }

  records(): ScripMasterRecord[] {
    return [...this.bySym.values()].map((e) => e.record);
  }

  /** Instruments matching every given criterion, ordered by expiry, strike, right. */
  search(q: MasterSearch): Instrument[] {
    const name = q.name?.toUpperCase();
    const out: Instrument[] = [];
    for (const e of this.bySym.values()) {
      const i = e.instrument;
      if (name !== undefined && i.underlying.toUpperCase() !== name) continue;
      if (q.kind !== undefined && i.kind !== q.kind) continue;
      if (q.exchange !== undefined && i.exchange !== q.exchange) continue;
      if (q.right !== undefined && i.right !== q.right) continue;
      if (q.expiry !== undefined && i.expiry?.date !== q.expiry) continue;
      if (q.strike !== undefined && (i.strike === null || scaledToNumber(i.strike, PRICE_DP) !== q.strike)) continue;
      out.push(i);
    }
    out.sort((a, b) => (a.expiry?.epochMs ?? 0) - (b.expiry?.epochMs ?? 0) || Number((a.strike ?? 0n) - (b.strike ?? 0n)) || String(a.right).localeCompare(String(b.right)));
    return q.limit !== undefined ? out.slice(0, q.limit) : out;
  }
}

export { istDay };

/**
 * Where the master is cached between runs: the ledger's `smartapi_master` tables
 * (node/ledger/smartapi-master-store.ts `SqliteMasterStore`), handed to the venue by the desk.
 */
export interface MasterCache {
  load(): { records: ScripMasterRecord[]; fetchedDay: string; source: string } | null;
  save(records: readonly ScripMasterRecord[], source: string, fetchedAt: number): void;
}

/**
 * Today's master: the cached one when it was fetched today (IST) from the same source, else a
 * fresh download (saved to the cache). A failed download falls back to an older cache, saying so.
 */
export async function loadMaster(opts: {
  url: string;
  now: number;
  cache: MasterCache | null;
  fetchJson: (url: string) => Promise<unknown>;
  onWarning?: (message: string) => void;
}): Promise<InstrumentMaster> {
  const today = istDay(opts.now);
  const cached = opts.cache?.load() ?? null;
  if (cached && cached.fetchedDay === today && cached.source === opts.url) return new InstrumentMaster(cached.records, cached.fetchedDay);
  try {
    const master = InstrumentMaster.fromJson(await opts.fetchJson(opts.url), today);
    opts.cache?.save(master.records(), opts.url, opts.now);
    return master;
  } catch (err) {
    if (cached && cached.source === opts.url) {
      opts.onWarning?.(`SmartAPI instrument master download failed (${err instanceof Error ? err.message : String(err)}); using the cached master of ${cached.fetchedDay}`);
      return new InstrumentMaster(cached.records, cached.fetchedDay);
    }
    throw err;
  }
}
