import { memo, useMemo } from 'react';
import { Group, Paper, Text, Title, useComputedColorScheme } from '@mantine/core';
import type uPlot from 'uplot';
import { UPlotChart } from '../../components/UPlotChart';
import { formatClock, formatMoney, plural } from '../format/format';
import { buildPnlSeries, extremeTone, toneColor, type PnlPoint } from './pnl-series';
import { chartColors } from './chart-colors';

export interface PnlChartProps {
  points: readonly PnlPoint[];
  currency: string;
  decimals: number;
  /** Samples further apart than this (and than 3× their usual spacing) mark a gap. */
  minGapMs: number;
  height?: number;
}

/** P&L over the day: the line breaks over gaps (shaded), with peak, trough and max drawdown marked. */
export const PnlChart = memo(function PnlChart({ points, currency, decimals, minGapMs, height = 200 }: PnlChartProps) {
  const scheme = useComputedColorScheme('dark');
  const c = chartColors(scheme);
  const series = useMemo(() => buildPnlSeries(points, { minGapMs }), [points, minGapMs]);
  const data = useMemo<uPlot.AlignedData>(() => [series.xs, series.ys], [series]);

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // At least a two-minute window starting at the first sample: a fresh session's first samples
      // neither span years (uPlot's default for one point) nor sit squeezed at an edge.
      scales: { x: { time: true, range: (_u, min, max) => (max - min < 120 ? [min - 2, min + 120] : [min, max]) } },
      axes: [
        { stroke: c.axis, grid: { stroke: c.grid }, ticks: { stroke: c.grid } },
        { stroke: c.axis, grid: { stroke: c.grid }, ticks: { stroke: c.grid }, size: 64, values: (_u, vals) => vals.map((v) => v.toLocaleString('en-US')) },
      ],
      series: [{}, { label: `Total P&L (${currency})`, stroke: c.line, width: 1.5, spanGaps: false, points: { show: false } }],
    }),
    [c.axis, c.grid, c.line, currency],
  );

  const draw = (u: uPlot) => {
    const ctx = u.ctx;
    const { left, top, width, height: h } = u.bbox;
    ctx.save();
    // Gaps: shaded bands where no trustworthy P&L exists.
    ctx.fillStyle = c.gap;
    for (const [from, to] of series.gaps) {
      const x0 = u.valToPos(from, 'x', true);
      const x1 = u.valToPos(to, 'x', true);
      ctx.fillRect(Math.max(left, x0), top, Math.max(2, Math.min(left + width, x1) - Math.max(left, x0)), h);
    }
    // Zero line.
    const y0 = u.valToPos(0, 'y', true);
    if (y0 >= top && y0 <= top + h) {
      ctx.strokeStyle = c.zero;
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(left, y0);
      ctx.lineTo(left + width, y0);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const dot = (t: number, v: string, color: string) => {
      const x = u.valToPos(t / 1000, 'x', true);
      const y = u.valToPos(Number(v), 'y', true);
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(x, y, 4 * devicePixelRatio, 0, Math.PI * 2);
      ctx.fill();
      return { x, y };
    };
    const dd = series.maxDrawdown;
    if (dd) {
      const a = { x: u.valToPos(dd.peak.t / 1000, 'x', true), y: u.valToPos(Number(dd.peak.value), 'y', true) };
      const b = { x: u.valToPos(dd.trough.t / 1000, 'x', true), y: u.valToPos(Number(dd.trough.value), 'y', true) };
      ctx.strokeStyle = c.neg;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // Portfolio changes: a vertical marker (the curves on either side are different portfolios).
    ctx.strokeStyle = c.live;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([2, 3]);
    for (const t of series.portfolioChanges) {
      const x = u.valToPos(t / 1000, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + h);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // Coloured by sign, not by role: a peak below zero is still a loss (red), a trough above zero a gain.
    if (series.peak) dot(series.peak.t, series.peak.value, toneColor(series.peak.value, c));
    if (series.trough) dot(series.trough.t, series.trough.value, toneColor(series.trough.value, c));
    ctx.restore();
  };

  const fmt = (v: string) => formatMoney(v, decimals, { signed: true });
  return (
    <Paper withBorder p="sm" className="panel" data-testid="pnl-chart-panel" data-known={series.known} data-gaps={series.gaps.length}>
      <Group justify="space-between" mb={4} wrap="nowrap">
        <Title order={5}>P&L over the day ({currency})</Title>
        <Text size="xs" c="dimmed">
          shaded = gap (stopped or stale)
        </Text>
      </Group>
      {series.known < 2 && series.xs.length > 0 && (
        <Text size="xs" c="dimmed" data-testid="pnl-chart-collecting">
          Collecting samples ({series.known} so far)…
        </Text>
      )}
      {series.xs.length === 0 ? (
        <Text c="dimmed" size="sm" h={height} data-testid="pnl-chart-empty">
          No samples yet — the desk samples P&L while streaming.
        </Text>
      ) : (
        <UPlotChart options={options} data={data} height={height} draw={draw} testId="pnl-chart" />
      )}
      <Group gap="lg" mt={4} wrap="wrap">
        <Text size="xs" data-testid="pnl-peak">
          <Text span c="dimmed">Peak </Text>
          <span className={`tone-${extremeTone(series.peak)}`} data-tone={extremeTone(series.peak)}>
            {series.peak ? `${fmt(series.peak.value)} at ${formatClock(series.peak.t)}` : '—'}
          </span>
        </Text>
        <Text size="xs" data-testid="pnl-trough">
          <Text span c="dimmed">Trough </Text>
          <span className={`tone-${extremeTone(series.trough)}`} data-tone={extremeTone(series.trough)}>
            {series.trough ? `${fmt(series.trough.value)} at ${formatClock(series.trough.t)}` : '—'}
          </span>
        </Text>
        <Text size="xs" data-testid="pnl-drawdown">
          <Text span c="dimmed">Max drawdown </Text>
          {series.maxDrawdown
            ? `${formatMoney(series.maxDrawdown.amount, decimals)} (${formatClock(series.maxDrawdown.peak.t)} → ${formatClock(series.maxDrawdown.trough.t)})`
            : '—'}
        </Text>
        {series.scopeFrom !== null && (
          <Text size="xs" c="dimmed" data-testid="pnl-scope" data-portfolio-changes={series.portfolioChanges.length}>
            peak, trough and drawdown since the portfolio changed at {formatClock(series.scopeFrom)} (dotted line)
          </Text>
        )}
        <Text size="xs" c="dimmed" data-testid="pnl-gaps">
          {plural(series.gaps.length, 'gap')}
        </Text>
      </Group>
    </Paper>
  );
});
