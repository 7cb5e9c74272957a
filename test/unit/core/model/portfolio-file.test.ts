import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortfolioSource, parsePortfolio } from '../../../../src/core/model/portfolio-file';
import { toDecimalString } from '../../../../src/core/model/money';

const SAMPLE = readFileSync(resolve(import.meta.dirname, '../../../../resources/portfolio.sample.json'), 'utf8');

function errorsOf(text: string) {
  const r = parsePortfolio(text);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

function withPosition(p: unknown) {
  return JSON.stringify({ version: 1, positions: [p] });
}

const ic = {
  id: 'ic',
  type: 'multi_leg',
  name: 'IC',
  opened_at: '2026-11-04T15:00:00Z',
  legs: [
    { symbol: 'SPY261218P00550000', side: 'long', contracts: '1', cost_basis: '2.60' },
    { underlying: 'SPY', expiry: '2026-12-18', strike: '560', right: 'put', side: 'short', contracts: '1', cost_basis: '4.10' },
  ],
};

describe('portfolio.json', () => {
  it('loads the sample: stocks, single options, an iron condor, a vertical and a net-debit straddle', () => {
    const r = parsePortfolio(SAMPLE);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const byId = new Map(r.portfolio.positions.map((p) => [p.id, p]));
    expect(r.portfolio.positions).toHaveLength(7);
    expect(toDecimalString(byId.get('spy-dec-ic')!.netDebit)).toBe('-290');
    expect(toDecimalString(byId.get('qqq-dec-bull-call')!.netDebit)).toBe('1750');
    expect(byId.get('qqq-dec-bull-call')!.legs.map((l) => l.symbol)).toEqual(['QQQ261218C00510000', 'QQQ261218C00530000']);
    expect(toDecimalString(byId.get('qqq-dec-480p-short')!.netDebit)).toBe('-1240');
    expect(byId.get('aapl-dec-240c')!.legs[0]!.instrument.expiry!.date).toBe('2026-12-18');
    expect(byId.get('aapl-dec-straddle')!.legs[0]!.entryPrice).toBeNull();
    expect(byId.get('spy-shares')!.openedAt).toBe(Date.UTC(2026, 9, 15, 14, 32));
  });

  it('reports bad JSON with line and column', () => {
    const errs = errorsOf('{\n  "version": 1,\n  "positions": [\n    { "id": "x" "type": "stock" }\n  ]\n}');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.path).toBe('$');
    expect(errs[0]!.line).toBe(4);
    expect(errs[0]!.column).toBe(17);
    expect(errs[0]!.message).toMatch(/invalid JSON at line 4, column 17/);
    expect(errorsOf('{"version": 1,').at(0)!.message).toMatch(/line 1, column 15/);
  });

  it('places an "Unexpected token" error where it is, not at the end of the file (review #7: /etc/passwd said line 26)', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\n' + 'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n'.repeat(25);
    expect(errorsOf(passwd)[0]).toMatchObject({ line: 1, column: 1, message: 'invalid JSON at line 1, column 1: unexpected character' });
    // In the middle of a long file (V8 quotes 10 characters either side) and near its end.
    const mid = `{\n  "version": 1,\n  "positions": [${' '.repeat(40)}\n    x${' '.repeat(40)}\n  ]\n}`;
    expect(errorsOf(mid)[0]).toMatchObject({ line: 4, column: 5 });
    const end = `${' '.repeat(60)}\n  x`;
    expect(errorsOf(end)[0]).toMatchObject({ line: 2, column: 3 });
    expect(errorsOf('{"a": x}')[0]).toMatchObject({ line: 1, column: 7 });
  });

  it('names the JSON path of every schema problem', () => {
    const bad = { ...ic, legs: [ic.legs[0], { ...ic.legs[1], strike: 'abc' }] };
    expect(errorsOf(withPosition(bad))).toEqual([{ path: '$.positions[0].legs[1].strike', message: 'price is not a decimal number: "abc"' }]);
    expect(errorsOf(withPosition({ ...ic, legs: [ic.legs[0], { ...ic.legs[1], contract: 1 }] })).map((e) => e.path)).toContain('$.positions[0].legs[1]');
    expect(errorsOf(JSON.stringify({ version: 2, positions: [] }))[0]!.path).toBe('$.version');
    expect(errorsOf(withPosition({ ...ic, opened_at: 'yesterday' }))[0]).toMatchObject({ path: '$.positions[0].opened_at', message: expect.stringMatching(/ISO-8601/) });
    expect(errorsOf(withPosition({ ...ic, legs: [ic.legs[0]] }))[0]).toMatchObject({ path: '$.positions[0].legs', message: expect.stringMatching(/at least 2 legs/) });
  });

  it('checks meaning, not only shape', () => {
    const neg = { ...ic, legs: [ic.legs[0], { ...ic.legs[1], contracts: '-1' }] };
    expect(errorsOf(withPosition(neg))).toEqual([{ path: '$.positions[0].legs[1].contracts', message: 'must be greater than 0' }]);
    const badSym = { ...ic, legs: [{ ...ic.legs[0], symbol: 'SPY261318P00550000' }, ic.legs[1]] };
    expect(errorsOf(withPosition(badSym))[0]).toMatchObject({ path: '$.positions[0].legs[0].symbol', message: expect.stringMatching(/month 13 out of range/) });
    const disagree = { ...ic, legs: [{ ...ic.legs[0], strike: '555' }, ic.legs[1]] };
    expect(errorsOf(withPosition(disagree))[0]).toMatchObject({ path: '$.positions[0].legs[0].strike', message: expect.stringMatching(/disagrees with symbol/) });
    const missing = { ...ic, legs: [ic.legs[0], { underlying: 'SPY', side: 'short', contracts: '1', cost_basis: '1' }] };
    expect(errorsOf(withPosition(missing))[0]).toMatchObject({ path: '$.positions[0].legs[1]', message: expect.stringMatching(/missing expiry, strike, right/) });
    const wrongDebit = { ...ic, net_debit: '150' };
    expect(errorsOf(withPosition(wrongDebit))[0]).toMatchObject({ path: '$.positions[0].net_debit', message: expect.stringMatching(/disagrees with the legs' cost_basis \(Σ = -150/) });
    const noCost = { ...ic, legs: [ic.legs[0], { ...ic.legs[1], cost_basis: undefined }] };
    expect(errorsOf(withPosition(noCost))[0]).toMatchObject({ path: '$.positions[0].legs[1].cost_basis' });
    const dup = JSON.stringify({ version: 1, positions: [ic, ic] });
    expect(errorsOf(dup)[0]).toMatchObject({ path: '$.positions[1].id', message: expect.stringMatching(/duplicate id "ic"/) });
  });

  it('a bad file never replaces the good one', () => {
    const src = new PortfolioSource();
    const first = src.load(withPosition(ic), 1000);
    expect(first.ok).toBe(true);
    const good = src.current;
    const bad = src.load('{ "version": 1, "positions": [', 2000);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.kept).toBe(good);
    expect(src.current).toBe(good);
    expect(src.loadedAt).toBe(1000);
    expect(src.lastError?.at).toBe(2000);
    const second = src.load(SAMPLE, 3000);
    expect(second).toMatchObject({ ok: true, replaced: true });
    expect(src.current!.positions).toHaveLength(7);
    expect(src.lastError).toBeNull();
  });
});
