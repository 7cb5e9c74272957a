import { describe, expect, it } from 'vitest';
import { deltaCell, deltaStaleNow, type DeltaCellInput } from '../../../../../src/renderer/src/features/portfolio/delta-cell';

const T = 1_000_000;
const model: DeltaCellInput = {
  status: 'OPEN',
  delta: 0.5123,
  delta_source: 'model',
  delta_as_of: T - 1000,
  delta_model: { iv: 0.234, underlying_mid: 581.63, option_mid: 4.2, rate: 0.04, dividend_yield: 0 },
  delta_unknown_reason: null,
  delta_iv_failure: null,
  position_delta: 102.46,
  quote_received_at: T - 200,
};

describe('delta cell', () => {
  it('a model delta: the number, and how it was computed', () => {
    expect(deltaCell(model, null)).toEqual({
      text: '0.51',
      title: 'model delta: Black-Scholes, IV 23.4% from the option mid, underlying mid 581.63, r 4.00%\nposition delta +102.5 (share-equivalent)',
      reason: null,
    });
    expect(deltaCell({ ...model, delta_model: { ...model.delta_model!, dividend_yield: 0.0125 } }, null).title).toContain('r 4.00%, q 1.25%');
  });
  it('a share: 1 per share', () => {
    expect(deltaCell({ ...model, delta: 1, delta_source: 'share', delta_as_of: null, delta_model: null, position_delta: -50 }, null)).toEqual({
      text: '1.00',
      title: 'delta 1 per share\nposition delta -50.0 (share-equivalent)',
      reason: null,
    });
  });
  it('unknown: "—" and why', () => {
    const unknown = { ...model, delta: null, delta_source: null, delta_model: null, position_delta: null, delta_as_of: null };
    expect(deltaCell({ ...unknown, delta_unknown_reason: 'stale_underlying_quote' }, null)).toEqual({ text: '—', title: 'no delta: underlying quote is stale', reason: 'stale_underlying_quote' });
    expect(deltaCell({ ...unknown, delta_unknown_reason: 'iv_failed', delta_iv_failure: 'below_intrinsic' }, null).title).toBe('no delta: implied volatility could not be solved: option mid is below intrinsic value');
    expect(deltaCell({ ...unknown, status: 'CLOSED' }, null)).toEqual({ text: '—', title: undefined, reason: null });
  });
  it('freshness never lies: a stored model delta goes unknown once its older quote is stale, naming which', () => {
    expect(deltaStaleNow(model, T, 5000)).toBeNull();
    expect(deltaStaleNow(model, T - 1000 + 5001, 5000)).toBe('stale_underlying_quote');
    expect(deltaStaleNow({ ...model, delta_as_of: T - 200, quote_received_at: T - 200 }, T - 200 + 5001, 5000)).toBe('stale_option_quote');
    expect(deltaStaleNow({ ...model, delta_source: 'share', delta_as_of: null }, T + 1e9, 5000)).toBeNull();
    expect(deltaCell(model, 'stale_underlying_quote')).toEqual({ text: '—', title: 'no delta: underlying quote is stale', reason: 'stale_underlying_quote' });
  });
});
