import { Badge } from '@mantine/core';
import { streamStateStyle } from '../features/health/stream-state';

/** A stream state: colour, icon and label together, so no state relies on colour alone. */
export function StreamStateBadge({ state, testId }: { state: string; testId?: string }) {
  const s = streamStateStyle(state);
  return (
    <Badge color={s.color} variant={s.attention ? 'filled' : 'light'} tt="none" data-testid={testId} data-state={state} leftSection={<span aria-hidden>{s.icon}</span>}>
      {s.label}
    </Badge>
  );
}
