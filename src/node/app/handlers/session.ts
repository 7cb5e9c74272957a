/**
 * The venue session: after `session_needed`, re-authenticate the running venue and restart its
 * streams (spec §3, "one click"). Answers at once; the outcome shows in health events.
 */
import type { Logger } from '../../../core/ports/logger';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';
import { DEFAULT_ACCOUNT_ID } from '../../../core/model/account';
import { accountId, type AccountId } from '../../../core/model/ids';

export interface SessionPort {
  readonly logger: Logger;
  /** The venue the desk streams from (`sim`, `alpaca`): the default account's. */
  venue(): string;
  /** The venue kind of a held account; null for an account the desk does not hold. */
  accountVenue(account: AccountId): string | null;
  /** Streaming, with this account's venue adapter running (there is a session to renew). */
  hasRunningVenue(account: AccountId): boolean;
  /** Records the user's request on the Events page (a node_event under the stream). */
  noteReauthenticateRequested(account: AccountId): void;
  reauthenticate(account: AccountId): Promise<void>;
}

export function sessionHandlers(port: SessionPort): HandlersFor<'session.reauthenticate'> {
  return {
    'session.reauthenticate': (p) => {
      const account = p.account === undefined ? DEFAULT_ACCOUNT_ID : accountId(p.account);
      const venue = account === DEFAULT_ACCOUNT_ID ? port.venue() : port.accountVenue(account);
      if (venue === null) throw new CommandFailure({ code: 'failed', message: `cannot re-authenticate account ${account}: the desk holds no such account` });
      if (p.venue !== undefined && p.venue !== venue) {
        throw new CommandFailure({ code: 'failed', message: account === DEFAULT_ACCOUNT_ID ? `cannot re-authenticate ${p.venue}: the desk streams from ${venue}` : `cannot re-authenticate ${p.venue}: account ${account} is on ${venue}` });
      }
      if (!port.hasRunningVenue(account)) return { reauthenticating: false, venue };
      port.noteReauthenticateRequested(account);
      void port.reauthenticate(account).catch((err: unknown) => port.logger.error('re-authentication failed', { account, message: err instanceof Error ? err.message : String(err) }));
      return { reauthenticating: true, venue };
    },
  };
}
