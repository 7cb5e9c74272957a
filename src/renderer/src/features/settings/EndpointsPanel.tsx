import { Alert, Paper, Table, Text, Title } from '@mantine/core';
import type { VenueEndpointsWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';

const LABEL: Record<VenueEndpointsWire['endpoints'][number]['key'], string> = {
  tradingRest: 'Trading REST',
  tradingStream: 'Trading stream (trade_updates)',
  dataRest: 'Market-data REST',
  dataStream: 'Market-data stream',
};

/**
 * The endpoints Start connects to and where each came from. Read-only: they are set in the
 * environment (APCA_API_BASE_URL, APCA_API_DATA_URL, APCA_API_STREAM_URL,
 * LIVE_DESK_ALPACA_TRADING_STREAM_URL) or the config file (alpaca.urls.*), validated at start-up.
 */
export function EndpointsPanel() {
  const e = useDeskStore((s) => s.endpoints);
  if (!e) return null;
  return (
    <Paper withBorder p="sm" data-testid="settings-endpoints">
      <Title order={5} mb={4}>
        Endpoints ({e.venue === 'sim' ? 'simulated venue' : `Alpaca ${e.env ?? ''}`})
      </Title>
      {e.env_source && (
        <Text size="sm" c="dimmed" data-testid="endpoints-env-source">
          Account: {e.env} — {e.env_source}
        </Text>
      )}
      <Table withRowBorders={false} verticalSpacing={2} fz="sm">
        <Table.Tbody>
          {e.endpoints.map((x) => (
            <Table.Tr key={x.key} data-testid={`endpoint-${x.key}`}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{LABEL[x.key]}</Table.Td>
              <Table.Td className="num" style={{ wordBreak: 'break-all' }}>
                {x.url ?? <span className="tone-zero">—</span>}
              </Table.Td>
              <Table.Td c="dimmed">{x.source}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {e.error && (
        <Alert color="red" variant="light" mt={6} data-testid="endpoints-error">
          {e.error}
        </Alert>
      )}
      <Text size="xs" c="dimmed" mt={4}>
        Set in the environment (APCA_API_BASE_URL, APCA_API_DATA_URL, APCA_API_STREAM_URL, LIVE_DESK_ALPACA_TRADING_STREAM_URL) or the config file (alpaca.urls); read at start-up.
      </Text>
    </Paper>
  );
}
