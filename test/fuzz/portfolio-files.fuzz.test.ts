/**
 * Fuzz suite, portfolio files (issue 13): the sample file mutated byte by byte, random JSON,
 * deep nesting, huge and many-error files and special files, through the same path as
 * portfolio.load. Each gets a clear refusal (or loads), errors are capped and short, nothing
 * throws, nothing hangs, and the desk keeps its last good positions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePortfolio, MAX_PORTFOLIO_ERRORS } from '../../src/core/model/portfolio-file';
import { createDesk, type Desk } from '../../src/node/desk';
import { SystemClock } from '../../src/node/system-clock';
import { MAX_PORTFOLIO_BYTES } from '../../src/node/portfolio-reader';

const SAMPLE = resolve(import.meta.dirname, '../../resources/portfolio.sample.json');
const sample = readFileSync(SAMPLE);
let dir: string;
let desk: Desk;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-desk-fuzz-portfolio-'));
  desk = createDesk({ clock: new SystemClock(), portfolioPath: SAMPLE });
});
afterAll(async () => {
  await desk.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function checkErrors(errors: { path: string; message: string }[]): void {
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.length).toBeLessThanOrEqual(MAX_PORTFOLIO_ERRORS + 1);
  for (const e of errors) {
    expect(e.path.startsWith('$')).toBe(true);
    expect(e.message.length).toBeLessThan(1000);
  }
}

describe('fuzz: portfolio file contents', () => {
  it('the sample mutated byte by byte: parsePortfolio never throws; a refusal names JSON paths, capped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 8 }), (ops) => {
        const bytes = Array.from(sample);
        for (const [at, b, drop] of ops) {
          const i = at % bytes.length;
          if (drop) bytes.splice(i, 1);
          else bytes[i] = b;
        }
        const r = parsePortfolio(Buffer.from(bytes).toString('utf8'));
        if (!r.ok) checkErrors(r.errors);
      }),
      { numRuns: 1500, seed: 31 },
    );
  });

  it('random JSON values and random portfolio-shaped documents: never throws, errors capped', () => {
    const position = fc.record({ id: fc.string(), type: fc.constantFrom('stock', 'option', 'multi_leg', 'x'), side: fc.string(), quantity: fc.jsonValue(), cost_basis: fc.jsonValue(), opened_at: fc.string(), legs: fc.jsonValue() }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ version: fc.jsonValue(), positions: fc.array(position, { maxLength: 300 }) })), (v) => {
        const r = parsePortfolio(JSON.stringify(v) ?? 'null');
        if (!r.ok) checkErrors(r.errors);
      }),
      { numRuns: 500, seed: 32 },
    );
  });

  it('deep nesting, many errors, huge strings: bounded time and a clear refusal', () => {
    const cases = [
      `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
      `{"version":1,"positions":[${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}`,
      JSON.stringify({ version: 1, positions: Array.from({ length: 100_000 }, () => ({ id: 'x' })) }),
      JSON.stringify({ version: 1, positions: [{ id: 'y'.repeat(1_000_000), type: 'stock' }] }),
      JSON.stringify({ version: 1, positions: [], ['k'.repeat(100_000)]: 1 }),
    ];
    for (const text of cases) {
      const t0 = performance.now();
      const r = parsePortfolio(text);
      expect(r.ok).toBe(false);
      if (!r.ok) checkErrors(r.errors);
      expect(performance.now() - t0).toBeLessThan(10_000);
    }
  });
});

describe('fuzz: portfolio files on disk through portfolio.load', () => {
  it('special files, a huge sparse file, a symlink to a device, mutated files: each refused or loaded, the desk keeps its positions', async () => {
    const fifo = join(dir, 'p.fifo');
    execFileSync('mkfifo', [fifo]);
    const link = join(dir, 'zero-link.json');
    symlinkSync('/dev/zero', link);
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    execFileSync('truncate', ['-s', String(MAX_PORTFOLIO_BYTES + 1), huge]);
    const kept = desk.snapshot().positions.length;
    expect(kept).toBeGreaterThan(0);
    for (const path of [fifo, link, '/dev/zero', '/dev/null', '/dev/urandom', '/proc/self/mem', dir, huge, join(dir, 'missing.json'), '/etc/passwd']) {
      const t0 = performance.now();
      const r = await desk.handle('portfolio.load', { path });
      expect(r.ok, path).toBe(false);
      if (!r.ok) {
        expect(r.error.message.length).toBeLessThan(2000);
        expect(r.error.message).not.toMatch(/root:x/);
      }
      expect(performance.now() - t0, path).toBeLessThan(3000);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (ops) => {
        const bytes = Buffer.from(sample);
        for (const [at, b] of ops) bytes[at % bytes.length] = b;
        const path = join(dir, 'mutated.json');
        writeFileSync(path, bytes);
        const r = await desk.handle('portfolio.load', { path });
        if (!r.ok) checkErrors(r.error.issues ?? []);
      }),
      { numRuns: 60, seed: 33 },
    );
    expect(desk.snapshot().positions.length).toBeGreaterThan(0); // the last good positions stay
  }, 60_000);
});
