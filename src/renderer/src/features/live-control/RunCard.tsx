import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import type { StrategyAuditWire, StrategyRuntimeWire, TradingStateWire } from '@shared/contract';
import { useNowDerived } from '../../hooks/use-now';
import type { RunFlash } from '../../stores/slices/strategy';
import { ConfirmAction } from '../orders/ConfirmAction';
import { accountPhrase } from '../orders/trading-words';
import { useCommand } from '../portfolio/use-command';
import { contractLabel, formatClockMs } from '../format/format';
import { EntryPanel, ExitPanel, HealthPanel, SchedulePanel, StatusBadge } from './RunPanels';
import { FLASH_LABEL, activeFlash, legWords, runActions } from './run-words';

/** The run's audit log as a table (time, kind, message), oldest first. */
export function AuditTable({ events }: { events: readonly StrategyAuditWire[] }) {
  if (events.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="run-audit-empty">
        No audit entry yet.
      </Text>
    );
  }
  return (
    <table className="plain-table" data-testid="run-audit-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Kind</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.event_id} data-testid={`run-audit-${e.event_id}`} data-kind={e.kind}>
            <td className="figure-value">{formatClockMs(Date.parse(e.at))}</td>
            <td>{e.kind}</td>
            <td style={{ whiteSpace: 'normal' }} title={e.execution_id ? `execution ${e.execution_id}` : undefined}>
              {e.message ?? '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AuditLog({ runId, opened, onClose }: { runId: string; opened: boolean; onClose: () => void }) {
  const audit = useCommand('strategy.audit');
  const load = audit.run;
  useEffect(() => {
    if (opened) void load({ run_id: runId });
  }, [opened, runId, load]);
  return (
    <Modal opened={opened} onClose={onClose} title={`Audit log · ${runId}`} size="xl" data-testid="run-audit-log">
      <Stack gap="xs">
        <Button size="compact-xs" variant="subtle" w="fit-content" loading={audit.pending} onClick={() => void audit.run({ run_id: runId })} data-testid="run-audit-refresh">
          Refresh
        </Button>
        {audit.error && (
          <Alert color="red" py={4} data-testid="run-audit-error">
            {audit.error.message}
          </Alert>
        )}
        {audit.result ? <AuditTable events={audit.result.events} /> : !audit.error && <Text size="sm" c="dimmed">Loading…</Text>}
      </Stack>
    </Modal>
  );
}

type Pending = { kind: 'exit'; leg: number | undefined } | { kind: 'halt' } | null;

/**
 * One strategy run: its header (config, status, flash), the four panels (spec §9) and its controls —
 * manual exit per leg and all (confirmed, naming the account and mode), pause / resume, halt with a
 * reason, and the audit log.
 */
export function RunCard({ run, flash, account, clockOffsetMs }: { run: StrategyRuntimeWire; flash: RunFlash | undefined; account: TradingStateWire | undefined; clockOffsetMs: number }) {
  const flashing = useNowDerived((now) => activeFlash(flash, now + clockOffsetMs));
  const exit = useCommand('strategy.exit');
  const pause = useCommand('strategy.pause');
  const halt = useCommand('strategy.halt');
  const [pending, setPending] = useState<Pending>(null);
  const [reason, setReason] = useState('');
  const [haltTried, setHaltTried] = useState(false);
  const [auditOpen, setAuditOpen] = useState(false);
  const a = runActions(run);
  const where = accountPhrase(run.account, account?.venue_mode ?? null, account?.mode ?? null);
  const live = account?.venue_mode === 'LIVE';
  const legs = run.strategy.config.legs;
  const exitWhat =
    pending?.kind === 'exit'
      ? pending.leg === undefined
        ? `Exit all open legs of ${run.strategy.config.name} (${a.openLegs.length}) through the exit ladder.`
        : `Exit leg ${pending.leg + 1} (${legs[pending.leg] ? legWords(legs[pending.leg]!) : ''} ${contractLabel(run.positions.find((p) => p.leg === pending.leg)?.symbol ?? '')}) of ${run.strategy.config.name}.`
      : '';
  const commandError = pause.error ?? (pending === null ? (exit.error ?? halt.error) : null);
  const close = () => {
    setPending(null);
    setHaltTried(false);
    exit.clear();
    halt.clear();
  };
  return (
    <Paper withBorder p="sm" className={flashing ? `run-card run-flash run-flash-${flashing}` : 'run-card'} data-testid={`run-${run.run_id}`} data-run-id={run.run_id} data-status={run.status} data-flash={flashing ?? undefined}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            <Title order={5}>{run.strategy.config.name}</Title>
            <StatusBadge run={run} />
            <Text size="xs" c="dimmed">
              run {run.run_id} · {run.strategy.config.underlying} · {where}
            </Text>
            {flashing && (
              <span className={`warn-chip ${flashing === 'entry_failed' || flashing === 'forced_exit' ? 'warn-severe' : 'warn-info'}`} data-testid="run-flash" role="status">
                {FLASH_LABEL[flashing]}
              </span>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button size="compact-sm" variant="default" onClick={() => setAuditOpen(true)} data-testid="run-audit">
              Audit log
            </Button>
            <Button size="compact-sm" variant="default" disabled={!a.canPause} loading={pause.pending} onClick={() => void pause.run({ run_id: run.run_id, paused: !run.strategy.paused })} data-testid="run-pause" data-paused={run.strategy.paused ? 'true' : 'false'}>
              {run.strategy.paused ? 'Resume' : 'Pause'}
            </Button>
            <Button size="compact-sm" color="red" variant="light" disabled={!a.canHalt} onClick={() => setPending({ kind: 'halt' })} data-testid="run-halt">
              Halt
            </Button>
          </Group>
        </Group>
        {commandError && (
          <Alert color="red" py={4} withCloseButton onClose={() => (pause.error ? pause.clear() : (exit.clear(), halt.clear()))} data-testid="run-command-error">
            {commandError.message}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, md: 2, xl: 4 }} spacing={8} verticalSpacing={8}>
          <SchedulePanel run={run} clockOffsetMs={clockOffsetMs} />
          <EntryPanel run={run} />
          <HealthPanel run={run} />
          <ExitPanel
            run={run}
            clockOffsetMs={clockOffsetMs}
            controls={
              <Group gap={4} mt={4} wrap="wrap">
                <Button size="compact-xs" color="red" disabled={!a.canExit} onClick={() => setPending({ kind: 'exit', leg: undefined })} data-testid="run-exit-all">
                  Exit all
                </Button>
                {run.positions.map((p) => (
                  <Button key={p.leg} size="compact-xs" variant="light" color="red" disabled={!a.canExitLeg || !a.openLegs.includes(p.leg)} title={a.canExitLeg ? undefined : 'one leg exits only while the run is live (use Exit all)'} onClick={() => setPending({ kind: 'exit', leg: p.leg })} data-testid={`run-exit-leg-${p.leg}`}>
                    Exit leg {p.leg + 1}
                  </Button>
                ))}
                {a.exitElsewhere ? (
                  <Text size="xs" c="dimmed" data-testid="run-exit-elsewhere">
                    {a.exitElsewhere}
                  </Text>
                ) : null}
              </Group>
            }
          />
        </SimpleGrid>
      </Stack>
      <ConfirmAction
        opened={pending?.kind === 'exit'}
        title="Manual exit"
        what={exitWhat}
        where={where}
        live={live}
        confirmLabel={pending?.kind === 'exit' && pending.leg !== undefined ? `Exit leg ${pending.leg + 1}` : 'Exit all'}
        color="red"
        pending={exit.pending}
        error={exit.error?.message ?? null}
        onConfirm={() => {
          if (pending?.kind !== 'exit') return;
          void exit.run({ run_id: run.run_id, ...(pending.leg === undefined ? {} : { leg: pending.leg }) }).then((o) => o.ok && close());
        }}
        onCancel={close}
        testId="run-exit-confirm"
      />
      <ConfirmAction
        opened={pending?.kind === 'halt'}
        title="Halt this run"
        what={
          <>
            Cancel the working orders of {run.strategy.config.name} and act no more. Positions are kept: exit them explicitly.
            <TextInput mt="xs" label="Reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} data-testid="run-halt-reason" />
          </>
        }
        where={where}
        live={live}
        confirmLabel="Halt"
        color="red"
        pending={halt.pending}
        error={halt.error?.message ?? (haltTried && reason.trim() === '' ? 'Say why the run is halted (it goes into the audit log).' : null)}
        onConfirm={() => {
          setHaltTried(true);
          if (reason.trim() === '') return;
          void halt.run({ run_id: run.run_id, reason: reason.trim() }).then((o) => o.ok && close());
        }}
        onCancel={close}
        testId="run-halt-confirm"
      />
      {auditOpen && <AuditLog runId={run.run_id} opened={auditOpen} onClose={() => setAuditOpen(false)} />}
    </Paper>
  );
}
