// Review of issue 16, defect 10: a declared PAPER Alpaca account must not reach live endpoints (nor a
// LIVE one paper). The registry cross-checks the account's declared mode against the environment
// its endpoints resolve to and refuses to build, naming the account, its mode and the endpoint.
import { describe, expect, it } from 'vitest';
import { buildAccountVenue, checkAlpacaAccountMode } from '../../../../src/node/venues/registry';
import { defaultDeskConfig } from '../../../../src/node/desk';
import { accountId } from '../../../../src/core/model/ids';
import type { Account } from '../../../../src/core/model/account';
import { ALPACA_DEFAULT_ENDPOINTS, type AlpacaSettings } from '../../../../src/node/config/market-config';
import { SystemClock } from '../../../../src/node/system-clock';
import { silentLogger } from '../../../../src/core/ports/logger';

const PAPER: Account = { id: accountId('alpaca-paper'), label: 'Alpaca paper', venue: 'alpaca', mode: 'PAPER', credentialsRef: { venue: 'alpaca' } };
const LIVE: Account = { id: accountId('alpaca-live'), label: 'Alpaca live', venue: 'alpaca', mode: 'LIVE', credentialsRef: { venue: 'alpaca' } };
const keys = { keyId: 'K', secretKey: 'S' };
const settings = (env: 'paper' | 'live', extra: Partial<AlpacaSettings> = {}): AlpacaSettings => ({ ...keys, env, envSource: 'LIVE_DESK_ALPACA_ENV', stockFeed: 'iex', optionFeed: 'indicative', ...extra }) as AlpacaSettings;

function build(account: Account, alpaca: AlpacaSettings) {
  return buildAccountVenue({ account, config: { ...defaultDeskConfig, venue: 'alpaca', alpaca }, alpacaCredentials: keys, clock: new SystemClock(), logger: silentLogger, random: Math.random });
}

describe('venue registry: an Alpaca account reaches only the environment it declares', () => {
  it('refuses to build a PAPER account whose endpoints are live, naming the account, its mode and the endpoint', async () => {
    await expect(build(PAPER, settings('live'))).rejects.toThrow(/account alpaca-paper is declared PAPER.*https:\/\/api\.alpaca\.markets.*live/);
  });

  it('refuses to build a LIVE account whose endpoints are paper', async () => {
    await expect(build(LIVE, settings('paper'))).rejects.toThrow(/account alpaca-live is declared LIVE.*paper-api\.alpaca\.markets.*paper/);
  });

  it('refuses a PAPER account behind a non-Alpaca trading host when the env says live', () => {
    // A proxy host: the env decides (it says live): refused for a PAPER account.
    const a = settings('live', { urls: { tradingRest: 'https://proxy.example', tradingStream: 'wss://proxy.example/stream' }, urlSources: { tradingRest: 'APCA_API_BASE_URL' } });
    expect(() => checkAlpacaAccountMode(PAPER, a, { ...ALPACA_DEFAULT_ENDPOINTS.live, tradingRest: 'https://proxy.example', tradingStream: 'wss://proxy.example/stream' })).toThrow(
      /alpaca-paper is declared PAPER.*https:\/\/proxy\.example \(env live/,
    );
  });

  it('accepts each account on its own environment (the check is not a blanket refusal)', () => {
    expect(() => checkAlpacaAccountMode(PAPER, settings('paper'), ALPACA_DEFAULT_ENDPOINTS.paper)).not.toThrow();
    expect(() => checkAlpacaAccountMode(LIVE, settings('live'), ALPACA_DEFAULT_ENDPOINTS.live)).not.toThrow();
  });

  it('refuses an Alpaca account declared SIM', () => {
    expect(() => checkAlpacaAccountMode({ ...PAPER, mode: 'SIM' }, settings('paper'), ALPACA_DEFAULT_ENDPOINTS.paper)).toThrow(/alpaca-paper is an Alpaca account declared SIM/);
  });
});
