import { Badge, CloseButton, Group, Paper, Table, Text } from '@mantine/core';
import type { MonitorCycleWire, MonitorExchange } from '@shared/contract';
import { formatClockMs } from '../format/format';
import { ACTION_LABEL, CYCLE_STATUS, OUTCOME_COLOR, STEP_MARK, TRIGGER_LABEL, actionsProblemsFirst, clockWithExchange, delayedText, formatDuration } from './monitor-words';

const STATUS_COLOR = { ok: 'teal', failed: 'red', skipped: 'gray' } as const;

/**
 * One cycle opened: its errors first, then every step (status, why skipped or the error, duration,
 * what it found) and the order actions of the cycle (problems first), each with its execution id so
 * the Events page's flow can be found.
 */
export function CycleDetails({ cycle, exchange, onClose }: { cycle: MonitorCycleWire; exchange: MonitorExchange; onClose?: () => void }) {
  const actions = actionsProblemsFirst(cycle.steps.flatMap((s) => s.actions));
  const delayed = delayedText(cycle);
  return (
    <Paper withBorder p="xs" data-testid="monitor-cycle-details" data-cycle={cycle.id}>
      <Group justify="space-between" gap="xs" mb={4} wrap="nowrap">
        <Group gap="xs">
          <Text size="sm" fw={600}>
            Cycle {clockWithExchange(cycle.started_at, exchange)}
          </Text>
          <Badge size="sm" radius="sm" color={CYCLE_STATUS[cycle.status].color} variant={cycle.status === 'ok' || cycle.status === 'errors' ? 'light' : 'filled'} tt="none">
            {CYCLE_STATUS[cycle.status].label}
          </Badge>
          <Text size="xs" c="dimmed">
            {TRIGGER_LABEL[cycle.trigger]} · took {formatDuration(cycle.duration_ms)}
            {delayed ? ` · ${delayed}` : ''}
            {cycle.stopped_at !== null ? ` · stopped at step ${cycle.stopped_at}` : ''} · id <span className="mono">{cycle.id}</span>
          </Text>
        </Group>
        {onClose && <CloseButton size="sm" aria-label="Close the cycle's details" onClick={onClose} data-testid="monitor-cycle-details-close" />}
      </Group>
      <Text size="sm" mb={4} data-testid="monitor-detail-summary">
        {cycle.summary}
      </Text>
      {cycle.errors.length > 0 && (
        <div className="mon-errors" data-testid="monitor-detail-errors">
          <Text size="xs" fw={700}>
            {cycle.errors.length === 1 ? '1 error' : `${cycle.errors.length} errors`}
          </Text>
          {cycle.errors.map((e, i) => (
            <Text key={i} size="xs" data-testid={`monitor-detail-error-${e.step}`}>
              step {e.step} {e.name}: {e.message}
            </Text>
          ))}
        </div>
      )}
      <Table withTableBorder withColumnBorders={false} striped verticalSpacing={2} fz="xs" data-testid="monitor-detail-steps">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Step</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th className="num">Took</Table.Th>
            <Table.Th>Why / error</Table.Th>
            <Table.Th>Found and did</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cycle.steps.map((s) => (
            <Table.Tr key={s.step} data-testid={`monitor-detail-step-${s.step}`} data-status={s.status}>
              <Table.Td>{s.step}</Table.Td>
              <Table.Td className="mono">{s.name}</Table.Td>
              <Table.Td style={{ width: '1%', whiteSpace: 'nowrap' }}>
                <Badge size="xs" radius="sm" color={STATUS_COLOR[s.status]} style={{ overflow: 'visible' }} variant={s.status === 'failed' ? 'filled' : 'light'} tt="none">
                  {STEP_MARK[s.status]} {s.status}
                </Badge>
              </Table.Td>
              <Table.Td className="num">{s.status === 'skipped' ? '—' : formatDuration(s.duration_ms)}</Table.Td>
              <Table.Td>{s.status === 'failed' ? <span className="tone-neg">{s.error ?? 'failed (no message)'}</span> : (s.reason ?? '')}</Table.Td>
              <Table.Td>
                {s.note ?? ''}
                {s.actions.length > 0 ? `${s.note ? ' · ' : ''}${s.actions.length === 1 ? '1 action' : `${s.actions.length} actions`}` : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {actions.length === 0 ? (
        <Text size="xs" c="dimmed" mt={4} data-testid="monitor-detail-no-actions">
          No order action in this cycle.
        </Text>
      ) : (
        <>
          <Text size="xs" fw={700} mt={6} mb={2}>
            Order actions (problems first)
          </Text>
          <Table withTableBorder striped verticalSpacing={2} fz="xs" data-testid="monitor-detail-actions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Step</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Symbol</Table.Th>
                <Table.Th>Client order id</Table.Th>
                <Table.Th>Linked to</Table.Th>
                <Table.Th>Detail</Table.Th>
                <Table.Th>At</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {actions.map((a) => (
                <Table.Tr key={a.execution_id} data-testid={`monitor-detail-action-${a.execution_id}`} data-outcome={a.outcome}>
                  <Table.Td>{a.step}</Table.Td>
                  <Table.Td>{ACTION_LABEL[a.kind]}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" radius="sm" color={OUTCOME_COLOR[a.outcome]} variant="light" tt="none">
                      {a.outcome}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{a.symbol ?? '—'}</Table.Td>
                  <Table.Td className="mono">{a.client_order_id ?? '—'}</Table.Td>
                  <Table.Td className="mono">{a.linked_client_order_id ?? '—'}</Table.Td>
                  <Table.Td title={`execution ${a.execution_id}`}>{a.detail}</Table.Td>
                  <Table.Td className="mono">{formatClockMs(a.at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Paper>
  );
}
