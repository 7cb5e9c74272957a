import { blackScholes } from '../../src/core/greeks/black-scholes';
import { impliedVol } from '../../src/core/greeks/implied-vol';
import type { BenchReporter } from '../harness';

/** Greeks and implied-volatility throughput (chain-wide recomputation budget). */
export function run(report: BenchReporter): void {
  const inputs = Array.from({ length: 1000 }, (_, i) => ({ right: (i % 2 ? 'call' : 'put') as 'call' | 'put', spot: 500, strike: 400 + (i % 200), years: 0.02 + (i % 50) / 100, rate: 0.04, vol: 0.1 + (i % 40) / 100 }));
  let n = 0;
  let t0 = performance.now();
  let sink = 0;
  while (performance.now() - t0 < 500) {
    for (const x of inputs) {
      sink += blackScholes(x).delta;
      n++;
    }
  }
  if (!Number.isFinite(sink)) throw new Error("non-finite greeks");
  report.figure('Black-Scholes price + greeks', n / ((performance.now() - t0) / 1000), 'options/s');
  const priced = inputs.map((x) => ({ x, price: blackScholes(x).price }));
  n = 0;
  let failed = 0;
  let passes = 0;
  t0 = performance.now();
  while (performance.now() - t0 < 500) {
    for (const { x, price } of priced) {
      const r = impliedVol({ model: 'black-scholes', right: x.right, price, underlying: x.spot, strike: x.strike, years: x.years, rate: x.rate });
      if (!r.ok) failed++;
      n++;
    }
    passes++;
  }
  report.figure('implied volatility solves', n / ((performance.now() - t0) / 1000), 'solves/s', undefined, `${failed / passes} of ${priced.length} test options have no time value left to solve for`);
}
