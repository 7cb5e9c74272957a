/**
 * Waiting on a live desk in integration tests and benches: poll a condition until it holds (or fail
 * naming what was awaited), and run a desk command whose failure throws with its message.
 */
import type { Desk } from '../../src/node/desk';

/** Polls `cond` every 10 ms; throws naming `what` after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a desk command; a failed one throws with its name and message. */
export async function command<T>(d: Desk, name: string, args: unknown): Promise<T> {
  const r = await d.handle(name as never, args as never);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.result as T;
}

/** Every client order id the default account's venue was sent (its own order book, all statuses). */
export async function sentClientIds(d: Desk): Promise<string[]> {
  const orders = await d.accountVenue('default' as never)!.execution.orders({ status: 'all', limit: 500 });
  return orders.map((o) => o.clientOrderId);
}
