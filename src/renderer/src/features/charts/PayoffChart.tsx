import { memo, useMemo } from 'react';
import { Group, Paper, Text, Title, useComputedColorScheme } from '@mantine/core';
import type uPlot from 'uplot';
import type { PayoffView } from '@core/pnl/views';
import { UPlotChart } from '../../components/UPlotChart';
import { formatFixed, formatMoney, formatPrice } from '../format/format';
import { buildPayoffSeries } from './payoff';
import { chartColors } from './chart-colors';

export interface PayoffChartProps {
  name: string;
  payoff: PayoffView | null;
  /** Live underlying price (mark or last), null when unknown. */
  livePrice: number | null;
  currency: string;
  decimals: number;
  height?: number;
}

/** Payoff at expiry of one structure, with breakevens and the live underlying price marked. */
export const PayoffChart = memo(function PayoffChart({ name, payoff, livePrice, currency, decimals, height = 200 }: PayoffChartProps) {
  const scheme = useComputedColorScheme('dark');
  const c = chartColors(scheme);
  // The curve depends on the structure only; the live price moves the marker (an overlay redraw).
  const series = useMemo(() => (payoff ? buildPayoffSeries(payoff, null) : null), [payoff]);
  const live = livePrice !== null && Number.isFinite(livePrice) ? livePrice : null;
  const data = useMemo<uPlot.AlignedData>(() => (series ? [series.xs, series.ys] : [[], []]), [series]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { stroke: c.axis, grid: { stroke: c.grid }, ticks: { stroke: c.grid } },
        { stroke: c.axis, grid: { stroke: c.grid }, ticks: { stroke: c.grid }, size: 64, values: (_u, vals) => vals.map((v) => v.toLocaleString('en-US')) },
      ],
      series: [{}, { label: `P&L at expiry (${currency})`, stroke: c.line, width: 2, points: { show: false } }],
    }),
    [c.axis, c.grid, c.line, currency],
  );

  const draw = (u: uPlot) => {
    if (!series) return;
    const ctx = u.ctx;
    const { left, top, width, height: h } = u.bbox;
    const dpr = devicePixelRatio;
    ctx.save();
    const y0 = u.valToPos(0, 'y', true);
    if (y0 >= top && y0 <= top + h) {
      ctx.strokeStyle = c.zero;
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(left, y0);
      ctx.lineTo(left + width, y0);
      ctx.stroke();
    }
    ctx.font = `${11 * dpr}px sans-serif`;
    for (const be of series.breakevens) {
      const x = u.valToPos(be, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = c.axis;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + h);
      ctx.stroke();
      ctx.fillStyle = c.text;
      ctx.fillText(`BE ${formatPrice(be)}`, x + 3 * dpr, top + 12 * dpr);
    }
    if (live !== null) {
      const x = u.valToPos(live, 'x', true);
      if (x >= left && x <= left + width) {
        ctx.setLineDash([]);
        ctx.strokeStyle = c.live;
        ctx.lineWidth = 2 * dpr;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + h);
        ctx.stroke();
        ctx.fillStyle = c.live;
        ctx.fillText(`live ${formatFixed(live)}`, x + 3 * dpr, top + h - 6 * dpr);
      }
    }
    ctx.restore();
  };

  const bound = (b: { bounded: boolean; value: string | null }) => (b.bounded && b.value !== null ? formatMoney(b.value, decimals, { signed: true }) : 'unlimited');
  return (
    <Paper withBorder p="sm" className="panel" data-testid="payoff-panel">
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Title order={5} lineClamp={1}>
          Payoff at expiry — {name}
        </Title>
      </Group>
      {!payoff ? (
        <Text c="dimmed" size="sm" h={height} data-testid="payoff-empty">
          Select a structure to see its payoff.
        </Text>
      ) : !payoff.ok ? (
        <Text c="dimmed" size="sm" h={height} data-testid="payoff-unavailable">
          No payoff diagram: {payoff.reason}
        </Text>
      ) : (
        <UPlotChart options={options} data={data} height={height} draw={draw} overlayKey={live} testId="payoff-chart" />
      )}
      {payoff?.ok && series && (
        <Group gap="lg" mt={4}>
          <Text size="xs" data-testid="payoff-live">
            <Text span c="dimmed">Underlying </Text>
            {live === null ? 'unknown' : formatFixed(live)}
          </Text>
          <Text size="xs" data-testid="payoff-breakevens">
            <Text span c="dimmed">Breakevens </Text>
            {series.breakevens.length ? series.breakevens.map(formatPrice).join(', ') : 'none'}
          </Text>
          <Text size="xs" data-testid="payoff-max-profit">
            <Text span c="dimmed">Max profit </Text>
            {bound(payoff.max_profit)}
          </Text>
          <Text size="xs" data-testid="payoff-max-loss">
            <Text span c="dimmed">Max loss </Text>
            {bound(payoff.max_loss)}
          </Text>
        </Group>
      )}
    </Paper>
  );
});
