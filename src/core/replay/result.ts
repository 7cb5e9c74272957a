/**
 * The result of a replay run (issue 21), built from what the replayed desk published: its P&L curve
 * (every tick_update's total), the fills, the strategy runs. Exact decimals: totals are the desk's
 * own decimal strings, the drawdown is computed on scaled integers (no float).
 */
import { parseScaled } from '../model/money';

const DP = 10;
const SCALE = 10n ** BigInt(DP);

/** A scaled integer (10^-10 units) as the shortest decimal string. */
export function formatScaled(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / SCALE;
  const frac = (a % SCALE).toString().padStart(DP, '0').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : `${int}`;
  return neg && body !== '0' ? `-${body}` : body;
}

/** One point of the P&L curve: the replayed desk's total at a virtual instant (null: unknown then). */
export interface PnlPoint {
  t: number;
  total: string | null;
}

export interface DrawdownValue {
  /** Largest fall from a running peak of the total (a positive decimal, "0" when it never fell); null without any known total. */
  max_drawdown: string | null;
  /** When the fall reached its bottom (epoch ms). */
  max_drawdown_at: number | null;
  /** The peak it fell from and when. */
  peak: string | null;
  peak_at: number | null;
}

/**
 * The P&L curve of a run: keeps every change of the total (and an unknown as a gap), an unchanged
 * total once a minute of replayed time, and the running peak / largest drawdown as points arrive
 * (O(1) each).
 */
export class PnlCurve {
  readonly points: PnlPoint[] = [];
  private peak: bigint | null = null;
  private peakAt: number | null = null;
  private maxDd = 0n;
  private ddAt: number | null = null;
  private ddPeak: bigint | null = null;
  private ddPeakAt: number | null = null;
  private lastKey: string | null | undefined = undefined;
  private lastAt = -Infinity;

  /** `heartbeatMs`: an unchanged total is still recorded this often (a flat stretch is drawn, not skipped). */
  constructor(private readonly heartbeatMs = 60_000) {}

  add(t: number, total: string | null): void {
    if (total === this.lastKey && t - this.lastAt < this.heartbeatMs) return;
    this.lastKey = total;
    this.lastAt = t;
    this.points.push({ t, total });
    if (total === null) return;
    const v = parseScaled(total, DP, 'total P&L');
    if (this.peak === null || v > this.peak) {
      this.peak = v;
      this.peakAt = t;
    }
    const dd = this.peak - v;
    if (dd > this.maxDd || this.ddAt === null) {
      if (dd > this.maxDd) this.maxDd = dd;
      this.ddAt = t;
      this.ddPeak = this.peak;
      this.ddPeakAt = this.peakAt;
    }
  }

  drawdown(): DrawdownValue {
    if (this.peak === null) return { max_drawdown: null, max_drawdown_at: null, peak: null, peak_at: null };
    return { max_drawdown: formatScaled(this.maxDd), max_drawdown_at: this.maxDd > 0n ? this.ddAt : null, peak: this.ddPeak === null ? null : formatScaled(this.ddPeak), peak_at: this.maxDd > 0n ? this.ddPeakAt : null };
  }

  /** The last known total (null when the last point is unknown or there is none). */
  last(): string | null {
    return this.points.length === 0 ? null : this.points[this.points.length - 1]!.total;
  }
}

/** At most `max` points of a curve for a chart: the last point of each equal slice of time (the end kept). */
export function downsample(points: readonly PnlPoint[], max: number): PnlPoint[] {
  if (points.length <= max) return [...points];
  const first = points[0]!.t;
  const span = Math.max(1, points[points.length - 1]!.t - first);
  const out: PnlPoint[] = [];
  let bucket = -1;
  for (const p of points) {
    const b = Math.min(max - 1, Math.floor(((p.t - first) / span) * max));
    if (b !== bucket) {
      out.push(p);
      bucket = b;
    } else out[out.length - 1] = p;
  }
  return out;
}
