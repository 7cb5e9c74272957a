/**
 * Trading modes and the order gateway's commands (issue 16): `trading.get` / `trading.set_mode`,
 * `orders.place` / `replace` / `cancel` / `resolve` (outcomes as the gateway classified them),
 * `orders.list` / `history` (the journal), `orders.exit` / `exit_cancel` (manual exits).
 * A command the service refuses as a whole (unknown account, account not running, wrong LIVE
 * phrase) fails with the service's message; an order refused by the gateway (mode, kill switch,
 * validation …) is a result: `outcome.kind === 'refused'` with its cause and reason.
 */
import { CommandFailure } from '../../live-portfolio';
import type { HandlersFor } from '../commands';
import { TradingRefusal, type TradingService } from '../trading/trading-service';

type Names = 'trading.get' | 'trading.set_mode' | 'orders.place' | 'orders.replace' | 'orders.cancel' | 'orders.resolve' | 'orders.list' | 'orders.history' | 'orders.exit' | 'orders.exit_cancel';

/** What the handlers need of the trading service. */
export type OrdersPort = Pick<TradingService, 'states' | 'setMode' | 'place' | 'replace' | 'cancel' | 'resolve' | 'list' | 'history' | 'exit' | 'exitCancel'>;

/** Runs `fn`, turning the service's refusal into a command failure naming the command. */
async function refusing<T>(name: Names, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TradingRefusal) throw new CommandFailure({ code: 'failed', message: `${name}: ${err.message}` });
    throw err;
  }
}

export function orderHandlers(port: OrdersPort): HandlersFor<Names> {
  return {
    'trading.get': () => ({ accounts: port.states() }),
    'trading.set_mode': (p) => refusing('trading.set_mode', () => ({ trading: port.setMode(p.account, p.mode, p.confirm) })),
    'orders.place': (p) => refusing('orders.place', async () => ({ outcome: await port.place(p, 'manual') })),
    'orders.replace': (p) => refusing('orders.replace', async () => ({ outcome: await port.replace(p.account, p.client_order_id, { quantity: p.quantity, limit_price: p.limit_price }) })),
    'orders.cancel': (p) => refusing('orders.cancel', async () => ({ outcome: await port.cancel(p.account, p.client_order_id) })),
    'orders.resolve': (p) => refusing('orders.resolve', async () => ({ outcome: await port.resolve(p.account, p.client_order_id) })),
    'orders.list': (p) => refusing('orders.list', () => ({ orders: port.list(p) })),
    'orders.history': (p) => refusing('orders.history', () => port.history(p.account, p.client_order_id)),
    'orders.exit': (p) => refusing('orders.exit', async () => ({ exit: await port.exit(p.account, p.target) })),
    'orders.exit_cancel': (p) => refusing('orders.exit_cancel', async () => ({ exit: await port.exitCancel(p.id) })),
  };
}
