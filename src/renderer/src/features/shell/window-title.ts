/**
 * The window / tab title tells the state without looking at the window: the mode, the total P&L
 * (per currency) and "STALE" when a total is unknown — e.g. "SIM · −1,185.00 · Live Desk".
 */
import type { PnlSnapshotWire, VenueMode } from '@shared/contract';
import { formatMoney } from '../format/format';

export const APP_NAME = 'Live Desk';

/** A signed amount with a typographic minus (−), as a title reads best. */
function signed(value: string, decimals: number): string {
  return formatMoney(value, decimals, { signed: true }).replace(/^-/, '−');
}

export function windowTitle(mode: VenueMode | null, totals: PnlSnapshotWire | null): string {
  if (mode === null || totals === null) return APP_NAME;
  const list = totals.totals;
  if (list.length === 0) return `${mode} · ${APP_NAME}`;
  if (list.some((t) => t.total_pnl === null)) return `${mode} · STALE · ${APP_NAME}`;
  const figures = list.length === 1 ? signed(list[0]!.total_pnl!, list[0]!.currency_decimals) : list.map((t) => `${t.currency} ${signed(t.total_pnl!, t.currency_decimals)}`).join(' · ');
  return `${mode} · ${figures} · ${APP_NAME}`;
}
