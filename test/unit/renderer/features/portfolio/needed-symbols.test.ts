/** Issue 12 item 1: the stale banner needs every quote the totals depend on — structure legs included, expired contracts not. */
import { describe, expect, it } from 'vitest';
import { neededSymbols } from '../../../../../src/renderer/src/features/portfolio/use-stale';
import type { PositionRecord, StructureDefWire } from '../../../../../src/shared/contract';

describe('neededSymbols', () => {
  it('open positions and every structure leg; not closed positions nor expired contracts', () => {
    const rec = (symbol: string, status: string, expiryMs: number | null = null) =>
      ({ symbol, status, instrument: expiryMs === null ? null : { expiry: { date: '2025-01-17', epochMs: expiryMs } } }) as unknown as PositionRecord;
    const records = { a: rec('SPY', 'OPEN'), b: rec('QQQ', 'CLOSED'), c: rec('SPY250117C00600000', 'OPEN', 1000) };
    const leg = (symbol: string) => ({ symbol, quantity: '1', multiplier: '100', entry_price: null, instrument: null });
    const defs: Record<string, StructureDefWire> = { s: { id: 's', name: 's', net_debit: '1', currency: 'USD', currency_decimals: 2, legs: [leg('AAPL261218C00230000'), leg('AAPL261218P00230000')] } };
    expect(neededSymbols(records, defs, 2000).sort()).toEqual(['AAPL261218C00230000', 'AAPL261218P00230000', 'SPY']);
    expect(neededSymbols(records, {}, 500).sort()).toEqual(['SPY', 'SPY250117C00600000']);
  });
});
