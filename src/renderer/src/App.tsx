import { AppShell, Badge, Button, Group, Text, Title } from '@mantine/core';
import { QuoteTable } from './features/quotes/QuoteTable';
import { useStreamingControls } from './features/quotes/use-quotes';
import { useDeskStore } from './stores/desk-store';
import type { VenueMode } from '@shared/contract';

const MODE_COLOR: Record<VenueMode, string> = { SIM: 'blue', PAPER: 'yellow', LIVE: 'red' };

export function App() {
  const { streaming, start, stop } = useStreamingControls();
  const mode = useDeskStore((s) => s.mode);
  const connection = useDeskStore((s) => s.connection);
  const ready = useDeskStore((s) => s.seq !== null);
  return (
    <AppShell header={{ height: 56 }} padding="md" data-ready={ready ? 'true' : 'false'} data-testid="app">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Title order={3}>Live Desk</Title>
            <Badge color={MODE_COLOR[mode]} data-testid="mode-badge">
              {mode}
            </Badge>
            <Badge variant="dot" color={connection === 'open' ? 'teal' : 'red'} data-testid="connection">
              {connection === 'open' ? 'connected' : connection}
            </Badge>
          </Group>
          <Group gap="sm">
            <Badge variant="light" color={streaming ? 'teal' : 'gray'} data-testid="streaming-state">
              {streaming ? 'streaming' : 'stopped'}
            </Badge>
            <Button size="xs" onClick={start} disabled={streaming} data-testid="start">
              Start
            </Button>
            <Button size="xs" variant="default" onClick={stop} disabled={!streaming} data-testid="stop">
              Stop
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <QuoteTable />
        <Text size="xs" c="dimmed" mt="md">
          Informational only, not financial advice.
        </Text>
      </AppShell.Main>
    </AppShell>
  );
}
