/**
 * The per-account venue lifecycle of the desk (docs/venues-and-accounts.md, "Running every held
 * account at once"): one AccountRuntime per held account (the default account's first), each
 * account's venue built through the injected VenueFactory at Start and disposed at Stop, the
 * market-data sources shared by venue instance name (the first running account's port of a name
 * feeds the one quote cache), the quote cache's subscription deltas and the REST latest-quotes
 * refresh routed to the source owning each instrument, the plans of the sources besides the default
 * account's venue, the health rows of every account joined, and the held accounts as wire rows and
 * ledger rows.
 *
 * It never calls the desk: what it hears from the venues (order updates, health, session, an
 * account that failed to start) goes to the listeners the desk passes in.
 */
import type { Clock, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import type { QuoteCache } from '../../core/market/quote-cache';
import type { Quote } from '../../core/market/quote';
import { planSubscriptions } from '../../core/market/subscription-planner';
import { VenueInstruments } from '../../core/market/instruments';
import { instrumentSymbol, type AccountId, type InstrumentId } from '../../core/model/ids';
import { DEFAULT_ACCOUNT_ID, defaultAccount, type Account } from '../../core/model/account';
import type { CredentialVenue, VenueCredentials } from '../../core/model/credentials';
import type { Instrument } from '../../core/model/instrument';
import type { AccountLedger, TradingMode } from '../../core/ports/ledger-store';
import type { MarketDataPort } from '../../core/ports/market-data';
import type { OrderUpdate, VenueSessionState } from '../../core/ports/venue';
import type { StreamerProbe } from '../../core/pnl/active-pnl-tracker';
import type { KillSwitchLevel } from '../../core/risk/kill-switch';
import type { AccountWire, StreamHealthWire, VenueMode } from '../../shared/contract';
import type { DeskConfig } from '../config/desk-config';
import type { VenueFactory, VenueRun } from '../compose';
import type { VenueBuildRequest } from '../venues/registry';
import type { ActiveCredentials } from './handlers/credentials';
import { AccountRuntime } from './account-runtime';

/** The desk subscribes one plan: the open positions' symbols first, then the watchlist (`desk.plan`; another source's is `desk.plan:<name>`). */
export const PLAN_CONSUMER = 'desk.plan';

/** What the supervisor hears from the running venues, for the desk to act on. */
export interface SupervisorListeners {
  /** An order update from an account's execution port (trade_updates). */
  orderUpdate(account: Account, update: OrderUpdate): void;
  /** A channel's health or an account's session changed: the health rows are worth publishing. */
  health(): void;
  /** Another held account failed to start (the default account's failure is the desk's start failure). */
  accountFailed(account: Account, message: string): void;
  /** An account's venue started (its execution port connected): trading, fills and reconciliation begin for it. */
  accountStarted?(account: Account, venue: VenueRun): void;
  /** Stop: the account's venue is about to be disposed. */
  accountStopping?(account: Account): void;
  /** The account's order channel caught up after a gap (the venue's `resync`): fetch what was missed, reconcile. */
  resync?(account: Account, stream: string): void;
}

export interface AccountSupervisorDeps {
  clock: Clock & Scheduler;
  logger: Logger;
  random: () => number;
  /** Builds an account's venue (compose → registry); the supervisor constructs none itself. */
  venues: VenueFactory;
  /** The one quote cache every source feeds. */
  cache: QuoteCache;
  /** The configuration in force (read at each use: it changes with `applyConfig`). */
  config: () => DeskConfig;
  /** Whether the desk is streaming (a start overtaken by Stop does nothing). */
  isStreaming: () => boolean;
  /** The Alpaca keys in use (config or vault), asked only when an Alpaca venue is built. */
  alpacaCredentials: () => ActiveCredentials | null;
  /** A venue's stored credentials (the vault's), asked when a SmartAPI or Delta venue is built; null when none. */
  venueCredentials?: (venue: CredentialVenue) => VenueCredentials | null;
  /** The ledger's instruments table, handed to the venues that keep their records there (Delta's products). */
  instrumentStore?: Pick<AccountLedger, 'upsertInstrument' | 'getInstrument'> | null;
  /** The SmartAPI instrument master cache handed to SmartAPI venues (the ledger's). */
  smartApiMasterCache?: VenueBuildRequest['smartApiMasterCache'];
  /** The instruments the P&L tracker needs (planned first on each source). */
  needed: () => readonly InstrumentId[];
  /** Another account's default watchlist (when the configuration names none). */
  watchlistOf: (account: Account) => string[];
  /** The kill switch level in force for an account (for `accounts.list`). */
  killSwitchLevel: (account: AccountId) => KillSwitchLevel;
  /** Accounts held besides the default one (the accounts file). */
  accounts?: readonly Account[];
  /** Where the held accounts are persisted (the ledger's `accounts` table). */
  accountLedger?: Pick<AccountLedger, 'upsertAccount'> | null;
  listeners: SupervisorListeners;
}

/** A market-data source: the port of one venue instance name, its symbol interning, the account it came with. */
interface MarketSource {
  port: MarketDataPort;
  ids: VenueInstruments;
  account: Account;
}

export class AccountSupervisor {
  /** The default account's runtime: its venue (market-data + execution ports) while running, its start error and health records. */
  readonly main = new AccountRuntime(DEFAULT_ACCOUNT_ID);
  /** Every held account's runtime, the default account's first. */
  private readonly runtimes = new Map<AccountId, AccountRuntime>([[DEFAULT_ACCOUNT_ID, this.main]]);
  /**
   * While streaming, the market-data source of each venue instance name (the venue part of its
   * InstrumentIds): one port per name, the first running account's on it. The quote cache's
   * subscription deltas and the REST refresh go to the source owning each instrument.
   */
  private readonly sources = new Map<string, MarketSource>();
  /** The last plan subscribed for each other source (by name): unchanged plans are not re-subscribed. */
  private readonly otherPlans = new Map<string, string>();
  private venueIds: VenueInstruments | null = null;
  /** Accounts held besides the default one (configured). */
  readonly configured: readonly Account[];
  private readonly accountLedger: Pick<AccountLedger, 'upsertAccount'> | null;

  constructor(private readonly deps: AccountSupervisorDeps) {
    // Each instrument's subscription goes to the market-data source of its venue (by instance name).
    deps.cache.onSubscriptionChange((d) => {
      for (const src of this.sources.values()) {
        if (d.removed.length) src.port.unsubscribe(ownSymbols(src.ids, d.removed));
        if (d.added.length) src.port.subscribe(ownSymbols(src.ids, d.added));
      }
    });
    this.configured = deps.accounts ?? [];
    for (const a of this.configured) this.runtimes.set(a.id, new AccountRuntime(a.id));
    this.accountLedger = deps.accountLedger ?? null;
  }

  /** Symbol → InstrumentId at the configured venue (the venue instance name; interned once per symbol). */
  defaultIds(): VenueInstruments {
    const venue = this.deps.config().venue;
    if (this.venueIds?.venue !== venue) this.venueIds = new VenueInstruments(venue);
    return this.venueIds;
  }

  /** The default account, derived from the configured venue. */
  defaultAccount(): Account {
    const config = this.deps.config();
    return defaultAccount(config.venue, config.alpaca?.env ?? null);
  }

  /** The accounts held: the default account first, then the configured ones. Every one runs while streaming. */
  accounts(): readonly Account[] {
    return [this.defaultAccount(), ...this.configured];
  }

  /** A configured (non-default) account by id. */
  held(id: AccountId): Account | undefined {
    return this.configured.find((a) => a.id === id);
  }

  /** A held account's running venue (its ports and, for `sim`, its server); null when not running. */
  venueOf(id: AccountId): VenueRun | null {
    return this.runtimes.get(id)?.venue ?? null;
  }

  /**
   * The instrument behind a venue symbol, as the running market-data sources know it (SmartAPI's
   * master, Delta's products, the OCC reading of the Alpaca protocol's venues); null when none does.
   * Venues whose symbols need their records (SmartAPI, Delta) are asked before the Alpaca protocol's,
   * whose reading of a bare symbol (BTCUSD) as a stock is only a reading.
   */
  instrumentOf(symbol: string): Instrument | null {
    let fallback: MarketDataPort | null = null;
    for (const { port } of this.sources.values()) {
      if (port.kind === 'sim' || port.kind === 'alpaca') {
        fallback ??= port;
        continue;
      }
      const i = port.instrument(symbol);
      if (i !== null) return i;
    }
    return fallback?.instrument(symbol) ?? null;
  }

  /** How many market-data sources are running (one per venue instance name). */
  get sourceCount(): number {
    return this.sources.size;
  }

  /** Start begins: every account's last start error goes. */
  clearErrors(): void {
    for (const r of this.runtimes.values()) r.clearError();
  }

  /** Builds the default account's venue (through the factory), attaches it and listens to it; not started yet. */
  async attachDefault(): Promise<VenueRun> {
    const config = this.deps.config();
    // The alpaca branch needs the keys in use; the sim has its own (asked only for alpaca, as before).
    const active = config.venue === 'alpaca' ? this.deps.alpacaCredentials() : null;
    const account = this.defaultAccount();
    const run = await this.build(account, active);
    this.main.attach(run);
    this.listenVenue(account, run);
    return run;
  }

  /**
   * Starts the attached default venue (its source subscribed to what the cache holds), then every
   * other held account's alongside: one failing to start is that account's error, the others stream on.
   */
  async startAll(): Promise<void> {
    const run = this.main.venue;
    if (run) {
      run.marketData.subscribe(ownSymbols(this.defaultIds(), this.deps.cache.subscribedInstruments()));
      await run.marketData.start();
      await run.execution.start();
      this.deps.listeners.accountStarted?.(this.defaultAccount(), run);
    }
    await Promise.all(this.configured.map((a) => this.startAccount(a)));
    this.replanOthers();
  }

  /** The default account's start failed: every one of its rows says why until the next Start. */
  defaultFailed(message: string): void {
    this.main.failed(message, this.deps.clock.now());
  }

  /** Stop: the sources go, every runtime keeps what it last knew, every venue is disposed. */
  async stopAll(): Promise<void> {
    for (const a of this.accounts()) if (this.runtimes.get(a.id)?.venue) this.deps.listeners.accountStopping?.(a);
    this.sources.clear();
    const now = this.deps.clock.now();
    const venues = [...this.runtimes.values()].map((r) => r.detach(now));
    await Promise.all(venues.map((v) => v?.dispose()));
  }

  /**
   * The plan of every source besides the default account's venue: its watchlist (the configured one,
   * else the venue's default) with the instruments of its venue the P&L tracker needs first.
   */
  replanOthers(): void {
    if (!this.deps.isStreaming()) return;
    const config = this.deps.config();
    for (const [name, src] of this.sources) {
      if (name === config.venue) continue;
      const watchlist = config.watchlist ?? this.deps.watchlistOf(src.account);
      const plan = planSubscriptions(
        [...ownSymbols(src.ids, this.deps.needed()), ...watchlist].map((symbol) => ({ symbol })),
        { maxOptionContracts: config.maxOptionContracts, includeUnderlyings: false },
      );
      const symbols = [...plan.stocks, ...plan.options];
      const key = symbols.join(',');
      if (this.otherPlans.get(name) === key) continue;
      this.otherPlans.set(name, key);
      for (const w of plan.warnings) this.deps.logger.warn('subscription plan', { venue: name, warning: w });
      this.deps.cache.replaceSubscriptions(`${PLAN_CONSUMER}:${name}`, symbols.map((s) => src.ids.tryOf(s)).filter((i): i is InstrumentId => i !== null));
    }
  }

  /** The latest quotes of these instruments, each asked of its venue's source (one request per source). */
  async latestQuotes(instruments: readonly InstrumentId[]): Promise<Quote[]> {
    const trades = this.deps.cache.markPolicy === 'last';
    const asks: Promise<Quote[]>[] = [];
    for (const src of this.sources.values()) {
      const symbols = ownSymbols(src.ids, instruments);
      if (symbols.length > 0 || this.sources.size === 1) asks.push(src.port.latestQuotes(symbols, { trades }));
    }
    if (asks.length === 1) return asks[0]!;
    const settled = await Promise.allSettled(asks);
    const got = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // One venue's failure leaves its quotes unrefreshed; only when every venue failed is the refresh a failure.
    if (failed && got.length === 0) throw failed.reason;
    return got;
  }

  /** Every account's health rows (each carries its accountId), running or not. */
  rows(now: number): StreamHealthWire[] {
    return [...this.runtimes.values()].flatMap((r) => r.rows(now));
  }

  /** The streamer's state for the P&L tracker, from the data channels of the accounts streaming. */
  streamerProbe(streaming: boolean): StreamerProbe {
    if (!streaming) return { state: 'stopped', streaming: false };
    // The default account's channels and those of every other account running (one that failed to start streams nothing to value).
    const now = this.deps.clock.now();
    const rows = [...this.runtimes.values()].flatMap((r) => (r === this.main || r.venue !== null ? r.rows(now) : []));
    // data channels: the Alpaca protocol's stocks/options, any other venue's data-liveness channels (SmartAPI's feeds), and REST
    const data = rows.filter((s) => s.name === 'rest' || (s.name !== 'trade_updates' && s.liveness !== 'heartbeat'));
    const has = (st: StreamHealthWire['state']) => data.some((s) => s.state === st);
    const state = has('session_needed')
      ? 'session_needed'
      : has('error')
        ? 'error'
        : data.every((s) => s.state === 'running')
          ? 'running'
          : has('reconnecting')
            ? 'degraded'
            : 'connecting';
    return { state, streaming: true };
  }

  /** Each held account with its session (execution port) and kill switch level: `accounts.list`. */
  accountsWire(): AccountWire[] {
    return this.accounts().map((a) => {
      const rt = this.runtimes.get(a.id);
      const running = rt && rt.venue !== null ? rt : null;
      return {
        id: a.id,
        label: a.label,
        venue: a.venue,
        venue_name: a.venueName ?? a.venue,
        mode: a.mode,
        credentials: a.credentialsRef?.venue ?? null,
        is_default: a.id === DEFAULT_ACCOUNT_ID,
        running: running !== null,
        session: running ? running.session() : null,
        kill_switch: this.deps.killSwitchLevel(a.id),
      };
    });
  }

  /** Writes the held accounts to the ledger's `accounts` table (a failure is logged; the ledger reports its own health). */
  persistAccounts(only?: Account): void {
    if (!this.accountLedger) return;
    for (const a of only ? [only] : this.accounts()) {
      try {
        this.accountLedger.upsertAccount({ accountId: a.id, venue: a.venue, label: a.label, mode: ledgerMode(a.mode) }, this.deps.clock.now());
      } catch (err) {
        this.deps.logger.warn('account not recorded in the ledger', { account: a.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private build(account: Account, alpacaCredentials: ActiveCredentials | null): Promise<VenueRun> {
    const { clock, logger, random } = this.deps;
    const stored = this.deps.venueCredentials;
    return this.deps.venues({ account, config: this.deps.config(), mode: account.mode, alpacaCredentials, credentials: (venue) => stored?.(venue) ?? null, instrumentStore: this.deps.instrumentStore ?? null, smartApiMasterCache: this.deps.smartApiMasterCache ?? null, clock, logger, random });
  }

  /**
   * Listens to an account's venue: its execution port always (order updates are this account's), its
   * market data when it is the first source of its venue name (one port per name feeds the cache).
   */
  private listenVenue(account: Account, venue: VenueRun): void {
    const { marketData, execution } = venue;
    const { cache, listeners, logger } = this.deps;
    if (!this.sources.has(marketData.name)) {
      const ids = marketData.name === this.deps.config().venue ? this.defaultIds() : new VenueInstruments(marketData.name);
      this.sources.set(marketData.name, { port: marketData, ids, account });
      marketData.listen({
        quote: (t) => cache.applyQuote(t),
        trade: (t) => cache.applyTrade(t),
        health: () => listeners.health(),
      });
    }
    execution.listen({
      orderUpdate: (u) => listeners.orderUpdate(account, u),
      resync: (stream) => listeners.resync?.(account, stream),
      health: () => listeners.health(),
      session: (state: VenueSessionState, reason) => {
        if (state === 'session_needed') logger.warn('venue session needed', { account: account.id, reason });
        listeners.health();
      },
    });
  }

  /** Builds (through the registry), attaches and starts another held account's venue; a failure is that account's error. */
  private async startAccount(account: Account): Promise<void> {
    const runtime = this.runtimes.get(account.id);
    if (!runtime || !this.deps.isStreaming()) return;
    const { clock, logger } = this.deps;
    let venue: VenueRun | null = null;
    try {
      const keys = account.venue === 'alpaca' ? this.deps.alpacaCredentials() : null;
      venue = await this.build(account, keys);
      runtime.attach(venue);
      const source = !this.sources.has(venue.marketData.name);
      this.listenVenue(account, venue);
      if (source) {
        venue.marketData.subscribe(ownSymbols(this.sources.get(venue.marketData.name)!.ids, this.deps.cache.subscribedInstruments()));
        await venue.marketData.start();
      }
      await venue.execution.start();
      this.deps.listeners.accountStarted?.(account, venue);
      logger.info('account streaming', { account: account.id, venue: venue.marketData.name });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.error('account failed to start', { account: account.id, message });
      this.deps.listeners.accountFailed(account, message);
      if (venue) {
        if (this.sources.get(venue.marketData.name)?.port === venue.marketData) this.sources.delete(venue.marketData.name);
        runtime.detach(clock.now());
        await venue.dispose().catch((e: unknown) => logger.warn('account venue did not stop cleanly', { account: account.id, error: e instanceof Error ? e.message : String(e) }));
      }
      runtime.failed(message, clock.now());
    }
  }
}

/** The venue instance name of an account's market data (the venue part of its InstrumentIds). */
export function venueNameOf(account: Account): string {
  return account.venueName ?? account.venue;
}

/** The source's own symbols of these instruments (another venue's instruments are not its to subscribe). */
export function ownSymbols(ids: VenueInstruments, instruments: readonly InstrumentId[]): string[] {
  return instruments.filter((i) => ids.owns(i)).map(instrumentSymbol);
}

/** The ledger's spelling of an account's mode. */
function ledgerMode(mode: VenueMode): TradingMode {
  return mode === 'SIM' ? 'sim' : mode === 'PAPER' ? 'paper' : 'live';
}
