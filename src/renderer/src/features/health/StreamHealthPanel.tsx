import { memo } from 'react';
import { Badge, Paper, Text, Title } from '@mantine/core';
import type { StreamHealthWire } from '@shared/contract';
import { StreamStateBadge } from '../../components/StreamStateBadge';
import { useNowDerived } from '../../hooks/use-now';
import { formatAge, formatClock } from '../format/format';
import { errorIsPast, errorText, lastDataOf, reconnectsOf, streamLabel, streamRowKey, streamRowName } from './freshness';

function Since({ at, clockOffsetMs }: { at: number; clockOffsetMs: number }) {
  const age = useNowDerived((now) => formatAge(now + clockOffsetMs - at));
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

/** "in 3s" until the next reconnect attempt. */
function RetryIn({ at, clockOffsetMs }: { at: number; clockOffsetMs: number }) {
  const text = useNowDerived((now) => {
    const ms = at - (now + clockOffsetMs);
    return ms > 0 ? `retry in ${formatAge(ms)}` : 'retrying now';
  });
  return <span className="tone-zero" data-testid="next-retry">{text}</span>;
}

/** The state badge, freshness included: "stale · no data for 3.2s", "waiting for first event". */
function FreshBadge({ s, clockOffsetMs, staleMs }: { s: StreamHealthWire; clockOffsetMs: number; staleMs: number }) {
  const label = useNowDerived((now) => streamLabel(s, now + clockOffsetMs, staleMs).label);
  const state = useNowDerived((now) => streamLabel(s, now + clockOffsetMs, staleMs).state);
  const f = { label, state };
  if (f.state === s.state) return <StreamStateBadge state={s.state} testId="stream-state" />;
  const color = f.state === 'stale' ? 'orange' : 'gray';
  return (
    <Badge color={color} variant={f.state === 'stale' ? 'filled' : 'light'} tt="none" data-testid="stream-state" data-state={f.state} leftSection={<span aria-hidden>{f.state === 'stale' ? '⚠' : f.state === 'stopped' ? '■' : '…'}</span>}>
      {f.label}
    </Badge>
  );
}

const StreamRow = memo(function StreamRow({ s, clockOffsetMs, staleMs }: { s: StreamHealthWire; clockOffsetMs: number; staleMs: number }) {
  const last = lastDataOf(s);
  const error = errorText(s, clockOffsetMs);
  const past = errorIsPast(s);
  const reconnects = reconnectsOf(s);
  return (
    <div className="health-row" data-testid={`stream-row-${streamRowKey(s)}`} data-state={s.state}>
      <div className="health-line">
        <span className="health-name">{streamRowName(s)}</span>
        <FreshBadge s={s} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />
        <span className="health-last">
          {last === null ? (
            <span className="tone-zero" data-testid="last-event-none">
              {s.state === 'running' ? '' : 'no events yet'}
            </span>
          ) : (
            <>
              <span className="tone-zero">last event </span>
              <Since at={last} clockOffsetMs={clockOffsetMs} />
            </>
          )}
        </span>
      </div>
      <div className="health-line health-counters">
        <Counter label="reconnects today" value={reconnects} bad={s.reconnectAttempts > 0} testId="reconnects" />
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
      {error && (
        <div className={`health-line health-error${past ? ' health-error-past' : ''}`} data-testid="last-error" data-past={past} title={error}>
          {error}
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
export function StreamHealthPanel({ streams, clockOffsetMs, staleMs, staleQuotes = 0 }: { streams: readonly StreamHealthWire[]; clockOffsetMs: number; staleMs: number; staleQuotes?: number }) {
  const allRunning = streams.length > 0 && streams.every((s) => s.state === 'running');
  return (
    <Paper withBorder p="sm" className="panel" data-testid="stream-health">
      <Title order={5} mb={6}>
        Stream health
      </Title>
      {staleQuotes > 0 && allRunning && (
        // The streams deliver, yet quotes on screen are stale: say so here too (the same count as the banner).
        <Text size="sm" c="orange" mb={6} data-testid="stream-health-stale-quotes">
          ⚠ {staleQuotes} {staleQuotes === 1 ? 'quote is' : 'quotes are'} stale: {staleQuotes === 1 ? 'its symbol has' : 'their symbols have'} not updated within the threshold
        </Text>
      )}
      {streams.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="stream-health-empty">
          No streams yet — nothing connects before Start.
        </Text>
      ) : (
        streams.map((s) => <StreamRow key={streamRowKey(s)} s={s} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />)
      )}
    </Paper>
  );
}
