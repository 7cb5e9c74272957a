import { describe, expect, it } from 'vitest';
import { hashOf, pageForView, pageFromHash, PAGES } from '../../../../src/renderer/src/features/navigation/pages';

describe('pages', () => {
  it('round-trips every page through the hash and defaults to the portfolio', () => {
    for (const p of PAGES) expect(pageFromHash(hashOf(p))).toBe(p);
    expect(pageFromHash('')).toBe('portfolio');
    expect(pageFromHash('#/nope')).toBe('portfolio');
    expect(pageFromHash('#/events?x=1')).toBe('events');
  });
  it('maps shell views to delivered pages (later pages fall back to the event history)', () => {
    expect(pageForView('settings')).toBe('settings');
    expect(pageForView('live-control')).toBe('events');
    expect(pageForView('monitor')).toBe('events');
  });
});
