import { Badge, Button, Group, Title, Tooltip } from '@mantine/core';
import type { VenueMode } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { ThemeToggle } from '../../components/ThemeToggle';
import { PAGES, PAGE_LABEL, type Page } from '../navigation/pages';
import { feedsSummary, streamLabel, streamRowName } from '../health/freshness';
import { StateIcon } from '../../components/StateIcon';
import { useStaleSummary } from '../portfolio/use-stale';
import { useNow } from '../../hooks/use-now';
import { StreamingControls } from './StreamingControls';
import { TradingControls } from '../orders/TradingControls';

const MODE_STYLE: Record<VenueMode, { color: string; hint: string }> = {
  SIM: { color: 'blue', hint: 'Simulated venue: no real market, no real orders' },
  PAPER: { color: 'yellow', hint: 'Paper account: real market data, simulated orders' },
  LIVE: { color: 'red', hint: 'LIVE account: real money' },
};

function ConnectionBadge() {
  const connection = useDeskStore((s) => s.connection);
  const awaiting = useDeskStore((s) => s.awaitingSnapshot);
  // Connected and in sync: a dot (the tooltip says it); any other state is spelled out.
  const label = connection === 'open' ? (awaiting ? 'syncing' : '') : connection === 'connecting' ? 'connecting to desk' : 'disconnected';
  const color = connection === 'open' && !awaiting ? 'teal' : connection === 'connecting' || awaiting ? 'orange' : 'red';
  return (
    <Tooltip label={`Connection between this window and the desk: ${label || 'connected'}`}>
      <Badge variant="dot" color={color} data-testid="connection" data-state={connection} tt="none" aria-label={label || 'connected'} style={{ flexShrink: 0 }}>
        {label}
      </Badge>
    </Tooltip>
  );
}

/**
 * The feeds at a glance — never "running" under the red stale banner: stale quotes or a silent data
 * stream say so here too (the same rules as the banner and the stream health panel).
 */
function FeedsBadge() {
  const streams = useDeskStore((s) => s.streams);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const { summary, staleMs } = useStaleSummary();
  const now = useNow() + offset;
  const f = feedsSummary(streams, now, staleMs, summary.count);
  if (f === null) return null;
  return (
    <Tooltip label={streams.map((s) => `${streamRowName(s)}: ${streamLabel(s, now, staleMs).label}`).join(' · ')}>
      <Badge color={f.color} variant={f.attention ? 'filled' : 'light'} tt="none" data-testid="feeds-state" data-state={f.state} leftSection={<StateIcon icon={f.icon} />}>
        {f.label}
      </Badge>
    </Tooltip>
  );
}

export function Header({ page, onNavigate }: { page: Page; onNavigate: (p: Page) => void }) {
  const mode = useDeskStore((s) => s.mode);
  const venue = useDeskStore((s) => s.venue);
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        {/* The name gives way below 1408 px (the window's title says it): the pages, the feeds and Start/Stop must fit a 1280 px laptop. */}
        <Title order={4} style={{ whiteSpace: 'nowrap' }} visibleFrom="xl">
          Live Desk
        </Title>
        <Tooltip label={`${MODE_STYLE[mode].hint}${venue ? ` (venue: ${venue})` : ''}`}>
          <Badge color={MODE_STYLE[mode].color} variant="filled" size="lg" data-testid="mode-badge" radius="sm" style={{ flexShrink: 0 }}>
            {mode}
          </Badge>
        </Tooltip>
        <TradingControls />
        <Group gap={0} ml={4} component="nav" aria-label="Pages" wrap="nowrap">
          {PAGES.map((p) => (
            <Button key={p} size="xs" px={5} variant={page === p ? 'light' : 'subtle'} color={page === p ? undefined : 'gray'} onClick={() => onNavigate(p)} data-testid={`nav-${p}`} aria-current={page === p ? 'page' : undefined}>
              {PAGE_LABEL[p]}
            </Button>
          ))}
        </Group>
      </Group>
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <ConnectionBadge />
        <FeedsBadge />
        <StreamingControls />
        <ThemeToggle />
      </Group>
    </Group>
  );
}
