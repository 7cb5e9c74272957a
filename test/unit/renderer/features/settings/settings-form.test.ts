import { describe, expect, it } from 'vitest';
import { checkDraft, draftOf, errorsFromIssues } from '../../../../../src/renderer/src/features/settings/settings-form';
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
    expect(errors.pnl_refresh_seconds).toBe('must be a number');
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
    expect(checkDraft(current, { ...draftOf(current), risk_free_rate_pct: '' }).errors).toEqual({ risk_free_rate_pct: 'must be a number' });
  });
  it('an empty portfolio path means the bundled sample (null)', () => {
    const withPath = { ...current, portfolio_path: '/x.json' };
    expect(checkDraft(withPath, { ...draftOf(withPath), portfolio_path: '  ' }).patch).toEqual({ portfolio_path: null });
  });
  it('maps the desk’s issues to fields', () => {
    expect(errorsFromIssues([{ path: 'alpaca.env', message: 'bad' }, { path: '', message: 'x' }])).toEqual({ 'alpaca.env': 'bad', '(root)': 'x' });
  });
});
