import { blackScholes, blackScholesPrice } from '../../../core/greeks/black-scholes';
import { impliedVol } from '../../../core/greeks/implied-vol';
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

/** One contract of an option chain snapshot (GET /v1beta1/options/snapshots/{underlying}). */
export interface SimChainEntry {
  option: SimOption;
  expiry: string;
  quote: QuoteValues;
  /** The sim's own Black-Scholes greeks at the contract's implied volatility; null when none can be solved (a held mid outside the no-arbitrage bounds). */
  greeks: { delta: number; gamma: number; theta: number; vega: number; rho: number; iv: number } | null;
}

/** Narrows a chain (Alpaca's chain filters). */
export interface SimChainFilter {
  right?: 'call' | 'put';
  strikeGte?: number;
  strikeLte?: number;
  /** YYYY-MM-DD */
  expiration?: string;
  expirationGte?: string;
  expirationLte?: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
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
  /** Prices held by the test admin (`hold_price`): an underlying's price or an option's mid, frozen until released. */
  private readonly holds = new Map<string, number>();

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
    const { bid, ask, last } = this.optionBook(o, nowMs);
    return this.make(symbol, bid, ask, last, nowMs);
  }

  /** An option's book: the Black-Scholes value (or the held mid) ± 1 %, at least a cent each side. */
  private optionBook(o: SimOption, nowMs: number): { bid: number; ask: number; last: number; fair: number } {
    const held = this.holds.get(o.symbol);
    const u = this.walks.get(o.underlying)!;
    const years = Math.max(0, o.expiryMs - nowMs) / YEAR_MS;
    const fair = held ?? blackScholesPrice({ right: o.right, spot: u.price, strike: o.strike, years, rate: RATE, vol: u.vol });
    const half = Math.max(0.01, cents(fair * 0.01));
    const bid = Math.max(0, cents(fair - half));
    const ask = cents(Math.max(bid + 0.01, fair + half));
    return { bid, ask, last: cents(Math.max(0.01, fair)), fair };
  }

  /**
   * Test steering (`POST /__sim/fault {kind:'hold_price'}`): freezes an underlying's price (its walk
   * stops) or an option's mid (its quote is `price` ± the usual spread, whatever the underlying does)
   * until `releasePrice`. Returns false for a symbol the sim cannot quote.
   */
  holdPrice(symbol: string, price: number, nowMs: number): boolean {
    if (!this.ensure(symbol, nowMs)) return false;
    this.advance(nowMs);
    this.holds.set(symbol, price);
    const w = this.walks.get(symbol);
    if (w) w.price = price;
    return true;
  }

  /** Ends a hold: the underlying walks on from the held price; the option is priced by the model again. */
  releasePrice(symbol?: string): void {
    if (symbol === undefined) this.holds.clear();
    else this.holds.delete(symbol);
  }

  /** The held prices (symbol → price), for the admin state. */
  heldPrices(): Record<string, number> {
    return Object.fromEntries(this.holds);
  }

  /** Whether the sim lists option chains for `underlying` (any stock when no list was configured). */
  hasChain(underlying: string): boolean {
    return isStockSymbol(underlying) && (this.optionUnderlyings === null || this.optionUnderlyings.has(underlying));
  }

  /**
   * The listed chain of `underlying` at `nowMs` (call `advance` first): expiries — every weekday of
   * the next 7 days (dailies, today's while it trades: expiry 21:00 UTC), every Friday of the next 8
   * weeks and the third Friday of the next 3 months; strikes within ±15 % of the price on a grid of
   * 0.5 (price below 25), 1 (below 1000) or 5. Each with its quote and greeks (the sim's Black-Scholes
   * at the underlying's volatility, or at the IV of a held mid). Sorted by expiry, strike, right.
   */
  chain(underlying: string, nowMs: number, filter: SimChainFilter = {}): SimChainEntry[] {
    return this.chainPage(underlying, nowMs, filter, 0, Number.POSITIVE_INFINITY).entries;
  }

  /** One page of `chain` (entries offset … offset + limit − 1, priced) and how many the whole chain has. */
  chainPage(underlying: string, nowMs: number, filter: SimChainFilter, offset: number, limit: number): { entries: SimChainEntry[]; total: number } {
    if (!this.hasChain(underlying) || !this.ensure(underlying)) return { entries: [], total: 0 };
    const u = this.walks.get(underlying)!;
    const step = u.price < 25 ? 0.5 : u.price < 1000 ? 1 : 5;
    const lo = Math.max(step, Math.ceil((u.price * 0.85) / step) * step);
    const hi = Math.floor((u.price * 1.15) / step) * step;
    const strikes: number[] = [];
    for (let k = lo; k <= hi + 1e-9; k += step) {
      const strike = Number(k.toFixed(3));
      if ((filter.strikeGte !== undefined && strike < filter.strikeGte) || (filter.strikeLte !== undefined && strike > filter.strikeLte)) continue;
      strikes.push(strike);
    }
    const rights = (['call', 'put'] as const).filter((r) => filter.right === undefined || r === filter.right);
    const expiries = listedExpiries(nowMs).filter(
      (e) => (filter.expiration === undefined || e === filter.expiration) && (filter.expirationGte === undefined || e >= filter.expirationGte) && (filter.expirationLte === undefined || e <= filter.expirationLte),
    );
    const perExpiry = strikes.length * rights.length;
    const total = expiries.length * perExpiry;
    const entries: SimChainEntry[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) {
      const expiry = expiries[Math.floor(i / perExpiry)]!;
      const strike = strikes[Math.floor((i % perExpiry) / rights.length)]!;
      const right = rights[i % rights.length]!;
      const symbol = formatOcc({ root: underlying, expiry, right, strikeMilli: Math.round(strike * 1000) });
      const [y, m, d] = expiry.split('-').map(Number) as [number, number, number];
      const option: SimOption = this.optionBySymbol.get(symbol) ?? { symbol, underlying, right, strike, expiryMs: Date.UTC(y, m - 1, d, 21, 0, 0) };
      const book = this.optionBook(option, nowMs);
      const size = 1 + (hash32(`${this.seed}:${symbol}`) % 50);
      const quote: QuoteValues = { symbol, bid: book.bid, ask: book.ask, last: book.last, bidSize: size, askSize: size + 5, exchangeTime: nowMs, receivedAt: nowMs };
      entries.push({ option, expiry, quote, greeks: this.greeksOf(option, u, book.fair, nowMs) });
    }
    return { entries, total };
  }

  private greeksOf(o: SimOption, u: SimUnderlying, fair: number, nowMs: number): SimChainEntry['greeks'] {
    const years = (o.expiryMs - nowMs) / YEAR_MS;
    if (!(years > 0)) return null;
    let vol = u.vol;
    if (this.holds.has(o.symbol)) {
      const iv = impliedVol({ model: 'black-scholes', right: o.right, price: fair, underlying: u.price, strike: o.strike, years, rate: RATE });
      if (!iv.ok) return null;
      vol = iv.iv;
    }
    const g = blackScholes({ right: o.right, spot: u.price, strike: o.strike, years, rate: RATE, vol });
    const r = (x: number) => Number(x.toFixed(6));
    return { delta: r(g.delta), gamma: r(g.gamma), theta: r(g.thetaPerDay), vega: r(g.vega), rho: r(g.rho), iv: r(vol) };
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
    const held = this.holds.get(w.symbol);
    if (held !== undefined) {
      w.price = held;
      return;
    }
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
 * The sim's listed expiry dates (UTC calendar, expiry 21:00 UTC) from `nowMs`: the weekdays of the
 * next 7 days (today's while before 21:00), the Fridays of the next 8 weeks, and the third Fridays of
 * this month and the next 3. Sorted, unique.
 */
export function listedExpiries(nowMs: number): string[] {
  const out = new Set<string>();
  const today = Date.UTC(new Date(nowMs).getUTCFullYear(), new Date(nowMs).getUTCMonth(), new Date(nowMs).getUTCDate());
  const trades = (day: number) => day + 21 * 3600 * 1000 > nowMs;
  for (let i = 0; i <= 7; i++) {
    const day = today + i * DAY_MS;
    const wd = new Date(day).getUTCDay();
    if (wd >= 1 && wd <= 5 && trades(day)) out.add(isoDate(day));
  }
  const firstFriday = today + ((5 - new Date(today).getUTCDay() + 7) % 7) * DAY_MS;
  for (let i = 0; i < 8; i++) {
    const day = firstFriday + i * 7 * DAY_MS;
    if (trades(day)) out.add(isoDate(day));
  }
  const d = new Date(today);
  for (let m = 0; m <= 3; m++) {
    const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + m, 1);
    const third = first + (((5 - new Date(first).getUTCDay() + 7) % 7) + 14) * DAY_MS;
    if (trades(third)) out.add(isoDate(third));
  }
  return [...out].sort();
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
