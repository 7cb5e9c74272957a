import { memo } from 'react';
import { Paper, Text, Title } from '@mantine/core';
import type { StreamHealthWire } from '@shared/contract';
import { StreamStateBadge } from '../../components/StreamStateBadge';
import { useNowDerived } from '../../hooks/use-now';
import { formatAge, formatClock } from '../format/format';

function Since({ at, clockOffsetMs }: { at: number | null; clockOffsetMs: number }) {
  const age = useNowDerived((now) => (at === null ? '' : formatAge(now + clockOffsetMs - at)));
  if (at === null) return <span className="tone-zero">never</span>;
  return (
    <span className="num" data-testid="last-event">
      {formatClock(at - clockOffsetMs)} <span className="tone-zero">({age} ago)</span>
    </span>
  );
}

function Counter({ label, value, bad, testId }: { label: string; value: number | string; bad?: boolean; testId?: string }) {
  return (
    <span className="health-counter">
      <span className="tone-zero">{label} </span>
      <span className={bad ? 'tone-neg' : undefined} style={{ fontWeight: 600 }} data-testid={testId}>
        {value}
      </span>
    </span>
  );
}

/** The time of the stream's last event: market data or order events (heartbeats excluded) when reported. */
function lastEventOf(s: StreamHealthWire): number | null {
  return s.lastTickAt ?? s.lastEventAt;
}

/** "in 3s" until the next reconnect attempt. */
function RetryIn({ at, clockOffsetMs }: { at: number; clockOffsetMs: number }) {
  const text = useNowDerived((now) => {
    const ms = at - (now + clockOffsetMs);
    return ms > 0 ? `retry in ${formatAge(ms)}` : 'retrying now';
  });
  return <span className="tone-zero" data-testid="next-retry">{text}</span>;
}

const StreamRow = memo(function StreamRow({ s, clockOffsetMs }: { s: StreamHealthWire; clockOffsetMs: number }) {
  return (
    <div className="health-row" data-testid={`stream-row-${s.name}`} data-state={s.state}>
      <div className="health-line">
        <span className="health-name">{s.name}</span>
        <StreamStateBadge state={s.state} testId="stream-state" />
        <span className="health-last">
          <span className="tone-zero">last event </span>
          <Since at={lastEventOf(s)} clockOffsetMs={clockOffsetMs} />
        </span>
      </div>
      <div className="health-line health-counters">
        <Counter label="reconnects" value={s.reconnectAttempts} bad={s.reconnectAttempts > 0} testId="reconnects" />
        <Counter label="queue" value={s.queueDepth} />
        <Counter label="dropped" value={s.droppedEvents} bad={s.droppedEvents > 0} testId="dropped" />
        <Counter
          label="subscriptions"
          value={s.subscriptionsConfirmed !== undefined && s.subscriptionsConfirmed < s.subscriptions ? `${s.subscriptionsConfirmed}/${s.subscriptions} confirmed` : s.subscriptions}
          testId="subscriptions"
        />
        {s.malformedFrames ? <Counter label="malformed" value={s.malformedFrames} bad /> : null}
        {s.state === 'reconnecting' && s.nextRetryAt ? <RetryIn at={s.nextRetryAt} clockOffsetMs={clockOffsetMs} /> : null}
      </div>
      {s.lastError && (
        <div className="health-line health-error" data-testid="last-error" title={s.lastError}>
          last error: {s.lastError}
        </div>
      )}
    </div>
  );
});

/**
 * Per-stream health (spec §5): state (colour + icon + label), last event time, reconnect attempts,
 * queue depth, dropped events, subscriptions, last error. Two lines per stream so it fits a side
 * column.
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
        streams.map((s) => <StreamRow key={s.name} s={s} clockOffsetMs={clockOffsetMs} />)
      )}
    </Paper>
  );
}
