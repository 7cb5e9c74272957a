// Issue 15, item 7: with the `record_quotes` setting on, every quote entering the desk's quote cache
// is written (batched) to the ledger's `recorded_quotes`; with it off (the default) none is.
import { afterEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { createDesk, type Desk } from '../../../src/node/desk';
import { SystemClock } from '../../../src/node/system-clock';
import { MemoryDeskSettingsStore } from '../../../src/node/state/desk-settings-file';
import { defaultDeskSettings, type DeskSettings } from '../../../src/shared/contract';
import type { Quote } from '../../../src/core/market/quote';
import type { SqliteLedgerStore } from '../../../src/node/ledger/sqlite-ledger-store';
import { openStore, tempLedgerDir } from './helpers';
import { QuoteRecording } from '../../../src/node/ledger/quote-recording';
import { sim } from '../../helpers/ids';
import { instrumentId } from '../../../src/core/model/ids';

const SAMPLE = resolve(import.meta.dirname, '../../../resources/portfolio.sample.json');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function boot(recordQuotes: boolean | undefined): { desk: Desk; store: SqliteLedgerStore; cached: Quote[]; settings: MemoryDeskSettingsStore } {
  const t = tempLedgerDir('quote-rec-');
  const clock = new SystemClock();
  const { store } = openStore(t.file(), clock as never, { batch: { intervalMs: 20 } });
  const settings = new MemoryDeskSettingsStore(
    recordQuotes === undefined ? undefined : ({ ...defaultDeskSettings, alpaca: { ...defaultDeskSettings.alpaca }, record_quotes: recordQuotes } as DeskSettings),
  );
  const desk = createDesk({ clock, config: { simIntervalMs: 10, tickCoalesceMs: 10 }, portfolioPath: SAMPLE, settings, quoteRecorder: store });
  const cached: Quote[] = [];
  desk.cache.onQuote((q) => cached.push({ ...q }));
  cleanups.push(
    () => t.cleanup(),
    () => store.close(),
    () => desk.dispose(),
  );
  return { desk, store, cached, settings };
}

const rows = (store: SqliteLedgerStore) =>
  (store as unknown as { db: Database.Database }).db.prepare('SELECT * FROM recorded_quotes ORDER BY quote_id').all() as Record<string, unknown>[];

async function streamUntil(desk: Desk, cached: Quote[], n: number): Promise<void> {
  await desk.start();
  const until = Date.now() + 5000;
  while (cached.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  await desk.stop();
  expect(cached.length).toBeGreaterThanOrEqual(n);
}

describe('quote recording (record_quotes)', () => {
  it('is off by default: streaming the sim writes no recorded quote', async () => {
    const { desk, store, cached } = boot(undefined);
    expect(desk.snapshot().settings.record_quotes).toBe(false);
    await streamUntil(desk, cached, 20);
    store.flush();
    expect(rows(store)).toEqual([]);
  });

  it('on: every quote entering the cache is a recorded_quotes row with its venue, symbol, times and decimals', async () => {
    const { desk, store, cached } = boot(true);
    await streamUntil(desk, cached, 20);
    store.flush();
    const got = rows(store);
    expect(got).toHaveLength(cached.length);
    const dec = (n: number | null) => (n === null ? null : String(n));
    got.forEach((r, i) => {
      const q = cached[i]!;
      expect(r).toMatchObject({
        venue: 'sim',
        symbol: q.symbol,
        received_at: new Date(q.receivedAt).toISOString(),
        received_at_ms: q.receivedAt,
        exchange_time_ms: q.exchangeTime,
        bid: dec(q.bid),
        ask: dec(q.ask),
        last: dec(q.last),
        bid_size: dec(q.bidSize),
        ask_size: dec(q.askSize),
      });
    });
    // Read back through the port (what replay will use).
    const back = store.recordedQuotes({ fromMs: 0, toMs: Date.now() + 1 }, { limit: 100_000 });
    expect(back.map((q) => q.symbol)).toEqual(cached.map((q) => q.symbol));
  });

  it('settings.set turns it on and off live, and the setting is persisted', async () => {
    const { desk, store, cached, settings } = boot(false);
    const on = await desk.handle('settings.set', { record_quotes: true });
    expect(on).toMatchObject({ ok: true, result: { settings: { record_quotes: true }, applied: ['record_quotes'], persisted: true } });
    expect(settings.load().record_quotes).toBe(true);
    await streamUntil(desk, cached, 10);
    store.flush();
    const recorded = rows(store).length;
    expect(recorded).toBe(cached.length);
    const off = await desk.handle('settings.set', { record_quotes: false });
    expect(off).toMatchObject({ ok: true, result: { settings: { record_quotes: false }, applied: ['record_quotes'] } });
    await streamUntil(desk, cached, cached.length + 10);
    store.flush();
    expect(rows(store)).toHaveLength(recorded);
    expect(await desk.handle('settings.set', { record_quotes: 'yes' })).toMatchObject({ ok: false });
  });
});

describe('QuoteRecording', () => {
  const q: Quote = { instrument: sim('SPY'), symbol: 'SPY', bid: 1.1, ask: 1.2, last: null, bidSize: 3, askSize: null, exchangeTime: null, receivedAt: Date.UTC(2026, 10, 20, 15) };

  it('a quote the ledger refuses is counted and logged, and never breaks the quote path', () => {
    const warned: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (_m: string, f?: unknown) => warned.push(f), error() {} };
    const rec = new QuoteRecording({ appendRecordedQuote: () => { throw new Error('recorded_quotes: no such table'); } }, logger as never);
    rec.setEnabled(true);
    expect(() => { rec.record(q); rec.record(q); }).not.toThrow();
    expect(rec.refused).toBe(2);
    expect(warned).toHaveLength(1); // the first, then every 1,000th
  });

  it('off: nothing reaches the recorder', () => {
    const got: unknown[] = [];
    const rec = new QuoteRecording({ appendRecordedQuote: (r) => got.push(r) });
    const alpacaSpy: Quote = { ...q, instrument: instrumentId('alpaca', 'SPY') };
    rec.record(alpacaSpy);
    rec.setEnabled(true);
    rec.record(alpacaSpy);
    expect(got).toEqual([{ venue: 'alpaca', symbol: 'SPY', receivedAt: q.receivedAt, exchangeTime: null, bid: '1.1', ask: '1.2', last: null, bidSize: '3', askSize: null }]);
  });

  it('each quote is recorded under its own venue: the same symbol at two venues stays two series (issue 15)', () => {
    const got: { venue: string; symbol: string; bid: string | null }[] = [];
    const rec = new QuoteRecording({ appendRecordedQuote: (r) => got.push(r) });
    rec.setEnabled(true);
    rec.record(q);
    rec.record({ ...q, instrument: instrumentId('sim2', 'SPY'), bid: 2.2 });
    expect(got.map((r) => [r.venue, r.symbol, r.bid])).toEqual([['sim', 'SPY', '1.1'], ['sim2', 'SPY', '2.2']]);
  });
});
