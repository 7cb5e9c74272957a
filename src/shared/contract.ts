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
import type { AlertKind, AlertSeverity, AlertView } from '../core/alerts/types';
import type { KillSwitchLevel, KillSwitchView } from '../core/risk/kill-switch';
import { CREDENTIAL_FIELDS, type CredentialVenue, type CredentialsStatus } from '../core/model/credentials';

export const PROTOCOL_VERSION = 1;

// ---------- wire types ----------

export const quoteWireSchema = z.object({
  symbol: z.string(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  last: z.number().nullable(),
  bidSize: z.number().nullable(),
  askSize: z.number().nullable(),
  exchangeTime: z.number().nullable(),
  receivedAt: z.number(),
});
export type QuoteWire = z.infer<typeof quoteWireSchema>;

export type StreamState = 'not_started' | 'connecting' | 'running' | 'reconnecting' | 'error' | 'session_needed';

export interface StreamHealthWire {
  name: string;
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
}

export type VenueMode = 'SIM' | 'PAPER' | 'LIVE';

export interface DeskSnapshot {
  /** Server time when the snapshot was taken (epoch ms); clients derive clock offset from it. */
  serverTime: number;
  venue: string;
  mode: VenueMode;
  streaming: boolean;
  quotes: QuoteWire[];
  streams: StreamHealthWire[];
  /** The graded kill switch (spec §2): the global scope and per-account entries. */
  killSwitch?: KillSwitchWire;
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

export interface TickUpdateEvent extends EventBase {
  type: 'tick_update';
  timestamp: string;
  /** Latest quote of each symbol that changed since the previous tick_update (coalesced). */
  quote_updates: QuoteWire[];
}

export interface HealthEvent extends EventBase {
  type: 'health_event';
  streaming: boolean;
  streams: StreamHealthWire[];
}

/**
 * A critical state or notable runtime change (feed stale, stream error, session needed, entry
 * success/failure, trailing stop, forced exit, kill switch). Every alert is part of the event
 * history; the desktop shell also raises a native notification for those its policy lets through.
 */
export interface AlertEvent extends EventBase {
  type: 'alert';
  id: string;
  severity: AlertSeverity;
  kind: AlertKind;
  title: string;
  body: string;
  /** What it is about (stream name, position or run id, account) — null when general. */
  subject: string | null;
}

/** The kill switch changed (engaged or deliberately re-armed). */
export interface KillSwitchEvent extends EventBase {
  type: 'killswitch_event';
  killSwitch: KillSwitchWire;
  change: { account: string; from: KillSwitchLevel; to: KillSwitchLevel; reason: string; rearm: boolean };
}

export type DeskEvent = SnapshotEvent | TickUpdateEvent | HealthEvent | AlertEvent | KillSwitchEvent;
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
  'killswitch.get': empty,
  'killswitch.set': killSwitchSet,
  /** Which venues have credentials and how they are protected — never the values. */
  'credentials.status': empty,
  /** Renderer → desk only; the reply is the status, never the values. */
  'credentials.save': credentialsSave,
  'credentials.clear': z.object({ venue: credentialVenue }).strict(),
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandPayload<C extends CommandName> = z.infer<(typeof commandSchemas)[C]>;

export interface CommandResults {
  'snapshot.get': DeskSnapshot;
  'stream.start': { streaming: boolean };
  'stream.stop': { streaming: boolean };
  'killswitch.get': KillSwitchWire;
  'killswitch.set': { killSwitch: KillSwitchWire; changed: boolean; persisted: boolean };
  'credentials.status': CredentialsStatus;
  'credentials.save': CredentialsStatus;
  'credentials.clear': CredentialsStatus;
}

export type CommandResult<C extends CommandName> = CommandResults[C];

export type CommandErrorCode = 'unknown_command' | 'invalid_payload' | 'unauthorized' | 'failed';

export interface CommandError {
  code: CommandErrorCode;
  message: string;
  /** zod issue paths for invalid payloads, e.g. ["port"]. */
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
    return { ok: false, error: { code: 'unknown_command', message: `unknown command ${JSON.stringify(name)}` } };
  }
  const parsed = commandSchemas[name].safeParse(payload ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
    return {
      ok: false,
      error: {
        code: 'invalid_payload',
        message: `invalid payload for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
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
  z.object({ kind: z.literal('call'), id: z.number().int().nonnegative(), name: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('resync') }),
]);
