/**
 * Alpaca's symbol conventions. Alpaca uses the compact OCC form for options everywhere (stream `S`,
 * REST keys, orders) and a dot for share classes (`BRK.B`); portfolio files and other sources
 * often write `BRK-B`, `BRK/B` or padded OSI symbols. Crypto pairs are `BTC/USD`.
 */
import { InstrumentError, type Instrument } from './instrument';
import { currency, multiplier, price } from './money';
import { formatOcc, looksLikeOcc, occInstrument, parseOcc } from './occ';

const STOCK = /^[A-Z][A-Z0-9]{0,5}(?:[.\-/ ][A-Z]{1,2})?$/;
const CRYPTO = /^([A-Z0-9]{2,10})\/(USD|USDT|USDC|BTC)$/;

/** Maps a symbol as written elsewhere to the one Alpaca expects. Throws naming what is wrong. */
export function toAlpacaSymbol(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  if (looksLikeOcc(s)) return formatOcc(parseOcc(s), 'compact');
  if (CRYPTO.test(s)) return s;
  if (STOCK.test(s)) return s.replace(/[-/ ]/, '.');
  throw new InstrumentError(symbol, 'not an Alpaca stock (e.g. AAPL, BRK.B), OCC option or crypto pair (BTC/USD)');
}

/** The instrument behind an Alpaca symbol (stock, option or crypto pair). */
export function alpacaInstrument(symbol: string, opts: { underlying?: string; multiplier?: number | string } = {}): Instrument {
  const s = toAlpacaSymbol(symbol);
  if (looksLikeOcc(s)) return occInstrument(s, { ...opts, venue: 'alpaca' });
  const crypto = CRYPTO.exec(s);
  if (crypto) {
    return {
      symbol: s,
      venue: 'alpaca',
      kind: 'stock',
      underlying: crypto[1]!,
      expiry: null,
      strike: null,
      right: null,
      multiplier: multiplier(1),
      currency: currency(crypto[2]!, crypto[2] === 'USD' ? 2 : 8),
      tickSize: price('0.000000001'),
    };
  }
  return {
    symbol: s,
    venue: 'alpaca',
    kind: 'stock',
    underlying: s,
    expiry: null,
    strike: null,
    right: null,
    multiplier: multiplier(1),
    currency: currency('USD'),
    tickSize: price('0.01'),
  };
}
