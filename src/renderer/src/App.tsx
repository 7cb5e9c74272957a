import { AppShell, Text } from '@mantine/core';
import { useDeskStore } from './stores/desk-store';
import { usePage } from './hooks/use-page';
import { Header } from './features/shell/Header';
import { useNavigationRequests } from './features/shell/use-navigation-requests';
import { PortfolioPage } from './features/portfolio/PortfolioPage';
import { EventsPage } from './features/events/EventsPage';
import { SettingsPage } from './features/settings/SettingsPage';

export const DISCLAIMER = 'Informational only, not financial advice.';

export function App() {
  const [page, go] = usePage();
  useNavigationRequests(go);
  const ready = useDeskStore((s) => s.seq !== null);
  return (
    <AppShell header={{ height: 52 }} footer={{ height: 26 }} padding="sm" data-ready={ready ? 'true' : 'false'} data-testid="app" data-page={page}>
      <AppShell.Header>
        <Header page={page} onNavigate={go} />
      </AppShell.Header>
      <AppShell.Main>
        {page === 'portfolio' && <PortfolioPage />}
        {page === 'events' && <EventsPage />}
        {page === 'settings' && <SettingsPage />}
      </AppShell.Main>
      <AppShell.Footer px="md">
        <Text size="xs" c="dimmed" lh="26px" data-testid="disclaimer">
          {DISCLAIMER} Monitor mode is read-only: no order is ever sent.
        </Text>
      </AppShell.Footer>
    </AppShell>
  );
}
