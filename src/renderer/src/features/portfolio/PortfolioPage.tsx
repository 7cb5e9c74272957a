import { lazy, memo, Suspense, useMemo } from 'react';
import { usePortfolioView } from './view-state';
import { Grid, Paper, Stack } from '@mantine/core';
import { quoteOfSymbol } from '../../stores/slices/quote-key';

const CHART_PLACEHOLDER_HEIGHT = 260;
import { useMediaQuery } from '@mantine/hooks';
import { useDeskStore } from '../../stores/desk-store';
import { useTotalsNow } from './use-totals-now';
import { selectPnlSamples } from '../../stores/selectors';
import { StreamHealthPanel } from '../health/StreamHealthPanel';
import { livePriceOf } from '../charts/live-price';
import type { PnlPoint } from '../charts/pnl-series';
import { formatAge, formatClock } from '../format/format';
import { PortfolioLoader } from './PortfolioLoader';
import { TotalsBar } from './TotalsBar';
import { PositionsTable } from './PositionsTable';
import { StructuresTable } from './StructuresTable';
import { FillsTable } from './FillsTable';
import { StaleBanner } from './StaleBanner';
import { PlanWarning, SessionBanner } from './SessionBanner';
import { structurePayoff, underlyingOf } from './structure-payoff';
import { useStaleSummary } from './use-stale';

function notStreamingText(lastTickAt: number | null, offset: number): string {
  return `Not streaming${lastTickAt !== null ? ` — prices are frozen as of ${formatClock(lastTickAt - offset)} and their ages keep counting` : ' — nothing touches the network until you press Start'}.`;
}

/**
 * Banners refresh on the shared 4 Hz clock (staleness moves with time), not on every tick. The
 * frequent ones (stale data, not streaming, all fresh) live in a slot of fixed height reserved at
 * the top of the page: their appearing or going never moves the rest of the page (when all is well
 * the slot says so in one quiet line). The rare, state-changing ones — an expired session with its
 * Re-authenticate button, the planner's over-the-limit warning — need room to be read and clicked:
 * they sit above the slot at their full height (review of issues 12–14, #2).
 */
function Banners() {
  const { summary, staleMs } = useStaleSummary();
  const streaming = useDeskStore((s) => s.streaming);
  const lastTickAt = useDeskStore((s) => s.lastTickAt);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const ready = useDeskStore((s) => s.seq !== null);
  const notStreaming = ready && !streaming;
  return (
    <>
      <SessionBanner />
      <PlanWarning />
      <div className="banner-slot" data-testid="banner-slot">
        <StaleBanner summary={summary} staleMs={staleMs} />
        {notStreaming && (
          <div className="banner banner-quiet" data-testid="not-streaming" title={notStreamingText(lastTickAt, offset)}>
            <span aria-hidden className="banner-icon">
              ■
            </span>
            <span className="banner-text">{notStreamingText(lastTickAt, offset)}</span>
          </div>
        )}
        {ready && streaming && summary.count === 0 && (
          <div className="banner banner-ok" data-testid="all-fresh">
            <span aria-hidden className="banner-icon">
              ●
            </span>
            <span className="banner-text">All quotes fresh (stale after {formatAge(staleMs)}).</span>
          </div>
        )}
      </div>
    </>
  );
}

// The charts (uPlot) load after the first paint, in their own chunk; the panels keep their place meanwhile.
const PnlChart = lazy(() => import('../charts/PnlChart').then((m) => ({ default: m.PnlChart })));
const PayoffChart = lazy(() => import('../charts/PayoffChart').then((m) => ({ default: m.PayoffChart })));

/** Charts re-render when their data changes, not on every tick (the live price only moves a marker). */
const Charts = memo(function Charts() {
  const selected = usePortfolioView((v) => v.payoffStructure);
  const currency = useDeskStore((s) => s.pnl.totals[0]?.currency ?? 'USD');
  const decimals = useDeskStore((s) => s.pnl.totals[0]?.currency_decimals ?? 2);
  const samples = useDeskStore((s) => selectPnlSamples(currency)(s));
  const refreshSec = useDeskStore((s) => s.settings?.pnl_refresh_seconds ?? 5);
  const points = useMemo<PnlPoint[]>(() => samples.map((x) => ({ t: x.t, total: x.total, gap: x.gap !== null, portfolioChange: x.gap === 'portfolio_changed' })), [samples]);
  const def = useDeskStore((s) => (selected ? s.structureDefs[selected] : undefined) ?? Object.values(s.structureDefs)[0]);
  const underlying = def ? underlyingOf(def) : null;
  const quote = useDeskStore((s) => (underlying ? quoteOfSymbol(s, underlying) : undefined));
  const live = livePriceOf(quote);
  // The payoff depends on the structure and (for the range) the live price: recompute on a coarse
  // price step, not on every tick.
  const liveKey = live === null ? null : Math.round(live * 10) / 10;
  const payoff = useMemo(() => (def ? structurePayoff(def, liveKey) : null), [def, liveKey]);
  return (
    <Suspense fallback={<Paper withBorder p="sm" className="panel" h={CHART_PLACEHOLDER_HEIGHT} data-testid="charts-loading" />}>
      <PnlChart points={points} currency={currency} decimals={decimals} minGapMs={refreshSec * 2000} />
      <PayoffChart name={def?.name ?? '—'} payoff={payoff} livePrice={live} currency={def?.currency ?? currency} decimals={def?.currency_decimals ?? decimals} />
    </Suspense>
  );
});

function Totals() {
  const totals = useTotalsNow();
  const offset = useDeskStore((s) => s.clockOffsetMs);
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
  // Grouped, the structures are rows of the positions table; flat, they keep their own table.
  const grouped = usePortfolioView((v) => v.layout === 'grouped');
  return (
    <Stack gap="sm" data-testid="portfolio-page">
      <Banners />
      <PortfolioLoader />
      <Totals />
      {wide ? (
        // 1920: tables and stream health left, both charts (with their statistics) right.
        <Grid gap="sm">
          <Grid.Col span={8}>
            <Stack gap="sm">
              <PositionsTable />
              {!grouped && <StructuresTable />}
              <FillsTable />
              <StreamHealth />
            </Stack>
          </Grid.Col>
          <Grid.Col span={4}>
            <Stack gap="sm">
              <Charts />
            </Stack>
          </Grid.Col>
        </Grid>
      ) : (
        // 1280: full width; stream health and the charts side by side below the table.
        <>
          <PositionsTable />
          {!grouped && <StructuresTable />}
          <Grid gap="sm">
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <StreamHealth />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Stack gap="sm">
                <Charts />
              </Stack>
            </Grid.Col>
          </Grid>
          <FillsTable />
        </>
      )}
    </Stack>
  );
}
