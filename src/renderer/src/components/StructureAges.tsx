import { markTimeOf } from '@core/market/mark';
import { useDeskStore } from '../stores/desk-store';
import { quoteOfSymbol } from '../stores/slices/quote-key';
import { useNowDerived } from '../hooks/use-now';
import { omittedSet, structureAge } from '../features/health/freshness';
import { QuoteAge } from './QuoteAge';

/**
 * A symbol's age as its mark's: from the receive time of what the mark is computed from (the book,
 * or the last trade under `last`); "not subscribed" for a symbol the plan left out.
 */
export function MarkAge({ symbol, clockOffsetMs, staleMs }: { symbol: string; clockOffsetMs: number; staleMs: number }) {
  const receivedAt = useDeskStore((s) => {
    const q = quoteOfSymbol(s, symbol);
    return q ? markTimeOf(q, s.valuation.markPolicy) : null;
  });
  return <QuoteAge symbol={symbol} receivedAt={receivedAt} clockOffsetMs={clockOffsetMs} staleMs={staleMs} />;
}

/**
 * A structure's age from its legs' mark inputs: the oldest leg's while all are fresh, otherwise what
 * is wrong — "stale (2 legs, oldest 7.2s)", "no quote (1 leg)", or legs the plan left out — never a
 * bare "no quote" for a structure whose legs are merely old.
 */
export function StructureAge({ legs, clockOffsetMs, staleMs }: { legs: readonly string[]; clockOffsetMs: number; staleMs: number }) {
  const plan = useDeskStore((s) => s.plan);
  const at = (now: number) => {
    const state = useDeskStore.getState();
    const { valuation } = state;
    return structureAge(
      legs.map((symbol) => {
        // Quotes are keyed by instrument: a leg is a symbol at the desk's venue.
        const q = quoteOfSymbol(state, symbol);
        return { symbol, receivedAt: q ? markTimeOf(q, valuation.markPolicy) : null };
      }),
      now + clockOffsetMs,
      staleMs,
      omittedSet(plan),
      plan?.max_option_contracts ?? null,
    );
  };
  const text = useNowDerived((now) => at(now).text);
  const short = useNowDerived((now) => at(now).short);
  const level = useNowDerived((now) => at(now).level);
  // The short form fits the AGE column (wrapping onto a second line if need be); the full sentence is its tooltip.
  return (
    <span className={`age-badge age-wrap age-${level === 'not_subscribed' ? 'not-subscribed' : level}`} data-testid="structure-age" data-age-level={level} title={text} aria-label={text}>
      {short}
    </span>
  );
}

/** Warning codes hidden on a structure whose missing legs were all left out by the subscription plan. */
export const HIDE_MISSING_LEG: ReadonlySet<string> = new Set(['missing_leg', 'missing_quote']);

/**
 * Whether every leg of a structure that has no quote was left out by the subscription plan: its
 * legs are then "not subscribed" (the age says so), not a red missing leg.
 */
export function useMissingLegsAllOmitted(legs: readonly { symbol: string }[] | undefined): boolean {
  return useDeskStore((st) => {
    if (!legs || !st.plan || st.plan.omitted.length === 0) return false;
    const missing = legs.filter((l) => quoteOfSymbol(st, l.symbol) === undefined).map((l) => l.symbol);
    return missing.length > 0 && missing.every((m) => st.plan!.omitted.includes(m));
  });
}
