/**
 * The pages this build delivers, addressed by the URL hash (#/portfolio …) so a reload or a
 * notification click lands on the right page. Pages of later issues (Live Control, Monitor, Replay)
 * are not listed until they exist.
 */
export const PAGES = ['portfolio', 'events', 'settings'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_LABEL: Record<Page, string> = { portfolio: 'Portfolio', events: 'Events', settings: 'Settings' };

export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'portfolio';
}

export function hashOf(page: Page): string {
  return `#/${page}`;
}

/**
 * Where a navigation request from the shell (notification click) lands: views this build does not
 * have yet fall back to the closest page that explains the state (the event history).
 */
export function pageForView(view: string): Page {
  if (view === 'portfolio' || view === 'events' || view === 'settings') return view;
  return 'events';
}
