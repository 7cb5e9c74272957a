/**
 * The Settings form's logic, pure: what changed (the `settings.set` patch), and field errors —
 * from the contract's own zod schema, so the form and the desk validate identically.
 */
import { deskSettingsPatchSchema, type DeskSettings, type DeskSettingsPatch } from '@shared/contract';

const NUMERIC = ['stale_after_sec', 'pnl_refresh_seconds', 'max_option_contracts', 'wide_spread_pct', 'risk_free_rate_pct', 'dividend_yield_pct'] as const;

/** Form values: numbers may be '' while the trader edits an input. */
export type SettingsDraft = Omit<DeskSettings, (typeof NUMERIC)[number]> & { [K in (typeof NUMERIC)[number]]: number | string };

export type FieldErrors = Record<string, string>;

export function draftOf(s: DeskSettings): SettingsDraft {
  return { ...s, alpaca: { ...s.alpaca } };
}

function num(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The fields that differ from the settings in force. Empty numbers are reported as errors instead. */
export function diffSettings(current: DeskSettings, draft: SettingsDraft): { patch: DeskSettingsPatch; errors: FieldErrors } {
  const patch: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  if (draft.venue !== current.venue) patch.venue = draft.venue;
  const alpaca: Record<string, unknown> = {};
  for (const k of ['env', 'stock_feed', 'option_feed'] as const) if (draft.alpaca[k] !== current.alpaca[k]) alpaca[k] = draft.alpaca[k];
  if (Object.keys(alpaca).length) patch.alpaca = alpaca;
  for (const k of NUMERIC) {
    const n = num(draft[k]);
    if (n === null) errors[k] = 'must be a number';
    else if (n !== current[k]) patch[k] = n;
  }
  if (draft.mark_policy !== current.mark_policy) patch.mark_policy = draft.mark_policy;
  const path = typeof draft.portfolio_path === 'string' && draft.portfolio_path.trim() === '' ? null : draft.portfolio_path;
  if (path !== current.portfolio_path) patch.portfolio_path = path;
  if (draft.watch_portfolio !== current.watch_portfolio) patch.watch_portfolio = draft.watch_portfolio;
  return { patch: patch as DeskSettingsPatch, errors };
}

/** Field errors keyed by dotted path ("alpaca.env"), from zod issues or the desk's reply. */
export function errorsFromIssues(issues: readonly { path: string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) out[i.path || '(root)'] ??= i.message;
  return out;
}

export function validatePatch(patch: DeskSettingsPatch): FieldErrors {
  const r = deskSettingsPatchSchema.safeParse(patch);
  if (r.success) return {};
  return errorsFromIssues(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** Everything that must be fixed before the patch can be sent (empty = OK). */
export function checkDraft(current: DeskSettings, draft: SettingsDraft): { patch: DeskSettingsPatch; errors: FieldErrors } {
  const { patch, errors } = diffSettings(current, draft);
  return { patch, errors: { ...validatePatch(patch), ...errors } };
}
