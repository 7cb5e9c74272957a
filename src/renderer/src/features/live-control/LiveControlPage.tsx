import { Stack, Text } from '@mantine/core';
import type { StrategyDefinition, StrategyRuntimeWire, TradingStateWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import type { RunFlash } from '../../stores/slices/strategy';
import { RunCard } from './RunCard';
import { StrategiesSection } from './StrategiesSection';

const ORDER: Record<StrategyRuntimeWire['status'], number> = { entering: 0, exiting: 1, live: 2, waiting: 3, error: 4, halted: 5, cooldown: 6 };

/** Runs in a stable order: those acting now first (entering, exiting, live), then waiting, then ended; by entry time, then id. */
export function runOrder(runs: readonly StrategyRuntimeWire[]): StrategyRuntimeWire[] {
  return [...runs].sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.scheduled_entry_at ?? '').localeCompare(b.scheduled_entry_at ?? '') || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
}

/**
 * Live Control (spec §9, §12; issue 18 item 5): one card per strategy run with its four panels, and
 * the Strategies section (definitions: form, import / export, start).
 */
export function LiveControlPage() {
  const reported = useDeskStore((s) => s.strategiesReported);
  const definitions = useDeskStore((s) => s.strategyDefinitions);
  const runs = useDeskStore((s) => s.strategyRuns);
  const flashes = useDeskStore((s) => s.strategyFlashes);
  const trading = useDeskStore((s) => s.trading);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  return <LiveControl reported={reported} definitions={definitions} runs={runs} flashes={flashes} trading={trading} clockOffsetMs={offset} />;
}

/** The page's content from the store (a static render in the tests gives it fake data). */
export function LiveControl({ reported, definitions, runs, flashes, trading, clockOffsetMs }: { reported: boolean; definitions: readonly StrategyDefinition[]; runs: Record<string, StrategyRuntimeWire>; flashes: Record<string, RunFlash>; trading: readonly TradingStateWire[]; clockOffsetMs: number }) {
  const list = runOrder(Object.values(runs));
  return (
    <Stack gap="sm" data-testid="live-control-page">
      <Text size="xs" c="dimmed">
        Strategy runs: schedule, entry ladder (limit → market), position health with quote ages, exits. Times are local; the configured times are the exchange&apos;s. Risk exits never act on a stale quote.
      </Text>
      {list.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="runs-empty">
          {reported ? 'No strategy run in this session: start one from Strategies below.' : 'The desk has not reported strategy runs.'}
        </Text>
      ) : (
        list.map((r) => <RunCard key={r.run_id} run={r} flash={flashes[r.run_id]} account={trading.find((t) => t.account === r.account)} clockOffsetMs={clockOffsetMs} />)
      )}
      <StrategiesSection definitions={definitions} reported={reported} trading={trading} />
    </Stack>
  );
}
