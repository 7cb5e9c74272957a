/**
 * Which stream a symbol belongs on. Alpaca (and the sim) carry stocks on one stream and OCC option
 * contracts on another; a compact OCC symbol is the only thing that goes on the option stream.
 */
const OCC_COMPACT = /^[A-Z0-9.]{1,6}\d{6}[CP]\d{8}$/;

export type SymbolKind = 'stock' | 'option';

export function symbolKind(symbol: string): SymbolKind {
  return OCC_COMPACT.test(symbol) ? 'option' : 'stock';
}

/** A plausible US stock / ETF ticker as venues spell it (e.g. `SPY`, `BRK.B`). */
export function isStockSymbol(symbol: string): boolean {
  return /^[A-Z][A-Z0-9.]{0,9}$/.test(symbol) && !OCC_COMPACT.test(symbol);
}
