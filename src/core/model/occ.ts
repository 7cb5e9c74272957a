/**
 * OCC/OSI option symbols. Compact form: ROOT + YYMMDD + C|P + strike×1000 in 8 digits
 * (e.g. `AAPL240119C00150000`); padded form pads ROOT to 6 characters (21 characters in all).
 */
export interface OccContract {
  root: string;
  /** Expiry date as YYYY-MM-DD. */
  expiry: string;
  right: 'call' | 'put';
  /** Strike in thousandths of a dollar (exact integer). */
  strikeMilli: number;
}

const COMPACT = /^([A-Z0-9.]{1,6}) *(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

export class OccSymbolError extends Error {
  constructor(
    readonly symbol: string,
    reason: string,
  ) {
    super(`invalid OCC option symbol ${JSON.stringify(symbol)}: ${reason}`);
    this.name = 'OccSymbolError';
  }
}

export function formatOcc(c: OccContract, form: 'compact' | 'padded' = 'compact'): string {
  if (!/^[A-Z0-9.]{1,6}$/.test(c.root)) throw new OccSymbolError(c.root, 'root must be 1-6 characters A-Z, 0-9 or "."');
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(c.expiry);
  if (!m) throw new OccSymbolError(c.expiry, 'expiry must be YYYY-MM-DD in 2000-2099');
  if (!Number.isInteger(c.strikeMilli) || c.strikeMilli < 0 || c.strikeMilli > 99_999_999) {
    throw new OccSymbolError(String(c.strikeMilli), 'strike must be 0..99999.999 in thousandths');
  }
  const root = form === 'padded' ? c.root.padEnd(6, ' ') : c.root;
  return `${root}${m[1]}${m[2]}${m[3]}${c.right === 'call' ? 'C' : 'P'}${String(c.strikeMilli).padStart(8, '0')}`;
}

export function parseOcc(symbol: string): OccContract {
  const m = COMPACT.exec(symbol);
  if (!m) throw new OccSymbolError(symbol, 'expected ROOT(1-6) YYMMDD C|P STRIKE(8 digits)');
  const [, root, yy, mm, dd, cp, strike] = m as unknown as [string, string, string, string, string, string, string];
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12) throw new OccSymbolError(symbol, `month ${mm} out of range`);
  const daysInMonth = new Date(Date.UTC(2000 + Number(yy), month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw new OccSymbolError(symbol, `day ${dd} out of range for month ${mm}`);
  return { root, expiry: `20${yy}-${mm}-${dd}`, right: cp === 'C' ? 'call' : 'put', strikeMilli: Number(strike) };
}
