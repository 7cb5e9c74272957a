import { useEffect } from 'react';
import type { NavigationRequest, Transport } from '@shared/contract';
import { useTransport } from '../../transport/context';
import { pageForView, type Page } from '../navigation/pages';

/** A transport that can also deliver the shell's navigation requests (Electron only). */
type NavigatingTransport = Transport & { onNavigate?: (listener: (request: NavigationRequest) => void) => () => void };

/**
 * Notification clicks: the desktop shell asks for a page. Only when the transport offers
 * `onNavigate` (Electron); the headless WebSocket has no shell, so this does nothing there.
 */
export function useNavigationRequests(go: (p: Page) => void): void {
  const transport = useTransport() as NavigatingTransport;
  useEffect(() => {
    if (typeof transport.onNavigate !== 'function') return;
    return transport.onNavigate((req) => go(pageForView(req.view)));
  }, [transport, go]);
}
