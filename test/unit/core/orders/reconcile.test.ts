// Reconciliation with the broker (issue 16 item 5), the pure diff: every line kind for positions and
// orders, the tolerance on average entry, the broker's report as the authority, and a missing report
// that is not "flat".
import { describe, expect, it } from 'vitest';
import { applyResolutions, lineFingerprint, reconcile, ReconcileError, type OurOrder, type OurPosition, type StoredResolution } from '../../../../src/core/orders/reconcile';
import type { VenueOrder, VenuePosition } from '../../../../src/core/ports/venue';

const bpos = (symbol: string, qty: string, side: 'long' | 'short', avg: string): VenuePosition => ({
  symbol,
  assetClass: 'us_equity',
  qty,
  side,
  avgEntryPrice: avg,
  marketValue: null,
  costBasis: null,
  unrealizedPl: null,
  currentPrice: null,
});
const lpos = (symbol: string, quantity: string, avgPrice: string | null): OurPosition => ({ symbol, quantity, avgPrice });
const border = (clientOrderId: string, over: Partial<VenueOrder> = {}): VenueOrder => ({
  id: `v-${clientOrderId}`,
  clientOrderId,
  symbol: 'SPY',
  side: 'buy',
  type: 'limit',
  orderClass: 'simple',
  timeInForce: 'day',
  qty: '10',
  filledQty: '0',
  filledAvgPrice: null,
  limitPrice: '400.5',
  stopPrice: null,
  status: 'new',
  createdAt: null,
  updatedAt: null,
  legs: [],
  ...over,
});
const lorder = (clientOrderId: string, over: Partial<OurOrder> = {}): OurOrder => ({
  clientOrderId,
  venueClientOrderId: clientOrderId,
  venueOrderId: `v-${clientOrderId}`,
  symbol: 'SPY',
  side: 'buy',
  quantity: '10',
  filledQuantity: '0',
  limitPrice: '400.50',
  status: 'accepted',
  ...over,
});

const kinds = (r: ReturnType<typeof reconcile>) => Object.fromEntries(r.lines.map((l) => [l.id, l.kind]));

describe('reconcile: positions', () => {
  it('matched when the signed quantity is equal and the average entry is within the tolerance', () => {
    const r = reconcile({ broker: { positions: [bpos('SPY', '10', 'long', '400.1234')], openOrders: [] }, ledger: { positions: [lpos('SPY', '10', '400.12345')], orders: [] } });
    expect(r.status).toBe('clean');
    expect(r.lines).toEqual([{ id: 'position:SPY', subject: 'position', kind: 'matched', symbol: 'SPY', client_order_id: null, broker: { quantity: '10', price: '400.1234' }, ledger: { quantity: '10', price: '400.12345' }, resolution: null, note: null }]);
  });

  it('broker_only, ledger_only, quantity_mismatch and price_mismatch, each named with both sides', () => {
    const r = reconcile({
      broker: {
        positions: [bpos('AAPL', '5', 'long', '150'), bpos('QQQ', '3', 'short', '350'), bpos('SPY', '10', 'long', '401')],
        openOrders: [],
      },
      ledger: { positions: [lpos('QQQ', '-2', '350'), lpos('SPY', '10', '400'), lpos('TSLA', '7', '200')], orders: [] },
    });
    expect(r.status).toBe('diff');
    expect(kinds(r)).toEqual({ 'position:AAPL': 'broker_only', 'position:QQQ': 'quantity_mismatch', 'position:SPY': 'price_mismatch', 'position:TSLA': 'ledger_only' });
    const qqq = r.lines.find((l) => l.id === 'position:QQQ')!;
    // side is authoritative: a short of 3 is -3
    expect(qqq.broker).toEqual({ quantity: '-3', price: '350' });
    expect(qqq.note).toContain('difference -1');
    expect(r.lines.find((l) => l.id === 'position:AAPL')!.ledger).toBeNull();
    expect(r.lines.find((l) => l.id === 'position:TSLA')!.broker).toBeNull();
  });

  it('the tolerance is a boundary: 0.005 apart is matched, 0.0051 is a price mismatch; it can be set', () => {
    const at = (ours: string, tol?: string) =>
      reconcile({ broker: { positions: [bpos('SPY', '1', 'long', '100')], openOrders: [] }, ledger: { positions: [lpos('SPY', '1', ours)], orders: [] }, ...(tol ? { priceTolerance: tol } : {}) }).lines[0]!.kind;
    expect(at('100.005')).toBe('matched');
    expect(at('100.0051')).toBe('price_mismatch');
    expect(at('100.0051', '0.01')).toBe('matched');
    expect(at('100.0001', '0')).toBe('price_mismatch');
  });

  it("the broker's report is authoritative: a symbol missing from it is flat there; flat ledger rows are no line", () => {
    const r = reconcile({ broker: { positions: [], openOrders: [] }, ledger: { positions: [lpos('SPY', '0', null), lpos('AAPL', '1', '10')], orders: [] } });
    expect(r.lines.map((l) => [l.id, l.kind])).toEqual([['position:AAPL', 'ledger_only']]);
  });

  it('a missing report (the call failed) is unavailable with nothing inferred — not flat', () => {
    const r = reconcile({ broker: null, brokerError: 'GET /v2/positions: 503', ledger: { positions: [lpos('SPY', '10', '400')], orders: [lorder('a')] } });
    expect(r.status).toBe('unavailable');
    expect(r.lines).toEqual([]);
    expect(r.error).toContain('GET /v2/positions: 503');
    expect(r.error).toContain('not "flat"');
  });

  it('a value that is not an exact decimal is an error naming it, never a float', () => {
    expect(() => reconcile({ broker: { positions: [bpos('SPY', '1e400x', 'long', '1')], openOrders: [] }, ledger: { positions: [], orders: [] } })).toThrow(ReconcileError);
    expect(() => reconcile({ broker: { positions: [bpos('SPY', '1', 'long', '1.00000000001')], openOrders: [] }, ledger: { positions: [], orders: [] } })).toThrow(/SPY avg_entry_price/);
  });
});

describe('reconcile: open orders', () => {
  it('matched by client order id (remaining quantity, side, limit price compared exactly)', () => {
    const r = reconcile({ broker: { positions: [], openOrders: [border('a', { filledQty: '4' })] }, ledger: { positions: [], orders: [lorder('a', { filledQuantity: '4' })] } });
    expect(r.lines).toEqual([
      { id: 'order:a', subject: 'order', kind: 'matched', symbol: 'SPY', client_order_id: 'a', broker: { quantity: '6', price: '400.5' }, ledger: { quantity: '6', price: '400.5' }, resolution: null, note: null },
    ]);
    expect(r.status).toBe('clean');
  });

  it('a replaced order is found by its current venue client order id (or venue id)', () => {
    const r = reconcile({
      broker: { positions: [], openOrders: [border('a.r1', { id: 'v-2' }), border('zz', { id: 'v-b' })] },
      ledger: { positions: [], orders: [lorder('a', { venueClientOrderId: 'a.r1', venueOrderId: 'v-2' }), lorder('b', { venueClientOrderId: 'b', venueOrderId: 'v-b' })] },
    });
    expect(kinds(r)).toEqual({ 'order:a': 'matched', 'order:b': 'matched' });
  });

  it('broker_only, ledger_only, quantity_mismatch and price_mismatch', () => {
    const r = reconcile({
      broker: {
        positions: [],
        openOrders: [border('outside', { side: 'sell', type: 'market', limitPrice: null }), border('q', { qty: '12' }), border('p', { limitPrice: '401' }), border('s', { side: 'sell' })],
      },
      ledger: { positions: [], orders: [lorder('q'), lorder('p'), lorder('s'), lorder('gone'), lorder('filled', { status: 'filled' })] },
    });
    expect(kinds(r)).toEqual({ 'order:outside': 'broker_only', 'order:q': 'quantity_mismatch', 'order:p': 'price_mismatch', 'order:s': 'quantity_mismatch', 'order:gone': 'ledger_only' });
    expect(r.lines.find((l) => l.id === 'order:outside')!.note).toContain('placed outside the app');
    expect(r.lines.find((l) => l.id === 'order:s')!.note).toContain('side');
    expect(r.lines.find((l) => l.id === 'order:gone')!.broker).toBeNull();
  });

  it('an unknown or unconfirmed order missing at the broker says so', () => {
    const r = reconcile({ broker: { positions: [], openOrders: [] }, ledger: { positions: [], orders: [lorder('u', { status: 'unknown' }), lorder('n', { status: 'pending_submit', venueOrderId: null })] } });
    expect(r.lines.find((l) => l.id === 'order:u')!.note).toContain('unknown');
    expect(r.lines.find((l) => l.id === 'order:n')!.note).toContain('not confirmed');
  });
});

describe('resolutions', () => {
  const run = (brokerQty: string) => reconcile({ broker: { positions: [bpos('SPY', brokerQty, 'long', '400')], openOrders: [] }, ledger: { positions: [], orders: [] } });

  it('a resolution holds while the line reads the same, and blocks again when it changes', () => {
    const first = run('10');
    const line = first.lines[0]!;
    const stored = new Map<string, StoredResolution>([[line.id, { lineId: line.id, fingerprint: lineFingerprint(line), action: 'keep_local', at: 1, note: null }]]);
    const same = applyResolutions(run('10'), stored);
    expect(same.status).toBe('clean');
    expect(same.lines[0]!.resolution).toBe('keep_local');
    const changed = applyResolutions(run('11'), stored);
    expect(changed.status).toBe('diff');
    expect(changed.lines[0]!.resolution).toBeNull();
    expect(changed.lines[0]!.note).toContain('changed since it was resolved');
  });

  it('an unavailable result stays unavailable whatever is stored', () => {
    const r = applyResolutions(reconcile({ broker: null, ledger: { positions: [], orders: [] } }), new Map());
    expect(r.status).toBe('unavailable');
  });
});
