/**
 * Broker credentials kept with Electron's safeStorage (macOS Keychain, Windows DPAPI, Linux
 * libsecret/kwallet). Where no keychain protects them — encryption unavailable, or Linux's
 * `basic_text` backend, which "encrypts" with a hard-coded key — saving is refused unless the user
 * explicitly opts in for that save, and the entry is then marked `plaintext` for the UI to show.
 * Values are decrypted only in `get` (for venue adapters) and never logged or returned by status.
 */
import { z } from 'zod';
import type { Logger } from '../core/ports/logger';
import type { Clock } from '../core/ports/clock';
import {
  CREDENTIAL_FIELDS,
  CREDENTIAL_VENUES,
  type CredentialVenue,
  type CredentialsStatus,
  type VenueCredentials,
} from '../core/model/credentials';
import { Secret } from '../core/model/secret';
import { CredentialError, type CredentialVault } from '../core/ports/credential-vault';
import type { StateFiles } from '../node/state/state-dir';
import type { SafeStorageLike } from './facade';

export const CREDENTIALS_FILE = 'credentials.json';

const entrySchema = z
  .object({
    protection: z.enum(['os-keychain', 'plaintext']),
    /** `safeStorage` ciphertext, or (plaintext opt-in where no encryption exists at all) the JSON itself, base64. */
    encoding: z.enum(['safe-storage', 'base64']),
    data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
    savedAt: z.number().int().nonnegative(),
  })
  .strict();
const fileSchema = z.object({ version: z.literal(1), venues: z.partialRecord(z.enum(['alpaca', 'smartapi', 'delta']), entrySchema) }).strict();
type CredentialsFile = z.infer<typeof fileSchema>;

export interface KeychainState {
  encryptionAvailable: boolean;
  /** Linux only: safeStorage's backend; elsewhere null. */
  backend: string | null;
  /** True when the OS keychain really protects what we store. */
  secure: boolean;
}

export function keychainState(safeStorage: SafeStorageLike, platform: NodeJS.Platform): KeychainState {
  const encryptionAvailable = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  // basic_text = a hard-coded password; unknown = not determined: neither is a keychain.
  const secure = encryptionAvailable && (backend === null || (backend !== 'basic_text' && backend !== 'unknown'));
  return { encryptionAvailable, backend, secure };
}

export class SafeStorageVault implements CredentialVault {
  private problem: string | null = null;

  constructor(
    private readonly deps: {
      safeStorage: SafeStorageLike;
      platform: NodeJS.Platform;
      files: StateFiles;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  status(): CredentialsStatus {
    const k = keychainState(this.deps.safeStorage, this.deps.platform);
    this.problem = null;
    const file = this.read();
    const entries = file?.venues ?? {};
    const anyPlain = Object.values(entries).some((e) => e?.protection === 'plaintext');
    const where = this.deps.files.describe(CREDENTIALS_FILE);
    const detail = this.problem
      ? this.problem
      : k.secure
        ? `stored encrypted by the OS keychain in ${where}`
        : `no OS keychain available${k.backend ? ` (safeStorage backend: ${k.backend})` : ''}: saving needs an explicit plaintext opt-in`;
    return {
      source: anyPlain ? 'plaintext-opt-in' : 'os-keychain',
      writable: true,
      keychainAvailable: k.secure,
      detail,
      venues: CREDENTIAL_VENUES.map((venue) => {
        const e = entries[venue];
        return { venue, stored: e !== undefined, protection: e?.protection ?? null, savedAt: e?.savedAt ?? null };
      }),
    };
  }

  save(venue: CredentialVenue, fields: Record<string, Secret>, opts: { allowPlaintext: boolean }): CredentialsStatus {
    const expected = CREDENTIAL_FIELDS[venue] as readonly string[];
    const missing = expected.filter((f) => !(fields[f] instanceof Secret));
    if (missing.length > 0) throw new CredentialError(`${venue} credentials need ${missing.join(', ')}`);
    const k = keychainState(this.deps.safeStorage, this.deps.platform);
    if (!k.secure && !opts.allowPlaintext) {
      throw new CredentialError(
        `not saved: this system has no OS keychain for Live Desk${k.backend ? ` (safeStorage backend: ${k.backend})` : ''}, ` +
          'so the credentials would be stored effectively in plain text. Install/unlock a keyring (e.g. GNOME Keyring, KWallet), ' +
          'opt in to plaintext storage explicitly, or run headless with credentials from the environment or a 0600 file.',
      );
    }
    const json = JSON.stringify(Object.fromEntries(expected.map((f) => [f, fields[f]!.reveal()])));
    let entry: z.infer<typeof entrySchema>;
    if (k.secure) {
      entry = { protection: 'os-keychain', encoding: 'safe-storage', data: this.deps.safeStorage.encryptString(json).toString('base64'), savedAt: this.deps.clock.now() };
    } else {
      if (!k.encryptionAvailable && this.deps.platform === 'linux') this.deps.safeStorage.setUsePlainTextEncryption(true);
      const canEncrypt = this.deps.safeStorage.isEncryptionAvailable();
      entry = canEncrypt
        ? { protection: 'plaintext', encoding: 'safe-storage', data: this.deps.safeStorage.encryptString(json).toString('base64'), savedAt: this.deps.clock.now() }
        : { protection: 'plaintext', encoding: 'base64', data: Buffer.from(json, 'utf8').toString('base64'), savedAt: this.deps.clock.now() };
    }
    const file = this.readForWrite();
    file.venues[venue] = entry;
    this.write(file);
    this.deps.logger.info('credentials saved', { venue, protection: entry.protection });
    if (entry.protection === 'plaintext') this.deps.logger.warn('credentials stored without an OS keychain (user opted in)', { venue });
    return this.status();
  }

  clear(venue: CredentialVenue): CredentialsStatus {
    const file = this.readForWrite();
    if (file.venues[venue] !== undefined) {
      delete file.venues[venue];
      this.write(file);
      this.deps.logger.info('credentials removed', { venue });
    }
    return this.status();
  }

  get<V extends CredentialVenue>(venue: V): VenueCredentials<V> | null {
    const entry = this.read()?.venues[venue];
    if (!entry) return null;
    let json: string;
    try {
      const bytes = Buffer.from(entry.data, 'base64');
      json = entry.encoding === 'safe-storage' ? this.deps.safeStorage.decryptString(bytes) : bytes.toString('utf8');
    } catch {
      throw new CredentialError(`${venue} credentials could not be decrypted (keychain changed or locked?): save them again`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new CredentialError(`${venue} credentials are damaged: save them again`);
    }
    const fields = CREDENTIAL_FIELDS[venue] as readonly string[];
    const obj = raw as Record<string, unknown>;
    if (typeof raw !== 'object' || raw === null || fields.some((f) => typeof obj[f] !== 'string')) {
      throw new CredentialError(`${venue} credentials are incomplete: save them again`);
    }
    return Object.fromEntries(fields.map((f) => [f, new Secret(obj[f] as string)])) as VenueCredentials<V>;
  }

  /** The file, or null when absent or unusable (the problem is then reported by status()). */
  private read(): CredentialsFile | null {
    const text = this.deps.files.read(CREDENTIALS_FILE);
    if (text === null) return null;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: reported below, without echoing any content
    }
    this.problem = `${this.deps.files.describe(CREDENTIALS_FILE)} is unreadable; saving again keeps it aside and starts a new one`;
    return null;
  }

  private readForWrite(): CredentialsFile {
    const existing = this.read();
    if (existing) return existing;
    if (this.deps.files.read(CREDENTIALS_FILE) !== null) {
      const aside = this.deps.files.preserve(CREDENTIALS_FILE, 'unreadable');
      this.deps.logger.warn('unreadable credentials file kept aside', { keptAs: aside });
      this.problem = null;
    }
    return { version: 1, venues: {} };
  }

  private write(file: CredentialsFile): void {
    this.deps.files.write(CREDENTIALS_FILE, `${JSON.stringify(file, null, 2)}\n`);
  }
}
