// Issues 19/20: one desk setting selects the venue the default account is on, the simulated NSE and
// crypto faces included; the monitoring cycle's hours follow the account's venue (the sims: 24/7).
import { describe, expect, it } from 'vitest';
import { DESK_VENUES, defaultAccount } from '../../../../src/core/model/account';
import { exchangeOfAccount } from '../../../../src/node/app/monitor/monitor-service';

describe('the default account of each desk venue setting', () => {
  it('maps every setting to a venue kind, mode, credentials and venue name', () => {
    const rows = DESK_VENUES.map((v) => {
      const a = defaultAccount(v, { alpaca: 'paper', delta: 'testnet' });
      return [v, a.venue, a.mode, a.credentialsRef?.venue ?? null, a.venueName ?? a.venue, exchangeOfAccount(a)];
    });
    expect(rows).toEqual([
      ['sim', 'sim', 'SIM', null, 'sim', 'SIM'],
      ['sim-nse', 'smartapi', 'SIM', null, 'sim-nse', 'SIM'],
      ['sim-delta', 'delta', 'SIM', null, 'sim-delta', 'SIM'],
      ['alpaca', 'alpaca', 'PAPER', 'alpaca', 'alpaca', 'NYSE'],
      ['smartapi', 'smartapi', 'LIVE', 'smartapi', 'smartapi', 'NSE'],
      ['delta', 'delta', 'PAPER', 'delta', 'delta', 'DELTA'],
    ]);
  });

  it('takes live for Alpaca and Delta only when the environment says live (the old two-argument form still works)', () => {
    expect(defaultAccount('alpaca', 'live').mode).toBe('LIVE');
    expect(defaultAccount('alpaca', null).mode).toBe('PAPER');
    expect(defaultAccount('delta', { delta: 'live' }).mode).toBe('LIVE');
    expect(defaultAccount('delta', null).mode).toBe('LIVE');
  });
});
