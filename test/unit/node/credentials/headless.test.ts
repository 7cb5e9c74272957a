import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CREDENTIALS_FILE_ENV,
  HeadlessCredentialVault,
  credentialEnvName,
  loadHeadlessCredentials,
} from '../../../../src/node/credentials/headless';
import { CredentialError } from '../../../../src/core/ports/credential-vault';

const SECRET = 'sk-live-7f3a9c1e5b2d';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-creds-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeCreds(body: string, mode: number): string {
  const p = join(dir, 'credentials.json');
  writeFileSync(p, body);
  chmodSync(p, mode);
  return p;
}

function errorOf(fn: () => unknown): CredentialError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CredentialError);
    return err as CredentialError;
  }
  throw new Error('expected a CredentialError');
}

describe('headless credentials', () => {
  it('names environment variables per venue and field', () => {
    expect(credentialEnvName('alpaca', 'keyId')).toBe('LIVE_DESK_ALPACA_KEY_ID');
    expect(credentialEnvName('smartapi', 'totpSecret')).toBe('LIVE_DESK_SMARTAPI_TOTP_SECRET');
    expect(credentialEnvName('delta', 'apiSecret')).toBe('LIVE_DESK_DELTA_API_SECRET');
  });

  it('reads complete venues from the environment and says which variables, never the values', () => {
    const env = { LIVE_DESK_ALPACA_KEY_ID: 'AKID123', LIVE_DESK_ALPACA_SECRET_KEY: SECRET, [CREDENTIALS_FILE_ENV]: '/nope' };
    const loaded = loadHeadlessCredentials({ env });
    expect(loaded.source).toBe('environment');
    expect(loaded.detail).toContain('LIVE_DESK_ALPACA_SECRET_KEY');
    expect(loaded.detail).toContain(`${CREDENTIALS_FILE_ENV} ignored`);
    expect(loaded.detail).not.toContain(SECRET);
    expect(loaded.detail).not.toContain('AKID123');
    const vault = new HeadlessCredentialVault(loaded);
    expect(vault.get('alpaca')?.secretKey.reveal()).toBe(SECRET);
    expect(vault.get('delta')).toBeNull();
    expect(JSON.stringify(vault.status())).not.toContain(SECRET);
    expect(JSON.stringify(vault.get('alpaca'))).not.toContain(SECRET);
    expect(vault.status()).toMatchObject({ source: 'environment', writable: false });
    expect(vault.status().venues.find((v) => v.venue === 'alpaca')).toMatchObject({ stored: true, protection: 'environment' });
  });

  it('refuses a half-configured venue, naming the missing variable', () => {
    const e = errorOf(() => loadHeadlessCredentials({ env: { LIVE_DESK_DELTA_API_KEY: 'k' } }));
    expect(e.message).toContain('LIVE_DESK_DELTA_API_SECRET');
  });

  it('reads a 0600 file and refuses one that others can read, with the fix', () => {
    const body = JSON.stringify({ delta: { apiKey: 'dk', apiSecret: SECRET } });
    const ok = writeCreds(body, 0o600);
    const loaded = loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: ok }, platform: 'linux', uid: process.getuid?.() ?? null });
    expect(loaded.source).toBe('file');
    expect(loaded.detail).toContain(ok);
    expect(loaded.detail).toContain('delta');
    expect(new HeadlessCredentialVault(loaded).get('delta')?.apiSecret.reveal()).toBe(SECRET);
    chmodSync(ok, 0o644);
    const e = errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: ok }, platform: 'linux' }));
    expect(e.message).toContain('mode 0644');
    expect(e.message).toContain(`chmod 600 ${ok}`);
    chmodSync(ok, 0o640);
    expect(errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: ok }, platform: 'linux' })).message).toContain('mode 0640');
  });

  it('refuses a file owned by another user', () => {
    const p = writeCreds('{}', 0o600);
    const e = errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: p }, platform: 'linux', uid: 4242 }));
    expect(e.message).toContain('uid 4242');
  });

  it('never echoes file content in its errors (bad JSON, bad shape)', () => {
    const bad = writeCreds(`{"alpaca": {"keyId": "${SECRET}", }`, 0o600);
    const e1 = errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: bad }, platform: 'linux' }));
    expect(e1.message).toContain('not valid JSON');
    expect(e1.message).not.toContain(SECRET);
    const shape = writeCreds(JSON.stringify({ alpaca: { keyId: SECRET, secretKey: 7 }, bogus: SECRET }), 0o600);
    const e2 = errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: shape }, platform: 'linux' }));
    expect(e2.message).toContain('alpaca.secretKey');
    expect(e2.message).not.toContain(SECRET);
  });

  it('says clearly when the file is missing or nothing is configured', () => {
    expect(errorOf(() => loadHeadlessCredentials({ env: { [CREDENTIALS_FILE_ENV]: join(dir, 'missing.json') } })).message).toContain('does not exist');
    const none = loadHeadlessCredentials({ env: {} });
    expect(none.source).toBe('none');
    expect(none.detail).toContain(CREDENTIALS_FILE_ENV);
  });

  it('is read-only: saving from the app is refused with where to change them', () => {
    const vault = new HeadlessCredentialVault(loadHeadlessCredentials({ env: {} }));
    expect(() => vault.save()).toThrow(/environment.*0600 file/);
    expect(() => vault.clear()).toThrow(CredentialError);
  });
});
