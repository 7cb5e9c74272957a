import { describe, expect, it } from 'vitest';
import { CREDENTIALS_FILE, SafeStorageVault, keychainState } from '../../../src/main/safe-storage-vault';
import { ManualClock } from '../../../src/core/ports/clock';
import { Secret } from '../../../src/core/model/secret';
import { CredentialError } from '../../../src/core/ports/credential-vault';
import { MemoryStateFiles } from '../../../src/node/state/state-dir';
import { FakeSafeStorage, captureLogger } from './fake-electron';

const SECRET = 'alpaca-secret-XYZ-0042';

function vault(platform: NodeJS.Platform = 'linux', prepare: (s: FakeSafeStorage) => void = () => {}) {
  const safeStorage = new FakeSafeStorage();
  prepare(safeStorage);
  const files = new MemoryStateFiles();
  const logger = captureLogger();
  const v = new SafeStorageVault({ safeStorage, platform, files, clock: new ManualClock(123), logger });
  return { v, safeStorage, files, logger };
}

const alpaca = () => ({ keyId: new Secret('AKID-1'), secretKey: new Secret(SECRET) });

describe('SafeStorageVault', () => {
  it('stores encrypted with the keychain and gives Secrets back; nothing readable at rest', () => {
    const { v, files, logger } = vault();
    const status = v.save('alpaca', alpaca(), { allowPlaintext: false });
    expect(status).toMatchObject({ source: 'os-keychain', writable: true, keychainAvailable: true });
    expect(status.venues.find((x) => x.venue === 'alpaca')).toEqual({ venue: 'alpaca', stored: true, protection: 'os-keychain', savedAt: 123 });
    expect(files.read(CREDENTIALS_FILE)).not.toContain(SECRET);
    expect(files.read(CREDENTIALS_FILE)).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(v.get('alpaca')?.secretKey.reveal()).toBe(SECRET);
    expect(v.get('delta')).toBeNull();
    expect(JSON.stringify(v.status())).not.toContain(SECRET);
    expect(logger.text()).not.toContain(SECRET);
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: 'credentials saved', fields: { venue: 'alpaca', protection: 'os-keychain' } }));
  });

  it('refuses plaintext storage on Linux basic_text unless the user opts in, then marks it', () => {
    const { v, files } = vault('linux', (s) => (s.backend = 'basic_text'));
    expect(keychainState(new FakeSafeStorage(), 'linux').secure).toBe(true);
    expect(v.status().keychainAvailable).toBe(false);
    expect(() => v.save('alpaca', alpaca(), { allowPlaintext: false })).toThrow(CredentialError);
    expect(() => v.save('alpaca', alpaca(), { allowPlaintext: false })).toThrow(/basic_text.*plain text.*opt in/);
    expect(files.read(CREDENTIALS_FILE)).toBeNull();
    const s = v.save('alpaca', alpaca(), { allowPlaintext: true });
    expect(s.source).toBe('plaintext-opt-in');
    expect(s.venues.find((x) => x.venue === 'alpaca')?.protection).toBe('plaintext');
    expect(v.get('alpaca')?.keyId.reveal()).toBe('AKID-1');
  });

  it('refuses when encryption is unavailable; with opt-in on Linux it switches to plain-text encryption', () => {
    const { v, safeStorage } = vault('linux', (s) => {
      s.available = false;
      s.backend = 'unknown';
    });
    expect(() => v.save('delta', { apiKey: new Secret('k'), apiSecret: new Secret(SECRET) }, { allowPlaintext: false })).toThrow(/no OS keychain/);
    v.save('delta', { apiKey: new Secret('k'), apiSecret: new Secret(SECRET) }, { allowPlaintext: true });
    expect(safeStorage.plainTextForced).toBe(true);
    expect(v.get('delta')?.apiSecret.reveal()).toBe(SECRET);
  });

  it('on macOS/Windows without encryption, an opted-in save is stored and marked plaintext', () => {
    const { v } = vault('darwin', (s) => (s.available = false));
    expect(() => v.save('alpaca', alpaca(), { allowPlaintext: false })).toThrow(CredentialError);
    const s = v.save('alpaca', alpaca(), { allowPlaintext: true });
    expect(s.venues[0]?.protection).toBe('plaintext');
    expect(v.get('alpaca')?.secretKey.reveal()).toBe(SECRET);
  });

  it('requires every field of the venue, and clears', () => {
    const { v } = vault();
    expect(() => v.save('smartapi', { apiKey: new Secret('a') }, { allowPlaintext: false })).toThrow(/clientCode, pin, totpSecret/);
    v.save('alpaca', alpaca(), { allowPlaintext: false });
    expect(v.clear('alpaca').venues.every((x) => !x.stored)).toBe(true);
    expect(v.get('alpaca')).toBeNull();
  });

  it('an unreadable credentials file is reported, kept aside on the next save, never overwritten', () => {
    const { v, files } = vault();
    files.write(CREDENTIALS_FILE, '{"version": 1, "venues": {"alpaca": {"protection": "nope"}}}');
    expect(v.status().detail).toMatch(/unreadable/);
    expect(v.get('alpaca')).toBeNull();
    v.save('alpaca', alpaca(), { allowPlaintext: false });
    expect(files.read(`${CREDENTIALS_FILE}.unreadable`)).toContain('"nope"');
    expect(v.status().detail).toMatch(/encrypted by the OS keychain/);
  });

  it('a value that no longer decrypts asks to save again (without the value)', () => {
    const { v, safeStorage } = vault();
    v.save('alpaca', alpaca(), { allowPlaintext: false });
    safeStorage.decryptString = () => {
      throw new Error('decrypt failed');
    };
    expect(() => v.get('alpaca')).toThrow(/could not be decrypted.*save them again/);
  });
});
