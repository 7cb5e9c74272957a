// The exit runner (node side of the manual exits): a run stopped while its step is sending an order
// waits for that step, so the order just placed is known and cancelled too (never left working).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../../src/core/ports/clock';
import { silentLogger } from '../../../../../src/core/ports/logger';
import { newExitRun } from '../../../../../src/core/orders/exit-run';
import { QTY_DP, parseScaled } from '../../../../../src/core/model/money';
import type { GatewayOutcome, OrderGateway } from '../../../../../src/core/orders/gateway';
import type { JournalOrder } from '../../../../../src/core/ports/order-journal';
import { ExitRunner } from '../../../../../src/node/app/trading/exit-runner';
import type { ExitRunWire } from '../../../../../src/shared/trading';

function journalOrder(id: string): JournalOrder {
  return {
    clientOrderId: id,
    accountId: 'acc',
    symbol: 'SPY',
    side: 'sell',
    quantity: '1',
    orderType: 'limit',
    limitPrice: '100.05',
    status: 'accepted',
    venueOrderId: 'V1',
    venueClientOrderId: id,
    filledQuantity: '0',
    priorFilledQuantity: '0',
    replaceCount: 0,
    pending: null,
    reason: null,
    createdAt: 0,
    updatedAt: 0,
  };
}

describe('exit runner', () => {
  it('a cancel while a place is in flight waits for it, then cancels the order it placed', async () => {
    const clock = new ManualClock(1_000);
    const calls: string[] = [];
    const orders = new Map<string, JournalOrder>();
    let answer: ((o: GatewayOutcome) => void) | null = null;
    const gateway = {
      place: () => {
        calls.push('place');
        return new Promise<GatewayOutcome>((resolve) => (answer = resolve));
      },
      cancel: (id: string) => {
        calls.push(`cancel ${id}`);
        const o = { ...orders.get(id)!, status: 'cancelled' as const };
        orders.set(id, o);
        return Promise.resolve({ kind: 'accepted', order: o } as GatewayOutcome);
      },
      replace: () => Promise.reject(new Error('not in this test')),
      order: (id: string) => orders.get(id) ?? null,
    } as unknown as OrderGateway;
    const changes: ExitRunWire[] = [];
    const runner = new ExitRunner({
      clock,
      logger: silentLogger,
      gateway: () => gateway,
      quote: () => ({ bid: 100, ask: 100.1, fresh: true }),
      subscribe: () => undefined,
      changed: (r) => changes.push(r),
    });
    const run = newExitRun('x1', 'acc', { kind: 'position', symbol: 'SPY' }, [{ symbol: 'SPY', quantity: parseScaled('1', QTY_DP) }], clock.now());
    const started = runner.start(run);
    await Promise.resolve();
    expect(calls).toEqual(['place']);
    const stopping = runner.cancel('x1', 'stopped by the user');
    orders.set('o1', journalOrder('o1'));
    answer!({ kind: 'accepted', order: journalOrder('o1') });
    await started;
    const stopped = await stopping;
    expect(calls).toEqual(['place', 'cancel o1']);
    expect(stopped).toMatchObject({ status: 'cancelled', reason: 'stopped by the user', legs: [{ status: 'cancelled', client_order_id: 'o1' }] });
    expect(changes.at(-1)?.status).toBe('cancelled');
    runner.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });
});
