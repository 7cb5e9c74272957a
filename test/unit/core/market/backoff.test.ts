import { describe, expect, it } from 'vitest';
import { fullJitterDelay, defaultBackoff } from '../../../../src/core/market/backoff';
import { SeededRandom } from '../../../../src/core/model/random';

describe('fullJitterDelay', () => {
  it('is uniform below min(cap, base·2^attempt)', () => {
    expect(fullJitterDelay(0, defaultBackoff, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, defaultBackoff, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(10, defaultBackoff, () => 0.999)).toBe(29_970);
    expect(fullJitterDelay(1000, defaultBackoff, () => 0.5)).toBe(15_000);
    expect(fullJitterDelay(2, defaultBackoff, () => 0)).toBe(0);
  });

  it('is deterministic with a seeded RNG and stays within bounds', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    for (let i = 0; i < 50; i++) {
      const d = fullJitterDelay(i, defaultBackoff, () => a.next());
      expect(d).toBe(fullJitterDelay(i, defaultBackoff, () => b.next()));
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(30_000, 1000 * 2 ** i));
    }
  });
});
