/**
 * P&L over the day: turns the desk's samples into chart arrays with gaps, and finds the peak, the
 * trough and the maximum drawdown exactly (decimal strings → bigint; floats only for plotting).
 */
import { MONEY_DP, tryParseScaled, scaledToString, scaledToNumber } from '@core/model/money';
import { decimalTone } from '../format/format';

export interface PnlPoint {
  /** Epoch ms. */
  t: number;
  /** Total P&L as an exact decimal string; null when unknown at that moment (e.g. stale quotes). */
  total: string | null;
  /** True when the sample marks the start of a gap (streaming stopped, feed stale…). */
  gap?: boolean;
  /** True when another portfolio was loaded at this moment (a gap too; statistics restart after it). */
  portfolioChange?: boolean;
}

export interface Extreme {
  t: number;
  value: string;
}

export interface Drawdown {
  /** Positive amount lost from the running peak to the trough after it. */
  amount: string;
  peak: Extreme;
  trough: Extreme;
}

export interface PnlSeries {
  /** Seconds (uPlot's time scale unit). */
  xs: number[];
  /** Display values; null = no data (drawn as a break in the line). */
  ys: (number | null)[];
  /** [from, to] in seconds where data is missing, for shading. */
  gaps: [number, number][];
  peak: Extreme | null;
  trough: Extreme | null;
  maxDrawdown: Drawdown | null;
  /** Samples with a known value. */
  known: number;
  /** Times (ms) another portfolio was loaded: drawn as markers; the line never joins across them. */
  portfolioChanges: number[];
  /**
   * Peak, trough and drawdown cover only the samples since this time (ms) — the last portfolio
   * change — so they never mix two portfolios; null when the day had one portfolio.
   */
  scopeFrom: number | null;
}

/** The usual spacing of the samples (median of consecutive differences), 0 with fewer than 3. */
export function typicalSpacing(sortedTimes: readonly number[]): number {
  if (sortedTimes.length < 3) return 0;
  const d: number[] = [];
  for (let i = 1; i < sortedTimes.length; i++) d.push(sortedTimes[i]! - sortedTimes[i - 1]!);
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}

/**
 * Besides explicit gap markers and unknown values, two consecutive samples further apart than
 * `gapFactor` × the usual spacing (and at least `minGapMs`) are a gap: the sampler was not running.
 */
export function buildPnlSeries(points: readonly PnlPoint[], opts: { gapFactor?: number; minGapMs?: number } = {}): PnlSeries {
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const usual = typicalSpacing(sorted.map((p) => p.t));
  const maxSpacingMs = usual > 0 ? Math.max(opts.minGapMs ?? 0, usual * (opts.gapFactor ?? 3)) : 0;
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  const gaps: [number, number][] = [];
  let peak: { t: number; v: bigint } | null = null;
  let trough: { t: number; v: bigint } | null = null;
  let runPeak: { t: number; v: bigint } | null = null;
  let dd: { amount: bigint; peak: { t: number; v: bigint }; trough: { t: number; v: bigint } } | null = null;
  let known = 0;
  let gapStart: number | null = null;
  let prevT: number | null = null;
  const portfolioChanges: number[] = [];

  for (const p of sorted) {
    const v = p.total === null ? null : tryParseScaled(p.total, MONEY_DP);
    // A long silence between samples is a gap: insert a null so the line breaks there.
    if (prevT !== null && maxSpacingMs > 0 && p.t - prevT > maxSpacingMs && gapStart === null) {
      xs.push((prevT + 1) / 1000);
      ys.push(null);
      gaps.push([prevT / 1000, p.t / 1000]);
    }
    prevT = p.t;
    if (p.portfolioChange === true) {
      // Another portfolio from here on: the statistics describe the current one only.
      portfolioChanges.push(p.t);
      peak = trough = runPeak = null;
      dd = null;
    }
    const missing = v === null || p.gap === true || p.portfolioChange === true;
    if (missing) {
      if (gapStart === null) gapStart = p.t;
      xs.push(p.t / 1000);
      ys.push(null);
      continue;
    }
    if (gapStart !== null) {
      gaps.push([gapStart / 1000, p.t / 1000]);
      gapStart = null;
    }
    known++;
    xs.push(p.t / 1000);
    ys.push(scaledToNumber(v, MONEY_DP));
    const cur = { t: p.t, v };
    if (peak === null || v > peak.v) peak = cur;
    if (trough === null || v < trough.v) trough = cur;
    if (runPeak === null || v > runPeak.v) runPeak = cur;
    const drop = runPeak.v - v;
    if (drop > 0n && (dd === null || drop > dd.amount)) dd = { amount: drop, peak: runPeak, trough: cur };
  }
  if (gapStart !== null && prevT !== null) gaps.push([gapStart / 1000, prevT / 1000]);

  const ext = (e: { t: number; v: bigint } | null): Extreme | null => (e ? { t: e.t, value: scaledToString(e.v, MONEY_DP) } : null);
  return {
    xs,
    ys,
    gaps,
    peak: ext(peak),
    trough: ext(trough),
    maxDrawdown: dd ? { amount: scaledToString(dd.amount, MONEY_DP), peak: ext(dd.peak)!, trough: ext(dd.trough)! } : null,
    known,
    portfolioChanges,
    scopeFrom: portfolioChanges.at(-1) ?? null,
  };
}

/** The tone of a peak or trough: by the sign of its value (a negative peak is a loss, shown red). */
export function extremeTone(e: { value: string } | null): 'pos' | 'neg' | 'zero' {
  if (e === null) return 'zero';
  const t = decimalTone(e.value);
  return t === 'unknown' ? 'zero' : t;
}

/** The canvas colour of a value's sign. */
export function toneColor(value: string, c: { pos: string; neg: string; zero: string }): string {
  const t = decimalTone(value);
  return t === 'pos' ? c.pos : t === 'neg' ? c.neg : c.zero;
}
