import { Alert, Text } from '@mantine/core';
import { describeSymbols, type StaleSummary } from './stale';
import { formatAge } from '../format/format';

/**
 * The prominent stale-data banner: shown whenever any quote the totals depend on (open positions'
 * and every structure leg's) is past the threshold, naming how many and which. P&L that depends on them is unknown until fresh quotes arrive.
 */
export function StaleBanner({ summary, staleMs }: { summary: StaleSummary; staleMs: number }) {
  if (summary.count === 0) return null;
  const names = summary.symbols.map((s) => (s.ageMs === null ? `${s.symbol} (no quote)` : `${s.symbol} (${formatAge(s.ageMs)})`));
  return (
    <Alert
      variant="filled"
      color="red"
      radius="sm"
      data-testid="stale-banner"
      data-count={summary.count}
      data-symbols={summary.symbols.map((s) => s.symbol).join(' ')}
      title={`Stale data: ${summary.count} ${summary.count === 1 ? 'quote is' : 'quotes are'} older than ${formatAge(staleMs)}`}
      icon={<span aria-hidden style={{ fontSize: 20 }}>⚠</span>}
    >
      <Text size="sm" data-testid="stale-symbols">
        {describeSymbols(names, 8)}
      </Text>
      <Text size="xs" mt={2} opacity={0.9}>
        P&L that depends on these prices is shown as unknown until fresh quotes arrive.
      </Text>
    </Alert>
  );
}
