/**
 * Issue 18 item 1 (UI): the strategy definition form — every field of the schema round-trips through
 * the draft, the draft is validated with the contract's own schema (errors under their fields), the
 * desk's refusal is mapped to the same fields, and an import's errors are listed by definition index.
 */
import { describe, expect, it } from 'vitest';
import { DefinitionForm } from '../../../../../src/renderer/src/features/live-control/DefinitionForm';
import { ImportResult } from '../../../../../src/renderer/src/features/live-control/StrategiesSection';
import { checkDraft, draftOfDefinition, errorsByField, importErrorLines, newDraft, rawOfDraft } from '../../../../../src/renderer/src/features/live-control/definition-form';
import type { StrategyDefinition } from '../../../../../src/shared/contract';
import { definition } from '../../../../helpers/strategy-fixtures';
import { attr, byTestId, render, textOf } from '../../../../helpers/static-render';

const full: StrategyDefinition = definition({
  legs: [
    { right: 'call', side: 'sell', lots: 2, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'weekly', n: 2 }, stop_loss: { kind: 'points', value: '1.5' }, take_profit: { kind: 'pct', value: '60' } },
    { right: 'put', side: 'buy', lots: 1, select: { by: 'strike_offset', offset: -3 }, expiry: { kind: 'monthly', n: 1 }, stop_loss: null, take_profit: null },
    { right: 'put', side: 'sell', lots: 3, select: { by: 'delta', min: 0.3, max: 0.3 }, expiry: { kind: 'nearest', min_days: 7 }, stop_loss: null, take_profit: { kind: 'points', value: '0.25' } },
  ],
  schedule: { entry_time: '10:05', days: ['mon', 'wed', 'sat'] },
  entry: { max_retry: 5, retry_delay_ms: 1500, step_ticks: 2, bound_spread_fraction: 0.5, fallback: 'give_up' },
  exits: { stop_loss: { kind: 'points', value: '3' }, take_profit: null, trailing: null, forced_exit_time: null },
  reentry: { count: 2, cutoff_time: null },
});

describe('definition form model', () => {
  it('every field round-trips: definition → draft → the same definition', () => {
    for (const d of [definition(), full]) {
      const c = checkDraft(draftOfDefinition(d));
      expect(c.ok).toBe(true);
      if (c.ok) expect(c.definition).toEqual(d);
    }
  });

  it('a new draft needs only an id and a name', () => {
    const c = checkDraft(newDraft());
    expect(c.ok).toBe(false);
    if (!c.ok) expect(Object.keys(c.errors).sort()).toEqual(['id', 'name']);
    const ok = checkDraft({ ...newDraft(), id: 'x1', name: 'X' });
    expect(ok.ok).toBe(true);
  });

  it('errors name the field by its path (the schema of the contract, the same as the desk)', () => {
    const d = draftOfDefinition(definition());
    d.legs[1] = { ...d.legs[1]!, lots: '0', min: '0.4', max: '0.2' };
    d.legs[0] = { ...d.legs[0]!, sl_kind: 'pct', sl_value: '' };
    d.max_retry = '';
    d.retry_delay_ms = 'soon';
    d.forced_exit_time = '09:00';
    d.days = [];
    const c = checkDraft(d);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.errors['legs.1.lots']).toBe('must be at least 1');
    expect(c.errors['legs.1.select.min']).toBe('min must not be above max');
    expect(c.errors['legs.0.stop_loss.value']).toMatch(/must be a non-negative decimal value/);
    expect(c.errors['entry.max_retry']).toBe('required');
    expect(c.errors['entry.retry_delay_ms']).toBe('must be a number');
    expect(c.errors['schedule.days']).toBe('must name at least one day');
    // the cross-field rules run once the fields themselves are right (the schema's order, the desk's too)
    const late = checkDraft({ ...draftOfDefinition(definition()), forced_exit_time: '09:00', cutoff_time: '09:30' });
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.errors).toEqual({ 'exits.forced_exit_time': 'must be after the entry time 09:45', 'reentry.cutoff_time': 'must not be before the entry time 09:45' });
  });

  it('empty optional times are "none" (null), not an error', () => {
    const raw = rawOfDraft({ ...newDraft(), id: 'a', name: 'A', forced_exit_time: ' ', cutoff_time: '' }) as StrategyDefinition;
    expect(raw.exits.forced_exit_time).toBeNull();
    expect(raw.reentry.cutoff_time).toBeNull();
  });

  it("the desk's refusal by field: issues under definition.*, or path: message lines", () => {
    expect(errorsByField({ code: 'invalid_payload', message: 'x', issues: [{ path: 'definition.legs.0.lots', message: 'must be at least 1' }] })).toEqual({ 'legs.0.lots': 'must be at least 1' });
    expect(errorsByField({ code: 'failed', message: 'strategy.save a: account: no account "zz"; underlying: unknown' })).toEqual({ account: 'no account "zz"', underlying: 'unknown' });
    expect(errorsByField({ code: 'failed', message: 'strategy.save a: the ledger is read-only' })).toEqual({ '(root)': 'the ledger is read-only' });
  });

  it('import errors are listed per definition index', () => {
    expect(importErrorLines([{ index: 1, errors: ['legs.0.lots: must be at least 1', 'name: must not be empty'] }, { index: 3, errors: ['schedule.entry_time: must be a time of day HH:mm such as "09:20"'] }])).toEqual([
      'definition #2 (index 1): legs.0.lots: must be at least 1',
      'definition #2 (index 1): name: must not be empty',
      'definition #4 (index 3): schedule.entry_time: must be a time of day HH:mm such as "09:20"',
    ]);
  });
});

describe('definition form components', () => {
  it('renders every field of the schema with the draft values', () => {
    const html = render(<DefinitionForm initial={draftOfDefinition(full)} editing onSaved={() => {}} onCancel={() => {}} />);
    for (const id of ['def-id', 'def-name', 'def-account', 'def-underlying', 'def-schedule.entry_time', 'def-entry.max_retry', 'def-entry.retry_delay_ms', 'def-entry.step_ticks', 'def-entry.bound_spread_fraction', 'def-entry.fallback', 'def-exits.stop_loss.kind', 'def-exits.stop_loss.value', 'def-exits.take_profit.kind', 'def-exits.forced_exit_time', 'def-exits.trailing', 'def-reentry.count', 'def-reentry.cutoff_time', 'def-leg-0', 'def-leg-1', 'def-leg-2', 'def-add-leg']) {
      expect(byTestId(html, id), id).not.toBeNull();
    }
    expect(attr(byTestId(html, 'def-legs.0.lots'), 'value')).toBe('2');
    expect(attr(byTestId(html, 'def-legs.0.stop_loss.value'), 'value')).toBe('1.5');
    expect(attr(byTestId(html, 'def-legs.1.select.offset'), 'value')).toBe('-3');
    expect(byTestId(html, 'def-legs.1.select.min')).toBeNull();
    expect(attr(byTestId(html, 'def-legs.2.expiry.min_days'), 'value')).toBe('7');
    expect(attr(byTestId(html, 'def-legs.0.expiry.n'), 'value')).toBe('2');
    expect(attr(byTestId(html, 'def-entry.bound_spread_fraction'), 'value')).toBe('0.5');
    // id is fixed while editing
    expect(attr(byTestId(html, 'def-id'), 'disabled')).not.toBeNull();
    expect(textOf(byTestId(html, 'def-save'))).toBe('Save changes');
  });

  it("shows each error under its field, and the ones without a field above the form", () => {
    const html = render(<DefinitionForm initial={draftOfDefinition(definition())} editing={false} onSaved={() => {}} onCancel={() => {}} initialErrors={{ 'legs.1.select.min': 'min must not be above max', 'exits.forced_exit_time': 'must be after the entry time 09:45', '(root)': 'the ledger is read-only' }} />);
    expect(textOf(byTestId(html, 'def-errors'))).toContain('3 fields are wrong: nothing saved.');
    expect(textOf(byTestId(html, 'def-error-(root)'))).toBe('(root): the ledger is read-only');
    expect(byTestId(html, 'def-error-legs.1.select.min')).toBeNull(); // shown under its field instead
    const min = byTestId(html, 'def-legs.1.select.min');
    expect(attr(min, 'aria-invalid')).toBe('true');
    expect(html).toContain('min must not be above max');
    expect(attr(byTestId(html, 'def-exits.forced_exit_time'), 'aria-invalid')).toBe('true');
    expect(html).toContain('must be after the entry time 09:45');
    expect(attr(byTestId(html, 'def-legs.0.select.min'), 'aria-invalid')).not.toBe('true');
  });

  it('import result: errors by index, nothing saved; or the ids saved', () => {
    const bad = render(<ImportResult saved={[]} errors={[{ index: 0, errors: ['legs: must have at least one leg'] }, { index: 2, errors: ['id: must be an id of letters, digits, "_", "." or "-"'] }]} />);
    expect(textOf(byTestId(bad, 'import-errors'))).toContain('Nothing imported: 2 definitions are wrong.');
    expect(textOf(byTestId(bad, 'import-error-0'))).toBe('definition #1 (index 0): legs: must have at least one leg');
    expect(textOf(byTestId(bad, 'import-error-1'))).toBe('definition #3 (index 2): id: must be an id of letters, digits, "_", "." or "-"');
    const ok = render(<ImportResult saved={[definition(), definition({ id: 'b' })]} errors={[]} />);
    expect(textOf(byTestId(ok, 'import-saved'))).toBe('Imported 2 definitions: spy-strangle, b.');
  });
});
