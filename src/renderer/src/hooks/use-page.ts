import { useCallback, useSyncExternalStore } from 'react';
import { hashOf, pageFromHash, type Page } from '../features/navigation/pages';

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The current page, kept in the URL hash. */
export function usePage(): [Page, (p: Page) => void] {
  const page = useSyncExternalStore(subscribe, () => pageFromHash(window.location.hash));
  const go = useCallback((p: Page) => {
    if (pageFromHash(window.location.hash) !== p) window.location.hash = hashOf(p);
  }, []);
  return [page, go];
}
