/**
 * Headless credential sources: the environment, or a JSON file that only its owner can read
 * (mode 0600 or stricter). Exactly one source is used and named in the log — by variable names or
 * path, never by value. Anything wrong (a half-set venue, a file others can read, bad JSON) is
 * refused with a message that says what to fix; no message ever contains a value.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import {
  CREDENTIAL_FIELDS,
  CREDENTIAL_VENUES,
  type CredentialVenue,
  type CredentialsStatus,
  type VenueCredentials,
} from '../../core/model/credentials';
import { Secret } from '../../core/model/secret';
import { CredentialError, type CredentialVault } from '../../core/ports/credential-vault';

export const CREDENTIALS_FILE_ENV = 'LIVE_DESK_CREDENTIALS_FILE';
const MAX_FILE_BYTES = 64 * 1024;

/** `LIVE_DESK_ALPACA_KEY_ID`, `LIVE_DESK_SMARTAPI_TOTP_SECRET`, … */
export function credentialEnvName(venue: CredentialVenue, field: string): string {
  return `LIVE_DESK_${venue.toUpperCase()}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface HeadlessCredentials {
  source: 'environment' | 'file' | 'none';
  /** One log-safe line saying where the credentials come from. */
  detail: string;
  venues: Partial<{ [V in CredentialVenue]: VenueCredentials<V> }>;
}

export interface HeadlessCredentialDeps {
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** The current user's uid (POSIX), to refuse a file owned by someone else. */
  uid?: number | null;
}

function fromEnv(env: Record<string, string | undefined>): HeadlessCredentials | null {
  const venues: HeadlessCredentials['venues'] = {};
  const used: string[] = [];
  for (const venue of CREDENTIAL_VENUES) {
    const names = CREDENTIAL_FIELDS[venue].map((f) => [f, credentialEnvName(venue, f)] as const);
    const present = names.filter(([, n]) => (env[n] ?? '').trim() !== '');
    if (present.length === 0) continue;
    const missing = names.filter(([, n]) => (env[n] ?? '').trim() === '').map(([, n]) => n);
    if (missing.length > 0) {
      throw new CredentialError(`${venue} credentials in the environment are incomplete: set ${missing.join(', ')} as well`);
    }
    const creds = Object.fromEntries(names.map(([f, n]) => [f, new Secret(env[n]!.trim())]));
    (venues as Record<string, unknown>)[venue] = creds;
    used.push(`${venue}: ${names.map(([, n]) => n).join(', ')}`);
  }
  if (used.length === 0) return null;
  const ignored = env[CREDENTIALS_FILE_ENV] ? ` (${CREDENTIALS_FILE_ENV} ignored: the environment takes precedence)` : '';
  return { source: 'environment', detail: `credentials from the environment — ${used.join('; ')}${ignored}`, venues };
}

const secretValue = z.string().trim().min(1, 'must not be empty').max(1024, 'is too long');
const fileSchema = z
  .object(
    Object.fromEntries(
      CREDENTIAL_VENUES.map((v) => [v, z.object(Object.fromEntries(CREDENTIAL_FIELDS[v].map((f) => [f, secretValue]))).strict().optional()]),
    ),
  )
  .strict();

function fromFile(path: string, deps: HeadlessCredentialDeps): HeadlessCredentials {
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CredentialError(`credentials file ${path} (${CREDENTIALS_FILE_ENV}) cannot be read: ${code === 'ENOENT' ? 'it does not exist' : code}`);
  }
  if (!info.isFile()) throw new CredentialError(`credentials file ${path} is not a regular file`);
  if ((deps.platform ?? process.platform) !== 'win32') {
    const mode = info.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new CredentialError(
        `credentials file ${path} has mode 0${mode.toString(8)}: it must be readable by its owner only — run: chmod 600 ${path}`,
      );
    }
    if (deps.uid !== undefined && deps.uid !== null && info.uid !== deps.uid) {
      throw new CredentialError(`credentials file ${path} is owned by uid ${info.uid}, not by the user running Live Desk (uid ${deps.uid})`);
    }
  }
  if (info.size > MAX_FILE_BYTES) throw new CredentialError(`credentials file ${path} is larger than ${MAX_FILE_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // JSON.parse's own message quotes the text around the error: it could hold a secret.
    throw new CredentialError(`credentials file ${path} is not valid JSON`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CredentialError(`credentials file ${path} is not valid: ${where} (expected {"alpaca": {"keyId", "secretKey"}, "smartapi": {…}, "delta": {…}})`);
  }
  const venues: HeadlessCredentials['venues'] = {};
  for (const venue of CREDENTIAL_VENUES) {
    const entry = (parsed.data as Record<string, Record<string, string> | undefined>)[venue];
    if (!entry) continue;
    (venues as Record<string, unknown>)[venue] = Object.fromEntries(Object.entries(entry).map(([f, v]) => [f, new Secret(v)]));
  }
  const names = Object.keys(venues);
  return {
    source: 'file',
    detail: `credentials from file ${path} (owner-only; venues: ${names.length > 0 ? names.join(', ') : 'none'})`,
    venues,
  };
}

/** Reads the headless credentials. Throws CredentialError when a configured source is unusable. */
export function loadHeadlessCredentials(deps: HeadlessCredentialDeps): HeadlessCredentials {
  const env = fromEnv(deps.env);
  if (env) return env;
  const file = deps.env[CREDENTIALS_FILE_ENV];
  if (file) return fromFile(file, deps);
  return {
    source: 'none',
    detail: `no credentials configured (set LIVE_DESK_<VENUE>_<FIELD> variables, e.g. ${credentialEnvName('alpaca', 'keyId')}, or ${CREDENTIALS_FILE_ENV} to a 0600 JSON file)`,
    venues: {},
  };
}

/** The headless desk's read-only vault: credentials change where they come from, not in the app. */
export class HeadlessCredentialVault implements CredentialVault {
  constructor(private readonly loaded: HeadlessCredentials) {}

  status(): CredentialsStatus {
    return {
      source: this.loaded.source,
      writable: false,
      keychainAvailable: false,
      detail: this.loaded.detail,
      venues: CREDENTIAL_VENUES.map((venue) => {
        const stored = this.loaded.venues[venue] !== undefined;
        return {
          venue,
          stored,
          protection: stored ? (this.loaded.source === 'file' ? 'file' : 'environment') : null,
          savedAt: null,
        };
      }),
    };
  }

  save(): CredentialsStatus {
    throw new CredentialError(
      `headless mode reads credentials from the environment (${credentialEnvName('alpaca', 'keyId')}, …) or a 0600 file (${CREDENTIALS_FILE_ENV}); change them there`,
    );
  }

  clear(): CredentialsStatus {
    return this.save();
  }

  get<V extends CredentialVenue>(venue: V): VenueCredentials<V> | null {
    return (this.loaded.venues[venue] as VenueCredentials<V> | undefined) ?? null;
  }
}
