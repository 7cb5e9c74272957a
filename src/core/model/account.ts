/**
 * An account: what the desk trades through. The desk holds the default account (derived from the
 * configured venue) and any configured in the accounts file (node/config/accounts-file.ts); every
 * per-account concern (health, kill switch, session) is keyed by its id (issue 15, item 1).
 */
import type { VenueKind, VenueMode } from '../ports/venue';
import { accountId, type AccountId } from './ids';

export type { AccountId };

/** Venue kinds an account can be on (`smartapi`, `delta`, `replay` come later). */
export type AccountVenueKind = VenueKind;

export interface Account {
  id: AccountId;
  label: string;
  venue: AccountVenueKind;
  mode: VenueMode;
  /** Which stored credentials it uses (by venue in the credential store); null: needs none (the sim). */
  credentialsRef: { venue: 'alpaca' } | null;
  /**
   * The venue instance its market data comes from: the venue part of its InstrumentIds (default:
   * the venue kind). Two simulated venues are two instances ('sim', 'sim2').
   */
  venueName?: string;
}

/** The id of the account today's single configured venue becomes. */
export const DEFAULT_ACCOUNT_ID: AccountId = accountId('default');

/** The default account for the configured venue (`alpacaEnv` decides PAPER or LIVE for Alpaca). */
export function defaultAccount(venue: AccountVenueKind, alpacaEnv: 'paper' | 'live' | null): Account {
  if (venue === 'sim') return { id: DEFAULT_ACCOUNT_ID, label: 'Simulated', venue, mode: 'SIM', credentialsRef: null };
  const mode = alpacaEnv === 'live' ? 'LIVE' : 'PAPER';
  return { id: DEFAULT_ACCOUNT_ID, label: `Alpaca ${mode === 'LIVE' ? 'live' : 'paper'}`, venue, mode, credentialsRef: { venue: 'alpaca' } };
}
