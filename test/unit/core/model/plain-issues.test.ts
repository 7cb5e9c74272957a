import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { plainIssue, rangeOf } from '../../../../src/core/model/plain-issues';
import { parsePortfolio } from '../../../../src/core/model/portfolio-file';

const RAW = /Invalid input|Too small|Too big|expected \w+, received|>=|<=|Unrecognized key|Invalid option|Invalid discriminator/;

function issuesOf(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected issues');
  return r.error.issues;
}

describe('plain validation messages', () => {
  const schema = z
    .object({
      stale: z.number().min(0.5).max(600),
      contracts: z.number().int().min(1).max(10_000),
      side: z.enum(['long', 'short']),
      version: z.literal(1),
      price: z.union([z.string(), z.number()]),
      legs: z.array(z.number()).min(2, 'a multi-leg position needs at least 2 legs'),
    })
    .strict();

  it('name the field and the allowed range, never the library text', () => {
    const [stale] = issuesOf(schema.shape.stale, 0.1);
    expect(plainIssue(stale!, { label: 'Stale threshold', range: rangeOf(schema.shape.stale, 's') })).toBe('Stale threshold must be at least 0.5 s (allowed: from 0.5 s to 600 s)');
    const [big] = issuesOf(schema.shape.contracts, 20_000);
    expect(plainIssue(big!, { label: 'Max option contracts', range: rangeOf(schema.shape.contracts) })).toBe('Max option contracts must be at most 10,000 (allowed: a whole number from 1 to 10,000)');
    const [frac] = issuesOf(schema.shape.contracts, 2.5);
    expect(plainIssue(frac!, { label: 'Max option contracts', range: rangeOf(schema.shape.contracts) })).toBe('Max option contracts must be a whole number from 1 to 10,000');
  });

  it('a missing field is "required"; wrong kinds, choices, unknown fields and unions read plainly', () => {
    const msgs = issuesOf(schema, { stale: 1, contracts: 1, side: 'flat', version: 2, legs: [1], extra: true }).map((i) => plainIssue(i));
    expect(msgs).toEqual([
      '"side" must be one of "long" or "short"',
      '"version" must be 1',
      '"price" is required',
      'a multi-leg position needs at least 2 legs',
      'unknown field "extra" (remove it or check its spelling)',
    ]);
    for (const m of msgs) expect(m).not.toMatch(RAW);
    const [kind] = issuesOf(schema.shape.price, {});
    expect(plainIssue(kind!)).toBe('the value must be text or a number');
  });

  it('portfolio.json: a missing field and a bad type, in plain words', () => {
    const r = parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'x', type: 'stock', symbol: 'SPY', side: 'long', quantity: 1, cost_basis: '1' }] }));
    if (r.ok) throw new Error('expected errors');
    expect(r.errors).toEqual([{ path: '$.positions[0].opened_at', message: '"opened_at" is required' }]);
    const t = parsePortfolio(JSON.stringify({ version: 1, positions: [{ id: 'x', type: 'bond' }] }));
    if (t.ok) throw new Error('expected errors');
    expect(t.errors[0]!.message).toBe('"type" must be one of "stock", "option" or "multi_leg"');
  });

  it('portfolio.json with several problems lists every one, in file order', () => {
    const base = { type: 'option', underlying: 'SPY', expiry: '2026-12-18', right: 'call', side: 'long', contracts: '1', cost_basis: '1', opened_at: '2026-11-02T14:35:00Z' };
    const r = parsePortfolio(
      JSON.stringify({
        version: 1,
        positions: [
          { ...base, id: 'a', strike: 'abc' }, // a number problem (found after the schema)
          { ...base, id: 'b', strike: '500', opened_at: undefined }, // a schema problem
          { ...base, id: 'c', strike: '500', side: 'flat' }, // another schema problem
        ],
      }),
    );
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((e) => e.path)).toEqual(['$.positions[0].strike', '$.positions[1].opened_at', '$.positions[2].side']);
    for (const e of r.errors) expect(e.message).not.toMatch(RAW);
  });

  it('a position the schema refuses still has its numbers checked: every problem in one look (review of issue 14 item 5)', () => {
    // /tmp/rev/s6.json from the review: before, only the three schema problems (opened_at, side) were
    // listed; "2.5x", "abc" and "-1" appeared only once those were fixed.
    const r = parsePortfolio(
      JSON.stringify({
        version: 1,
        account: 'a',
        positions: [
          { id: 'x', type: 'stock', symbol: 'AAPL', side: 'long', quantity: '2.5x', cost_basis: 'abc' },
          { id: 'y', type: 'option', symbol: 'AAPL', side: 'sideways', contracts: '-1', cost_basis: '1', opened_at: 'yesterday' },
        ],
      }),
    );
    if (r.ok) throw new Error('expected errors');
    const paths = r.errors.map((e) => e.path);
    expect(paths.sort()).toEqual(
      ['$.positions[0].opened_at', '$.positions[0].quantity', '$.positions[0].cost_basis', '$.positions[1].opened_at', '$.positions[1].side', '$.positions[1].contracts'].sort(),
    );
    expect(r.errors.find((e) => e.path === '$.positions[1].contracts')!.message).toBe('must be greater than 0');
    for (const e of r.errors) expect(e.message).not.toMatch(RAW);
  });

  it('in a refused multi-leg position, the legs\' numbers are checked too', () => {
    const r = parsePortfolio(
      JSON.stringify({
        version: 1,
        positions: [
          {
            id: 'm',
            type: 'multi_leg',
            name: 'n',
            net_debit: '1e40',
            legs: [
              { type: 'stock', symbol: 'AAPL', side: 'long', quantity: '200000000' },
              { type: 'option', symbol: 'AAPL261218C00100000', side: 'long', contracts: '-2' },
            ],
          },
        ],
      }),
    );
    if (r.ok) throw new Error('expected errors');
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('$.positions[0].opened_at');
    expect(paths).toContain('$.positions[0].net_debit');
    expect(paths).toContain('$.positions[0].legs[0].quantity');
    expect(r.errors.find((e) => e.path === '$.positions[0].legs[1].contracts')?.message).toBe('must be greater than 0');
  });
});
