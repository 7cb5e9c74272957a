import { blackScholesPrice } from '../../../core/greeks/black-scholes';
import { SeededRandom } from '../../../core/model/random';
import { formatOcc } from '../../../core/model/occ';
import type { Quote } from '../../../core/market/quote';

/**
 * The simulated market: underlyings follow a seeded geometric random walk; option quotes are the
 * Black-Scholes value plus a spread. Deterministic for a given seed and sequence of step times.
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

function roundTo(value: number, tick: number): number {
  return Math.round(value / tick) * tick;
}

/** Rounds to 2 decimals and returns the shortest decimal (no binary noise such as 1.2300000001). */
function cents(value: number): number {
  return Number(roundTo(value, 0.01).toFixed(2));
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class SimMarketModel {
  readonly underlyings: SimUnderlying[];
  readonly options: SimOption[];
  private readonly rng: SeededRandom;
  private lastStepMs: number;

  constructor(seed: number, startMs: number) {
    this.rng = new SeededRandom(seed);
    this.lastStepMs = startMs;
    this.underlyings = [
      { symbol: 'SPY', price: 585, vol: 0.16 },
      { symbol: 'AAPL', price: 228, vol: 0.26 },
      { symbol: 'QQQ', price: 505, vol: 0.2 },
    ];
    // Expiry: the Friday at least 21 days out, 20:00 UTC (16:00 New York, daylight-independent enough for the sim).
    const expiryDay = new Date(startMs + 21 * 24 * 3600 * 1000);
    expiryDay.setUTCDate(expiryDay.getUTCDate() + ((5 - expiryDay.getUTCDay() + 7) % 7));
    expiryDay.setUTCHours(20, 0, 0, 0);
    const expiryMs = expiryDay.getTime();
    this.options = [];
    for (const u of this.underlyings) {
      const step = u.price > 300 ? 5 : 2.5;
      const atm = roundTo(u.price, step);
      for (const [right, strike] of [
        ['call', atm + step],
        ['put', atm - step],
      ] as const) {
        const symbol = formatOcc({ root: u.symbol, expiry: isoDate(expiryMs), right, strikeMilli: Math.round(strike * 1000) });
        this.options.push({ symbol, underlying: u.symbol, right, strike, expiryMs });
      }
    }
  }

  /** Advances the walk to `nowMs` and returns a fresh quote for every instrument. */
  step(nowMs: number): Quote[] {
    const dtYears = Math.max(0, nowMs - this.lastStepMs) / YEAR_MS;
    this.lastStepMs = nowMs;
    const quotes: Quote[] = [];
    for (const u of this.underlyings) {
      // Scale time up so the sim visibly moves (a day's volatility over ~10 minutes).
      const dt = dtYears * 144;
      u.price *= Math.exp(-0.5 * u.vol * u.vol * dt + u.vol * Math.sqrt(dt) * this.rng.normal());
      const half = Math.max(0.01, cents(u.price * 0.00005));
      const mid = cents(u.price);
      quotes.push(this.quote(u.symbol, cents(mid - half), cents(mid + half), mid, nowMs));
    }
    for (const o of this.options) {
      const u = this.underlyings.find((x) => x.symbol === o.underlying)!;
      const years = Math.max(0, o.expiryMs - nowMs) / YEAR_MS;
      const fair = blackScholesPrice({ right: o.right, spot: u.price, strike: o.strike, years, rate: RATE, vol: u.vol });
      const half = Math.max(0.01, cents(fair * 0.01));
      const bid = Math.max(0, cents(fair - half));
      const ask = cents(Math.max(bid + 0.01, fair + half));
      quotes.push(this.quote(o.symbol, bid, ask, cents(fair), nowMs));
    }
    return quotes;
  }

  private quote(symbol: string, bid: number, ask: number, last: number, nowMs: number): Quote {
    const size = this.rng.int(1, 50);
    return { symbol, bid, ask, last, bidSize: size, askSize: size + this.rng.int(0, 20), exchangeTime: nowMs, receivedAt: nowMs };
  }
}
