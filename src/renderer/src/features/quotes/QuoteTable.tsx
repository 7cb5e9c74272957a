import { Badge, Table, Text } from '@mantine/core';
import { useNow } from '../../hooks/use-now';
import { ageLevel, formatAge, formatPrice } from './format';
import { useQuotes } from './use-quotes';

const AGE_COLOR = { fresh: 'teal', aging: 'yellow', stale: 'red' } as const;

export function QuoteTable() {
  const { quotes, clockOffsetMs } = useQuotes();
  const now = useNow() + clockOffsetMs;
  if (quotes.length === 0) {
    return (
      <Text c="dimmed" data-testid="quotes-empty">
        No quotes yet — press Start to stream from the venue.
      </Text>
    );
  }
  return (
    <Table striped highlightOnHover withTableBorder data-testid="quote-table" ff="monospace">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Symbol</Table.Th>
          <Table.Th ta="right">Bid</Table.Th>
          <Table.Th ta="right">Ask</Table.Th>
          <Table.Th ta="right">Last</Table.Th>
          <Table.Th ta="right">Age</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {quotes.map((q) => {
          const age = now - q.receivedAt;
          const level = ageLevel(age);
          return (
            <Table.Tr key={q.symbol} data-testid={`quote-row-${q.symbol}`}>
              <Table.Td>{q.symbol}</Table.Td>
              <Table.Td ta="right" data-testid="bid">
                {formatPrice(q.bid)}
              </Table.Td>
              <Table.Td ta="right" data-testid="ask">
                {formatPrice(q.ask)}
              </Table.Td>
              <Table.Td ta="right" data-testid="last">
                {formatPrice(q.last)}
              </Table.Td>
              <Table.Td ta="right">
                <Badge variant="light" tt="none" color={AGE_COLOR[level]} data-testid="age" data-age-level={level}>
                  {formatAge(age)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
