// Contract additions for the desktop shell: kill switch and credential commands.
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/contract';

describe('shell commands in the contract', () => {
  it('validates killswitch.set', () => {
    expect(parseCommand('killswitch.set', { account: '*', level: 'halted', reason: 'tray' }).ok).toBe(true);
    expect(parseCommand('killswitch.set', { account: 'acct-1', level: 'active', reason: 'resume', rearm: true }).ok).toBe(true);
    const r = parseCommand('killswitch.set', { account: 'a', level: 'halted', reason: 'x', extra: 1 });
    expect(r.ok).toBe(false);
  });

  it('validates credentials.save per venue and never echoes values in errors', () => {
    const secret = 'S3CR3T-do-not-echo';
    expect(parseCommand('credentials.save', { venue: 'alpaca', fields: { keyId: 'k', secretKey: secret } }).ok).toBe(true);
    expect(parseCommand('credentials.save', { venue: 'smartapi', fields: { apiKey: 'a', clientCode: 'c', pin: '1234', totpSecret: secret }, allowPlaintext: true }).ok).toBe(true);
    const cases: unknown[] = [
      { venue: 'alpaca', fields: { keyId: secret } },
      { venue: 'alpaca', fields: { keyId: 'k', secretKey: secret, apiSecret: secret } },
      { venue: 'delta', fields: { apiKey: secret, apiSecret: 12 } },
      { venue: 'mystery', fields: { apiKey: secret } },
      { venue: 'alpaca', fields: { keyId: 'k', secretKey: secret.repeat(100) } },
    ];
    for (const payload of cases) {
      const r = parseCommand('credentials.save', payload);
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r)).not.toContain(secret);
    }
    const missing = parseCommand('credentials.save', { venue: 'alpaca', fields: { keyId: 'k' } });
    if (!missing.ok) expect(missing.error.message).toContain('fields.secretKey');
  });
});
