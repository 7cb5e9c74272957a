/**
 * An account: what the desk trades through. The desk holds the default account (derived from the
 * configured venue) and any configured in the accounts file (node/config/accounts-file.ts); every
 * per-account concern (health, kill switch, session) is keyed by its id (issue 15, item 1).
 */
import type { VenueKind, VenueMode } from '../ports/venue';
import { accountId, type AccountId } from './ids';

export type { AccountId };

/** Venue kinds an account can be on. */
export type AccountVenueKind = VenueKind;

/**
 * The desk's venue setting (Settings → Venue, LIVE_DESK_VENUE): which venue the default account is on.
 * `sim-nse` / `sim-delta` are the embedded simulated venue's NSE and crypto faces, reached through the
 * real SmartAPI / Delta adapters with the face's fixed credentials — Indian or crypto instruments with
 * no broker account at all.
 */
export const DESK_VENUES = ['sim', 'sim-nse', 'sim-delta', 'alpaca', 'smartapi', 'delta'] as const;
export type DeskVenue = (typeof DESK_VENUES)[number];

export interface Account {
  id: AccountId;
  label: string;
  venue: AccountVenueKind;
  mode: VenueMode;
  /** Which stored credentials it uses (by venue in the credential store); null: needs none (the sim). */
  credentialsRef: { venue: 'alpaca' | 'smartapi' | 'delta' } | null;
  /**
   * The venue instance its market data comes from: the venue part of its InstrumentIds (default:
   * the venue kind). Two simulated venues are two instances ('sim', 'sim2').
   */
  venueName?: string;
}

/** The id of the account today's single configured venue becomes. */
export const DEFAULT_ACCOUNT_ID: AccountId = accountId('default');

/** What decides the default account's mode where the venue has environments (Alpaca paper/live, Delta testnet/live). */
export interface DefaultAccountEnv {
  alpaca?: 'paper' | 'live' | null;
  delta?: 'testnet' | 'live' | null;
}

/**
 * The default account for the configured desk venue. Its venue name (the venue part of its
 * InstrumentIds) is the setting itself: `sim`, `sim-nse`, `alpaca`…
 */
export function defaultAccount(venue: DeskVenue, env: DefaultAccountEnv | 'paper' | 'live' | null = null): Account {
  const e: DefaultAccountEnv = typeof env === 'string' || env === null ? { alpaca: env } : env;
  const id = DEFAULT_ACCOUNT_ID;
  switch (venue) {
    case 'sim':
      return { id, label: 'Simulated', venue: 'sim', mode: 'SIM', credentialsRef: null };
    case 'sim-nse':
      return { id, label: 'Simulated NSE', venue: 'smartapi', mode: 'SIM', credentialsRef: null, venueName: 'sim-nse' };
    case 'sim-delta':
      return { id, label: 'Simulated Delta', venue: 'delta', mode: 'SIM', credentialsRef: null, venueName: 'sim-delta' };
    case 'smartapi':
      return { id, label: 'Angel One', venue: 'smartapi', mode: 'LIVE', credentialsRef: { venue: 'smartapi' } };
    case 'delta': {
      const mode = e.delta === 'testnet' ? 'PAPER' : 'LIVE';
      return { id, label: `Delta ${mode === 'LIVE' ? 'live' : 'testnet'}`, venue: 'delta', mode, credentialsRef: { venue: 'delta' } };
    }
    case 'alpaca': {
      const mode = e.alpaca === 'live' ? 'LIVE' : 'PAPER';
      return { id, label: `Alpaca ${mode === 'LIVE' ? 'live' : 'paper'}`, venue: 'alpaca', mode, credentialsRef: { venue: 'alpaca' } };
    }
  }
}
