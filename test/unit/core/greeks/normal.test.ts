import { describe, expect, it } from 'vitest';
import { erfc, normCdf, normPdf } from '../../../../src/core/greeks/normal';
import { referenceNormCdf } from './normal-reference';

describe('normal distribution', () => {
  it('matches a 110-digit reference to ~1e-15 relative from x = -12 to 8', () => {
    let worst = 0;
    for (let k = -12 * 32; k <= 8 * 32; k++) {
      const x = k / 32;
      const ref = referenceNormCdf(x);
      worst = Math.max(worst, Math.abs(normCdf(x) - ref) / ref);
    }
    expect(worst).toBeLessThan(2e-15);
  });

  it('is accurate on random points of the lower tail', () => {
    for (let i = 0; i < 200; i++) {
      const x = -Math.round(((i * 7919) % 10000) / 10000 * 12 * 2 ** 20) / 2 ** 20;
      const ref = referenceNormCdf(x);
      expect(Math.abs(normCdf(x) - ref) / ref).toBeLessThan(2e-15);
    }
  });

  it('has the textbook values, symmetry and limits', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    for (const x of [0.1, 0.5, 1, 2.5, 4, 7]) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 15);
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
    expect(normCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normCdf(Number.NaN)).toBeNaN();
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 16);
    expect(erfc(0)).toBe(1);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 15);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 15);
  });
});
