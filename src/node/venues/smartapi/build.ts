/**
 * `smartapi`: the Angel One SmartAPI venue (mode LIVE, the stored credentials) or, for mode SIM, the
 * same adapter against the embedded simulated venue's NSE face.
 *
 * VENUE-BASE PLACEHOLDER (branch venue-base only): the SmartAPI helper replaces this file with the real
 * builder before anything reaches main.
 */
import type { Account } from '../../../core/model/account';
import type { VenueBuilder } from '../registry';

export const buildSmartApi: VenueBuilder = (request) =>
  Promise.reject(new Error(`account ${request.account.id}: the SmartAPI venue is not built on this branch`));

/** What the desk streams from Start on this venue when the configuration names no watchlist (venue symbols). */
export function smartApiWatchlist(_account: Account, _now: number): string[] {
  return [];
}
