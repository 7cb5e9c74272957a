/**
 * SmartAPI's feed limits (docs/protocols/smartapi.md §2.2): at most 3 WebSocket connections per
 * client code and 1,000 tokens per connection. This planner assigns the wanted symbols to
 * connections BEFORE anything is subscribed: a symbol keeps the connection it already has (no
 * churn on a reconnect or a delta), new symbols fill the first connection with room, and whatever
 * does not fit is left out with a warning that names it. Pure and deterministic.
 */
export interface SmartFeedLimits {
  connections: number;
  tokensPerConnection: number;
}

export const SMARTAPI_FEED_LIMITS: SmartFeedLimits = { connections: 3, tokensPerConnection: 1000 };

export interface SmartFeedPlan {
  /** Symbols per connection (index = connection number), in the order wanted. */
  connections: string[][];
  /** Symbols not subscribed because every connection is full, in the order wanted. */
  leftOut: string[];
  /** Names what was left out and why; null when everything fits. */
  warning: string | null;
}

/**
 * `wanted`: symbols in priority order (duplicates ignored); `previous`: the current symbol →
 * connection assignment (kept where still wanted and within the limits).
 */
export function planSmartFeed(wanted: readonly string[], previous: ReadonlyMap<string, number> = new Map(), limits: SmartFeedLimits = SMARTAPI_FEED_LIMITS): SmartFeedPlan {
  const n = Math.max(0, Math.floor(limits.connections));
  const cap = Math.max(0, Math.floor(limits.tokensPerConnection));
  const connections: string[][] = Array.from({ length: n }, () => []);
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const s of wanted) {
    if (!seen.has(s)) {
      seen.add(s);
      unique.push(s);
    }
  }
  const placed = new Set<string>();
  // first pass: keep existing assignments
  for (const s of unique) {
    const c = previous.get(s);
    if (c !== undefined && c >= 0 && c < n && connections[c]!.length < cap) {
      connections[c]!.push(s);
      placed.add(s);
    }
  }
  const leftOut: string[] = [];
  for (const s of unique) {
    if (placed.has(s)) continue;
    const c = connections.findIndex((list) => list.length < cap);
    if (c < 0) leftOut.push(s);
    else connections[c]!.push(s);
  }
  const shown = leftOut.slice(0, 10).join(', ');
  const warning =
    leftOut.length === 0
      ? null
      : `SmartAPI feed limit (${n} connections × ${cap} tokens): ${leftOut.length} symbol${leftOut.length === 1 ? '' : 's'} not subscribed: ${shown}${leftOut.length > 10 ? `, … (${leftOut.length - 10} more)` : ''}`;
  return { connections, leftOut, warning };
}
