/** Accounts: the accounts the desk holds, each with its session and kill switch level. */
import type { AccountWire } from '../../../shared/contract';
import type { HandlersFor } from '../commands';

export interface AccountsPort {
  /** The default account first, then the configured ones in file order. */
  list(): AccountWire[];
}

export function accountHandlers(port: AccountsPort): HandlersFor<'accounts.list'> {
  return {
    'accounts.list': () => ({ accounts: port.list() }),
  };
}
