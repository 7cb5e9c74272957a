/**
 * `smartapi`: the Angel One SmartAPI venue (mode LIVE, the stored credentials) or, for mode SIM, the
 * same adapter against the embedded simulated venue's NSE face (its fixed credentials: a login with
 * a fixed TOTP secret). One NSE face per venue name (`sim-nse`), shared by that venue's accounts,
 * each with its own client code and book (simNseCredentials).
 */
import { DEFAULT_ACCOUNT_ID, type Account } from '../../../core/model/account';
import type { VenueCredentials } from '../../../core/model/credentials';
import { SimVenuePool, type AccountVenue, type VenueBuilder, type VenueBuildRequest } from '../registry';
import { simVenueSeed } from '../sim/model';
import { NseSimModel } from '../sim/nse/model';
import { NseSimServer, simNseCredentials } from '../sim/nse/server';
import type { SmartCredentials } from './session';
import { SMARTAPI_URLS, SmartApiVenue, smartApiPorts, type SmartApiUrls, type StreamTuning } from './venue';

/** The account's built venue, with the NSE face it talks to (mode SIM; tests inject faults through it). */
export type SmartApiAccountVenue = AccountVenue & { simNse: NseSimServer | null; connection: SmartApiVenue };

/** The pool of callers that give none (a desk gives its own). Made on first use: the registry imports this module. */
let fallbackPool: SimVenuePool | null = null;

function tuning(request: VenueBuildRequest): StreamTuning {
  const s = request.config.streams ?? {};
  return {
    backoff: { baseMs: s.backoffBaseMs ?? 1000, capMs: s.backoffCapMs ?? 30_000 },
    // SmartAPI's heartbeat is a 10 s text ping: any frame within the timeout proves the socket alive
    dataTimeoutMs: s.dataTimeoutMs ?? (request.account.mode === 'SIM' ? 15_000 : 25_000),
    ...(s.connectionLimitWindowMs !== undefined ? { connectionLimitWindowMs: s.connectionLimitWindowMs } : {}),
    ...(s.queueCapacity !== undefined ? { queueCapacity: s.queueCapacity } : {}),
  };
}

function storedCredentials(request: VenueBuildRequest): SmartCredentials | null {
  const c = request.credentials?.('smartapi') as VenueCredentials<'smartapi'> | null | undefined;
  if (!c) return null;
  return { apiKey: c.apiKey.reveal(), clientCode: c.clientCode.reveal(), pin: c.pin.reveal(), totpSecret: c.totpSecret.reveal() };
}

function assemble(request: VenueBuildRequest, venueName: string, urls: SmartApiUrls, credentials: SmartCredentials, reread: () => SmartCredentials | null, sim: { server: NseSimServer; release(): Promise<void> } | null): SmartApiAccountVenue {
  const { account, clock, logger, random } = request;
  const connection = new SmartApiVenue({ name: venueName, mode: account.mode, credentials, urls, tuning: tuning(request), masterCache: request.smartApiMasterCache ?? null }, { clock, logger, random });
  const ports = smartApiPorts(connection, account.id, 'smartapi');
  // One click: a fresh TOTP login with the credentials stored now (they may have been re-entered).
  ports.execution.reauthenticate = () => connection.reauthenticate(reread() ?? undefined);
  return {
    account,
    marketData: ports.marketData,
    execution: ports.execution,
    sim: null,
    simNse: sim?.server ?? null,
    connection,
    dispose: async () => {
      try {
        await ports.dispose();
      } finally {
        await sim?.release();
      }
    },
  };
}

export const buildSmartApi: VenueBuilder = async (request) => {
  const { account, config, clock, logger } = request;
  const venueName = request.venueName ?? account.venueName ?? (account.mode === 'SIM' ? 'sim-nse' : 'smartapi');
  if (account.mode === 'SIM') {
    const pool = request.simVenues ?? (fallbackPool ??= new SimVenuePool());
    const isDefault = account.id === DEFAULT_ACCOUNT_ID;
    // The desk's own venue setting `sim-nse` puts the face on the configured sim port (the e2e steers it there).
    const port = isDefault && config.venue === 'sim-nse' ? (config.simPort ?? 0) : 0;
    const seed = simVenueSeed(venueName, config.seed);
    const lease = await pool.acquire(venueName, () => new NseSimServer({ seed, clock, logger, intervalMs: config.simIntervalMs, port }), logger);
    const credentials = simNseCredentials(account.id, isDefault);
    lease.server.addAccount(credentials);
    logger.info('simulated NSE venue listening', { account: account.id, venue: venueName, clientCode: credentials.clientCode, seed, url: lease.urls.rest, admin: `${lease.urls.rest}/__sim/fault` });
    return assemble(request, venueName, lease.urls, credentials, () => credentials, lease);
  }
  if (account.mode !== 'LIVE') {
    throw new Error(`account ${account.id} is a SmartAPI account declared ${account.mode}: SmartAPI has no paper environment; declare it LIVE (Angel One) or SIM (the simulated NSE venue); not started`);
  }
  const credentials = storedCredentials(request);
  if (!credentials) {
    throw new Error(
      'venue "smartapi" is selected but has no credentials: store the API key, client code, MPIN and TOTP secret in Settings → Credentials (or set LIVE_DESK_SMARTAPI_API_KEY, LIVE_DESK_SMARTAPI_CLIENT_CODE, LIVE_DESK_SMARTAPI_PIN, LIVE_DESK_SMARTAPI_TOTP_SECRET)',
    );
  }
  return assemble(request, venueName, SMARTAPI_URLS, credentials, () => storedCredentials(request), null);
};

/**
 * What the desk streams from Start on this venue when the configuration names no watchlist: the
 * simulated face's whole universe (NIFTY and BANKNIFTY spot and their two weekly chains); on Angel
 * nothing until the master is loaded (positions and the portfolio subscribe their own symbols).
 */
export function smartApiWatchlist(account: Account, now: number): string[] {
  if (account.mode !== 'SIM') return [];
  return new NseSimModel(0, now).instruments.map((i) => i.symbol);
}
