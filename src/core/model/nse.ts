/**
 * NSE/BSE F&O trading symbols (Angel One SmartAPI) and instruments from the SmartAPI instrument
 * master (OpenAPIScripMaster.json; see docs/protocols/smartapi.md §5).
 *
 * Symbol layouts:
 *   option, dated   NAME + DDMMMYY + STRIKE + CE|PE   NIFTY07NOV2424250PE  (SmartAPI's layout)
 *   option, monthly NAME + YYMMM + STRIKE + CE|PE     NIFTY24NOV24250PE
 *   future, dated   NAME + DDMMMYY + FUT              NIFTY28NOV24FUT
 *   future, monthly NAME + YYMMM + FUT                NIFTY24NOVFUT
 *
 * The two option layouts can read the same text two ways (NIFTY24NOV24250PE is also "24 Nov 2024,
 * strike 250"), so a symbol is resolved against the instrument master record (or an explicit form
 * or a reference date); when it stays ambiguous we say so instead of guessing. A monthly symbol
 * carries only the month: the expiry day comes from the master.
 *
 * Quantities on these instruments are counted in lots: the multiplier is the lot size, and
 * `lotsFromUnits` converts SmartAPI's unit quantities exactly.
 */
import { EXCHANGE_ZONES, InstrumentError, MONTHS, isValidDate, isoDate, makeExpiry, monthIndex, type Instrument } from './instrument';
import { PRICE_DP, QTY_DP, QTY_ONE, currency, multiplier, parseScaled, price, qty, scaledToString, type Price, type Qty } from './money';

export type NseForm = 'dated' | 'monthly';

export interface NseSymbol {
  symbol: string;
  name: string;
  kind: 'option' | 'future';
  form: NseForm;
  right: 'call' | 'put' | null;
  strike: Price | null;
  /** YYYY-MM-DD for the dated form; null for the monthly form (the day comes from the master). */
  expiryDate: string | null;
  /** YYYY-MM. */
  expiryMonth: string;
}

const MMM = MONTHS.join('|');
const NAME = '([A-Z0-9][A-Z0-9&-]*?)';
const OPT_DATED = new RegExp(`^${NAME}(\\d{2})(${MMM})(\\d{2})(\\d+(?:\\.\\d+)?)(CE|PE)$`);
const OPT_MONTHLY = new RegExp(`^${NAME}(\\d{2})(${MMM})(\\d+(?:\\.\\d+)?)(CE|PE)$`);
const FUT_DATED = new RegExp(`^${NAME}(\\d{2})(${MMM})(\\d{2})FUT$`);
const FUT_MONTHLY = new RegExp(`^${NAME}(\\d{2})(${MMM})FUT$`);

/** Every valid reading of an NSE trading symbol (zero, one or two). */
export function readNseSymbol(symbol: string): NseSymbol[] {
  const out: NseSymbol[] = [];
  const right = (s: string) => (s === 'CE' ? 'call' : 'put') as 'call' | 'put';
  let m = OPT_DATED.exec(symbol);
  if (m) {
    const [, name, dd, mmm, yy, strike, cp] = m as unknown as string[];
    const y = 2000 + Number(yy);
    const mo = monthIndex(mmm!);
    if (isValidDate(y, mo, Number(dd))) {
      out.push({ symbol, name: name!, kind: 'option', form: 'dated', right: right(cp!), strike: price(strike!), expiryDate: isoDate(y, mo, Number(dd)), expiryMonth: isoDate(y, mo, 1).slice(0, 7) });
    }
  }
  m = OPT_MONTHLY.exec(symbol);
  if (m) {
    const [, name, yy, mmm, strike, cp] = m as unknown as string[];
    const y = 2000 + Number(yy);
    out.push({ symbol, name: name!, kind: 'option', form: 'monthly', right: right(cp!), strike: price(strike!), expiryDate: null, expiryMonth: isoDate(y, monthIndex(mmm!), 1).slice(0, 7) });
  }
  m = FUT_DATED.exec(symbol);
  if (m) {
    const [, name, dd, mmm, yy] = m as unknown as string[];
    const y = 2000 + Number(yy);
    const mo = monthIndex(mmm!);
    if (isValidDate(y, mo, Number(dd))) {
      out.push({ symbol, name: name!, kind: 'future', form: 'dated', right: null, strike: null, expiryDate: isoDate(y, mo, Number(dd)), expiryMonth: isoDate(y, mo, 1).slice(0, 7) });
    }
  }
  m = FUT_MONTHLY.exec(symbol);
  if (m) {
    const [, name, yy, mmm] = m as unknown as string[];
    out.push({ symbol, name: name!, kind: 'future', form: 'monthly', right: null, strike: null, expiryDate: null, expiryMonth: isoDate(2000 + Number(yy), monthIndex(mmm!), 1).slice(0, 7) });
  }
  return out;
}

export interface NseParseOptions {
  form?: NseForm;
  /** A date (YYYY-MM-DD) near which the contract trades; readings expiring more than a year before or three years after it are dropped. */
  referenceDate?: string;
  /** The master record; the reading must agree with its expiry and strike. */
  master?: ScripMasterRecord;
}

function describe(r: NseSymbol): string {
  const when = r.expiryDate ?? `month ${r.expiryMonth}`;
  return r.kind === 'option' ? `${r.form} ${when} strike ${scaledToString(r.strike!, PRICE_DP)}` : `${r.form} future ${when}`;
}

/** Parses an NSE trading symbol to exactly one reading, or throws InstrumentError saying why. */
export function parseNseSymbol(symbol: string, opts: NseParseOptions = {}): NseSymbol {
  let readings = readNseSymbol(symbol);
  if (readings.length === 0) {
    throw new InstrumentError(symbol, 'not an NSE F&O symbol: expected NAME+DDMMMYY+STRIKE+CE|PE, NAME+YYMMM+STRIKE+CE|PE, NAME+DDMMMYY+FUT or NAME+YYMMM+FUT with a valid date');
  }
  if (opts.form) readings = readings.filter((r) => r.form === opts.form);
  if (opts.master) {
    const master = masterFields(opts.master);
    readings = readings.filter(
      (r) =>
        r.expiryMonth === master.expiryDate.slice(0, 7) &&
        (r.expiryDate === null || r.expiryDate === master.expiryDate) &&
        (r.strike === null || master.strike === null || r.strike === master.strike),
    );
  }
  if (opts.referenceDate) {
    const ref = Number(opts.referenceDate.slice(0, 4));
    readings = readings.filter((r) => {
      const y = Number(r.expiryMonth.slice(0, 4));
      return y >= ref - 1 && y <= ref + 3;
    });
  }
  if (readings.length === 1) return readings[0]!;
  if (readings.length === 0) {
    const all = readNseSymbol(symbol).map(describe).join('; ');
    throw new InstrumentError(symbol, `no reading (${all}) agrees with ${opts.master ? 'the instrument master record' : 'the given form/reference date'}`);
  }
  throw new InstrumentError(symbol, `ambiguous: reads as ${readings.map(describe).join(' or as ')}; resolve it with the instrument master record`);
}

/** One row of OpenAPIScripMaster.json (every value is a string). */
export interface ScripMasterRecord {
  token: string;
  symbol: string;
  name: string;
  /** DDMMMYYYY, e.g. 07NOV2024; empty for cash. */
  expiry: string;
  /** Strike × 100 as a decimal string (×10^7 for CDS); "-1.000000" when not applicable. */
  strike: string;
  lotsize: string;
  instrumenttype: string;
  exch_seg: string;
  /** Tick size in paise. */
  tick_size: string;
}

const SUPPORTED_SEGMENTS = new Set(['NFO', 'BFO', 'NSE', 'BSE']);

function masterFields(r: ScripMasterRecord): { expiryDate: string; strike: Price | null } {
  const m = /^(\d{2})([A-Z]{3})(\d{4})$/.exec(r.expiry.toUpperCase());
  if (!m || monthIndex(m[2]!) === 0 || !isValidDate(Number(m[3]), monthIndex(m[2]!), Number(m[1]))) {
    throw new InstrumentError(r.symbol, `master expiry ${JSON.stringify(r.expiry)} is not DDMMMYYYY`);
  }
  const expiryDate = isoDate(Number(m[3]), monthIndex(m[2]!), Number(m[1]));
  let strike: Price | null = null;
  const raw = parseScaled(r.strike, PRICE_DP, 'master strike');
  if (raw % 100n !== 0n) throw new InstrumentError(r.symbol, `master strike ${JSON.stringify(r.strike)} has too many decimals`);
  if (raw > 0n) strike = (raw / 100n) as Price; // the master writes strike × 100
  return { expiryDate, strike };
}

/**
 * The instrument for one master record: token, lot size (the multiplier) and tick size come from
 * the master; the trading symbol is cross-checked against the record for NFO options and futures.
 */
export function nseInstrument(record: ScripMasterRecord): Instrument {
  const sym = record.symbol;
  if (!SUPPORTED_SEGMENTS.has(record.exch_seg)) {
    throw new InstrumentError(sym, `exchange segment ${JSON.stringify(record.exch_seg)} is not supported (NFO, BFO, NSE, BSE)`);
  }
  if (!/^\d+$/.test(record.token)) throw new InstrumentError(sym, `token ${JSON.stringify(record.token)} is not numeric`);
  if (!/^[1-9]\d*$/.test(record.lotsize)) throw new InstrumentError(sym, `lot size ${JSON.stringify(record.lotsize)} is not a positive integer`);
  let tick: Price;
  try {
    tick = (parseScaled(record.tick_size, PRICE_DP, 'tick size') / 100n) as Price; // paise → rupees
  } catch (e) {
    throw new InstrumentError(sym, (e as Error).message);
  }
  if (tick <= 0n) throw new InstrumentError(sym, `tick size ${JSON.stringify(record.tick_size)} must be positive`);
  const lotSize = Number(record.lotsize);
  const base = {
    symbol: sym,
    venue: 'smartapi' as const,
    underlying: record.name,
    multiplier: multiplier(lotSize),
    currency: currency('INR'),
    tickSize: tick,
    token: record.token,
    exchange: record.exch_seg,
    lotSize,
  };
  const type = record.instrumenttype;
  if (type === '' || type === 'AMXIDX') {
    return { ...base, kind: type === '' ? 'stock' : 'index', expiry: null, strike: null, right: null, multiplier: multiplier(1) };
  }
  const { expiryDate, strike } = masterFields(record);
  const expiry = makeExpiry(sym, expiryDate, '15:30', EXCHANGE_ZONES.india);
  if (type === 'OPTIDX' || type === 'OPTSTK') {
    const cp = sym.slice(-2);
    if (cp !== 'CE' && cp !== 'PE') throw new InstrumentError(sym, 'an option symbol must end in CE or PE');
    if (strike === null) throw new InstrumentError(sym, `master strike ${JSON.stringify(record.strike)} is not positive`);
    if (record.exch_seg === 'NFO') {
      const r = parseNseSymbol(sym, { master: record });
      if (r.name !== record.name) throw new InstrumentError(sym, `symbol names ${r.name} but the master says ${record.name}`);
    }
    return { ...base, kind: 'option', expiry, strike, right: cp === 'CE' ? 'call' : 'put' };
  }
  if (type === 'FUTIDX' || type === 'FUTSTK') {
    if (record.exch_seg === 'NFO') parseNseSymbol(sym, { master: record });
    return { ...base, kind: 'future', expiry, strike: null, right: null };
  }
  throw new InstrumentError(sym, `instrument type ${JSON.stringify(type)} is not supported (OPTIDX, OPTSTK, FUTIDX, FUTSTK, equity, AMXIDX)`);
}

/** SmartAPI quantities are in units (lots × lot size); positions here count lots. Exact or throws. */
export function lotsFromUnits(instrument: Instrument, units: number | string): Qty {
  const lot = BigInt(instrument.lotSize ?? 1);
  const u = qty(units);
  if (u % (lot * QTY_ONE) !== 0n) {
    throw new InstrumentError(instrument.symbol, `quantity ${String(units)} is not a whole number of lots of ${lot}`);
  }
  return (u / lot) as Qty;
}

export function unitsFromLots(instrument: Instrument, lots: Qty): string {
  return scaledToString(lots * BigInt(instrument.lotSize ?? 1), QTY_DP);
}
