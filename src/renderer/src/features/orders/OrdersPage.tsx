import { useState } from 'react';
import { Alert, Badge, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useDeskStore } from '../../stores/desk-store';
import { PlaceOrderForm } from './PlaceOrderForm';
import { OrdersTable } from './OrdersTable';
import { ExitPanel } from './ExitPanel';
import { ReconciliationPanel } from './ReconciliationPanel';
import { LEVEL_LABEL, KILL_COLOR } from './trading-words';

/**
 * Orders (spec §12, issue 16 item 7): one account at a time — its mode and kill switch, a manual
 * order, open orders (cancel, modify, ask the venue about an unknown outcome) and their history,
 * manual exits and close all, and the reconciliation with the broker.
 */
export function OrdersPage() {
  const trading = useDeskStore((s) => s.trading);
  const [chosen, setChosen] = useState<string | null>(null);
  const account = trading.find((a) => a.account === chosen) ?? trading[0] ?? null;
  if (!account) {
    return (
      <Text c="dimmed" size="sm" data-testid="orders-empty">
        The desk has not reported its accounts yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm" data-testid="orders-page" data-account={account.account}>
      <Group justify="space-between">
        <Group gap="xs">
          {trading.length > 1 && (
            <SegmentedControl size="xs" value={account.account} onChange={setChosen} data={trading.map((a) => ({ value: a.account, label: a.account }))} data-testid="orders-account" />
          )}
          <Text size="sm" fw={600}>
            Account {account.account}
          </Text>
          <Badge color={account.venue_mode === 'LIVE' ? 'red' : account.venue_mode === 'PAPER' ? 'yellow' : 'blue'} variant="filled" radius="sm">
            {account.venue_mode}
          </Badge>
          <Badge color={account.mode === 'trade' ? 'orange' : 'gray'} variant={account.mode === 'trade' ? 'filled' : 'light'} data-testid="orders-mode" data-mode={account.mode}>
            {account.mode === 'trade' ? 'Trade' : 'Monitor'}
          </Badge>
          <Badge color={KILL_COLOR[account.kill_switch]} variant="light" tt="none" data-testid="orders-kill">
            kill switch {LEVEL_LABEL[account.kill_switch]}
          </Badge>
        </Group>
      </Group>
      {account.mode === 'monitor' && (
        <Alert color="gray" data-testid="orders-monitor-note">
          Monitor mode is read-only: the desk refuses every order. Switch this account to Trade with the MONITOR button in the header.
        </Alert>
      )}
      <PlaceOrderForm account={account} />
      <OrdersTable account={account} scope="open" />
      <ExitPanel account={account} />
      <ReconciliationPanel account={account} />
      <OrdersTable account={account} scope="past" />
    </Stack>
  );
}
