import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDir } from '../../../../src/node/state/state-dir';
import { DESK_SETTINGS_FILE, DeskSettingsFile, defaultSettings } from '../../../../src/node/state/desk-settings-file';
import type { Logger } from '../../../../src/core/ports/logger';

let dir: string;
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-settings-'));
  warnings.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DeskSettingsFile', () => {
  it('defaults when absent; saves and reads back', () => {
    const store = new DeskSettingsFile(new StateDir(dir), logger);
    expect(store.load()).toEqual(defaultSettings());
    const s = { ...defaultSettings(), mark_policy: 'last' as const, stale_after_sec: 2, risk_free_rate_pct: 5.25, dividend_yield_pct: 1.5 };
    expect(store.save(s)).toBe(true);
    expect(new DeskSettingsFile(new StateDir(dir), logger).load()).toEqual(s);
  });

  it('an older file missing newer fields gets their defaults', () => {
    writeFileSync(join(dir, DESK_SETTINGS_FILE), JSON.stringify({ venue: 'alpaca' }));
    expect(new DeskSettingsFile(new StateDir(dir), logger).load()).toEqual({ ...defaultSettings(), venue: 'alpaca' });
  });

  it('an invalid or unreadable file is kept aside (not lost), reported, and defaults apply', () => {
    writeFileSync(join(dir, DESK_SETTINGS_FILE), JSON.stringify({ stale_after_sec: -3 }));
    expect(new DeskSettingsFile(new StateDir(dir, () => 1), logger).load()).toEqual(defaultSettings());
    writeFileSync(join(dir, DESK_SETTINGS_FILE), '{oops');
    expect(new DeskSettingsFile(new StateDir(dir, () => 2), logger).load()).toEqual(defaultSettings());
    expect(readdirSync(dir).sort()).toEqual([`${DESK_SETTINGS_FILE}.invalid-1`, `${DESK_SETTINGS_FILE}.unreadable-2`]);
    expect(warnings).toEqual(['desk settings are invalid; using defaults', 'desk settings are not valid JSON; using defaults']);
  });

  it('reports a failed save instead of throwing', () => {
    const files = new StateDir(join(dir, 'x'));
    writeFileSync(join(dir, 'x'), 'a file where the directory should be');
    expect(new DeskSettingsFile(files, logger).save(defaultSettings())).toBe(false);
    expect(warnings).toEqual(['desk settings could not be saved']);
  });
});
