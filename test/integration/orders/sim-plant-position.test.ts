// The sim's admin endpoint to plant a broker-only position (issue 16, reconciliation tests):
// POST /__sim/position {symbol, qty, avg_price} — zod-validated with errors naming the field — and the
// planted position read back through the real Alpaca execution port exactly as a traded one.
import { afterEach, describe, expect, it } from 'vitest';
import { rig, type Rig } from '../market/fixture';
import { alpacaPorts } from '../../../src/node/venues/alpaca/ports';
import { accountId } from '../../../src/core/model/ids';

let current: Rig | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

async function post(r: Rig, body: unknown): Promise<{ status: number; json: { ok: boolean; error?: string; position?: Record<string, string> | null } }> {
  const res = await fetch(`${r.sim.urls().tradingRest}/__sim/position`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, json: (await res.json()) as { ok: boolean; error?: string; position?: Record<string, string> | null } };
}

describe('POST /__sim/position', () => {
  it('plants a position that GET /v2/positions lists like a traded one (avg_entry_price, market_value, unrealized_pl); a short is side short; 0 flattens', async () => {
    const r = (current = await rig({ sim: { restRequestsPerMinute: 1_000_000 } }));
    const { execution } = alpacaPorts(r.venue, accountId('SIM-1'), 'sim');
    const planted = await post(r, { symbol: 'AAPL', qty: 7, avg_price: '150.25' });
    expect(planted.status).toBe(200);
    expect(planted.json.position).toMatchObject({ symbol: 'AAPL', qty: '7', side: 'long', avg_entry_price: '150.25', cost_basis: '1051.75' });
    await post(r, { symbol: 'SPY', qty: '-3', avg_price: 400 });

    const positions = await execution.positions();
    const aapl = positions.find((p) => p.symbol === 'AAPL')!;
    expect(aapl).toMatchObject({ qty: '7', side: 'long', avgEntryPrice: '150.25', costBasis: '1051.75' });
    // valued at the sim's mid like any position: market value = mark × 7, unrealized = market value − cost
    const mv = Number(aapl.marketValue);
    expect(mv).toBeGreaterThan(0);
    expect(Number(aapl.unrealizedPl)).toBeCloseTo(mv - 1051.75, 2);
    expect(Number(aapl.currentPrice) * 7).toBeCloseTo(mv, 2);
    expect(positions.find((p) => p.symbol === 'SPY')).toMatchObject({ qty: '3', side: 'short', avgEntryPrice: '400.00' });
    // no order and no trade update: the desk learns of it only by asking
    expect(r.sim.broker.list('all')).toEqual([]);

    expect((await post(r, { symbol: 'AAPL', qty: 0, avg_price: '1' })).json.position).toBeNull();
    expect((await execution.positions()).map((p) => p.symbol)).toEqual(['SPY']);
  });

  it('refuses bad input with errors naming the field, changing nothing', async () => {
    const r = (current = await rig({ sim: { restRequestsPerMinute: 1_000_000 } }));
    const cases: [unknown, RegExp][] = [
      ['{not json', /body is not valid JSON/],
      [{ symbol: 'AAPL', qty: 1.5, avg_price: '1' }, /^qty: must be a whole number/],
      [{ symbol: 'AAPL', qty: 1, avg_price: '1.234' }, /^avg_price: must be a positive price with at most 2 decimals/],
      [{ symbol: 'AAPL', qty: 1, avg_price: '-2' }, /^avg_price: /],
      [{ symbol: 'AAPL', qty: 1 }, /^avg_price: /],
      [{ symbol: 'NOPE!', qty: 1, avg_price: '1' }, /^symbol: asset NOPE! not found/],
      [{ symbol: 'AAPL', qty: 1, avg_price: '1', extra: true }, /Unrecognized key/],
    ];
    for (const [body, error] of cases) {
      const { status, json } = await post(r, body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.ok).toBe(false);
      expect(json.error).toMatch(error);
    }
    const planted = r.sim.plantPosition({ symbol: 'QQQ', qty: 2, avg_price: '350.5' });
    expect(planted).toMatchObject({ ok: true, position: { symbol: 'QQQ', qty: '2' } });
    expect(r.sim.broker.positionList(() => null).map((p) => p.symbol)).toEqual(['QQQ']);
  });
});
