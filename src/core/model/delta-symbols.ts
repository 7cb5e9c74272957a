/**
 * Delta Exchange product symbols (docs/protocols/delta.md §2):
 *   options      C|P-<UNDERLYING>-<STRIKE>-<DDMMYY>   C-BTC-90000-310125 (call, 90000, 31 Jan 2025)
 *   perpetuals   <UNDERLYING><QUOTE>                   BTCUSD, ETHUSD
 * Sizes are integer contracts; the multiplier is the product's contract value (0.001 BTC for BTC
 * options), taken from the /v2/products record when available.
 */
import { DateTime } from 'luxon';
import { EXCHANGE_ZONES, InstrumentError, isValidDate, isoDate, makeExpiry, type Expiry, type Instrument } from './instrument';
import { currency, multiplier, price, type Price } from './money';

export interface DeltaSymbol {
  symbol: string;
  kind: 'option' | 'perpetual';
  underlying: string;
  quote: string | null;
  right: 'call' | 'put' | null;
  strike: Price | null;
  /** YYYY-MM-DD. */
  expiryDate: string | null;
}

const OPTION = /^([CP])-([A-Z0-9]+)-(\d+(?:\.\d+)?)-(\d{2})(\d{2})(\d{2})$/;
const PERPETUAL = /^([A-Z0-9]+?)(USDT|USD)$/;

export function parseDeltaSymbol(symbol: string): DeltaSymbol {
  const o = OPTION.exec(symbol);
  if (o) {
    const [, cp, ul, strike, dd, mm, yy] = o as unknown as string[];
    const y = 2000 + Number(yy);
    if (!isValidDate(y, Number(mm), Number(dd))) {
      throw new InstrumentError(symbol, `expiry ${dd}${mm}${yy} is not a valid DDMMYY date`);
    }
    return { symbol, kind: 'option', underlying: ul!, quote: null, right: cp === 'C' ? 'call' : 'put', strike: price(strike!), expiryDate: isoDate(y, Number(mm), Number(dd)) };
  }
  const p = PERPETUAL.exec(symbol);
  if (p) return { symbol, kind: 'perpetual', underlying: p[1]!, quote: p[2]!, right: null, strike: null, expiryDate: null };
  if (/^[CP]-/.test(symbol)) {
    throw new InstrumentError(symbol, 'a Delta option symbol is C|P-UNDERLYING-STRIKE-DDMMYY, e.g. C-BTC-90000-310125');
  }
  throw new InstrumentError(symbol, 'not a Delta option (C-BTC-90000-310125) or perpetual (BTCUSD) symbol');
}

/** The subset of a /v2/products record the instrument needs. */
export interface DeltaProduct {
  id?: number;
  symbol: string;
  contract_type?: string;
  contract_value: string;
  tick_size: string;
  /** ISO-8601, null for perpetuals. */
  settlement_time?: string | null;
  strike_price?: string | null;
  underlying_asset?: { symbol: string };
  quoting_asset?: { symbol: string };
  settling_asset?: { symbol: string };
}

/** Contract values used only when no product record is given (Delta India's BTC/ETH options). */
export const DEFAULT_CONTRACT_VALUE: Readonly<Record<string, string>> = { BTC: '0.001', ETH: '0.01' };
const CRYPTO_DECIMALS: Readonly<Record<string, number>> = { USD: 2, USDT: 2, USDC: 2, INR: 2, BTC: 8, ETH: 8 };

/** Options settle at 12:00 UTC (17:30 IST) on the expiry date unless the product says otherwise. */
const DEFAULT_SETTLEMENT = '12:00';

export function deltaInstrument(symbol: string, product?: DeltaProduct): Instrument {
  const s = parseDeltaSymbol(symbol);
  if (product && product.symbol !== symbol) {
    throw new InstrumentError(symbol, `product record is for ${JSON.stringify(product.symbol)}`);
  }
  const cv = product?.contract_value ?? DEFAULT_CONTRACT_VALUE[s.underlying];
  if (cv === undefined) throw new InstrumentError(symbol, `contract value of ${s.underlying} unknown: pass the /v2/products record`);
  // Money is in the settlement currency (issue 20); the quoting asset where a product names none.
  const quote = product?.settling_asset?.symbol ?? product?.quoting_asset?.symbol ?? s.quote ?? 'USD';
  let expiry: Expiry | null = null;
  if (s.kind === 'option') {
    if (product?.settlement_time) {
      const dt = DateTime.fromISO(product.settlement_time, { zone: EXCHANGE_ZONES.utc });
      if (!dt.isValid) throw new InstrumentError(symbol, `settlement_time ${JSON.stringify(product.settlement_time)} is not ISO-8601`);
      if (dt.toISODate() !== s.expiryDate) throw new InstrumentError(symbol, `settlement_time ${product.settlement_time} disagrees with the symbol's expiry ${s.expiryDate}`);
      expiry = makeExpiry(symbol, s.expiryDate!, dt.toFormat('HH:mm'), EXCHANGE_ZONES.utc);
    } else {
      expiry = makeExpiry(symbol, s.expiryDate!, DEFAULT_SETTLEMENT, EXCHANGE_ZONES.utc);
    }
    if (product?.strike_price != null && price(product.strike_price) !== s.strike) {
      throw new InstrumentError(symbol, `product strike ${product.strike_price} disagrees with the symbol`);
    }
  }
  const decimals = CRYPTO_DECIMALS[quote];
  if (decimals === undefined) throw new InstrumentError(symbol, `no display decimals for quote currency ${quote}`);
  return {
    symbol,
    venue: 'delta',
    kind: s.kind,
    underlying: product?.underlying_asset?.symbol ?? s.underlying,
    expiry,
    strike: s.strike,
    right: s.right,
    multiplier: multiplier(cv),
    currency: currency(quote, decimals),
    tickSize: price(product?.tick_size ?? (s.kind === 'option' ? '0.1' : '0.5')),
    ...(product?.id !== undefined ? { token: String(product.id) } : {}),
  };
}
