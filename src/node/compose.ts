/**
 * Composition: the place that constructs venue adapters from the desk's configuration. The desk
 * asks for a venue at Start (`DeskDeps.venues`, default `createVenue`) and never builds one itself,
 * so a venue registry (one market-data and one execution port per account: issue 15, item 3) has
 * one obvious home: here.
 *
 * Today's venues: `sim` — the simulated venue server on 127.0.0.1, reached by the real Alpaca
 * adapter over real sockets — and `alpaca`.
 */
import type { Clock, Scheduler } from '../core/ports/clock';
import type { Logger } from '../core/ports/logger';
import type { VenueMode } from '../shared/contract';
import type { DeskConfig } from './desk';
import { resolveAlpacaEndpoints } from './config/market-config';
import { SimVenueServer, SIM_CREDENTIALS } from './venues/sim/server';
import { AlpacaVenue, type AlpacaUrls, type StreamTuning } from './venues/alpaca/venue';

export interface VenueRequest {
  config: DeskConfig;
  mode: VenueMode;
  /** The Alpaca keys in use (the desk's one answer to "which keys, from where"); unused for `sim`. */
  alpacaCredentials: { keyId: string; secretKey: string } | null;
  clock: Clock & Scheduler;
  logger: Logger;
  random: () => number;
}

/** A constructed (not yet started) venue adapter, and the embedded sim server it talks to, if any. */
export interface VenueRun {
  venue: AlpacaVenue;
  sim: SimVenueServer | null;
}

export type VenueFactory = (request: VenueRequest) => Promise<VenueRun>;

export const createVenue: VenueFactory = async ({ config, mode, alpacaCredentials, clock, logger, random }) => {
  let urls: AlpacaUrls;
  let credentials = SIM_CREDENTIALS;
  let sim: SimVenueServer | null = null;
  if (config.venue === 'sim') {
    sim = new SimVenueServer({ seed: config.seed, clock, logger, intervalMs: config.simIntervalMs, port: config.simPort ?? 0 });
    try {
      urls = await sim.start();
    } catch (err) {
      await sim.stop().catch((stopErr: unknown) => logger.warn('simulated venue did not stop cleanly', { error: stopErr instanceof Error ? stopErr.message : String(stopErr) }));
      throw err;
    }
    logger.info('simulated venue listening', { url: urls.tradingRest, admin: `${urls.tradingRest}/__sim/fault` });
  } else {
    const a = config.alpaca;
    if (!a || !alpacaCredentials) throw new Error('venue "alpaca" is selected but has no credentials (set APCA_API_KEY_ID and APCA_API_SECRET_KEY)');
    urls = resolveAlpacaEndpoints(a);
    credentials = { keyId: alpacaCredentials.keyId, secretKey: alpacaCredentials.secretKey };
  }
  const s = config.streams ?? {};
  const tuning: StreamTuning = {
    backoff: { baseMs: s.backoffBaseMs ?? 1000, capMs: s.backoffCapMs ?? 30_000 },
    dataTimeoutMs: s.dataTimeoutMs ?? (config.venue === 'sim' ? 15_000 : 60_000),
    ...(s.connectionLimitWindowMs !== undefined ? { connectionLimitWindowMs: s.connectionLimitWindowMs } : {}),
    ...(s.queueCapacity !== undefined ? { queueCapacity: s.queueCapacity } : {}),
    ...(s.pingIntervalMs !== undefined ? { pingIntervalMs: s.pingIntervalMs } : {}),
  };
  // Alpaca's keys may be configured while the sim is selected: its feed settings apply to Alpaca only.
  const alp = config.venue === 'alpaca' ? config.alpaca : undefined;
  const venue = new AlpacaVenue(
    {
      name: config.venue,
      mode,
      credentials,
      urls,
      stockFeed: alp?.stockFeed ?? 'iex',
      optionFeed: alp?.optionFeed ?? 'indicative',
      tradeUpdatesAuth: alp?.tradeUpdatesAuth ?? 'legacy',
      stockEncoding: alp?.stockEncoding ?? 'json',
      // The sim prints option trades too, so `last` is shown; Alpaca's option trade limits are UNCONFIRMED.
      optionChannels: config.venue === 'sim' ? ['quotes', 'trades'] : ['quotes'],
      tuning,
      tradeUpdatesTuning: { ...tuning, dataTimeoutMs: 0 },
      ...(alp?.restRequestsPerMinute ? { restRequestsPerMinute: alp.restRequestsPerMinute } : {}),
    },
    { clock, logger, random },
  );
  return { venue, sim };
};
