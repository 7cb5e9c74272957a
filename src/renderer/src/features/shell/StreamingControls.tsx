import { Badge, Button, Group, Tooltip } from '@mantine/core';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { StateIcon } from '../../components/StateIcon';

/**
 * Start / Stop / Restart streaming. Nothing touches the network before Start (the desk enforces it;
 * this UI never starts anything on its own).
 */
export function StreamingControls() {
  const streaming = useDeskStore((s) => s.streaming);
  // Streaming with an expired session is not healthy streaming: the badge says so (not green).
  const sessionExpired = useDeskStore((s) => s.streams.some((x) => x.state === 'session_needed'));
  const connected = useDeskStore((s) => s.connection === 'open' && s.seq !== null);
  const start = useCommand('stream.start');
  const stop = useCommand('stream.stop');
  const restart = useCommand('stream.restart');
  const pending = start.pending || stop.pending || restart.pending;
  const error = start.error ?? stop.error ?? restart.error;
  const clearAll = () => {
    start.clear();
    stop.clear();
    restart.clear();
  };
  // Start needs a stopped stream; Stop and Restart need a running one.
  const buttons = [
    { label: 'Start', testId: 'start', command: start, needsStreaming: false, color: 'teal' },
    { label: 'Stop', testId: 'stop', command: stop, needsStreaming: true, color: null },
    { label: 'Restart', testId: 'restart', command: restart, needsStreaming: true, color: null },
  ];
  return (
    <Group gap={6} wrap="nowrap">
      <Badge
        variant={streaming ? 'filled' : 'light'}
        color={streaming ? (sessionExpired ? 'grape' : 'teal') : 'gray'}
        data-testid="streaming-state"
        data-state={streaming ? 'streaming' : 'stopped'}
        data-session={sessionExpired ? 'expired' : 'ok'}
        leftSection={streaming && sessionExpired ? <StateIcon icon="key" /> : <span aria-hidden>{streaming ? '▶' : '■'}</span>}
        tt="none"
      >
        {streaming ? (sessionExpired ? 'streaming · session expired' : 'streaming') : 'stopped'}
      </Badge>
      {buttons.map((b) => (
        <Button
          key={b.testId}
          size="xs"
          {...(b.color ? { color: b.color } : { variant: 'default' })}
          onClick={() => {
            clearAll();
            void b.command.run({});
          }}
          disabled={!connected || b.needsStreaming !== streaming || pending}
          loading={b.command.pending}
          data-testid={b.testId}
        >
          {b.label}
        </Button>
      ))}
      {error && (
        <Tooltip label={error.message} multiline w={320}>
          <Badge color="red" variant="filled" tt="none" data-testid="stream-command-error" onClick={clearAll} style={{ cursor: 'pointer' }}>
            ✕ command failed
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
