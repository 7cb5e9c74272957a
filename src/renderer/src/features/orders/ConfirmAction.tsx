import type { ReactNode } from 'react';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';

/**
 * Every order action asks first, naming the account and its mode (issue 16 item 7): the trader reads
 * what will be sent and where before anything goes out.
 */
export function ConfirmAction({
  opened,
  title,
  what,
  where,
  live,
  confirmLabel,
  color = 'blue',
  pending = false,
  error = null,
  onConfirm,
  onCancel,
  testId,
}: {
  opened: boolean;
  title: string;
  /** What will be sent. */
  what: ReactNode;
  /** The account and its mode: `accountPhrase(…)`. */
  where: string;
  live: boolean;
  confirmLabel: string;
  color?: string;
  pending?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
}) {
  return (
    <Modal opened={opened} onClose={onCancel} title={title} data-testid={testId} centered>
      <Stack gap="sm">
        <Text size="sm">{what}</Text>
        <Alert color={live ? 'red' : 'blue'} variant={live ? 'filled' : 'light'} data-testid={`${testId}-where`}>
          On {where}
          {live ? ' — real money.' : '.'}
        </Alert>
        {error && (
          <Alert color="red" data-testid={`${testId}-error`}>
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} data-testid={`${testId}-cancel`}>
            Back
          </Button>
          <Button color={color} onClick={onConfirm} loading={pending} data-testid={`${testId}-confirm`}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
