/**
 * The desk's portfolio file and settings on a real filesystem: the file is watched (edits reload,
 * a broken edit is rejected with JSON paths and the old positions stay), settings persist across
 * desks, and the desk leaves no timers, listeners or watchers behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDesk, type Desk } from '../../src/node/desk';
import { ManualClock } from '../../src/core/ports/clock';
import { SystemClock } from '../../src/node/system-clock';
import { StateDir } from '../../src/node/state/state-dir';
import { DeskSettingsFile } from '../../src/node/state/desk-settings-file';
import { watchFileDebounced } from '../../src/node/portfolio-watcher';
import { silentLogger } from '../../src/core/ports/logger';
import type { DeskEvent, PortfolioEvent } from '../../src/shared/contract';

const SAMPLE = resolve(import.meta.dirname, '../../resources/portfolio.sample.json');
let dir: string;
let desk: Desk | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-portfolio-'));
});
afterEach(async () => {
  await desk?.dispose();
  desk = null;
  rmSync(dir, { recursive: true, force: true });
});

const stock = (id: string, qty: string) => ({ id, type: 'stock', symbol: 'SPY', side: 'long', quantity: qty, cost_basis: '500', opened_at: '2026-11-01T14:00:00Z' });

function waitForEvent(d: Desk, pred: (e: DeskEvent) => boolean, what: string, ms = 5000): Promise<DeskEvent> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      off();
      rej(new Error(`timed out waiting for ${what}`));
    }, ms);
    const off = d.subscribe((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        res(e);
      }
    });
  });
}

describe('portfolio file', () => {
  it('the default run loads the bundled sample before Start (positions and structures, no network)', () => {
    desk = createDesk({ clock: new ManualClock(Date.UTC(2026, 10, 20)), portfolioPath: SAMPLE });
    const s = desk.snapshot();
    expect(s.streaming).toBe(false);
    expect(s.portfolio).toMatchObject({ path: SAMPLE, error: null });
    expect(s.positions.length).toBeGreaterThanOrEqual(5);
    expect(s.structures.length).toBeGreaterThanOrEqual(1);
    expect(s.history.map((e) => e.type)).toEqual(['node_event', 'portfolio_event']);
  });

  it('reloads on change; a broken edit is rejected with JSON paths and the old positions stay', async () => {
    const file = join(dir, 'portfolio.json');
    writeFileSync(file, JSON.stringify({ version: 1, positions: [stock('a', '10')] }));
    const clock = new SystemClock();
    desk = createDesk({ clock, portfolioPath: file, watchPortfolio: watchFileDebounced(clock, 30) });
    expect(desk.snapshot().positions.map((r) => [r.key, r.quantity_remaining])).toEqual([['a#0', '10']]);

    let next = waitForEvent(desk, (e) => e.type === 'portfolio_event', 'a reload');
    writeFileSync(file, JSON.stringify({ version: 1, positions: [stock('a', '10'), stock('b', '3')] }));
    expect(await next).toMatchObject({ action: 'reloaded', errors: [] });
    expect(desk.snapshot().positions.map((r) => r.key)).toEqual(['a#0', 'b#0']);

    next = waitForEvent(desk, (e) => e.type === 'portfolio_event', 'a rejection');
    writeFileSync(file, JSON.stringify({ version: 1, positions: [stock('a', '10'), { ...stock('b', '3'), side: 'sideways' }] }));
    const rejected = (await next) as PortfolioEvent;
    expect(rejected.action).toBe('rejected');
    expect(rejected.errors[0]!.path).toBe('$.positions[1].side');
    expect(desk.snapshot().positions.map((r) => r.key)).toEqual(['a#0', 'b#0']);
    expect(desk.snapshot().portfolio.error?.errors[0]!.path).toBe('$.positions[1].side');
    expect(desk.live.resourceCount).toBeGreaterThan(0); // the watcher
    await desk.dispose();
    expect(desk.live.resourceCount).toBe(0);
  });
});

describe('settings', () => {
  it('persist in the state dir and apply to the next desk; venue settings restart a running stream', async () => {
    const files = new StateDir(dir);
    const clock = new SystemClock();
    desk = createDesk({ clock, settings: new DeskSettingsFile(files, silentLogger), config: { simIntervalMs: 20, tickCoalesceMs: 20 } });
    const d = desk;
    await d.start();
    const events: DeskEvent[] = [];
    d.subscribe((e) => events.push(e));
    const restarted = waitForEvent(d, (e) => e.type === 'node_event' && e.action === 'stream_start', 'the stream to start again');
    const r = await d.handle('settings.set', { stale_after_sec: 2, max_option_contracts: 100, pnl_refresh_seconds: 1 });
    expect(r).toMatchObject({ ok: true, result: { restarting: true, persisted: true, applied: expect.arrayContaining(['stale_after_sec', 'pnl_refresh_seconds']) as unknown } });
    await restarted;
    expect(events.some((e) => e.type === 'settings_event' && e.restarting)).toBe(true);
    expect(events.filter((e) => e.type === 'node_event').map((e) => (e as { action: string }).action)).toEqual(expect.arrayContaining(['stream_stop', 'stream_start']));
    expect(d.config.maxOptionContracts).toBe(100);
    expect(d.snapshot().valuation.staleAfterMs).toBe(2000);
    // Thresholds only: applied live, no restart.
    const live = await d.handle('settings.set', { mark_policy: 'last' });
    expect(live).toMatchObject({ ok: true, result: { restarting: false, applied: ['mark_policy'] } });
    expect(d.snapshot().valuation.markPolicy).toBe('last');
    expect(JSON.parse(readFileSync(join(dir, 'desk-settings.json'), 'utf8'))).toMatchObject({ stale_after_sec: 2, max_option_contracts: 100, mark_policy: 'last' });
    await d.dispose();
    desk = createDesk({ clock, settings: new DeskSettingsFile(files, silentLogger) });
    expect(desk.snapshot().valuation).toMatchObject({ staleAfterMs: 2000, markPolicy: 'last' });
    expect(desk.config.maxOptionContracts).toBe(100);
    expect((await desk.handle('settings.get', {})) as unknown).toMatchObject({ ok: true, result: { settings: { pnl_refresh_seconds: 1 } } });
  });

  it('a portfolio path that names no file is refused at settings.set, on the field, and nothing is saved', async () => {
    desk = createDesk({ clock: new SystemClock(), settings: new DeskSettingsFile(new StateDir(dir), silentLogger) });
    const before = (await desk.handle('settings.get', {})) as { ok: true; result: { settings: { portfolio_path: string | null } } };
    const missing = join(dir, 'no-such-portfolio.json');
    const r = await desk.handle('settings.set', { portfolio_path: missing, stale_after_sec: 7 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_payload', issues: [{ path: 'portfolio_path', message: `no file at ${missing} — check the path` }] } });
    expect(await desk.handle('settings.get', {})).toMatchObject({ ok: true, result: { settings: { portfolio_path: before.result.settings.portfolio_path, stale_after_sec: 5 } } });
    expect(await desk.handle('settings.set', { portfolio_path: dir })).toMatchObject({ ok: false, error: { issues: [{ path: 'portfolio_path', message: `${dir} is a folder, not a portfolio.json file` }] } });
    // A readable file that is not a portfolio (the review's /etc/passwd) is refused too, naming the
    // place and never quoting the content; nothing is saved.
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
    const notPortfolio = await desk.handle('settings.set', { portfolio_path: passwd });
    expect(notPortfolio).toMatchObject({ ok: false, error: { code: 'invalid_payload', issues: [{ path: 'portfolio_path', message: expect.stringMatching(/passwd is not a valid portfolio: invalid JSON at line 1, column 1: unexpected character$/) }] } });
    expect(JSON.stringify(notPortfolio)).not.toContain('root:x');
    const notShaped = join(dir, 'package.json');
    writeFileSync(notShaped, '{"name": "secret-name"}');
    const r2 = await desk.handle('settings.set', { portfolio_path: notShaped });
    expect(r2).toMatchObject({ ok: false, error: { issues: [{ path: 'portfolio_path', message: expect.stringMatching(/is not a valid portfolio: not a portfolio file/) }] } });
    expect(JSON.stringify(r2)).not.toContain('secret-name');
    // A portfolio with problems is refused with the first and a count.
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, positions: [{ id: 'x', type: 'stock', symbol: 'AAPL', side: 'long', quantity: '2.5x', cost_basis: 'abc' }] }));
    expect(await desk.handle('settings.set', { portfolio_path: bad })).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'portfolio_path', message: expect.stringMatching(/^.*bad\.json is not a valid portfolio: \$\.positions\[0\]\.opened_at: .* \(and 2 more problems; Load it to see them all\)$/) }] },
    });
    expect(await desk.handle('settings.get', {})).toMatchObject({ ok: true, result: { settings: { portfolio_path: before.result.settings.portfolio_path } } });
    // An existing portfolio file is accepted (and loaded).
    const good = join(dir, 'good.json');
    writeFileSync(good, readFileSync(resolve(import.meta.dirname, '../../resources/portfolio.sample.json'), 'utf8'));
    expect(await desk.handle('settings.set', { portfolio_path: good })).toMatchObject({ ok: true, result: { applied: ['portfolio_path'] } });
  });

  it('selecting a venue without credentials fails the start with a clear error, not a crash', async () => {
    desk = createDesk({ clock: new SystemClock(), settings: new DeskSettingsFile(new StateDir(dir), silentLogger) });
    expect(await desk.handle('settings.set', { venue: 'alpaca' })).toMatchObject({ ok: true, result: { restarting: false } });
    await desk.start();
    const s = desk.snapshot();
    expect(s.streaming).toBe(false);
    expect(s.streams[0]!.lastError).toMatch(/alpaca.*credentials/i);
    expect(desk.live.tracker.running).toBe(false);
    expect(desk.live.resourceCount).toBe(0);
    expect(s.history.some((e) => e.type === 'node_event' && e.action === 'venue_connect' && e.status === 'failed')).toBe(true);
  });
});

describe('lifecycle', () => {
  it('start/stop/dispose leave no timers, listeners or watchers behind', async () => {
    const clock = new SystemClock();
    desk = createDesk({ clock, portfolioPath: SAMPLE, config: { simIntervalMs: 20, tickCoalesceMs: 20 } });
    const d = desk;
    const off = d.subscribe(() => {});
    const cacheListeners = d.cache.listenerCount;
    for (let i = 0; i < 2; i++) {
      const tick = waitForEvent(d, (e) => e.type === 'tick_update' && e.ltp_updates.length > 0, 'a tick');
      await d.start();
      await tick;
      expect(d.live.tracker.running).toBe(true);
      expect(d.cache.listenerCount).toBe(cacheListeners + 1); // the tracker's quote listener
      await d.stop();
      expect(d.live.tracker.running).toBe(false);
      expect(d.cache.listenerCount).toBe(cacheListeners);
      expect(d.live.resourceCount).toBe(0);
    }
    off();
    await d.dispose();
    expect(d.listenerCount).toBe(0);
    expect(d.live.resourceCount).toBe(0);
  });
});

describe('contracts the venue does not list (issue 12 item 4)', () => {
  it('an expired option in the file is checked with the venue and flagged as unlisted, not stale', async () => {
    const file = join(dir, 'portfolio.json');
    const expired = 'SPY250117C00600000';
    writeFileSync(file, JSON.stringify({ version: 1, positions: [stock('a', '10'), { id: 'old', type: 'option', symbol: expired, side: 'long', contracts: '1', cost_basis: '5', opened_at: '2024-11-01T14:00:00Z' }] }));
    const clock = new SystemClock();
    desk = createDesk({ clock, portfolioPath: file, config: { simIntervalMs: 20, tickCoalesceMs: 20, staleAfterMs: 500, healthIntervalMs: 100 } });
    const health = waitForEvent(desk, (e) => e.type === 'health_event' && (e.streamer?.unlisted_contracts ?? []).includes(expired), 'the contract check', 8000);
    await desk.start();
    const e = await health;
    expect(e.type === 'health_event' && e.streamer?.unlisted_contracts).toEqual([expired]);
    // the row says expired (its P&L unknown), not a stale or one-sided quote
    const row = desk.snapshot().pnl.trades.find((t) => t.symbol === expired)!;
    expect(row.unknown_reason).toBe('expired');
  });
});
