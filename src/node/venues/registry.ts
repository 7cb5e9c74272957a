/**
 * The venue registry: the one place that knows every venue kind. Given an account (its venue kind
 * and mode) and the desk's venue settings, it builds that account's two ports — a MarketDataPort
 * (core/ports/market-data.ts) and an ExecutionPort (core/ports/execution.ts) — plus whatever the
 * kind needs to run (the embedded simulated venue server for `sim`).
 *
 * A new venue kind (`smartapi`, `delta`, `replay`) is one entry in VENUE_BUILDERS and its adapter
 * under src/node/venues/<kind>/. Nothing else constructs a concrete venue: src/node/compose.ts asks
 * this registry, and the desk asks compose.ts.
 */
import type { Clock, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { DEFAULT_ACCOUNT_ID, type Account } from '../../core/model/account';
import type { ExecutionPort } from '../../core/ports/execution';
import type { AccountLedger } from '../../core/ports/ledger-store';
import type { MarketDataPort } from '../../core/ports/market-data';
import type { VenueKind } from '../../core/ports/venue';
import type { CredentialVenue, VenueCredentials } from '../../core/model/credentials';
import { buildSmartApi, smartApiWatchlist } from './smartapi/build';
import { InstrumentMaster, type MasterCache } from './smartapi/master';
import { deltaInstrumentOfRow } from './delta/venue';
import type { Instrument } from '../../core/model/instrument';
import { buildDelta, deltaWatchlist } from './delta/build';
import type { DeskConfig } from '../config/desk-config';
import { alpacaEnvOfUrl, resolveAlpacaEndpoints, type AlpacaEndpoints, type AlpacaSettings } from '../config/market-config';
import { SimVenueServer, simCredentials } from './sim/server';
import { SIM_DEFAULT_VENUE, SimMarketModel, simVenueSeed } from './sim/model';
import { AlpacaVenue, type AlpacaUrls, type StreamTuning } from './alpaca/venue';
import { alpacaPorts } from './alpaca/ports';

export interface VenueBuildRequest {
  /** Whose ports these are: the execution port is this account's. */
  account: Account;
  /**
   * The venue instance name: the venue part of the InstrumentIds its market data produces (default:
   * the account's `venueName`, else its venue kind). Two simulated venues are two names ('sim', 'sim2').
   */
  venueName?: string;
  /** The desk's venue settings (sim seed/interval/port, Alpaca endpoints and feeds, stream tuning). */
  config: DeskConfig;
  /** The Alpaca keys in use (the desk's one answer to "which keys, from where"); unused for `sim`. */
  alpacaCredentials: { keyId: string; secretKey: string } | null;
  /**
   * A venue's stored credentials (the vault's: OS keychain on the desktop, env / 0600 file headless), or
   * null when none are stored. SmartAPI and Delta accounts of mode PAPER/LIVE read theirs here; SIM
   * accounts use their simulated face's fixed credentials.
   */
  credentials?: (venue: CredentialVenue) => VenueCredentials | null;
  /** The ledger's instruments table (v1), where a venue keeps its instrument records across restarts (Delta's products); absent without a ledger. */
  instrumentStore?: Pick<AccountLedger, 'upsertInstrument' | 'getInstrument'> | null;
  /** The SmartAPI instrument master cache (the ledger's); null: downloaded at every start. */
  smartApiMasterCache?: MasterCache | null;
  clock: Clock & Scheduler;
  logger: Logger;
  random: () => number;
  /**
   * The desk's simulated venue servers, one per venue name, shared by the accounts of that venue
   * (default: one pool for the process; compose.ts gives each desk its own).
   */
  simVenues?: SimVenuePool;
}

/** An account's built (not yet started) venue: its two ports and how to release them. */
export interface AccountVenue {
  account: Account;
  marketData: MarketDataPort;
  execution: ExecutionPort;
  /**
   * The embedded simulated venue server the ports talk to (`sim` only; tests inject faults through
   * it). Shared by every account of the same venue name: this account's book is `sim.book(key)`
   * with its key from `simCredentials(account id)`.
   */
  sim: SimVenueServer | null;
  /** Stops and releases everything (sockets, REST client, the sim server). The ports cannot be used afterwards. */
  dispose(): Promise<void>;
}

export type VenueBuilder = (request: VenueBuildRequest) => Promise<AccountVenue>;

function streamTuning(config: DeskConfig, kind: VenueKind): StreamTuning {
  const s = config.streams ?? {};
  return {
    backoff: { baseMs: s.backoffBaseMs ?? 1000, capMs: s.backoffCapMs ?? 30_000 },
    dataTimeoutMs: s.dataTimeoutMs ?? (kind === 'sim' ? 15_000 : 60_000),
    ...(s.connectionLimitWindowMs !== undefined ? { connectionLimitWindowMs: s.connectionLimitWindowMs } : {}),
    ...(s.queueCapacity !== undefined ? { queueCapacity: s.queueCapacity } : {}),
    ...(s.pingIntervalMs !== undefined ? { pingIntervalMs: s.pingIntervalMs } : {}),
  };
}

/** One face of the simulated venue (Alpaca's protocol, SmartAPI's, Delta's): a server started once per venue name. */
export interface SimFace<U = unknown> {
  /** Listens on 127.0.0.1; resolves with the URLs its clients connect to. */
  start(): Promise<U>;
  stop(): Promise<void>;
}

/** The URLs a face's start resolves with. */
export type UrlsOf<S extends SimFace> = Awaited<ReturnType<S['start']>>;

/** A lease on a shared simulated venue server: released once, the last release stops it. */
export interface SimVenueLease<S extends SimFace = SimVenueServer, U = UrlsOf<S>> {
  server: S;
  urls: U;
  release(): Promise<void>;
}

interface PoolEntry {
  server: SimFace;
  ready: Promise<unknown>;
  refs: number;
}

/**
 * The simulated venue servers of one desk, one per venue name (`sim`, `sim2`): started by the first
 * account that needs one, stopped when the last account using it releases it (reference counted).
 * The accounts of one venue share its market model and data; each has its own key and book.
 */
export class SimVenuePool {
  private readonly entries = new Map<string, PoolEntry>();
  /** Servers being stopped by their last release: a new start of that name waits for the port. */
  private readonly stopping = new Map<string, Promise<void>>();

  /** The running server of a venue name (the Alpaca face's), or null. */
  server(venueName: string): SimVenueServer | null {
    const s = this.entries.get(venueName)?.server;
    return s instanceof SimVenueServer ? s : null;
  }

  /** The running server of a venue name, whatever its face, or null. */
  face(venueName: string): SimFace | null {
    return this.entries.get(venueName)?.server ?? null;
  }

  /** Venue names with a server (started or starting). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The venue's server (made by `make` and started if none is running), with one more reference on it.
   * A venue name is one server of one face: asking a name for another face's server throws.
   */
  async acquire<S extends SimFace>(venueName: string, make: () => S, logger: Logger): Promise<SimVenueLease<S>> {
    let entry = this.entries.get(venueName);
    if (!entry) {
      const server = make();
      const previous = this.stopping.get(venueName) ?? Promise.resolve();
      const ready = previous.then(() => server.start());
      entry = { server, ready, refs: 0 };
      this.entries.set(venueName, entry);
      ready.catch(() => {
        if (this.entries.get(venueName) === entry) this.entries.delete(venueName);
        void server.stop().catch((err: unknown) => logger.warn('simulated venue did not stop cleanly', { venue: venueName, error: err instanceof Error ? err.message : String(err) }));
      });
    }
    const held = entry;
    held.refs++;
    let urls: UrlsOf<S>;
    try {
      urls = (await held.ready) as UrlsOf<S>;
    } catch (err) {
      held.refs--;
      throw err;
    }
    let released = false;
    return {
      server: held.server as S,
      urls,
      release: async () => {
        if (released) return;
        released = true;
        if (--held.refs > 0 || this.entries.get(venueName) !== held) return;
        this.entries.delete(venueName);
        const stop = held.server.stop();
        this.stopping.set(venueName, stop);
        try {
          await stop;
        } finally {
          if (this.stopping.get(venueName) === stop) this.stopping.delete(venueName);
        }
      },
    };
  }
}

/** The pool of callers that give none (a desk gives its own: compose.ts createVenueFactory). */
const processSimVenues = new SimVenuePool();

/** Both ports over the Alpaca protocol (Alpaca itself, or the simulated venue that speaks it). */
function alpacaProtocolVenue(
  request: VenueBuildRequest,
  urls: AlpacaUrls,
  credentials: { keyId: string; secretKey: string },
  sim: { server: SimVenueServer; release(): Promise<void> } | null,
): AccountVenue {
  const { account, config, clock, logger, random } = request;
  const kind = account.venue;
  const tuning = streamTuning(config, kind);
  // Alpaca's keys may be configured while the sim is selected: its feed settings apply to Alpaca only.
  const alp = kind === 'alpaca' ? config.alpaca : undefined;
  const connection = new AlpacaVenue(
    {
      name: request.venueName ?? account.venueName ?? kind,
      mode: account.mode,
      credentials,
      urls,
      stockFeed: alp?.stockFeed ?? 'iex',
      optionFeed: alp?.optionFeed ?? 'indicative',
      tradeUpdatesAuth: alp?.tradeUpdatesAuth ?? 'legacy',
      stockEncoding: alp?.stockEncoding ?? 'json',
      // The sim prints option trades too, so `last` is shown; Alpaca's option trade limits are UNCONFIRMED.
      optionChannels: kind === 'sim' ? ['quotes', 'trades'] : ['quotes'],
      tuning,
      tradeUpdatesTuning: { ...tuning, dataTimeoutMs: 0 },
      ...(alp?.restRequestsPerMinute ? { restRequestsPerMinute: alp.restRequestsPerMinute } : {}),
    },
    { clock, logger, random },
  );
  const ports = alpacaPorts(connection, account.id, kind);
  if (sim) {
    // The sim stands for a venue whose session is renewed by logging in (as SmartAPI's will be):
    // re-authentication first renews this key's session on its server, then restarts the channels.
    const execution = ports.execution;
    const reauthenticate = execution.reauthenticate.bind(execution);
    execution.reauthenticate = (fresh) => {
      sim.server.renewSession(credentials.keyId);
      return reauthenticate(fresh);
    };
  }
  return {
    account,
    marketData: ports.marketData,
    execution: ports.execution,
    sim: sim?.server ?? null,
    dispose: async () => {
      try {
        await ports.dispose();
      } finally {
        await sim?.release();
      }
    },
  };
}

/**
 * `sim`: the simulated venue server on 127.0.0.1, reached by the real Alpaca adapter over real
 * sockets. One server per venue name, shared by the accounts of that venue (SimVenuePool): the
 * default venue `sim` on the configured seed and port, another (`sim2`) on a seed derived from its
 * name and an ephemeral port. Each account has its own key on it (simCredentials: the default
 * account SIMKEY, account `acc7` SIMKEY-acc7) and so its own book.
 */
const buildSim: VenueBuilder = async (request) => {
  const { config, clock, logger, account } = request;
  const venueName = request.venueName ?? account.venueName ?? account.venue;
  const pool = request.simVenues ?? processSimVenues;
  const isDefaultVenue = venueName === SIM_DEFAULT_VENUE;
  const seed = simVenueSeed(venueName, config.seed);
  const lease = await pool.acquire(venueName, () => new SimVenueServer({ seed, clock, logger, intervalMs: config.simIntervalMs, port: isDefaultVenue ? (config.simPort ?? 0) : 0 }), logger);
  const credentials = simCredentials(account.id, account.id === DEFAULT_ACCOUNT_ID);
  try {
    lease.server.addAccount(credentials);
  } catch (err) {
    await lease.release();
    throw err;
  }
  logger.info('simulated venue listening', { account: account.id, venue: venueName, key: credentials.keyId, seed, url: lease.urls.tradingRest, admin: `${lease.urls.tradingRest}/__sim/fault` });
  return alpacaProtocolVenue(request, lease.urls, credentials, lease);
};

/**
 * The account's declared mode against the Alpaca environment its endpoints reach: a PAPER account
 * must not reach the live trading host (nor a LIVE one paper). The environment is the settings' `env`
 * (the endpoints' defaults come from it) and, where the trading endpoints are Alpaca's own hosts, the
 * hosts themselves. Throws, naming the account, its declared mode and the endpoint, on a mismatch.
 */
export function checkAlpacaAccountMode(account: Account, a: Pick<AlpacaSettings, 'env' | 'envSource' | 'urlSources'>, urls: AlpacaEndpoints): void {
  const declared = account.mode === 'LIVE' ? 'live' : account.mode === 'PAPER' ? 'paper' : null;
  if (declared === null) {
    throw new Error(`account ${account.id} is an Alpaca account declared ${account.mode}: an Alpaca account must be PAPER or LIVE; not started`);
  }
  const mismatch = (env: string, what: string) =>
    new Error(
      `account ${account.id} is declared ${account.mode}, but ${what} is Alpaca's ${env} environment: a ${account.mode} account must not reach ${env === 'live' ? 'live' : 'paper'} endpoints; not started. ` +
        `Declare the account ${env === 'live' ? 'LIVE' : 'PAPER'} in the accounts file, or set LIVE_DESK_ALPACA_ENV / the endpoints to ${declared}`,
    );
  for (const key of ['tradingRest', 'tradingStream'] as const) {
    const url = urls[key];
    const env = alpacaEnvOfUrl(url.replace(/^ws/, 'http'));
    if (env !== null && env !== declared) throw mismatch(env, `its trading endpoint ${url} (${a.urlSources?.[key] ?? `the default for env ${a.env}`})`);
  }
  if (a.env !== declared) throw mismatch(a.env, `the endpoint ${urls.tradingRest} (env ${a.env}, ${a.envSource ?? 'default'})`);
}

/** `alpaca`: Alpaca's paper or live endpoints with the keys in use, the environment the account declares. */
const buildAlpaca: VenueBuilder = async (request) => {
  const a = request.config.alpaca;
  const keys = request.alpacaCredentials;
  if (!a || !keys) throw new Error('venue "alpaca" is selected but has no credentials (set APCA_API_KEY_ID and APCA_API_SECRET_KEY)');
  const urls = resolveAlpacaEndpoints(a);
  checkAlpacaAccountMode(request.account, a, urls);
  return alpacaProtocolVenue(request, urls, { keyId: keys.keyId, secretKey: keys.secretKey }, null);
};

/** One builder per venue kind: adding a kind here (and to VenueKind) is how a new venue arrives. */
export const VENUE_BUILDERS: { readonly [K in VenueKind]: VenueBuilder } = { sim: buildSim, alpaca: buildAlpaca, smartapi: buildSmartApi, delta: buildDelta };

/**
 * A builder with its own simulated venue servers (a desk's: one per venue name, shared by that
 * venue's accounts, stopped with the last of them), never another builder's in the same process.
 */
export function accountVenueBuilder(simVenues: SimVenuePool = new SimVenuePool()): (request: VenueBuildRequest) => Promise<AccountVenue> {
  return (request) => buildAccountVenue({ ...request, simVenues: request.simVenues ?? simVenues });
}

/**
 * What an account's venue streams from Start when the configuration names no watchlist (its venue
 * symbols): the simulated venue's universe (its venue name's seed), the SmartAPI / Delta venue's own
 * choice (the sim faces' universes; the indices' nearest chains), else the US stock trio.
 */
export function defaultWatchlistOf(account: Account, config: DeskConfig, now: number): string[] {
  switch (account.venue) {
    case 'sim':
      return new SimMarketModel(simVenueSeed(account.venueName ?? account.venue, config.seed), now).symbols;
    case 'smartapi':
      return smartApiWatchlist(account, now);
    case 'delta':
      return deltaWatchlist(account, now);
    case 'alpaca':
      return ['SPY', 'AAPL', 'QQQ'];
  }
}

/** The master cache's instruments, read once per cache and master day (a master is ~100k rows). */
const mastersRead = new WeakMap<MasterCache, { day: string; master: InstrumentMaster } | null>();

/**
 * A venue symbol's instrument from what the desk keeps of the venues' records while they are not
 * running (a replayed day, a restart): the SmartAPI master cache (lot size, tick, INR) and the
 * Delta products in the ledger's `instruments` table (contract value, settlement currency); null when
 * neither has it.
 */
export function instrumentFromRecords(symbol: string, records: { masterCache?: MasterCache | null; instrumentStore?: Pick<AccountLedger, 'getInstrument'> | null }): Instrument | null {
  const cache = records.masterCache;
  if (cache) {
    let read = mastersRead.get(cache);
    if (read === undefined) {
      const loaded = cache.load();
      read = loaded ? { day: loaded.fetchedDay, master: new InstrumentMaster(loaded.records, loaded.fetchedDay) } : null;
      mastersRead.set(cache, read);
    }
    const i = read?.master.instrument(symbol) ?? null;
    if (i) return i;
  }
  const store = records.instrumentStore;
  if (store && /^[CP]-/.test(symbol)) {
    for (const venue of ['delta', 'sim'] as const) {
      const row = store.getInstrument(venue, symbol);
      if (row) {
        try {
          return deltaInstrumentOfRow(symbol, row);
        } catch {
          // a row that is not a Delta product (another venue's): not this one
        }
      }
    }
  }
  return null;
}

/** Builds the account's market-data and execution ports (not started). */
export function buildAccountVenue(request: VenueBuildRequest): Promise<AccountVenue> {
  const build = VENUE_BUILDERS[request.account.venue] as VenueBuilder | undefined;
  if (!build) return Promise.reject(new Error(`account ${request.account.id}: venue kind "${String(request.account.venue)}" has no builder in the venue registry`));
  return build(request);
}
