import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { boot } from './boot';

const SAMPLE = fileURLToPath(new URL('../../../resources/portfolio.sample.json', import.meta.url));

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'live-desk-shell-ledger-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('shell ledger', () => {
  it('records the P&L curve into the ledger and drains it on quit', async () => {
    const ledgerPath = join(tempDir(), 'state', 'ledger.sqlite'); // the state directory does not exist yet
    const { shell, clock, invoke } = await boot(() => {}, { ledgerPath, portfolioPath: SAMPLE });
    expect(shell.ledger).not.toBeNull();
    await expect.poll(() => shell.desk.snapshot().positions.length).toBeGreaterThan(0);
    expect(shell.ledgerProblem).toBeNull();
    const started = await invoke('stream.start', {});
    expect(started.ok).toBe(true);
    clock.advance(5_000); // one P&L refresh: a sample per currency of the loaded portfolio
    shell.quit();
    const db = new Database(ledgerPath, { readonly: true });
    const rows = db.prepare('SELECT scope, at_ms, unknown_reason FROM pnl_samples ORDER BY at_ms').all() as { scope: string; at_ms: number; unknown_reason: string | null }[];
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.scope.startsWith('portfolio:'))).toBe(true);
    // quitting stopped the tracker: the curve ends with a "stopped" gap marker, written before close
    expect(rows.at(-1)!.unknown_reason).toBe('stopped');
  });

  it('a ledger that cannot be opened: the desk still runs, and the user is told why (log and one notification)', async () => {
    const dir = tempDir();
    const ledgerPath = join(dir, 'ledger.sqlite');
    writeFileSync(ledgerPath, 'these are not the bytes of a SQLite database, and they must survive'.repeat(20));
    const { shell, facade, logger, invoke } = await boot(() => {}, { ledgerPath });
    expect(shell.ledger).toBeNull();
    expect(shell.ledgerProblem).toContain(`cannot open the ledger ${ledgerPath}`);
    expect(logger.lines.some((l) => l.msg === 'running without the ledger: the P&L history is not recorded')).toBe(true);
    expect(facade.notifications.shown.filter((n) => n.options.title === 'P&L history is not being recorded')).toHaveLength(1);
    expect((await invoke('stream.start', {})).ok).toBe(true);
    shell.quit();
    expect(readFileSync(ledgerPath, 'utf8')).toBe('these are not the bytes of a SQLite database, and they must survive'.repeat(20));
  });

  it('without a ledger path the shell runs without one and says nothing', async () => {
    const { shell, facade } = await boot();
    expect([shell.ledger, shell.ledgerProblem]).toEqual([null, null]);
    expect(facade.notifications.shown.filter((n) => n.options.title === 'P&L history is not being recorded')).toHaveLength(0);
  });
});
