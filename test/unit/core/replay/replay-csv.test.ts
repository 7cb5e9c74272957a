// Issue 21: the replay import (docs/replay.md) — quotes and minute bars, line-numbered errors, a bad
// file yields no day; steps grouped by instant; the result's drawdown on exact decimals.
import { describe, expect, it } from 'vitest';
import { parseReplayCsv } from '../../../../src/core/replay/csv';
import { dayOfQuotes, progressOf, stepIndexAt } from '../../../../src/core/replay/day';
import { PnlCurve, downsample } from '../../../../src/core/replay/result';
import { ReplayClock } from '../../../../src/core/replay/replay-clock';

const HEADER = 'time,symbol,bid,ask,last,bid_size,ask_size';

describe('replay CSV import', () => {
  it('quotes: one step per instant, in time order; a comment saying synthetic labels the day', () => {
    const r = parseReplayCsv(['# synthetic test day', HEADER, '2026-12-04T09:31:00Z,SPY,585.1,585.2,585.15,10,12', '2026-12-04T09:30:00Z,SPY,585,585.1,,,', '2026-12-04T09:30:00Z,QQQ,505,505.2,505.1,1,1'].join('\n'), 'a.csv');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('quotes');
    expect(r.day.synthetic).toBe(true);
    expect(r.day.label).toBe('a.csv — synthetic');
    expect(r.day.steps.map((s) => [new Date(s.t).toISOString(), s.quotes.map((q) => q.symbol)])).toEqual([
      ['2026-12-04T09:30:00.000Z', ['SPY', 'QQQ']],
      ['2026-12-04T09:31:00.000Z', ['SPY']],
    ]);
    expect(r.day.steps[0]!.quotes[0]).toEqual({ symbol: 'SPY', bid: 585, ask: 585.1, last: null, bidSize: null, askSize: null });
    expect(r.day.symbols).toEqual(['QQQ', 'SPY']);
  });

  // Review of issue 21: NSE names with "&" (M&M) and index names with an inner space import; doubled or trailing spaces do not.
  it('symbols: NSE names with & and inner spaces are symbols; junk is named', () => {
    const r = parseReplayCsv([HEADER, '2026-12-04T04:00:00Z,M&M08DEC263000CE,41,41.5,,,', '2026-12-04T04:00:00Z,Nifty 50,24500,24500.5,,,'].join('\n'), 'nse.csv');
    expect(r.ok && r.day.symbols).toEqual(['M&M08DEC263000CE', 'Nifty 50']);
    const bad = parseReplayCsv([HEADER, '2026-12-04T04:00:00Z,Nifty  50,1,2,,,', '2026-12-04T04:00:00Z,A;B,1,2,,,'].join('\n'), 'bad.csv');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.slice(0, 7))).toEqual(['line 2,', 'line 3,']);
  });

  it('minute bars: the close on both sides and as the last trade, said in the label', () => {
    const r = parseReplayCsv(['time,symbol,open,high,low,close,volume', '1796376600000,SPY,585,586,584.5,585.5,1200'].join('\n'), 'bars.csv');
    expect(r.ok && r.kind).toBe('bars');
    if (!r.ok) return;
    expect(r.day.steps[0]!.quotes[0]).toEqual({ symbol: 'SPY', bid: 585.5, ask: 585.5, last: 585.5, bidSize: null, askSize: null });
    expect(r.day.label).toContain('close on both sides');
  });

  it('every problem is named with its line and column, and nothing is imported', () => {
    const r = parseReplayCsv(
      [HEADER, '2026-12-04T09:30:00Z,SPY,-1,2,,,', '2026-12-04T09:30:00,SPY,1,2,,,', '2026-12-04T09:30:00Z,S;PY,1,2,,,', '2026-12-04T09:30:00Z,SPY,,,,,', '2026-12-04T09:30:00Z,SPY,1,2,,,', '2026-12-04T09:30:00Z,SPY,1'].join('\n'),
      'bad.csv',
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        'line 2, column "bid": must be a non-negative decimal (e.g. 1.25)',
        'line 3, column "time": must be ISO-8601 with a zone (2026-12-04T14:30:00Z) or epoch milliseconds',
        'line 4, column "symbol": must be a symbol (letters, digits, . _ / & - and single inner spaces, at most 64)',
        'line 5, column "bid": a quote needs a bid, an ask or a last',
        'line 7: 3 columns, expected 7 (time,symbol,bid,ask,last,bid_size,ask_size)',
      ],
    });
  });

  it('refuses a file without the header, one without data, one spanning more than a day; stops after 20 problems', () => {
    expect(parseReplayCsv('a,b,c\n1,2,3', 'x')).toEqual({ ok: false, errors: [expect.stringMatching(/^line 1: the header must be/)] });
    expect(parseReplayCsv(`${HEADER}\n`, 'x')).toEqual({ ok: false, errors: ['the file has a header but no data lines'] });
    expect(parseReplayCsv(`${HEADER}\n2026-12-04T09:30:00Z,SPY,1,2,,,\n2026-12-05T10:30:00Z,SPY,1,2,,,`, 'x')).toEqual({ ok: false, errors: ['the file spans 25.0 hours: a replay day spans at most 24'] });
    const many = [HEADER, ...Array.from({ length: 30 }, () => 'x,SPY,1,2,,,')].join('\n');
    const r = parseReplayCsv(many, 'x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toHaveLength(21);
  });
});

describe('replay day, progress, clock, result', () => {
  const day = dayOfQuotes({ id: 'd', label: 'd', kind: 'import', synthetic: false, venue: 'sim' }, [10, 20, 20, 40].map((t, i) => ({ t, symbol: `S${i}`, bid: 1, ask: 2, last: null, bidSize: null, askSize: null })));
  it('steps by instant; the step at or after a time; progress in percent', () => {
    expect(day.steps.map((s) => s.t)).toEqual([10, 20, 40]);
    expect([0, 10, 11, 40, 41].map((t) => stepIndexAt(day, t))).toEqual([0, 0, 1, 2, 3]);
    expect(progressOf(1, 3)).toEqual({ ticks_processed: 1, total_ticks: 3, progress_percentage: 33.33 });
    expect(progressOf(3, 3).progress_percentage).toBe(100);
  });
  it('the replay clock fires timers in time order at their instants, one at a time, never backwards', () => {
    const c = new ReplayClock(0);
    const seen: string[] = [];
    c.setInterval(() => seen.push(`i@${c.now()}`), 250);
    c.setTimeout(() => seen.push(`t@${c.now()}`), 500);
    expect(c.fireNext(200)).toBe(false);
    expect(c.fireNext(600)).toBe(true);
    expect(seen).toEqual(['i@250']);
    c.advanceTo(1000);
    expect(seen).toEqual(['i@250', 'i@500', 't@500', 'i@750', 'i@1000']);
    c.moveTo(10);
    expect(c.now()).toBe(1000);
  });
  it('the P&L curve keeps changes (and an unchanged total once a minute); the max drawdown with its time, exactly', () => {
    const flat = new PnlCurve();
    for (const t of [0, 30_000, 60_000, 90_000, 120_000]) flat.add(t, '0');
    expect(flat.points.map((p) => p.t)).toEqual([0, 60_000, 120_000]);
    const k = new PnlCurve();
    for (const [t, v] of [[1, '0'], [2, '0'], [3, '10.05'], [4, null], [5, '-2.10'], [6, '5'], [7, '12']] as const) k.add(t, v);
    expect(k.points.map((p) => p.t)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(k.drawdown()).toEqual({ max_drawdown: '12.15', max_drawdown_at: 5, peak: '10.05', peak_at: 3 });
    expect(k.last()).toBe('12');
    // the last point of each third of the time span
    expect(downsample(k.points, 3).map((p) => p.t)).toEqual([1, 4, 7]);
  });
});
