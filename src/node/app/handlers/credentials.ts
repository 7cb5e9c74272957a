/**
 * Broker credentials: status (which venues have keys and how they are protected — never the
 * values), save and clear. The one answer to "which Alpaca keys are in use, and from where" is
 * the desk's `activeAlpacaCredentials` (also used to start the venue), so status and use agree.
 */
import { CredentialError, type CredentialVault } from '../../../core/ports/credential-vault';
import { CREDENTIAL_VENUES, type CredentialsStatus } from '../../../core/model/credentials';
import { Secret } from '../../../core/model/secret';
import type { HandlersFor } from '../commands';

export interface ActiveCredentials {
  keyId: string;
  secretKey: string;
  from: { kind: 'environment' | 'file' | 'vault'; detail: string };
}

export interface CredentialsPort {
  /** The credential store (null: none configured for this desk). */
  readonly vault: CredentialVault | null;
  /** Whether Alpaca keys matter to the status: the venue is `alpaca`, or Alpaca keys are configured. */
  alpacaInPlay(): boolean;
  /** The Alpaca keys in use and where they came from (configuration first, then the vault). */
  activeAlpacaCredentials(): ActiveCredentials | null;
}

function requireVault(port: CredentialsPort): CredentialVault {
  if (!port.vault) throw new CredentialError('no credential store is configured for this desk');
  return port.vault;
}

export function credentialsStatus(port: CredentialsPort): CredentialsStatus {
  const active = port.alpacaInPlay() ? port.activeAlpacaCredentials() : null;
  if (!port.vault && !active) return requireVault(port).status(); // says there is no credential store
  const base: CredentialsStatus = port.vault
    ? port.vault.status()
    : { source: 'none', writable: false, keychainAvailable: false, detail: 'no credential store is configured for this desk', venues: CREDENTIAL_VENUES.map((venue) => ({ venue, stored: false, protection: null, savedAt: null })) };
  if (!active || active.from.kind === 'vault') return base;
  const kind = active.from.kind;
  return {
    ...base,
    source: base.source === 'none' ? kind : base.source,
    detail: `Alpaca keys in use: ${active.from.detail}${base.source === 'none' ? '' : ` (they take precedence; also configured: ${base.detail})`}`,
    venues: base.venues.map((v) => (v.venue === 'alpaca' ? { ...v, stored: true, protection: kind } : v)),
  };
}

export function credentialHandlers(port: CredentialsPort): HandlersFor<'credentials.status' | 'credentials.save' | 'credentials.clear'> {
  return {
    'credentials.status': () => credentialsStatus(port),
    'credentials.save': (p) => {
      // Wrapped at once: from here on the values only exist as Secrets (never logged or echoed).
      const fields = Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, new Secret(v as string)]));
      return requireVault(port).save(p.venue, fields, { allowPlaintext: p.allowPlaintext === true });
    },
    'credentials.clear': (p) => requireVault(port).clear(p.venue),
  };
}
