/**
 * The strategy runtime (issue 18, Done when): 50 concurrent runs on one desk — the runtime's
 * evaluation cost per quote and the event-loop delay p99 while it evaluates.
 *
 * 50 short strangles (2 legs each, 100 option symbols) are entered through the real engine and the
 * real strategy service (orders answered at once, filled at the limit), then live with a trailing
 * stop armed. Quotes then move: every quote change re-evaluates the runs (the engine's `advance` for
 * each, its payload, the persistence check and the event) as the desk's tick does. Reported: the
 * evaluation cost per quote (all 50 runs re-evaluated on every quote change, divided per quote) and
 * the event-loop delay p99 while quotes stream at ~1,000/s for 5 s with the service ticking.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchReporter } from '../harness';
import { SystemClock } from '../../src/node/system-clock';
import { silentLogger } from '../../src/core/ports/logger';
import { accountId } from '../../src/core/model/ids';
import type { Account } from '../../src/core/model/account';
import { strategyEngine, type RunState } from '../../src/core/strategy/engine';
import type { StrategyDefinition } from '../../src/core/strategy/definition';
import type { RunQuote } from '../../src/core/strategy/engine-api';
import { StrategyService, type StrategyOrders } from '../../src/node/app/strategy/strategy-service';
import { MemoryStrategyStore } from '../../src/node/app/strategy/store';
import type { OrderOutcomeWire, OrderWire } from '../../src/shared/trading';
import type { VenueRun } from '../../src/node/compose';

const RUNS = 50;
const ACC: Account = { id: accountId('bench'), label: 'bench', venue: 'sim', mode: 'SIM', credentialsRef: null };

function definition(i: number): StrategyDefinition {
  return {
    id: `s${i}`,
    name: `Strangle ${i}`,
    account: 'bench',
    underlying: 'SPY',
    legs: (['call', 'put'] as const).map((right) => ({ right, side: 'sell' as const, lots: 1, select: { by: 'delta' as const, min: 0.15, max: 0.25 }, expiry: { kind: 'nearest' as const, min_days: 0 }, stop_loss: null, take_profit: null })),
    schedule: { entry_time: '00:01', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    entry: { max_retry: 3, retry_delay_ms: 1000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
    exits: { stop_loss: { kind: 'pct', value: '200' }, take_profit: { kind: 'pct', value: '90' }, trailing: { activation_pct: '1', distance_pct: '50' }, forced_exit_time: '23:59' },
    reentry: { count: 0, cutoff_time: null },
  };
}

/** Orders answered and filled at once at their limit. */
class InstantOrders implements StrategyOrders {
  readonly journal = new Map<string, OrderWire>();
  /** Each order's fill price (its limit; market orders at 2.05), as the venue's update would carry it. */
  readonly prices = new Map<string, number>();
  automationBlocked(): string | null {
    return null;
  }
  place(input: Parameters<StrategyOrders['place']>[0]): Promise<OrderOutcomeWire> {
    const o = { client_order_id: input.client_order_id!, venue_client_order_id: input.client_order_id!, status: 'filled', filled_quantity: input.quantity, reason: null, symbol: input.symbol } as unknown as OrderWire;
    this.journal.set(o.client_order_id, o);
    this.prices.set(o.client_order_id, input.limit_price !== undefined ? Number(input.limit_price) : 2.05);
    return Promise.resolve({ kind: 'accepted', order: o });
  }
  cancel(_a: string, id: string): Promise<OrderOutcomeWire> {
    const o = this.journal.get(id)!;
    return Promise.resolve({ kind: 'accepted', order: o });
  }
  order(_a: string, id: string): OrderWire | null {
    return this.journal.get(id) ?? null;
  }
}

export async function run(report: BenchReporter): Promise<void> {
  const clock = new SystemClock();
  const quotes = new Map<string, RunQuote>();
  const orders = new InstantOrders();
  const symbols = Array.from({ length: RUNS }, (_, i) => [`SPY261218C${String(600 + i).padStart(5, '0')}000`, `SPY261218P${String(500 + i).padStart(5, '0')}000`]);
  for (const pair of symbols) for (const s of pair) quotes.set(s, { bid: 2.0, ask: 2.1, fresh: true, ageMs: 50 });
  let published = 0;
  const svc = new StrategyService<RunState>({
    clock,
    logger: silentLogger,
    engine: strategyEngine,
    select: (_a, def) => {
      const i = Number(def.id.slice(1));
      return Promise.resolve({ ok: true, contracts: symbols[i]!.map((symbol, leg) => ({ leg, symbol, expiry: '2026-12-18', strike: leg === 0 ? 600 + i : 500 + i, delta: 0.2, deltaSource: 'venue' as const, deltaAgeMs: 50, multiplier: 100, tick: 0.01 })) });
    },
    orders: () => orders,
    quote: (_a, s) => quotes.get(s) ?? null,
    refresh: () => Promise.resolve(),
    subscribe: () => undefined,
    exchangeOf: () => 'SIM',
    reconciled: () => true,
    store: new MemoryStrategyStore(),
    publish: () => {
      published++;
    },
    node: () => 'x',
    alert: () => undefined,
    accounts: () => [ACC],
    avgFillOf: (_a, id) => orders.prices.get(id) ?? null,
    // the bench drives the evaluation itself
    tickMs: 3_600_000,
  });
  svc.accountStarted(ACC, {} as VenueRun);
  for (let i = 0; i < RUNS; i++) {
    svc.save(definition(i));
    await svc.start(`s${i}`, true);
  }
  for (let k = 0; k < 5; k++) await svc.evaluateAll();
  const live = svc.payloads().filter((p) => p.status === 'live').length;

  // evaluation cost: a quote changes, every run is re-evaluated
  const n = Number(process.env.STRATEGY_QUOTES ?? 2_000);
  const all = [...quotes.keys()];
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (let q = 0; q < n; q++) {
    const s = all[q % all.length]!;
    const bid = 1.5 + ((q * 7919) % 100) / 200;
    quotes.set(s, { bid, ask: bid + 0.1, fresh: true, ageMs: 20 });
    await svc.evaluateAll();
  }
  const cpu = process.cpuUsage(t0);
  const wall = performance.now() - w0;
  const perQuoteUs = ((cpu.user + cpu.system) / n);
  report.figure('strategy runtime: evaluation per quote (50 runs re-evaluated)', perQuoteUs, 'µs CPU', undefined, `${RUNS} runs (${live} live, 2 legs each, trailing armed), ${n} quote changes, each re-evaluating every run (engine advance + payload + persistence check + event); wall ${((wall * 1000) / n).toFixed(0)} µs/quote; ${published} runtime events`);
  report.figure('strategy runtime: one run evaluated', perQuoteUs / RUNS, 'µs CPU', undefined, 'engine advance + its payload + the persistence check + the event check, per run and quote');
  report.figure('strategy runtime: evaluations per CPU-second', (n * RUNS) / ((cpu.user + cpu.system) / 1e6), 'run evaluations/s');

  // event-loop delay while quotes stream and the service ticks every 250 ms
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const until = Date.now() + 5_000;
  let q = 0;
  const timer = setInterval(() => void svc.evaluateAll(), 250);
  while (Date.now() < until) {
    for (let b = 0; b < 10; b++, q++) {
      const s = all[q % all.length]!;
      const bid = 1.5 + ((q * 104729) % 100) / 200;
      quotes.set(s, { bid, ask: bid + 0.1, fresh: true, ageMs: 20 });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  clearInterval(timer);
  h.disable();
  report.figure('strategy runtime: event-loop delay p99 (50 runs, ~1,000 quotes/s, 250 ms tick)', h.percentile(99) / 1e6, 'ms', { op: '<=', value: 10 }, `p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms over 5 s`);
  svc.dispose();
}
