import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  /** Options without width/height (the chart fills its container's width). Recreated when this identity changes. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  /** Extra drawing on top of the series (annotations); read at draw time, so it may change freely. */
  draw?: (u: uPlot) => void;
  /** Changing this redraws the overlay without new data (e.g. a moving live-price marker). */
  overlayKey?: unknown;
  testId?: string;
}

/**
 * uPlot in React: one chart instance per options object, data pushed with setData (cheap), width
 * following the container through a ResizeObserver.
 */
export function UPlotChart({ options, data, height, draw, overlayKey, testId }: UPlotChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const drawRef = useRef(draw);
  const dataRef = useRef(data);
  useEffect(() => {
    drawRef.current = draw;
    dataRef.current = data;
  });

  useEffect(() => {
    const host = el.current!;
    const u = new uPlot(
      {
        ...options,
        width: Math.max(100, host.clientWidth),
        height,
        hooks: { ...options.hooks, draw: [...(options.hooks?.draw ?? []), (u2: uPlot) => drawRef.current?.(u2)] },
      },
      dataRef.current,
      host,
    );
    chart.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(100, host.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(host);
    return () => {
      ro.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  useEffect(() => {
    // Cached paths, no axis recalculation: only the draw hook's overlay changes.
    chart.current?.redraw(false, false);
  }, [overlayKey]);

  return <div ref={el} data-testid={testId} data-points={data[0]?.length ?? 0} style={{ width: '100%', minHeight: height }} />;
}
