/**
 * Venue configuration from environment variables and an optional JSON file, validated with zod at
 * this trust edge. Environment variables win over the file. Errors name the variable or JSON path.
 * Credentials are read here and never logged (see `describeMarketConfig`).
 *
 * | env | file key | meaning |
 * |---|---|---|
 * | LIVE_DESK_CONFIG | — | path of the JSON config file (optional) |
 * | LIVE_DESK_VENUE | venue | `sim` (default) or `alpaca` |
 * | APCA_API_KEY_ID / APCA_API_SECRET_KEY | alpaca.keyId / alpaca.secretKey | Alpaca credentials |
 * | LIVE_DESK_ALPACA_ENV | alpaca.env | `paper` (default) or `live`; inferred from APCA_API_BASE_URL when it names paper/live |
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
  })
  .strict();

export const marketConfigFileSchema = z
  .object({
    venue: z.enum(['sim', 'alpaca']).optional(),
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
}

export interface MarketConfig {
  venue: 'sim' | 'alpaca';
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
    env: env.LIVE_DESK_ALPACA_ENV ?? inferEnv(env.APCA_API_BASE_URL),
    stockFeed: env.LIVE_DESK_STOCK_FEED,
    optionFeed: env.LIVE_DESK_OPTIONS_FEED,
  };
  const envSchema = z.object({
    venue: z.enum(['sim', 'alpaca']).optional(),
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
  if (venue === 'alpaca') {
    const a = file.alpaca ?? {};
    const keyId = e.keyId ?? a.keyId;
    const secretKey = e.secretKey ?? a.secretKey;
    const missing = [!keyId && 'APCA_API_KEY_ID (or alpaca.keyId)', !secretKey && 'APCA_API_SECRET_KEY (or alpaca.secretKey)'].filter(Boolean);
    if (missing.length) throw new ConfigError(`venue "alpaca" needs credentials: missing ${missing.join(' and ')}`);
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
      env: e.env ?? a.env ?? 'paper',
      stockFeed: e.stockFeed ?? a.stockFeed ?? 'iex',
      optionFeed: e.optionFeed ?? a.optionFeed ?? 'indicative',
      tradeUpdatesAuth: a.tradeUpdatesAuth ?? 'legacy',
      ...(a.stockEncoding ? { stockEncoding: a.stockEncoding } : {}),
      ...(a.restRequestsPerMinute ? { restRequestsPerMinute: a.restRequestsPerMinute } : {}),
    };
  }
  return config;
}

function inferEnv(baseUrl: string | undefined): 'paper' | 'live' | undefined {
  if (!baseUrl) return undefined;
  if (/paper/i.test(baseUrl)) return 'paper';
  if (/api\.alpaca\.markets/i.test(baseUrl)) return 'live';
  return undefined;
}

/** A loggable description: never the secret, only the key id's last 4 characters. */
export function describeMarketConfig(c: MarketConfig): Record<string, unknown> {
  return {
    venue: c.venue,
    ...(c.alpaca ? { alpaca: { env: c.alpaca.env, stockFeed: c.alpaca.stockFeed, optionFeed: c.alpaca.optionFeed, keyId: `…${c.alpaca.keyId.slice(-4)}` } } : {}),
  };
}
