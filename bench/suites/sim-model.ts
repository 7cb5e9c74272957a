import { SimMarketModel } from '../../src/node/venues/sim/model';
import type { BenchReporter } from '../harness';

/** How fast the simulated venue can generate quotes (it must never be the bottleneck). */
export function run(report: BenchReporter): void {
  const start = Date.UTC(2026, 10, 20, 15);
  const model = new SimMarketModel(42, start);
  let quotes = 0;
  const t0 = performance.now();
  let i = 0;
  while (performance.now() - t0 < 1000) quotes += model.step(start + ++i * 10).length;
  const secs = (performance.now() - t0) / 1000;
  report.figure('sim quote generation', quotes / secs, 'quotes/s');
}
