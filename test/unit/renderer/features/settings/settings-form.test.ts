import { describe, expect, it } from 'vitest';
import { checkDraft, diffSettings, draftOf, errorsFromIssues, validatePatch } from '../../../../../src/renderer/src/features/settings/settings-form';
import { defaultDeskSettings, type DeskSettings } from '../../../../../src/shared/contract';

const current: DeskSettings = { ...defaultDeskSettings, alpaca: { ...defaultDeskSettings.alpaca } };

describe('settings form', () => {
  it('sends only what changed', () => {
    const d = { ...draftOf(current), stale_after_sec: 10, alpaca: { ...current.alpaca, stock_feed: 'sip' as const }, mark_policy: 'conservative' as const };
    expect(checkDraft(current, d)).toEqual({ patch: { stale_after_sec: 10, alpaca: { stock_feed: 'sip' }, mark_policy: 'conservative' }, errors: {} });
    expect(checkDraft(current, draftOf(current)).patch).toEqual({});
  });
  it('validates with the contract’s own schema and names the field', () => {
    const d = { ...draftOf(current), stale_after_sec: 0.1, max_option_contracts: 2.5, pnl_refresh_seconds: '' };
    const { errors } = checkDraft(current, d);
    expect(Object.keys(errors).sort()).toEqual(['max_option_contracts', 'pnl_refresh_seconds', 'stale_after_sec']);
    expect(errors.pnl_refresh_seconds).toBe('Refresh cadence is required — allowed: from 1 s to 300 s');
    expect(errors.stale_after_sec).toBe('Stale threshold must be at least 0.5 s (allowed: from 0.5 s to 600 s)');
    expect(errors.max_option_contracts).toBe('Max option contracts must be a whole number from 1 to 10,000');
  });
  it('never shows the library’s own text', () => {
    const { errors } = checkDraft(current, { ...draftOf(current), stale_after_sec: '0.1', pnl_refresh_seconds: '301', wide_spread_pct: '-1' });
    for (const m of Object.values(errors)) expect(m).not.toMatch(/Too small|Too big|Invalid input|expected number|>=|<=/);
    expect(errors.wide_spread_pct).toBe('Wide spread warning must be at least 0 % (allowed: from 0 % to 1,000 %)');
  });
  it('reads typed numbers exactly or refuses them: "2.5" in a whole-number field is not 25, "1e9" is not 19', () => {
    const typed = (k: 'max_option_contracts' | 'stale_after_sec', v: string) => checkDraft(current, { ...draftOf(current), [k]: v });
    expect(typed('max_option_contracts', '2.5').errors.max_option_contracts).toBe('Max option contracts must be a whole number — allowed: a whole number from 1 to 10,000');
    expect(typed('max_option_contracts', '2.5').patch).toEqual({});
    expect(typed('max_option_contracts', '1e9').errors.max_option_contracts).toMatch(/^Max option contracts must be a plain number such as 250 \(no letters, exponents or separators\)/);
    expect(typed('max_option_contracts', '1,000').errors.max_option_contracts).toMatch(/must be a plain number/);
    expect(typed('stale_after_sec', '1e1').errors.stale_after_sec).toMatch(/^Stale threshold must be a plain number such as 2.5/);
    expect(typed('max_option_contracts', ' 300 ')).toEqual({ patch: { max_option_contracts: 300 }, errors: {} });
    expect(typed('stale_after_sec', '2.5')).toEqual({ patch: { stale_after_sec: 2.5 }, errors: {} });
    expect(typed('stale_after_sec', '.5')).toEqual({ patch: { stale_after_sec: 0.5 }, errors: {} });
  });
  it('risk-free rate and dividend yield (delta model): percent, range-checked with clear messages', () => {
    expect(current.risk_free_rate_pct).toBe(4);
    expect(current.dividend_yield_pct).toBe(0);
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: 4.5, dividend_yield_pct: '1.25' })).toEqual({ patch: { risk_free_rate_pct: 4.5, dividend_yield_pct: 1.25 }, errors: {} });
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: -2 }).errors).toEqual({});
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: 26, dividend_yield_pct: -1 }).errors).toEqual({
      risk_free_rate_pct: 'the risk-free rate must be at most 25%',
      dividend_yield_pct: 'the dividend yield must be at least 0%',
    });
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: -5.5 }).errors).toEqual({ risk_free_rate_pct: 'the risk-free rate must be at least −5%' });
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: '' }).errors.risk_free_rate_pct).toMatch(/^Risk-free rate is required/);
  });
  it('an empty portfolio path means the bundled sample (null)', () => {
    const withPath = { ...current, portfolio_path: '/x.json' };
    expect(checkDraft(withPath, { ...draftOf(withPath), portfolio_path: '  ' }).patch).toEqual({ portfolio_path: null });
  });
  it('record_quotes (issue 15 item 7): off by default, a toggle is sent alone and validated as a boolean', () => {
    expect(current.record_quotes).toBe(false);
    expect(diffSettings(current, { ...draftOf(current), record_quotes: true }).patch).toEqual({ record_quotes: true });
    expect(validatePatch({ record_quotes: 'yes' } as never)).toHaveProperty('record_quotes');
  });

  it('maps the desk’s issues to fields', () => {
    expect(errorsFromIssues([{ path: 'alpaca.env', message: 'bad' }, { path: '', message: 'x' }])).toEqual({ 'alpaca.env': 'bad', '(root)': 'x' });
  });
});
