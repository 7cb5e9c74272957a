/**
 * Reconciliation with the broker (issue 16 item 5): run an account's reconciliation now, or resolve
 * one of its lines (adopt the broker's word, keep ours, or close). The reconciler
 * (app/trading/reconciler.ts) does the work; a refusal is a command failure that says why.
 */
import type { ReconResolution } from '../../../core/orders/reconcile';
import type { ReconciliationWire } from '../../../shared/trading';
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';
import { ReconcilerError } from '../trading/reconciler';

export interface ReconcilePort {
  run(account: string, trigger: 'manual'): Promise<ReconciliationWire>;
  /** Resolves one line; `note` says what was done (e.g. an adopt_broker that found the line matched once the fills were caught up). */
  resolve(account: string, lineId: string, action: ReconResolution): Promise<{ reconciliation: ReconciliationWire; note: string }>;
  /** The accounts the desk holds (a typo must not "reconcile" nothing). */
  heldAccounts(): readonly string[];
}

export function reconcileHandlers(port: ReconcilePort): HandlersFor<'reconcile.run' | 'reconcile.resolve'> {
  const held = (name: string, account: string) => {
    const accounts = port.heldAccounts();
    if (!accounts.includes(account)) {
      throw new CommandFailure({ code: 'failed', message: `${name}: the desk holds no account "${account}" (it holds ${accounts.map((a) => `"${a}"`).join(', ')})` });
    }
  };
  return {
    'reconcile.run': async (p) => {
      held('reconcile.run', p.account);
      return { reconciliation: await port.run(p.account, 'manual') };
    },
    'reconcile.resolve': async (p) => {
      held('reconcile.resolve', p.account);
      try {
        return await port.resolve(p.account, p.line_id, p.action);
      } catch (err) {
        if (err instanceof ReconcilerError) throw new CommandFailure({ code: 'failed', message: `reconcile.resolve ${p.line_id} ${p.action}: ${err.message}` });
        throw err;
      }
    },
  };
}
