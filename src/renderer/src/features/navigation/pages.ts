/**
 * The pages this build delivers — the one list: the header's navigation, the routes (App.tsx maps
 * each to its component, checked exhaustive by the type), the notification targets and the e2e
 * tests all read it. Pages are addressed by the URL hash (#/portfolio …) so a reload or a
 * notification click lands on the right page.
 */
export const PAGE_LIST = [
  { id: 'portfolio', label: 'Portfolio' },
  { id: 'orders', label: 'Orders' },
  { id: 'live-control', label: 'Live Control' },
  { id: 'monitor', label: 'Monitor' },
  { id: 'events', label: 'Events' },
  { id: 'replay', label: 'Replay' },
  { id: 'settings', label: 'Settings' },
] as const;

export type Page = (typeof PAGE_LIST)[number]['id'];

export const PAGES: readonly Page[] = PAGE_LIST.map((p) => p.id);

/** Where an unknown address lands. */
export const DEFAULT_PAGE: Page = 'portfolio';

export const PAGE_LABEL = Object.fromEntries(PAGE_LIST.map((p) => [p.id, p.label])) as Record<Page, string>;

export function isPage(name: string): name is Page {
  return (PAGES as readonly string[]).includes(name);
}

export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return isPage(name) ? name : DEFAULT_PAGE;
}

export function hashOf(page: Page): string {
  return `#/${page}`;
}

/**
 * Where a navigation request from the shell (notification click) lands: views this build does not
 * have yet fall back to the closest page that explains the state (the event history).
 */
export function pageForView(view: string): Page {
  return isPage(view) ? view : 'events';
}
