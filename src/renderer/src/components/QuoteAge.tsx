import { useDeskStore } from '../stores/desk-store';
import { AgeBadge } from './AgeBadge';
import { notSubscribedText } from '../features/health/freshness';
import { quoteOfSymbol } from '../stores/slices/quote-key';

/**
 * A quote's age; for a symbol the subscription plan left out, a grey "—" (never "no quote" / red
 * stale: there is no stream behind it to be stale), even when an old quote is still cached for it
 * (the limit was lowered while streaming) — the row's chip says "not subscribed: over the limit of
 * N", and so does this badge's tooltip.
 */
export function QuoteAge({ symbol, receivedAt, clockOffsetMs, staleMs, testId = 'age' }: { symbol: string; receivedAt: number | null; clockOffsetMs: number; staleMs: number; testId?: string }) {
  const limit = useDeskStore((s) => (s.plan !== null && s.plan.omitted.includes(symbol) ? s.plan.max_option_contracts : null));
  if (limit !== null) {
    return (
      <span className="age-badge age-not-subscribed" data-testid={testId} data-age-level="not_subscribed" title={notSubscribedText(limit)} aria-label={notSubscribedText(limit)}>
        —
      </span>
    );
  }
  return <AgeBadge receivedAt={receivedAt} clockOffsetMs={clockOffsetMs} staleMs={staleMs} testId={testId} />;
}

/** "via REST": the price on this row came from a REST refresh (the stream had no fresh quote). */
export function QuoteSourceChip({ symbol }: { symbol: string }) {
  const rest = useDeskStore((s) => quoteOfSymbol(s, symbol)?.source === 'rest');
  if (!rest) return null;
  return (
    <span className="warn-chip warn-info" data-code="rest_price" data-testid="quote-source" data-source="rest" title="priced by a REST refresh: the stream had no fresh quote (its age is the REST reply's)">
      via REST
    </span>
  );
}
