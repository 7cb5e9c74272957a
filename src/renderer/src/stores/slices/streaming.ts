/**
 * Streaming and health: the venue and mode, whether the desk streams, each stream's health, the
 * tracker's diagnostics, the subscription plan in force, the kill switch, and the runtime's
 * active nodes / replay progress from the ticks.
 */
import type { KillSwitchWire, ReplayProgress, StreamerDiagnostics, StreamHealthWire, SubscriptionPlanWire, VenueMode } from '@shared/contract';
import type { Slice } from './slice';

export interface StreamingSlice {
  venue: string;
  mode: VenueMode;
  streaming: boolean;
  streams: StreamHealthWire[];
  /** The tracker's stream diagnostics (connection state, last tick age, subscription counts). */
  streamer: StreamerDiagnostics | null;
  killSwitch: KillSwitchWire | null;
  /** The subscription plan in force while streaming: its limit and the symbols left out (null when stopped). */
  plan: SubscriptionPlanWire | null;
  activeNodes: string[];
  progress: ReplayProgress | null;
  /** Server time of the last tick_update. */
  lastTickAt: number | null;
}

/** The same object when nothing changed (health events arrive every second: no re-render for an unchanged plan). */
function samePlan(prev: SubscriptionPlanWire | null, next: SubscriptionPlanWire | null): SubscriptionPlanWire | null {
  if (prev === null || next === null) return next;
  const same = prev.max_option_contracts === next.max_option_contracts && prev.omitted.length === next.omitted.length && prev.omitted.every((s, i) => s === next.omitted[i]) && prev.warnings.join('\n') === next.warnings.join('\n');
  return same ? prev : next;
}

export const streamingSlice: Slice<StreamingSlice> = {
  name: 'streaming',
  initial: { venue: '', mode: 'SIM', streaming: false, streams: [], streamer: null, killSwitch: null, plan: null, activeNodes: [], progress: null, lastTickAt: null },
  fromSnapshot: (s) => ({
    venue: s.venue,
    mode: s.mode,
    streaming: s.streaming,
    streams: s.streams,
    streamer: s.pnl?.streamer ?? null,
    killSwitch: s.killSwitch ?? null,
    plan: s.plan ?? null,
    activeNodes: s.active_nodes ?? [],
    progress: s.progress ?? null,
    lastTickAt: null,
  }),
  reduce(state, event, now) {
    switch (event.type) {
      case 'tick_update':
        return { activeNodes: event.active_nodes, progress: event.progress ?? null, lastTickAt: now };
      case 'health_event':
        return { streaming: event.streaming, streams: event.streams, streamer: event.streamer ?? state.streamer, plan: event.plan === undefined ? state.plan : samePlan(state.plan, event.plan) };
      case 'killswitch_event':
        return { killSwitch: event.killSwitch };
      default:
        return null;
    }
  },
};
