/** The day's P&L curve: samples per currency, oldest first (`gap` marks breaks). */
import type { PnlSampleWire } from '@shared/contract';
import { appendBounded, LIMITS, type Slice } from './slice';

export interface PnlCurveSlice {
  pnlSamples: PnlSampleWire[];
}

export const pnlCurveSlice: Slice<PnlCurveSlice> = {
  name: 'pnlCurve',
  initial: { pnlSamples: [] },
  fromSnapshot: (s) => ({ pnlSamples: (s.pnl_samples ?? []).slice(-LIMITS.pnlSamples) }),
  reduce: (state, event) => (event.type === 'pnl_sample' ? { pnlSamples: appendBounded(state.pnlSamples, event.samples, LIMITS.pnlSamples) } : null),
};
