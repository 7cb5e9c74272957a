#!/usr/bin/env node
// Runs the Playwright end-to-end tests against the headless desk in a real Chromium.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, INSTALL_HINT } from './find-chromium.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const chromium = await findChromium();
if (!chromium) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
console.log(`e2e: using Chromium at ${chromium.path} (${chromium.source})`);

const build = spawnSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(process.execPath, [resolve(root, 'node_modules/@playwright/test/cli.js'), 'test', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium.path },
});
process.exit(run.status ?? 1);
