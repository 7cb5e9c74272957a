/**
 * The desk's configuration: what it streams from and how (venue, seed, thresholds, limits, feeds,
 * stream tuning), its defaults, and the desk settings read as configuration. Precedence when the
 * desk is built: defaults < stored settings < environment < explicit config (src/node/desk.ts).
 */
import type { MarkPolicy } from '../../core/market/mark';
import type { DeskSettings } from '../../shared/contract';
import type { AlpacaSettings } from './market-config';

export interface DeskStreamSettings {
  dataTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  connectionLimitWindowMs?: number;
  queueCapacity?: number;
  pingIntervalMs?: number;
}

export interface DeskConfig {
  venue: 'sim' | 'alpaca';
  seed: number;
  /** How often the simulated venue publishes a batch of quotes. */
  simIntervalMs: number;
  /** Port of the embedded sim venue on 127.0.0.1 (0 = ephemeral, the default). */
  simPort?: number;
  /** Minimum spacing of tick_update events to the UI (50 ms → at most 20 per second). */
  tickCoalesceMs: number;
  /** Quotes older than this are stale (per venue; spec default 5 s). */
  staleAfterMs: number;
  markPolicy: MarkPolicy;
  /** Planner limit on option contracts (spec default 250). */
  maxOptionContracts: number;
  /** Symbols streamed from Start (until a portfolio consumer subscribes its own). Default: the sim's universe. */
  watchlist?: string[];
  /** How often a health_event refreshes ages and counters while streaming. */
  healthIntervalMs: number;
  alpaca?: AlpacaSettings;
  streams?: DeskStreamSettings;
}

export const defaultDeskConfig: DeskConfig = {
  venue: 'sim',
  seed: 42,
  simIntervalMs: 250,
  tickCoalesceMs: 50,
  staleAfterMs: 5000,
  markPolicy: 'mid',
  maxOptionContracts: 250,
  healthIntervalMs: 1000,
};

/** The desk settings as configuration (venue credentials stay where they came from: env or vault). */
export function configFromSettings(s: DeskSettings, alpaca: AlpacaSettings | undefined): Partial<DeskConfig> {
  return {
    venue: s.venue,
    staleAfterMs: Math.round(s.stale_after_sec * 1000),
    markPolicy: s.mark_policy,
    maxOptionContracts: s.max_option_contracts,
    ...(alpaca ? { alpaca: { ...alpaca, env: s.alpaca.env, stockFeed: s.alpaca.stock_feed, optionFeed: s.alpaca.option_feed } } : {}),
  };
}

/** The object without its undefined entries (so a patch never overwrites a value with undefined). */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
