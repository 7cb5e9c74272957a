/**
 * `delta`: the Delta Exchange venue (mode LIVE = Delta India production, PAPER = Delta India testnet,
 * with the stored API key) or, for mode SIM, the same adapter against the embedded simulated
 * venue's crypto face (one SimDeltaServer per venue name from the desk's sim pool; each account its
 * own key on it: SIMDELTAKEY, SIMDELTAKEY-<account>).
 *
 * `LIVE_DESK_DELTA_REGION` = `india` (default) or `global` picks Delta's hosts (docs/venue-delta.md).
 */
import { DEFAULT_ACCOUNT_ID, type Account } from '../../../core/model/account';
import type { VenueCredentials } from '../../../core/model/credentials';
import { Secret } from '../../../core/model/secret';
import { SimVenuePool, type AccountVenue, type VenueBuildRequest, type VenueBuilder } from '../registry';
import { SimDeltaServer, simDeltaCredentials } from '../sim/delta/server';
import { simVenueSeed } from '../sim/model';
import { deltaPorts } from './ports';
import { DELTA_URLS, DeltaVenue, type DeltaUrls, type StreamTuning } from './venue';
import type { DeltaCredentials } from './signing';

/** An account's Delta venue; `simDelta` is the face server (SIM accounts; tests inject faults through it). */
export type DeltaAccountVenue = AccountVenue & { simDelta: SimDeltaServer | null; connection: DeltaVenue };

function tuning(request: VenueBuildRequest, sim: boolean): { tuning: StreamTuning; privateTuning: StreamTuning } {
  const s = request.config.streams ?? {};
  const backoff = { baseMs: s.backoffBaseMs ?? 1000, capMs: s.backoffCapMs ?? 60_000 };
  return {
    // Tickers come every 5 s (the sim: faster): three missed ones are a stall.
    tuning: {
      backoff,
      dataTimeoutMs: s.dataTimeoutMs ?? 15_000,
      pingIntervalMs: s.pingIntervalMs ?? (sim ? 10_000 : 25_000),
      ...(s.connectionLimitWindowMs !== undefined ? { connectionLimitWindowMs: s.connectionLimitWindowMs } : {}),
      ...(s.queueCapacity !== undefined ? { queueCapacity: s.queueCapacity } : {}),
    },
    // The private socket's heartbeat comes every 30 s: 35 s without a frame reconnects (§3.3).
    privateTuning: { backoff, dataTimeoutMs: 35_000, pingIntervalMs: s.pingIntervalMs ?? (sim ? 10_000 : 25_000) },
  };
}

/** The stored Delta key and secret (vault values are Secrets: revealed here, where they go to the venue). */
function deltaKeys(c: VenueCredentials | null): DeltaCredentials | null {
  if (!c) return null;
  const v = c as unknown as Record<string, unknown>;
  const text = (x: unknown) => (x instanceof Secret ? x.reveal() : typeof x === 'string' ? x : '');
  const apiKey = text(v.apiKey);
  const apiSecret = text(v.apiSecret);
  return apiKey !== '' && apiSecret !== '' ? { apiKey, apiSecret } : null;
}

function make(request: VenueBuildRequest, urls: DeltaUrls, credentials: DeltaCredentials | null, sim: { server: SimDeltaServer; release(): Promise<void> } | null): DeltaAccountVenue {
  const { account, clock, logger, random } = request;
  const t = tuning(request, sim !== null);
  const connection = new DeltaVenue(
    {
      name: request.venueName ?? account.venueName ?? account.venue,
      mode: account.mode,
      credentials,
      urls,
      tuning: t.tuning,
      privateTuning: t.privateTuning,
      // Products are kept in the ledger's instruments table: the sim face's under `sim`, Delta's under `delta`.
      instrumentStore: request.instrumentStore ?? null,
      storeVenue: sim ? 'sim' : 'delta',
    },
    { clock, logger, random },
  );
  const ports = deltaPorts(connection, account.id, 'delta');
  if (!sim) {
    // "Store a new key and press Re-authenticate": without fresh credentials, the vault's are read again.
    const execution = ports.execution;
    const reauthenticate = execution.reauthenticate.bind(execution);
    execution.reauthenticate = (fresh) => {
      const stored = deltaKeys(request.credentials?.('delta') ?? null);
      return reauthenticate(fresh ?? (stored ? { keyId: stored.apiKey, secretKey: stored.apiSecret } : undefined));
    };
  }
  if (sim && credentials) {
    // The face stands for the venue's key renewal: re-authentication first renews the key, then restarts.
    const execution = ports.execution;
    const reauthenticate = execution.reauthenticate.bind(execution);
    execution.reauthenticate = (fresh) => {
      sim.server.renewKey(credentials.apiKey);
      return reauthenticate(fresh);
    };
  }
  return {
    account,
    marketData: ports.marketData,
    execution: ports.execution,
    sim: null,
    simDelta: sim?.server ?? null,
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

/** The faces of callers that give no pool (made on first use: the registry imports this module). */
let processPool: SimVenuePool | null = null;

export const buildDelta: VenueBuilder = async (request) => {
  const { account, config, clock, logger } = request;
  if (account.mode === 'SIM') {
    const venueName = request.venueName ?? account.venueName ?? 'sim-delta';
    const pool = request.simVenues ?? (processPool ??= new SimVenuePool());
    const seed = simVenueSeed(venueName, config.seed);
    const interval = Math.max(100, config.simIntervalMs);
    const lease = await pool.acquire(venueName, () => new SimDeltaServer({ seed, clock, logger, tickerIntervalMs: interval, markIntervalMs: interval }), logger);
    const credentials = simDeltaCredentials(account.id, account.id === DEFAULT_ACCOUNT_ID);
    try {
      lease.server.addAccount(credentials);
    } catch (err) {
      await lease.release();
      throw err;
    }
    logger.info('simulated Delta venue listening', { account: account.id, venue: venueName, key: credentials.apiKey, seed, url: lease.urls.rest });
    return make(request, lease.urls, credentials, lease);
  }
  const region = process.env.LIVE_DESK_DELTA_REGION === 'global' ? 'global' : 'india';
  const urls = DELTA_URLS[account.mode === 'PAPER' ? (region === 'global' ? 'global-testnet' : 'india-testnet') : region];
  const credentials = deltaKeys(request.credentials?.('delta') ?? null);
  if (!credentials) throw new Error(`account ${account.id}: Delta (${account.mode === 'PAPER' ? 'testnet' : 'live'}) needs an API key and secret: store them in Settings → Credentials (or LIVE_DESK_DELTA_API_KEY / LIVE_DESK_DELTA_API_SECRET headless)`);
  return make(request, urls, credentials, null);
};

/** Days (DDMMYY) of the simulated face's nearest daily expiry at `now` (12:00 UTC settlement, at least a minute ahead). */
function nearestDaily(now: number): string {
  const day0 = Math.floor(now / 86_400_000) * 86_400_000;
  const settle = day0 + 12 * 3_600_000 > now + 60_000 ? day0 + 12 * 3_600_000 : day0 + 36 * 3_600_000;
  const d = new Date(settle);
  return `${String(d.getUTCDate()).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}

/**
 * What the desk streams from Start with no configured watchlist: on the simulated face, the nearest
 * daily BTC chain around its starting spot (90,000 ± 2 strikes) and ETH's (3,000 ± 1); on Delta itself
 * nothing is assumed about the spot: the watchlist or the portfolio names the contracts.
 */
export function deltaWatchlist(account: Account, now: number): string[] {
  if (account.mode !== 'SIM') return [];
  const exp = nearestDaily(now);
  const out: string[] = [];
  for (const k of [88_000, 89_000, 90_000, 91_000, 92_000]) out.push(`C-BTC-${k}-${exp}`, `P-BTC-${k}-${exp}`);
  for (const k of [2_950, 3_000, 3_050]) out.push(`C-ETH-${k}-${exp}`, `P-ETH-${k}-${exp}`);
  return out;
}
