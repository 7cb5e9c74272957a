/**
 * The delta cell: the number (per unit: an option's ∂V/∂S, a share's 1) and a title that says how
 * it was computed or why it is unknown. Pure (tested in node).
 *
 * Freshness never lies: a model delta is as fresh as the older of its two quotes (`delta_as_of`);
 * once that passes the stale threshold at the current time, the cell shows "—" with the reason,
 * exactly what the shared valuation would say now.
 */
import type { LivePosition } from '@shared/contract';
import { describeDeltaFailure } from '@core/greeks/model-delta';
import { formatDelta, formatFixed, formatPrice } from '../format/format';

export type DeltaCellInput = Pick<
  LivePosition,
  'status' | 'delta' | 'delta_source' | 'delta_as_of' | 'delta_model' | 'delta_unknown_reason' | 'delta_iv_failure' | 'position_delta' | 'quote_received_at'
>;

export interface DeltaCell {
  text: string;
  title: string | undefined;
  /** Why it is unknown (data attribute for tests); null when known or closed. */
  reason: string | null;
}

const pct = (x: number, dp: number) => `${(x * 100).toFixed(dp)}%`;

/** Which stale reason applies at `serverNow` to a stored model delta (null while both quotes are fresh). */
export function deltaStaleNow(p: DeltaCellInput, serverNow: number, staleMs: number): 'stale_option_quote' | 'stale_underlying_quote' | null {
  if (p.status === 'CLOSED' || p.delta === null || p.delta_source !== 'model' || p.delta_as_of === null) return null;
  if (serverNow - p.delta_as_of <= staleMs) return null;
  return p.quote_received_at !== null && serverNow - p.quote_received_at > staleMs ? 'stale_option_quote' : 'stale_underlying_quote';
}

export function deltaCell(p: DeltaCellInput, staleNow: 'stale_option_quote' | 'stale_underlying_quote' | null): DeltaCell {
  if (p.status === 'CLOSED') return { text: formatDelta(null), title: undefined, reason: null };
  if (staleNow) return { text: formatDelta(null), title: `no delta: ${describeDeltaFailure(staleNow)}`, reason: staleNow };
  if (p.delta === null) {
    const reason = p.delta_unknown_reason;
    return { text: formatDelta(null), title: reason ? `no delta: ${describeDeltaFailure(reason, p.delta_iv_failure)}` : 'no delta', reason: reason ?? 'unknown' };
  }
  const exposure = p.position_delta === null ? '' : `\nposition delta ${p.position_delta > 0 ? '+' : ''}${formatFixed(p.position_delta, 1)} (share-equivalent)`;
  let how: string;
  if (p.delta_source === 'model' && p.delta_model) {
    const m = p.delta_model;
    how = `model delta: Black-Scholes, IV ${pct(m.iv, 1)} from the option mid, underlying mid ${formatPrice(m.underlying_mid)}, r ${pct(m.rate, 2)}${m.dividend_yield !== 0 ? `, q ${pct(m.dividend_yield, 2)}` : ''}`;
  } else if (p.delta_source === 'share') how = 'delta 1 per share';
  else how = `delta from ${p.delta_source ?? 'unknown source'}`;
  return { text: formatDelta(p.delta), title: how + exposure, reason: null };
}
