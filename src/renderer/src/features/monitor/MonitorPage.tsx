import { Stack, Text } from '@mantine/core';
import type { MonitorAccountWire, MonitorCycleWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { AccountCard } from './AccountCard';

const NO_CYCLES: never[] = [];

/** Account ids in a stable order (cards never jump): the default account first, then by id. */
export function accountOrder(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Monitor (spec §8, §12; issue 17 item 4): per account, the monitoring cycle's state and next run,
 * its last cycles step by step, a cycle's errors and order actions, run now / pause / re-authenticate
 * and the settings.
 */
export function MonitorPage() {
  const reported = useDeskStore((s) => s.monitorReported);
  const accounts = useDeskStore((s) => s.monitorAccounts);
  const cycles = useDeskStore((s) => s.monitorCycles);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  return <MonitorAccounts reported={reported} accounts={accounts} cycles={cycles} clockOffsetMs={offset} />;
}

/** The page's content from the store's monitor slice (a static render in the tests gives it fake data). */
export function MonitorAccounts({ reported, accounts, cycles, clockOffsetMs }: { reported: boolean; accounts: Record<string, MonitorAccountWire>; cycles: Record<string, MonitorCycleWire[]>; clockOffsetMs: number }) {
  const ids = accountOrder(Object.keys(accounts));
  return (
    <Stack gap="sm" data-testid="monitor-page">
      <Text size="xs" c="dimmed">
        The monitoring cycle per account: fetch the broker&apos;s books, FIFO P&amp;L, sync, SL/TP, modifications, archive and regenerate — every step&apos;s result and duration. Not to be confused with the read-only Monitor <i>mode</i> of the order path. Times are local (the exchange&apos;s in brackets).
      </Text>
      {!reported ? (
        <Text size="sm" c="dimmed" data-testid="monitor-empty">
          The desk has not reported the monitoring cycle (its snapshot carries no monitoring state).
        </Text>
      ) : ids.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="monitor-empty">
          No account is monitored.
        </Text>
      ) : (
        ids.map((id) => <AccountCard key={id} account={accounts[id]!} cycles={cycles[id] ?? NO_CYCLES} clockOffsetMs={clockOffsetMs} />)
      )}
    </Stack>
  );
}
