/** The live underlying price for the payoff chart: the mid when both sides exist, else the last trade. */
import type { QuoteWire } from '@shared/contract';

export function livePriceOf(q: Pick<QuoteWire, 'bid' | 'ask' | 'last'> | null | undefined): number | null {
  if (!q) return null;
  if (q.bid !== null && q.ask !== null && q.bid > 0 && q.ask >= q.bid) return (q.bid + q.ask) / 2;
  return q.last !== null && q.last > 0 ? q.last : null;
}
