/**
 * How each stream state looks: a colour AND a label AND an icon, so states are distinguishable at
 * a glance and without relying on colour alone (spec §12).
 */
import type { StreamState } from '@shared/contract';

export interface StateStyle {
  label: string;
  color: string;
  /** A text glyph (no icon library is installed), or `key` for the inline SVG key (components/StateIcon); shape differs per state. */
  icon: string;
  /** Does the state need the trader's attention? */
  attention: boolean;
}

export const STREAM_STATE_STYLE: Record<StreamState, StateStyle> = {
  not_started: { label: 'not started', color: 'gray', icon: '○', attention: false },
  connecting: { label: 'connecting', color: 'blue', icon: '◔', attention: false },
  running: { label: 'running', color: 'teal', icon: '●', attention: false },
  reconnecting: { label: 'reconnecting', color: 'orange', icon: '↻', attention: true },
  error: { label: 'error', color: 'red', icon: '✕', attention: true },
  session_needed: { label: 'session expired', color: 'grape', icon: 'key', attention: true },
};

export function streamStateStyle(state: string): StateStyle {
  return (STREAM_STATE_STYLE as Record<string, StateStyle>)[state] ?? { label: state, color: 'gray', icon: '?', attention: true };
}

/** The worst state across streams, for the header's one-glance summary. */
const SEVERITY: Record<StreamState, number> = { not_started: 0, running: 1, connecting: 2, reconnecting: 3, session_needed: 4, error: 5 };

export function worstStreamState(states: readonly StreamState[]): StreamState | null {
  let worst: StreamState | null = null;
  for (const s of states) if (worst === null || SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}
