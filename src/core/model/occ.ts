/**
 * OCC/OSI option symbols. Compact form: ROOT + YYMMDD + C|P + strike×1000 in 8 digits
 * (e.g. `AAPL240119C00150000`, what Alpaca uses everywhere); padded (OSI) form pads ROOT with spaces
 * to 6 characters, 21 characters in all (`AAPL  240119C00150000`).
 */
import { EXCHANGE_ZONES, InstrumentError, isValidDate, makeExpiry, type Instrument } from './instrument';
import { currency, multiplier, price, type Price } from './money';

export interface OccContract {
  root: string;
  /** Expiry date as YYYY-MM-DD. */
  expiry: string;
  right: 'call' | 'put';
  /** Strike in thousandths of a dollar (exact integer). */
  strikeMilli: number;
}

const SHAPE = /^([A-Z0-9.]{1,6})( *)(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;
const ROOT = /^[A-Z0-9.]{1,6}$/;

export class OccSymbolError extends InstrumentError {
  constructor(symbol: string, reason: string) {
    super(symbol, reason);
    this.name = 'OccSymbolError';
    this.message = `invalid OCC option symbol ${JSON.stringify(symbol)}: ${reason}`;
  }
}

export function formatOcc(c: OccContract, form: 'compact' | 'padded' = 'compact'): string {
  if (!ROOT.test(c.root)) throw new OccSymbolError(c.root, 'root must be 1-6 characters A-Z, 0-9 or "."');
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(c.expiry);
  if (!m || !isValidDate(2000 + Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new OccSymbolError(c.expiry, 'expiry must be a valid YYYY-MM-DD date in 2000-2099');
  }
  if (!Number.isInteger(c.strikeMilli) || c.strikeMilli < 0 || c.strikeMilli > 99_999_999) {
    throw new OccSymbolError(String(c.strikeMilli), 'strike must be 0..99999.999 in whole thousandths');
  }
  const root = form === 'padded' ? c.root.padEnd(6, ' ') : c.root;
  return `${root}${m[1]}${m[2]}${m[3]}${c.right === 'call' ? 'C' : 'P'}${String(c.strikeMilli).padStart(8, '0')}`;
}

export function parseOcc(symbol: string): OccContract {
  const m = SHAPE.exec(symbol);
  if (!m) {
    let why = 'expected ROOT(1-6 of A-Z 0-9 .) YYMMDD C|P STRIKE(8 digits)';
    if (/[a-z]/.test(symbol)) why += '; letters must be upper-case';
    else if (/^[A-Z0-9. ]+\d{6}[^CP]\d{8}$/.test(symbol)) why = `right must be C or P, got ${JSON.stringify(symbol.at(-9))}`;
    throw new OccSymbolError(symbol, why);
  }
  const [, root, spaces, yy, mm, dd, cp, strike] = m as unknown as [string, string, string, string, string, string, string, string];
  if (spaces.length > 0 && symbol.length !== 21) {
    throw new OccSymbolError(symbol, `padded (OSI) form must be 21 characters, got ${symbol.length}`);
  }
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12) throw new OccSymbolError(symbol, `month ${mm} out of range`);
  if (!isValidDate(2000 + Number(yy), month, day)) throw new OccSymbolError(symbol, `day ${dd} out of range for month ${mm} of 20${yy}`);
  return { root, expiry: `20${yy}-${mm}-${dd}`, right: cp === 'C' ? 'call' : 'put', strikeMilli: Number(strike) };
}

/** Strike of an OCC contract as an exact Price. */
export function occStrike(c: OccContract): Price {
  return price(`${Math.trunc(c.strikeMilli / 1000)}.${String(c.strikeMilli % 1000).padStart(3, '0')}`);
}

export interface OccInstrumentOptions {
  /** The underlying when it differs from the root (e.g. SPXW → SPX); from the venue's contract record. */
  underlying?: string;
  /** Contract multiplier, 100 unless the venue's contract record says otherwise. */
  multiplier?: number | string;
  venue?: 'alpaca' | 'sim';
}

/**
 * A US equity option instrument from an OCC symbol in either form. Expiry is 16:00 New York time
 * on the expiry date (PM-settled; AM-settled index contracts stop trading the day before).
 */
export function occInstrument(symbol: string, opts: OccInstrumentOptions = {}): Instrument {
  const c = parseOcc(symbol);
  return {
    symbol: formatOcc(c, 'compact'),
    venue: opts.venue ?? 'alpaca',
    kind: 'option',
    underlying: opts.underlying ?? c.root,
    expiry: makeExpiry(symbol, c.expiry, '16:00', EXCHANGE_ZONES.us),
    strike: occStrike(c),
    right: c.right,
    multiplier: multiplier(opts.multiplier ?? 100),
    currency: currency('USD'),
    tickSize: price('0.01'),
  };
}

/** True when the text looks like an OCC option symbol in either form (does not validate the date). */
export function looksLikeOcc(symbol: string): boolean {
  return SHAPE.test(symbol);
}
