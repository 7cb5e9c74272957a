/**
 * Bounds for text that crosses a trust edge: error reasons, issue lists and descriptions of
 * untrusted values are cut to a fixed size, and describing a value never reads its properties
 * (an attacker's object can make `constructor.name` anything, including a throwing getter-free
 * object whose string conversion throws).
 */

/** Longest reason text that leaves the edge (a log line, an error message). */
export const MAX_REASON_CHARS = 300;
/** How many issues (validation errors) travel in a reply, a snapshot or an event. */
export const MAX_ISSUES = 100;

/** Cuts `s` to `max` characters, saying how much was cut. */
export function clip(s: string, max = MAX_REASON_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}

/** A short, safe description of an untrusted value: its kind and size, never its content. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v instanceof Uint8Array) return `binary(${v.length})`;
  if (typeof v === 'string') return `string(${v.length})`;
  return typeof v;
}

/**
 * The first `max` items, plus how many were left out. Used for validation issues everywhere they
 * flow (command replies, the snapshot's portfolio status, portfolio events).
 */
export function capList<T>(items: readonly T[], max = MAX_ISSUES): { items: T[]; omitted: number } {
  return items.length <= max ? { items: [...items], omitted: 0 } : { items: items.slice(0, max), omitted: items.length - max };
}
