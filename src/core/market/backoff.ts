/**
 * Reconnect delays: "full jitter" exponential backoff (AWS architecture blog, 2015): the delay is
 * uniform in [0, min(cap, base·2^attempt)). Spreading reconnects uniformly avoids the synchronized
 * storms that get a single-connection endpoint (Alpaca) answering 406/429.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1000, capMs: 30_000 };

/** `random` is injected (uniform in [0, 1)) so tests and replays are deterministic. */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(random() * exp);
}
