import { useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import type { ReconLineWire, ReconciliationWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useCommand } from '../portfolio/use-command';
import { formatClock } from '../format/format';
import { ConfirmAction } from './ConfirmAction';
import { accountPhrase } from './trading-words';
import { KIND_LABEL, RECON_STATUS, lineNeedsAction, reconSummary } from './recon-words';

/**
 * Reconciliation (issue 16 items 5 and 6): the broker's books against our ledger, line by line, with
 * what the trader can do about each; and our FIFO P&L beside the broker's, the difference explained.
 */
export function ReconciliationPanel({ account }: { account: TradingStateWire }) {
  const recon = useDeskStore((s) => s.reconciliation[account.account]) ?? null;
  const run = useCommand('reconcile.run');
  const status = recon?.status ?? 'pending';
  return (
    <Paper withBorder p="sm" data-testid="reconciliation" data-status={status}>
      <Group justify="space-between" mb={6}>
        <Group gap="xs">
          <Title order={5}>Reconciliation with the broker</Title>
          <Badge color={RECON_STATUS[status].color} tt="none" data-testid="recon-status">
            {RECON_STATUS[status].label}
          </Badge>
        </Group>
        <Group gap="xs">
          <Text size="xs" c="dimmed">
            {recon?.at ? `asked ${formatClock(recon.at)}${recon.trigger ? ` (${recon.trigger})` : ''}` : 'not run yet'}
          </Text>
          <Button size="xs" variant="default" loading={run.pending} onClick={() => void run.run({ account: account.account })} data-testid="recon-run">
            Reconcile now
          </Button>
        </Group>
      </Group>
      <Text size="sm" mb={6} data-testid="recon-summary">
        {reconSummary(recon)}
      </Text>
      {run.error && <Alert color="red">{run.error.message}</Alert>}
      {recon?.error && (
        <Alert color="orange" mb={6} data-testid="recon-error">
          {recon.error}
        </Alert>
      )}
      {recon && recon.lines.length > 0 && <Lines account={account} recon={recon} />}
      {recon && recon.pnl.length > 0 && <PnlCompare recon={recon} />}
    </Paper>
  );
}

function Lines({ account, recon }: { account: TradingStateWire; recon: ReconciliationWire }) {
  const resolve = useCommand('reconcile.resolve');
  const [closing, setClosing] = useState<ReconLineWire | null>(null);
  const act = (line: ReconLineWire, action: 'adopt_broker' | 'keep_local' | 'close') => void resolve.run({ account: account.account, line_id: line.id, action });
  const lines = [...recon.lines].sort((a, b) => Number(lineNeedsAction(b)) - Number(lineNeedsAction(a)) || (a.id < b.id ? -1 : 1));
  return (
    <>
      {resolve.error && (
        <Alert color="red" mb={6} data-testid="recon-resolve-error">
          {resolve.error.message}
        </Alert>
      )}
      <Table striped withTableBorder data-testid="recon-lines">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>What</Table.Th>
            <Table.Th>Symbol</Table.Th>
            <Table.Th>Broker</Table.Th>
            <Table.Th>Our ledger</Table.Th>
            <Table.Th>Note</Table.Th>
            <Table.Th>Resolve</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lines.map((l) => (
            <Table.Tr key={l.id} data-testid={`recon-line-${l.id}`} data-kind={l.kind} data-resolution={l.resolution ?? ''}>
              <Table.Td>
                <Badge color={l.kind === 'matched' ? 'teal' : l.resolution ? 'gray' : 'orange'} tt="none">
                  {l.subject} · {KIND_LABEL[l.kind]}
                </Badge>
              </Table.Td>
              <Table.Td>{l.symbol}</Table.Td>
              <Table.Td>{l.broker ? `${l.broker.quantity}${l.broker.price ? ` @ ${l.broker.price}` : ''}` : '—'}</Table.Td>
              <Table.Td>{l.ledger ? `${l.ledger.quantity}${l.ledger.price ? ` @ ${l.ledger.price}` : ''}` : '—'}</Table.Td>
              <Table.Td>
                <Text size="xs">{l.note ?? ''}</Text>
              </Table.Td>
              <Table.Td>
                {l.kind === 'matched' ? (
                  <Text size="xs" c="dimmed">
                    —
                  </Text>
                ) : l.resolution ? (
                  <Text size="xs" data-testid="recon-resolved">
                    resolved: {l.resolution.replace('_', ' ')}
                  </Text>
                ) : (
                  <Group gap={4} wrap="nowrap">
                    <Button size="compact-xs" variant="light" loading={resolve.pending} onClick={() => act(l, 'adopt_broker')} data-testid="recon-adopt">
                      Adopt broker
                    </Button>
                    <Button size="compact-xs" variant="default" loading={resolve.pending} onClick={() => act(l, 'keep_local')} data-testid="recon-keep">
                      Keep local
                    </Button>
                    <Button size="compact-xs" color="red" variant="light" onClick={() => setClosing(l)} data-testid="recon-close">
                      Close
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ConfirmAction
        opened={closing !== null}
        title="Close at the broker?"
        what={closing ? `Close ${closing.subject === 'order' ? `the order ${closing.client_order_id ?? ''}` : `the position in ${closing.symbol}`} at the broker (orders go through the gateway).` : ''}
        where={accountPhrase(account.account, account.venue_mode, account.mode)}
        live={account.venue_mode === 'LIVE'}
        confirmLabel="Close"
        color="red"
        pending={resolve.pending}
        error={resolve.error?.message ?? null}
        onConfirm={() =>
          closing &&
          void resolve.run({ account: account.account, line_id: closing.id, action: 'close' }).then((o) => {
            if (o.ok) setClosing(null);
          })
        }
        onCancel={() => setClosing(null)}
        testId="confirm-recon-close"
      />
    </>
  );
}

function PnlCompare({ recon }: { recon: ReconciliationWire }) {
  return (
    <>
      <Title order={6} mt="sm" mb={4}>
        Our ledger beside the broker&apos;s P&amp;L
      </Title>
      <Table striped withTableBorder data-testid="pnl-compare">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Symbol</Table.Th>
            <Table.Th>Ours: qty @ avg</Table.Th>
            <Table.Th>Ours: realized / unrealized</Table.Th>
            <Table.Th>Broker: qty @ avg</Table.Th>
            <Table.Th>Broker: unrealized</Table.Th>
            <Table.Th>Difference</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {recon.pnl.map((p) => (
            <Table.Tr key={p.symbol} data-testid={`pnl-compare-${p.symbol}`}>
              <Table.Td>{p.symbol}</Table.Td>
              <Table.Td>{p.ours ? `${p.ours.quantity}${p.ours.avg_price ? ` @ ${p.ours.avg_price}` : ''}` : '—'}</Table.Td>
              <Table.Td>{p.ours ? `${p.ours.realized} / ${p.ours.unrealized ?? 'unknown'}` : '—'}</Table.Td>
              <Table.Td>{p.broker ? `${p.broker.quantity}${p.broker.avg_price ? ` @ ${p.broker.avg_price}` : ''}` : '—'}</Table.Td>
              <Table.Td>{p.broker?.unrealized ?? '—'}</Table.Td>
              <Table.Td>{p.difference ?? 'unknown'}</Table.Td>
              <Table.Td>
                {p.explanation.length === 0 ? (
                  <Text size="xs" c="dimmed">
                    equal
                  </Text>
                ) : (
                  p.explanation.map((e, i) => (
                    <Text key={i} size="xs">
                      {e}
                    </Text>
                  ))
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
