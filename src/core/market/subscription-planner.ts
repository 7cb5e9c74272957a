import { symbolKind } from './symbols';

/**
 * Turns positions into venue subscriptions: unique underlyings (stocks) and option contracts
 * (single positions and every leg of multi-leg structures), enforcing the venue's symbol limits
 * *before* anything is subscribed, with a warning that names what was left out.
 *
 * The input is deliberately minimal so any portfolio shape (portfolio.json, broker positions) maps
 * onto it: a position has a `symbol` (stock or OCC option) and/or `legs`, plus an optional
 * `underlying` (needed when an option's root differs from its underlying, e.g. SPXW → SPX).
 */
export interface PlannerLeg {
  symbol: string;
  underlying?: string;
}

export interface PlannerPosition {
  symbol?: string;
  underlying?: string;
  legs?: readonly PlannerLeg[];
}

export interface PlannerLimits {
  /** Default 250 (spec §5); Alpaca's own limits are 200 (indicative) / 1000 (OPRA) option quotes. */
  maxOptionContracts?: number;
  /** Default unlimited; Alpaca Basic (IEX) allows 30 symbols. */
  maxStocks?: number;
  /** Subscribe the underlyings of option positions too (default true: the P&L needs spot for greeks). */
  includeUnderlyings?: boolean;
}

export interface SubscriptionPlan {
  stocks: string[];
  options: string[];
  /** Symbols left out by a limit, in the order they would have been subscribed. */
  omittedStocks: string[];
  omittedOptions: string[];
  /** Human-readable warnings naming what was left out and why. */
  warnings: string[];
  truncated: boolean;
}

/** The option root in a compact OCC symbol (`AAPL240119C00150000` → `AAPL`). */
export function occRoot(symbol: string): string {
  return symbol.slice(0, symbol.length - 15);
}

function listForWarning(symbols: readonly string[], max = 10): string {
  const shown = symbols.slice(0, max).join(', ');
  return symbols.length > max ? `${shown} and ${symbols.length - max} more` : shown;
}

/** Deterministic: symbols keep the order in which positions name them (first come, first kept). */
export function planSubscriptions(positions: readonly PlannerPosition[], limits: PlannerLimits = {}): SubscriptionPlan {
  const maxOptions = limits.maxOptionContracts ?? 250;
  const maxStocks = limits.maxStocks ?? Number.POSITIVE_INFINITY;
  const includeUnderlyings = limits.includeUnderlyings ?? true;
  const stocks = new Set<string>();
  const options = new Set<string>();
  const warnings: string[] = [];

  const add = (symbol: string | undefined, underlying: string | undefined) => {
    if (!symbol) return;
    const s = symbol.trim().toUpperCase();
    if (symbolKind(s) === 'option') {
      options.add(s);
      if (includeUnderlyings) stocks.add((underlying ?? occRoot(s)).trim().toUpperCase());
    } else if (s.length > 0) {
      stocks.add(s);
    }
  };
  for (const p of positions) {
    add(p.symbol, p.underlying);
    for (const leg of p.legs ?? []) add(leg.symbol, leg.underlying ?? p.underlying);
  }

  const allStocks = [...stocks];
  const allOptions = [...options];
  const keptStocks = allStocks.slice(0, maxStocks);
  const keptOptions = allOptions.slice(0, maxOptions);
  const omittedStocks = allStocks.slice(keptStocks.length);
  const omittedOptions = allOptions.slice(keptOptions.length);
  if (omittedOptions.length > 0) {
    warnings.push(
      `option subscription limit ${maxOptions} reached: ${omittedOptions.length} of ${allOptions.length} contracts not subscribed (${listForWarning(omittedOptions)}); their P&L shows as unknown`,
    );
  }
  if (omittedStocks.length > 0) {
    warnings.push(
      `stock subscription limit ${maxStocks} reached: ${omittedStocks.length} of ${allStocks.length} symbols not subscribed (${listForWarning(omittedStocks)})`,
    );
  }
  return {
    stocks: keptStocks,
    options: keptOptions,
    omittedStocks,
    omittedOptions,
    warnings,
    truncated: omittedStocks.length + omittedOptions.length > 0,
  };
}
