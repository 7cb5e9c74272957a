// The sim answers GET /v2/orders as Alpaca does (alpaca.md §4.2): `after` / `until` exclusive on the
// submission time, `direction` asc|desc (default desc), `limit`; each order carries its cumulative
// filled_qty and filled_avg_price — what the account fills' catch-up reads after a gap (issue 16).
import { afterEach, describe, expect, it } from 'vitest';
import { rig, waitFor, type Rig } from '../market/fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

describe('sim GET /v2/orders query', () => {
  it('after / direction / limit, with filled_qty and filled_avg_price', async () => {
    const r = (current = await rig({ sim: { restRequestsPerMinute: 1_000_000 }, venue: { restRequestsPerMinute: 1_000_000 } }));
    const { execution: ex } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    await ex.start();
    await waitFor(() => r.sim.model.quote('SPY', Date.now()) !== null, 5000, 'a SPY quote');
    const a = await ex.placeOrder({ clientOrderId: 'Q-1', symbol: 'SPY', qty: '2', side: 'buy', type: 'market', timeInForce: 'day' });
    await new Promise((res) => setTimeout(res, 5));
    const b = await ex.placeOrder({ clientOrderId: 'Q-2', symbol: 'SPY', qty: '3', side: 'sell', type: 'market', timeInForce: 'day' });
    const all = await ex.orders({ status: 'all' });
    expect(all.map((o) => o.id)).toEqual([b.id, a.id]); // newest first by default
    expect(all.find((o) => o.id === a.id)).toMatchObject({ filledQty: '2', status: 'filled' });
    expect(all.find((o) => o.id === a.id)!.filledAvgPrice).toMatch(/^\d+\.\d+$/);
    expect((await ex.orders({ status: 'all', direction: 'asc' })).map((o) => o.id)).toEqual([a.id, b.id]);
    expect((await ex.orders({ status: 'all', after: all.find((o) => o.id === a.id)!.createdAt! })).map((o) => o.id)).toEqual([b.id]);
    expect((await ex.orders({ status: 'all', direction: 'asc', limit: 1 })).map((o) => o.id)).toEqual([a.id]);
    await expect(ex.orders({ status: 'all', after: 'yesterday' })).rejects.toMatchObject({ status: 422 });
  });
});
