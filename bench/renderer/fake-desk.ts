/**
 * A synthetic desk for the renderer benchmark (and for looking at the UI with lots of data): a
 * snapshot with N positions built by the real core (portfolio.json parser → FIFO → exact wire
 * records), then tick_updates carrying quote changes, through the same `Transport` interface the
 * real desk uses. Runs in the browser.
 */
import { instrumentId } from '../../src/core/model/ids';
import { parsePortfolio } from '../../src/core/model/portfolio-file';
import { portfolioFills, portfolioInstruments, portfolioStructures } from '../../src/core/pnl/portfolio';
import { rebuildPositions } from '../../src/core/pnl/fifo';
import { instrumentToWire, positionRecordOf, structureDefToWire, totalsOf, revaluePosition, defaultValuation } from '../../src/core/pnl/revalue';
import {
  defaultDeskSettings,
  PROTOCOL_VERSION,
  type CommandName,
  type CommandOutcome,
  type CommandPayload,
  type DeskEvent,
  type DeskSnapshot,
  type PnlSampleWire,
  type QuoteWire,
  type Transport,
  type TransportStatus,
} from '../../src/shared/contract';

const UNDERLYINGS: [string, number][] = [
  ['SPY', 590], ['QQQ', 505], ['AAPL', 232], ['MSFT', 418], ['NVDA', 141], ['AMZN', 201], ['META', 575], ['TSLA', 342], ['IWM', 228], ['GOOGL', 171],
];

/** Deterministic PRNG (mulberry32) so runs are comparable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** portfolio.json text with `n` single positions (stocks and options) plus a few structures. */
export function demoPortfolioJson(n: number, seed = 7): string {
  const rand = rng(seed);
  const positions: unknown[] = [];
  const expiries = ['2026-12-18', '2027-01-15', '2027-03-19'];
  for (let i = 0; i < n; i++) {
    const [ul, px] = UNDERLYINGS[i % UNDERLYINGS.length]!;
    if (i < UNDERLYINGS.length) {
      positions.push({ id: `stk-${ul}`, type: 'stock', symbol: ul, side: 'long', quantity: String(10 + Math.floor(rand() * 200)), cost_basis: r2(px * (0.9 + rand() * 0.2)).toFixed(2), opened_at: '2026-11-02T14:35:00Z' });
      continue;
    }
    // One distinct contract per position (underlying = i mod 10, so i / 10 picks the strike): every
    // row has its own symbol and its own 10 Hz quote stream.
    const strike = Math.round(px * 0.75) + Math.floor(i / UNDERLYINGS.length);
    const right = i % 2 ? 'call' : 'put';
    const expiry = expiries[i % expiries.length]!;
    positions.push({
      id: `opt-${i}`,
      type: 'option',
      underlying: ul,
      expiry,
      strike: String(strike),
      right,
      side: rand() < 0.6 ? 'long' : 'short',
      contracts: String(1 + Math.floor(rand() * 5)),
      cost_basis: r2(1 + rand() * 20).toFixed(2),
      opened_at: '2026-11-03T15:00:00Z',
    });
  }
  positions.push({
    id: 'spy-ic',
    type: 'multi_leg',
    name: 'SPY Dec 550/560/620/630 iron condor',
    strategy: 'iron_condor',
    opened_at: '2026-11-04T15:00:00Z',
    legs: [
      { symbol: 'SPY261218P00550000', side: 'long', contracts: '1', cost_basis: '2.60' },
      { symbol: 'SPY261218P00560000', side: 'short', contracts: '1', cost_basis: '4.10' },
      { symbol: 'SPY261218C00620000', side: 'short', contracts: '1', cost_basis: '3.20' },
      { symbol: 'SPY261218C00630000', side: 'long', contracts: '1', cost_basis: '1.80' },
    ],
  });
  positions.push({
    id: 'qqq-bull',
    type: 'multi_leg',
    name: 'QQQ Dec 510/530 bull call spread',
    strategy: 'vertical',
    opened_at: '2026-11-05T14:45:00Z',
    legs: [
      { underlying: 'QQQ', expiry: '2026-12-18', strike: '510', right: 'call', side: 'long', contracts: '2', cost_basis: '18.50' },
      { underlying: 'QQQ', expiry: '2026-12-18', strike: '530', right: 'call', side: 'short', contracts: '2', cost_basis: '9.75' },
    ],
  });
  return JSON.stringify({ version: 1, account: 'bench', positions });
}

export interface DemoDesk {
  snapshot: DeskSnapshot;
  symbols: string[];
  /** Next quote for a symbol (random walk around its start). */
  nextQuote: (symbol: string, now: number) => QuoteWire;
}

export function buildDemoDesk(n: number, now: number, opts: { streaming?: boolean; seed?: number; samples?: boolean } = {}): DemoDesk {
  const parsed = parsePortfolio(demoPortfolioJson(n, opts.seed));
  if (!parsed.ok) throw new Error(`demo portfolio invalid: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  const p = parsed.portfolio;
  const instruments = portfolioInstruments(p);
  const fills = portfolioFills(p);
  const { positions } = rebuildPositions(fills, { multiplierOf: (s) => instruments.get(s)!.multiplier });
  const records = positions.map((ps) => positionRecordOf(ps, instrumentId('sim', ps.symbol), instrumentToWire(instruments.get(ps.symbol)!), { source: 'portfolio', entry_flow_ids: [], exit_flow_ids: [], entry_trigger: null, exit_reason: null }));
  const structures = portfolioStructures(p).map(structureDefToWire);
  const symbols = [...new Set([...records.map((r) => r.symbol), ...structures.flatMap((s) => s.legs.map((l) => l.symbol)), ...UNDERLYINGS.map((u) => u[0])])];
  const rand = rng(opts.seed ?? 11);
  const mids = new Map<string, number>();
  for (const s of symbols) {
    const ul = UNDERLYINGS.find((u) => u[0] === s);
    mids.set(s, ul ? ul[1] : 1 + rand() * 25);
  }
  const nextQuote = (symbol: string, t: number): QuoteWire => {
    let mid = mids.get(symbol)!;
    mid = Math.max(0.05, mid * (1 + (rand() - 0.5) * 0.004));
    mids.set(symbol, mid);
    const half = Math.max(0.01, r2(mid * 0.002));
    const bid = r2(mid - half);
    const ask = r2(mid + half);
    return { instrument: `sim:${symbol}`, symbol, bid, ask, last: r2(mid), bidSize: 10, askSize: 12, exchangeTime: t - 5, receivedAt: t };
  };
  const quotes = symbols.map((s) => nextQuote(s, now));
  const quoteBy = new Map(quotes.map((q) => [q.symbol, q]));
  const pnl = totalsOf(records.map((r) => revaluePosition(r, quoteBy.get(r.symbol), now, defaultValuation)));
  const samples: PnlSampleWire[] = [];
  if (opts.samples !== false) {
    // A day's curve with a gap in the middle (streaming stopped) and an unknown stretch.
    let total = 0;
    const walk = rng(3);
    for (let i = 0; i < 360; i++) {
      const t = now - (360 - i) * 60_000;
      total += (walk() - 0.48) * 400;
      const gap = i >= 150 && i < 170 ? 'stopped' : i >= 250 && i < 258 ? 'stale' : null;
      if (gap === 'stopped' && i > 150) continue;
      samples.push({ t, currency: 'USD', realized: '0', unrealized: gap ? null : total.toFixed(2), total: gap ? null : total.toFixed(2), gap });
    }
  }
  const snapshot: DeskSnapshot = {
    serverTime: now,
    protocol: PROTOCOL_VERSION,
    venue: 'sim',
    mode: 'SIM',
    streaming: opts.streaming ?? true,
    quotes,
    streams: ['stocks', 'options', 'trade_updates'].map((name) => ({ name, state: 'running' as const, lastError: null, reconnectAttempts: 0, lastEventAt: now, queueDepth: 0, droppedEvents: 0, subscriptions: name === 'trade_updates' ? 1 : symbols.length })),
    valuation: defaultValuation,
    positions: records,
    structures,
    pnl: {
      trades: [],
      total_unrealized_value: pnl.unrealized,
      total_unrealized_points: null,
      pnl,
      last_updated: now,
      streamer: { state: 'running', streaming: true, last_tick_at: now, last_tick_age_sec: 0, subscriptions: { needed: symbols.length, subscribed: symbols.length, missing: [] } },
    },
    pnl_snapshot: pnl,
    fills: [],
    orders: [],
    history: [],
    pnl_samples: samples,
    portfolio: { path: '/bench/portfolio.json', watching: false, loaded_at: now, account: 'bench', positions: records.length, structures: structures.length, error: null },
    settings: { ...defaultDeskSettings, alpaca: { ...defaultDeskSettings.alpaca } },
    active_nodes: [],
  };
  return { snapshot, symbols, nextQuote };
}

/**
 * Emits the snapshot, then `eventsPerSec` tick_updates per second; each carries the next slice of
 * symbols so every symbol updates `perSymbolHz` times a second.
 */
export class FakeTransport implements Transport {
  private readonly listeners = new Set<(e: DeskEvent) => void>();
  private seq = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private cursor = 0;
  ticksSent = 0;
  quotesSent = 0;
  /** Wall time of each tick_update's synchronous handling (reducer + store subscribers), ms. */
  handleMs: number[] = [];

  constructor(
    private readonly desk: DemoDesk,
    private readonly perSymbolHz: number,
    private readonly eventsPerSec = 20,
  ) {}

  call<C extends CommandName>(_name: C, _payload: CommandPayload<C>): Promise<CommandOutcome<C>> {
    return Promise.resolve({ ok: false, error: { code: 'failed', message: 'benchmark transport: commands are disabled' } });
  }

  onEvent(listener: (event: DeskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: TransportStatus) => void): () => void {
    listener('open');
    return () => {};
  }

  resync(): void {
    this.emit({ type: 'snapshot', seq: ++this.seq, serverTime: Date.now(), snapshot: { ...this.desk.snapshot, serverTime: Date.now() } });
  }

  start(): void {
    const perTick = Math.ceil((this.desk.symbols.length * this.perSymbolHz) / this.eventsPerSec);
    this.timer = setInterval(() => {
      const now = Date.now();
      const updates: QuoteWire[] = [];
      for (let i = 0; i < perTick; i++) {
        updates.push(this.desk.nextQuote(this.desk.symbols[this.cursor]!, now));
        this.cursor = (this.cursor + 1) % this.desk.symbols.length;
      }
      this.ticksSent++;
      this.quotesSent += updates.length;
      const t0 = performance.now();
      this.emit({ type: 'tick_update', seq: ++this.seq, serverTime: now, timestamp: new Date(now).toISOString(), active_nodes: [], ltp_updates: updates, pnl_snapshot: this.desk.snapshot.pnl_snapshot });
      this.handleMs.push(performance.now() - t0);
    }, 1000 / this.eventsPerSec);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emit(e: DeskEvent): void {
    for (const l of this.listeners) l(e);
  }
}
