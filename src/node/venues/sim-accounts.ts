/**
 * Many accounts on ONE simulated venue server, quickly (the monitoring cycle's bench and tests: a
 * cycle for 10 or 50 accounts against one sim). Each account `acc1` … `accN` is on venue `sim` with
 * its own key (SIMKEY-acc1 …) and so its own book; all share one market. The venues are built by the
 * registry exactly as the desk builds them (real Alpaca adapter, real sockets on 127.0.0.1).
 */
import type { Clock, Scheduler } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { silentLogger } from '../../core/ports/logger';
import { accountId } from '../../core/model/ids';
import { DEFAULT_ACCOUNT_ID, type Account } from '../../core/model/account';
import type { DeskConfig } from '../config/desk-config';
import { buildAccountVenue, SimVenuePool, type AccountVenue } from './registry';
import { simCredentials, type SimVenueServer } from './sim/server';

/** `n` SIM accounts `acc1` … `accN` on the simulated venue `venueName` (default `sim`): the accounts-file shape. */
export function simAccounts(n: number, venueName = 'sim'): Account[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`simAccounts: n must be a whole number ≥ 1, got ${n}`);
  return Array.from({ length: n }, (_, i) => ({ id: accountId(`acc${i + 1}`), label: `Simulated ${i + 1}`, venue: 'sim' as const, mode: 'SIM' as const, credentialsRef: null, venueName }));
}

export interface SimAccountsOptions {
  /** How many accounts (acc1 … accN). */
  accounts: number;
  /** The desk settings the sim reads (seed, simIntervalMs, simPort, streams). */
  config: DeskConfig;
  clock: Clock & Scheduler;
  logger?: Logger;
  /** Start each account's ports (streams: quotes and trade_updates). Default false: REST only, which the cycle uses. */
  start?: boolean;
}

export interface SimAccountsRun {
  /** The one server every account talks to (admin: fault, book(key), plantPosition). */
  server: SimVenueServer;
  /** The accounts' built venues, in account order. */
  venues: AccountVenue[];
  /** Each account's key on the server (for `key` in /__sim/fault and /__sim/position). */
  keyOf(account: string): string;
  /** Disposes every venue; the server stops with the last. */
  dispose(): Promise<void>;
}

/** Starts one simulated venue server with `accounts` accounts on it (see the module comment). */
export async function startSimAccounts(o: SimAccountsOptions): Promise<SimAccountsRun> {
  const pool = new SimVenuePool();
  const logger = o.logger ?? silentLogger;
  const venues: AccountVenue[] = [];
  const dispose = async () => {
    await Promise.allSettled(venues.map((v) => v.dispose()));
  };
  try {
    for (const account of simAccounts(o.accounts)) {
      venues.push(await buildAccountVenue({ account, config: o.config, alpacaCredentials: null, clock: o.clock, logger, random: Math.random, simVenues: pool }));
    }
    if (o.start) await Promise.all(venues.map((v) => Promise.all([v.marketData.start(), v.execution.start()])));
  } catch (err) {
    await dispose();
    throw err;
  }
  const server = venues[0]!.sim!;
  return { server, venues, keyOf: (account) => simCredentials(account, account === DEFAULT_ACCOUNT_ID).keyId, dispose };
}
