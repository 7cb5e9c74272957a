// Review of issue 16, defect 2: Reducing must not trust our ledger's position where the broker
// contradicts it. The positions the trading service weighs are unknown (null → Reducing refuses) for a
// symbol whose last reconciliation line differs and is not resolved, and for every symbol while the
// account's reconciliation is pending or unavailable; keep_local counts as resolved (the user chose ours).
import { describe, expect, it } from 'vitest';
import { ReconciledPositions } from '../../../../../src/node/app/trading/reconciled-positions';
import type { AccountPositions } from '../../../../../src/node/app/trading/ports';
import type { ReconciliationWire } from '../../../../../src/shared/trading';
import type { ReconLine } from '../../../../../src/core/orders/reconcile';
import { reducesExposure } from '../../../../../src/core/orders/exposure';

const Q = (n: number) => BigInt(n) * 1_000_000_000n;
const ledger: Record<string, bigint> = { SPY: Q(4), AAPL: Q(3) };
const inner: AccountPositions = {
  signedQuantity: (_a, s) => ledger[s] ?? 0n,
  positions: () => [],
  adoptBroker: () => undefined,
  whenSynced: () => Promise.resolve(),
  catchUp: () => Promise.resolve(),
};
const line = (symbol: string, kind: ReconLine['kind'], resolution: ReconLine['resolution'] = null, subject: ReconLine['subject'] = 'position'): ReconLine => ({
  id: subject === 'position' ? `position:${symbol}` : `order:${symbol}-o`,
  subject,
  kind,
  symbol,
  client_order_id: subject === 'order' ? `${symbol}-o` : null,
  broker: null,
  ledger: null,
  resolution,
  note: null,
});
const wire = (status: ReconciliationWire['status'], lines: ReconLine[] = []): ReconciliationWire => ({ account: 'default', at: 1, status, error: status === 'unavailable' ? 'HTTP 503' : null, trigger: 'manual', lines, pnl: [] });

function rig(state: ReconciliationWire) {
  const current = { state };
  const positions = new ReconciledPositions(inner, () => ({ state: () => current.state }));
  return { positions, current };
}

describe('ReconciledPositions (the positions Reducing weighs)', () => {
  it('every symbol is unknown while the reconciliation is pending or unavailable', () => {
    const { positions, current } = rig(wire('pending'));
    expect(positions.signedQuantity('default', 'SPY')).toBeNull();
    expect(positions.distrust('default', 'SPY')).toMatch(/not reconciled with the broker yet/);
    current.state = wire('unavailable');
    expect(positions.signedQuantity('default', 'AAPL')).toBeNull();
    expect(positions.distrust('default', 'AAPL')).toMatch(/unavailable \(HTTP 503\)/);
  });

  it('a symbol whose line differs and is unresolved is unknown (Reducing then refuses a sell that reduces by our ledger); others are ours', () => {
    const { positions } = rig(wire('diff', [line('SPY', 'quantity_mismatch'), line('AAPL', 'matched')]));
    expect(positions.signedQuantity('default', 'SPY')).toBeNull();
    expect(reducesExposure(positions.signedQuantity('default', 'SPY'), [], 'sell', Q(4))).toBe(false);
    expect(reducesExposure(inner.signedQuantity('default', 'SPY'), [], 'sell', Q(4))).toBe(true); // what the old wiring weighed
    expect(positions.signedQuantity('default', 'AAPL')).toBe(Q(3));
    expect(positions.signedQuantity('default', 'QQQ')).toBe(0n); // no line: both sides flat at the last run
  });

  it('an unresolved order line on the symbol makes it unknown too (an order the journal does not count)', () => {
    const { positions } = rig(wire('diff', [line('SPY', 'matched'), line('SPY', 'broker_only', null, 'order')]));
    expect(positions.signedQuantity('default', 'SPY')).toBeNull();
  });

  it('once the line is matched, or resolved by the user (keep_local: ours), our position is weighed again', () => {
    const { positions, current } = rig(wire('diff', [line('SPY', 'quantity_mismatch')]));
    expect(positions.signedQuantity('default', 'SPY')).toBeNull();
    current.state = wire('clean', [line('SPY', 'quantity_mismatch', 'keep_local')]);
    expect(positions.signedQuantity('default', 'SPY')).toBe(Q(4));
    current.state = wire('clean', [line('SPY', 'matched')]);
    expect(positions.signedQuantity('default', 'SPY')).toBe(Q(4));
  });

  it('without a reconciler every position is unknown', () => {
    const positions = new ReconciledPositions(inner, () => null);
    expect(positions.signedQuantity('default', 'SPY')).toBeNull();
  });
});
