// Delta's venue greeks feed contract selection: the chain from the Delta adapter (products + the
// ticker stream's / REST tickers' greeks with their venue timestamp) → chainSnapshotOf →
// selectContracts on exchange DELTA picks a short strangle's legs by |delta| with deltaSource
// `venue` while the greeks are fresh; with the face's greeks switched off the chain carries none
// and selection falls back to the desk's own model (source `desk`).
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/node/system-clock';
import { DeltaVenue } from '../../../src/node/venues/delta/venue';
import { SimDeltaServer, SIM_DELTA_CREDENTIALS } from '../../../src/node/venues/sim/delta/server';
import { chainSnapshotOf, DEFAULT_SELECTION_SETTINGS, selectContracts } from '../../../src/core/strategy/select';
import type { StrategyLeg } from '../../../src/core/strategy/definition';

let sim: SimDeltaServer | null = null;
let venue: DeltaVenue | null = null;
afterEach(async () => {
  await venue?.dispose();
  venue = null;
  await sim?.stop();
  sim = null;
});

const leg = (right: 'call' | 'put'): StrategyLeg => ({ right, side: 'sell', lots: 1, select: { by: 'delta', min: 0.15, max: 0.35 }, expiry: { kind: 'nearest', min_days: 0 }, stop_loss: null, take_profit: null });

describe('contract selection on Delta venue greeks', () => {
  it('fresh venue greeks select the legs (source venue); none → the desk model (source desk)', { timeout: 15_000 }, async () => {
    const clock = new SystemClock();
    sim = new SimDeltaServer({ seed: 5, clock, tickerIntervalMs: 100, markIntervalMs: 100 });
    const urls = await sim.start();
    venue = new DeltaVenue({ name: 'sim-delta', mode: 'SIM', credentials: { ...SIM_DELTA_CREDENTIALS }, urls, streams: { private: false } }, { clock });
    await venue.start();
    const settings = { ...DEFAULT_SELECTION_SETTINGS, exchange: 'DELTA' as const, multiplier: 1 };
    const spot = { price: sim.spot('BTC'), at: Date.now() };
    const def = { underlying: 'BTC', legs: [leg('call'), leg('put')] };

    const chain = await venue.optionChain('BTC');
    expect(chain.contracts.length).toBeGreaterThan(0);
    expect(chain.contracts.every((c) => c.greeks?.source === 'venue' && c.greeks.asOf !== null)).toBe(true);
    const r = selectContracts(def, chainSnapshotOf(chain), spot, Date.now(), settings);
    if (!r.ok) throw new Error(r.reason);
    expect(r.contracts.map((c) => [c.symbol.slice(0, 6), c.deltaSource])).toEqual([
      ['C-BTC-', 'venue'],
      ['P-BTC-', 'venue'],
    ]);
    for (const c of r.contracts) {
      expect(Math.abs(c.delta)).toBeGreaterThanOrEqual(0.15);
      expect(Math.abs(c.delta)).toBeLessThanOrEqual(0.35);
      expect(c.deltaAgeMs).toBeLessThan(5000);
    }
    expect(r.contracts[0]!.strike).toBeGreaterThan(spot.price);
    expect(r.contracts[1]!.strike).toBeLessThan(spot.price);

    // The face stops sending greeks: the chain has none, the desk solves its own from the mids.
    sim.fault({ kind: 'greeks', enabled: false });
    const bare = await venue.optionChain('BTC');
    expect(bare.contracts.every((c) => c.greeks === null && c.delta === null)).toBe(true);
    const r2 = selectContracts(def, chainSnapshotOf(bare), { price: sim.spot('BTC'), at: Date.now() }, Date.now(), settings);
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.contracts.map((c) => c.deltaSource)).toEqual(['desk', 'desk']);
  });
});
