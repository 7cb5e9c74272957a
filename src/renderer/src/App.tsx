import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { AppShell, Text } from '@mantine/core';
import { windowTitle } from './features/shell/window-title';
import { useTotalsNow } from './features/portfolio/use-totals-now';
import { useDeskStore } from './stores/desk-store';
import { usePage } from './hooks/use-page';
import type { Page } from './features/navigation/pages';
import { Header } from './features/shell/Header';
import { useNavigationRequests } from './features/shell/use-navigation-requests';
import { PortfolioPage } from './features/portfolio/PortfolioPage';

// Pages other than the default one load when first opened (their own chunks), so the first paint
// waits only for the Portfolio page.
const EventsPage = lazy(() => import('./features/events/EventsPage').then((m) => ({ default: m.EventsPage })));
const OrdersPage = lazy(() => import('./features/orders/OrdersPage').then((m) => ({ default: m.OrdersPage })));
const LiveControlPage = lazy(() => import('./features/live-control/LiveControlPage').then((m) => ({ default: m.LiveControlPage })));
const MonitorPage = lazy(() => import('./features/monitor/MonitorPage').then((m) => ({ default: m.MonitorPage })));
const ReplayPage = lazy(() => import('./features/replay/ReplayPage').then((m) => ({ default: m.ReplayPage })));
const SettingsPage = lazy(() => import('./features/settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));

/** The route of each page of the list (features/navigation/pages.ts); a page without one does not compile. */
const PAGE_COMPONENT: Record<Page, ComponentType> = { portfolio: PortfolioPage, orders: OrdersPage, 'live-control': LiveControlPage, monitor: MonitorPage, events: EventsPage, replay: ReplayPage, settings: SettingsPage };

/** Keeps document.title (the tab, the Electron window) saying the mode and the total P&L. */
function WindowTitle() {
  const mode = useDeskStore((s) => (s.seq === null ? null : s.mode));
  const totals = useTotalsNow();
  const title = windowTitle(mode, mode === null ? null : totals);
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}

export const DISCLAIMER = 'Informational only, not financial advice.';

export function App() {
  const [page, go] = usePage();
  useNavigationRequests(go);
  const ready = useDeskStore((s) => s.seq !== null);
  const Current = PAGE_COMPONENT[page];
  // Another page opens at its top, not at the scroll offset the previous page was left at.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [page]);
  return (
    <AppShell header={{ height: 52 }} footer={{ height: 26 }} padding="sm" data-ready={ready ? 'true' : 'false'} data-testid="app" data-page={page}>
      <WindowTitle />
      <AppShell.Header>
        <Header page={page} onNavigate={go} />
      </AppShell.Header>
      <AppShell.Main>
        <Suspense fallback={<Text c="dimmed" size="sm" data-testid="page-loading">Loading…</Text>}>
          <Current />
        </Suspense>
      </AppShell.Main>
      <AppShell.Footer px="md">
        <Text size="xs" c="dimmed" lh="26px" data-testid="disclaimer">
          {DISCLAIMER} Monitor mode is read-only: no order is ever sent.
        </Text>
      </AppShell.Footer>
    </AppShell>
  );
}
