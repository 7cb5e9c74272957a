import { Badge } from '@mantine/core';
import { useNowDerived } from '../hooks/use-now';
import { AGE_COLOR, ageLevel, formatAge } from '../features/format/format';

/**
 * The age of a price, counting between updates on the app's one shared timer. Re-renders only when
 * its text or level changes. `receivedAt` is on the server clock; `clockOffsetMs` (server − local)
 * converts local now to server time.
 */
export function AgeBadge({ receivedAt, clockOffsetMs, staleMs, testId = 'age' }: { receivedAt: number | null; clockOffsetMs: number; staleMs: number; testId?: string }) {
  const text = useNowDerived((now) => (receivedAt === null ? 'no quote' : formatAge(now + clockOffsetMs - receivedAt)));
  const level = useNowDerived((now) => ageLevel(receivedAt === null ? null : now + clockOffsetMs - receivedAt, staleMs));
  return (
    <Badge variant={level === 'fresh' ? 'light' : 'filled'} tt="none" color={AGE_COLOR[level]} data-testid={testId} data-age-level={level} className="num" miw={58}>
      {text}
    </Badge>
  );
}
