// Issue 15: OrderStatus, OrderSide, VenueMode and StreamState are each defined once, in the core;
// every other place imports (or re-exports) that definition. A second literal definition fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) ? [p] : [];
  });
}

const files = sources(join(ROOT, 'src')).map((p) => ({ path: relative(ROOT, p).split('\\').join('/'), text: readFileSync(p, 'utf8') }));

/** Every place that spells the type out as a literal union or list (re-exports and imports excluded). */
function definitions(name: string): string[] {
  const def = new RegExp(`export\\s+(?:type|interface)\\s+${name}\\b`);
  return files.filter((f) => def.test(f.text)).map((f) => f.path);
}

function spelledOut(literals: readonly string[]): string[] {
  const union = new RegExp(literals.map((l) => `'${l}'`).join('\\s*\\|\\s*'));
  return files.filter((f) => union.test(f.text)).map((f) => f.path);
}

describe('one definition of each shared vocabulary', () => {
  it.each([
    ['OrderStatus', 'src/core/orders/types.ts'],
    ['OrderSide', 'src/core/orders/types.ts'],
    ['VenueMode', 'src/core/model/venue-mode.ts'],
    ['StreamState', 'src/core/market/stream-health.ts'],
  ])('%s is defined only in %s', (name, home) => {
    expect(definitions(name)).toEqual([home]);
  });

  it('no file spells the modes or the stream states out as a union of its own', () => {
    expect(spelledOut(['SIM', 'PAPER', 'LIVE'])).toEqual([]);
    expect(spelledOut(['not_started', 'connecting', 'running', 'reconnecting', 'error', 'session_needed'])).toEqual([]);
    expect(spelledOut(['pending_submit', 'submitted'])).toEqual([]);
  });
});
