import type { KeyboardEvent } from 'react';
import { Badge, Text } from '@mantine/core';
import type { MonitorCycleWire, MonitorExchange } from '@shared/contract';
import { CYCLE_STATUS, STEP_MARK, TRIGGER_LABEL, clockWithExchange, delayedText, formatDuration, stepTitle } from './monitor-words';

/**
 * The last cycles of one account, newest first: one row per cycle (time, status, its ten steps as
 * small segments — mark and number, so they read without colour; each step's result and duration
 * in its title —, duration, trigger, summary, "delayed by …"). A click (or Enter) opens the cycle.
 */
export function CycleTimeline({ cycles, exchange, selectedId, onSelect }: { cycles: readonly MonitorCycleWire[]; exchange: MonitorExchange; selectedId: string | null; onSelect: (id: string | null) => void }) {
  if (cycles.length === 0) {
    return (
      <Text size="xs" c="dimmed" data-testid="monitor-no-cycles">
        No cycle recorded yet.
      </Text>
    );
  }
  return (
    <div className="mon-timeline" role="table" aria-label="Last cycles, newest first" data-testid="monitor-timeline">
      <div className="mon-cycle-row mon-cycle-head" role="row">
        <span role="columnheader">Started</span>
        <span role="columnheader">Result</span>
        <span role="columnheader">Steps 1–10</span>
        <span role="columnheader" className="num">
          Took
        </span>
        <span role="columnheader">Trigger</span>
        <span role="columnheader">Summary</span>
      </div>
      {cycles.map((c) => {
        const selected = c.id === selectedId;
        const toggle = () => onSelect(selected ? null : c.id);
        const delayed = delayedText(c);
        return (
          <div
            key={c.id}
            role="row"
            tabIndex={0}
            aria-selected={selected}
            className={`mon-cycle-row mon-cycle-body${selected ? ' mon-cycle-selected' : ''}`}
            onClick={toggle}
            onKeyDown={(e: KeyboardEvent) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                toggle();
              }
            }}
            data-testid={`monitor-cycle-${c.id}`}
            data-status={c.status}
            title="Show this cycle's steps, errors and order actions"
          >
            <span className="mono" role="cell">
              {clockWithExchange(c.started_at, exchange)}
            </span>
            <span role="cell">
              <Badge size="sm" radius="sm" color={CYCLE_STATUS[c.status].color} variant={c.status === 'ok' || c.status === 'errors' ? 'light' : 'filled'} tt="none" data-testid="monitor-cycle-status">
                {CYCLE_STATUS[c.status].label}
              </Badge>
            </span>
            <span className="mon-steps" role="cell">
              {c.steps.map((s) => (
                <span key={s.step} className={`mon-step mon-step-${s.status}`} title={stepTitle(s)} aria-label={stepTitle(s)} data-testid={`monitor-step-${c.id}-${s.step}`} data-status={s.status}>
                  {s.step}
                  {STEP_MARK[s.status]}
                </span>
              ))}
            </span>
            <span className="num" role="cell">
              {formatDuration(c.duration_ms)}
            </span>
            <span role="cell">{TRIGGER_LABEL[c.trigger]}</span>
            <span className="vt-cell" role="cell">
              {delayed && (
                <span className="warn-chip warn-advisory" data-testid="monitor-cycle-delayed">
                  {delayed}
                </span>
              )}
              <span title={c.summary}>{c.summary}</span>
            </span>
          </div>
        );
      })}
    </div>
  );
}
