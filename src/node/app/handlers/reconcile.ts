/** SCAFFOLD (trade-base branch only, replaced before landing): reconciliation commands. */
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

const notYet = (name: string) => () => {
  throw new CommandFailure({ code: 'failed', message: `${name}: not built yet` });
};

export function reconcileHandlers(): HandlersFor<'reconcile.run' | 'reconcile.resolve'> {
  return { 'reconcile.run': notYet('reconcile.run'), 'reconcile.resolve': notYet('reconcile.resolve') };
}
