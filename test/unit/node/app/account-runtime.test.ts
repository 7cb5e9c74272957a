// Issue 15 item 1: health and session are per-account records (the desk holds one runtime per account).
import { describe, expect, it } from 'vitest';
import { AccountRuntime } from '../../../../src/node/app/account-runtime';
import { accountId } from '../../../../src/core/model/ids';
import { defaultAccount } from '../../../../src/core/model/account';
import type { StreamHealth } from '../../../../src/core/market/stream-health';
import type { AccountVenue } from '../../../../src/node/venues/registry';
import type { ExecutionPort } from '../../../../src/core/ports/execution';
import type { MarketDataPort } from '../../../../src/core/ports/market-data';

const T = Date.UTC(2026, 11, 6, 15);

function health(name: string, reconnects: number): StreamHealth {
  return { name, state: 'running', lastError: null, lastErrorAt: null, reconnectAttempts: 0, reconnects, lastEventAt: T, queueDepth: 0, droppedEvents: 0, subscriptions: 1, liveness: name === 'trade_updates' ? 'heartbeat' : 'data' } as StreamHealth;
}

function fakeVenue(id: string, reconnects: number): AccountVenue {
  const marketData = { health: () => [health('stocks', reconnects), health('options', 0)] } as unknown as MarketDataPort;
  const execution = {
    accountId: accountId(id),
    health: () => [health('trade_updates', 0)],
    restHealth: () => ({ sessionRefused: false, lastError: null, lastErrorAt: null, lastOkAt: T }),
    sessionState: () => 'active',
  } as unknown as ExecutionPort;
  return { account: { ...defaultAccount('sim', null), id: accountId(id) }, marketData, execution, sim: null, dispose: () => Promise.resolve() };
}

describe('AccountRuntime', () => {
  it('keeps each account its own rows, session, last-known figures and reconnect counts', () => {
    const a = new AccountRuntime(accountId('default'));
    const b = new AccountRuntime(accountId('sim2'));
    expect(a.rows(T).map((r) => [r.name, r.accountId, r.state])).toEqual([
      ['stocks', 'default', 'not_started'],
      ['options', 'default', 'not_started'],
      ['trade_updates', 'default', 'not_started'],
    ]);
    a.attach(fakeVenue('default', 2));
    b.attach(fakeVenue('sim2', 5));
    expect(a.session()).toBe('active');
    expect(a.rows(T).map((r) => [r.name, r.accountId, r.state])).toEqual([
      ['stocks', 'default', 'running'],
      ['options', 'default', 'running'],
      ['trade_updates', 'default', 'running'],
      ['rest', 'default', 'running'],
    ]);
    expect(b.rows(T).find((r) => r.name === 'stocks')).toMatchObject({ accountId: 'sim2', reconnects: 5 });
    // Stop one: its rows keep what was known, its reconnects carry over for the day; the other runs on.
    expect(a.detach(T + 1)).not.toBeNull();
    expect(a.session()).toBeNull();
    expect(a.rows(T + 2).find((r) => r.name === 'stocks')).toMatchObject({ accountId: 'default', state: 'not_started', reconnects: 2, lastEventAt: T });
    expect(a.rows(T + 2).find((r) => r.name === 'rest')).toMatchObject({ state: 'not_started' });
    expect(b.rows(T + 2).find((r) => r.name === 'stocks')).toMatchObject({ state: 'running', reconnects: 5 });
  });

  it('a failed start marks every row of that account only, until cleared', () => {
    const a = new AccountRuntime(accountId('default'));
    const b = new AccountRuntime(accountId('sim2'));
    a.failed('no venue today', T);
    expect(a.rows(T).every((r) => r.state === 'error' && r.lastError === 'no venue today' && r.lastErrorAt === T)).toBe(true);
    expect(b.rows(T).every((r) => r.state === 'not_started')).toBe(true);
    a.clearError();
    expect(a.rows(T).every((r) => r.state === 'not_started' && r.lastError === null)).toBe(true);
  });
});
