// electron-builder cannot run here (no Electron binary), so its configuration is checked against
// electron-builder's own schema and for what the issue requires.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrayIcon } from '../../../src/core/shell/tray-state';

const root = join(import.meta.dirname, '../../..');
// Both come with electron-builder (a devDependency): its YAML parser and its config validator.
const require = createRequire(join(root, 'node_modules/electron-builder/package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
};

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('packaging', () => {
  it('electron-builder.yml passes electron-builder’s own schema', async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { target: 'AppImage', bogus: 1 } }, { isEnabled: false, add() {} })).rejects.toThrow();
  });

  it('targets Linux AppImage + deb, macOS dmg, Windows nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('rebuilds better-sqlite3 for Electron at package time, unpacked from the asar, and never in postinstall', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook]).toBeUndefined();
    expect(pkg.scripts.package).toBe('node build/package.mjs');
    expect(readFileSync(join(root, 'build/package.mjs'), 'utf8')).toContain("'rebuild', 'better-sqlite3'");
  });

  it('sets the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the app icon and every tray icon at 1x and 2x', () => {
    expect(pngSize(join(root, 'build/icon.png'))).toEqual({ width: 512, height: 512 });
    const icons: TrayIcon[] = ['stopped', 'running', 'degraded', 'live'];
    for (const icon of icons) {
      expect(pngSize(join(root, `resources/tray/${icon}.png`))).toEqual({ width: 16, height: 16 });
      expect(pngSize(join(root, `resources/tray/${icon}@2x.png`))).toEqual({ width: 32, height: 32 });
    }
    expect(config.extraResources).toContainEqual({ from: 'resources/tray', to: 'tray' });
  });

  it('the appId matches the AppUserModelID the main process sets', () => {
    expect(readFileSync(join(root, 'src/main/index.ts'), 'utf8')).toContain(`const APP_ID = '${config.appId}'`);
  });

  it('builds the preload as CommonJS (sandboxed preloads cannot be ES modules) where main looks for it', () => {
    expect(readFileSync(join(root, 'electron.vite.config.ts'), 'utf8')).toMatch(/format: 'cjs', entryFileNames: '\[name\]\.cjs'/);
    expect(readFileSync(join(root, 'src/main/index.ts'), 'utf8')).toContain("'../preload/index.cjs'");
    expect(existsSync(join(root, 'src/preload/index.ts'))).toBe(true);
  });
});
