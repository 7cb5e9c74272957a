import { useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { MonitorAccountWire, MonitorCycleWire } from '@shared/contract';
import { useNowDerived } from '../../hooks/use-now';
import { useCommand } from '../portfolio/use-command';
import { CycleDetails } from './CycleDetails';
import { CycleTimeline } from './CycleTimeline';
import { MonitorSettingsForm } from './MonitorSettingsForm';
import { STATE_COLOR, STATE_LABEL, clockWithExchange, failingWarnings, intervalText, nextRunText, pauseAction, reauthRefusal, runNowDisabled, sessionEndText, sinceText, stateReason } from './monitor-words';

const VENUE_COLOR = { LIVE: 'red', PAPER: 'yellow', SIM: 'blue' } as const;
/** Cycles shown before "show all". */
export const TIMELINE_ROWS = 10;

/** The next run, counting down on the desk's clock (server time = local now + offset); re-renders once a second. */
export function NextRun({ account, clockOffsetMs }: { account: Pick<MonitorAccountWire, 'state' | 'next_run_at' | 'exchange' | 'interval_ms'>; clockOffsetMs: number }) {
  const text = useNowDerived((now) => nextRunText(account, now + clockOffsetMs).text);
  const level = useNowDerived((now) => nextRunText(account, now + clockOffsetMs).level);
  return (
    <Text size="sm" span data-testid="monitor-next-run" data-level={level} title={account.next_run_at === null ? undefined : `due at ${clockWithExchange(account.next_run_at, account.exchange)}`}>
      <b className={level === 'overdue' ? 'tone-unknown' : undefined}>{text}</b>
      <Text span size="xs" c="dimmed">
        {' '}
        · {intervalText(account.interval_ms)}
      </Text>
    </Text>
  );
}

/** The venue session's own end, counting down (SmartAPI's daily expiry); nothing where sessions do not expire. */
export function SessionEnd({ expiresAt, clockOffsetMs }: { expiresAt: number | null; clockOffsetMs: number }) {
  const text = useNowDerived((now) => sessionEndText(expiresAt, now + clockOffsetMs)?.text ?? null);
  const level = useNowDerived((now) => sessionEndText(expiresAt, now + clockOffsetMs)?.level ?? null);
  if (text === null) return null;
  return (
    <Text size="xs" span data-testid="monitor-session-ends" data-level={level} c={level === 'soon' ? 'orange' : 'dimmed'} title={expiresAt === null ? undefined : `the venue ends this session at ${new Date(expiresAt).toLocaleTimeString()}; you will be asked to sign in again`}>
      {text}
    </Text>
  );
}

function SessionSince({ since, clockOffsetMs }: { since: number; clockOffsetMs: number }) {
  const text = useNowDerived((now) => sinceText(since, now + clockOffsetMs));
  return <>{text}</>;
}

/**
 * One account's monitoring cycle: state with its reason, venue mode and exchange, the next run,
 * Run now and Pause/Resume, the session alert with Re-authenticate, steps failing cycle after cycle,
 * the last cycles (a click opens one) and the settings (collapsed).
 */
export function AccountCard({ account, cycles, clockOffsetMs }: { account: MonitorAccountWire; cycles: readonly MonitorCycleWire[]; clockOffsetMs: number }) {
  const id = account.account;
  const runNow = useCommand('monitor.run_now');
  const pause = useCommand('monitor.pause');
  const reauth = useCommand('monitor.reauth');
  const [selected, setSelected] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const p = pauseAction(account);
  const warnings = failingWarnings(account.failing_steps);
  const shown = showAll ? cycles : cycles.slice(0, TIMELINE_ROWS);
  const open = cycles.find((c) => c.id === selected) ?? null;
  // A refusal belongs to the session episode it answered (a later expiry starts clean).
  const refused = reauth.result && reauth.result.account.session_needed?.since === account.session_needed?.since ? reauthRefusal(reauth.result) : null;
  const commandError = runNow.error ?? pause.error;
  return (
    <Paper withBorder p="sm" data-testid={`monitor-account-${id}`} data-state={account.state}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <Title order={5}>{id}</Title>
            <Badge color={VENUE_COLOR[account.venue_mode]} variant="filled" radius="sm" data-testid="monitor-venue-mode">
              {account.venue_mode}
            </Badge>
            <Text size="xs" c="dimmed" data-testid="monitor-exchange">
              {account.exchange === 'SIM' ? 'SIM exchange · 24/7' : account.exchange === 'DELTA' ? 'DELTA · 24/7' : account.exchange}
            </Text>
            <Badge color={STATE_COLOR[account.state]} variant={account.state === 'active' || account.state === 'running' ? 'light' : 'filled'} radius="sm" tt="none" data-testid="monitor-state" data-state={account.state}>
              {STATE_LABEL[account.state]}
            </Badge>
            <Text size="sm" data-testid="monitor-reason">
              {stateReason(account)}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SessionEnd expiresAt={account.session_expires_at} clockOffsetMs={clockOffsetMs} />
            <NextRun account={account} clockOffsetMs={clockOffsetMs} />
            <Button size="compact-sm" variant="light" disabled={runNowDisabled(account, runNow.pending)} loading={runNow.pending} onClick={() => void runNow.run({ account: id })} data-testid="monitor-run-now">
              Run now
            </Button>
            <Button size="compact-sm" variant="default" loading={pause.pending} onClick={() => void pause.run({ account: id, paused: p.paused })} data-testid="monitor-pause" data-paused={p.paused ? 'false' : 'true'}>
              {p.label}
            </Button>
          </Group>
        </Group>
        {account.session_needed && (
          <Alert color="grape" variant="light" py={6} data-testid="monitor-session">
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <div>
                <Text size="sm" fw={700}>
                  Session needed: the venue refused the session — no cycle runs until you re-authenticate.
                </Text>
                <Text size="sm" data-testid="monitor-session-error">
                  {account.session_needed.error}
                </Text>
                <Text size="xs" data-testid="monitor-session-since">
                  <SessionSince since={account.session_needed.since} clockOffsetMs={clockOffsetMs} />
                </Text>
              </div>
              <Button color="grape" loading={reauth.pending} onClick={() => void reauth.run({ account: id })} data-testid="monitor-reauth">
                Re-authenticate
              </Button>
            </Group>
            {refused && (
              <Text size="sm" fw={600} mt={4} data-testid="monitor-reauth-error">
                {refused}
              </Text>
            )}
          </Alert>
        )}
        {reauth.error && (
          <Alert color="red" py={4} data-testid="monitor-reauth-error">
            Re-authentication failed: {reauth.error.message}
          </Alert>
        )}
        {commandError && (
          <Alert color="red" py={4} withCloseButton onClose={() => (runNow.error ? runNow.clear() : pause.clear())} data-testid="monitor-command-error">
            {commandError.message}
          </Alert>
        )}
        {warnings.map((w) => (
          <Text key={w.name} size="sm" w="fit-content" className={`warn-chip ${w.severe ? 'warn-severe' : 'warn-advisory'}`} data-testid={`monitor-failing-${w.step}`} data-count={w.count}>
            ⚠ {w.text}
          </Text>
        ))}
        <CycleTimeline cycles={shown} exchange={account.exchange} selectedId={selected} onSelect={setSelected} />
        {cycles.length > TIMELINE_ROWS && (
          <Button size="compact-xs" variant="subtle" w="fit-content" onClick={() => setShowAll((v) => !v)} data-testid="monitor-show-all">
            {showAll ? `show the last ${TIMELINE_ROWS}` : `show all ${cycles.length} recent cycles`}
          </Button>
        )}
        {open && <CycleDetails cycle={open} exchange={account.exchange} onClose={() => setSelected(null)} />}
        <Button size="compact-xs" variant="subtle" color="gray" w="fit-content" onClick={() => setSettingsOpen((v) => !v)} aria-expanded={settingsOpen} data-testid="monitor-settings-toggle">
          {settingsOpen ? '▾' : '▸'} Settings
        </Button>
        {settingsOpen && <MonitorSettingsForm account={account} />}
      </Stack>
    </Paper>
  );
}
