import { memo, useMemo } from 'react';
import { usePortfolioView } from './view-state';
import { Alert, Grid, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useDeskStore } from '../../stores/desk-store';
import { revalueAll } from '../../stores/desk-state';
import { totalsOf } from '@core/pnl/revalue';
import { useNow } from '../../hooks/use-now';
import { countStaleNow } from './stale-now';
import { selectPnlSamples } from '../../stores/selectors';
import { StreamHealthPanel } from '../health/StreamHealthPanel';
import { PnlChart } from '../charts/PnlChart';
import { PayoffChart } from '../charts/PayoffChart';
import { livePriceOf } from '../charts/live-price';
import type { PnlPoint } from '../charts/pnl-series';
import { formatClock } from '../format/format';
import { PortfolioLoader } from './PortfolioLoader';
import { TotalsBar } from './TotalsBar';
import { PositionsTable } from './PositionsTable';
import { StructuresTable } from './StructuresTable';
import { FillsTable } from './FillsTable';
import { StaleBanner } from './StaleBanner';
import { PlanWarning, SessionBanner } from './SessionBanner';
import { structurePayoff, underlyingOf } from './structure-payoff';
import { useStaleSummary } from './use-stale';

/** Banners refresh on the shared 4 Hz clock (staleness moves with time), not on every tick. */
function Banners() {
  const { summary, staleMs } = useStaleSummary();
  const streaming = useDeskStore((s) => s.streaming);
  const lastTickAt = useDeskStore((s) => s.lastTickAt);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const ready = useDeskStore((s) => s.seq !== null);
  return (
    <>
      <SessionBanner />
      <StaleBanner summary={summary} staleMs={staleMs} />
      <PlanWarning />
      {ready && !streaming && (
        <Alert variant="light" color="gray" data-testid="not-streaming" icon={<span aria-hidden>■</span>} py={6}>
          <Text size="sm">
            Not streaming{lastTickAt !== null ? ` — prices are frozen as of ${formatClock(lastTickAt - offset)} and their ages keep counting` : ' — nothing touches the network until you press Start'}.
          </Text>
        </Alert>
      )}
    </>
  );
}

/** Charts re-render when their data changes, not on every tick (the live price only moves a marker). */
const Charts = memo(function Charts() {
  const selected = usePortfolioView((v) => v.payoffStructure);
  const currency = useDeskStore((s) => s.totals.totals[0]?.currency ?? 'USD');
  const decimals = useDeskStore((s) => s.totals.totals[0]?.currency_decimals ?? 2);
  const samples = useDeskStore((s) => selectPnlSamples(currency)(s));
  const refreshSec = useDeskStore((s) => s.settings?.pnl_refresh_seconds ?? 5);
  const points = useMemo<PnlPoint[]>(() => samples.map((x) => ({ t: x.t, total: x.total, gap: x.gap !== null })), [samples]);
  const def = useDeskStore((s) => (selected ? s.structureDefs[selected] : undefined) ?? Object.values(s.structureDefs)[0]);
  const underlying = def ? underlyingOf(def) : null;
  const quote = useDeskStore((s) => (underlying ? s.quotes[underlying] : undefined));
  const live = livePriceOf(quote);
  // The payoff depends on the structure and (for the range) the live price: recompute on a coarse
  // price step, not on every tick.
  const liveKey = live === null ? null : Math.round(live * 10) / 10;
  const payoff = useMemo(() => (def ? structurePayoff(def, liveKey) : null), [def, liveKey]);
  return (
    <>
      <PnlChart points={points} currency={currency} decimals={decimals} minGapMs={refreshSec * 2000} />
      <PayoffChart name={def?.name ?? '—'} payoff={payoff} livePrice={live} currency={def?.currency ?? currency} decimals={def?.currency_decimals ?? decimals} />
    </>
  );
});

/**
 * The stored totals, unless some known P&L behind them has gone stale since the last tick (stream
 * stopped or stalled): then the totals are recomputed at now with the shared valuation functions,
 * so they say "unknown" exactly when the rows do.
 */
function Totals() {
  const stored = useDeskStore((s) => s.totals);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  const positions = useDeskStore((s) => s.positions);
  const now = useNow() + offset;
  const staleNow = countStaleNow(positions, now, staleMs);
  const totals = useMemo(
    () => (staleNow === 0 ? stored : totalsOf(Object.values(revalueAll(useDeskStore.getState(), now)))),
    // `now` matters only while something is stale; otherwise the stored totals stand.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [staleNow === 0 ? 0 : now, staleNow, stored, positions],
  );
  const lastGood = useDeskStore((s) => s.lastGoodAsOf);
  return <TotalsBar totals={totals} clockOffsetMs={offset} lastGoodAsOf={lastGood} />;
}

function StreamHealth() {
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const streams = useDeskStore((s) => s.streams);
  const { summary, staleMs } = useStaleSummary();
  return <StreamHealthPanel streams={streams} clockOffsetMs={offset} staleMs={staleMs} staleQuotes={summary.count} />;
}

/**
 * The screen a trader watches all day (spec §12 Portfolio). The page itself subscribes to nothing
 * that ticks: each section subscribes to its own slice, so a tick re-renders only what changed.
 */
export function PortfolioPage() {
  // Wide screens (≥ 88em, e.g. 1920): tables left, health and charts right. Narrower (e.g. 1280):
  // everything full width, with health and charts side by side before the fills.
  const wide = useMediaQuery('(min-width: 88em)') ?? false;
  return (
    <Stack gap="sm" data-testid="portfolio-page">
      <Banners />
      <PortfolioLoader />
      <Totals />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, xl: 8 }}>
          <Stack gap="sm">
            <PositionsTable />
            <StructuresTable />
            {wide && <FillsTable />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, xl: 4 }}>
          <Grid gap="sm">
            <Grid.Col span={{ base: 12, lg: 6, xl: 12 }}>
              <StreamHealth />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6, xl: 12 }}>
              <Stack gap="sm">
                <Charts />
              </Stack>
            </Grid.Col>
          </Grid>
        </Grid.Col>
      </Grid>
      {!wide && <FillsTable />}
    </Stack>
  );
}
