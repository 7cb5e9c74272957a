/**
 * Composition: the place that constructs venue adapters from the desk's configuration. The desk
 * asks for an account's venue at Start (`DeskDeps.venues`, default `createVenue`) and never builds
 * one itself; `createVenue` asks the venue registry (venues/registry.ts), which knows every venue
 * kind and builds the account's MarketDataPort and ExecutionPort.
 *
 * Today's venues: `sim` — the simulated venue server on 127.0.0.1, reached by the real Alpaca
 * adapter over real sockets; one server per venue name, shared by that venue's accounts, each desk's
 * its own (createVenueFactory) — and `alpaca`.
 */
import type { VenueMode } from '../shared/contract';
import type { Account } from '../core/model/account';
import { accountVenueBuilder, buildAccountVenue, type AccountVenue, type VenueBuildRequest } from './venues/registry';

export interface VenueRequest extends VenueBuildRequest {
  account: Account;
  /** The account's mode (the same as `account.mode`; kept for callers that only need the mode). */
  mode: VenueMode;
}

/** A constructed (not yet started) account venue: its market-data and execution ports, and the embedded sim server, if any. */
export type VenueRun = AccountVenue;

export type VenueFactory = (request: VenueRequest) => Promise<VenueRun>;

/** Builds with the process-wide pool of simulated venue servers (callers without a desk of their own). */
export const createVenue: VenueFactory = (request) => buildAccountVenue(request);

/**
 * A desk's venue factory: its simulated venue servers are its own (one per venue name, shared by
 * that venue's accounts, stopped with the last of them), never another desk's in the same process.
 */
export function createVenueFactory(): VenueFactory {
  return accountVenueBuilder();
}
