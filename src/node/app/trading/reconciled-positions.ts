/**
 * The positions the trading service weighs (the kill switch's Reducing level, exits): our ledger's
 * (AccountPositions), but only where the broker has not contradicted it. Reducing trusts a position
 * to decide that an order cannot open or flip it; if our ledger says long 4 while the broker holds 2,
 * a "reducing" sell of 4 leaves the account short 2. So a symbol's position is unknown (null: the
 * gateway then refuses under Reducing, an exit refuses to size on it) when:
 *
 * - the account's reconciliation is `pending` (not compared yet) or `unavailable` (the broker could
 *   not be asked): every symbol;
 * - the last reconciliation has a line of that symbol (its position, or an order on it) that is not
 *   matched and not resolved by the user — `keep_local` (and any recorded resolution) counts as
 *   resolved: the user chose ours.
 *
 * Everything else passes through to the account fills. Review of issue 16, defect 2.
 */
import type { AccountPositions, LedgerPositionView, ReconciliationGate } from './ports';

export class ReconciledPositions implements AccountPositions {
  constructor(
    private readonly inner: AccountPositions,
    private readonly gate: () => Pick<ReconciliationGate, 'state'> | null,
  ) {}

  /** Why the broker contradicts (or has not yet confirmed) our position of `symbol`, or null when it is trusted. */
  distrust(account: string, symbol: string): string | null {
    const gate = this.gate();
    if (!gate) return `account ${account} has no reconciliation with the broker`;
    const s = gate.state(account);
    if (s.status === 'pending') return `account ${account} is not reconciled with the broker yet`;
    if (s.status === 'unavailable') return `account ${account}'s reconciliation is unavailable (${s.error ?? 'the broker could not be asked'})`;
    const open = s.lines.filter((l) => l.symbol === symbol && l.kind !== 'matched' && l.resolution === null);
    return open.length === 0 ? null : `${symbol} on account ${account} differs from the broker (${open.map((l) => `${l.id} ${l.kind}`).join(', ')}) and is not resolved`;
  }

  signedQuantity(account: string, symbol: string): bigint | null {
    return this.distrust(account, symbol) === null ? this.inner.signedQuantity(account, symbol) : null;
  }

  positions(account: string, opts?: { withClosed?: boolean }): LedgerPositionView[] {
    return this.inner.positions(account, opts);
  }

  adoptBroker(account: string, symbol: string, quantity: string, avgPrice: string | null, reason: string): void {
    this.inner.adoptBroker(account, symbol, quantity, avgPrice, reason);
  }

  whenSynced(account: string): Promise<void> {
    return this.inner.whenSynced(account);
  }

  catchUp(account: string): Promise<void> {
    return this.inner.catchUp(account);
  }
}
