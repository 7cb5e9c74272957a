/**
 * Benchmarks are code: each suite in bench/suites/*.ts exports `run(report)` and reports figures
 * against the spec's quality bars. `npm run bench` runs them all (or those named on the command
 * line), prints the machine and every figure, and writes bench/results/latest.json.
 */
import { cpus, totalmem, platform, release } from 'node:os';

export interface Figure {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** e.g. ">= 500000" or "<= 10"; absent for figures that are reported only. */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface BenchReporter {
  figure(name: string, value: number, unit: string, target?: { op: '>=' | '<='; value: number }, note?: string): void;
  note(text: string): void;
}

export type BenchSuite = (report: BenchReporter) => Promise<void> | void;

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

/** Percentile of an unsorted sample (nearest-rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function createReporter(suite: string, sink: Figure[], log: (line: string) => void): BenchReporter {
  return {
    figure(name, value, unit, target, note) {
      const met = target ? (target.op === '>=' ? value >= target.value : value <= target.value) : undefined;
      const fig: Figure = { suite, name, value, unit, ...(target ? { target: `${target.op} ${target.value}`, met } : {}), ...(note ? { note } : {}) };
      sink.push(fig);
      const shown = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(4);
      const verdict = target ? ` (target ${target.op} ${target.value.toLocaleString('en-US')}: ${met ? 'met' : 'NOT met'})` : '';
      log(`  ${name}: ${shown} ${unit}${verdict}${note ? ` — ${note}` : ''}`);
    },
    note(text) {
      log(`  · ${text}`);
    },
  };
}
