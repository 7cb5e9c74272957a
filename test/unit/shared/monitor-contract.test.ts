// Issue 17: the monitor.* commands at the trust edge — bad settings get a clear error naming the field.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/contract';

const err = (payload: unknown) => {
  const r = parseCommand('monitor.configure', payload);
  return r.ok ? null : r.error.message;
};

describe('monitor.configure validation', () => {
  it('accepts a partial, valid patch', () => {
    expect(parseCommand('monitor.configure', { account: 'acc1', settings: { interval_ms: 30_000, sl_tp: { stop_loss: { kind: 'pct', value: '30' } } } }).ok).toBe(true);
  });

  it('names what is wrong and where', () => {
    expect(err({ account: 'acc1', settings: { sl_tp: { stop_loss: { kind: 'pct', value: '100' } } } })).toMatch(/settings\.sl_tp\.stop_loss\.value: .*a stop loss in percent must be below 100/);
    expect(err({ account: 'acc1', settings: { sl_tp: { by_strategy: { s1: { stop_loss: { kind: 'pct', value: '150' }, take_profit: null } } } } })).toMatch(/settings\.sl_tp\.by_strategy\.s1\.stop_loss\.value/);
    expect(err({ account: 'acc1', settings: { sl_tp: { take_profit: { kind: 'pct', value: '0' } } } })).toMatch(/settings\.sl_tp\.take_profit\.value: "value" must be greater than zero/);
    expect(err({ account: 'acc1', settings: { interval_ms: 1000 } })).toMatch(/settings\.interval_ms: "interval_ms" must be at least 5,000 ms/);
    expect(err({ account: 'acc1', settings: { earliest: '9:26' } })).toMatch(/settings\.earliest: "earliest" must be a time of day HH:mm/);
    expect(err({ account: 'acc1', settings: { regenerate: { max_attempts: 0 } } })).toMatch(/settings\.regenerate\.max_attempts: "max_attempts" must be at least 1/);
    expect(err({ account: 'acc1', settings: { bogus: 1 } })).toMatch(/settings: unknown field "bogus"/);
  });
});
