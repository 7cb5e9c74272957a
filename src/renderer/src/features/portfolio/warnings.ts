/** Short labels for position warnings, so a row shows them compactly (the full message is in the title). */
import type { WarningCode, WarningView } from '@shared/contract';
import type { UnknownReason } from '@core/market/mark';

export const WARNING_LABEL: Record<WarningCode, string> = {
  missing_quote: 'no quote',
  stale_quote: 'stale',
  wide_spread: 'wide spread',
  one_sided: 'one-sided',
  crossed_quote: 'crossed',
  bad_price: 'bad price',
  no_last: 'no last',
  missing_leg: 'missing leg',
  expired: 'expired',
};

/** Warnings that mean the number on the row cannot be trusted (red), versus advisories (amber). */
const SEVERE = new Set<WarningCode>(['missing_quote', 'stale_quote', 'crossed_quote', 'bad_price', 'missing_leg', 'expired']);

export function warningSeverity(code: WarningCode): 'severe' | 'advisory' {
  return SEVERE.has(code) ? 'severe' : 'advisory';
}

export const UNKNOWN_REASON_LABEL: Record<UnknownReason, string> = {
  no_quote: 'no quote',
  stale_quote: 'stale quote',
  one_sided: 'one-sided quote',
  crossed_quote: 'crossed quote',
  no_last: 'no last trade',
  bad_price: 'bad price',
  expired: 'expired',
};

/** De-duplicated by code (a structure may repeat one per leg). */
export function uniqueWarnings(ws: readonly WarningView[]): WarningView[] {
  const seen = new Map<WarningCode, WarningView>();
  for (const w of ws) {
    const prev = seen.get(w.code);
    seen.set(w.code, prev ? { code: w.code, message: `${prev.message}; ${w.message}` } : w);
  }
  return [...seen.values()];
}
