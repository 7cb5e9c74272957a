import { useNowDerived } from '../hooks/use-now';
import { ageLevel, formatAge } from '../features/format/format';

/**
 * The age of a price, counting between updates on the app's one shared timer. Re-renders only when
 * its text or level changes. `receivedAt` is on the server clock; `clockOffsetMs` (server − local)
 * converts local now to server time. A plain span (not a Mantine Badge): hundreds of these tick.
 */
export function AgeBadge({ receivedAt, clockOffsetMs, staleMs, testId = 'age' }: { receivedAt: number | null; clockOffsetMs: number; staleMs: number; testId?: string }) {
  const text = useNowDerived((now) => (receivedAt === null ? 'no quote' : formatAge(now + clockOffsetMs - receivedAt)));
  const level = useNowDerived((now) => ageLevel(receivedAt === null ? null : now + clockOffsetMs - receivedAt, staleMs));
  return (
    <span className={`age-badge age-${level}`} data-testid={testId} data-age-level={level} title={level === 'stale' ? 'stale: older than the threshold' : level === 'aging' ? 'aging: past half the threshold' : 'fresh'}>
      {text}
    </span>
  );
}
