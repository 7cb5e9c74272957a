import { describe, expect, it } from 'vitest';
import { buildPnlSeries } from '../../../../../src/renderer/src/features/charts/pnl-series';

describe('buildPnlSeries', () => {
  it('finds peak, trough and the max drawdown (peak before trough) exactly', () => {
    const s = buildPnlSeries(
      [
        { t: 1000, total: '10' },
        { t: 2000, total: '150.10000000000000000001' },
        { t: 3000, total: '-20.5' },
        { t: 4000, total: '200' },
        { t: 5000, total: '120' },
      ],
    );
    expect(s.peak).toEqual({ t: 4000, value: '200' });
    expect(s.trough).toEqual({ t: 3000, value: '-20.5' });
    expect(s.maxDrawdown).toEqual({
      amount: '170.60000000000000000001',
      peak: { t: 2000, value: '150.10000000000000000001' },
      trough: { t: 3000, value: '-20.5' },
    });
    expect(s.xs).toEqual([1, 2, 3, 4, 5]);
    expect(s.known).toBe(5);
  });
  it('marks unknown samples and gap markers as gaps and breaks the line there', () => {
    const s = buildPnlSeries(
      [
        { t: 1000, total: '1' },
        { t: 2000, total: null },
        { t: 3000, total: '5', gap: true },
        { t: 4000, total: '2' },
      ],
    );
    expect(s.ys).toEqual([1, null, null, 2]);
    expect(s.gaps).toEqual([[2, 4]]);
    expect(s.maxDrawdown).toBeNull();
  });
  it('treats a silence much longer than the usual spacing as a gap', () => {
    const s = buildPnlSeries([
      { t: 1000, total: '1' },
      { t: 2000, total: '2' },
      { t: 3000, total: '2' },
      { t: 60_000, total: '3' },
    ]);
    expect(s.gaps).toEqual([[3, 60]]);
    expect(s.ys).toEqual([1, 2, 2, null, 3]);
  });
  it('regular sparse samples (one a minute) are not gaps', () => {
    const s = buildPnlSeries(Array.from({ length: 10 }, (_, i) => ({ t: i * 60_000, total: String(i) })), { minGapMs: 10_000 });
    expect(s.gaps).toEqual([]);
    expect(s.ys.every((y) => y !== null)).toBe(true);
  });
  it('respects the minimum gap even when samples are dense', () => {
    const s = buildPnlSeries(
      [0, 100, 200, 300, 2000].map((t) => ({ t, total: '1' })),
      { minGapMs: 5000 },
    );
    expect(s.gaps).toEqual([]);
  });
  it('closes a gap that runs to the end', () => {
    const s = buildPnlSeries(
      [
        { t: 1000, total: '1' },
        { t: 2000, total: null },
        { t: 3000, total: null },
      ],
    );
    expect(s.gaps).toEqual([[2, 3]]);
  });
  it('is empty without samples', () => {
    expect(buildPnlSeries([])).toMatchObject({ xs: [], peak: null, trough: null, maxDrawdown: null, known: 0 });
  });
});
