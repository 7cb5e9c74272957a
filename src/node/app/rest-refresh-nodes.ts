/**
 * The shared REST refresh (the LTP provider's) as a step of the stream's flow on the Events page.
 * The tracker's fallback refreshes every few seconds during a stall: a success is recorded at most
 * once a minute (with how many were folded in), every failure and the first success after one
 * always — so a long stall cannot flush the event history.
 */
import type { QuoteCache } from '../../core/market/quote-cache';
import type { LivePortfolio } from '../live-portfolio';

/** A node_event as the live portfolio records it, without its parent (the desk's current stream). */
export type RefreshNode = Omit<Parameters<LivePortfolio['node']>[0], 'parent'>;

/** Records the cache's `rest_refresh` events through `record`, folding the successes of each minute. */
export function recordRestRefreshes(cache: Pick<QuoteCache, 'onEvent'>, record: (node: RefreshNode) => void): void {
  let lastOkNodeAt = Number.NEGATIVE_INFINITY;
  let folded = 0;
  let lastFailed = false;
  cache.onEvent((e) => {
    if (e.kind !== 'rest_refresh') return;
    if (e.ok && !lastFailed && e.at - lastOkNodeAt < 60_000) {
      folded++;
      return;
    }
    lastFailed = !e.ok;
    if (e.ok) lastOkNodeAt = e.at;
    const since = folded;
    folded = 0;
    record({
      node_type: 'RestRefreshNode',
      node_id: 'rest-refresh',
      node_name: 'REST quote refresh',
      action: 'rest_refresh',
      status: e.ok ? 'completed' : 'failed',
      message: e.ok ? `${e.received} of ${e.symbols.length} quotes in ${e.durationMs} ms${since > 0 ? ` (+${since} more refreshes in the last minute)` : ''}` : e.error,
      details: { symbols: e.symbols.slice(0, 50), requested: e.symbols.length, received: e.received, duration_ms: e.durationMs, folded: since },
    });
  });
}
