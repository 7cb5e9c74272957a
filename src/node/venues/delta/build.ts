/**
 * `delta`: the Delta Exchange venue (mode LIVE / PAPER = testnet, the stored API key) or, for mode
 * SIM, the same adapter against the embedded simulated venue's crypto face.
 *
 * VENUE-BASE PLACEHOLDER (branch venue-base only): the Delta helper replaces this file with the real
 * builder before anything reaches main.
 */
import type { Account } from '../../../core/model/account';
import type { VenueBuilder } from '../registry';

export const buildDelta: VenueBuilder = (request) =>
  Promise.reject(new Error(`account ${request.account.id}: the Delta venue is not built on this branch`));

/** What the desk streams from Start on this venue when the configuration names no watchlist (venue symbols). */
export function deltaWatchlist(_account: Account, _now: number): string[] {
  return [];
}
