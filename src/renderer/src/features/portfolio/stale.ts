/**
 * Which needed quotes are stale right now. "Needed" = every symbol an open position or a structure
 * leg is valued with. A needed symbol with no quote at all counts as stale once streaming runs —
 * its P&L is unknown just the same.
 */
export interface NeededQuote {
  symbol: string;
  /** Local-clock receive time of the latest quote (already offset-corrected); null = none yet. */
  receivedAt: number | null;
}

export interface StaleSummary {
  count: number;
  /** Oldest first; missing quotes first of all. */
  symbols: { symbol: string; ageMs: number | null }[];
}

export function staleSummary(needed: Iterable<NeededQuote>, now: number, staleAfterMs: number, countMissing: boolean): StaleSummary {
  const seen = new Set<string>();
  const out: { symbol: string; ageMs: number | null }[] = [];
  for (const q of needed) {
    if (seen.has(q.symbol)) continue;
    seen.add(q.symbol);
    if (q.receivedAt === null) {
      if (countMissing) out.push({ symbol: q.symbol, ageMs: null });
      continue;
    }
    const age = now - q.receivedAt;
    if (age > staleAfterMs) out.push({ symbol: q.symbol, ageMs: age });
  }
  out.sort((a, b) => (b.ageMs ?? Infinity) - (a.ageMs ?? Infinity) || a.symbol.localeCompare(b.symbol));
  return { count: out.length, symbols: out };
}

/** "SPY, AAPL and 3 more" — the banner names which, without flooding the screen. */
export function describeSymbols(symbols: readonly string[], max = 6): string {
  if (symbols.length <= max) return symbols.join(', ');
  return `${symbols.slice(0, max).join(', ')} and ${symbols.length - max} more`;
}
