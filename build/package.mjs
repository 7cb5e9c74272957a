#!/usr/bin/env node
// `npm run package [-- electron-builder args, e.g. --linux]`: builds with electron-vite, then
// packages with electron-builder (electron-builder.yml), which rebuilds better-sqlite3 for
// Electron's ABI. Afterwards — also when packaging failed — better-sqlite3 is rebuilt for Node's
// ABI again, so the test suite (plain Node) keeps working (docs/architecture.md, convention 9).
// Needs Electron's binary (electron-builder downloads it): it cannot run on machines without it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run(npx, ['electron-vite', 'build']);
if (status === 0) status = run(npx, ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
const restored = run(npm, ['rebuild', 'better-sqlite3']);
if (restored !== 0) process.stderr.write('package: could not rebuild better-sqlite3 for Node; run "npm rebuild better-sqlite3" before testing\n');
process.exit(status !== 0 ? status : restored);
