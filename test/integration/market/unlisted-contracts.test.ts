// Issue 12 item 4: the simulated venue refuses option contracts it does not list, as Alpaca does
// (never quoted; GET /v2/options/contracts/{symbol} answers 404, or inactive once expired), and the
// adapter reports which — so the desk can flag them instead of calling them stale.
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from './fixture';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('option contracts the venue does not list', () => {
  it('are never quoted, and the contract check names them (unknown underlying, expired)', async () => {
    const listed = 'SPY261218C00600000';
    const unknownUnderlying = 'ZZZT261218C00050000';
    const expired = 'SPY250117C00600000';
    const r = (current = await rig({ sim: { optionUnderlyings: ['SPY', 'QQQ', 'AAPL'] }, symbols: ['SPY', listed, unknownUnderlying, expired] }));
    await waitFor(() => r.quotes.some((q) => q.symbol === listed), 5000, 'a quote for the listed contract');
    await new Promise((res) => setTimeout(res, 300));
    expect(r.quotes.some((q) => q.symbol === unknownUnderlying || q.symbol === expired)).toBe(false);
    const status = await r.venue.optionContractStatus([listed, unknownUnderlying, expired]);
    expect(Object.fromEntries(status)).toEqual({ [listed]: 'active', [unknownUnderlying]: 'unknown', [expired]: 'inactive' });
    // REST quotes leave them out too
    expect((await r.venue.latestQuotes([listed, unknownUnderlying, expired])).map((q) => q.symbol)).toEqual([listed]);
  });
});
