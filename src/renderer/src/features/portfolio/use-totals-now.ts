import type { PnlSnapshotWire } from '@shared/contract';
import { useDeskStore } from '../../stores/desk-store';
import { useNowDerived } from '../../hooks/use-now';
import { anyStaleNow, shownTotals } from './stale-now';

/**
 * The desk's totals (`pnl_snapshot`) as the totals bar and the window title show them at now: the
 * desk's figures as sent, or — once the oldest quote behind them, or a row's, has gone stale since
 * the desk last sent them (stream stopped or stalled) — those figures marked unknown (stale-now.ts). No
 * total is computed in the renderer.
 */
export function useTotalsNow(): PnlSnapshotWire {
  const pnl = useDeskStore((s) => s.pnl);
  const offset = useDeskStore((s) => s.clockOffsetMs);
  const staleMs = useDeskStore((s) => s.valuation.staleAfterMs);
  const positions = useDeskStore((s) => s.positions);
  const structures = useDeskStore((s) => s.structures);
  const structureDefs = useDeskStore((s) => s.structureDefs);
  // Re-renders only when the shown totals change (their identity is stable per input and staleness).
  const stale = useNowDerived((now) => (pnl.as_of !== null && now + offset - pnl.as_of > staleMs) || anyStaleNow(positions, structures, now + offset, staleMs));
  const at = useNowDerived((now) => (stale ? Math.floor((now + offset) / 250) : 0));
  return shownTotals(pnl, positions, structures, structureDefs, stale ? at * 250 : null, staleMs);
}
