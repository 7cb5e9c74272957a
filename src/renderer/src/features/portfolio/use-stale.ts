import { useMemo } from 'react';
import { useDeskStore } from '../../stores/desk-store';
import { useNow } from '../../hooks/use-now';
import type { PositionRecord } from '@shared/contract';
import { staleSummary, type StaleSummary } from './stale';
import { streamingSince } from './streaming-since';

/** Open positions' symbols (they change only with the records, i.e. on position/portfolio events). */
function neededSymbols(records: Record<string, PositionRecord>): string[] {
  const out = new Set<string>();
  for (const r of Object.values(records)) if (r.status !== 'CLOSED') out.add(r.symbol);
  return [...out];
}

/**
 * The stale banner's figures, recomputed on the shared 4 Hz clock (staleness moves with time, and
 * 4 Hz is plenty for a banner): every needed quote past the threshold, and — once streaming has run
 * longer than the threshold — needed symbols with no quote at all (before that they are simply not
 * here yet). Quotes are read at each clock tick rather than subscribed to, so ticks do not
 * re-render the banner.
 */
export function useStaleSummary(): { summary: StaleSummary; staleMs: number } {
  const records = useDeskStore((s) => s.records);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  const streaming = useDeskStore((s) => s.streaming);
  const now = useNow();
  // Symbols the plan left out are not stale: they were never subscribed (shown as such on their rows).
  const plan = useDeskStore((s) => s.plan);
  const symbols = useMemo(() => {
    const omitted = new Set(plan?.omitted ?? []);
    return neededSymbols(records).filter((s) => !omitted.has(s));
  }, [records, plan]);
  const summary = useMemo(() => {
    const { quotes, clockOffsetMs } = useDeskStore.getState();
    const since = streamingSince();
    const countMissing = streaming && since !== null && now - since > staleMs;
    return staleSummary(
      symbols.map((symbol) => ({ symbol, receivedAt: quotes[symbol]?.receivedAt ?? null })),
      now + clockOffsetMs,
      staleMs,
      countMissing,
    );
  }, [symbols, now, staleMs, streaming]);
  return { summary, staleMs };
}
