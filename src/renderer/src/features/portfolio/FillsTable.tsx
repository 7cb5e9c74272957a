import { useMemo } from 'react';
import { Badge, Paper, ScrollArea, Table, Text, Title } from '@mantine/core';
import { useDeskStore } from '../../stores/desk-store';
import { selectFills, selectOrders } from '../../stores/selectors';
import { formatClock } from '../format/format';
import { fillsFeed } from './fills-feed';

const STATUS_COLOR: Record<string, string> = { filled: 'teal', partially_filled: 'cyan', new: 'blue', accepted: 'blue', canceled: 'gray', expired: 'gray', replaced: 'gray', rejected: 'red' };

/** Fills and order updates, newest first. */
export function FillsTable({ height = 220 }: { height?: number }) {
  const fills = useDeskStore(selectFills);
  const orders = useDeskStore(selectOrders);
  const rows = useMemo(() => fillsFeed(fills, orders), [fills, orders]);
  return (
    <Paper withBorder p="sm" className="panel" data-testid="fills-panel">
      <Title order={5} mb={6}>
        Fills & order updates{' '}
        <Text span c="dimmed" size="sm">
          (newest first)
        </Text>
      </Title>
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="fills-empty">
          No fills or order updates yet. Monitor mode is read-only: Live Desk sends no orders; fills appear when the account trades.
        </Text>
      ) : (
        <ScrollArea.Autosize mah={height} type="auto">
          <Table fz="sm" verticalSpacing={3} stickyHeader data-testid="fills-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Symbol</Table.Th>
                <Table.Th>Side</Table.Th>
                <Table.Th ta="right">Qty</Table.Th>
                <Table.Th ta="right">Price</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id} data-testid="fill-row" data-kind={r.kind}>
                  <Table.Td className="num" ta="left">
                    {formatClock(r.time)}
                  </Table.Td>
                  <Table.Td>{r.kind}</Table.Td>
                  <Table.Td className="mono">{r.symbol}</Table.Td>
                  <Table.Td className={r.side === 'BUY' ? 'tone-pos' : 'tone-neg'}>{r.side}</Table.Td>
                  <Table.Td className="num">{r.quantity}</Table.Td>
                  <Table.Td className="num">{r.price ?? '—'}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" tt="none" color={STATUS_COLOR[r.status] ?? 'gray'}>
                      {r.statusLabel}
                    </Badge>
                  </Table.Td>
                  <Table.Td fz="xs" c={r.rejected ? 'red' : 'dimmed'}>
                    {r.detail}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
