import { useMemo, useState } from 'react';
import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ExitRunWire, ExitTargetWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { formatClock } from '../format/format';
import { ConfirmAction } from './ConfirmAction';
import { accountPhrase } from './trading-words';
import { exitablePositions } from './orders-view';

/**
 * Manual exits (issue 16 item 7): per position, per structure, or everything of the account. The desk
 * buys back shorts before it sells longs, each leg a limit at mid stepping toward the far side, then
 * market; the runs' progress shows below.
 */
export function ExitPanel({ account }: { account: TradingStateWire }) {
  const records = useDeskStore((s) => s.records);
  const recon = useDeskStore((s) => s.reconciliation[account.account]);
  const structureDefs = useDeskStore((s) => s.structureDefs);
  const exits = useDeskStore((s) => s.exits);
  const open = useMemo(() => exitablePositions(Object.values(records), recon?.pnl ?? [], account.account), [records, recon, account.account]);
  const structures = useMemo(() => Object.values(structureDefs).sort((a, b) => (a.name < b.name ? -1 : 1)), [structureDefs]);
  const mine = exits.filter((e) => e.account === account.account);
  const [target, setTarget] = useState<{ target: ExitTargetWire; what: string } | null>(null);
  const exit = useCommand('orders.exit');
  return (
    <Paper withBorder p="sm" data-testid="exit-panel">
      <Group justify="space-between" mb={6}>
        <Title order={5}>Positions and exits</Title>
        <Button
          size="xs"
          color="red"
          variant="light"
          disabled={open.length === 0 && structures.length === 0}
          onClick={() => (exit.clear(), setTarget({ target: { kind: 'all' }, what: `Close ALL open positions of account ${account.account}` }))}
          data-testid="close-all"
        >
          Close all
        </Button>
      </Group>
      <Stack gap="xs">
        {open.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="exit-no-positions">
            No open position from this account&apos;s fills.
          </Text>
        ) : (
          <Table striped data-testid="exit-positions">
            <Table.Tbody>
              {open.map((r) => {
                const qty = r.quantity;
                return (
                  <Table.Tr key={r.symbol} data-testid={`exit-position-${r.symbol}`}>
                    <Table.Td>{r.symbol}</Table.Td>
                    <Table.Td>{r.side}</Table.Td>
                    <Table.Td className="num">{qty}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        color="red"
                        variant="light"
                        onClick={() => (exit.clear(), setTarget({ target: { kind: 'position', symbol: r.symbol }, what: `Exit ${r.side} ${qty} ${r.symbol}` }))}
                        data-testid="exit-position"
                      >
                        Exit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        {structures.length > 0 && (
          <Group gap="xs" data-testid="exit-structures">
            <Text size="xs" c="dimmed">
              Structures:
            </Text>
            {structures.map((s) => (
              <Button
                key={s.id}
                size="compact-xs"
                variant="default"
                onClick={() => (exit.clear(), setTarget({ target: { kind: 'structure', structure_id: s.id }, what: `Exit structure ${s.name} (${s.legs.length} legs)` }))}
                data-testid={`exit-structure-${s.id}`}
              >
                Exit {s.name}
              </Button>
            ))}
          </Group>
        )}
        {mine.length > 0 && <ExitRuns runs={mine} account={account} />}
      </Stack>
      <ConfirmAction
        opened={target !== null}
        title="Exit?"
        what={
          <>
            {target?.what}. Shorts are bought back before longs are sold; each leg starts as a limit at mid, steps toward the far side, then goes to market.
          </>
        }
        where={accountPhrase(account.account, account.venue_mode, account.mode)}
        live={account.venue_mode === 'LIVE'}
        confirmLabel="Start exit"
        color="red"
        pending={exit.pending}
        error={exit.error?.message ?? null}
        onConfirm={() =>
          target &&
          void exit.run({ account: account.account, target: target.target }).then((o) => {
            if (o.ok) setTarget(null);
          })
        }
        onCancel={() => setTarget(null)}
        testId="confirm-exit"
      />
    </Paper>
  );
}

const RUN_COLOR: Record<ExitRunWire['status'], string> = { working: 'blue', done: 'teal', failed: 'red', cancelled: 'gray' };

function ExitRuns({ runs, account }: { runs: ExitRunWire[]; account: TradingStateWire }) {
  const cancel = useCommand('orders.exit_cancel');
  const [stopping, setStopping] = useState<ExitRunWire | null>(null);
  return (
    <>
    <ConfirmAction
      opened={stopping !== null}
      title="Stop this exit?"
      what="The exit stops stepping; its working orders are cancelled at the venue (what already filled stays filled)."
      where={accountPhrase(account.account, account.venue_mode, account.mode)}
      live={account.venue_mode === 'LIVE'}
      confirmLabel="Stop exit"
      pending={cancel.pending}
      error={cancel.error?.message ?? null}
      onConfirm={() =>
        stopping &&
        void cancel.run({ id: stopping.id }).then((o) => {
          if (o.ok) setStopping(null);
        })
      }
      onCancel={() => setStopping(null)}
      testId="confirm-exit-stop"
    />
    <Table data-testid="exit-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Started</Table.Th>
          <Table.Th>Exit</Table.Th>
          <Table.Th>Legs</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr key={r.id} data-testid={`exit-run-${r.id}`} data-status={r.status}>
            <Table.Td>{formatClock(r.started_at)}</Table.Td>
            <Table.Td>{r.target.kind === 'position' ? r.target.symbol : r.target.kind === 'structure' ? `structure ${r.target.structure_id}` : 'all'}</Table.Td>
            <Table.Td>
              {r.legs.map((l) => (
                <Text key={`${l.symbol}-${l.phase}`} size="xs">
                  {l.phase}. {l.side.toUpperCase()} {l.quantity} {l.symbol}: {l.method}
                  {l.last_price ? ` @ ${l.last_price}` : ''} · try {l.attempts} · {l.status} ({l.filled_quantity} filled){l.reason ? ` — ${l.reason}` : ''}
                </Text>
              ))}
            </Table.Td>
            <Table.Td>
              <Badge color={RUN_COLOR[r.status]} tt="none">
                {r.status}
              </Badge>
              {r.reason && (
                <Text size="xs" c="dimmed">
                  {r.reason}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              {r.status === 'working' && (
                <Button size="compact-xs" variant="default" onClick={() => (cancel.clear(), setStopping(r))} data-testid="exit-stop">
                  Stop
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
    </>
  );
}
