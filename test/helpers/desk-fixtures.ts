import { defaultDeskSettings, PROTOCOL_VERSION, type DeskSnapshot, type PnlSnapshotWire } from '../../src/shared/contract';
import { defaultValuation } from '../../src/core/pnl/revalue';

export const EMPTY_PNL: PnlSnapshotWire = { as_of: null, currency: null, realized: '0', unrealized: '0', total: '0', totals: [] };

/** A complete DeskSnapshot with empty lists; override what a test needs. */
export function makeSnapshot(over: Partial<DeskSnapshot> = {}): DeskSnapshot {
  return {
    serverTime: 0,
    protocol: PROTOCOL_VERSION,
    venue: 'sim',
    mode: 'SIM',
    streaming: false,
    quotes: [],
    streams: [],
    valuation: defaultValuation,
    positions: [],
    structures: [],
    pnl: {
      trades: [],
      total_unrealized_value: '0',
      total_unrealized_points: 0,
      pnl: EMPTY_PNL,
      last_updated: null,
      streamer: { state: 'stopped', streaming: false, last_tick_at: null, last_tick_age_sec: null, subscriptions: { needed: 0, subscribed: 0, missing: [] } },
    },
    pnl_snapshot: EMPTY_PNL,
    fills: [],
    orders: [],
    history: [],
    pnl_samples: [],
    portfolio: { path: null, watching: false, loaded_at: null, account: null, positions: 0, structures: 0, error: null },
    settings: { ...defaultDeskSettings, alpaca: { ...defaultDeskSettings.alpaca } },
    active_nodes: [],
    ...over,
  };
}
