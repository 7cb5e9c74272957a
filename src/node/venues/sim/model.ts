import { blackScholesPrice } from '../../../core/greeks/black-scholes';
import { SeededRandom } from '../../../core/model/random';
import { formatOcc, parseOcc } from '../../../core/model/occ';
import type { QuoteValues } from '../../../core/market/quote';
import { isStockSymbol, symbolKind } from '../../../core/market/symbols';

/**
 * The simulated market: underlyings follow a seeded geometric random walk; option quotes are the
 * Black-Scholes value plus a spread. It quotes ANY stock symbol and ANY valid OCC option symbol it
 * is asked for: unknown underlyings get a start price and volatility derived from the seed and the
 * symbol. Each underlying walks with its own RNG (seeded from seed + symbol), so a symbol's path
 * depends only on the seed and the step times, not on what else happens to be subscribed.
 */
export interface SimUnderlying {
  symbol: string;
  price: number;
  vol: number;
}

export interface SimOption {
  symbol: string;
  underlying: string;
  right: 'call' | 'put';
  strike: number;
  expiryMs: number;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const RATE = 0.04;
/** Scale time up so the sim visibly moves (a day's volatility over ~10 minutes). */
const TIME_SCALE = 144;

const KNOWN: Record<string, { price: number; vol: number }> = {
  SPY: { price: 585, vol: 0.16 },
  AAPL: { price: 228, vol: 0.26 },
  QQQ: { price: 505, vol: 0.2 },
  IWM: { price: 225, vol: 0.22 },
  SPX: { price: 5850, vol: 0.16 },
};

function roundTo(value: number, tick: number): number {
  return Math.round(value / tick) * tick;
}

/** Rounds to 2 decimals and returns the shortest decimal (no binary noise such as 1.2300000001). */
export function cents(value: number): number {
  return Number(roundTo(value, 0.01).toFixed(2));
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** FNV-1a: a stable 32-bit hash of a string (seeds per-symbol RNGs). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Walk extends SimUnderlying {
  rng: SeededRandom;
  lastStepMs: number;
}

/** Roots whose underlying differs from the option root. */
const ROOT_TO_UNDERLYING: Record<string, string> = { SPXW: 'SPX', NDXP: 'NDX', RUTW: 'RUT' };

export class SimMarketModel {
  readonly underlyings: SimUnderlying[] = [];
  readonly options: SimOption[] = [];
  private readonly walks = new Map<string, Walk>();
  private readonly optionBySymbol = new Map<string, SimOption>();
  private readonly sizeRng: SeededRandom;
  /** Underlyings with listed option chains (null: any stock symbol). */
  private readonly optionUnderlyings: ReadonlySet<string> | null;

  constructor(
    private readonly seed: number,
    private readonly startMs: number,
    opts: { defaultUniverse?: boolean; optionUnderlyings?: readonly string[] | null } = {},
  ) {
    this.sizeRng = new SeededRandom(seed ^ 0x5eed);
    this.optionUnderlyings = opts.optionUnderlyings ? new Set(opts.optionUnderlyings) : null;
    if (opts.defaultUniverse === false) return;
    for (const s of ['SPY', 'AAPL', 'QQQ']) this.ensure(s);
    // Default contracts: the Friday at least 21 days out, one strike step above (call) / below (put) ATM.
    const expiryDay = new Date(startMs + 21 * 24 * 3600 * 1000);
    expiryDay.setUTCDate(expiryDay.getUTCDate() + ((5 - expiryDay.getUTCDay() + 7) % 7));
    for (const symbol of ['SPY', 'AAPL', 'QQQ']) {
      const u = this.walks.get(symbol)!;
      const step = u.price > 300 ? 5 : 2.5;
      const atm = roundTo(u.price, step);
      for (const [right, strike] of [
        ['call', atm + step],
        ['put', atm - step],
      ] as const) {
        this.ensure(formatOcc({ root: symbol, expiry: isoDate(expiryDay.getTime()), right, strikeMilli: Math.round(strike * 1000) }));
      }
    }
  }

  /** The symbols of the default universe (3 underlyings and 6 contracts). */
  get symbols(): string[] {
    return [...this.underlyings.map((u) => u.symbol), ...this.options.map((o) => o.symbol)];
  }

  has(symbol: string): boolean {
    return this.walks.has(symbol) || this.optionBySymbol.has(symbol);
  }

  /**
   * Whether the venue lists an option contract, as Alpaca's contracts endpoint would say:
   * `unknown` for a malformed symbol or an underlying without a listed chain, `expired` once its
   * expiry has passed at `nowMs`, `active` otherwise.
   */
  contractStatus(symbol: string, nowMs: number): 'active' | 'expired' | 'unknown' {
    if (symbolKind(symbol) !== 'option') return 'unknown';
    let c;
    try {
      c = parseOcc(symbol);
    } catch {
      return 'unknown';
    }
    const underlying = ROOT_TO_UNDERLYING[c.root] ?? c.root.replace(/\d+$/, '');
    if (!isStockSymbol(underlying) || (this.optionUnderlyings !== null && !this.optionUnderlyings.has(underlying))) return 'unknown';
    const [y, m, d] = c.expiry.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d, 21, 0, 0) <= nowMs ? 'expired' : 'active';
  }

  /**
   * Adds a stock or OCC option to the market. Returns false for a symbol it cannot quote — and,
   * given `nowMs`, for a contract it does not list (contractStatus): no venue quotes those.
   */
  ensure(symbol: string, nowMs?: number): boolean {
    if (this.has(symbol)) return nowMs === undefined || symbolKind(symbol) !== 'option' || this.contractStatus(symbol, nowMs) === 'active';
    if (nowMs !== undefined && symbolKind(symbol) === 'option' && this.contractStatus(symbol, nowMs) !== 'active') return false;
    if (symbolKind(symbol) === 'option') {
      let c;
      try {
        c = parseOcc(symbol);
      } catch {
        return false;
      }
      const underlying = ROOT_TO_UNDERLYING[c.root] ?? c.root.replace(/\d+$/, '');
      if (!this.ensure(underlying)) return false;
      const [y, m, d] = c.expiry.split('-').map(Number) as [number, number, number];
      const o: SimOption = { symbol, underlying, right: c.right, strike: c.strikeMilli / 1000, expiryMs: Date.UTC(y, m - 1, d, 21, 0, 0) };
      this.options.push(o);
      this.optionBySymbol.set(symbol, o);
      return true;
    }
    if (!isStockSymbol(symbol)) return false;
    const h = hash32(`${this.seed}:${symbol}`);
    const known = KNOWN[symbol];
    const walk: Walk = {
      symbol,
      price: known?.price ?? 20 + (h % 48_000) / 100,
      vol: known?.vol ?? 0.15 + ((h >>> 16) % 30) / 100,
      rng: new SeededRandom(h),
      lastStepMs: this.startMs,
    };
    this.walks.set(symbol, walk);
    this.underlyings.push(walk);
    return true;
  }

  /** Advances every walk to `nowMs` and returns a fresh quote for every instrument. */
  step(nowMs: number): QuoteValues[] {
    this.advance(nowMs);
    return this.symbols_().map((s) => this.quote(s, nowMs)!);
  }

  /** Advances every walk to `nowMs`. */
  advance(nowMs: number): void {
    for (const w of this.walks.values()) this.walk(w, nowMs);
  }

  /** The quote of `symbol` at the current walk state (call `advance` first); null if unknown. */
  quote(symbol: string, nowMs: number): QuoteValues | null {
    const w = this.walks.get(symbol);
    if (w) {
      const half = Math.max(0.01, cents(w.price * 0.00005));
      const mid = cents(w.price);
      return this.make(symbol, cents(mid - half), cents(mid + half), mid, nowMs);
    }
    const o = this.optionBySymbol.get(symbol);
    if (!o) return null;
    const u = this.walks.get(o.underlying)!;
    const years = Math.max(0, o.expiryMs - nowMs) / YEAR_MS;
    const fair = blackScholesPrice({ right: o.right, spot: u.price, strike: o.strike, years, rate: RATE, vol: u.vol });
    const half = Math.max(0.01, cents(fair * 0.01));
    const bid = Math.max(0, cents(fair - half));
    const ask = cents(Math.max(bid + 0.01, fair + half));
    return this.make(symbol, bid, ask, cents(Math.max(0.01, fair)), nowMs);
  }

  /** Deterministic per-symbol coin flip for whether a trade prints this step (≈ `p`). */
  tradePrints(p: number): boolean {
    return this.sizeRng.next() < p;
  }

  private symbols_(): string[] {
    return [...this.walks.keys(), ...this.optionBySymbol.keys()];
  }

  private walk(w: Walk, nowMs: number): void {
    const dtYears = Math.max(0, nowMs - w.lastStepMs) / YEAR_MS;
    w.lastStepMs = Math.max(w.lastStepMs, nowMs);
    if (dtYears === 0) return;
    const dt = dtYears * TIME_SCALE;
    w.price *= Math.exp(-0.5 * w.vol * w.vol * dt + w.vol * Math.sqrt(dt) * w.rng.normal());
  }

  private make(symbol: string, bid: number, ask: number, last: number, nowMs: number): QuoteValues {
    const size = this.sizeRng.int(1, 50);
    return { symbol, bid, ask, last, bidSize: size, askSize: size + this.sizeRng.int(0, 20), exchangeTime: nowMs, receivedAt: nowMs };
  }
}

/**
 * The seed of an account's simulated venue: the default account keeps the configured seed (nothing
 * visible changes with one account); another account's is derived from its id (FNV-1a mixed with
 * the configured seed), so two simulated venues print different prices.
 */
export function accountSimSeed(accountId: string, isDefault: boolean, baseSeed: number): number {
  if (isDefault) return baseSeed;
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    h ^= accountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h ^ baseSeed) >>> 0;
}

/** The venue name of the default simulated venue (the default account's). */
export const SIM_DEFAULT_VENUE = 'sim';

/**
 * The seed of a simulated venue server, named by its venue name (the venue part of InstrumentIds):
 * the default venue `sim` keeps the configured seed; another (`sim2`) has one derived from its name,
 * so two simulated venues print different prices while the accounts of one venue share its market.
 */
export function simVenueSeed(venueName: string, baseSeed: number): number {
  return accountSimSeed(venueName, venueName === SIM_DEFAULT_VENUE, baseSeed);
}
