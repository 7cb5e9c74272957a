import { Badge } from '@mantine/core';
import { streamStateStyle } from '../features/health/stream-state';
import { StateIcon } from './StateIcon';

/** A stream state: colour, icon and label together, so no state relies on colour alone. */
export function StreamStateBadge({ state, testId }: { state: string; testId?: string }) {
  const s = streamStateStyle(state);
  return (
    <Badge color={s.color} variant={s.attention ? 'filled' : 'light'} tt="none" data-testid={testId} data-state={state} leftSection={<StateIcon icon={s.icon} />}>
      {s.label}
    </Badge>
  );
}
