#!/usr/bin/env node
// `npm start`: the Electron window where Electron's binary exists, otherwise the headless desk
// serving the same UI on 127.0.0.1 (with one line saying why). `npm start -- --headless` forces it.
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);

/** Finds Electron's binary without requiring the `electron` module (which would try to download it). */
export function electronBinary() {
  const pkg = join(root, 'node_modules/electron');
  if (!existsSync(pkg)) return { path: null, why: 'the electron package is not installed' };
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(p) ? { path: p, why: null } : { path: null, why: `ELECTRON_OVERRIDE_DIST_PATH has no binary at ${p}` };
  }
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { path: null, why: 'no Electron binary (node_modules/electron/dist was never downloaded)' };
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { path: bin, why: null } : { path: null, why: `no Electron binary at ${bin}` };
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function ensureRendererBuilt() {
  const index = join(root, 'out/renderer/index.html');
  const sources = ['src/renderer', 'src/shared', 'src/core'].map((d) => newestMtime(join(root, d)));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources)) return;
  process.stdout.write('Building the interface (first start or sources changed)…\n');
  const { build } = await import('vite');
  const { tsImport } = await import('tsx/esm/api');
  const { rendererConfig } = await tsImport('../vite.renderer.config.ts', import.meta.url);
  // Always React's production build: an inherited NODE_ENV (vitest sets `test`) would otherwise bundle
  // the development build into out/ — and every later start would serve it as up to date.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ ...rendererConfig, configFile: false, mode: 'production', logLevel: 'warn' });
  } finally {
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
  }
}

async function main() {
  const headlessRequested = args.includes('--headless');
  const electron = headlessRequested ? { path: null, why: null } : electronBinary();
  if (electron.path) {
    const child = spawn(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview', ...args], {
      stdio: 'inherit',
      cwd: root,
    });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  await ensureRendererBuilt();
  const { tsImport } = await import('tsx/esm/api');
  const { runHeadless } = await tsImport('../src/headless/main.ts', import.meta.url);
  const rest = args.filter((a) => a !== '--headless');
  await runHeadless(['--headless', ...rest], { reason: electron.why ?? undefined });
}

main().catch((err) => {
  process.stderr.write(`live-desk: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
