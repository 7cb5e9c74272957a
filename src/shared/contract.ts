/**
 * The one contract between the desk (backend) and the renderer, carried unchanged by both
 * transports: Electron IPC (through the preload) and the headless WebSocket.
 *
 * Commands are named `noun.verb`; their payloads are validated with zod where they enter the
 * backend. Events carry a monotonically increasing `seq`; after (re)connecting, a client gets a
 * full `snapshot` first and then events. A client that sees a gap in `seq` asks for a new snapshot.
 *
 * Wire conventions: prices are numbers exactly as the venue quoted them; money is a decimal string
 * (exact); times are epoch milliseconds (`*_ms`/`*At`) or ISO-8601 strings (`timestamp`).
 */
import { z } from 'zod';
import { capList, clip, describeValue } from './bounded';
import type { Alert, AlertView } from '../core/alerts/types';
import type { KillSwitchLevel, KillSwitchView } from '../core/risk/kill-switch';
import { CREDENTIAL_FIELDS, type CredentialVenue, type CredentialsStatus } from '../core/model/credentials';
import { plainIssue } from '../core/model/plain-issues';
import type { PnlSnapshotWire, PositionRecord, StructureDefWire, ValuationSettings } from '../core/pnl/revalue';
import type {
  ActivePnlSnapshot,
  FillWire,
  NodeEventBody,
  OrderUpdateWire,
  PnlSampleWire,
  PortfolioEventBody,
  PortfolioStatusWire,
  PositionEventBody,
  ReplayProgress,
  StreamerDiagnostics,
} from '../core/events/types';

// The payload types the renderer needs, re-exported so it imports the contract only.
export type {
  InstrumentWire,
  LivePosition,
  PnlSnapshotWire,
  PnlTotalsWire,
  PositionMeta,
  PositionRecord,
  PositionSource,
  StructureDefWire,
  StructureLegWire,
  ValuationSettings,
} from '../core/pnl/revalue';
export type {
  ActivePnlSnapshot,
  ActiveTrade,
  FillWire,
  JsonValue,
  NodeEventBody,
  NodeStatus,
  OrderUpdateStatus,
  OrderUpdateWire,
  PnlGap,
  PnlSampleWire,
  PortfolioAction,
  PortfolioEventBody,
  PortfolioStatusWire,
  PositionEventBody,
  PositionEventPnl,
  PositionEventPosition,
  ReplayProgress,
  StreamerDiagnostics,
  StreamerState,
} from '../core/events/types';
export type { StructureView, PositionView, WarningView, WarningCode, PayoffView } from '../core/pnl/views';
export type { PortfolioError } from '../core/model/portfolio-file';
export type { KillSwitchLevel } from '../core/risk/kill-switch';
import {
  tradingCommandSchemas,
  type OrderHistoryWire,
  type OrderWire,
  type ReconciliationEventBody,
  type TradingCommandResults,
  type TradingEventBody,
  type TradingSnapshotParts,
} from './trading';
export * from './trading';
import { monitorCommandSchemas, type MonitorCommandResults, type MonitorCycleEventBody, type MonitorSnapshotParts, type MonitorStateEventBody } from './monitor';
export * from './monitor';
import { replayCommandSchemas, type ReplayCommandResults } from './replay';
export * from './replay';
import { strategyCommandSchemas, type StrategyCommandResults, type StrategyDefinitionsEventBody, type StrategyRuntimeEventBody, type StrategySnapshotParts } from './strategy';
export * from './strategy';

export const PROTOCOL_VERSION = 2;

// ---------- wire types ----------

export const quoteWireSchema = z.object({
  /** The key: InstrumentId in string form, `venue:symbol` (the same symbol at two venues is two quotes). */
  instrument: z.string().min(3).max(100),
  /** The venue's own symbol (for display). */
  symbol: z.string(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  last: z.number().nullable(),
  bidSize: z.number().nullable(),
  askSize: z.number().nullable(),
  exchangeTime: z.number().nullable(),
  /** Receive time of the latest update of any kind. */
  receivedAt: z.number(),
  /**
   * Receive times of the book (bid/ask) and of the last trade, apart: a mark's age is the age of
   * what it was computed from (market/mark.ts markTimeOf). Absent means `receivedAt`; null means
   * that part was never received.
   */
  bookReceivedAt: z.number().nullable().optional(),
  lastReceivedAt: z.number().nullable().optional(),
  /** `rest` when the latest update came from a REST refresh (the tracker's fallback); absent = the stream. */
  source: z.enum(['stream', 'rest']).optional(),
});
export type QuoteWire = z.infer<typeof quoteWireSchema>;

export type { StreamState } from '../core/market/stream-health';
import type { StreamState } from '../core/market/stream-health';

/** The id of the default account (the configured venue's): its health rows keep their plain names in the UI. */
export { DEFAULT_ACCOUNT_ID } from '../core/model/account';

export interface StreamHealthWire {
  name: string;
  /** The account whose venue channel this is (`default` today); absent on desk-wide rows (the ledger). */
  accountId?: string;
  state: StreamState;
  lastError: string | null;
  reconnectAttempts: number;
  lastEventAt: number | null;
  queueDepth: number;
  droppedEvents: number;
  subscriptions: number;
  /** Symbols the venue confirmed in its last subscription ack. */
  subscriptionsConfirmed?: number;
  /** Last market-data or order event (heartbeats and control frames excluded), epoch ms. */
  lastTickAt?: number | null;
  /** Server-side age of the last tick when this record was made, ms. */
  lastTickAgeMs?: number | null;
  /** Frames/messages that failed validation at the edge (counted, logged, skipped). */
  malformedFrames?: number;
  /** When the next reconnect attempt is due (state `reconnecting`), epoch ms. */
  nextRetryAt?: number | null;
  /** When `lastError` happened, epoch ms (an error before `connectedAt` is past: the stream recovered). */
  lastErrorAt?: number | null;
  /** When the current connection became ready, epoch ms (null when not running). */
  connectedAt?: number | null;
  /** Reconnects today (UTC day), across Stop/Start — `reconnectAttempts` is the current streak. */
  reconnects?: number;
  /** `heartbeat`: a quiet stream (trade_updates, rest) whose silence is normal; absent = `data`. */
  liveness?: 'data' | 'heartbeat';
  /** Last ping/pong from the venue, epoch ms (liveness of a quiet stream). */
  lastHeartbeatAt?: number | null;
}

export type { VenueMode } from '../core/model/venue-mode';
import type { VenueMode } from '../core/model/venue-mode';
import { DESK_VENUES, type AccountVenueKind, type DeskVenue } from '../core/model/account';
export { DESK_VENUES, type DeskVenue };
import type { VenueSessionState } from '../core/ports/venue';

/** The endpoints Start connects to and where each came from (env, config file, default) — read-only. */
export interface VenueEndpointsWire {
  /** The desk venue setting these endpoints are for. */
  venue: DeskVenue;
  /** paper/live for Alpaca, testnet/live for Delta (null for the sims and SmartAPI), and how it was decided. */
  env: 'paper' | 'live' | 'testnet' | null;
  env_source: string | null;
  /** Alpaca's four (tradingRest, tradingStream, dataRest, dataStream) or the venue's own (e.g. rest, marketStream, orderStream). */
  endpoints: { key: string; url: string | null; source: string }[];
  /** Why Start would refuse these endpoints (e.g. a live URL with a paper account), null when fine. */
  error: string | null;
}

// ---------- desk settings (validated here, persisted by the Node layer in the state dir) ----------

const alpacaSettingsShape = {
  env: z.enum(['paper', 'live']),
  stock_feed: z.enum(['iex', 'sip']),
  option_feed: z.enum(['indicative', 'opra']),
};

/** Field rules without defaults (shared by the full schema and the `settings.set` patch). */
const deskSettingsShape = {
  /**
   * Which venue Start connects to (the default account's): the simulated venue's Alpaca (`sim`), NSE
   * (`sim-nse`) or crypto (`sim-delta`) face, or a broker. Changing it restarts a running stream.
   */
  venue: z.enum(DESK_VENUES),
  /** Alpaca options (credentials are separate: `credentials.*`). Changing them restarts a running stream. */
  alpaca: z.object(alpacaSettingsShape).strict(),
  /** A quote older than this is stale: its P&L shows as unknown. Applied live. */
  stale_after_sec: z.number().min(0.5).max(600),
  /** The tracker recomputes at least this often even without ticks. Applied live. */
  pnl_refresh_seconds: z.number().min(1).max(300),
  /** Planner limit on option contracts subscribed (the venue's symbol limit); applied at the next start. */
  max_option_contracts: z.number().int().min(1).max(10_000),
  /** mid | last | conservative (bid for longs, ask for shorts). Applied live. */
  mark_policy: z.enum(['mid', 'last', 'conservative']),
  /** Spread above this % of the mid raises `wide_spread`. Applied live. */
  wide_spread_pct: z.number().min(0).max(1000),
  /**
   * Model delta inputs (Black-Scholes): the risk-free rate, continuously compounded, in percent
   * (4 = 4%), and the continuous dividend yield in percent (0 by default). Applied live.
   */
  risk_free_rate_pct: z.number().min(-5, 'the risk-free rate must be at least −5%').max(25, 'the risk-free rate must be at most 25%'),
  dividend_yield_pct: z.number().min(0, 'the dividend yield must be at least 0%').max(25, 'the dividend yield must be at most 25%'),
  /** The portfolio file; null = the bundled sample. */
  portfolio_path: z.string().min(1).max(4096).nullable(),
  /** Reload the portfolio file when it changes on disk. */
  watch_portfolio: z.boolean(),
  /** Write every quote entering the quote cache to the ledger's `recorded_quotes` (for replay). Applied live. */
  record_quotes: z.boolean(),
};

export const defaultDeskSettings = {
  venue: 'sim',
  alpaca: { env: 'paper', stock_feed: 'iex', option_feed: 'indicative' },
  stale_after_sec: 5,
  pnl_refresh_seconds: 5,
  max_option_contracts: 250,
  mark_policy: 'mid',
  wide_spread_pct: 10,
  risk_free_rate_pct: 4,
  dividend_yield_pct: 0,
  portfolio_path: null,
  watch_portfolio: true,
  record_quotes: false,
} as const satisfies z.infer<z.ZodObject<typeof deskSettingsShape>>;

/** The full settings (a stored file may omit fields: their defaults apply). */
export const deskSettingsSchema = z
  .object({
    ...deskSettingsShape,
    alpaca: z
      .object({
        env: alpacaSettingsShape.env.default(defaultDeskSettings.alpaca.env),
        stock_feed: alpacaSettingsShape.stock_feed.default(defaultDeskSettings.alpaca.stock_feed),
        option_feed: alpacaSettingsShape.option_feed.default(defaultDeskSettings.alpaca.option_feed),
      })
      .strict()
      .default({ ...defaultDeskSettings.alpaca }),
    venue: deskSettingsShape.venue.default(defaultDeskSettings.venue),
    stale_after_sec: deskSettingsShape.stale_after_sec.default(defaultDeskSettings.stale_after_sec),
    pnl_refresh_seconds: deskSettingsShape.pnl_refresh_seconds.default(defaultDeskSettings.pnl_refresh_seconds),
    max_option_contracts: deskSettingsShape.max_option_contracts.default(defaultDeskSettings.max_option_contracts),
    mark_policy: deskSettingsShape.mark_policy.default(defaultDeskSettings.mark_policy),
    wide_spread_pct: deskSettingsShape.wide_spread_pct.default(defaultDeskSettings.wide_spread_pct),
    risk_free_rate_pct: deskSettingsShape.risk_free_rate_pct.default(defaultDeskSettings.risk_free_rate_pct),
    dividend_yield_pct: deskSettingsShape.dividend_yield_pct.default(defaultDeskSettings.dividend_yield_pct),
    portfolio_path: deskSettingsShape.portfolio_path.default(defaultDeskSettings.portfolio_path),
    watch_portfolio: deskSettingsShape.watch_portfolio.default(defaultDeskSettings.watch_portfolio),
    record_quotes: deskSettingsShape.record_quotes.default(defaultDeskSettings.record_quotes),
  })
  .strict();

export type DeskSettings = z.infer<typeof deskSettingsSchema>;

/** `settings.set` takes any subset (alpaca: any subset of its fields); no defaults are filled in. */
export const deskSettingsPatchSchema = z
  .object({ ...deskSettingsShape, alpaca: z.object(alpacaSettingsShape).partial().strict() })
  .partial()
  .strict();
export type DeskSettingsPatch = z.infer<typeof deskSettingsPatchSchema>;

/**
 * Everything a client needs to rebuild its state; sent first on every (re)connect and on resync.
 * After it, events with seq > the snapshot event's seq apply in order.
 */
export interface DeskSnapshot extends TradingSnapshotParts, MonitorSnapshotParts, StrategySnapshotParts {
  /** Server time when the snapshot was taken (epoch ms); clients derive clock offset from it. */
  serverTime: number;
  protocol: number;
  venue: string;
  /** The subscription plan in force while streaming (null when stopped). */
  plan?: SubscriptionPlanWire | null;
  /** The venue's endpoints (Settings shows them); absent from older desks. */
  endpoints?: VenueEndpointsWire;
  mode: VenueMode;
  streaming: boolean;
  /** The latest quote of every symbol in the cache. */
  quotes: QuoteWire[];
  streams: StreamHealthWire[];
  /** The graded kill switch (spec §2): the global scope and per-account entries. */
  killSwitch?: KillSwitchWire;
  /** How positions are valued (mark policy, stale threshold): the renderer values with the same. */
  valuation: ValuationSettings;
  /** Every position (open and closed), exact; the renderer values them with `revaluePosition`. */
  positions: PositionRecord[];
  /** Multi-leg structures from the portfolio file. */
  structures: StructureDefWire[];
  /** The active P&L tracker's snapshot (open trades valued now, totals, streamer diagnostics). */
  pnl: ActivePnlSnapshot;
  /** Same as `pnl.pnl` and tick_update's: {realized, unrealized, total} per currency. */
  pnl_snapshot: PnlSnapshotWire;
  /** Recent fills (oldest first, bounded). */
  fills: FillWire[];
  /** Latest state of recent orders (oldest first, bounded). */
  orders: OrderUpdateWire[];
  /** Recent history events (node/position/portfolio/fill/order/alert/kill switch), oldest first, bounded. */
  history: HistoryEvent[];
  /** Today's P&L curve (oldest first, bounded), with gap markers. */
  pnl_samples: PnlSampleWire[];
  portfolio: PortfolioStatusWire;
  settings: DeskSettings;
  /** Nodes currently running (strategy runtime later; empty until then). */
  active_nodes: string[];
  /** Replay progress (absent when live). */
  progress?: ReplayProgress;
}

/** Kill switch state on the wire: `global` is scope `*` (all accounts). Times are epoch ms. */
export type KillSwitchWire = KillSwitchView;

// ---------- events (backend → renderer) ----------

interface EventBase {
  seq: number;
  /** Server time at emission, epoch ms. */
  serverTime: number;
}

export interface SnapshotEvent extends EventBase {
  type: 'snapshot';
  snapshot: DeskSnapshot;
}

/**
 * Lightweight and coalesced (at most ~20/s): no position lists. The renderer revalues the rows
 * holding the changed symbols with `revaluePosition`; `pnl_snapshot` is the desk's totals, which the
 * renderer shows as sent (it computes none). Also sent without quotes whenever the totals moved.
 */
export interface TickUpdateEvent extends EventBase {
  type: 'tick_update';
  /** ISO-8601 of the server time. */
  timestamp: string;
  /** Replay only; absent when live. */
  progress?: ReplayProgress;
  active_nodes: string[];
  /** Latest quote of each symbol that changed since the previous tick_update (only those). */
  ltp_updates: QuoteWire[];
  pnl_snapshot: PnlSnapshotWire;
}

/** Stream state changed (and a periodic refresh of ages/counters while streaming). */
export interface HealthEvent extends EventBase {
  type: 'health_event';
  streaming: boolean;
  streams: StreamHealthWire[];
  streamer?: StreamerDiagnostics;
  /** The subscription plan in force while streaming (null when stopped). */
  plan?: SubscriptionPlanWire | null;
}

/** What the venue was asked for, within its limits, and what was left out (spec §5). */
export interface SubscriptionPlanWire {
  /** The configured option-contract limit the plan enforced. */
  max_option_contracts: number;
  /** Symbols left out by a limit (options, then stocks): not subscribed, so never quoted by the stream. */
  omitted: string[];
  /** The planner's warnings, naming what was left out and why. */
  warnings: string[];
}

/** A position was entered, partly exited or exited (spec §7). */
export interface PositionEvent extends EventBase, PositionEventBody {
  type: 'position_event';
}

/** A step completed: execution flows for the Events page. */
export interface NodeEvent extends EventBase, NodeEventBody {
  type: 'node_event';
}

/** A fill arrived (venue trade update), for the fills table. */
export interface FillEvent extends EventBase {
  type: 'fill_event';
  fill: FillWire;
}

/**
 * An order changed state: a venue trade update, or a state change of an order of the gateway's
 * journal (then `journal` carries the order and the history row just written, and `order` is the
 * same order in the venue-update shape, so every reader of order updates sees it too).
 */
export interface OrderEvent extends EventBase {
  type: 'order_event';
  order: OrderUpdateWire;
  journal?: { order: OrderWire; history: OrderHistoryWire };
}

/** Trading modes / arming / automation gate changed, or a manual exit progressed. */
export interface TradingEvent extends EventBase, TradingEventBody {}

/** A reconciliation ran, or one of its lines was resolved. */
export interface ReconciliationEvent extends EventBase, ReconciliationEventBody {}

/** An account's monitoring state changed (issue 17). */
export interface MonitorStateEvent extends EventBase, MonitorStateEventBody {}

/** A monitoring cycle finished: its aggregated report (spec §8 step 10) or success summary. */
export interface MonitorCycleEvent extends EventBase, MonitorCycleEventBody {}

/** A strategy run changed (issue 18): its whole runtime payload (spec §9). */
export interface StrategyRuntimeEvent extends EventBase, StrategyRuntimeEventBody {}

/** The strategy definitions changed (issue 18). */
export interface StrategyDefinitionsEvent extends EventBase, StrategyDefinitionsEventBody {}

/** portfolio.json was loaded, reloaded, or rejected (with JSON-path errors; old positions stay). */
export interface PortfolioEvent extends EventBase, PortfolioEventBody {
  type: 'portfolio_event';
}

/** New points of the day's P&L curve (one per currency per sample). */
export interface PnlSampleEvent extends EventBase {
  type: 'pnl_sample';
  samples: PnlSampleWire[];
}

/** Settings changed (by settings.set); `valuation` is what positions are now valued with. */
export interface SettingsEvent extends EventBase {
  type: 'settings_event';
  settings: DeskSettings;
  valuation: ValuationSettings;
  /** The stream restarts to apply venue settings. */
  restarting: boolean;
}

/**
 * A critical state or notable runtime change (feed stale, stream error, session needed, entry
 * success/failure, trailing stop, forced exit, kill switch). Every alert is part of the event
 * history; the desktop shell also raises a native notification for those its policy lets through.
 */
export interface AlertEvent extends EventBase, Alert {
  type: 'alert';
}

/** The kill switch changed (engaged or deliberately re-armed). */
export interface KillSwitchEvent extends EventBase {
  type: 'killswitch_event';
  killSwitch: KillSwitchWire;
  change: { account: string; from: KillSwitchLevel; to: KillSwitchLevel; reason: string; rearm: boolean };
}

export type DeskEvent =
  | SnapshotEvent
  | TickUpdateEvent
  | HealthEvent
  | PositionEvent
  | NodeEvent
  | FillEvent
  | OrderEvent
  | PortfolioEvent
  | PnlSampleEvent
  | SettingsEvent
  | AlertEvent
  | KillSwitchEvent
  | TradingEvent
  | ReconciliationEvent
  | MonitorStateEvent
  | MonitorCycleEvent
  | StrategyRuntimeEvent
  | StrategyDefinitionsEvent;

/** Events kept in the history (the Events page); ticks, health and samples are not history. */
export type HistoryEvent = PositionEvent | NodeEvent | FillEvent | OrderEvent | PortfolioEvent | AlertEvent | KillSwitchEvent;
export const HISTORY_EVENT_TYPES: readonly HistoryEvent['type'][] = [
  'position_event',
  'node_event',
  'fill_event',
  'order_event',
  'portfolio_event',
  'alert',
  'killswitch_event',
];
export function isHistoryEvent(e: DeskEvent): e is HistoryEvent {
  return (HISTORY_EVENT_TYPES as readonly string[]).includes(e.type);
}
export type DeskEventType = DeskEvent['type'];
/** An event before the sequencer stamps it. */
export type UnsequencedEvent = DeskEvent extends infer E ? (E extends DeskEvent ? Omit<E, 'seq'> : never) : never;

// ---------- commands (renderer → backend) ----------

const empty = z.object({}).strict();

/** `*` (all accounts) or an account id. */
const accountScope = z.string().regex(/^(\*|[A-Za-z0-9][A-Za-z0-9_.:-]{0,63})$/, 'must be "*" (all accounts) or an account id');

const killSwitchSet = z
  .object({
    account: accountScope,
    level: z.enum(['active', 'reducing', 'halted']),
    reason: z.string().trim().min(3, 'must say why (at least 3 characters)').max(500),
    /** Required to loosen (halted → reducing/active, reducing → active): re-arming is deliberate. */
    rearm: z.boolean().optional(),
  })
  .strict();

// Credential values: validated for shape only. zod's messages name the field, never the value.
const secretValue = z.string().trim().min(1, 'must not be empty').max(1024, 'is too long');
function credentialFields<V extends CredentialVenue>(venue: V) {
  const shape = Object.fromEntries(CREDENTIAL_FIELDS[venue].map((f) => [f, secretValue]));
  return z.object(shape as Record<(typeof CREDENTIAL_FIELDS)[V][number], typeof secretValue>).strict();
}
const credentialVenue = z.enum(['alpaca', 'smartapi', 'delta']);
const credentialsSave = z.discriminatedUnion('venue', [
  z.object({ venue: z.literal('alpaca'), fields: credentialFields('alpaca'), allowPlaintext: z.boolean().optional() }).strict(),
  z.object({ venue: z.literal('smartapi'), fields: credentialFields('smartapi'), allowPlaintext: z.boolean().optional() }).strict(),
  z.object({ venue: z.literal('delta'), fields: credentialFields('delta'), allowPlaintext: z.boolean().optional() }).strict(),
]);

export const commandSchemas = {
  'snapshot.get': empty,
  'stream.start': empty,
  'stream.stop': empty,
  /** Stop then start (e.g. after venue settings changed). */
  'stream.restart': empty,
  /** Load a portfolio file (becomes the watched file); a bad file keeps the old positions. */
  'portfolio.load': z.object({ path: z.string().trim().min(1, 'must name a file').max(4096) }).strict(),
  /** Read the current file again. */
  'portfolio.reload': empty,
  'settings.get': empty,
  /** Any subset of the settings; validated, persisted, applied live where possible. */
  'settings.set': deskSettingsPatchSchema,
  'killswitch.get': empty,
  'killswitch.set': killSwitchSet,
  /** Which venues have credentials and how they are protected — never the values. */
  'credentials.status': empty,
  /** Renderer → desk only; the reply is the status, never the values. */
  'credentials.save': credentialsSave,
  'credentials.clear': z.object({ venue: credentialVenue }).strict(),
  /**
   * After a session expired (`session_needed`): run the venue's authentication again and restart
   * its streams. `venue`, when given, must be the venue streaming now.
   */
  'session.reauthenticate': z
    .object({
      venue: z.enum(DESK_VENUES).optional(),
      /** Whose session (default: the default account). */
      account: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an account id').optional(),
    })
    .strict(),
  /** The accounts the desk holds (the default one first), with each one's session and kill switch level. */
  'accounts.list': empty,
  ...tradingCommandSchemas,
  ...monitorCommandSchemas,
  ...strategyCommandSchemas,
  ...replayCommandSchemas,
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandPayload<C extends CommandName> = z.infer<(typeof commandSchemas)[C]>;

export interface CommandResults extends TradingCommandResults, MonitorCommandResults, StrategyCommandResults, ReplayCommandResults {
  'snapshot.get': DeskSnapshot;
  'stream.start': { streaming: boolean };
  'stream.stop': { streaming: boolean };
  'stream.restart': { streaming: boolean };
  'portfolio.load': PortfolioStatusWire;
  'portfolio.reload': PortfolioStatusWire;
  'settings.get': SettingsResult;
  'settings.set': SettingsResult;
  'killswitch.get': KillSwitchWire;
  'killswitch.set': { killSwitch: KillSwitchWire; changed: boolean; persisted: boolean };
  'credentials.status': CredentialsStatus;
  'credentials.save': CredentialsStatus;
  'credentials.clear': CredentialsStatus;
  /** `reauthenticating`: false when not streaming (nothing to re-authenticate; Start authenticates). */
  'session.reauthenticate': { reauthenticating: boolean; venue: string };
  'accounts.list': { accounts: AccountWire[] };
}

/** An account the desk holds, as `accounts.list` reports it. */
export interface AccountWire {
  id: string;
  label: string;
  /** The venue kind (`sim`, `alpaca`, `smartapi`, `delta`). */
  venue: AccountVenueKind;
  /** The market-data source's instance name (the venue part of its instrument ids). */
  venue_name: string;
  mode: VenueMode;
  /** Which stored credentials it uses (by venue), null when it needs none. */
  credentials: 'alpaca' | 'smartapi' | 'delta' | null;
  /** The configured venue's own account (id `default`). */
  is_default: boolean;
  /** Its venue is running now (while streaming every held account runs; false after a failed start). */
  running: boolean;
  /** Its execution port's session; null when it is not running. */
  session: VenueSessionState | null;
  /** The kill switch level in force for it (its own, or the stricter global one). */
  kill_switch: KillSwitchLevel;
}

export interface SettingsResult {
  settings: DeskSettings;
  /** Keys applied without a restart. */
  applied: string[];
  /** The stream restarts to apply venue settings (only when it was running). */
  restarting: boolean;
  /** False when the settings file could not be written (applied for this run only). */
  persisted: boolean;
}

export type CommandResult<C extends CommandName> = CommandResults[C];

/**
 * `invalid_payload`: the command's payload failed validation (issues name the fields).
 * `invalid_portfolio`: the portfolio file failed validation (issues name JSON paths; old positions stay).
 */
export type CommandErrorCode = 'unknown_command' | 'invalid_payload' | 'invalid_portfolio' | 'unauthorized' | 'failed';

export interface CommandError {
  code: CommandErrorCode;
  message: string;
  /** Where each problem is: payload field paths (e.g. "alpaca.env"), or JSON paths of a file ("$.positions[2].strike"). */
  issues?: { path: string; message: string }[];
}

export type CommandOutcome<C extends CommandName = CommandName> =
  | { ok: true; result: CommandResult<C> }
  | { ok: false; error: CommandError };

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandSchemas, name);
}

/** Validates a command at the trust edge; never throws. */
export function parseCommand(
  name: unknown,
  payload: unknown,
): { ok: true; name: CommandName; payload: unknown } | { ok: false; error: CommandError } {
  if (!isCommandName(name)) {
    // Named only when it is a short string: an untrusted name is never echoed at length or stringified.
    const what = typeof name === 'string' && name.length <= 64 ? JSON.stringify(name) : `(${describeValue(name)})`;
    return { ok: false, error: { code: 'unknown_command', message: `unknown command ${what}` } };
  }
  const parsed = commandSchemas[name].safeParse(payload ?? {});
  if (!parsed.success) {
    const all = parsed.error.issues.map((i) => ({ path: clip(i.path.map(String).join('.') || '(root)', 120), message: clip(plainIssue(i)) }));
    const { items: issues, omitted } = capList(all, 20);
    return {
      ok: false,
      error: {
        code: 'invalid_payload',
        message: clip(
          `invalid payload for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}${omitted > 0 ? ` (and ${omitted} more issues)` : ''}`,
          1000,
        ),
        issues,
      },
    };
  }
  return { ok: true, name, payload: parsed.data };
}

// ---------- the transport every renderer talks to ----------

export type TransportStatus = 'connecting' | 'open' | 'closed';

export interface Transport {
  /** Sends a command; resolves with its outcome (never rejects for command errors). */
  call<C extends CommandName>(name: C, payload: CommandPayload<C>): Promise<CommandOutcome<C>>;
  /** Subscribes to desk events in seq order. Returns an unsubscribe function. */
  onEvent(listener: (event: DeskEvent) => void): () => void;
  /** Connection status (Electron IPC is always open). */
  onStatus(listener: (status: TransportStatus) => void): () => void;
  /** Asks the backend to resend a full snapshot (after a seq gap). */
  resync(): void;
}

/** The desktop shell asks the renderer to show a page (a notification was clicked). */
export interface NavigationRequest {
  view: AlertView;
  /** The alert that was clicked, when there was one, so the page can highlight it. */
  alertId: string | null;
}

/** The object the Electron preload exposes as `window.api`. */
export interface PreloadApi {
  invoke(name: string, payload: unknown): Promise<CommandOutcome>;
  onEvent(listener: (event: DeskEvent) => void): () => void;
  resync(): void;
  /** Shell → renderer navigation (notification clicks). Electron only. */
  onNavigate(listener: (request: NavigationRequest) => void): () => void;
}

// ---------- WebSocket framing (headless) ----------

export type ClientMessage =
  | { kind: 'call'; id: number; name: string; payload: unknown }
  | { kind: 'resync' };

export type ServerMessage =
  | { kind: 'reply'; id: number; outcome: CommandOutcome }
  | { kind: 'event'; event: DeskEvent }
  | { kind: 'error'; error: CommandError };

export const clientMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), name: z.string().max(64), payload: z.unknown() }),
  z.object({ kind: z.literal('resync') }),
]);
