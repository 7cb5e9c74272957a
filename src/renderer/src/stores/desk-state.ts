import type { DeskEvent, QuoteWire, StreamHealthWire, VenueMode } from '@shared/contract';

/** The renderer's picture of the desk, rebuilt from a snapshot plus events in seq order. */
export interface DeskState {
  /** Seq of the last event applied; null until the first snapshot. */
  seq: number | null;
  /** Server clock minus local clock (ms), so quote ages are right even when the clocks differ. */
  clockOffsetMs: number;
  venue: string;
  mode: VenueMode;
  streaming: boolean;
  quotes: Record<string, QuoteWire>;
  streams: StreamHealthWire[];
  /** Set when a seq gap was seen; cleared by the next snapshot. */
  awaitingSnapshot: boolean;
}

export const initialDeskState: DeskState = {
  seq: null,
  clockOffsetMs: 0,
  venue: '',
  mode: 'SIM',
  streaming: false,
  quotes: {},
  streams: [],
  awaitingSnapshot: true,
};

export type ReduceResult = { state: DeskState; needResync: boolean };

/** Pure: applies one event. A gap in seq marks the state as awaiting a snapshot and asks for one. */
export function reduceDesk(state: DeskState, event: DeskEvent, localNow: number): ReduceResult {
  if (event.type === 'snapshot') {
    const s = event.snapshot;
    const quotes: Record<string, QuoteWire> = {};
    for (const q of s.quotes) quotes[q.symbol] = q;
    return {
      state: {
        seq: event.seq,
        clockOffsetMs: s.serverTime - localNow,
        venue: s.venue,
        mode: s.mode,
        streaming: s.streaming,
        quotes,
        streams: s.streams,
        awaitingSnapshot: false,
      },
      needResync: false,
    };
  }
  if (state.awaitingSnapshot || state.seq === null) return { state, needResync: false };
  if (event.seq <= state.seq) return { state, needResync: false }; // duplicate or old
  if (event.seq !== state.seq + 1) return { state: { ...state, awaitingSnapshot: true }, needResync: true };
  const base = { ...state, seq: event.seq, clockOffsetMs: event.serverTime - localNow };
  switch (event.type) {
    case 'tick_update': {
      const quotes = { ...state.quotes };
      for (const q of event.quote_updates) quotes[q.symbol] = q;
      return { state: { ...base, quotes }, needResync: false };
    }
    case 'health_event':
      return { state: { ...base, streaming: event.streaming, streams: event.streams }, needResync: false };
    default:
      return { state: base, needResync: false };
  }
}
