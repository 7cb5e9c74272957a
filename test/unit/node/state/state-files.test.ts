import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDir } from '../../../../src/node/state/state-dir';
import { KILL_SWITCH_FILE, KillSwitchFileStore } from '../../../../src/node/state/kill-switch-file';
import { KillSwitch } from '../../../../src/core/risk/kill-switch';
import { ManualClock } from '../../../../src/core/ports/clock';
import { silentLogger } from '../../../../src/core/ports/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('StateDir', () => {
  it('writes atomically with owner-only permissions and reads back', () => {
    const files = new StateDir(join(dir, 'nested'), () => 7);
    expect(files.read('a.json')).toBeNull();
    files.write('a.json', '{"x":1}');
    files.write('a.json', '{"x":2}');
    expect(files.read('a.json')).toBe('{"x":2}');
    expect(statSync(join(dir, 'nested', 'a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['a.json']);
    expect(files.preserve('a.json', 'invalid')).toBe('a.json.invalid-7');
    expect(files.read('a.json')).toBeNull();
    expect(files.read('a.json.invalid-7')).toBe('{"x":2}');
  });

  it('refuses names that could escape the directory', () => {
    const files = new StateDir(dir);
    expect(() => files.read('../x')).toThrow(/invalid state file name/);
    expect(() => files.write('/etc/passwd', '')).toThrow(/invalid state file name/);
  });
});

describe('KillSwitchFileStore', () => {
  it('persists the kill switch across restarts', () => {
    const files = new StateDir(dir);
    const ks = new KillSwitch({ store: new KillSwitchFileStore(files), clock: new ManualClock(1), logger: silentLogger });
    ks.set('*', 'halted', { reason: 'tray: halt all automation' });
    const again = new KillSwitch({ store: new KillSwitchFileStore(new StateDir(dir)), clock: new ManualClock(2), logger: silentLogger });
    expect(again.levelOf('acct')).toBe('halted');
  });

  it('keeps an unreadable file aside and the kill switch fails closed', () => {
    const files = new StateDir(dir, () => 99);
    files.write(KILL_SWITCH_FILE, '{"version":1,"entries":[{"account":"a","level":"paused"}]}');
    const ks = new KillSwitch({ store: new KillSwitchFileStore(files), clock: new ManualClock(), logger: silentLogger });
    expect(ks.levelOf('a')).toBe('halted');
    expect(ks.view().global.reason).toContain('entries.0.level');
    expect(files.read(`${KILL_SWITCH_FILE}.invalid-99`)).toContain('paused');
    files.write(KILL_SWITCH_FILE, 'not json');
    expect(() => new KillSwitchFileStore(files).load()).toThrow(/not valid JSON/);
    expect(files.read(`${KILL_SWITCH_FILE}.unreadable-99`)).toBe('not json');
  });
});
