// Accounts are first-class (issue 15, item 1, first step): today's single venue is the default account.
import { describe, expect, it } from 'vitest';
import { createDesk } from '../../../src/node/desk';
import { ManualClock } from '../../../src/core/ports/clock';
import { defaultAccount, DEFAULT_ACCOUNT_ID } from '../../../src/core/model/account';
import type { AlpacaSettings } from '../../../src/node/config/market-config';

const alpaca = { keyId: 'K', secretKey: 'S', env: 'paper' as const };

describe('the default account', () => {
  it('is derived from the configured venue: sim → SIM without credentials; alpaca → PAPER/LIVE with the alpaca credentials', () => {
    expect(defaultAccount('sim', null)).toEqual({ id: DEFAULT_ACCOUNT_ID, label: 'Simulated', venue: 'sim', mode: 'SIM', credentialsRef: null });
    expect(defaultAccount('alpaca', 'paper')).toMatchObject({ venue: 'alpaca', mode: 'PAPER', credentialsRef: { venue: 'alpaca' } });
    expect(defaultAccount('alpaca', 'live')).toMatchObject({ venue: 'alpaca', mode: 'LIVE', label: 'Alpaca live' });
    expect(defaultAccount('alpaca', null).mode).toBe('PAPER');
  });

  it('the desk holds it, and its mode is the mode the snapshot shows (also after a venue change)', async () => {
    const desk = createDesk({ clock: new ManualClock(1_000_000), portfolioPath: null });
    expect(desk.accounts()).toEqual([defaultAccount('sim', null)]);
    expect(desk.snapshot().mode).toBe('SIM');
    await desk.applyConfig({ venue: 'alpaca', alpaca: { ...alpaca, env: 'live' } as AlpacaSettings });
    expect(desk.accounts().map((a) => [a.id, a.venue, a.mode])).toEqual([['default', 'alpaca', 'LIVE']]);
    expect(desk.snapshot().mode).toBe('LIVE');
    await desk.dispose();
  });
});
