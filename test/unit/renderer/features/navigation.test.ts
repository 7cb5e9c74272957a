import { describe, expect, it } from 'vitest';
import { hashOf, PAGE_LABEL, PAGE_LIST, pageForView, pageFromHash, PAGES } from '../../../../src/renderer/src/features/navigation/pages';

describe('pages', () => {
  it('round-trips every page through the hash and defaults to the portfolio', () => {
    for (const p of PAGES) expect(pageFromHash(hashOf(p))).toBe(p);
    expect(pageFromHash('')).toBe('portfolio');
    expect(pageFromHash('#/nope')).toBe('portfolio');
    expect(pageFromHash('#/events?x=1')).toBe('events');
  });
  it('maps shell views to delivered pages (later pages fall back to the event history)', () => {
    expect(pageForView('settings')).toBe('settings');
    // issue 18: the Live Control page exists now, so a strategy notification (view 'live-control') lands on it (was: the event history)
    expect(pageForView('live-control')).toBe('live-control');
    // issue 21: the Replay page exists now, so 'replay' lands on it (was: the event history)
    expect(pageForView('replay')).toBe('replay');
    expect(pageForView('backtest')).toBe('events');
    // issue 17: the Monitor page exists now, so a notification pointing at 'monitor' lands on it (was: the event history)
    expect(pageForView('monitor')).toBe('monitor');
  });
  it('the page list is defined once: every listed page is a view target and has its label (issue 15 item 6)', () => {
    expect(PAGES).toEqual(PAGE_LIST.map((p) => p.id));
    for (const p of PAGES) {
      expect(pageForView(p)).toBe(p); // was a hand-written list of three names
      expect(PAGE_LABEL[p]).toBeTruthy();
    }
  });
});
