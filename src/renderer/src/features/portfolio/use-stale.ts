import { useMemo } from 'react';
import { useDeskStore } from '../../stores/desk-store';
import { useNow } from '../../hooks/use-now';
import type { PositionRecord, StructureDefWire } from '@shared/contract';
import { markTimeOf } from '@core/market/mark';
import { staleSummary, type StaleSummary } from './stale';
import { streamingSince } from './streaming-since';
import { symbolKey } from '../../stores/slices/quote-key';

/**
 * Every symbol the totals depend on: open positions' and every structure leg's (a structure valued
 * from its net debit has legs that are not positions). Changes only on position/portfolio events.
 */
export function neededSymbols(records: Record<string, PositionRecord>, structureDefs: Record<string, StructureDefWire>, now: number): string[] {
  const out = new Set<string>();
  // An expired contract has no market: it is shown as expired, not as a stale quote.
  const live = (i: { expiry: { epochMs: number } | null } | null) => !i?.expiry || i.expiry.epochMs > now;
  for (const r of Object.values(records)) if (r.status !== 'CLOSED' && live(r.instrument)) out.add(r.symbol);
  for (const d of Object.values(structureDefs)) for (const l of d.legs) if (live(l.instrument)) out.add(l.symbol);
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
  const structureDefs = useDeskStore((s) => s.structureDefs);
  const policy = useDeskStore((s) => s.valuation.markPolicy);
  const unlisted = useDeskStore((s) => s.streamer?.unlisted_contracts);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  const streaming = useDeskStore((s) => s.streaming);
  const now = useNow();
  // Contracts the venue does not list are flagged on their rows, not counted as stale quotes; nor
  // are symbols the plan left out: they were never subscribed (shown as such on their rows).
  const plan = useDeskStore((s) => s.plan);
  const symbols = useMemo(() => {
    const omitted = new Set(plan?.omitted ?? []);
    return neededSymbols(records, structureDefs, now).filter((s) => !unlisted?.includes(s) && !omitted.has(s));
  }, [records, structureDefs, now, unlisted, plan]);
  const summary = useMemo(() => {
    const { quotes, clockOffsetMs, venue } = useDeskStore.getState();
    const since = streamingSince();
    const countMissing = streaming && since !== null && now - since > staleMs;
    return staleSummary(
      // A mark's age is its inputs' (the book, or the last trade under `last`): a fresh trade print
      // does not hide an old book.
      symbols.map((symbol) => {
        const q = quotes[symbolKey(venue, symbol)];
        return { symbol, receivedAt: q ? markTimeOf(q, policy) : null };
      }),
      now + clockOffsetMs,
      staleMs,
      countMissing,
    );
  }, [symbols, now, staleMs, streaming, policy]);
  return { summary, staleMs };
}
