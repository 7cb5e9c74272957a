/**
 * Venue configuration from environment variables and an optional JSON file, validated with zod at
 * this trust edge. Environment variables win over the file. Errors name the variable or JSON path.
 * Credentials are read here and never logged (see `describeMarketConfig`).
 *
 * | env | file key | meaning |
 * |---|---|---|
 * | LIVE_DESK_CONFIG | — | path of the JSON config file (optional) |
 * | LIVE_DESK_VENUE | venue | `sim` (default), `sim-nse`, `sim-delta`, `alpaca`, `smartapi` or `delta` |
 * | APCA_API_KEY_ID / APCA_API_SECRET_KEY | alpaca.keyId / alpaca.secretKey | Alpaca credentials |
 * | LIVE_DESK_ALPACA_ENV | alpaca.env | `paper` (default) or `live`; inferred from APCA_API_BASE_URL when it is Alpaca's own host; a contradiction is an error |
 * | APCA_API_BASE_URL | alpaca.urls.tradingRest | trading REST base (default per env: https://paper-api.alpaca.markets / https://api.alpaca.markets) |
 * | APCA_API_DATA_URL | alpaca.urls.dataRest | market-data REST base (default https://data.alpaca.markets) |
 * | APCA_API_STREAM_URL | alpaca.urls.dataStream | market-data stream base, the feed path is appended (default wss://stream.data.alpaca.markets) |
 * | LIVE_DESK_ALPACA_TRADING_STREAM_URL | alpaca.urls.tradingStream | trade_updates stream (default: the trading REST base as ws(s) + `/stream`) |
 * | LIVE_DESK_STOCK_FEED | alpaca.stockFeed | `iex` (default), `sip`, `delayed_sip`, `test` |
 * | LIVE_DESK_OPTIONS_FEED | alpaca.optionFeed | `indicative` (default) or `opra` |
 * | — | alpaca.stockEncoding | stock stream `json` (default) or `msgpack` |
 * | — | alpaca.tradeUpdatesAuth | trade_updates auth form: `legacy` (default, both SDKs) or `current` (docs) |
 * | LIVE_DESK_STALE_MS | staleAfterMs | quote stale threshold, default 5000 |
 * | LIVE_DESK_MAX_OPTION_CONTRACTS | maxOptionContracts | planner limit, default 250 |
 * | LIVE_DESK_DATA_TIMEOUT_MS | streams.dataTimeoutMs | silent-socket timeout, default 15000 (sim) / 60000 (alpaca) |
 * | LIVE_DESK_SIM_PORT | simPort | port of the embedded sim venue on 127.0.0.1 (default 0: ephemeral); lets an e2e test reach `POST /__sim/fault` |
 * | LIVE_DESK_WATCHLIST | watchlist | comma-separated symbols streamed at Start (default: the sim's universe / SPY,AAPL,QQQ) |
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DESK_VENUES, type DeskVenue } from '../../core/model/account';

const positiveInt = z.coerce.number().int().positive();

const streamsSchema = z
  .object({
    dataTimeoutMs: z.coerce.number().int().min(0).optional(),
    backoffBaseMs: positiveInt.optional(),
    backoffCapMs: positiveInt.optional(),
    connectionLimitWindowMs: z.coerce.number().int().min(0).optional(),
    queueCapacity: positiveInt.optional(),
    pingIntervalMs: z.coerce.number().int().min(0).optional(),
  })
  .strict();

/** Alpaca's four endpoints (what `AlpacaVenue` connects to). */
export interface AlpacaEndpoints {
  /** e.g. https://paper-api.alpaca.markets */
  tradingRest: string;
  /** e.g. wss://paper-api.alpaca.markets/stream */
  tradingStream: string;
  /** e.g. https://data.alpaca.markets */
  dataRest: string;
  /** e.g. wss://stream.data.alpaca.markets (the feed path is appended) */
  dataStream: string;
}
export type EndpointKey = keyof AlpacaEndpoints;

export const ALPACA_DEFAULT_ENDPOINTS: Record<'paper' | 'live', AlpacaEndpoints> = {
  paper: {
    dataStream: 'wss://stream.data.alpaca.markets',
    tradingStream: 'wss://paper-api.alpaca.markets/stream',
    dataRest: 'https://data.alpaca.markets',
    tradingRest: 'https://paper-api.alpaca.markets',
  },
  live: {
    dataStream: 'wss://stream.data.alpaca.markets',
    tradingStream: 'wss://api.alpaca.markets/stream',
    dataRest: 'https://data.alpaca.markets',
    tradingRest: 'https://api.alpaca.markets',
  },
};

const ENDPOINT_KIND: Record<EndpointKey, 'http' | 'ws'> = { tradingRest: 'http', dataRest: 'http', tradingStream: 'ws', dataStream: 'ws' };

/**
 * An endpoint URL, validated: http(s) for REST, ws(s) for streams, no credentials, query or
 * fragment in it. Returned without a trailing slash. `name` says where it came from (an env
 * variable or a JSON path) so the error names it.
 */
export function parseEndpoint(value: string, kind: 'http' | 'ws', name: string): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new ConfigError(`${name}: ${JSON.stringify(value)} is not a URL (expected e.g. ${kind === 'http' ? 'https://paper-api.alpaca.markets' : 'wss://stream.data.alpaca.markets'})`);
  }
  const ok = kind === 'http' ? ['http:', 'https:'] : ['ws:', 'wss:'];
  if (!ok.includes(u.protocol)) throw new ConfigError(`${name}: must be ${kind === 'http' ? 'an http(s)' : 'a ws(s)'} URL, got ${u.protocol.replace(':', '')}:// (${JSON.stringify(value)})`);
  // Alpaca serves only TLS: a plain http:// or ws:// to its hosts would send the keys in clear (or fail).
  if ((u.protocol === 'http:' || u.protocol === 'ws:') && isAlpacaHost(value)) {
    throw new ConfigError(`${name}: Alpaca's hosts are reached over ${kind === 'http' ? 'https://' : 'wss://'} only, not ${u.protocol}// (${JSON.stringify(value)})`);
  }
  if (u.username || u.password) throw new ConfigError(`${name}: must not carry credentials in the URL (keys go in APCA_API_KEY_ID / APCA_API_SECRET_KEY)`);
  if (u.search || u.hash) throw new ConfigError(`${name}: must not have a query or fragment (${JSON.stringify(value)})`);
  return u.toString().replace(/\/+$/, '');
}

/** Which Alpaca environment an endpoint is, when it is one of Alpaca's own hosts (null: a proxy or gateway). */
export function alpacaEnvOfUrl(url: string): 'paper' | 'live' | null {
  const host = hostOf(url);
  if (host === 'paper-api.alpaca.markets') return 'paper';
  if (host === 'api.alpaca.markets') return 'live';
  return null;
}

/**
 * The host name as DNS sees it: lower case (URL does that), without the trailing dot of a fully
 * qualified name (`api.alpaca.markets.` is the same host) and without a port; null when not a URL.
 */
function hostOf(url: string): string | null {
  try {
    return new URL(url.trim()).hostname.toLowerCase().replace(/\.+$/, '');
  } catch {
    return null;
  }
}

/** Whether a URL points at one of Alpaca's own hosts (any *.alpaca.markets). */
export function isAlpacaHost(url: string): boolean {
  const host = hostOf(url);
  return host !== null && (host === 'alpaca.markets' || host.endsWith('.alpaca.markets'));
}

const endpointsSchema = z
  .object({ tradingRest: z.string().optional(), tradingStream: z.string().optional(), dataRest: z.string().optional(), dataStream: z.string().optional() })
  .strict();

const alpacaSchema = z
  .object({
    keyId: z.string().min(1).optional(),
    secretKey: z.string().min(1).optional(),
    env: z.enum(['paper', 'live']).optional(),
    stockFeed: z.enum(['iex', 'sip', 'delayed_sip', 'test']).optional(),
    optionFeed: z.enum(['indicative', 'opra']).optional(),
    tradeUpdatesAuth: z.enum(['legacy', 'current']).optional(),
    stockEncoding: z.enum(['json', 'msgpack']).optional(),
    restRequestsPerMinute: positiveInt.optional(),
    urls: endpointsSchema.optional(),
  })
  .strict();

export const marketConfigFileSchema = z
  .object({
    venue: z.enum(DESK_VENUES).optional(),
    seed: z.coerce.number().int().optional(),
    simPort: z.coerce.number().int().min(0).max(65535).optional(),
    staleAfterMs: positiveInt.optional(),
    markPolicy: z.enum(['mid', 'last', 'conservative']).optional(),
    maxOptionContracts: positiveInt.optional(),
    watchlist: z.array(z.string().min(1).max(32)).max(5000).optional(),
    alpaca: alpacaSchema.optional(),
    streams: streamsSchema.optional(),
  })
  .strict();

export type MarketConfigFile = z.infer<typeof marketConfigFileSchema>;

export interface AlpacaSettings {
  keyId: string;
  secretKey: string;
  env: 'paper' | 'live';
  stockFeed: 'iex' | 'sip' | 'delayed_sip' | 'test';
  optionFeed: 'indicative' | 'opra';
  tradeUpdatesAuth: 'legacy' | 'current';
  stockEncoding?: 'json' | 'msgpack';
  restRequestsPerMinute?: number;
  /** Endpoints set in env or the file (validated); the rest are Alpaca's defaults for `env`. */
  urls?: Partial<AlpacaEndpoints>;
  /** Where each set endpoint came from (an env variable or a JSON path), for Settings and errors. */
  urlSources?: Partial<Record<EndpointKey, string>>;
  /** How `env` was decided (shown with the endpoints). */
  envSource?: string;
}

export interface MarketConfig {
  venue: DeskVenue;
  seed?: number;
  simPort?: number;
  staleAfterMs?: number;
  markPolicy?: 'mid' | 'last' | 'conservative';
  maxOptionContracts?: number;
  watchlist?: string[];
  alpaca?: AlpacaSettings;
  /** Where `alpaca.keyId`/`secretKey` came from (names only, never values): the one answer to "which keys are in use". */
  alpacaKeysFrom?: CredentialOrigin;
  streams?: z.infer<typeof streamsSchema>;
}

/** Where the active credentials came from, for the credentials status and the log. */
export interface CredentialOrigin {
  kind: 'environment' | 'file';
  /** e.g. "APCA_API_KEY_ID and APCA_API_SECRET_KEY (environment)". */
  detail: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function issues(err: z.ZodError, prefix: string): string {
  return err.issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Reads and validates the JSON config file. */
export function readMarketConfigFile(path: string): MarketConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = marketConfigFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`config file ${path}: ${issues(parsed.error, '')}`);
  return parsed.data;
}

/** Environment first, then the file (LIVE_DESK_CONFIG or `filePath`), then defaults. */
export function loadMarketConfig(env: Env, filePath?: string): MarketConfig {
  const path = filePath ?? env.LIVE_DESK_CONFIG;
  const file: MarketConfigFile = path ? readMarketConfigFile(path) : {};
  const fromEnv = {
    venue: env.LIVE_DESK_VENUE,
    simPort: env.LIVE_DESK_SIM_PORT,
    staleAfterMs: env.LIVE_DESK_STALE_MS,
    maxOptionContracts: env.LIVE_DESK_MAX_OPTION_CONTRACTS,
    watchlist: env.LIVE_DESK_WATCHLIST?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean),
    dataTimeoutMs: env.LIVE_DESK_DATA_TIMEOUT_MS,
    keyId: env.APCA_API_KEY_ID,
    secretKey: env.APCA_API_SECRET_KEY,
    env: env.LIVE_DESK_ALPACA_ENV,
    stockFeed: env.LIVE_DESK_STOCK_FEED,
    optionFeed: env.LIVE_DESK_OPTIONS_FEED,
  };
  const envSchema = z.object({
    venue: z.enum(DESK_VENUES, `must be one of ${DESK_VENUES.join(', ')}`).optional(),
    simPort: z.coerce.number().int().min(0).max(65535).optional(),
    staleAfterMs: positiveInt.optional(),
    maxOptionContracts: positiveInt.optional(),
    watchlist: z.array(z.string().min(1).max(32)).optional(),
    dataTimeoutMs: z.coerce.number().int().min(0).optional(),
    keyId: z.string().min(1).optional(),
    secretKey: z.string().min(1).optional(),
    env: z.enum(['paper', 'live']).optional(),
    stockFeed: z.enum(['iex', 'sip', 'delayed_sip', 'test']).optional(),
    optionFeed: z.enum(['indicative', 'opra']).optional(),
  });
  const ENV_NAMES: Record<string, string> = {
    venue: 'LIVE_DESK_VENUE',
    simPort: 'LIVE_DESK_SIM_PORT',
    staleAfterMs: 'LIVE_DESK_STALE_MS',
    maxOptionContracts: 'LIVE_DESK_MAX_OPTION_CONTRACTS',
    watchlist: 'LIVE_DESK_WATCHLIST',
    dataTimeoutMs: 'LIVE_DESK_DATA_TIMEOUT_MS',
    keyId: 'APCA_API_KEY_ID',
    secretKey: 'APCA_API_SECRET_KEY',
    env: 'LIVE_DESK_ALPACA_ENV',
    stockFeed: 'LIVE_DESK_STOCK_FEED',
    optionFeed: 'LIVE_DESK_OPTIONS_FEED',
  };
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${ENV_NAMES[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '));
  }
  const e = parsed.data;
  const venue = e.venue ?? file.venue ?? 'sim';
  const endpoints = readEndpoints(env, file.alpaca?.urls ?? {});
  const streams = { ...file.streams, ...(e.dataTimeoutMs !== undefined ? { dataTimeoutMs: e.dataTimeoutMs } : {}) };
  const config: MarketConfig = {
    venue,
    ...(file.seed !== undefined ? { seed: file.seed } : {}),
    ...((e.simPort ?? file.simPort) !== undefined ? { simPort: e.simPort ?? file.simPort } : {}),
    ...(e.staleAfterMs ?? file.staleAfterMs ? { staleAfterMs: e.staleAfterMs ?? file.staleAfterMs } : {}),
    ...(file.markPolicy ? { markPolicy: file.markPolicy } : {}),
    ...(e.maxOptionContracts ?? file.maxOptionContracts ? { maxOptionContracts: e.maxOptionContracts ?? file.maxOptionContracts } : {}),
    ...(e.watchlist ?? file.watchlist ? { watchlist: e.watchlist ?? file.watchlist } : {}),
    ...(Object.keys(streams).length ? { streams } : {}),
  };
  // The Alpaca part is read whenever its keys are given, whatever the venue selected now: the
  // credentials status and a later switch to "alpaca" (Settings) see the same keys Start would use.
  const a = file.alpaca ?? {};
  const keyId = e.keyId ?? a.keyId;
  const secretKey = e.secretKey ?? a.secretKey;
  if (venue === 'alpaca' || (keyId && secretKey)) {
    const missing = [!keyId && 'APCA_API_KEY_ID (or alpaca.keyId)', !secretKey && 'APCA_API_SECRET_KEY (or alpaca.secretKey)'].filter(Boolean);
    if (missing.length) throw new ConfigError(`venue "alpaca" needs credentials: missing ${missing.join(' and ')}`);
    // paper/live: said explicitly, or Alpaca's own trading host says it; a proxy or gateway URL says
    // nothing, so the default (paper) applies — and it is shown as such, never guessed silently.
    const inferred = endpoints.urls.tradingRest ? alpacaEnvOfUrl(endpoints.urls.tradingRest) : null;
    const explicit = e.env ?? a.env;
    const explicitName = e.env !== undefined ? 'LIVE_DESK_ALPACA_ENV' : 'alpaca.env';
    if (explicit && inferred && explicit !== inferred) {
      throw new ConfigError(`${explicitName}=${explicit} contradicts ${endpoints.sources.tradingRest} (${endpoints.urls.tradingRest} is Alpaca's ${inferred} endpoint)`);
    }
    const envValue = explicit ?? inferred ?? 'paper';
    const envSource = explicit ? explicitName : inferred ? `inferred from ${endpoints.sources.tradingRest}` : endpoints.urls.tradingRest ? `default (${endpoints.sources.tradingRest} is not an Alpaca host: set LIVE_DESK_ALPACA_ENV=live if it fronts a live account)` : 'default';
    const fromEnvKeys = [e.keyId && 'APCA_API_KEY_ID', e.secretKey && 'APCA_API_SECRET_KEY'].filter(Boolean) as string[];
    const fromFileKeys = [!e.keyId && 'alpaca.keyId', !e.secretKey && 'alpaca.secretKey'].filter(Boolean) as string[];
    config.alpacaKeysFrom =
      fromFileKeys.length === 0
        ? { kind: 'environment', detail: `${fromEnvKeys.join(' and ')} (environment)` }
        : {
            kind: fromEnvKeys.length === 0 ? 'file' : 'environment',
            detail: [fromEnvKeys.length ? `${fromEnvKeys.join(' and ')} (environment)` : null, `${fromFileKeys.join(' and ')} in ${path} (LIVE_DESK_CONFIG)`].filter(Boolean).join(', '),
          };
    config.alpaca = {
      keyId: keyId!,
      secretKey: secretKey!,
      env: envValue,
      envSource,
      stockFeed: e.stockFeed ?? a.stockFeed ?? 'iex',
      optionFeed: e.optionFeed ?? a.optionFeed ?? 'indicative',
      tradeUpdatesAuth: a.tradeUpdatesAuth ?? 'legacy',
      ...(a.stockEncoding ? { stockEncoding: a.stockEncoding } : {}),
      ...(a.restRequestsPerMinute ? { restRequestsPerMinute: a.restRequestsPerMinute } : {}),
      ...(Object.keys(endpoints.urls).length ? { urls: endpoints.urls, urlSources: endpoints.sources } : {}),
    };
  }
  return config;
}

const ENDPOINT_ENV: Record<EndpointKey, string> = {
  tradingRest: 'APCA_API_BASE_URL',
  dataRest: 'APCA_API_DATA_URL',
  dataStream: 'APCA_API_STREAM_URL',
  tradingStream: 'LIVE_DESK_ALPACA_TRADING_STREAM_URL',
};

/** Endpoints from env (first) and the file, validated, each with where it came from. */
function readEndpoints(env: Env, file: z.infer<typeof endpointsSchema>): { urls: Partial<AlpacaEndpoints>; sources: Partial<Record<EndpointKey, string>> } {
  const urls: Partial<AlpacaEndpoints> = {};
  const sources: Partial<Record<EndpointKey, string>> = {};
  for (const key of Object.keys(ENDPOINT_ENV) as EndpointKey[]) {
    const fromEnv = env[ENDPOINT_ENV[key]];
    const fromFile = file[key];
    const [value, name] = fromEnv !== undefined && fromEnv !== '' ? [fromEnv, ENDPOINT_ENV[key]] : fromFile !== undefined ? [fromFile, `alpaca.urls.${key}`] : [undefined, undefined];
    if (value === undefined || name === undefined) continue;
    urls[key] = parseEndpoint(value, ENDPOINT_KIND[key], name);
    sources[key] = name;
  }
  // As Alpaca's SDKs do: the trading stream lives on the trading host, at /stream.
  if (urls.tradingRest && !urls.tradingStream) {
    urls.tradingStream = `${urls.tradingRest.replace(/^http/, 'ws')}/stream`;
    sources.tradingStream = `derived from ${sources.tradingRest}`;
  }
  return { urls, sources };
}

/**
 * The four endpoints Start connects to: Alpaca's defaults for `env`, overridden by what was set.
 * Refuses (ConfigError) a set trading endpoint that is Alpaca's own host for the other environment
 * (e.g. LIVE shown while connecting to paper), since env may come from the settings page too.
 */
export function resolveAlpacaEndpoints(a: Pick<AlpacaSettings, 'env' | 'urls' | 'urlSources'>): AlpacaEndpoints {
  const out = { ...ALPACA_DEFAULT_ENDPOINTS[a.env], ...a.urls };
  for (const key of ['tradingRest', 'tradingStream'] as const) {
    const set = a.urls?.[key];
    const other = set ? alpacaEnvOfUrl(set.replace(/^ws/, 'http')) : null;
    if (other && other !== a.env) throw new ConfigError(`the account is set to ${a.env}, but ${a.urlSources?.[key] ?? key} (${set}) is Alpaca's ${other} endpoint`);
  }
  return out;
}

/** A loggable description: never the secret, only the key id's last 4 characters. */
export function describeMarketConfig(c: MarketConfig): Record<string, unknown> {
  return {
    venue: c.venue,
    ...(c.alpaca
      ? {
          alpaca: {
            env: c.alpaca.env,
            envSource: c.alpaca.envSource ?? 'default',
            stockFeed: c.alpaca.stockFeed,
            optionFeed: c.alpaca.optionFeed,
            keyId: `…${c.alpaca.keyId.slice(-4)}`,
            ...(c.alpaca.urls ? { endpoints: c.alpaca.urls, endpointSources: c.alpaca.urlSources } : {}),
          },
        }
      : {}),
  };
}
