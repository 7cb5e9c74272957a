/** What the reconciliation panel says (pure, unit-tested). */
import type { ReconLineKind, ReconLineWire, ReconciliationWire } from '@shared/contract';

export const KIND_LABEL: Record<ReconLineKind, string> = {
  matched: 'matched',
  broker_only: 'broker only',
  ledger_only: 'ledger only',
  quantity_mismatch: 'quantity differs',
  price_mismatch: 'price differs',
};

export const RECON_STATUS: Record<ReconciliationWire['status'], { label: string; color: string }> = {
  pending: { label: 'not run', color: 'gray' },
  clean: { label: 'reconciled', color: 'teal' },
  diff: { label: 'differences', color: 'orange' },
  unavailable: { label: 'broker not reachable', color: 'red' },
};

/** A line waits for the trader: not matched and not resolved. */
export function lineNeedsAction(l: Pick<ReconLineWire, 'kind' | 'resolution'>): boolean {
  return l.kind !== 'matched' && l.resolution === null;
}

/** One sentence for the panel's head. */
export function reconSummary(r: ReconciliationWire | null): string {
  if (!r || r.status === 'pending') return 'Not reconciled yet: it runs when the account starts, after every reconnect, and on demand.';
  if (r.status === 'unavailable') return `The broker could not be asked${r.error ? ` (${r.error})` : ''}: nothing is assumed — a missing report is not "flat". Automation stays blocked.`;
  const open = r.lines.filter(lineNeedsAction).length;
  const matched = r.lines.filter((l) => l.kind === 'matched').length;
  if (open === 0) return `Broker and ledger agree (${matched} matched${r.lines.length > matched ? `, ${r.lines.length - matched} resolved` : ''}).`;
  return `${open} difference${open === 1 ? '' : 's'} wait${open === 1 ? 's' : ''} for you (${matched} matched). In Trade mode, automation on this account stays blocked until each is resolved.`;
}
