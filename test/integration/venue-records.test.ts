// Review of issue 21: a replayed NSE or Delta day is valued as live — lot sizes from the SmartAPI master
// cache, contract values from the Delta products in the ledger — not at multiplier 1.
import { describe, expect, it } from 'vitest';
import { instrumentFromRecords } from '../../src/node/venues/registry';
import { NseSimModel } from '../../src/node/venues/sim/nse/model';
import { ReplayVenue } from '../../src/node/venues/replay/venue';
import { ManualClock } from '../../src/core/ports/clock';
import { accountId } from '../../src/core/model/ids';
import { multiplierToString } from '../../src/core/model/money';
import type { InstrumentRow, VenueId } from '../../src/core/ports/ledger-store';
import type { ReplayDay } from '../../src/core/replay/day';

const T0 = Date.UTC(2026, 11, 7, 4, 0);
const rows = new NseSimModel(1, T0).master();
const ce = rows.find((r) => r.name === 'NIFTY' && r.symbol.endsWith('CE'))!;
const masterCache = { load: () => ({ records: rows, fetchedDay: '2026-12-07', source: 'x' }), save: () => undefined };
const btcRow = { venue: 'sim', symbol: 'C-BTC-90000-081226', kind: 'option', underlying: 'BTC', expiry: '2026-12-08', strike: '90000', right: 'call', multiplier: '0.001', tickSize: '0.5', lotSize: null, currency: 'USD', token: '101' } as unknown as InstrumentRow;
const instrumentStore = { getInstrument: (venue: VenueId, symbol: string) => (venue === 'sim' && symbol === btcRow.symbol ? btcRow : null) };

describe("the venues' records kept by the desk", () => {
  it('an NSE contract from the master cache (lot size, INR); a Delta product from the ledger (contract value); unknown → null', () => {
    expect(instrumentFromRecords(ce.symbol, { masterCache })).toMatchObject({ lotSize: 65, currency: { code: 'INR' } });
    const btc = instrumentFromRecords('C-BTC-90000-081226', { instrumentStore })!;
    expect(multiplierToString(btc.multiplier)).toBe('0.001');
    expect(btc.currency.code).toBe('USD');
    expect(instrumentFromRecords('NOPE', { masterCache, instrumentStore })).toBeNull();
  });

  it("the replay venue answers instrument() with them before Alpaca's reading", () => {
    const day = { steps: [{ t: T0, quotes: [] }], symbols: [ce.symbol] } as unknown as ReplayDay;
    const o = { day, clock: new ManualClock(T0), accountId: accountId('replay'), venueName: 'sim', kind: 'sim' as const, mode: 'SIM' as const };
    const records = (s: string) => instrumentFromRecords(s, { masterCache, instrumentStore });
    expect(new ReplayVenue({ ...o, instrumentOf: records }).marketData.instrument(ce.symbol)).toMatchObject({ lotSize: 65 });
    expect(new ReplayVenue(o).marketData.instrument(ce.symbol)).toBeNull();
    expect(multiplierToString(new ReplayVenue(o).marketData.instrument('SPY261218C00600000')!.multiplier)).toBe('100');
  });
});
