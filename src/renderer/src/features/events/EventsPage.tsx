import { useMemo, useState } from 'react';
import { ActionIcon, Badge, Box, Chip, Code, Group, Paper, Stack, Text, Title, Button } from '@mantine/core';
import { HISTORY_EVENT_TYPES, type HistoryEvent } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { selectHistory } from '../../stores/selectors';
import { formatClockMs, plural } from '../format/format';
import { buildFlowForest, countByType, type FlowNode } from './event-tree';
import { describeCached, EVENT_TYPE_LABEL, type DescribedEvent, type EventTone } from './describe';

const TONE_COLOR: Record<EventTone, string> = { info: 'blue', good: 'teal', bad: 'red', warn: 'orange' };
const PAGE = 100;

function details(e: HistoryEvent): string {
  const { seq: _seq, serverTime: _t, type: _type, ...rest } = e as HistoryEvent & Record<string, unknown>;
  // Position events carry the exact record; it is long and already summarized in the title.
  if ('record' in rest) delete (rest as Record<string, unknown>).record;
  // A portfolio event kept in the desk's history has no position list (the status has the counts).
  if ('positions' in rest && (rest.positions as unknown[]).length === 0) delete (rest as Record<string, unknown>).positions;
  else if ('positions' in rest) (rest as Record<string, unknown>).positions = `[${plural((rest.positions as unknown[]).length, 'position')}]`;
  if ('structures' in rest) (rest as Record<string, unknown>).structures = `[${plural((rest.structures as unknown[]).length, 'structure')}]`;
  return JSON.stringify(rest, null, 2);
}

function FlowRow({ node, depth, defaultOpen = false }: { node: FlowNode<DescribedEvent>; depth: number; defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  const [showDetails, setShowDetails] = useState(false);
  const e = node.entry;
  const hasChildren = node.children.length > 0;
  return (
    <Box data-testid="event-row" data-type={e.type} data-alert-kind={e.event.type === 'alert' ? e.event.kind : undefined} data-execution-id={e.executionId ?? ''} data-depth={depth}>
      <Group gap={6} wrap="nowrap" py={3} pl={depth * 22} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <ActionIcon
          variant="subtle"
          size="sm"
          disabled={!hasChildren}
          aria-label={open ? 'Collapse flow' : 'Expand flow'}
          aria-expanded={open}
          data-testid="event-toggle"
          onClick={() => setOpen(!open)}
          style={{ visibility: hasChildren ? 'visible' : 'hidden' }}
        >
          {open ? '▾' : '▸'}
        </ActionIcon>
        <Text size="xs" className="num" c="dimmed" w={92} ta="left">
          {formatClockMs(e.t)}
        </Text>
        <Badge size="sm" variant="light" color={TONE_COLOR[e.tone]} tt="none" w={84}>
          {EVENT_TYPE_LABEL[e.type as HistoryEvent['type']] ?? e.type}
        </Badge>
        <Text size="sm" style={{ flex: 1, cursor: 'pointer' }} lineClamp={1} onClick={() => setShowDetails(!showDetails)} title="Show details" data-testid="event-title">
          {e.title}
        </Text>
        {hasChildren && (
          <Text size="xs" c="dimmed" data-testid="event-children-count">
            {node.size - 1} in flow
          </Text>
        )}
      </Group>
      {showDetails && (
        <Code block fz="xs" ml={depth * 22 + 30} my={4} data-testid="event-details">
          {details(e.event)}
        </Code>
      )}
      {open && (
        <div data-testid="event-children">
          {node.children.map((c) => (
            <FlowRow key={c.entry.key} node={c} depth={depth + 1} />
          ))}
        </div>
      )}
    </Box>
  );
}

/** The event history with execution-flow drill-down (parent/child by execution id) and type filters. */
export function EventsPage() {
  const history = useDeskStore(selectHistory);
  const [types, setTypes] = useState<string[]>([...HISTORY_EVENT_TYPES]);
  const [limit, setLimit] = useState(PAGE);
  const described = useMemo(() => history.map(describeCached), [history]);
  const counts = useMemo(() => countByType(described), [described]);
  const forest = useMemo(() => {
    const include = new Set(types);
    return buildFlowForest(described, (t) => include.has(t));
  }, [described, types]);
  return (
    <Stack gap="sm" data-testid="events-page">
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <Title order={4}>Event history</Title>
          <Text size="xs" c="dimmed">
            {plural(history.length, 'event')} · newest flows first · click a title for details, ▸ to drill into a flow
          </Text>
        </Group>
        <Chip.Group multiple value={types} onChange={setTypes}>
          <Group gap={6} data-testid="event-filters">
            {HISTORY_EVENT_TYPES.map((t) => (
              <Chip key={t} value={t} size="xs" wrapperProps={{ 'data-testid': `event-filter-${t}` }}>
                {EVENT_TYPE_LABEL[t]} ({counts[t] ?? 0})
              </Chip>
            ))}
            <Button size="compact-xs" variant="subtle" onClick={() => setTypes([...HISTORY_EVENT_TYPES])}>
              all
            </Button>
            <Button size="compact-xs" variant="subtle" onClick={() => setTypes([])}>
              none
            </Button>
          </Group>
        </Chip.Group>
      </Paper>
      <Paper withBorder p="sm" data-testid="event-list">
        {forest.length === 0 ? (
          <Text c="dimmed" size="sm" data-testid="events-empty">
            No events{history.length > 0 ? ' of the selected types' : ' yet'}.
          </Text>
        ) : (
          <>
            {forest.slice(0, limit).map((n, i) => (
              // The newest flow opens by default: what just happened, step by step.
              <FlowRow key={n.entry.key} node={n} depth={0} defaultOpen={i === 0} />
            ))}
            {forest.length > limit && (
              <Button variant="subtle" size="xs" mt="xs" onClick={() => setLimit(limit + PAGE)} data-testid="events-more">
                Show {Math.min(PAGE, forest.length - limit)} more of {forest.length - limit}
              </Button>
            )}
          </>
        )}
      </Paper>
    </Stack>
  );
}
