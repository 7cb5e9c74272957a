import { Paper, Table, Text, Title, Tooltip } from '@mantine/core';
import type { StreamHealthWire } from '@shared/contract';
import { StreamStateBadge } from '../../components/StreamStateBadge';
import { useNowDerived } from '../../hooks/use-now';
import { formatAge, formatClock } from '../format/format';

function SinceCell({ at, clockOffsetMs }: { at: number | null; clockOffsetMs: number }) {
  const age = useNowDerived((now) => (at === null ? '' : formatAge(now + clockOffsetMs - at)));
  if (at === null) return <Text span c="dimmed">never</Text>;
  return (
    <Text span className="num">
      {formatClock(at - clockOffsetMs)} <Text span c="dimmed" size="xs">({age} ago)</Text>
    </Text>
  );
}

/**
 * Per-stream health (spec §5): state, last event time, reconnect attempts, queue depth, dropped
 * events, subscriptions, last error.
 */
export function StreamHealthPanel({ streams, clockOffsetMs }: { streams: readonly StreamHealthWire[]; clockOffsetMs: number }) {
  return (
    <Paper withBorder p="sm" className="panel" data-testid="stream-health">
      <Title order={5} mb={6}>
        Stream health
      </Title>
      {streams.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="stream-health-empty">
          No streams yet — nothing connects before Start.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table fz="sm" verticalSpacing={4} withRowBorders>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stream</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Last event</Table.Th>
                <Table.Th ta="right">Reconnects</Table.Th>
                <Table.Th ta="right">Queue</Table.Th>
                <Table.Th ta="right">Dropped</Table.Th>
                <Table.Th ta="right">Subs</Table.Th>
                <Table.Th>Last error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {streams.map((s) => (
                <Table.Tr key={s.name} data-testid={`stream-row-${s.name}`} data-state={s.state}>
                  <Table.Td fw={600}>{s.name}</Table.Td>
                  <Table.Td>
                    <StreamStateBadge state={s.state} testId="stream-state" />
                  </Table.Td>
                  <Table.Td>
                    <SinceCell at={s.lastEventAt} clockOffsetMs={clockOffsetMs} />
                  </Table.Td>
                  <Table.Td className="num" data-testid="reconnects">
                    {s.reconnectAttempts}
                  </Table.Td>
                  <Table.Td className="num">{s.queueDepth}</Table.Td>
                  <Table.Td className={`num ${s.droppedEvents > 0 ? 'tone-neg' : ''}`} data-testid="dropped">
                    {s.droppedEvents}
                  </Table.Td>
                  <Table.Td className="num">
                    {s.subscriptions}
                  </Table.Td>
                  <Table.Td maw={260}>
                    {s.lastError ? (
                      <Tooltip label={s.lastError} multiline w={360}>
                        <Text span size="xs" c="red" lineClamp={1} data-testid="last-error">
                          {s.lastError}
                        </Text>
                      </Tooltip>
                    ) : (
                      <Text span c="dimmed" size="xs">
                        —
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
