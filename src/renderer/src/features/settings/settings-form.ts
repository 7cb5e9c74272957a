/**
 * The Settings form's logic, pure: what changed (the `settings.set` patch), and field errors —
 * from the contract's own zod schema, so the form and the desk validate identically.
 */
import { deskSettingsPatchSchema, type DeskSettings, type DeskSettingsPatch } from '@shared/contract';
import { plainIssue, rangeOf, type FieldRange } from '@core/model/plain-issues';

const NUMERIC = ['stale_after_sec', 'pnl_refresh_seconds', 'max_option_contracts', 'wide_spread_pct', 'risk_free_rate_pct', 'dividend_yield_pct'] as const;
type NumericKey = (typeof NUMERIC)[number];

/** Each numeric field's name on the form and its unit; the allowed range comes from the contract's schema. */
const NUMERIC_FIELDS: Record<NumericKey, { label: string; unit?: string }> = {
  stale_after_sec: { label: 'Stale threshold', unit: 's' },
  pnl_refresh_seconds: { label: 'Refresh cadence', unit: 's' },
  max_option_contracts: { label: 'Max option contracts' },
  wide_spread_pct: { label: 'Wide spread warning', unit: '%' },
  risk_free_rate_pct: { label: 'Risk-free rate', unit: '%' },
  dividend_yield_pct: { label: 'Dividend yield', unit: '%' },
};

/** The allowed range of a numeric setting (from the contract), e.g. 0.5 – 600 s. */
export function settingRange(k: NumericKey): FieldRange | undefined {
  return rangeOf(deskSettingsPatchSchema.shape[k], NUMERIC_FIELDS[k].unit);
}

const OTHER_LABELS: Record<string, string> = { venue: 'Venue', mark_policy: 'Mark policy', portfolio_path: 'Portfolio file', watch_portfolio: 'Reload when the file changes', record_quotes: 'Record quotes for replay', 'alpaca.env': 'Alpaca environment', 'alpaca.stock_feed': 'Stock feed', 'alpaca.option_feed': 'Option feed' };

/**
 * A number typed in a settings field, read exactly as written or refused: digits with an optional
 * sign and decimal point — "2.5" in a whole-number field is refused (never read as 25), "1e9" and
 * "1,000" are refused (never read as 19 or 1), "" is missing.
 */
export function parseNumberText(text: string, k: NumericKey): { ok: true; value: number } | { ok: false; message: string } {
  const { label } = NUMERIC_FIELDS[k];
  const range = settingRange(k);
  const allowed = range ? rangeText(range) : null;
  const t = text.trim();
  if (t === '') return { ok: false, message: `${label} is required${allowed ? ` — ${allowed}` : ''}` };
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return { ok: false, message: `${label} must be a plain number such as ${range?.integer ? '250' : '2.5'} (no letters, exponents or separators)${allowed ? ` — ${allowed}` : ''}` };
  const value = Number(t);
  if (range?.integer && !Number.isInteger(value)) return { ok: false, message: `${label} must be a whole number${allowed ? ` — ${allowed}` : ''}` };
  return { ok: true, value };
}

function rangeText(r: FieldRange): string | null {
  const n = (x: number) => `${x.toLocaleString('en-US')}${r.unit ? ` ${r.unit}` : ''}`;
  if (r.min !== undefined && r.max !== undefined) return `allowed: ${r.integer ? 'a whole number ' : ''}from ${n(r.min)} to ${n(r.max)}`;
  return null;
}

/** Form values: numbers may be '' while the trader edits an input. */
export type SettingsDraft = Omit<DeskSettings, (typeof NUMERIC)[number]> & { [K in (typeof NUMERIC)[number]]: number | string };

export type FieldErrors = Record<string, string>;

export function draftOf(s: DeskSettings): SettingsDraft {
  return { ...s, alpaca: { ...s.alpaca } };
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
    const v = draft[k];
    const n = typeof v === 'number' ? (Number.isFinite(v) ? { ok: true as const, value: v } : { ok: false as const, message: `${NUMERIC_FIELDS[k].label} must be a number` }) : parseNumberText(v, k);
    if (!n.ok) errors[k] = n.message;
    else if (n.value !== current[k]) patch[k] = n.value;
  }
  if (draft.mark_policy !== current.mark_policy) patch.mark_policy = draft.mark_policy;
  const path = typeof draft.portfolio_path === 'string' && draft.portfolio_path.trim() === '' ? null : draft.portfolio_path;
  if (path !== current.portfolio_path) patch.portfolio_path = path;
  if (draft.watch_portfolio !== current.watch_portfolio) patch.watch_portfolio = draft.watch_portfolio;
  if (draft.record_quotes !== current.record_quotes) patch.record_quotes = draft.record_quotes;
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
  return errorsFromIssues(
    r.error.issues.map((i) => {
      const path = i.path.map(String).join('.');
      const numeric = (NUMERIC as readonly string[]).includes(path) ? (path as NumericKey) : null;
      const label = numeric ? NUMERIC_FIELDS[numeric].label : (OTHER_LABELS[path] ?? undefined);
      return { path, message: plainIssue(i, { label, range: numeric ? settingRange(numeric) : undefined }) };
    }),
  );
}

/** Everything that must be fixed before the patch can be sent (empty = OK). */
export function checkDraft(current: DeskSettings, draft: SettingsDraft): { patch: DeskSettingsPatch; errors: FieldErrors } {
  const { patch, errors } = diffSettings(current, draft);
  return { patch, errors: { ...validatePatch(patch), ...errors } };
}
