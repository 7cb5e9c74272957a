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
});
