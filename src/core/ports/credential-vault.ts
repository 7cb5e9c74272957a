import type { CredentialVenue, CredentialsStatus, VenueCredentials } from '../model/credentials';
import type { Secret } from '../model/secret';

/** Thrown when a credential operation is refused; the message says why and never holds a value. */
export class CredentialError extends Error {}

/**
 * Where the desk keeps and reads broker credentials: Electron's safeStorage (desktop) or the
 * environment / a 0600 file (headless). Values only ever leave as `Secret`s.
 */
export interface CredentialVault {
  status(): CredentialsStatus;
  /** Stores one venue's credentials; `allowPlaintext` is the user's explicit opt-in where no keychain exists. */
  save(venue: CredentialVenue, fields: Record<string, Secret>, opts: { allowPlaintext: boolean }): CredentialsStatus;
  clear(venue: CredentialVenue): CredentialsStatus;
  /** For venue adapters: the credentials of one venue, or null when none are configured. */
  get<V extends CredentialVenue>(venue: V): VenueCredentials<V> | null;
}
