/**
 * The desk's configuration: what it streams from and how (venue, seed, thresholds, limits, feeds,
 * stream tuning), its defaults, and the desk settings read as configuration. Precedence when the
 * desk is built: defaults < stored settings < environment < explicit config (src/node/desk.ts).
 */
import type { MarkPolicy } from '../../core/market/mark';
import type { DeskVenue } from '../../core/model/account';
import type { DeskSettings, VenueEndpointsWire } from '../../shared/contract';
import { ALPACA_DEFAULT_ENDPOINTS, resolveAlpacaEndpoints, type AlpacaEndpoints, type AlpacaSettings, type CredentialOrigin, type EndpointKey, type loadMarketConfig } from './market-config';

export interface DeskStreamSettings {
  dataTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  connectionLimitWindowMs?: number;
  queueCapacity?: number;
  pingIntervalMs?: number;
}

export interface DeskConfig {
  /** The default account's venue (core/model/account.ts DESK_VENUES). */
  venue: DeskVenue;
  seed: number;
  /** How often the simulated venue publishes a batch of quotes. */
  simIntervalMs: number;
  /** Port of the embedded sim venue on 127.0.0.1 (0 = ephemeral, the default). */
  simPort?: number;
  /** Minimum spacing of tick_update events to the UI (50 ms → at most 20 per second). */
  tickCoalesceMs: number;
  /** Quotes older than this are stale (per venue; spec default 5 s). */
  staleAfterMs: number;
  markPolicy: MarkPolicy;
  /** Planner limit on option contracts (spec default 250). */
  maxOptionContracts: number;
  /** Symbols streamed from Start (until a portfolio consumer subscribes its own). Default: the sim's universe. */
  watchlist?: string[];
  /** How often a health_event refreshes ages and counters while streaming. */
  healthIntervalMs: number;
  alpaca?: AlpacaSettings;
  streams?: DeskStreamSettings;
}

export const defaultDeskConfig: DeskConfig = {
  venue: 'sim',
  seed: 42,
  simIntervalMs: 250,
  tickCoalesceMs: 50,
  staleAfterMs: 5000,
  markPolicy: 'mid',
  maxOptionContracts: 250,
  healthIntervalMs: 1000,
};

/** The desk settings as configuration (venue credentials stay where they came from: env or vault). */
export function configFromSettings(s: DeskSettings, alpaca: AlpacaSettings | undefined): Partial<DeskConfig> {
  return {
    venue: s.venue,
    staleAfterMs: Math.round(s.stale_after_sec * 1000),
    markPolicy: s.mark_policy,
    maxOptionContracts: s.max_option_contracts,
    ...(alpaca ? { alpaca: { ...alpaca, env: s.alpaca.env, stockFeed: s.alpaca.stock_feed, optionFeed: s.alpaca.option_feed } } : {}),
  };
}

/**
 * The configuration in force at construction: defaults < stored settings < environment < explicit
 * config, and where the Alpaca keys came from (explicit config wins over the environment, so it is
 * also what is reported).
 */
export function resolveDeskConfig(
  stored: DeskSettings,
  fromEnv: ReturnType<typeof loadMarketConfig> | null,
  explicit: Partial<DeskConfig> | undefined,
): { config: DeskConfig; alpacaKeysFrom: CredentialOrigin | undefined } {
  const explicitAlpaca = explicit?.alpaca ?? fromEnv?.alpaca;
  const alpacaKeysFrom: CredentialOrigin | undefined = explicit?.alpaca ? { kind: 'environment', detail: 'the desk configuration given at start' } : fromEnv?.alpacaKeysFrom;
  const config = {
    ...defaultDeskConfig,
    ...stripUndefined(configFromSettings(stored, explicitAlpaca)),
    ...(fromEnv ? stripUndefined({ ...fromEnv, ...(fromEnv.alpaca ? { alpaca: { ...fromEnv.alpaca, ...configFromSettings(stored, fromEnv.alpaca).alpaca } } : {}) }) : {}),
    ...(explicit ? stripUndefined(explicit) : {}),
  } as DeskConfig;
  return { config, alpacaKeysFrom };
}

/** The object without its undefined entries (so a patch never overwrites a value with undefined). */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The endpoints Start connects to under this configuration, and where each came from (read-only,
 * shown in Settings). `simUrls`: the embedded simulated venue's, while it runs.
 */
export function endpointsWire(config: DeskConfig, simUrls: AlpacaEndpoints | null): VenueEndpointsWire {
  const keys: EndpointKey[] = ['tradingRest', 'tradingStream', 'dataRest', 'dataStream'];
  if (config.venue === 'sim') {
    const urls = simUrls;
    return {
      venue: 'sim',
      env: null,
      env_source: null,
      endpoints: keys.map((key) => ({ key, url: urls ? urls[key] : null, source: urls ? 'the embedded simulated venue on 127.0.0.1' : 'the embedded simulated venue (port chosen at Start)' })),
      error: null,
    };
  }
  if (config.venue !== 'alpaca') {
    // The venue adapter (SmartAPI, Delta, the sim's NSE/crypto faces) reports its own endpoints once running.
    return { venue: config.venue, env: null, env_source: null, endpoints: [], error: null };
  }
  const a = config.alpaca;
  if (!a) return { venue: 'alpaca', env: null, env_source: null, endpoints: keys.map((key) => ({ key, url: null, source: 'no Alpaca credentials configured' })), error: null };
  let urls: AlpacaEndpoints = ALPACA_DEFAULT_ENDPOINTS[a.env];
  let error: string | null = null;
  try {
    urls = resolveAlpacaEndpoints(a);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  return {
    venue: 'alpaca',
    env: a.env,
    env_source: a.envSource ?? 'default',
    endpoints: keys.map((key) => ({ key, url: urls[key], source: a.urlSources?.[key] ?? `Alpaca's ${a.env} default` })),
    error,
  };
}
