/** Issue 17 item 4: the Monitor settings form — only changes sent, each error next to its field, bounds as the contract's schema. */
import { describe, expect, it } from 'vitest';
import { BOUNDS, draftOfMonitorSettings, monitorSettingsPatch } from '../../../../../src/renderer/src/features/monitor/monitor-settings-form';
import { monitorSettingsPatchSchema } from '../../../../../src/shared/contract';
import { SETTINGS } from '../../../../helpers/monitor-fixtures';

const draft = () => draftOfMonitorSettings(SETTINGS);

describe('monitor settings form', () => {
  it('round-trips the settings in force: no change, nothing sent', () => {
    const d = draft();
    expect(d).toMatchObject({ interval_s: '60', earliest: '', stop_loss: { kind: 'pct', value: '30' }, take_profit: { kind: 'none' }, regen_strategies: '', regen_max_attempts: '2', fresh_quote_wait_s: '5' });
    expect(monitorSettingsPatch(SETTINGS, d)).toEqual({ patch: {}, errors: {}, changed: false });
  });

  it('sends only what changed, in the wire units', () => {
    const d = { ...draft(), interval_s: '5', earliest: '09:26', take_profit: { kind: 'points' as const, value: '0.50' }, regen_permitted: true, regen_strategies: 'straddle, *, straddle', fresh_quote_wait_s: '2.5' };
    const r = monitorSettingsPatch(SETTINGS, d);
    expect(r.errors).toEqual({});
    expect(r.patch).toEqual({ interval_ms: 5000, earliest: '09:26', sl_tp: { take_profit: { kind: 'points', value: '0.50' } }, regenerate: { permitted: true, strategies: ['straddle', '*'] }, fresh_quote_wait_ms: 2500 });
    expect(monitorSettingsPatchSchema.safeParse(r.patch).success).toBe(true);
    // a rule set to none is sent as null; an emptied earliest time as null
    const off = monitorSettingsPatch({ ...SETTINGS, earliest: '09:26' }, { ...draft(), stop_loss: { kind: 'none', value: '' }, earliest: ' ' });
    expect(off.patch).toEqual({ sl_tp: { stop_loss: null }, earliest: null });
  });

  it('names what is wrong next to each field, and sends nothing then', () => {
    const r = monitorSettingsPatch(SETTINGS, {
      ...draft(),
      interval_s: '4',
      earliest: '9:26',
      stop_loss: { kind: 'pct', value: '0' },
      take_profit: { kind: 'points', value: '' },
      regen_max_attempts: '2.5',
      fresh_quote_wait_s: '1e3',
    });
    expect(r.errors.interval_s).toBe('Interval must be from 5 s to 3,600 s');
    expect(r.errors.earliest).toContain('HH:mm such as 09:26');
    expect(r.errors['stop_loss.value']).toBe('Stop loss must be greater than zero (a percent of the premium such as 30)');
    expect(r.errors['take_profit.value']).toContain('Take profit needs a value');
    expect(r.errors.regen_max_attempts).toBe('Max attempts must be a whole number from 1 to 10');
    expect(r.errors.fresh_quote_wait_s).toContain('plain number of seconds');
    expect(monitorSettingsPatchSchema.safeParse({}).success).toBe(true);
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), interval_s: '' }).errors.interval_s).toContain('Interval is required');
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), interval_s: '60.0001' }).errors.interval_s).toContain('at most 3 decimals');
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), regen_strategies: 'x'.repeat(65) }).errors.regen_strategies).toContain('at most 64 characters');
  });

  it("the form's bounds are the contract schema's", () => {
    const s = monitorSettingsPatchSchema.shape;
    const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: number) => schema.safeParse(v).success;
    expect(ok(s.interval_ms, BOUNDS.interval_s.min * 1000)).toBe(true);
    expect(ok(s.interval_ms, BOUNDS.interval_s.min * 1000 - 1)).toBe(false);
    expect(ok(s.interval_ms, BOUNDS.interval_s.max * 1000)).toBe(true);
    expect(ok(s.interval_ms, BOUNDS.interval_s.max * 1000 + 1)).toBe(false);
    expect(ok(s.fresh_quote_wait_ms, BOUNDS.fresh_quote_wait_s.max * 1000)).toBe(true);
    expect(ok(s.fresh_quote_wait_ms, BOUNDS.fresh_quote_wait_s.max * 1000 + 1)).toBe(false);
    const attempts = s.regenerate.unwrap().shape.max_attempts;
    expect(ok(attempts, BOUNDS.max_attempts.max)).toBe(true);
    expect(ok(attempts, BOUNDS.max_attempts.max + 1)).toBe(false);
    expect(ok(attempts, BOUNDS.max_attempts.min - 1)).toBe(false);
    // and the form refuses exactly at those edges
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), interval_s: '4.999' }).errors.interval_s).toBeDefined();
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), interval_s: '3600' }).errors).toEqual({});
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), fresh_quote_wait_s: '60.001' }).errors.fresh_quote_wait_s).toBeDefined();
    expect(monitorSettingsPatch(SETTINGS, { ...draft(), regen_max_attempts: '11' }).errors.regen_max_attempts).toBeDefined();
  });
});
