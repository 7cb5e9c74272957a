/** SCAFFOLD (trade-base branch only, replaced before landing): trading modes and the order gateway's commands. */
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';

type Names = 'trading.get' | 'trading.set_mode' | 'orders.place' | 'orders.replace' | 'orders.cancel' | 'orders.resolve' | 'orders.list' | 'orders.history' | 'orders.exit' | 'orders.exit_cancel';

const notYet = (name: string) => () => {
  throw new CommandFailure({ code: 'failed', message: `${name}: not built yet` });
};

export function orderHandlers(): HandlersFor<Names> {
  return {
    'trading.get': notYet('trading.get'),
    'trading.set_mode': notYet('trading.set_mode'),
    'orders.place': notYet('orders.place'),
    'orders.replace': notYet('orders.replace'),
    'orders.cancel': notYet('orders.cancel'),
    'orders.resolve': notYet('orders.resolve'),
    'orders.list': notYet('orders.list'),
    'orders.history': notYet('orders.history'),
    'orders.exit': notYet('orders.exit'),
    'orders.exit_cancel': notYet('orders.exit_cancel'),
  };
}
