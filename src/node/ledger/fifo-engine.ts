/**
 * The ledger's PositionEngine is the core's FIFO (src/core/pnl/fifo.ts) — the single
 * implementation. This adapter only translates rows: stored decimal strings in, core fixed-point
 * values through `rebuildPositions`, decimal strings out.
 *
 * `realizedPnl` is net of fees (as the core's `realized_net` and the UI's `realized_pnl`); `fees` is
 * stored beside it. Average prices are exact to PRICE_DP decimals (half-up beyond that).
 */
import type { PositionEngine, PositionState, StoredFillRow } from '../../core/ports/ledger-store';
import { makeFill, rebuildPositions, type Fill } from '../../core/pnl/fifo';
import {
  PRICE_DP,
  divRound,
  multiplier as toMultiplier,
  qtyToString,
  scaledToString,
  toDecimalString,
  toUnits,
  type Money,
  type Multiplier,
  type Qty,
} from '../../core/model/money';

export class RebuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildError';
  }
}

/**
 * @param multiplierOf the contract multiplier of a symbol as a decimal string or number (100 for a
 *   US equity option, the lot size for NSE, the contract value for Delta).
 */
export function createFifoPositionEngine(multiplierOf: (fill: StoredFillRow) => string | number): PositionEngine {
  return (rows) => {
    const multipliers = new Map<string, Multiplier>();
    const accountOf = new Map<string, string>();
    const fills: Fill[] = rows.map((row) => {
      if (!multipliers.has(row.symbol)) multipliers.set(row.symbol, toMultiplier(multiplierOf(row)));
      accountOf.set(`${row.positionId}#${row.reEntryNum}`, row.accountId);
      accountOf.set(row.positionId, row.accountId);
      return makeFill({
        fill_id: row.fillId,
        position_id: row.positionId,
        // A fill with an origin (v5: venue, fetched, adopted) is numbered by the engine in execution-time
        // order, as the live account fills do; a legacy row's number is binding.
        re_entry_num: row.origin == null ? row.reEntryNum : null,
        symbol: row.symbol,
        side: row.side,
        quantity: row.quantity,
        price: row.price,
        fee: row.fee,
        time: row.filledAt,
      });
    });
    const { positions, rejected } = rebuildPositions(fills, { multiplierOf: (s) => multipliers.get(s)!, keepMatches: false });
    if (rejected.length > 0) {
      throw new RebuildError(`the FIFO engine rejected ${rejected.length} stored fill(s): ${rejected.map((r) => `${r.fill_id}: ${r.reason}`).join('; ')}`);
    }
    return positions.map((p): PositionState => {
      const avg = (value: Money, q: Qty): string | null => {
        if (q === 0n) return null;
        // Money has MONEY_DP = PRICE_DP + UNITS_DP + 1 decimals, units UNITS_DP: value / units is
        // a price with PRICE_DP + 1 decimals, so dividing by units × 10 yields PRICE_DP decimals.
        return scaledToString(divRound(value, toUnits(q, p.multiplier) * 10n), PRICE_DP);
      };
      // A flip closes (id, n) and opens (id, n + 1) inside one fill: that position inherits the account.
      const accountId = accountOf.get(p.key) ?? accountOf.get(`${p.position_id}#${p.re_entry_num - 1}`) ?? accountOf.get(p.position_id) ?? rows[0]?.accountId ?? '';
      return {
        positionId: p.position_id,
        reEntryNum: p.re_entry_num,
        accountId,
        symbol: p.symbol,
        side: p.side === 'LONG' ? 'long' : 'short',
        status: p.status,
        quantityTotal: qtyToString(p.quantity_total),
        quantityClosed: qtyToString(p.quantity_closed),
        quantityOpen: qtyToString(p.quantity_remaining),
        avgEntryPrice: avg(p.entry_value, p.quantity_total),
        avgExitPrice: avg(p.exit_value, p.quantity_closed),
        realizedPnl: toDecimalString(p.realized_net),
        fees: toDecimalString(p.fees),
        openedAt: p.opened_at,
        closedAt: p.closed_at,
        strategyRunId: null,
      };
    });
  };
}
