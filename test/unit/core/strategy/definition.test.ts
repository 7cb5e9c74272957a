import { describe, expect, it } from 'vitest';
import { parseStrategyDefinition, type StrategyDefinition } from '../../../../src/core/strategy/definition';

/** A short strangle: sell the 0.15–0.25 |delta| put and call of the nearest expiry. */
const strangle = (): StrategyDefinition => ({
  id: 'spy-strangle',
  name: 'SPY short strangle',
  account: 'paper-1',
  underlying: 'SPY',
  legs: [
    { right: 'put', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: { kind: 'pct', value: '100' }, take_profit: null },
    { right: 'call', side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.25 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: { kind: 'pct', value: '100' }, take_profit: null },
  ],
  schedule: { entry_time: '09:45', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  entry: { max_retry: 5, retry_delay_ms: 3000, step_ticks: 1, bound_spread_fraction: 1, fallback: 'market' },
  exits: { stop_loss: { kind: 'pct', value: '50' }, take_profit: { kind: 'points', value: '1.25' }, trailing: { activation_pct: '30', distance_pct: '10' }, forced_exit_time: '15:45' },
  reentry: { count: 1, cutoff_time: '13:00' },
});

/** An iron condor by strike offsets from ATM, on the 2nd weekly. */
const condor = (): StrategyDefinition => ({
  id: 'qqq.condor-1',
  name: 'QQQ iron condor',
  account: 'sim',
  underlying: 'QQQ',
  legs: [
    { right: 'put', side: 'buy', lots: 2, select: { by: 'strike_offset', offset: -6 }, expiry: { kind: 'weekly', n: 2 }, stop_loss: null, take_profit: null },
    { right: 'put', side: 'sell', lots: 2, select: { by: 'strike_offset', offset: -3 }, expiry: { kind: 'weekly', n: 2 }, stop_loss: null, take_profit: null },
    { right: 'call', side: 'sell', lots: 2, select: { by: 'strike_offset', offset: 3 }, expiry: { kind: 'weekly', n: 2 }, stop_loss: null, take_profit: null },
    { right: 'call', side: 'buy', lots: 2, select: { by: 'strike_offset', offset: 6 }, expiry: { kind: 'weekly', n: 2 }, stop_loss: null, take_profit: null },
  ],
  schedule: { entry_time: '10:00', days: ['mon', 'wed'] },
  entry: { max_retry: 3, retry_delay_ms: 5000, step_ticks: 2, bound_spread_fraction: 0.5, fallback: 'give_up' },
  exits: { stop_loss: null, take_profit: { kind: 'pct', value: '50' }, trailing: null, forced_exit_time: null },
  reentry: { count: 0, cutoff_time: null },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests edit untrusted JSON freely, into shapes no type allows
type Json = Record<string, any>;

/** A deep copy with `edit` applied (the input is untrusted JSON-like data). */
function edited(base: StrategyDefinition, edit: (d: Json) => void): unknown {
  const d = JSON.parse(JSON.stringify(base)) as Json;
  edit(d);
  return d;
}

function errorsOf(raw: unknown): string[] {
  const r = parseStrategyDefinition(raw);
  if (r.ok) throw new Error('expected the definition to be refused');
  return r.errors;
}

describe('strategy definition: valid examples', () => {
  it('a short strangle by delta 0.15–0.25', () => {
    expect(parseStrategyDefinition(strangle())).toEqual({ ok: true, definition: strangle() });
  });

  it('an iron condor by strike offsets (4 legs)', () => {
    expect(parseStrategyDefinition(condor())).toEqual({ ok: true, definition: condor() });
  });

  it('a JSON round trip (export → import) is unchanged', () => {
    for (const d of [strangle(), condor()]) {
      const exported = JSON.stringify(d);
      const r = parseStrategyDefinition(JSON.parse(exported));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.definition).toEqual(d);
      expect(JSON.stringify(r.definition)).toBe(exported);
    }
  });

  it('the delta range may be a single point; min_days 0 is today', () => {
    expect(parseStrategyDefinition(edited(strangle(), (d) => (d.legs[0].select = { by: 'delta', min: 0.2, max: 0.2 }))).ok).toBe(true);
  });
});

describe('strategy definition: every error names its field', () => {
  it.each<[string, (d: Json) => void, RegExp]>([
    ['a delta range with min above max', (d) => (d.legs[1].select = { by: 'delta', min: 0.3, max: 0.2 }), /^legs\.1\.select\.min: min must not be above max$/],
    ['a delta of 1 or more', (d) => (d.legs[0].select.max = 1), /^legs\.0\.select\.max: must be below 1$/],
    ['a delta of 0', (d) => (d.legs[1].select.min = 0), /^legs\.1\.select\.min: must be above 0$/],
    ['a fractional strike offset', (d) => (d.legs[0].select = { by: 'strike_offset', offset: 1.5 }), /^legs\.0\.select\.offset: /],
    ['an unknown selection', (d) => (d.legs[0].select = { by: 'premium', value: 1 }), /^legs\.0\.select\.by: /],
    ['an entry time that is not HH:mm', (d) => (d.schedule.entry_time = '9:45'), /^schedule\.entry_time: must be a time of day HH:mm/],
    ['an entry time of 24:00', (d) => (d.schedule.entry_time = '24:00'), /^schedule\.entry_time: /],
    ['a forced exit before the entry', (d) => (d.exits.forced_exit_time = '09:30'), /^exits\.forced_exit_time: must be after the entry time 09:45$/],
    ['a forced exit at the entry time', (d) => (d.exits.forced_exit_time = '09:45'), /^exits\.forced_exit_time: must be after the entry time 09:45$/],
    ['a re-entry cut-off before the entry', (d) => (d.reentry.cutoff_time = '09:00'), /^reentry\.cutoff_time: must not be before the entry time 09:45$/],
    ['an unknown field at the root', (d) => (d.colour = 'blue'), /^\(root\): Unrecognized key.*colour/],
    ['an unknown field in a leg', (d) => (d.legs[1].strike = 600), /^legs\.1: Unrecognized key.*strike/],
    ['5 legs', (d) => d.legs.push(d.legs[0], d.legs[1], d.legs[0]), /^legs: at most 4 legs$/],
    ['no legs', (d) => (d.legs = []), /^legs: must have at least one leg$/],
    ['0 lots', (d) => (d.legs[0].lots = 0), /^legs\.0\.lots: must be at least 1$/],
    ['a side that is not buy/sell', (d) => (d.legs[0].side = 'short'), /^legs\.0\.side: /],
    ['no schedule days', (d) => (d.schedule.days = []), /^schedule\.days: must name at least one day$/],
    ['a day named twice', (d) => (d.schedule.days = ['mon', 'tue', 'mon']), /^schedule\.days: must not name a day twice$/],
    ['an unknown day', (d) => (d.schedule.days = ['mon', 'funday']), /^schedule\.days\.1: /],
    ['a weekly n of 0', (d) => (d.legs[0].expiry = { kind: 'weekly', n: 0 }), /^legs\.0\.expiry\.n: /],
    ['a stop loss of 0', (d) => (d.exits.stop_loss = { kind: 'pct', value: '0' }), /^exits\.stop_loss\.value: must be a positive value$/],
    ['a negative take profit', (d) => (d.legs[1].take_profit = { kind: 'points', value: '-1' }), /^legs\.1\.take_profit\.value: must be a non-negative decimal value/],
    ['a trailing distance given as a number', (d) => (d.exits.trailing.distance_pct = 10), /^exits\.trailing\.distance_pct: /],
    ['a retry delay below 100 ms', (d) => (d.entry.retry_delay_ms = 50), /^entry\.retry_delay_ms: /],
    ['a bound fraction of 0', (d) => (d.entry.bound_spread_fraction = 0), /^entry\.bound_spread_fraction: /],
    ['an unknown fallback', (d) => (d.entry.fallback = 'retry'), /^entry\.fallback: /],
    ['an id with a space', (d) => (d.id = 'my strategy'), /^id: must be an id/],
    ['an empty name', (d) => (d.name = '  '), /^name: must not be empty$/],
    ['a missing account', (d) => delete d.account, /^account: /],
  ])('%s', (_what, edit, expected) => {
    const errors = errorsOf(edited(strangle(), edit));
    expect(errors.some((e) => expected.test(e)), `errors: ${errors.join(' | ')}`).toBe(true);
  });

  it('several errors are all reported', () => {
    const errors = errorsOf(
      edited(strangle(), (d) => {
        d.legs[0].lots = 0;
        d.schedule.entry_time = 'noon';
      }),
    );
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/^legs\.0\.lots: /), expect.stringMatching(/^schedule\.entry_time: /)]));
  });

  it('not an object at all', () => {
    expect(errorsOf('spy')).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
