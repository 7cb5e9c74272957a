import { useMemo } from 'react';
import type { PnlSnapshotWire } from '@shared/contract';
import { totalsOf } from '@core/pnl/revalue';
import { useDeskStore } from '../../stores/desk-store';
import { revalueAll } from '../../stores/desk-state';
import { useNow } from '../../hooks/use-now';
import { countStaleNow } from './stale-now';

/**
 * The stored totals, unless some known P&L behind them has gone stale since the last tick (stream
 * stopped or stalled): then the totals are recomputed at now with the shared valuation functions,
 * so they say "unknown" exactly when the rows do. Used by the totals bar and the window title.
 */
export function useTotalsNow(): PnlSnapshotWire {
  const stored = useDeskStore((s) => s.totals);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  const positions = useDeskStore((s) => s.positions);
  const now = useNow() + offset;
  const staleNow = countStaleNow(positions, now, staleMs);
  return useMemo(
    () => (staleNow === 0 ? stored : totalsOf(Object.values(revalueAll(useDeskStore.getState(), now)))),
    // `now` matters only while something is stale; otherwise the stored totals stand.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [staleNow === 0 ? 0 : now, staleNow, stored, positions],
  );
}
