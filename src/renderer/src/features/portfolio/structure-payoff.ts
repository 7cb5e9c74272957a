/**
 * The payoff of a structure at expiry (core `payoffAtExpiry`), widened to include the live
 * underlying price when it lies outside the default range around the strikes.
 */
import type { PayoffView, StructureDefWire } from '@shared/contract';
import { payoffAtExpiry } from '@core/pnl/structure';
import { structureDefFromWire } from '@core/pnl/revalue';

export function underlyingOf(def: StructureDefWire): string | null {
  for (const l of def.legs) if (l.instrument) return l.instrument.underlying;
  return null;
}

export function structurePayoff(def: StructureDefWire, livePrice: number | null): PayoffView {
  const core = structureDefFromWire(def);
  const base = payoffAtExpiry(core);
  if (!base.ok || livePrice === null || base.curve.length === 0) return base;
  const xs = base.curve.map((p) => p.underlying_price);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (livePrice >= lo && livePrice <= hi) return base;
  const pad = (hi - lo) * 0.05;
  return payoffAtExpiry(core, { from: Math.max(0, Math.min(lo, livePrice - pad)), to: Math.max(hi, livePrice + pad), points: base.curve.length });
}
