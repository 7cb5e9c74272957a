/**
 * The venue session: after `session_needed`, re-authenticate the running venue and restart its
 * streams (spec §3, "one click"). Answers at once; the outcome shows in health events.
 */
import type { Logger } from '../../../core/ports/logger';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

export interface SessionPort {
  readonly logger: Logger;
  /** The venue the desk streams from (`sim`, `alpaca`). */
  venue(): string;
  /** Streaming, with a venue adapter running (there is a session to renew). */
  hasRunningVenue(): boolean;
  /** Records the user's request on the Events page (a node_event under the stream). */
  noteReauthenticateRequested(): void;
  reauthenticate(): Promise<void>;
}

export function sessionHandlers(port: SessionPort): HandlersFor<'session.reauthenticate'> {
  return {
    'session.reauthenticate': (p) => {
      const venue = port.venue();
      if (p.venue !== undefined && p.venue !== venue) {
        throw new CommandFailure({ code: 'failed', message: `cannot re-authenticate ${p.venue}: the desk streams from ${venue}` });
      }
      if (!port.hasRunningVenue()) return { reauthenticating: false, venue };
      port.noteReauthenticateRequested();
      void port.reauthenticate().catch((err: unknown) => port.logger.error('re-authentication failed', { message: err instanceof Error ? err.message : String(err) }));
      return { reauthenticating: true, venue };
    },
  };
}
