/**
 * From a loaded portfolio.json to the P&L machinery: each leg with a cost basis becomes one
 * synthetic opening fill through the FIFO engine (so file positions and broker fills are valued by
 * the same code), and each multi-leg position becomes a StructureDef.
 */
import type { Instrument } from '../model/instrument';
import type { Portfolio } from '../model/portfolio-file';
import { ZERO_MONEY, absBig, type Qty } from '../model/money';
import type { Fill } from './fifo';
import type { StructureDef } from './structure';

/** position_id of a portfolio leg: the position id, plus `/legN` inside a multi-leg position. */
export function portfolioPositionId(positionId: string, legIndex: number | null): string {
  return legIndex === null ? positionId : `${positionId}/leg${legIndex}`;
}

/**
 * Opening fills for every leg of a position whose legs all have a cost basis. A multi-leg position
 * with a leg lacking one (the file gives only its net_debit) is valued as a whole structure — its
 * net P&L joins the totals through withStructureTotals — so none of its legs becomes a position
 * (a leg counted both ways would be counted twice).
 */
export function portfolioFills(p: Portfolio): Fill[] {
  const fills: Fill[] = [];
  for (const pos of p.positions) {
    if (pos.legs.some((l) => l.entryPrice === null)) continue;
    pos.legs.forEach((leg, j) => {
      if (leg.entryPrice === null) return;
      const pid = portfolioPositionId(pos.id, pos.kind === 'single' ? null : j);
      fills.push({
        fill_id: `portfolio:${pid}`,
        position_id: pid,
        re_entry_num: 0,
        symbol: leg.symbol,
        side: leg.quantity < 0n ? 'SELL' : 'BUY',
        quantity: absBig(leg.quantity) as Qty,
        price: leg.entryPrice,
        fee: ZERO_MONEY,
        time: pos.openedAt,
      });
    });
  }
  return fills;
}

export function portfolioStructures(p: Portfolio): StructureDef[] {
  return p.positions
    .filter((pos) => pos.kind === 'multi_leg')
    .map((pos) => ({
      id: pos.id,
      name: pos.name,
      netDebit: pos.netDebit,
      currency: pos.legs[0]?.instrument.currency.code,
      currencyDecimals: pos.legs[0]?.instrument.currency.decimals,
      legs: pos.legs.map((l) => ({ symbol: l.symbol, quantity: l.quantity, multiplier: l.multiplier, entryPrice: l.entryPrice, instrument: l.instrument })),
    }));
}

/** Every instrument the portfolio references, by symbol (for subscriptions and multipliers). */
export function portfolioInstruments(p: Portfolio): Map<string, Instrument> {
  const m = new Map<string, Instrument>();
  for (const pos of p.positions) for (const l of pos.legs) m.set(l.symbol, l.instrument);
  return m;
}
