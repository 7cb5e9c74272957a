// Electron 45 downloads its binary the first time `electron` is required from Node, and the binary
// cannot run here: only the two composition roots may import it at runtime; everything else uses
// `import type` (erased at compile time) and is tested through the facade.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../../..');
const ALLOWED = new Set(['src/main/index.ts', 'src/preload/index.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) ? [p] : [];
  });
}

/** Any import/require of electron that is not `import type …`. */
export function runtimeElectronImports(source: string): string[] {
  const hits: string[] = [];
  const importRe = /^\s*(import|export)\s+(?!type\s)([^;]*?)\s+from\s+['"]electron['"]/gm;
  for (const m of source.matchAll(importRe)) hits.push(m[0].trim());
  for (const m of source.matchAll(/^\s*import\s+['"]electron['"]/gm)) hits.push(m[0].trim());
  for (const m of source.matchAll(/\b(require|import)\s*\(\s*['"]electron['"]\s*\)/g)) hits.push(m[0]);
  return hits;
}

describe('no runtime electron import outside the composition roots', () => {
  it('detects the forms it must (so the scan can fail)', () => {
    expect(runtimeElectronImports("import { app } from 'electron';")).toHaveLength(1);
    expect(runtimeElectronImports("import { type App } from 'electron';")).toHaveLength(1); // kept by isolatedModules
    expect(runtimeElectronImports("const e = require('electron');")).toHaveLength(1);
    expect(runtimeElectronImports("await import('electron');")).toHaveLength(1);
    expect(runtimeElectronImports("import type { App } from 'electron';")).toHaveLength(0);
  });

  it('holds for src/ and test/', () => {
    const offenders = [...files(join(root, 'src')), ...files(join(root, 'test'))]
      .map((p) => relative(root, p))
      .filter((rel) => !ALLOWED.has(rel) && rel !== 'test/unit/main/no-runtime-electron.test.ts')
      .filter((rel) => runtimeElectronImports(readFileSync(join(root, rel), 'utf8')).length > 0);
    expect(offenders).toEqual([]);
  });
});
