/**
 * The simulated NSE market behind the SmartAPI face: NIFTY and BANKNIFTY spot (seeded geometric
 * random walks) and their weekly option chains (the next two expiries, Tuesdays 15:30 IST, strikes
 * ATM ± 10 steps), priced with Black-76 on the spot as forward (rate 0) with a small smile, quoted
 * on the 5-paise tick with a spread. Lot sizes follow NSE's revision effective with the January
 * 2026 series (NIFTY 65, BANKNIFTY 30); the adapter never assumes them: it reads the master.
 * Everything is in paise (integers), as the wire is.
 */
import { black76Price } from '../../../../core/greeks/black-scholes';
import { MONTHS } from '../../../../core/model/instrument';
import type { ScripMasterRecord } from '../../../../core/model/nse';
import { SeededRandom } from '../../../../core/model/random';

export interface NseUnderlyingSpec {
  name: 'NIFTY' | 'BANKNIFTY';
  token: string;
  spot: number;
  vol: number;
  lot: number;
  step: number;
  firstOptionToken: number;
}

export const NSE_UNDERLYINGS: readonly NseUnderlyingSpec[] = [
  { name: 'NIFTY', token: '26000', spot: 24_500, vol: 0.13, lot: 65, step: 50, firstOptionToken: 40_000 },
  { name: 'BANKNIFTY', token: '26009', spot: 52_000, vol: 0.16, lot: 30, step: 100, firstOptionToken: 60_000 },
];

export const TICK_PAISE = 5;
const STRIKES_EACH_SIDE = 10;
const IST_OFFSET_MS = 5.5 * 3600_000;
const YEAR_MS = 365 * 24 * 3600_000;

export interface NseSimInstrument {
  token: string;
  symbol: string;
  name: string;
  segment: 'NSE' | 'NFO';
  kind: 'index' | 'option';
  lot: number;
  /** Rupees. */
  strike: number | null;
  right: 'call' | 'put' | null;
  /** Epoch ms of expiry (15:30 IST). */
  expiresAt: number | null;
  /** DDMMMYYYY. */
  expiry: string;
}

export interface NseBook {
  ltp: number;
  bid: number;
  ask: number;
  bidQty: number;
  askQty: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  upper: number;
  lower: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The next `count` Tuesdays at 15:30 IST after `now` (today's counts until 15:30). */
export function weeklyExpiries(now: number, count: number): number[] {
  const ist = new Date(now + IST_OFFSET_MS);
  const out: number[] = [];
  const day0 = Date.UTC(ist.getUTCFullYear(), ist.getUTCMonth(), ist.getUTCDate());
  for (let d = 0; out.length < count && d < 60; d++) {
    const date = new Date(day0 + d * 86_400_000);
    if (date.getUTCDay() !== 2) continue;
    const expiry = date.getTime() + 15.5 * 3600_000 - IST_OFFSET_MS; // 15:30 IST in UTC ms
    if (expiry > now) out.push(expiry);
  }
  return out;
}

export class NseSimModel {
  readonly instruments: NseSimInstrument[] = [];
  private readonly byToken = new Map<string, NseSimInstrument>();
  private readonly spot = new Map<string, number>();
  private readonly rng: SeededRandom;
  private readonly open = new Map<string, number>();
  private lastAt: number;
  private volume = 0;
  /** Held prices (tests: a fixed spot). */
  private readonly held = new Map<string, number>();

  constructor(
    seed: number,
    now: number,
    readonly specs: readonly NseUnderlyingSpec[] = NSE_UNDERLYINGS,
  ) {
    this.rng = new SeededRandom(seed);
    this.lastAt = now;
    const expiries = weeklyExpiries(now, 2);
    for (const u of specs) {
      this.spot.set(u.name, u.spot);
      this.open.set(u.name, u.spot);
      this.add({ token: u.token, symbol: u.name, name: u.name, segment: 'NSE', kind: 'index', lot: 1, strike: null, right: null, expiresAt: null, expiry: '' });
      const atm = Math.round(u.spot / u.step) * u.step;
      let token = u.firstOptionToken;
      for (const exp of expiries) {
        const d = new Date(exp + IST_OFFSET_MS);
        const dd = pad2(d.getUTCDate());
        const mmm = MONTHS[d.getUTCMonth()]!;
        const yyyy = d.getUTCFullYear();
        for (let k = -STRIKES_EACH_SIDE; k <= STRIKES_EACH_SIDE; k++) {
          const strike = atm + k * u.step;
          for (const right of ['call', 'put'] as const) {
            const symbol = `${u.name}${dd}${mmm}${String(yyyy).slice(2)}${strike}${right === 'call' ? 'CE' : 'PE'}`;
            this.add({ token: String(token++), symbol, name: u.name, segment: 'NFO', kind: 'option', lot: u.lot, strike, right, expiresAt: exp, expiry: `${dd}${mmm}${yyyy}` });
          }
        }
      }
    }
  }

  private add(i: NseSimInstrument): void {
    this.instruments.push(i);
    this.byToken.set(`${i.segment}:${i.token}`, i);
  }

  instrument(segment: string, token: string): NseSimInstrument | null {
    return this.byToken.get(`${segment}:${token}`) ?? null;
  }

  bySymbol(symbol: string): NseSimInstrument | null {
    return this.instruments.find((i) => i.symbol === symbol) ?? null;
  }

  /** The scrip master rows (every value a string, strike × 100, tick size in paise). */
  master(): ScripMasterRecord[] {
    return this.instruments.map((i) => ({
      token: i.token,
      symbol: i.symbol,
      name: i.name,
      expiry: i.expiry,
      strike: i.strike === null ? '-1.000000' : `${(i.strike * 100).toFixed(6)}`,
      lotsize: String(i.lot),
      instrumenttype: i.kind === 'index' ? 'AMXIDX' : 'OPTIDX',
      exch_seg: i.segment,
      tick_size: i.kind === 'index' ? '1.000000' : `${TICK_PAISE}.000000`,
    }));
  }

  /** Moves the spots to `now`. */
  advance(now: number): void {
    const dt = Math.max(0, now - this.lastAt) / YEAR_MS;
    this.lastAt = now;
    if (dt === 0) return;
    for (const u of this.specs) {
      if (this.held.has(u.name)) continue;
      const s = this.spot.get(u.name)!;
      const z = this.rng.normal();
      this.spot.set(u.name, s * Math.exp(-0.5 * u.vol * u.vol * dt + u.vol * Math.sqrt(dt) * z));
    }
    this.volume += 1;
  }

  hold(name: string, spot: number | null): void {
    if (spot === null) this.held.delete(name);
    else {
      this.held.set(name, spot);
      this.spot.set(name, spot);
    }
  }

  spotOf(name: string): number {
    return this.spot.get(name)!;
  }

  /** Paise. */
  book(i: NseSimInstrument, now: number): NseBook {
    const spot = this.spot.get(i.name)!;
    if (i.kind === 'index') {
      const p = Math.round(spot * 100);
      const o = Math.round(this.open.get(i.name)! * 100);
      return { ltp: p, bid: 0, ask: 0, bidQty: 0, askQty: 0, open: o, high: Math.max(o, p), low: Math.min(o, p), close: o, volume: 0, upper: 0, lower: 0 };
    }
    const spec = this.specs.find((u) => u.name === i.name)!;
    const years = Math.max((i.expiresAt! - now) / YEAR_MS, 1 / (365 * 24 * 60));
    const m = Math.log(i.strike! / spot);
    const vol = spec.vol * (1 + 1.5 * m * m);
    const fair = black76Price({ right: i.right!, forward: spot, strike: i.strike!, years, rate: 0, vol });
    const fairP = Math.max(TICK_PAISE, Math.round((fair * 100) / TICK_PAISE) * TICK_PAISE);
    const half = Math.max(TICK_PAISE, Math.round((fairP * 0.004) / TICK_PAISE) * TICK_PAISE);
    const bid = Math.max(TICK_PAISE, fairP - half);
    const ask = fairP + half;
    const upper = Math.round((fairP * 3 + 2000) / TICK_PAISE) * TICK_PAISE;
    return { ltp: fairP, bid, ask, bidQty: spec.lot * 10, askQty: spec.lot * 12, open: fairP, high: fairP, low: fairP, close: fairP, volume: this.volume * spec.lot, upper, lower: TICK_PAISE };
  }
}
