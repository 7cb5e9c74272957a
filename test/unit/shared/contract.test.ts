import { describe, expect, it } from 'vitest';
import { parseCommand, clientMessageSchema } from '../../../src/shared/contract';

describe('parseCommand', () => {
  it('accepts known commands with valid payloads', () => {
    expect(parseCommand('stream.start', {})).toMatchObject({ ok: true, name: 'stream.start' });
    expect(parseCommand('snapshot.get', undefined)).toMatchObject({ ok: true });
  });

  it('names an unknown command', () => {
    const r = parseCommand('stream.explode', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    if (!r.ok) expect(r.error.message).toContain('stream.explode');
  });

  it('rejects extra payload fields with the path', () => {
    const r = parseCommand('stream.start', { force: true });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_payload');
      expect(r.error.message).toContain('stream.start');
    }
  });

  it('does not treat prototype keys as commands', () => {
    expect(parseCommand('constructor', {}).ok).toBe(false);
    expect(parseCommand('__proto__', {}).ok).toBe(false);
  });

  it('validates client frames', () => {
    expect(clientMessageSchema.safeParse({ kind: 'call', id: 1, name: 'x', payload: {} }).success).toBe(true);
    expect(clientMessageSchema.safeParse({ kind: 'call', id: -1, name: 'x' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ kind: 'nope' }).success).toBe(false);
  });
});
