/**
 * Which credentials each venue needs (protocols/*.md). The names are the only part that may be
 * shown or logged; values are always `Secret`s.
 */
import type { Secret } from './secret';

export type CredentialVenue = 'alpaca' | 'smartapi' | 'delta';

export const CREDENTIAL_VENUES: readonly CredentialVenue[] = ['alpaca', 'smartapi', 'delta'];

export const CREDENTIAL_FIELDS = {
  /** Trading/data API key pair (headers APCA-API-KEY-ID / APCA-API-SECRET-KEY). */
  alpaca: ['keyId', 'secretKey'],
  /** App key, client code, MPIN and the TOTP seed for loginByPassword. */
  smartapi: ['apiKey', 'clientCode', 'pin', 'totpSecret'],
  /** API key and the HMAC secret that signs requests. */
  delta: ['apiKey', 'apiSecret'],
} as const satisfies Record<CredentialVenue, readonly string[]>;

export type CredentialField<V extends CredentialVenue> = (typeof CREDENTIAL_FIELDS)[V][number];

export type VenueCredentials<V extends CredentialVenue = CredentialVenue> = { [F in CredentialField<V>]: Secret };

/** Where the credentials in use come from — shown to the user, never the values. */
export type CredentialSource = 'os-keychain' | 'plaintext-opt-in' | 'environment' | 'file' | 'none';

export interface VenueCredentialStatus {
  venue: CredentialVenue;
  stored: boolean;
  /** How this venue's entry is protected at rest (null when not stored). */
  protection: 'os-keychain' | 'plaintext' | 'environment' | 'file' | null;
  /** Epoch ms of the last save (null when not stored or not known). */
  savedAt: number | null;
}

export interface CredentialsStatus {
  source: CredentialSource;
  /** Whether credentials can be saved from the app (false in headless mode). */
  writable: boolean;
  /** Whether the OS keychain encrypts them (false: saving needs an explicit plaintext opt-in). */
  keychainAvailable: boolean;
  /** A human sentence: where they are kept or read from, and any problem. */
  detail: string;
  venues: VenueCredentialStatus[];
}
