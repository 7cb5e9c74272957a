import { describe, expect, it } from 'vitest';
import { STREAM_STATE_STYLE, streamStateStyle, worstStreamState } from '../../../../../src/renderer/src/features/health/stream-state';

describe('stream state styles', () => {
  it('gives every state a distinct colour, label and icon (not colour alone)', () => {
    const styles = Object.values(STREAM_STATE_STYLE);
    expect(styles).toHaveLength(6);
    for (const key of ['color', 'label', 'icon'] as const) expect(new Set(styles.map((s) => s[key])).size).toBe(6);
  });
  it('falls back visibly for a state it does not know', () => {
    expect(streamStateStyle('weird')).toMatchObject({ label: 'weird', attention: true });
  });
  it('summarises the worst state', () => {
    expect(worstStreamState(['running', 'reconnecting', 'running'])).toBe('reconnecting');
    expect(worstStreamState(['running', 'error', 'session_needed'])).toBe('error');
    expect(worstStreamState([])).toBeNull();
  });
});
