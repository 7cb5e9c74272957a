// The layering rules of docs/architecture.md are enforced by lint: prove each one bites.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('layering lint', () => {
  it.each([
    ["import { app } from 'electron';\nexport const a = app;", 'no-restricted-imports'],
    ["import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", 'no-restricted-imports'],
    ["import fs from 'fs';\nexport const r = fs;", 'no-restricted-imports'],
    ["import Database from 'better-sqlite3';\nexport const d = Database;", 'no-restricted-imports'],
    ["import { WebSocket } from 'ws';\nexport const w = WebSocket;", 'no-restricted-imports'],
    ["import { useState } from 'react';\nexport const u = useState;", 'no-restricted-imports'],
    ["import { createDesk } from '../node/desk';\nexport const c = createDesk;", 'no-restricted-imports'],
    ['export const t = Date.now();', 'no-restricted-syntax'],
    ['export const t = new Date();', 'no-restricted-syntax'],
    ['export const t = setTimeout(() => {}, 1);', 'no-restricted-globals'],
    ["export const t = console.log('x');", 'no-restricted-globals'],
  ])('src/core rejects %j', async (code, rule) => {
    expect(await ruleIds(code, 'src/core/model/probe.ts')).toContain(rule);
  });

  it('src/core accepts pure code and dates from explicit times', async () => {
    expect(await ruleIds("import { z } from 'zod';\nexport const s = z.string();\nexport const d = (t: number) => new Date(t);", 'src/core/model/probe.ts')).toEqual([]);
  });

  it.each([
    "import { createDesk } from '../../node/desk';\nexport const c = createDesk;",
    "import { app } from 'electron';\nexport const a = app;",
    "import x from '../../main/index';\nexport const y = x;",
  ])('the renderer rejects %j', async (code) => {
    expect(await ruleIds(code, 'src/renderer/src/probe.ts')).toContain('no-restricted-imports');
  });

  it('node adapters may not import electron', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;", 'src/node/probe.ts')).toContain('no-restricted-imports');
  });

  describe('the per-folder import allow-list (eslint.layers.js)', () => {
    it('a file in a folder without an entry fails lint, naming the folder', async () => {
      const [result] = await eslint.lintText('export const a = 1;\n', { filePath: 'src/core/newfolder/probe.ts' });
      const m = result!.messages.find((x) => x.ruleId === 'layers/allow-list');
      expect(m?.message).toContain('folder src/core/newfolder has no import rule');
    });

    it.each([
      // a folder import the entry does not list
      ["import type { Quote } from '../market/quote';\nexport type Q = Quote;", 'src/core/orders/probe.ts', 'src/core/orders may not import from src/core/market'],
      // the renderer's transport sees only the contract, also through the @core alias
      ["import type { Quote } from '@core/market/quote';\nexport type Q = Quote;", 'src/renderer/src/transport/probe.ts', 'src/renderer/src/transport may not import from src/core/market'],
      // a package the entry does not list
      ["import { WebSocket } from 'ws';\nexport const w = WebSocket;", 'src/node/ledger/probe.ts', 'may not import the package "ws"'],
      ["import Database from 'better-sqlite3';\nexport const d = Database;", 'src/node/venues/alpaca/probe.ts', 'may not import the package "better-sqlite3"'],
      // the same through a type query, a template-literal dynamic import, or a .mjs file (review of issue 15)
      ["export type D = typeof import('../../node/desk');", 'src/core/pnl/probe.ts', 'src/core/pnl may not import from src/node'],
      ["export const d = () => import(`../../node/desk`);", 'src/core/pnl/probe.ts', 'src/core/pnl may not import from src/node'],
      ["export { createDesk } from '../../node/desk';", 'src/core/pnl/probe.mjs', 'src/core/pnl may not import from src/node'],
    ])('%j in %s is refused', async (code, filePath, message) => {
      const [result] = await eslint.lintText(code, { filePath });
      expect(result!.messages.filter((x) => x.ruleId === 'layers/allow-list').map((x) => x.message).join('\n')).toContain(message);
    });

    it('what an entry lists is accepted (own folder, listed folders, listed packages)', async () => {
      const code = "import { z } from 'zod';\nimport type { Quote } from '../market/quote';\nimport type { Clock } from '../ports/clock';\nexport type A = Quote | Clock;\nexport const s = z.string();";
      expect(await ruleIds(code, 'src/core/alerts/probe.ts')).toEqual(['layers/allow-list']); // zod is not listed for alerts
      expect(await ruleIds(code.replace("import { z } from 'zod';\n", '').replace('export const s = z.string();', ''), 'src/core/alerts/probe.ts')).toEqual([]);
    });
  });
});
