// Issue 19: a venue whose channels are not the Alpaca protocol's (SmartAPI: feed-1…3, order_updates)
// shows its own rows, and its feeds count as data channels for the streamer's state.
import { describe, expect, it } from 'vitest';
import { AccountRuntime } from '../../../../src/node/app/account-runtime';
import { accountId } from '../../../../src/core/model/ids';
import { defaultAccount } from '../../../../src/core/model/account';
import type { StreamHealth } from '../../../../src/core/market/stream-health';
import type { AccountVenue } from '../../../../src/node/venues/registry';
import type { ExecutionPort } from '../../../../src/core/ports/execution';
import type { MarketDataPort } from '../../../../src/core/ports/market-data';

const T = Date.UTC(2026, 11, 6, 15);

function health(name: string, state: StreamHealth['state'] = 'running'): StreamHealth {
  return { name, state, lastError: null, lastErrorAt: null, reconnectAttempts: 0, reconnects: 0, lastEventAt: T, queueDepth: 0, droppedEvents: 0, subscriptions: 1, liveness: name === 'order_updates' ? 'heartbeat' : 'data' } as StreamHealth;
}

function smartVenue(): AccountVenue {
  const marketData = { health: () => [health('feed-1'), health('feed-2')] } as unknown as MarketDataPort;
  const execution = { accountId: accountId('default'), health: () => [health('order_updates')], restHealth: () => null, sessionState: () => 'active' } as unknown as ExecutionPort;
  return { account: defaultAccount('sim-nse'), marketData, execution, sim: null, dispose: () => Promise.resolve() };
}

describe('health rows of a SmartAPI account', () => {
  it('are its own channels while running and after Stop; never the Alpaca names', () => {
    const rt = new AccountRuntime(accountId('default'));
    rt.attach(smartVenue());
    expect(rt.rows(T).map((r) => [r.name, r.state, r.liveness])).toEqual([
      ['feed-1', 'running', 'data'],
      ['feed-2', 'running', 'data'],
      ['order_updates', 'running', 'heartbeat'],
    ]);
    rt.detach(T + 1);
    expect(rt.rows(T + 2).map((r) => [r.name, r.state])).toEqual([
      ['feed-1', 'not_started'],
      ['feed-2', 'not_started'],
      ['order_updates', 'not_started'],
    ]);
  });

  it('an account never started still shows the three Alpaca-protocol rows (unchanged)', () => {
    expect(new AccountRuntime(accountId('default')).rows(T).map((r) => r.name)).toEqual(['stocks', 'options', 'trade_updates']);
  });
});
