// The renderer's production build (what the first `npm start` runs): no "chunks larger than
// 500 kB" warning, and the pages other than Portfolio and the charts are separate, lazy chunks.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger } from 'vite';
import { rendererConfig } from '../../vite.renderer.config';

const out = mkdtempSync(join(tmpdir(), 'live-desk-renderer-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function buildWarnings(chunkSizeWarningLimit?: number): Promise<string[]> {
  const warnings: string[] = [];
  const logger = createLogger('warn');
  logger.warn = (msg) => void warnings.push(msg);
  logger.warnOnce = (msg) => void warnings.push(msg);
  // As `npm start` builds it: production (vitest sets NODE_ENV=test, which would bundle React's development build).
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ ...rendererConfig, configFile: false, mode: 'production', logLevel: 'warn', customLogger: logger, build: { ...rendererConfig.build, outDir: out, ...(chunkSizeWarningLimit ? { chunkSizeWarningLimit } : {}) } });
  } finally {
    process.env.NODE_ENV = env;
  }
  return warnings;
}

describe('renderer build', () => {
  it('the check sees a chunk-size warning when there is one', async () => {
    expect((await buildWarnings(100)).join('\n')).toMatch(/larger than 100 kB/);
  }, 60_000);

  it('has no chunk-size warning; Events, Settings and the charts are lazy chunks not loaded by index.html', async () => {
    const warnings = await buildWarnings();
    expect(warnings.filter((w) => /larger than/.test(w))).toEqual([]);
    const assets = readdirSync(join(out, 'assets'));
    for (const lazy of ['EventsPage', 'SettingsPage', 'PnlChart', 'PayoffChart']) expect(assets.some((a) => a.startsWith(lazy) && a.endsWith('.js'))).toBe(true);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(/EventsPage|SettingsPage|PnlChart|PayoffChart/);
  }, 60_000);
});
